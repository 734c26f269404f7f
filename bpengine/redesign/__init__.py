"""Redesign: pure transformations of a :class:`~bpengine.model.ProcessModel`.

Each transformation takes a model and returns an :class:`Applied`: a new model (the input is
never changed) and its :class:`Change` records, no list filled in. The new model
passes :func:`bpengine.model.validate` and :func:`check_clean` (no debris: orphan data,
empty lanes, empty branches, dangling message flows, errands to idle offices), keeps every
step the model says must stay (:meth:`~bpengine.model.ProcessModel.mandate` in
:func:`apply_findings`) and keeps its diagram, so it opens in bpmn.io or Camunda Modeler.
:data:`TRANSFORMATIONS` holds the one transformation each suggestion of a finding names
(:func:`apply_findings` applies findings through it); :func:`transform_scenario` carries the
scenario across a change; :func:`write_outputs` writes the new model with its scenario and
change log beside it.
"""

from .automate import automate
from .changes import Applied, Change, duration_moments, transform_scenario
from .eliminate import compose, eliminate
from .fast_lane import fast_lane
from .notify import notify
from .parallelise import parallelise
from .pipeline import Redesigned, check_keep, redesign_to, select_findings
from .plan import Redesign, Skipped, apply_finding, apply_findings, redesign
from .reorder import reassign, relocate_check, resequence
from .sidecars import read_change_log, sidecar_paths, write_outputs
from .staffing import move_staff
from .tidy import check_clean
from .transformations import TRANSFORMATIONS, Transformation

__all__ = [
    "TRANSFORMATIONS",
    "Transformation",
    "Applied",
    "Change",
    "Redesign",
    "Redesigned",
    "Skipped",
    "apply_finding",
    "apply_findings",
    "automate",
    "check_clean",
    "check_keep",
    "compose",
    "duration_moments",
    "eliminate",
    "fast_lane",
    "move_staff",
    "notify",
    "parallelise",
    "read_change_log",
    "reassign",
    "redesign",
    "redesign_to",
    "relocate_check",
    "resequence",
    "select_findings",
    "sidecar_paths",
    "transform_scenario",
    "write_outputs",
]
