"""`calibrate`: a scenario fitted from an event log, each number saying where it came from.

The log is replayed on the model (:mod:`.replay`), each case's times are filled in
(:mod:`.observed`), and the scenario's numbers are measured: case arrivals (the time
between them in working time, and the weekly hours they arrive in), each task's
processing time (a distribution chosen by AIC among the scenario's families, see
:mod:`.fitting`), branch probabilities from the cases that fit the model, staff per lane
(distinct people, and how many were busy at once), the hours each lane and person worked,
and sign-off rounds (a task started only shortly after fixed times of day). What a log
cannot show (costs, the service standard, timers, case data) is kept from a base
scenario, and says so. The result is written as a commented scenario YAML
(:meth:`Calibration.to_yaml`) in the format of SCENARIO.md.
"""

from __future__ import annotations

import bisect
import datetime as dt
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import BpengineError, LogError
from ..i18n import _
from ..model.elements import SYSTEM_TASK_KINDS
from ..model.graph import activities_beyond
from ..scenario import Scenario, load_scenario
from ..scenario.loading import read_yaml
from .fitting import fit_distribution
from .matching import match_activities
from .observed import observe, worked_between, working_minutes
from .replay import replay_log
from .signoff import detect_rounds, hours_text, observed_hours
from .yamlout import emit

__all__ = ["Calibration", "calibrate"]

_EXCLUSIVE = ("exclusiveGateway", "eventBasedGateway", "complexGateway")
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass
class Calibration:
    """A calibrated scenario: the mapping, a comment per key, the header and warnings.

    Attributes
    ----------
    doc : dict
        The scenario in the YAML's shape (what :func:`bpengine.load_scenario` reads).
    comments : dict
        Key path (tuple) -> where the number came from and how many observations back it.
    fits : dict
        Task id -> :class:`~bpengine.records.fitting.Fit`.
    cases, fitting_cases : int
    warnings : list of str
    """

    doc: dict
    comments: dict
    header: list[str]
    fits: dict
    cases: int
    fitting_cases: int
    replay: object = field(repr=False, default=None)
    warnings: list[str] = field(default_factory=list)

    @property
    def misfit_share(self) -> float:
        """Share of cases that do not replay on the model without a deviation."""
        return 1.0 - self.fitting_cases / self.cases if self.cases else 0.0

    def to_yaml(self) -> str:
        return emit(self.doc, self.comments, self.header)

    def write(self, path: str | os.PathLike) -> None:
        try:
            Path(path).write_text(self.to_yaml(), encoding="utf-8")
        except OSError as exc:
            raise BpengineError(
                _("{path}: cannot write the scenario: {why}").format(
                    path=path, why=exc.strerror or exc
                )
            ) from None

    def scenario(self, model):
        """The calibrated scenario, loaded and checked against ``model``."""
        return load_scenario(self.doc, model=model)


def _minutes(v: float) -> str:
    return f"{round(v, 2):g} min"


def _duration_doc(dist) -> dict | str:
    d = dist.to_dict()
    if dist.kind == "fixed":
        return _minutes(dist.params[0])
    if dist.kind == "empirical":
        return {"distribution": "empirical", "values": [_minutes(v) for v in d["values"]]}
    return {k: (v if k == "distribution" else _minutes(v)) for k, v in d.items()}


def _base(base, model) -> tuple[dict[str, Any], Scenario, str]:
    """(raw mapping, loaded Scenario, name) of the base scenario (None: defaults)."""
    if base is None:
        return {}, load_scenario({}, model=model), "defaults"
    if isinstance(base, dict):
        return dict(base), load_scenario(base, model=model), "the base scenario"
    doc = read_yaml(base)
    return doc, load_scenario(base, model=model), str(base)


def _mapping(value: object) -> dict[str, Any]:
    """A base scenario's entry when it is a mapping (anything else carries nothing over)."""
    return value if isinstance(value, dict) else {}


def _people(names) -> str:
    names = sorted(n for n in names if n)
    shown = ", ".join(names[:4])
    return shown + (f" and {len(names) - 4} more" if len(names) > 4 else "")


def _max_busy(intervals) -> int:
    points = sorted(
        [(s, 1) for s, e in intervals] + [(e, -1) for s, e in intervals], key=lambda p: (p[0], p[1])
    )
    best = now = 0
    for _at, step in points:
        now += step
        best = max(best, now)
    return best


@dataclass
class _Fitting:
    """What every section of a calibration reads and adds to: the base scenario, the notes
    (one comment per number) and the warnings."""

    model: Any
    bsc: Scenario
    base_doc: dict
    base_name: str
    notes: dict
    warnings: list

    @property
    def kept(self) -> str:
        return f"kept from {self.base_name} (an event log does not show it)"


def calibrate(
    model, log, *, base=None, mapping: dict | None = None, mapping_source: str = "mapping"
) -> Calibration:
    """Fit a scenario for ``model`` from ``log``.

    Parameters
    ----------
    model : ProcessModel
    log : EventLog
        From :func:`bpengine.records.read_log` or :func:`~bpengine.records.history_log`.
    base : path, dict or None
        A scenario whose calendar, costs, service standard, timers and case data are kept
        (a log does not show them), and whose numbers stand in for what the log lacks.
    mapping : dict, optional
        Log activity -> task id or name, where they differ.

    Raises
    ------
    LogError
        No logged activity is a task of the model.
    """
    tasks_of = match_activities(model, log, mapping, mapping_source)
    base_doc, bsc, base_name = _base(base, model)
    replay = replay_log(model, log, tasks_of)
    cases = observe(model, replay, bsc, log.arrivals)
    n_cases, fitting = len(cases), sum(c.fits for c in cases)
    doc: dict = {}
    fit = _Fitting(model, bsc, base_doc, base_name, {}, list(log.warnings))
    notes, warnings = fit.notes, fit.warnings
    for activity, (n, where) in sorted(replay.unknown.items()):
        warnings.append(
            _(
                "{source}: activity {activity!r} ({n} event(s), first at {where}) "
                "is no task of {file}: left out of the fit"
            ).format(source=log.source, activity=activity, n=n, where=where, file=model.file)
        )
    for key in ("calendar", "service_standard"):
        if key in base_doc:
            doc[key] = base_doc[key]
            notes[(key,)] = fit.kept

    arrivals = sorted(c.arrival for c in cases)
    doc["start"] = arrivals[0].strftime("%Y-%m-%d %H:%M")
    notes[("start",)] = "the first case's arrival in the log"
    doc["arrivals"] = _fit_arrivals(fit, cases, arrivals, log.arrivals)
    executions = [x for c in cases for x in c.executions if x.task is not None]
    lanes_doc = _fit_lanes(fit, executions)
    if lanes_doc:
        doc["lanes"] = lanes_doc
    doc["tasks"], fits = _fit_tasks(fit, executions, lanes_doc)
    gateways_doc = _fit_gateways(fit, cases, fitting)
    if gateways_doc:
        doc["gateways"] = gateways_doc
    _handovers(model, replay, cases, base_doc, bsc, doc, notes, fit.kept)
    for key in ("events", "data"):
        if base_doc.get(key):
            doc[key] = base_doc[key]
            notes[(key,)] = fit.kept

    header = [
        f"Scenario for {Path(model.file).name}, calibrated by bpengine from {log.source}.",
        f"{n_cases} cases, {len(log)} task executions "
        f"({min(e.end for e in log.events):%Y-%m-%d} to {max(e.end for e in log.events):%Y-%m-%d}).",
        f"{n_cases - fitting} of {n_cases} cases ({1 - fitting / n_cases:.1%}) do not fit the "
        f"model (replay fitness {replay.fitness:.3f}); see `bpengine conformance`.",
        f"Not in a log, so kept from {base_name}: calendar and holidays, costs, service "
        "standard, timers, hand-over times between pools, case data.",
        "Durations are working minutes on the lane's calendar; distributions fitted with "
        "scipy.stats, family by lowest AIC.",
    ]
    if not log.has_start:
        header.append(
            "The log has no start times for some steps: each such start is "
            "estimated from when the step was enabled (see the task comments)."
        )
    result = Calibration(doc, notes, header, fits, n_cases, fitting, replay, warnings)
    result.scenario(model)  # what we write must load: fail here, not in the user's run
    if n_cases and not fitting:
        warnings.append(
            _(
                "{source}: no case fits {file}: branch probabilities "
                "are kept from the base scenario (see `bpengine conformance`)"
            ).format(source=log.source, file=model.file)
        )
    if not executions:
        raise LogError(
            _("{source}: no task executions matched a task of {file}").format(
                source=log.source, file=model.file
            )
        )
    _check_holidays(bsc.calendar, arrivals, warnings, base_name)
    return result


def _fit_arrivals(fit: _Fitting, cases, arrivals, logged: bool) -> dict:
    """The ``arrivals`` section: their weekly hours and the time between them."""
    notes, cal = fit.notes, fit.bsc.calendar
    how = {c.arrival_estimated for c in cases} - {""}
    source = (
        "arrival = when the case was started"
        if logged
        else "arrival = when its first task was enabled"
        if not how
        else f"arrival = the {'/'.join(sorted(how))} of its first task: the log has no "
        "arrival times"
    )
    inside = float(np.mean([cal.is_working(a) for a in arrivals]))
    arr_doc: dict = {}
    if inside >= 0.99:
        arr_cal, arr_doc["calendar"] = cal, "office"
        notes[("arrivals", "calendar")] = (
            f"{inside:.0%} of {len(arrivals)} cases arrived in office hours"
        )
    else:
        hours = observed_hours(arrivals)
        arr_doc["calendar"] = hours
        arr_cal = load_scenario(
            {"calendar": fit.base_doc.get("calendar") or {}, "arrivals": {"calendar": hours}}
        ).arrival_calendar
        notes[("arrivals", "calendar")] = (
            f"weekly hours in which the {len(arrivals)} cases "
            f"arrived ({1 - inside:.0%} outside office hours)"
        )
    gaps = np.diff(working_minutes(arr_cal, arrivals)) if len(arrivals) > 1 else np.array([])
    gap_fit = fit_distribution(gaps)
    if gap_fit is not None:
        arr_doc["interarrival"] = _duration_doc(gap_fit.distribution)
        notes[("arrivals", "interarrival")] = (
            f"{gap_fit.n} gaps between case arrivals ({source}), in working time; "
            f"{gap_fit.describe()}"
        )
        arr_doc["counting"] = "working"
    return arr_doc


def _fit_lanes(fit: _Fitting, executions) -> dict:
    """The ``lanes`` section: head count (distinct people, or most busy at once), hours."""
    by_lane: dict = defaultdict(list)
    for x in executions:
        # a system step drawn in an office's lane is done by no person of it (unless the
        # base scenario gives it to a lane): its "(system)" resource is not a head to count
        system = fit.model.elements[x.task].kind in SYSTEM_TASK_KINDS
        if not system or x.task in fit.bsc.assignments:
            by_lane[x.lane].append(x)
    lanes_doc: dict = {}
    for lane in sorted(by_lane, key=str):
        if lane is not None:
            lanes_doc[lane] = _fit_lane(fit, lane, by_lane[lane])
    return lanes_doc


def _fit_lane(fit: _Fitting, lane, xs) -> dict:
    notes = fit.notes
    people = {x.resource for x in xs if x.resource}
    busy = _max_busy([(x.start, x.end) for x in xs])
    lane_spec: dict[str, Any] = {}
    lane_cases = len({x.case for x in xs})
    if people:
        lane_spec["staff"] = len(people)
        why = (
            f"{len(people)} {'person' if len(people) == 1 else 'distinct people'} in "
            f"the log ({_people(people)}), at most {busy} busy at once"
        )
        if len(people) >= 20 and len(people) >= 0.5 * lane_cases:
            why += f"; about one per case ({lane_cases} cases): each case brings its own"
    else:
        lane_spec["staff"] = max(busy, 1)
        why = f"at most {busy} busy at once (the log names no people)"
    old = _mapping((fit.base_doc.get("lanes") or {}).get(lane))
    if "cost_per_hour" in old:
        lane_spec["cost_per_hour"] = old["cost_per_hour"]
        why += f"; cost_per_hour {fit.kept}"
    lane_cal = fit.bsc.lane_calendar(lane)
    outside = float(
        np.mean([not lane_cal.is_working(x.start) for x in xs if not x.start_estimated] or [False])
    )
    if outside > 0.01:
        lane_spec["hours"] = observed_hours([x.start for x in xs] + [x.end for x in xs])
        why += f"; hours: when it worked ({outside:.0%} of starts outside office hours)"
    elif "hours" in old:
        lane_spec["hours"] = old["hours"]
    starts_of: dict = defaultdict(list)
    for x in xs:
        if x.resource:
            starts_of[x.resource].append(x.start)
    busiest = sorted(starts_of.items(), key=lambda p: (-len(p[1]), p[0]))[:5]
    notes[("lanes", lane, "#")] = [
        f"{who}: {hours_text(ts)}" for who, ts in busiest if len(ts) >= 5
    ]  # a person's hours from 5 starts up
    notes[("lanes", lane)] = why + f"; {len(xs)} task executions"
    return lane_spec


def _fit_tasks(fit: _Fitting, executions, lanes_doc) -> tuple[dict, dict]:
    """The ``tasks`` section (durations and sign-off rounds) and each task's fit."""
    model, notes, base_name = fit.model, fit.notes, fit.base_name
    tasks_doc: dict = {}
    fits = {}
    unknowable: dict = {}
    base_tasks = fit.base_doc.get("tasks") or {}
    by_task: dict = defaultdict(list)
    for x in executions:
        by_task[x.task].append(x)
    held = _held_back(
        executions, {lane: spec["staff"] for lane, spec in lanes_doc.items()}, fit.bsc
    )
    for task in [t for t in model.elements if t in by_task]:
        xs = [x for x in by_task[task] if not x.unknowable]
        if not xs:
            unknowable[task] = len(by_task[task])
            continue
        fits[task], tasks_doc[task] = _fit_task(fit, task, xs, held)
    for task, spec in base_tasks.items():
        if task not in tasks_doc and task in model.elements:
            tasks_doc[task] = spec
            notes[("tasks", task)] = (
                f"{unknowable[task]} executions, but only their ends are logged and nothing "
                "before them in the case, so their duration cannot be told: kept from "
                f"{base_name}"
                if task in unknowable
                else f"not in the log: kept from {base_name}"
            )
    for task, n in unknowable.items():
        if task not in tasks_doc:
            fit.warnings.append(
                _(
                    "{task}: {n} executions with only their end logged and "
                    "nothing before them in the case: duration unknown (give a "
                    "base scenario, or log when work starts)"
                ).format(task=task, n=n)
            )
    return tasks_doc, fits


def _fit_task(fit: _Fitting, task, xs, held) -> tuple:
    """One task's duration fit and its entry (with sign-off rounds, if it has them)."""
    notes = fit.notes
    lane_cal = fit.bsc.lane_calendar(xs[0].lane)
    worked = worked_between(lane_cal, [x.start for x in xs], [x.end for x in xs])
    found = fit_distribution(np.maximum(worked, 0.0))
    assert found is not None  # xs is not empty
    spec: dict = {"duration": _duration_doc(found.distribution)}
    estimated = sum(x.start_estimated for x in xs)
    name = fit.model.elements[task].name
    said = (f"{name!r}: " if name else "") + f"{found.n} executions"
    if estimated:
        said += (
            f", {estimated} without a logged start: started when enabled (or when "
            "its performer finished the previous task)"
        )
    said += f"; mean {found.observed_mean:.3g} working min observed; {found.describe()}"
    notes[("tasks", task, "duration")] = said
    known = [x for x in xs if not x.start_estimated]
    known = [x for x in known if id(x) in held]
    rounds = detect_rounds(
        [held[id(x)][0] for x in known],
        [x.start for x in known],
        [held[id(x)][1] for x in known],
        _opening(lane_cal),
    )
    if rounds is not None:
        spec["batch"] = {"at": rounds.times}
        notes[("tasks", task, "batch")] = rounds.describe()
    old = _mapping((fit.base_doc.get("tasks") or {}).get(task))
    for key in ("instances", "repeat"):
        if key in old:
            spec[key] = old[key]
            notes[("tasks", task, key)] = fit.kept
    return found, spec


def _fit_gateways(fit: _Fitting, cases, fitting: int) -> dict:
    """The ``gateways`` section: branch shares over the cases that fit the model."""
    model, notes, base_name = fit.model, fit.notes, fit.base_name
    gateways_doc: dict = {}
    taken: dict = defaultdict(Counter)
    visits: Counter = Counter()
    for c in cases:
        if c.fits:
            for gateway, flows in c.choices:
                visits[gateway] += 1
                taken[gateway].update(flows)
    base_gateways = fit.base_doc.get("gateways") or {}
    decided: list[str] = []
    for gid, el in model.elements.items():
        if not el.is_gateway or len(el.outgoing) < 2 or el.kind == "parallelGateway":
            continue
        if visits[gid] == 0:
            if gid in base_gateways:
                gateways_doc[gid] = base_gateways[gid]
                notes[("gateways", gid)] = f"never passed by a fitting case: kept from {base_name}"
            continue
        n = visits[gid]
        if gid not in base_gateways and _decided_by_data(model, el, fit.bsc):
            decided.append(
                f"{gid} ({n} passes: "
                + ", ".join(f"{taken[gid][f]} {f}" for f in el.outgoing)
                + ")"
            )
            continue
        counts = _split_lookalikes(model, el, taken[gid], fit.bsc, notes, gid)
        probs = {f: round(counts[f] / n, 4) for f in el.outgoing}
        if el.kind in _EXCLUSIVE:  # make the rounded shares sum to exactly 1
            top = max(probs, key=lambda f: probs[f])
            probs[top] = round(1.0 - sum(v for f, v in probs.items() if f != top), 4)
        gateways_doc[gid] = probs
        said = f"{n} passes in {fitting} cases that fit the model: " + ", ".join(
            f"{counts[f]:g} {f}" for f in el.outgoing
        )
        notes[("gateways", gid)] = said + notes.pop(("gateways", gid, "split"), "")
    if decided:  # said where the data are kept
        notes[("data", "#")] = [
            "These gateways decide by their conditions on these case data, as in "
            f"{base_name}, so no probabilities are written for them; observed: "
            + "; ".join(decided)
        ]
    return gateways_doc


def _check_holidays(cal, arrivals, warnings, base_name) -> None:
    years = sorted({a.year for a in arrivals})
    covered = {d.year for d in cal.holidays}
    missing = [y for y in years if y not in covered]
    if missing and cal.holidays:
        warnings.append(
            _(
                "the log runs in {years}, for which the calendar of {base} lists no "
                "holidays: working time on those days is counted as if the office "
                "were open"
            ).format(years=", ".join(map(str, missing)), base=base_name)
        )


def _signature(model, flow_id) -> tuple[frozenset, bool]:
    """The logged steps a flow leads to before any other step, and whether the end; a
    dead end counts as the end, since a log cannot tell them apart."""
    steps, end = activities_beyond(model, [flow_id], dead_end_is_end=True)
    return frozenset(steps), end


def _split_lookalikes(model, gateway, taken: Counter, bsc, notes, gid) -> dict:
    """Counts per flow, sharing out the passes of flows a log cannot tell apart.

    Two flows that lead to the same next steps (e.g. two ends, "rejected" and "deferred",
    with nothing logged in between) leave the same trace; the replay credits one of them.
    Their passes are shared by the base scenario's ratio (else equally), and the comment
    says so.
    """
    groups: dict = defaultdict(list)
    for f in gateway.outgoing:
        groups[_signature(model, f)].append(f)
    counts = {f: float(taken[f]) for f in gateway.outgoing}
    said = []
    for flows in groups.values():
        if len(flows) < 2:
            continue
        total = sum(counts[f] for f in flows)
        weights = [bsc.branch_probability(gid, f) for f in flows]
        how = "by the base scenario's ratio"
        if any(w is None for w in weights) or sum(weights) <= 0:
            weights, how = [1.0] * len(flows), "equally"
        for f, w in zip(flows, weights, strict=True):
            counts[f] = round(total * w / sum(weights), 2)
        said.append(
            f"{' and '.join(flows)} lead to the same next step, so the log cannot "
            f"tell them apart: their {total:g} passes shared {how}"
        )
    if said:
        notes[("gateways", gid, "split")] = "; " + "; ".join(said)
    return counts


def _held_back(executions, staff: dict, bsc) -> dict:
    """id(execution) -> (when ready, whether it waited although someone was free).

    Ready is when it was enabled, or the opening of the day it started if it was enabled
    on an earlier day. Left out: executions without a logged start, enabled outside
    their lane's working hours, enabled by a message from another pool (the file arrives
    after a transfer the log does not show), or in lanes of unknown staff.
    """
    by_lane: dict = defaultdict(list)
    for x in executions:
        if not x.start_estimated:
            by_lane[x.lane].append(x)
    out = {}  # files sent by another pool arrive after a transfer the log does not show
    for lane, xs in by_lane.items():
        if lane not in staff:
            continue
        starts = sorted(x.start for x in xs)
        ends = sorted(x.end for x in xs)
        cal = bsc.lane_calendar(lane)
        for x in xs:
            if x.by_message:
                continue
            ready = x.enabled
            if ready.date() < x.start.date():  # waited overnight: ready at the day's opening
                ready = cal.next_working_time(dt.datetime.combine(x.start.date(), dt.time()))
                if ready.date() != x.start.date() or ready > x.start:
                    continue
            elif not cal.is_working(ready):
                continue
            busy = bisect.bisect_right(starts, ready) - bisect.bisect_right(ends, ready)
            if busy < staff[lane]:
                out[id(x)] = (ready, (x.start - ready).total_seconds() > 60)
    return out


def _opening(calendar):
    """minute of day -> the same, or the next opening if most weekdays are closed then."""
    days = [spans for spans in calendar.hours if spans]

    def opening(minute: float) -> float:
        closed = [d for d in days if not any(a <= minute < b for a, b in d)]
        if len(closed) * 2 <= len(days):
            return minute
        later = [a for d in closed for a, _ in d if a > minute]
        return float(min(later)) if later else minute

    return opening


def _decided_by_data(model, gateway, bsc) -> bool:
    """Whether the simulator decides ``gateway`` by its conditions on generated case data
    (every condition's names generated under ``data:``), which keeps the gateways that
    read the same attribute consistent with each other."""
    from ..expressions import compile_expression

    if not bsc.data:
        return False
    conditions = [
        model.flows[f].condition
        for f in gateway.outgoing
        if model.flows[f].condition and f != gateway.default_flow
    ]
    if not conditions:
        return False
    try:
        names = set().union(*(compile_expression(c).names for c in conditions))
    except BpengineError:
        return False
    return names <= set(bsc.data)


def _handovers(model, replay, cases, base_doc, bsc, doc, notes, kept) -> None:
    """Hand-over times between pools, where the log says when the receiving step was enabled.

    A hand-over is measured from the end of the sender's last step to the enablement of
    the receiver's next one, when the message was the last thing that step waited for:
    in working time for paper (carried in office hours), calendar time for data. Flows
    the log cannot time keep the base scenario's figures.
    """
    sent_arrived: dict = defaultdict(list)
    for case, cr in zip(cases, replay.cases, strict=True):
        for k, (flow, sender) in cr.message_in.items():
            arrived = cr.events[k].enabled
            if arrived is None or sender is None or flow not in model.message_flows:
                continue  # when the papers arrived, or left, is not in the log
            sent = cr.events[sender].end if sender >= 0 else case.arrival
            if arrived >= sent:
                sent_arrived[flow].append((sent, arrived))
    out = dict(base_doc.get("handovers") or {})
    for key in out:
        notes[("handovers", key)] = kept
    for flow in sorted(sent_arrived):
        pairs = sent_arrived[flow]
        paper = model.handover(flow).is_paper
        if paper:
            minutes = worked_between(bsc.calendar, [a for a, _ in pairs], [b for _, b in pairs])
        else:
            minutes = np.array([(b - a).total_seconds() / 60 for a, b in pairs])
        fit = fit_distribution(np.maximum(minutes, 0.0))
        assert fit is not None  # a timed hand-over has at least one pair
        out[flow] = _duration_doc(fit.distribution)
        notes[("handovers", flow)] = (
            f"{fit.n} {'paper' if paper else 'data'} hand-overs timed from the sender's last "
            f"step to the receiving step's enablement, in {'working' if paper else 'calendar'}"
            f" time; mean {fit.observed_mean:.3g} min observed; {fit.describe()}"
        )
    if out:
        doc["handovers"] = out
