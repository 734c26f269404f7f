"""Per-case measures of observed cases, the same quantities the simulator reports.

For the cases of a log (replayed and timed by :mod:`.observed`): cycle time in working
days on the scenario's calendar (from the case's arrival to its last logged step: a final
hand-over no step records is not in it), waiting (a step ready and nobody on it yet: the union over
the case's steps of enablement to start, so parallel waits count once, in hours), work
(each step's start to end in working hours of its lane), the cost of that work at the
lanes' hourly cost, whether the case met the service standard, the handoffs between lanes
and the approvals done. One value per case, so a before/after comparison tests over cases.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from ..i18n import N_
from .matching import match_activities
from .observed import observe, worked_between
from .replay import replay_log

__all__ = ["case_measures", "MEASURES"]

#: measure -> (label, unit, better)
#: (the labels are the simulated comparison's, so both read alike and in the user's language)
MEASURES = {
    "cycle_days": (N_("Cycle time, mean"), "working days", "lower"),
    "waiting_hours": (N_("Waiting per case (queue, batch, closed office)"), "hours", "lower"),
    "work_hours": (N_("Work hours per case (all lanes)"), "hours", "lower"),
    "cost": (N_("Cost of that work per case"), "IDR", "lower"),
    "sla": (N_("Cases within the service standard"), "share", "higher"),
    "handoffs": (N_("Handoffs per case"), "handoffs", "lower"),
    "approvals": (N_("Approvals per case"), "approvals", "lower"),
}


def _union_hours(spans) -> float:
    total, end = 0.0, None
    for a, b in sorted(spans):
        if b <= a:
            continue
        if end is None or a > end:
            total += (b - a).total_seconds()
            end = b
        elif b > end:
            total += (b - end).total_seconds()
            end = b
    return total / 3600


def case_measures(model, log, scenario, mapping: dict | None = None) -> dict[str, list[float]]:
    """``{measure: [value per case]}`` for every case of ``log`` (see :data:`MEASURES`).

    ``sla`` is left out when the scenario gives no service standard, ``cost`` when it
    gives no hourly costs.
    """
    replay = replay_log(model, log, match_activities(model, log, mapping))
    cases = observe(model, replay, scenario, log.arrivals)
    cal = scenario.calendar
    per_day = cal.working_minutes_per_day
    cycle = worked_between(cal, [c.arrival for c in cases], [c.done for c in cases]) / per_day
    out: dict[str, list[float]] = defaultdict(list)
    out["cycle_days"] = [float(v) for v in cycle]
    by_lane: dict = defaultdict(list)
    for i, c in enumerate(cases):
        for x in c.executions:
            by_lane[x.lane].append((i, x))
    work = np.zeros(len(cases))
    cost = np.zeros(len(cases))
    for lane, items in by_lane.items():
        hours = (
            worked_between(
                scenario.lane_calendar(lane), [x.start for _, x in items], [x.end for _, x in items]
            )
            / 60
        )
        rate = scenario.lane(lane).cost_per_hour
        for (i, _), h in zip(items, hours, strict=True):
            work[i] += max(h, 0.0)
            cost[i] += max(h, 0.0) * rate
    out["work_hours"] = work.tolist()
    if any(s.cost_per_hour for s in scenario.lanes.values()):
        out["cost"] = cost.tolist()
    if scenario.service_standard_days is not None:
        out["sla"] = [float(v <= scenario.service_standard_days + 1e-9) for v in cycle]
    for c in cases:
        steps = sorted(c.executions, key=lambda x: (x.start, x.end))
        out["waiting_hours"].append(_union_hours((x.enabled, x.start) for x in steps))
        lanes = [x.lane for x in steps]
        out["handoffs"].append(float(sum(a != b for a, b in zip(lanes, lanes[1:], strict=False))))
        out["approvals"].append(
            float(
                sum(1 for x in steps if x.task is not None and model.approval(x.task).is_approval)
            )
        )
    return {k: out[k] for k in MEASURES if k in out}
