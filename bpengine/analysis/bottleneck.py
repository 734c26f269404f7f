"""Fix the bottleneck: a lane whose staff are busy most of the day holds every case up.

From the scenario's arrivals, durations and staff, each lane's utilisation is the work a
case brings it (time per step times how often a case passes the step) times the cases per
minute, shared among its people. Queues grow sharply as utilisation nears 1 (Erlang C). A
lane of the same office with time to spare can lend a person, or the two can work as one
pool: a what-if on the scenario, not on the model.
"""

from __future__ import annotations

import math
import re

from ..i18n import _, format_percent, ngettext
from .cycle_time import runs_per_case
from .estimates import UNSTABLE_QUEUE_DAYS, Estimates, erlang_c_wait
from .finding import make_finding, rule

__all__ = ["check_bottleneck", "lane_utilisation", "erlang_c_wait", "BUSY", "SPARE"]

#: utilisation from which a lane's queue is worth a staff move
BUSY = 0.4
#: a donor lane must stay below this utilisation after lending a person
SPARE = 0.5
#: a lane with this many people or more stands for "everyone has their own" (applicants)
_UNLIMITED = 100


def lane_utilisation(model, scenario) -> dict[str, dict]:
    """Per lane of the main process: staff, visits and work per case, utilisation."""
    est = Estimates(model, scenario)
    runs = runs_per_case(model, scenario)
    per_minute = 1.0 / scenario.arrivals.interarrival.mean
    out: dict[str, dict] = {}
    for n, r in runs.items():
        el = model.elements[n]
        if not el.lane or r <= 0:
            continue
        lane = out.setdefault(
            el.lane,
            {
                "staff": scenario.lane(el.lane).staff,
                "visits": 0.0,
                "minutes": 0.0,
                "steps": [],
                "pool": el.pool,
                "process": el.process,
            },
        )
        lane["visits"] += r
        lane["minutes"] += r * est.task_minutes(n)
        lane["steps"].append(n)
    for lane in out.values():
        lane["utilisation"] = per_minute * lane["minutes"] / lane["staff"]
        lane["arrivals"] = per_minute * lane["visits"]
        lane["service"] = lane["minutes"] / lane["visits"] if lane["visits"] else 0.0
    return out


def _office_words(lane: str) -> set[str]:
    return {w for w in re.findall(r"\w+", lane.lower()) if len(w) >= 4}


def _wait_days(lane, staff, per_day) -> float:
    w = erlang_c_wait(lane["arrivals"], lane["service"], staff)
    return UNSTABLE_QUEUE_DAYS if math.isinf(w) else lane["visits"] * w / per_day


@rule("bottleneck")
def check_bottleneck(model, scenario=None) -> list:
    """Flag the busiest lane when a lane of the same office could lend it a person.

    Graph pattern (read on the scenario, not the graph): the lane with the highest
    utilisation, at least :data:`BUSY`, and a lane of the same pool with at least two
    people that stays below :data:`SPARE` after lending one. Suggests *move-staff* (targets: a step of the
    lending lane): a what-if on the scenario's staff. Saving: the Erlang C queue wait the
    busy lane loses minus what the lending lane gains, per case. Needs a scenario.
    """
    if scenario is None or not hasattr(scenario, "arrivals"):
        return []
    lanes = lane_utilisation(model, scenario)
    busy = sorted(
        (x for x in lanes.items() if x[1]["utilisation"] >= BUSY and x[1]["staff"] < _UNLIMITED),
        key=lambda x: -x[1]["utilisation"],
    )
    if not busy:
        return []
    name, lane = busy[0]
    donors = []
    for other, d in lanes.items():
        if other == name or d["staff"] < 2 or d["staff"] >= _UNLIMITED:
            continue
        if (d["pool"], d["process"]) != (lane["pool"], lane["process"]):
            continue  # another agency: its people are not the office's to move
        after = d["utilisation"] * d["staff"] / (d["staff"] - 1)
        if after < SPARE:  # a lane sharing the office's name ("... DPMPTSP") lends first
            donors.append(
                (not _office_words(name) & _office_words(other), after, -d["staff"], other)
            )
    if not donors:
        return []
    apart, after, _staff, donor = min(donors)
    where = (
        _("in the same office")
        if not apart
        else _("in the same pool ({pool})").format(pool=repr(lane["pool"]))
        if lane["pool"]
        else _("in the same pool")
    )
    est = Estimates(model, scenario)
    per_day = est.minutes_per_day
    d = lanes[donor]
    gain = _wait_days(lane, lane["staff"], per_day) - _wait_days(lane, lane["staff"] + 1, per_day)
    loss = _wait_days(d, d["staff"] - 1, per_day) - _wait_days(d, d["staff"], per_day)
    u = lane["utilisation"]
    explanation = _(
        "{lane} is busy {busy} of its working time ({staff}); {state} {donor} {where} is busy "
        "{donor_busy} and would still be only {after} busy with one person fewer. Move one "
        "person from {donor} to {lane} (or let the two lanes work as one pool): a what-if on "
        "the scenario; the procedure itself does not change."
    ).format(
        lane=repr(name),
        busy=format_percent(u),
        staff=ngettext("{n} person", "{n} people", lane["staff"]).format(n=lane["staff"]),
        state=(
            _("it cannot keep up, so its queue grows without bound.")
            if u >= 1
            else _("cases queue for it.")
        ),
        donor=repr(donor),
        where=where,
        donor_busy=format_percent(d["utilisation"]),
        after=format_percent(after),
    )
    return [
        make_finding(
            model,
            check_bottleneck.id,
            tuple(lane["steps"]),
            explanation,
            "move-staff",
            severity="warning" if u >= 1 else "note",
            targets=(d["steps"][0],),
            saving=est.saving(max(gain - loss, 0.0), 0.0),
        )
    ]
