"""Reengineering: prove a redesign by simulation, and search for the best one.

:mod:`.before_after` compares two models (structure and simulated KPIs, common random
numbers, Welch's t-test); :mod:`.search` builds candidate redesigns from the analyzer's
findings and ranks them by simulated cycle time and cost; :mod:`.pipeline` is
``bpengine reengineer`` as a library call (search, write the best, compare, report).

This package sits above the consumers (it runs the analyzer, the redesigner and the
simulator) and the report (whose tables and HTML it fills); only the CLI imports it.
The public names below are imported on first use (PEP 562), as in :mod:`bpengine`.
"""

from __future__ import annotations

from ..lazy import lazy_exports

# public name -> module that defines it
_LAZY = {
    "BeforeAfter": ".before_after",
    "compare": ".before_after",
    "per_case_counts": ".before_after",
    "scenarios_for": ".before_after",
    "service_standard_days": ".before_after",
    "simulate_and_compare": ".before_after",
    "simulate_pair": ".before_after",
    "Candidate": ".search",
    "Reengineering": ".search",
    "reengineer": ".search",
    "Outcome": ".pipeline",
    "reengineer_to": ".pipeline",
}

__all__ = sorted(_LAZY)

__getattr__, __dir__ = lazy_exports(globals(), _LAZY)
