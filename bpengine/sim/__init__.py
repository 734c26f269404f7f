"""Discrete-event simulation of agency procedures under real office conditions.

:func:`simulate` runs a model under a scenario (durations, staff, working hours with
Indonesian holidays, arrivals, batching, branch probabilities or generated case data) and
returns KPIs with 95% confidence intervals, per task and per lane; the event log can be
written as CSV or XES (:mod:`.eventlog`).
"""

from ..lazy import lazy_exports
from .kernel import MAX_STEPS
from .net import Net, compile_net
from .results import KPI, SimulationResult, t_quantile
from .runner import run_case, simulate, trace

# the function is bpengine.sweep (a module has its name); read on first use
_LAZY = {"Sweep": ".sweep", "SweepPoint": ".sweep"}

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

__getattr__, __dir__ = lazy_exports(globals(), _LAZY)
