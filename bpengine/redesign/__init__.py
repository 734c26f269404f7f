"""Redesign: pure transformations of a :class:`~bpengine.model.ProcessModel`.

Each transformation takes a model and returns a new one (the input is never changed) that
passes :func:`bpengine.model.validate`, keeps every ``bpe:mandatory`` step and keeps its
diagram, so it opens in bpmn.io or Camunda Modeler. :func:`transform_scenario` carries the
scenario across a change.
"""
import sys
import types

from .changes import Change, duration_moments, transform_scenario
from .eliminate import compose, eliminate
from .parallelise import parallelise
from .plan import REMOVING, Skipped, apply_finding, redesign
from .reorder import reassign, relocate_check, resequence

__all__ = [
    "REMOVING",
    "Change",
    "Skipped",
    "apply_finding",
    "compose",
    "duration_moments",
    "eliminate",
    "parallelise",
    "reassign",
    "redesign",
    "relocate_check",
    "resequence",
    "transform_scenario",
]


class _CallablePackage(types.ModuleType):
    """This package, callable as :func:`redesign` itself.

    ``bpengine.redesign`` names both this package and the function (the public API is
    ``from bpengine import redesign``); once the package is imported, Python binds the
    package to that name, so the package answers a call the way the function does.
    """

    def __call__(self, model, findings, keep=(), **kwargs):
        return redesign(model, findings, keep, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
