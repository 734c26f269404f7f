"""Load a BPMN 2.0 model once; every consumer reads the same :class:`ProcessModel`."""

from .approval import Approval, classify
from .checks import validate
from .elements import DataObject, Element, Flow, Lane, MessageFlow, Pool, ProcessInfo
from .handover import Handover
from .mandate import Mandate, classify_mandate, legal_act, mandatory_steps
from .process_model import ProcessModel, load

__all__ = [
    "Approval",
    "DataObject",
    "Element",
    "Flow",
    "Handover",
    "Lane",
    "Mandate",
    "MessageFlow",
    "Pool",
    "ProcessInfo",
    "ProcessModel",
    "classify",
    "classify_mandate",
    "mandatory_steps",
    "legal_act",
    "load",
    "validate",
]
