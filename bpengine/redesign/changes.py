"""The change log of a redesign, and carrying a scenario across a change.

Every transformation returns an :class:`Applied`: the new model and a :class:`Change` per
change, saying what it did, to which elements, which finding motivated it. :func:`transform_scenario` uses the same record to rewrite the
scenario sidecar (a plain dict as read from YAML) so the new model simulates on the same
numbers: removed tasks and gateways lose their entries, composed tasks get the sum of their
durations, a merged decision gets the product of the approval probabilities, staff and
costs stay as they were.
"""

from __future__ import annotations

import copy
import math
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from ..scenario import DEFAULT_DURATION, Calendar, parse_distribution
from ..scenario.calendar import parse_hours

if TYPE_CHECKING:
    from ..model import ProcessModel

__all__ = ["Applied", "Change", "transform_scenario", "duration_moments"]


@dataclass(frozen=True)
class Change:
    """One applied transformation.

    Attributes
    ----------
    kind : str
        The suggestion of the transformation that made it (a key of
        :data:`~bpengine.redesign.transformations.TRANSFORMATIONS`: ``eliminate``,
        ``compose``...; ``integrate``'s ``elements`` name message flows).
    elements : tuple of str
        The element ids the change was asked to act on.
    description : str
        What changed, in one sentence a reader of the report understands.
    removed : tuple of str
        Flow nodes that are gone (the eliminated task, its decision, collapsed gateways).
    merged : tuple of (str, tuple of str)
        ``(kept id, ids merged into it)`` for composed tasks.
    flow_merges : tuple of (str, str)
        ``(removed flow, flow that took its place)`` where two branches became one.
    decisions : tuple
        For a parallelised chain: ``(new gateway, accept flow, reject flow, ((old gateway,
        old accept flow), ...))``, so branch probabilities can be multiplied.
    names : tuple of (str, str)
        Id and name of every element named above, as they were before the change (the
        scenario may key tasks by name).
    finding : str or None
        Id of the finding that motivated the change, if any.
    removed_lanes : tuple of str
        Names of lanes nobody works in any more after the change (their staff and cost
        entries leave the scenario).
    retimed : tuple of (str, str, float)
        ``(task, source task, share)``: the task now takes ``share`` of the source's time
        (0: a system's minute).
    added_lanes : tuple of (str, int, float)
        ``(lane name, staff, cost per hour)`` of lanes the change adds (a system lane).
    staff : tuple of (str, int)
        ``(lane name, people added or taken away)``: a what-if on the scenario.
    branches : tuple of (str, ((str, float), ...))
        ``(gateway, ((flow, probability), ...))`` of a decision the change adds.
    triage : tuple of (str, str, str, str, str, float)
        ``(triage gateway, simple flow, complex flow, evidence gateway, evidence flow,
        default share)``: the triage sends to the simple flow the share of cases the
        evidence gateway's flow has in the scenario (else the default share).
    """

    kind: str
    elements: tuple[str, ...]
    description: str
    removed: tuple[str, ...] = ()
    merged: tuple[tuple[str, tuple[str, ...]], ...] = ()
    flow_merges: tuple[tuple[str, str], ...] = ()
    decisions: tuple = ()
    names: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    finding: str | None = None
    removed_lanes: tuple[str, ...] = ()
    retimed: tuple[tuple[str, str, float], ...] = ()
    added_lanes: tuple[tuple[str, int, float], ...] = ()
    staff: tuple[tuple[str, int], ...] = ()
    branches: tuple[tuple[str, tuple[tuple[str, float], ...]], ...] = ()
    triage: tuple[tuple[str, str, str, str, str, float], ...] = ()

    def to_dict(self) -> dict:
        out = asdict(self)
        out["names"] = dict(self.names)
        return out


def duration_moments(
    spec, where: str = "duration", working_day_minutes: float = 450.0
) -> tuple[float, float]:
    """Mean and variance (minutes, minutes²) of a scenario duration spec.

    Read by the scenario's own parser (:func:`bpengine.scenario.parse_distribution`), so
    every duration a scenario accepts ("30 minutes", "2 wd", ...) composes.

    Examples
    --------
    >>> duration_moments("15 min")
    (15.0, 0.0)
    >>> duration_moments({"distribution": "uniform", "low": 10, "high": 20})
    (15.0, 8.333333333333334)
    >>> duration_moments("2 wd")
    (900.0, 0.0)
    """
    dist = parse_distribution(spec, where, working_day_minutes=working_day_minutes)
    return dist.mean, dist.variance


def _working_day(scenario: dict) -> float:
    """Working minutes of one day under the scenario's calendar (450 by default)."""
    calendar = scenario.get("calendar")
    hours = calendar.get("hours") if isinstance(calendar, dict) else None
    return Calendar(parse_hours(hours)).working_minutes_per_day


def _summed(specs: list, where: str, day: float) -> object:
    """One duration spec for tasks done one after the other by the same person."""
    moments = [duration_moments(s, where, day) for s in specs]
    mean = sum(m for m, _ in moments)
    sd = math.sqrt(sum(v for _, v in moments))
    if sd < 1e-9:
        return f"{mean:g} min"
    # independent parts: mean and variance add; lognormal keeps the sum positive and skewed
    return {"distribution": "lognormal", "mean": f"{mean:.4g} min", "sd": f"{sd:.4g} min"}


def _key(section: dict, ident: str, names: dict) -> str | None:
    if ident in section:
        return ident
    name = names.get(ident)
    return name if name and name in section else None


def _task_entry(spec) -> dict:
    """A task's entry as a mapping, read the way the scenario reader reads it."""
    if not isinstance(spec, dict) or "distribution" in spec:
        return {"duration": spec}
    return spec


class Applied(NamedTuple):
    """What a transformation made of a model: the new model and what changed, in order.

    Every transformation (:func:`~bpengine.redesign.eliminate`, :func:`~bpengine.redesign.
    compose`..., a registered :class:`~bpengine.redesign.transformations.Transformation`'s
    ``apply``) returns one, so ``new, changes = eliminate(model, "Task_x")`` reads both.

    Attributes
    ----------
    model : ProcessModel
        The new model; the input is unchanged (it is returned itself when only the scenario
        changes, as for a staff move).
    changes : tuple of Change
        One record per change, in the order made.
    """

    model: ProcessModel
    changes: tuple[Change, ...]


def transform_scenario(scenario: dict | None, change: Change) -> dict:
    """The scenario (a dict as read from the YAML sidecar) for the model after ``change``.

    Removed tasks, gateways and events are dropped, composed tasks get one duration with the mean
    and variance of the sum (their batches: the last one's), a parallelised chain's merged
    decision gets the product of the approval probabilities, and branches that became one
    keep their combined probability. Lanes, staff, costs, calendar and arrivals are kept.
    Then the transformation that made the change does what only it does (its ``scenario``
    step: ``integrate`` drops the paper transfer time of the hand-overs it turned into data).

    Examples
    --------
    >>> c = Change("compose", ("a", "b"), "a and b in one", removed=("b",),
    ...            merged=(("a", ("a", "b")),))
    >>> transform_scenario({"tasks": {"a": "5 min", "b": 10}}, c)["tasks"]
    {'a': '15 min'}
    """
    out = copy.deepcopy(scenario) if scenario else {}
    names = dict(change.names)
    tasks = out.get("tasks")
    if isinstance(tasks, dict):
        for kept, parts in change.merged:
            _merge_tasks(tasks, kept, parts, names, out)
        for ident in change.removed:
            k = _key(tasks, ident, names)
            if k:
                del tasks[k]
    lanes = out.get("lanes")
    if isinstance(lanes, dict):
        for name in change.removed_lanes:
            lanes.pop(name, None)
        gone = set(change.removed) | {
            p for kept, parts in change.merged for p in parts if p != kept
        }
        _drop_from_people(lanes, gone, names)
    _carry_work(out, change, names)
    gateways = out.get("gateways")
    if isinstance(gateways, dict):
        _carry_gateways(gateways, change, names)
    from .transformations import TRANSFORMATIONS  # the registry imports every transformation

    own = TRANSFORMATIONS.get(change.kind)
    if own is not None and own.scenario is not None:  # what only this kind of change does
        own.scenario(out, change)
    events = out.get("events")
    if isinstance(events, dict):  # a catch event no longer reached takes its timing along
        for ident in change.removed:
            k = _key(events, ident, names)
            if k:
                del events[k]
    return out


def _merge_tasks(tasks: dict, kept: str, parts, names: dict, scenario: dict) -> None:
    """Composed tasks: one entry under ``kept`` whose duration is the sum of the parts' (a
    part the scenario does not name takes the default) and whose batch is the last one's."""
    keys = [_key(tasks, p, names) for p in parts]
    entries = {k: _task_entry(tasks[k]) for k in keys if k}
    specs = [e.get("duration", DEFAULT_DURATION.mean) for e in entries.values()]
    if not specs:
        return
    entry = {
        "duration": _summed(
            specs + [DEFAULT_DURATION.mean] * (len(parts) - len(specs)),
            f"tasks.{kept}",
            _working_day(scenario),
        )
    }
    batches = [e["batch"] for e in entries.values() if "batch" in e]
    if batches:
        entry["batch"] = batches[-1]
    for k in keys:
        if k:
            del tasks[k]
    tasks[kept] = entry if "batch" in entry else entry["duration"]


def _drop_from_people(lanes: dict, gone: set, names: dict) -> None:
    """Named people no longer do, nor have a duration for, a task the change removed."""
    labels = gone | {names[g] for g in gone if g in names}
    for spec in lanes.values():
        people = spec.get("people") if isinstance(spec, dict) else None
        for person in people if isinstance(people, list) else ():
            if not isinstance(person, dict):
                continue
            if isinstance(person.get("tasks"), list):
                person["tasks"] = [t for t in person["tasks"] if t not in labels]
            if isinstance(person.get("durations"), dict):
                person["durations"] = {
                    t: d for t, d in person["durations"].items() if t not in labels
                }


def _carry_work(out: dict, change: Change, names: dict) -> None:
    """New durations, lanes, staff and branch probabilities a change brings."""
    if change.retimed:
        tasks = out.setdefault("tasks", {})
        day = _working_day(out)
        means = {}  # every source read before any is retimed
        for _target, source, _share in change.retimed:
            k = _key(tasks, source, names)
            spec = (
                _task_entry(tasks[k]).get("duration", DEFAULT_DURATION.mean)
                if k
                else DEFAULT_DURATION.mean
            )
            means[source] = duration_moments(spec, f"tasks.{source}", day)[0]
        for target, source, share in change.retimed:
            new = "1 min" if share == 0 else f"{max(means[source] * share, 1.0):.4g} min"
            k = _key(tasks, target, names)
            if k and k != target:  # keyed by name: one entry, under the id now
                tasks[target] = tasks.pop(k)
            entry = tasks.get(target)
            if isinstance(entry, dict) and "distribution" not in entry:
                entry["duration"] = new
                entry.pop("batch", None)  # a system does not wait for a signing round
            else:
                tasks[target] = new
    if change.added_lanes or change.staff:
        lanes = out.setdefault("lanes", {})
        for name, staff, cost in change.added_lanes:
            lanes.setdefault(name, {"staff": staff, "cost_per_hour": cost})
        for name, delta in change.staff:
            entry = lanes.setdefault(name, {})
            people = entry.get("people")
            if isinstance(people, list) and people:  # a lane of named people: one more or less
                if delta > 0:
                    people.extend({"name": f"moved in {k + 1}"} for k in range(delta))
                else:
                    del people[max(1, len(people) + delta) :]
                entry.pop("staff", None)
            else:
                entry["staff"] = max(1, int(entry.get("staff", 1)) + delta)
    for gw, simple, complex_, evidence, flow, share in change.triage:
        gateways = out.setdefault("gateways", {})
        k = _key(gateways, evidence, names) if evidence else None
        known = gateways.get(k, {}) if k else {}
        p = float(known[flow]) if isinstance(known, dict) and flow in known else share
        gateways[gw] = {simple: round(p, 6), complex_: round(1 - p, 6)}
    if change.branches:
        gateways = out.setdefault("gateways", {})
        for gateway, probabilities in change.branches:
            gateways[gateway] = {flow: round(p, 6) for flow, p in probabilities}


def _carry_gateways(gateways: dict, change: Change, names: dict) -> None:
    merges = dict(change.flow_merges)
    for branches in gateways.values():
        if not isinstance(branches, dict):
            continue
        for gone, kept in merges.items():
            if gone in branches:
                p = branches.pop(gone)
                if kept in branches:
                    branches[kept] = branches[kept] + p
    for new_gw, accept, reject, old in change.decisions:
        p_accept = 1.0
        known = False
        for old_gw, old_accept in old:
            entry = gateways.pop(_key(gateways, old_gw, names) or old_gw, None)
            if isinstance(entry, dict) and old_accept in entry:
                p_accept *= float(entry[old_accept])
                known = True
        if known:
            gateways[new_gw] = {accept: round(p_accept, 6), reject: round(1 - p_accept, 6)}
    for ident in change.removed:
        k = _key(gateways, ident, names)
        if k:
            del gateways[k]
