"""What the records show happened to each case: arrival, every task's enablement, start, end.

A log rarely says everything. The replay tells which earlier step enabled each task (its
token came from that step's end, or from the case's start); when the log has no start of
work, it is estimated as the later of when the task was enabled and when its performer
finished their previous task (the performer cannot have begun before), and marked
estimated. Times are converted to working minutes on a calendar with
:func:`working_minutes`, the way the simulator counts durations.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

__all__ = ["Execution", "ObservedCase", "observe", "working_minutes", "worked_between"]


@dataclass
class Execution:
    """One task execution with every time known or estimated."""

    case: str
    task: str | None
    lane: str | None
    resource: str | None
    enabled: dt.datetime
    start: dt.datetime
    end: dt.datetime
    start_estimated: bool
    enabled_estimated: bool
    unknowable: bool = False  # no start, and nothing logged before it: no duration to tell
    by_message: bool = False  # enabled by a message from another pool (arrival time unknown)


@dataclass
class ObservedCase:
    """A case as the log shows it; ``fits``: replayed on the model without deviation."""

    case: str
    arrival: dt.datetime
    done: dt.datetime
    executions: list[Execution]
    fits: bool
    choices: list
    arrival_estimated: str  # "" when logged as an enablement, else what it was taken from


def working_minutes(calendar, times, epoch: dt.datetime | None = None) -> np.ndarray:
    """Working minutes of ``calendar`` from ``epoch`` to each datetime in ``times``.

    ``epoch`` defaults to a week before the earliest time; give the same one to compare
    two calls (or use :func:`worked_between`).
    """
    times = list(times)
    if not times:
        return np.zeros(0)
    if epoch is None:
        epoch = min(times)
    epoch = dt.datetime.combine(epoch.date() - dt.timedelta(days=7), dt.time())
    clock = calendar.clock(epoch)
    epoch = clock.epoch
    minutes = np.array([(t - epoch).total_seconds() / 60.0 for t in times])
    return clock.worked_array(minutes)


def observe(model, replay, scenario=None, arrivals: dict | None = None) -> list[ObservedCase]:
    """Every replayed case with arrival, enablement and start of each execution filled in.

    Parameters
    ----------
    model : ProcessModel
    replay : Replay
        From :func:`bpengine.records.replay_log`.
    scenario : Scenario, optional
        Says which lane works on a task when it differs from the drawing.
    arrivals : dict, optional
        Case -> when it started, where the log records it (:attr:`EventLog.arrivals`).
    """
    cases: list[ObservedCase] = []
    for cr in replay.cases:
        events = cr.events
        logged = [e.enabled for e in events if e.enabled is not None]
        if arrivals and cr.case in arrivals:
            arrival, how = min([arrivals[cr.case], *(e.began for e in events)]), ""
        elif logged:
            arrival, how = min(logged), ""
        elif any(e.start is not None for e in events):
            arrival, how = min(e.start for e in events if e.start is not None), "start"
        else:
            arrival, how = min(e.end for e in events), "end"
        executions = []
        for k, (e, task) in enumerate(zip(events, cr.tasks, strict=True)):
            enabled, estimated = e.enabled, False
            if enabled is None:
                estimated = True
                source = cr.enabled_by[k]
                if source is None:  # not allowed there: enabled when the step before ended
                    prior = [x.end for x in events[:k] if x.end <= e.began]
                    enabled = max(prior) if prior else arrival
                else:
                    enabled = arrival if source < 0 else events[source].end
                enabled = min(enabled, e.began)
            lane = e.lane
            if task is not None:
                lane = (
                    (scenario.resource_of(task) if scenario is not None else None)
                    or model.elements[task].lane
                    or lane
                )
            executions.append(
                Execution(
                    cr.case,
                    task,
                    lane,
                    e.resource,
                    enabled,
                    e.start or e.end,
                    e.end,
                    e.start is None,
                    estimated,
                    e.start is None and enabled == e.end == arrival,
                    cr.by_message.get(k, False) and e.enabled is None,
                )
            )
        cases.append(
            ObservedCase(
                cr.case,
                arrival,
                max(e.end for e in events),
                executions,
                cr.alignment.fits,
                cr.choices,
                how,
            )
        )
    _estimate_starts([x for c in cases for x in c.executions])
    return cases


def _estimate_starts(executions: list[Execution]) -> None:
    """Start = max(enabled, the same performer's previous end), where the log has none."""
    by_resource: dict = defaultdict(list)
    for x in executions:
        if x.start_estimated:
            x.start = x.enabled
        by_resource[x.resource].append(x)
    for resource, xs in by_resource.items():
        if resource is None:
            continue
        xs.sort(key=lambda x: (x.end, x.start))
        previous_end = None
        for x in xs:
            if x.start_estimated and previous_end is not None and previous_end > x.start:
                x.start = min(previous_end, x.end)
            previous_end = x.end if previous_end is None else max(previous_end, x.end)


def worked_between(calendar, starts, ends) -> np.ndarray:
    """Working minutes of ``calendar`` from each start to its end."""
    starts, ends = list(starts), list(ends)
    both = working_minutes(calendar, starts + ends)
    return both[len(starts) :] - both[: len(starts)]
