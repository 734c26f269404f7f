"""Load a BPMN 2.0 model once; every consumer reads the same :class:`ProcessModel`."""

from ..lazy import lazy_exports
from .approval import Approval, classify
from .checks import validate
from .elements import DataObject, Element, Flow, Lane, MessageFlow, Pool, ProcessInfo
from .process_model import ProcessModel, load

# read on first use: a simulation never asks for hand-overs or mandates
_LAZY = {
    "Handover": ".handover",
    "Mandate": ".mandate",
    "classify_mandate": ".mandate",
    "legal_act": ".mandate",
    "mandatory_steps": ".mandate",
}

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

__getattr__, __dir__ = lazy_exports(globals(), _LAZY)
