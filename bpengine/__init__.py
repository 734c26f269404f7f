"""bpengine: change the procedure, not just the paperwork.

Load a BPMN 2.0 model of an agency procedure, run it, simulate it, find the approval
steps that add nothing, redesign it and measure what each change saves.
"""
from .analysis import Finding, analyze
from .errors import (
    BpengineError,
    ConflictError,
    ExpressionError,
    ModelError,
    NotFound,
    Problem,
    ScenarioError,
    TaskNotReady,
)
from .engine import Engine
from .model import ProcessModel, load, validate
from .redesign import Change, redesign, transform_scenario
from .report import Comparison, write_report
from .report.before_after import compare
from .scenario import Scenario, load_scenario
from .sim import SimulationResult, simulate

__all__ = [
    "BpengineError",
    "Change",
    "Comparison",
    "ConflictError",
    "Engine",
    "ExpressionError",
    "Finding",
    "ModelError",
    "NotFound",
    "Problem",
    "ProcessModel",
    "Scenario",
    "ScenarioError",
    "SimulationResult",
    "TaskNotReady",
    "analyze",
    "compare",
    "load",
    "load_scenario",
    "redesign",
    "simulate",
    "transform_scenario",
    "validate",
    "write_report",
]
