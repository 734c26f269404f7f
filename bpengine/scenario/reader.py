"""Read a scenario mapping (the YAML sidecar's shape) into a :class:`.Scenario`.

Every key is checked while reading, against the model when one is given: element ids or
unique names, lane names, outgoing flows, units and ranges. A mistake raises one
:class:`~bpengine.errors.ScenarioError` naming the key path (``tasks.Task_x.duration``)
and the element.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, overload

from ..errors import ExpressionError, ScenarioError
from ..expressions import compile_expression
from ..i18n import N_, _
from . import limits
from .batch_rules import RULE_KEYS, read_batch_rules
from .calendar import SHIPPED_HOLIDAYS, Calendar, holiday_set, parse_hours, read_zone, zone_offset
from .distributions import Distribution, parse_choice, parse_distribution, parse_minutes
from .scenario import (
    ALLOCATIONS,
    DEFAULT_INTERARRIVAL,
    Arrivals,
    Batch,
    EventTiming,
    LaneStaff,
    Person,
    Scenario,
)

if TYPE_CHECKING:
    from ..model import ProcessModel
    from ..model.elements import Element

__all__ = ["from_mapping"]

_TOP_KEYS = (
    "calendar",
    "start",
    "service_standard",
    "arrivals",
    "lanes",
    "tasks",
    "gateways",
    "data",
    "priorities",
    "events",
    "handovers",
    "name",
    "description",
)
# how priorities order the work (Scenario.priority_order)
PRIORITY_ORDERS = ("waiting", "run")
_EXCLUSIVE = ("exclusiveGateway", "eventBasedGateway", "complexGateway")


def _models(model: ProcessModel) -> list[ProcessModel]:
    """The model and the models of the processes its call activities call (files beside it).

    A scenario may set durations and staff for the called process's tasks and lanes too,
    because the simulator runs the called process in place.
    """
    from ..model import load

    out = [model]
    for path in sorted(set(model.callees().values()) - {model.file}):
        out.append(load(path))
    return out


def _find(models: list[ProcessModel], element_id: str) -> tuple[Element, ProcessModel]:
    """(element, its model) for an id resolved by :func:`_element`."""
    for m in models:
        if element_id in m.elements:
            return m.elements[element_id], m
    raise KeyError(element_id)


def _element(
    models: list[ProcessModel] | None,
    key: object,
    where: str,
    kinds: Callable[[Element], bool] | None = None,
    what: str = N_("element"),
) -> str:
    """Resolve an id or unique name to an element id, or raise naming key and file."""
    if models is None:
        return str(key)
    key = str(key)
    found = [m.elements[key] for m in models if key in m.elements]
    if not found:
        found = [e for m in models for e in m.elements.values() if e.name == key]
    if len(found) != 1:
        why = (
            _("{where}: several elements are named {key!r} in {file}")
            if found
            else _("{where}: no element has id or name {key!r} in {file}")
        )
        raise ScenarioError(why.format(where=where, key=key, file=models[0].file))
    el = found[0]
    if kinds is not None and not kinds(el):
        raise ScenarioError(
            _("{where}: {id!r} is a BPMN {kind}, not {what}").format(
                where=where, id=el.id, kind=el.kind, what=_(what)
            )
        )
    return el.id


def _lane_name(models: list[ProcessModel] | None, key: object, where: str) -> str:
    if models is None:
        return str(key)
    lanes = [lane for m in models for lane in m.lanes.values()]
    for lane in lanes:
        if key in (lane.name, lane.id):
            return lane.name
    # the steps of a pool drawn without lanes are staffed under the pool's name
    for pool in models[0].pools.values():
        if (
            key in (pool.name, pool.id)
            and models[0].is_collaboration
            and any(e.process == pool.process and not e.lane for e in models[0].elements.values())
        ):
            return pool.name or pool.id
    names = sorted({lane.name for lane in lanes})
    raise ScenarioError(
        _("{where}: no lane named {key!r} in {file} (lanes: {lanes})").format(
            where=where, key=key, file=models[0].file, lanes=", ".join(names) or _("none")
        )
    )


def _mapping(value: object, where: str) -> dict[Any, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ScenarioError(
            _("{where}: expected a mapping, got {got}").format(
                where=where, got=type(value).__name__
            )
        )
    return value


def _only(spec: dict[Any, Any], where: str, keys: tuple[str, ...]) -> None:
    """Refuse the first key of ``spec`` (in sorted order) that is not one of ``keys``."""
    unknown = set(spec) - set(keys)
    if unknown:
        raise ScenarioError(
            _("{where}: unknown key {unknown!r} ({keys})").format(
                where=where, unknown=sorted(unknown)[0], keys=", ".join(keys)
            )
        )


@overload
def _number(
    value: object, where: str, low: float | None = None, *, integer: Literal[True]
) -> int: ...
@overload
def _number(
    value: object, where: str, low: float | None = None, integer: Literal[False] = False
) -> float: ...


def _number(value: object, where: str, low: float | None = None, integer: bool = False) -> float:
    # finite: a NaN rate or an infinite staff count must not reach the simulator
    number = limits.finite(value, where, low=low, integer=integer)
    return int(number) if integer else number


def _calendar(spec: object) -> tuple[Calendar, list[str]]:
    spec = _mapping(spec, "calendar")
    _only(spec, "calendar", ("hours", "holidays", "timezone"))
    hours = parse_hours(spec.get("hours"))
    names = spec.get("holidays", list(SHIPPED_HOLIDAYS))
    if not isinstance(names, list):
        names = [names]
    days, sets = set(), []
    for i, item in enumerate(names):
        if isinstance(item, dt.date):
            days.add(limits.check_date(item, f"calendar.holidays[{i}]"))
        elif isinstance(item, str) and item in SHIPPED_HOLIDAYS:
            sets.append(item)
            days.update(d for d, _, _ in holiday_set(item))
        else:
            try:
                days.add(
                    limits.check_date(dt.date.fromisoformat(str(item)), f"calendar.holidays[{i}]")
                )
            except ValueError:
                holiday_set(str(item))  # raises naming the unknown set
                raise ScenarioError(
                    _("calendar.holidays[{i}]: {item!r} is not a date").format(i=i, item=item)
                ) from None
    return Calendar(hours, frozenset(days)), sets


def _start(value: object, sets: list[str]) -> dt.datetime:
    if value is None:
        # default: the first Monday of the earliest holiday year, at opening time
        year = min((int(s.split("-")[1]) for s in sets), default=2025)
        day = dt.date(year, 1, 1)
        day += dt.timedelta(days=(7 - day.weekday()) % 7)
        return dt.datetime.combine(day, dt.time(7, 30))
    if isinstance(value, dt.datetime):
        start = value.replace(tzinfo=None)
    elif isinstance(value, dt.date):
        start = dt.datetime.combine(value, dt.time(7, 30))
    else:
        try:
            start = dt.datetime.fromisoformat(str(value))
        except ValueError:
            raise ScenarioError(
                _("start: {value} is not a date and time like '2025-01-06 07:30'").format(
                    value=limits.shorten(value)
                )
            ) from None
    limits.check_date(start.date(), "start")
    return start.replace(tzinfo=None)


def _batch(spec: object, where: str) -> Batch:
    """A sign-off round (``at``, ``size``), or a batch by firing rules or drawn sizes
    (:mod:`~bpengine.scenario.batch_rules`), either one possibly worked by one person."""
    spec = _mapping(spec, where)
    _only(spec, where, ("at", "size", *RULE_KEYS))
    at = spec.get("at", [])
    if isinstance(at, (str, int)):
        at = [at]
    times = []
    for t in at:
        if isinstance(t, int):  # YAML 1.1 reads 14:00 unquoted as sexagesimal 840
            minutes = t
        else:
            try:
                h, m = str(t).split(":")
                minutes = int(h) * 60 + int(m)
            except ValueError:
                raise ScenarioError(
                    _("{where}.at: {t!r} is not a time of day like '14:00'").format(
                        where=where, t=t
                    )
                ) from None
        if not 0 <= minutes < 1440:
            raise ScenarioError(
                _("{where}.at: {t!r} is not a time of day").format(where=where, t=t)
            )
        times.append(float(minutes))
    size = _number(spec["size"], f"{where}.size", 1, integer=True) if "size" in spec else None
    if size is not None:
        limits.check_count(size, f"{where}.size", limits.MAX_CASES, "MAX_CASES")
    extra = read_batch_rules(spec, where, bool(times) or size is not None)
    if not times and size is None and "rules" not in extra and "sizes" not in extra:
        raise ScenarioError(
            _("{where}: give 'at' (times of day) and/or 'size', or 'rules' or 'sizes'").format(
                where=where
            )
        )
    return Batch(tuple(sorted(times)), size, **extra)


def _dates(value: object, where: str) -> frozenset[dt.date]:
    """Leave days: ISO dates (``2025-03-10``) or ranges (``2025-03-10..2025-03-14``)."""
    out = set()
    for i, item in enumerate(value if isinstance(value, list) else [value]):
        if isinstance(item, dt.date):
            out.add(limits.check_date(item, f"{where}[{i}]"))
            continue
        first, _sep, last = str(item).partition("..")
        try:
            a = dt.date.fromisoformat(first.strip())
            b = dt.date.fromisoformat(last.strip()) if last else a
        except ValueError:
            raise ScenarioError(
                _(
                    "{where}[{i}]: {item!r} is not a date like 2025-03-10 or a "
                    "range like 2025-03-10..2025-03-14"
                ).format(where=where, i=i, item=item)
            ) from None
        if b < a:
            raise ScenarioError(
                _("{where}[{i}]: {item!r} ends before it starts").format(
                    where=where, i=i, item=item
                )
            )
        # a leave from year 1 to 9999 would be three million dates
        limits.check_date(a, f"{where}[{i}]")
        limits.check_date(b, f"{where}[{i}]")
        out.update(a + dt.timedelta(days=k) for k in range((b - a).days + 1))
    return frozenset(out)


def _people(
    spec: object,
    where: str,
    models: list[ProcessModel] | None,
    lane: str,
    lane_calendar: Calendar,
    day: float,
) -> list[Person]:
    """``lanes.X.people``: named people with their own hours, leave, cost, tasks, speed."""
    if not isinstance(spec, list) or not spec:
        raise ScenarioError(
            _("{where}.people: expected a list of people ({{name: ...}})").format(where=where)
        )
    limits.check_count(len(spec), f"{where}.people", limits.MAX_STAFF, "MAX_STAFF")
    lane_tasks = None
    if models is not None:
        lane_tasks = {
            el.id
            for m in models
            for el in m.elements.values()
            if el.lane == lane and el.is_activity and not el.is_subprocess
        }
    out, names = [], set()
    for i, person in enumerate(spec):
        pw = f"{where}.people[{i}]"
        person = _mapping(person if isinstance(person, dict) else {"name": person}, pw)
        _only(person, pw, ("name", "hours", "leave", "cost_per_hour", "tasks", "durations"))
        name = str(person.get("name") or "").strip()
        if not name:
            raise ScenarioError(_("{pw}.name: every person needs a name").format(pw=pw))
        if name in names:
            raise ScenarioError(_("{pw}.name: {name!r} is listed twice").format(pw=pw, name=name))
        names.add(name)
        calendar = None
        if "hours" in person or "leave" in person:
            hours = (
                parse_hours(person["hours"], f"{pw}.hours")
                if "hours" in person
                else lane_calendar.hours
            )
            leave = _dates(person["leave"], f"{pw}.leave") if "leave" in person else frozenset()
            calendar = Calendar(hours, lane_calendar.holidays | leave)
        cost = (
            _number(person["cost_per_hour"], f"{pw}.cost_per_hour", 0)
            if "cost_per_hour" in person
            else None
        )

        def task(key: object, w: str) -> str:
            tid = _element(models, key, w, lambda el: el.is_activity, N_("a task"))
            if lane_tasks is not None and tid not in lane_tasks:
                raise ScenarioError(
                    _("{w}: {tid!r} is not a task of lane {lane!r}").format(w=w, tid=tid, lane=lane)
                )
            return tid

        tasks = None
        if "tasks" in person:
            keys = person["tasks"] if isinstance(person["tasks"], list) else [person["tasks"]]
            tasks = frozenset(task(k, f"{pw}.tasks[{j}]") for j, k in enumerate(keys))
        durations = {}
        for key, d in _mapping(person.get("durations"), f"{pw}.durations").items():
            tid = task(key, f"{pw}.durations.{key}")
            if tasks is not None and tid not in tasks:
                raise ScenarioError(
                    _(
                        "{pw}.durations.{key}: {name} does not do {tid!r} (not in their tasks)"
                    ).format(pw=pw, key=key, name=name, tid=tid)
                )
            durations[tid] = parse_distribution(d, f"{pw}.durations.{key}", working_day_minutes=day)
        out.append(Person(name, calendar, cost, tasks, durations))
    for tid in sorted(lane_tasks or ()):
        if not any(p.can_do(tid) for p in out):
            raise ScenarioError(
                _("{where}.people: nobody can do task {tid!r} (add it to someone's tasks)").format(
                    where=where, tid=tid
                )
            )
    return out


def from_mapping(doc: object, model: ProcessModel | None, source: str) -> Scenario:
    """Build a :class:`Scenario` from a mapping in the YAML's shape, checking every key."""
    models = _models(model) if model is not None else None
    doc = _mapping(doc, "scenario")
    top_unknown = [k for k in doc if k not in _TOP_KEYS]
    if top_unknown:
        raise ScenarioError(
            _("unknown key {top_unknown!r} (expected one of {keys})").format(
                top_unknown=top_unknown[0], keys=", ".join(_TOP_KEYS)
            )
        )
    calendar, sets = _calendar(doc.get("calendar"))
    day = calendar.working_minutes_per_day
    sc = Scenario(
        calendar=calendar, start=_start(doc.get("start"), sets), source=source, raw=doc, model=model
    )
    cal_spec = doc.get("calendar")
    if isinstance(cal_spec, dict) and cal_spec.get("timezone") is not None:
        sc.timezone = read_zone(cal_spec["timezone"], "calendar.timezone")
    if doc.get("service_standard") is not None:
        sc.service_standard_minutes = parse_minutes(
            doc["service_standard"], "service_standard", day
        )
        if sc.service_standard_minutes <= 0:
            raise ScenarioError(_("service_standard: must be positive"))
    sc.arrivals = _arrivals(_mapping(doc.get("arrivals"), "arrivals"), calendar)
    # one step per top-level section, each checking its own keys
    for key, spec in _mapping(doc.get("lanes"), "lanes").items():
        _read_lane(sc, models, key, spec)
    for key, spec in _mapping(doc.get("tasks"), "tasks").items():
        _read_task(sc, models, key, spec)
    for key, spec in _mapping(doc.get("gateways"), "gateways").items():
        _read_gateway(sc, models, key, spec)
    for key, spec in _mapping(doc.get("data"), "data").items():
        where = f"data.{key}"
        if isinstance(spec, dict) and "choice" in spec:
            sc.data[str(key)] = parse_choice(spec, where)
        else:
            sc.data[str(key)] = parse_distribution(spec, where, duration=False)
    _read_priorities(sc, doc.get("priorities"))
    for key, spec in _mapping(doc.get("events"), "events").items():
        _read_event(sc, models, key, spec)
    for key, spec in _mapping(doc.get("handovers"), "handovers").items():
        _read_handover(sc, models, key, spec)
    return sc


def _arrivals(arr: dict[str, Any], calendar: Calendar) -> Arrivals:
    """The ``arrivals`` section: time between cases, their calendar, how gaps are counted."""
    day = calendar.working_minutes_per_day
    _only(arr, "arrivals", ("interarrival", "rate", "calendar", "counting"))
    counting = arr.get("counting", "working")
    if counting not in ("working", "calendar"):
        raise ScenarioError(
            _("arrivals.counting: {counting!r} is not 'working' or 'calendar'").format(
                counting=counting
            )
        )
    inter = DEFAULT_INTERARRIVAL
    if "rate" in arr and "interarrival" in arr:
        raise ScenarioError(
            _(
                "arrivals: give rate or interarrival, not both (rate {rate!r}, interarrival "
                "{inter!r}: two ways of saying how often cases arrive)"
            ).format(rate=arr["rate"], inter=arr["interarrival"])
        )
    if "rate" in arr:  # Poisson arrivals: "rate: 10 per day" reads as cases per working day
        rate = _number(arr["rate"], "arrivals.rate", 0)
        if rate <= 0:
            raise ScenarioError(_("arrivals.rate: must be positive (cases per working day)"))
        inter = Distribution("exponential", (day / rate,))
    if "interarrival" in arr:
        inter = parse_distribution(
            arr["interarrival"], "arrivals.interarrival", working_day_minutes=day
        )
        if inter.mean <= 0:
            raise ScenarioError(_("arrivals.interarrival: the mean time between cases must be > 0"))
    cal_spec = arr.get("calendar", "office")
    if cal_spec == "office":
        arr_cal = None
    elif cal_spec == "always":
        arr_cal = Calendar.always()
    else:
        arr_cal = Calendar(parse_hours(cal_spec, "arrivals.calendar"), calendar.holidays)
    return Arrivals(inter, arr_cal, counting)


def _head_count(value: object, where: str) -> int:
    """A lane's ``staff``: a whole number of people from 1 to :data:`limits.MAX_STAFF`.

    Every wrong value (text such as ``1e9``, which YAML reads as text, a fraction, zero,
    too many) gets the same line stating the accepted range, so the user need not guess it
    from three different refusals.
    """
    count = int(value) if isinstance(value, float) and value.is_integer() else value
    if isinstance(count, int) and not isinstance(count, bool) and 1 <= count <= limits.MAX_STAFF:
        return count
    raise ScenarioError(
        _(
            "{where}: a lane needs a whole number of people from 1 to {limit} (the setting "
            "bpengine.scenario.limits.MAX_STAFF), got {value}"
        ).format(where=where, limit=limits.MAX_STAFF, value=limits.shorten(value))
    )


def _read_lane(sc: Scenario, models: list[Any] | None, key: object, spec: object) -> None:
    """One entry of ``lanes``: head count or named people, cost, hours, allocation."""
    calendar, day = sc.calendar, sc.calendar.working_minutes_per_day
    where = f"lanes.{key}"
    name = _lane_name(models, key, where)
    spec = _mapping(spec, where)
    _only(
        spec,
        where,
        ("staff", "cost_per_hour", "duration", "hours", "people", "allocation", "timezone"),
    )
    staff = _head_count(spec.get("staff", 1), f"{where}.staff")
    cost = _number(spec.get("cost_per_hour", 0), f"{where}.cost_per_hour", 0)
    own = (
        Calendar(parse_hours(spec["hours"], f"{where}.hours"), calendar.holidays)
        if "hours" in spec
        else None
    )
    shift = 0
    if spec.get("timezone") is not None:
        sc.lane_timezones[name] = read_zone(spec["timezone"], f"{where}.timezone")
        shift = _lane_shift(sc, name, where)
    allocation = spec.get("allocation", "soonest_start")
    if allocation not in ALLOCATIONS:
        raise ScenarioError(
            _("{where}.allocation: {allocation!r} is not one of {choices}").format(
                where=where, allocation=allocation, choices=", ".join(ALLOCATIONS)
            )
        )
    priced: tuple[Person, ...] = ()
    if "people" in spec:
        people = _people(spec["people"], where, models, name, own or calendar, day)
        if "staff" in spec and staff != len(people):
            raise ScenarioError(
                _(
                    "{where}.staff: {staff} does not match the {n_people} people "
                    "listed (give one or the other)"
                ).format(where=where, staff=staff, n_people=len(people))
            )
        if all(p.cost_per_hour is not None for p in people):
            cost = sum(p.cost_per_hour or 0.0 for p in people) / len(people)
        priced = tuple(
            Person(
                p.name,
                p.calendar.shifted(shift) if p.calendar else None,
                cost if p.cost_per_hour is None else p.cost_per_hour,
                p.tasks,
                p.durations,
            )
            for p in people
        )
    if shift:  # its hours (and its people's) are local: onto the simulation's clock
        own = (own or calendar).shifted(shift)
    if "people" in spec:
        sc.lanes[name] = LaneStaff(len(priced), cost, own, priced, allocation)
    else:
        sc.lanes[name] = LaneStaff(staff, cost, own, (), allocation)
    if "duration" in spec:
        sc.lane_durations[name] = parse_distribution(
            spec["duration"], f"{where}.duration", working_day_minutes=day
        )


def _lane_shift(sc: Scenario, name: str, where: str) -> int:
    """Minutes to add to a lane's local office hours to read them on the simulation's
    clock (the calendar's zone, WIB when it names none): -60 for a WITA lane in WIB."""
    lane_zone, clock_zone = sc.lane_timezones[name], sc.timezone or "Asia/Jakarta"
    day = sc.start.date()
    shift = zone_offset(clock_zone, day) - zone_offset(lane_zone, day)
    # Indonesian zones keep one offset all year; a zone with daylight saving does not
    summer = day.replace(month=7, day=1) if day.month < 7 else day.replace(month=1, day=1)
    if shift != zone_offset(clock_zone, summer) - zone_offset(lane_zone, summer):
        sc.notes.append(
            _(
                "{where}: {lane_zone} and {clock_zone} change their difference during the "
                "year (daylight saving); the simulation keeps the one on {day}"
            ).format(where=where, lane_zone=lane_zone, clock_zone=clock_zone, day=day)
        )
    if shift:  # say so: the lane's times in the results read on the simulation's clock
        sc.notes.append(
            _(
                "{where}: office hours are local to {lane_zone}; the simulation's clock is "
                "{clock_zone}, on which they start {minutes} min {direction}"
            ).format(
                where=where,
                lane_zone=lane_zone,
                clock_zone=clock_zone,
                minutes=abs(shift),
                direction=_("earlier") if shift < 0 else _("later"),
            )
        )
    return shift


def _read_task(sc: Scenario, models: list[Any] | None, key: object, spec: object) -> None:
    """One entry of ``tasks``: a duration, or duration, batch, instances and repeat."""
    day = sc.calendar.working_minutes_per_day
    where = f"tasks.{key}"
    eid = _element(models, key, where, lambda el: el.is_activity, N_("a task or subprocess"))
    if not isinstance(spec, dict) or "distribution" in spec:
        spec = {"duration": spec}
    _only(spec, where, ("duration", "batch", "instances", "repeat"))
    if "duration" in spec and models is not None:
        el, owner = _find(models, eid)
        inside = [x.id for x in owner.elements.values() if x.scope == eid and x.is_activity]
        if el.is_subprocess and inside:  # the simulator runs those, never the frame's time
            raise ScenarioError(
                _(
                    "{where}.duration: {eid!r} is a subprocess whose steps take the time "
                    "({steps}): give their durations instead"
                ).format(where=where, eid=eid, steps=", ".join(inside))
            )
    if "duration" in spec:
        sc.durations[eid] = parse_distribution(
            spec["duration"], f"{where}.duration", working_day_minutes=day
        )
    if "batch" in spec:
        sc.batches[eid] = _batch(spec["batch"], f"{where}.batch")
    if "instances" in spec:  # a multi-instance activity: how many times it runs
        sc.instances[eid] = _instances(spec["instances"], f"{where}.instances")
    if "repeat" in spec:  # a standard loop: the chance of one more round after each
        p = _number(spec["repeat"], f"{where}.repeat", 0)
        if p >= 1:
            raise ScenarioError(
                _("{where}.repeat: must be below 1 (else it never ends), got {p}").format(
                    where=where, p=p
                )
            )
        if p > limits.MAX_REPEAT:
            raise ScenarioError(
                _(
                    "{where}.repeat: {p} means {rounds:.0f} rounds on average;"
                    " the limit is {limit} (the setting bpengine.scenario."
                    "limits.MAX_REPEAT)"
                ).format(where=where, p=p, rounds=1 / (1 - p), limit=limits.MAX_REPEAT)
            )
        sc.repeats[eid] = p


def _instances(spec: object, where: str) -> Distribution:
    count = parse_distribution(spec, where, duration=False)
    lowest = (
        min(count.params)
        if count.kind in ("fixed", "empirical", "uniform", "triangular")
        else count.mean
    )
    if lowest < 0:
        raise ScenarioError(_("{where}: cannot be negative").format(where=where))
    # the mean is refused above the limit; a long tail is cut at it (documented)
    if count.mean > limits.MAX_INSTANCES:
        limits.check_count(count.mean, where, limits.MAX_INSTANCES, "MAX_INSTANCES")
    return Distribution(
        count.kind, count.params, max(count.low, 0.0), min(count.high, float(limits.MAX_INSTANCES))
    )


def _read_gateway(sc: Scenario, models: list[Any] | None, key: object, spec: object) -> None:
    """One entry of ``gateways``: a probability per outgoing flow (by id or unique name)."""
    where = f"gateways.{key}"
    gid = _element(models, key, where, lambda el: el.is_gateway, N_("a gateway"))
    probs = {}
    for fkey, p in _mapping(spec, where).items():
        fid = str(fkey)
        if models is not None:
            el, owner = _find(models, gid)
            by_name = [f for f in el.outgoing if owner.flows[f].name == fid]
            if fid not in el.outgoing and len(by_name) == 1:
                fid = by_name[0]
            if fid not in el.outgoing:
                raise ScenarioError(
                    _(
                        "{where}.{fkey}: not an outgoing flow of gateway {gid!r} "
                        "(outgoing: {outgoing})"
                    ).format(where=where, fkey=fkey, gid=gid, outgoing=", ".join(el.outgoing))
                )
        p = _number(p, f"{where}.{fkey}", 0)
        if p > 1:
            raise ScenarioError(
                _("{where}.{fkey}: a probability cannot exceed 1, got {p}").format(
                    where=where, fkey=fkey, p=p
                )
            )
        probs[fid] = p
    exclusive = models is None or _find(models, gid)[0].kind in _EXCLUSIVE
    if exclusive and abs(sum(probs.values()) - 1.0) > 1e-6:
        raise ScenarioError(
            _("{where}: branch probabilities sum to {sum:g}, not 1").format(
                where=where, sum=sum(probs.values())
            )
        )
    sc.probabilities[gid] = probs


def _read_priorities(sc: Scenario, spec: object) -> None:
    """``priorities``: levels with a condition over the case data (``data:``) each.

    Either the list of levels, or ``{order: waiting|run, levels: [...]}``.
    """
    if spec is None:
        return
    where_levels = "priorities"
    if isinstance(spec, dict):
        _only(spec, "priorities", ("order", "levels"))
        order = spec.get("order", "waiting")
        if order not in PRIORITY_ORDERS:
            raise ScenarioError(
                _("priorities.order: expected one of {known}, got {got!r}").format(
                    known=", ".join(PRIORITY_ORDERS), got=order
                )
            )
        sc.priority_order = order
        spec, where_levels = spec.get("levels"), "priorities.levels"
    if not isinstance(spec, list):
        raise ScenarioError(
            _("{where}: expected a list of {{level, when}}, got {got}").format(
                where=where_levels, got=type(spec).__name__
            )
        )
    levels = []
    for k, entry in enumerate(spec):
        where = f"{where_levels}[{k}]"
        entry = _mapping(entry, where)
        _only(entry, where, ("level", "when"))
        level = _number(entry.get("level"), f"{where}.level", integer=True)
        when = entry.get("when")
        if not isinstance(when, str) or not when.strip():
            raise ScenarioError(_("{where}.when: expected a condition").format(where=where))
        try:
            names = compile_expression(when).names
        except ExpressionError as exc:
            raise ScenarioError(f"{where}.when: {exc}") from None
        missing = sorted(names - set(sc.data))
        if missing:
            raise ScenarioError(
                _("{where}.when: reads {names}, which data: does not generate").format(
                    where=where, names=", ".join(missing)
                )
            )
        levels.append((level, when))
    sc.priorities = sorted(levels, key=lambda lv: lv[0])  # stable: ties keep their order


def _read_event(sc: Scenario, models: list[Any] | None, key: object, spec: object) -> None:
    """One entry of ``events``: how long a catch event waits, or how often a boundary fires."""
    day = sc.calendar.working_minutes_per_day
    where = f"events.{key}"
    eid = _element(models, key, where, lambda el: el.is_event, N_("an event"))
    if not isinstance(spec, dict) or "distribution" in spec:
        spec = {"duration": spec}
    _only(spec, where, ("duration", "probability", "working_time"))
    dur = (
        parse_distribution(spec["duration"], f"{where}.duration", working_day_minutes=day)
        if "duration" in spec
        else None
    )
    prob = (
        _number(spec["probability"], f"{where}.probability", 0) if "probability" in spec else None
    )
    if prob is not None and prob > 1:
        raise ScenarioError(
            _("{where}.probability: cannot exceed 1, got {prob}").format(where=where, prob=prob)
        )
    if prob is not None and models is not None:  # the simulator reads it on boundaries only
        el = _find(models, eid)[0]
        if el.kind != "boundaryEvent":
            raise ScenarioError(
                _(
                    "{where}.probability: {eid!r} is a BPMN {kind}; only a boundary event fires "
                    "with a probability (give this event a duration)"
                ).format(where=where, eid=eid, kind=el.kind)
            )
    # "2 working days" means office time unless the scenario says otherwise
    working = "working" in str(spec.get("duration", ""))
    sc.events[eid] = EventTiming(dur, bool(spec.get("working_time", working)), prob)


def _read_handover(sc: Scenario, models: list[Any] | None, key: object, spec: object) -> None:
    """One entry of ``handovers``: the transfer time of a message flow, or of every paper or
    data hand-over."""
    day = sc.calendar.working_minutes_per_day
    where = f"handovers.{key}"
    fid = str(key) if str(key) in ("paper", "data") else _message_flow(models, key, where)
    if not isinstance(spec, dict) or "distribution" in spec:
        spec = {"duration": spec}
    _only(spec, where, ("duration", "working_time"))
    if "duration" not in spec:
        raise ScenarioError(_("{where}: give a duration").format(where=where))
    dur = parse_distribution(spec["duration"], f"{where}.duration", working_day_minutes=day)
    # a file carried by hand moves in office hours; data whenever it is sent
    text = str(spec["duration"])
    working = "working" in text or (fid == "paper" and "working_time" not in spec)
    if models is not None and fid not in ("paper", "data") and "working_time" not in spec:
        working = working or models[0].handover(fid).is_paper
    sc.handovers[fid] = EventTiming(dur, bool(spec.get("working_time", working)))


def _message_flow(models: list[ProcessModel] | None, key: object, where: str) -> str:
    """Resolve a message flow id or unique name, or raise naming the key and file."""
    if models is None:
        return str(key)
    flows = models[0].message_flows
    key = str(key)
    if key in flows:
        return key
    named = [f.id for f in flows.values() if f.name == key]
    if len(named) == 1:
        return named[0]
    why = (
        _(
            "{where}: several message flows are named {key!r} in {file} (message flows: "
            "{known}; or 'paper'/'data' for every hand-over of that kind)"
        )
        if named
        else _(
            "{where}: no message flow has id or name {key!r} in {file} (message flows: "
            "{known}; or 'paper'/'data' for every hand-over of that kind)"
        )
    )
    known = ", ".join(sorted(flows)[:8]) or _("none")
    raise ScenarioError(why.format(where=where, key=key, file=models[0].file, known=known))
