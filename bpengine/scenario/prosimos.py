"""Import Prosimos (2.x) simulation parameters as a :class:`~.scenario.Scenario`.

A Prosimos JSON file names resources (each entry ``amount`` people with one calendar and
hourly cost), the duration of each task per resource in seconds (pix-framework
parameters), the arrival distribution and calendar, gateway branching probabilities and
intermediate-event durations. They are taken as they are, so the same model runs side by
side in Prosimos and bpengine:

- Prosimos lets a task be done by exactly the resources that have a duration for it in
  ``task_resource_distribution`` (``assignedTasks`` is not read by its engine). Resources
  linked through tasks they share become one lane; each entry's ``amount`` people become
  named people of that lane (``Clerk_0``, ``Clerk_1``, ...) with the entry's calendar,
  cost, tasks and per-task durations. A lane whose people are all alike stays a head count.
- Durations become minutes; arrivals count calendar time and wait for the arrival calendar
  to open; an inclusive gateway takes each flow with its probability, as Prosimos does.
- A section bpengine does not simulate is refused with one line naming it; what is only
  approximated is noted (``scenario.notes``, shown with the simulation's notes).
- ``batch_processing`` becomes the tasks' batches (:mod:`.prosimos_batches`).
- Case, event and global attributes and ``prioritisation_rules`` become case data, data set
  as tasks end, process-wide data and case priorities (:mod:`.prosimos_attributes`).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import Counter
from typing import TYPE_CHECKING, Any

from ..errors import ScenarioError
from ..i18n import N_, _
from ..model.elements import TASK_KINDS
from . import limits
from .calendar import Calendar
from .distributions import Choice, Transitions
from .prosimos_attributes import case_attributes, event_attributes, global_attributes, priorities
from .prosimos_batches import prosimos_batches
from .prosimos_values import (
    branch_rule,
    items,
    number,
    obj,
    only_keys,
    prosimos_calendar,
    prosimos_distribution,
    text,
)
from .scenario import Arrivals, EventTiming, LaneStaff, Person, Scenario

if TYPE_CHECKING:
    from ..model import ProcessModel

__all__ = ["from_prosimos", "prosimos_distribution", "prosimos_calendar"]

_READ = (
    "resource_profiles",
    "resource_calendars",
    "task_resource_distribution",
    "arrival_time_distribution",
    "arrival_time_calendar",
    "gateway_branching_probabilities",
    "event_distribution",
    "case_attributes",
    "event_attributes",
    "branch_rules",
    "model_type",
    "gateway_execution_limit",
    "batch_processing",
    "global_attributes",
    "prioritisation_rules",
)
# run settings Optimos writes into its timetables: Prosimos 2.1.0 takes the start and the
# number of cases from its caller and reads neither; bpengine notes them (--cases, the start)
_RUN_SETTINGS = ("start_time", "total_cases")
# sections of Prosimos files bpengine refuses, and why, in one line each
_REFUSED = {
    # prosimos/multitasking/multitasking_struct.py: init_relative_workload is commented out,
    # so allocate_task_to fails on executed_tasks[r_id]; release_multitasking_resource frees
    # the others at the start of their task, so they work on any number at once
    "multitask": N_(
        "Prosimos 2.1.0 itself stops with KeyError when a resource it lists "
        "ends a task, and lets every other resource work on any number of tasks at once"
    ),
    "granule_size": N_("fuzzy (probabilistic) calendars are not simulated"),
}


def from_prosimos(
    text_or_dict: str | dict[str, Any],
    model: ProcessModel | None = None,
    source: str = "<prosimos>",
    start: dt.datetime | None = None,
) -> Scenario:
    """Build a scenario from Prosimos JSON parameters (text or parsed dict).

    Raises
    ------
    ScenarioError
        Unreadable JSON, a section or key bpengine does not simulate, a malformed value,
        or a task/gateway/flow/event id the model does not have; one line naming the key.
    """
    try:
        return _read(text_or_dict, model, source, start)
    except ScenarioError as exc:
        # keys and ids come from the file: a newline or tab in one must not split the line
        raise ScenarioError(
            "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(exc))
        ) from None


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > limits.MAX_NUMBER_DIGITS:
        raise ScenarioError(
            _("a whole number of {digits} digits (at most {limit})").format(
                digits=len(text.lstrip("-")), limit=limits.MAX_NUMBER_DIGITS
            )
        )
    return int(text)


def _json_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ScenarioError(
            _("{text} is too large for a number").format(text=limits.shorten(text, 40))
        )
    return value


def _json_constant(name: str) -> Any:
    raise ScenarioError(_("{name} is not a number JSON allows").format(name=name))


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json.loads keeps the last of two equal keys: a second section would replace the first
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ScenarioError(_("duplicate key {key!r} in one object").format(key=key))
        out[key] = value
    return out


def parse_json(text: str | bytes, source: str) -> Any:
    """JSON text as plain data, refusing NaN, infinities and whole numbers too long.

    Raises
    ------
    ScenarioError
        ``source: not valid JSON: ...`` naming line and column where JSON has them.
    """
    try:
        return json.loads(
            text,
            parse_int=_json_int,
            parse_float=_json_float,
            parse_constant=_json_constant,
            object_pairs_hook=_json_object,
        )
    except ScenarioError as exc:
        raise ScenarioError(
            _("{source}: not valid JSON: {why}").format(source=source, why=exc)
        ) from None
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ScenarioError(
            _("{source}: not valid JSON: {why}").format(source=source, why=str(exc)[:200])
        ) from None


def _read(
    text_or_dict: str | dict[str, Any],
    model: ProcessModel | None,
    source: str,
    start: dt.datetime | None,
) -> Scenario:
    if isinstance(text_or_dict, (str, bytes)):
        doc = parse_json(text_or_dict, source)
    else:
        doc = text_or_dict
    if not isinstance(doc, dict):
        raise ScenarioError(
            _("{source}: expected a JSON object of Prosimos parameters").format(source=source)
        )
    for key in doc:
        if key in _REFUSED:
            raise ScenarioError(
                _("{key}: not supported: {why}").format(key=key, why=_(_REFUSED[key]))
            )
        if key not in _READ and key not in _RUN_SETTINGS:
            raise ScenarioError(
                _("{key}: not a Prosimos section bpengine knows ({known})").format(
                    key=key, known=", ".join(_READ)
                )
            )
    model_type = doc.get("model_type", "CRISP")
    if model_type not in ("CRISP", "CRSIP"):
        raise ScenarioError(
            _(
                "model_type: {model_type!r} is not supported (only CRISP "
                "calendars; fuzzy calendars are not simulated)"
            ).format(model_type=model_type)
        )
    begin = start or dt.datetime(2025, 1, 6, 8, 0)
    settings = [key for key in _RUN_SETTINGS if key in doc]
    notes: list[str] = (
        [
            _(
                "{keys}: not read (Optimos' run settings; Prosimos 2.1.0 does not read them "
                "either): the number of cases is --cases, the run starts {start}"
            ).format(keys=", ".join(settings), start=f"{begin:%A %Y-%m-%d %H:%M}")
        ]
        if settings
        else []
    )
    calendars = _calendars(doc.get("resource_calendars"))
    sc = Scenario(
        calendar=Calendar.always(),
        start=begin,
        source=source,
        raw=doc,
        model=model,
        notes=notes,
        split_order="random",  # Prosimos shuffles the tasks a split enables
        event_race="redraw",  # and lets an event-based gateway's winner draw again
        first_arrival="drawn",  # and draws one inter-arrival time before a closed start
        utilisation_from="first_start",  # and counts people's hours from the first start
    )
    _staff(doc, calendars, sc, notes)
    conditions = _branches(doc.get("gateway_branching_probabilities"), sc, notes)
    arrival = doc.get("arrival_time_distribution")
    if arrival is None:
        notes.append(
            "arrival_time_distribution: not given; cases arrive every hour on average (exponential)"
        )
    else:
        inter = prosimos_distribution(arrival, "arrival_time_distribution", notes)
        arr_cal = (
            prosimos_calendar(doc["arrival_time_calendar"], "arrival_time_calendar")
            if doc.get("arrival_time_calendar") is not None
            else Calendar.always()
        )
        sc.arrivals = Arrivals(inter, arr_cal, "calendar")
    for i, ev in enumerate(items(doc.get("event_distribution"), "event_distribution")):
        where = f"event_distribution[{i}]"
        eid = text(obj(ev, where).get("event_id"), f"{where}.event_id")
        # Prosimos lets an intermediate event take calendar time, whatever the calendars
        sc.events[eid] = EventTiming(prosimos_distribution(ev, where, notes), False, None)
    case_attributes(doc.get("case_attributes"), sc, notes)
    global_attributes(doc.get("global_attributes"), sc, notes)
    event_attributes(doc.get("event_attributes"), sc, notes)
    priorities(doc.get("prioritisation_rules"), sc, notes)
    _rules(doc.get("branch_rules"), conditions, sc)
    sc.batches.update(prosimos_batches(doc.get("batch_processing"), notes))
    if "gateway_execution_limit" in doc:
        limit = number(doc["gateway_execution_limit"], "gateway_execution_limit", 1)
        notes.append(
            f"gateway_execution_limit {limit:g}: not applied; a case is stopped as "
            "a livelock after 20000 steps instead"
        )
    if model is not None:
        _check_ids(sc, model, source)
    return sc


def _calendars(section: object) -> dict[str, Calendar]:
    out = {}
    for i, c in enumerate(items(section, "resource_calendars")):
        where = f"resource_calendars[{i}]"
        c = obj(c, where)
        only_keys(c, where, ("id", "name", "time_periods"))
        cid = text(c.get("id"), f"{where}.id")
        if cid in out:
            raise ScenarioError(
                _("{where}.id: calendar {cid!r} is defined twice").format(where=where, cid=cid)
            )
        out[cid] = prosimos_calendar(c.get("time_periods"), f"{where}.time_periods")
    return out


def _staff(
    doc: dict[str, Any], calendars: dict[str, Calendar], sc: Scenario, notes: list[str]
) -> None:
    """Resource entries, their tasks and durations, grouped into lanes of people."""
    entries: dict[str, dict[str, Any]] = {}
    for i, pool in enumerate(items(doc.get("resource_profiles"), "resource_profiles")):
        pw = f"resource_profiles[{i}]"
        pool = obj(pool, pw)
        only_keys(pool, pw, ("id", "name", "resource_list", "fixed_cost_fn"))
        if "fixed_cost_fn" in pool:  # Optimos' cost of each task done, beside the hourly cost
            notes.append(
                _(
                    "{where}.fixed_cost_fn: not counted in the cost (Optimos' fixed cost per "
                    "task; Prosimos 2.1.0 does not read it either)"
                ).format(where=pw)
            )
        pool_name = text(pool.get("name") or pool.get("id"), f"{pw}.name")
        for j, res in enumerate(items(pool.get("resource_list"), f"{pw}.resource_list")):
            where = f"{pw}.resource_list[{j}]"
            res = obj(res, where)
            only_keys(res, where, _RESOURCE_KEYS)
            rid = text(res.get("id"), f"{where}.id")
            amount = number(res.get("amount", 1), f"{where}.amount", 0)
            # before a Person is made for each: "amount": 1e9 would build a billion
            limits.check_count(amount, f"{where}.amount", limits.MAX_STAFF, "MAX_STAFF")
            if amount != int(amount):
                raise ScenarioError(
                    _("{where}.amount: expected a whole number of people, got {amount!r}").format(
                        where=where, amount=res.get("amount")
                    )
                )
            cal_id = res.get("calendar")
            if cal_id is None or str(cal_id) not in calendars:
                raise ScenarioError(
                    _(
                        "{where}.calendar: no resource calendar {cal_id!r} (calendars: {known})"
                    ).format(where=where, cal_id=cal_id, known=", ".join(calendars) or _("none"))
                )
            # Prosimos reads neither spelling (its engine goes by task_resource_distribution);
            # its own exports and Simod's write assigned_tasks, its web editor assignedTasks
            assigned = [
                text(t, f"{where}.{key}[{k}]")
                for key in ("assignedTasks", "assigned_tasks")
                for k, t in enumerate(items(res.get(key), f"{where}.{key}"))
            ]
            entry = {
                "pools": [pool_name],
                "name": text(res.get("name") or rid, f"{where}.name"),
                "amount": int(amount),
                "calendar": str(cal_id),
                "cost": number(res.get("cost_per_hour", 0), f"{where}.cost_per_hour", 0),
                "assigned": list(dict.fromkeys(assigned)),
                "tasks": {},
            }
            if rid in entries:
                _same_resource(entries[rid], entry, rid, where)
                continue
            entries[rid] = entry
    task_order: list[str] = []
    for i, item in enumerate(
        items(doc.get("task_resource_distribution"), "task_resource_distribution")
    ):
        where = f"task_resource_distribution[{i}]"
        item = obj(item, where)
        only_keys(item, where, ("task_id", "resources"))
        tid = text(item.get("task_id"), f"{where}.task_id")
        if tid not in task_order:
            task_order.append(tid)
        for j, r in enumerate(items(item.get("resources"), f"{where}.resources")):
            rw = f"{where}.resources[{j}]"
            rid = text(obj(r, rw).get("resource_id"), f"{rw}.resource_id")
            if rid not in entries:
                raise ScenarioError(
                    _("{rw}.resource_id: no resource {rid!r} in resource_profiles").format(
                        rw=rw, rid=rid
                    )
                )
            entries[rid]["tasks"][tid] = prosimos_distribution(r, rw, notes)
    # a task with no duration anywhere is done by the resources that list it (10 min)
    for e in entries.values():
        for tid in e["assigned"]:
            if not any(tid in other["tasks"] for other in entries.values()):
                e["tasks"].setdefault(tid, None)
                if tid not in task_order:
                    task_order.append(tid)
    _lanes(entries, task_order, calendars, sc)


_RESOURCE_KEYS = (
    "id",
    "name",
    "cost_per_hour",
    "amount",
    "calendar",
    "assignedTasks",
    "assigned_tasks",
)


def _same_resource(first: dict[str, Any], again: dict[str, Any], rid: str, where: str) -> None:
    """A resource listed again under another profile, as Prosimos' own exports list one
    person under every task's profile: the same person when nothing differs (Prosimos
    keeps one resource of that id), refused when something does (Prosimos would keep the
    last entry's values without a word)."""
    for key in ("name", "amount", "calendar", "cost"):
        if first[key] != again[key]:
            raise ScenarioError(
                _(
                    "{where}.id: resource {rid!r} is listed twice with a different "
                    "{key} ({a!r}, then {b!r})"
                ).format(
                    where=where,
                    rid=rid,
                    key="cost_per_hour" if key == "cost" else key,
                    a=first[key],
                    b=again[key],
                )
            )
    first["pools"] += [p for p in again["pools"] if p not in first["pools"]]
    first["assigned"] += [t for t in again["assigned"] if t not in first["assigned"]]


def _lanes(
    entries: dict[str, dict[str, Any]],
    task_order: list[str],
    calendars: dict[str, Calendar],
    sc: Scenario,
) -> None:
    """Resources linked by a task they share form one lane (Prosimos' pools of a task)."""
    parent = {rid: rid for rid in entries}

    def root(r: str) -> str:
        while parent[r] != r:
            parent[r] = parent[parent[r]]
            r = parent[r]
        return r

    for tid in task_order:
        doers = [rid for rid, e in entries.items() if tid in e["tasks"]]
        for rid in doers[1:]:
            parent[root(rid)] = root(doers[0])
    for tid in task_order:
        if all(e["amount"] == 0 for e in entries.values() if tid in e["tasks"]):
            raise ScenarioError(
                _(
                    "task_resource_distribution: task {tid!r} can only be done "
                    "by resources of amount 0 (nobody)"
                ).format(tid=tid)
            )
    groups: dict[str, list[str]] = {}
    for rid, e in entries.items():
        if e["tasks"] and e["amount"] > 0:
            groups.setdefault(root(rid), []).append(rid)
    names = {
        g: "+".join(dict.fromkeys(p for r in members for p in entries[r]["pools"]))
        for g, members in groups.items()
    }
    shared = {n for n in names.values() if list(names.values()).count(n) > 1}
    used: set[str] = set()
    for g, members in groups.items():
        name = names[g]
        if name in shared:  # a profile whose resources do separate tasks: one lane each
            name += ": " + "+".join(dict.fromkeys(entries[r]["name"] for r in members))
        while name in used:
            name += "'"
        used.add(name)
        _lane(name, [entries[r] for r in members], task_order, calendars, sc)
    cals = {id(s.calendar) for s in sc.lanes.values()}
    only = next(iter(sc.lanes.values())).calendar if len(cals) == 1 else None
    if only is not None:
        sc.calendar = only


def _lane(
    name: str,
    members: list[dict[str, Any]],
    task_order: list[str],
    calendars: dict[str, Calendar],
    sc: Scenario,
) -> None:
    tasks = [t for t in task_order if any(t in e["tasks"] for e in members)]
    for tid in tasks:
        sc.assignments[tid] = name
        first = next((e["tasks"][tid] for e in members if e["tasks"].get(tid) is not None), None)
        if first is not None:
            sc.durations[tid] = first
    limits.check_count(
        sum(e["amount"] for e in members),
        f"resource_profiles ({name})",
        limits.MAX_STAFF,
        "MAX_STAFF",
    )
    people = []
    for e in members:
        for k in range(e["amount"]):
            own = {
                t: d for t, d in e["tasks"].items() if d is not None and d != sc.durations.get(t)
            }
            people.append(
                Person(
                    f"{e['name']}_{k}" if e["amount"] > 1 else e["name"],
                    calendars[e["calendar"]],
                    e["cost"],
                    frozenset(e["tasks"]),
                    own,
                )
            )
    common = Counter(e["calendar"] for e in members for _ in range(e["amount"])).most_common(1)
    calendar = calendars[common[0][0]]
    alike = (
        len({e["calendar"] for e in members}) == 1
        and len({e["cost"] for e in members}) == 1
        and all(p.tasks == frozenset(tasks) and not p.durations for p in people)
    )
    if alike:  # a role with a head count: the simple, fast case
        sc.lanes[name] = LaneStaff(len(people), members[0]["cost"], calendar)
        return
    people = [
        Person(
            p.name,
            None if p.calendar is calendar else p.calendar,
            p.cost_per_hour,
            None if p.tasks == frozenset(tasks) else p.tasks,
            p.durations,
        )
        for p in people
    ]
    cost = sum(e["cost"] * e["amount"] for e in members) / len(people)
    # Prosimos gives a task to the resource free longest, even one whose shift is over
    sc.lanes[name] = LaneStaff(len(people), cost, calendar, tuple(people), "earliest_free")


def _branches(section: object, sc: Scenario, notes: list[str]) -> dict[str, dict[str, str]]:
    """Branching probabilities into ``sc``; returns gateway -> flow -> condition_id."""
    conditions: dict[str, dict[str, str]] = {}
    for i, g in enumerate(items(section, "gateway_branching_probabilities")):
        where = f"gateway_branching_probabilities[{i}]"
        g = obj(g, where)
        only_keys(g, where, ("gateway_id", "probabilities"))
        gid = text(g.get("gateway_id"), f"{where}.gateway_id")
        probs, missing = {}, []
        for j, p in enumerate(items(g.get("probabilities"), f"{where}.probabilities")):
            pw = f"{where}.probabilities[{j}]"
            p = obj(p, pw)
            only_keys(p, pw, ("path_id", "value", "condition_id"))
            fid = text(p.get("path_id"), f"{pw}.path_id")
            if "condition_id" in p:
                conditions.setdefault(gid, {})[fid] = text(p["condition_id"], f"{pw}.condition_id")
            if "value" in p:
                value = number(p["value"], f"{pw}.value", 0)
                if value > 1:
                    raise ScenarioError(
                        _("{pw}.value: a probability cannot exceed 1, got {value:g}").format(
                            pw=pw, value=value
                        )
                    )
                probs[fid] = value
            else:
                missing.append(fid)
        if missing:  # Prosimos shares what the given values leave among the others
            share = max(0.0, 1 - sum(probs.values())) / len(missing)
            probs.update(dict.fromkeys(missing, share))
            notes.append(
                f"{where}: flows {', '.join(missing)} have no probability; each gets "
                f"{share:.4g}, as Prosimos assigns them"
            )
        sc.probabilities[gid] = probs
    return conditions


def _rules(section: object, conditions: dict[str, dict[str, str]], sc: Scenario) -> None:
    """``branch_rules`` referred to by ``condition_id``: conditions over case attributes."""
    labels = (Choice, Transitions)
    numeric: dict[str, bool | None] = {
        name: not isinstance(gen, labels) for name, gen in {**sc.data, **sc.process_data}.items()
    }
    for attrs in sc.event_data.values():  # computed values: numeric unless compared to text
        numeric.update(
            {n: None if isinstance(g, str) else not isinstance(g, labels) for n, g in attrs.items()}
        )
    # set by tasks only: missing until one of them ends (a case attribute is there from the start)
    optional = frozenset(n for attrs in sc.event_data.values() for n in attrs) - set(sc.data)
    optional -= set(sc.process_data)
    rules = {}
    for i, rule in enumerate(items(section, "branch_rules")):
        where = f"branch_rules[{i}]"
        rule = obj(rule, where)
        only_keys(rule, where, ("id", "rules"))
        rid = text(rule.get("id"), f"{where}.id")
        rules[rid] = branch_rule(rule.get("rules"), f"{where}.rules", numeric, optional)
    for gid, flows in conditions.items():
        for fid, cid in flows.items():
            if cid not in rules:
                raise ScenarioError(
                    _(
                        "gateway_branching_probabilities[{gid}]: flow {fid}: "
                        "condition_id {cid!r} is not in branch_rules"
                    ).format(gid=gid, fid=fid, cid=cid)
                )
        sc.rules[gid] = {fid: rules[cid] for fid, cid in flows.items()}


def _note_tasks_without_duration(sc: Scenario, model: ProcessModel) -> None:
    """Prosimos stops on a task with no distribution; bpengine runs it: say so."""
    for el in model.elements.values():
        if el.kind in TASK_KINDS and el.id not in sc.durations:
            sc.notes.append(
                _(
                    "task {tid} ({name}) has no entry in task_resource_distribution (Prosimos "
                    "stops on it): it takes bpengine's default duration"
                ).format(tid=el.id, name=el.label)
            )


def _check_ids(sc: Scenario, model: ProcessModel, source: str) -> None:
    _note_tasks_without_duration(sc, model)
    for tid in list(sc.durations) + list(sc.assignments):
        el = model.elements.get(tid)
        if el is None or not el.is_activity:
            raise ScenarioError(
                _(
                    "{source}: task_resource_distribution names {tid!r}, which "
                    "is not a task of {file}"
                ).format(source=source, tid=tid, file=model.file)
            )
    for tid in sc.batches:
        el = model.elements.get(tid)
        if el is None or not el.is_activity:
            raise ScenarioError(
                _(
                    "{source}: batch_processing names {task!r}, which is not a task of {file}"
                ).format(source=source, task=tid, file=model.file)
            )
    for tid in sc.event_data:
        el = model.elements.get(tid)
        if el is None or not el.is_activity:
            raise ScenarioError(
                _(
                    "{source}: event_attributes names {tid!r}, which is not a "
                    "task of {file} (attributes are set when a task ends)"
                ).format(source=source, tid=tid, file=model.file)
            )
    for eid in sc.events:
        el = model.elements.get(eid)
        if el is None or not el.is_event:
            raise ScenarioError(
                _(
                    "{source}: event_distribution names {eid!r}, which is not an event of {file}"
                ).format(source=source, eid=eid, file=model.file)
            )
    for gid, probs in sc.probabilities.items():
        el = model.elements.get(gid)
        if el is None or not el.is_gateway:
            raise ScenarioError(
                _(
                    "{source}: gateway_branching_probabilities names {gid!r}, "
                    "which is not a gateway of {file}"
                ).format(source=source, gid=gid, file=model.file)
            )
        for fid in probs:
            if fid not in el.outgoing:
                raise ScenarioError(
                    _(
                        "{source}: gateway_branching_probabilities[{gid}]: "
                        "{fid!r} is not an outgoing flow of that gateway"
                    ).format(source=source, gid=gid, fid=fid)
                )
        if el.kind == "exclusiveGateway" and abs(sum(probs.values()) - 1) > 1e-6:
            raise ScenarioError(
                _(
                    "{source}: gateway_branching_probabilities[{gid}]: "
                    "probabilities sum to {sum:g}, not 1"
                ).format(source=source, gid=gid, sum=sum(probs.values()))
            )
        if el.kind == "inclusiveGateway" and abs(sum(probs.values()) - 1) > 1e-6:
            sc.notes.append(
                f"gateway_branching_probabilities[{gid}]: probabilities sum to "
                f"{sum(probs.values()):g}; when no flow is drawn Prosimos fails, "
                "bpengine draws one in proportion to them"
            )
