"""Discrete-event simulation of agency procedures under real office conditions.

:func:`simulate` runs a model under a scenario (durations, staff, working hours with
Indonesian holidays, arrivals, batching, branch probabilities or generated case data) and
returns KPIs with 95% confidence intervals, per task and per lane; the event log can be
written as CSV or XES (:mod:`.eventlog`).
"""

from .kernel import MAX_STEPS
from .net import Net, compile_net
from .results import KPI, SimulationResult, t_quantile
from .runner import run_case, simulate, trace
from .sweep import Sweep, SweepPoint  # the function: bpengine.sweep (a module has its name)

__all__ = [
    "KPI",
    "MAX_STEPS",
    "Net",
    "SimulationResult",
    "Sweep",
    "SweepPoint",
    "compile_net",
    "run_case",
    "simulate",
    "t_quantile",
    "trace",
]
