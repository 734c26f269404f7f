"""`compare_logs`: measure a reform after the fact, from the cases logged before and after.

The same before/after table as :func:`bpengine.reengineer.before_after.compare`, with the
same significance test, but from observed cases instead of simulated ones: each measure
is one value per logged case (:func:`bpengine.records.measure.case_measures`), the 95%
interval is over cases and Welch's t-test compares the cases before with the cases after.
"""

from __future__ import annotations

from ..records.measure import MEASURES, case_measures
from ..scenario import load_scenario
from .comparison import Comparison, simulated_metric, structure

__all__ = ["compare_logs"]

# measure -> the key the simulated comparison gives the same row
_KEYS = {
    "cycle_days": "cycle_days_mean",
    "waiting_hours": "waiting_hours",
    "work_hours": "staff_hours",
    "cost": "cost",
    "sla": "sla",
    "handoffs": "handoffs",
    "approvals": "approvals",
}


def compare_logs(
    before_model,
    before_log,
    after_model=None,
    after_log=None,
    *,
    scenario=None,
    after_scenario=None,
    mapping: dict | None = None,
) -> Comparison:
    """Observed cases before and after a reform, side by side, with significance.

    Parameters
    ----------
    before_model, after_model : ProcessModel
        The procedure as it ran before and after (``after_model`` defaults to
        ``before_model``); they say which steps are approvals and which lane does a step.
    before_log, after_log : EventLog
    scenario, after_scenario : optional
        Calendar, hourly costs and service standard (anything :func:`load_scenario`
        reads; default: the model's sidecar, else defaults).
    mapping : dict, optional
        Log activity -> task id or name, for both logs.

    Returns
    -------
    Comparison
        Structural rows when the models differ, then one row per measure, each with its
        95% interval over cases and Welch's p-value.
    """
    after_model = after_model or before_model
    sb = load_scenario(scenario, model=before_model)
    sa = (
        load_scenario(after_scenario if after_scenario is not None else scenario, model=after_model)
        if after_scenario is not None or after_model is not before_model
        else sb
    )
    mb = case_measures(before_model, before_log, sb, mapping)
    ma = case_measures(after_model, after_log, sa, mapping)
    rows = []
    if after_model != before_model:
        rows = [
            m
            for m in structure(before_model, after_model)
            if m.key not in ("handoffs", "approvals")
        ]
    for key, (label, unit, better) in MEASURES.items():
        if key in mb and key in ma and mb[key] and ma[key]:
            rows.append(
                simulated_metric(
                    _KEYS[key],
                    label,
                    unit,
                    mb[key],
                    ma[key],
                    better,
                    basis="cases",
                    kind="observed",
                )
            )
    return Comparison(
        before_model.name,
        after_model.name,
        tuple(rows),
        scenario=sb.source,
        observed=(
            len(mb["cycle_days"]),
            len(ma["cycle_days"]),
            before_log.source,
            after_log.source,
        ),
    )
