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

from .cycle_time import lead_time
from .estimates import Estimates
from .finding import make_finding

__all__ = ["check_bottleneck", "lane_utilisation", "erlang_c_wait", "BUSY", "SPARE"]

#: utilisation from which a lane's queue is worth a staff move
BUSY = 0.4
#: a donor lane must stay below this utilisation after lending a person
SPARE = 0.5
#: a lane with this many people or more stands for "everyone has their own" (applicants)
_UNLIMITED = 100
#: the wait charged when a lane cannot keep up at all (utilisation >= 1): the queue grows
#: without bound, so any estimate is a floor
_UNSTABLE_WAIT_DAYS = 5.0


def erlang_c_wait(arrivals: float, service: float, servers: int) -> float:
    """Mean wait in the queue of an M/M/c system (same unit as ``service``), ``inf`` if full.

    Examples
    --------
    >>> round(erlang_c_wait(1 / 10, 8.0, 1), 3)      # M/M/1: rho / (mu - lambda)
    32.0
    >>> erlang_c_wait(1 / 5, 8.0, 1)
    inf
    """
    load = arrivals * service
    if servers < 1 or load >= servers:
        return math.inf
    if load == 0:
        return 0.0
    term, total = 1.0, 1.0
    for k in range(1, servers):
        term *= load / k
        total += term
    last = term * load / servers / (1 - load / servers)
    p_wait = last / (total + last)
    return p_wait * service / (servers - load)


def lane_utilisation(model, scenario) -> dict[str, dict]:
    """Per lane of the main process: staff, visits and work per case, utilisation."""
    est = Estimates(model, scenario)
    _full, runs = lead_time(model, scenario)
    per_minute = 1.0 / scenario.arrivals.interarrival.mean
    out: dict[str, dict] = {}
    for n, r in runs.items():
        el = model.elements[n]
        if not el.lane or r <= 0:
            continue
        lane = out.setdefault(el.lane, {"staff": scenario.lane(el.lane).staff, "visits": 0.0,
                                        "minutes": 0.0, "steps": [], "pool": el.pool,
                                        "process": el.process})
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
    return _UNSTABLE_WAIT_DAYS if math.isinf(w) else lane["visits"] * w / per_day


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
    busy = sorted((x for x in lanes.items() if x[1]["utilisation"] >= BUSY
                   and x[1]["staff"] < _UNLIMITED), key=lambda x: -x[1]["utilisation"])
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
            donors.append((not _office_words(name) & _office_words(other), after,
                           -d["staff"], other))
    if not donors:
        return []
    apart, after, _, donor = min(donors)
    where = "in the same pool" if apart else "in the same office"
    est = Estimates(model, scenario)
    per_day = est.minutes_per_day
    d = lanes[donor]
    gain = _wait_days(lane, lane["staff"], per_day) - _wait_days(lane, lane["staff"] + 1,
                                                                 per_day)
    loss = _wait_days(d, d["staff"] - 1, per_day) - _wait_days(d, d["staff"], per_day)
    u = lane["utilisation"]
    explanation = (
        f"{name!r} is busy {u:.0%} of its working time ({lane['staff']} "
        f"{'person' if lane['staff'] == 1 else 'people'}); "
        + ("it cannot keep up, so its queue grows without bound. " if u >= 1 else
           "cases queue for it. ")
        + f"{donor!r} {where} is busy {d['utilisation']:.0%} and would still "
        f"be only {after:.0%} busy with one person fewer. Move one person from {donor!r} to "
        f"{name!r} (or let the two lanes work as one pool): a what-if on the scenario; the "
        "procedure itself does not change.")
    return [make_finding(model, "bottleneck", tuple(lane["steps"]), explanation, "move-staff",
                         severity="warning" if u >= 1 else "note", targets=(d["steps"][0],),
                         saving=est.saving(max(gain - loss, 0.0), 0.0))]
