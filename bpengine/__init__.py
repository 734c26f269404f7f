"""bpengine: change the procedure, not just the paperwork.

Load a BPMN 2.0 model of an agency procedure, run it, simulate it, find the approval
steps that add nothing, redesign it and measure what each change saves.

The public names below are imported on first use (PEP 562), so ``import bpengine`` stays
cheap and using the analyzer never drags in the engine's database stack.
"""

from __future__ import annotations

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
from .lazy import lazy_exports
from .model import ProcessModel, load, validate

_SUBPACKAGES = {
    "analysis",
    "engine",
    "records",
    "redesign",
    "report",
    "scenario",
    "sim",
    "cli",
    "expressions",
    "i18n",
}

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
    "Redesign": "bpengine.redesign",
    "apply_findings": "bpengine.redesign",
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
    *_LAZY,
]

__getattr__, __dir__ = lazy_exports(globals(), _LAZY, subpackages=_SUBPACKAGES)
