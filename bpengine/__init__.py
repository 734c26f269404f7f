"""bpengine: change the procedure, not just the paperwork.

Load a BPMN 2.0 model of an agency procedure, run it, simulate it, find the approval
steps that add nothing, redesign it and measure what each change saves.

The public names below are imported on first use (PEP 562), so ``import bpengine`` stays
cheap and using the analyzer never drags in the engine's database stack.
"""
from __future__ import annotations

import importlib
import sys
import types

from .errors import (
    BpengineError,
    BpmnError,
    ConflictError,
    ExpressionError,
    Forbidden,
    FormError,
    LogError,
    ModelError,
    NotFound,
    Problem,
    ScenarioError,
    StorageError,
    TaskNotReady,
)
from .model import ProcessModel, load, validate


# ``redesign`` names both a subpackage and its main function. Importing a subpackage binds
# it on its parent with setattr, which would hide the function; the package's class refuses
# that one binding, so ``bpengine.redesign`` is the function whatever was imported first,
# and the subpackage (with networkx under it) is still loaded only on first use.
class _Package(types.ModuleType):
    def __setattr__(self, name, value):
        if name == "redesign" and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

# public name -> module that defines it
_LAZY = {
    "Engine": "bpengine.engine",
    "EngineLimits": "bpengine.limits",
    "Incident": "bpengine.engine",
    "Finding": "bpengine.analysis",
    "analyze": "bpengine.analysis",
    "Comparison": "bpengine.report",
    "write_report": "bpengine.report",
    "compare": "bpengine.reengineer.before_after",
    "Scenario": "bpengine.scenario",
    "load_scenario": "bpengine.scenario",
    "SimulationResult": "bpengine.sim",
    "simulate": "bpengine.sim",
    "sweep": "bpengine.sim.sweep",
    "Change": "bpengine.redesign",
    "redesign": "bpengine.redesign",
    "transform_scenario": "bpengine.redesign",
}

__all__ = [
    "BpengineError",
    "BpmnError",
    "ConflictError",
    "ExpressionError",
    "Forbidden",
    "FormError",
    "LogError",
    "ModelError",
    "NotFound",
    "Problem",
    "ProcessModel",
    "ScenarioError",
    "StorageError",
    "TaskNotReady",
    "load",
    "validate",
    "Change",
    "redesign",
    "transform_scenario",
    *_LAZY,
]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'bpengine' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(__all__)
