"""The scenario: the numbers a BPMN model does not carry (see SCENARIO.md).

:func:`load_scenario` reads a YAML sidecar (or a dict, or Prosimos JSON), checks every key
against the model and returns a :class:`Scenario`: durations, staff, calendar, arrivals,
branch probabilities, batching, case data and the legal service standard. Every mistake is
one :class:`~bpengine.errors.ScenarioError` naming the file, the key and the element.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import ScenarioError
from .calendar import SHIPPED_HOLIDAYS, Calendar, holiday_set, parse_hours
from .distributions import Choice, Distribution, parse_choice, parse_distribution, parse_minutes

__all__ = ["Scenario", "LaneStaff", "Batch", "Arrivals", "EventTiming", "load_scenario",
           "DEFAULT_DURATION", "DEFAULT_INTERARRIVAL"]

DEFAULT_DURATION = Distribution("fixed", (10.0,))
DEFAULT_INTERARRIVAL = Distribution("exponential", (60.0,))
_TOP_KEYS = ("calendar", "start", "service_standard", "arrivals", "lanes", "tasks", "gateways",
             "data", "events", "name", "description")
_EXCLUSIVE = ("exclusiveGateway", "eventBasedGateway", "complexGateway")


@dataclass(frozen=True)
class LaneStaff:
    """How many people work in a lane (role) and what an hour of theirs costs (IDR)."""

    staff: int = 1
    cost_per_hour: float = 0.0
    calendar: Calendar | None = None  # None: the scenario's calendar


@dataclass(frozen=True)
class Batch:
    """Sign-offs done in batches: at fixed times of day and/or once ``size`` files wait."""

    at: tuple[float, ...] = ()  # minutes after midnight
    size: int | None = None


@dataclass(frozen=True)
class Arrivals:
    """Time between case arrivals, counted on ``calendar`` (office hours by default)."""

    interarrival: Distribution = DEFAULT_INTERARRIVAL
    calendar: Calendar | None = None  # None: the scenario's calendar
    # "working": the gaps are working time (no case arrives while the office is closed);
    # "calendar": gaps in calendar time, a case falling in closed hours arrives at opening
    # (what Prosimos does)
    counting: str = "working"


@dataclass(frozen=True)
class EventTiming:
    """How long a catch event waits, and how likely a non-timer boundary event fires."""

    duration: Distribution | None = None
    working_time: bool = False
    probability: float | None = None


@dataclass
class Scenario:
    """Everything a simulation needs beyond the model; read-only once loaded."""

    calendar: Calendar = field(default_factory=Calendar.indonesia)
    start: dt.datetime = dt.datetime(2025, 1, 6, 7, 30)
    service_standard_minutes: float | None = None
    arrivals: Arrivals = field(default_factory=Arrivals)
    lanes: dict[str, LaneStaff] = field(default_factory=dict)
    durations: dict[str, Distribution] = field(default_factory=dict)
    lane_durations: dict[str, Distribution] = field(default_factory=dict)
    batches: dict[str, Batch] = field(default_factory=dict)
    probabilities: dict[str, dict[str, float]] = field(default_factory=dict)
    data: dict[str, Distribution | Choice] = field(default_factory=dict)
    events: dict[str, EventTiming] = field(default_factory=dict)
    assignments: dict[str, str] = field(default_factory=dict)  # task id -> lane (Prosimos pools)
    source: str = "<defaults>"
    raw: dict = field(default_factory=dict)
    model: object = field(default=None, repr=False, compare=False)

    def task_duration(self, element_id: str) -> Distribution:
        """Working minutes one person spends on the task (task, then lane, then default)."""
        if element_id in self.durations:
            return self.durations[element_id]
        lane = None
        if self.model is not None and element_id in self.model.elements:
            lane = self.model.elements[element_id].lane
        return self.lane_durations.get(lane, DEFAULT_DURATION)

    def resource_of(self, element_id: str) -> str | None:
        """The lane (staff pool) that works on the task: its own lane unless reassigned."""
        if element_id in self.assignments:
            return self.assignments[element_id]
        if self.model is not None and element_id in self.model.elements:
            return self.model.elements[element_id].lane
        return None

    def lane_calendar(self, lane_name: str | None) -> Calendar:
        """The working hours of a lane (the scenario's calendar unless it has its own)."""
        staff = self.lanes.get(lane_name)
        return staff.calendar if staff is not None and staff.calendar else self.calendar

    def branch_probability(self, gateway_id: str, flow_id: str) -> float | None:
        """Probability of taking ``flow_id`` out of ``gateway_id``; None if not given."""
        probs = self.probabilities.get(gateway_id)
        if probs is None:
            return None
        return probs.get(flow_id, 0.0)

    def lane(self, lane_name: str | None) -> LaneStaff:
        """Staff and hourly cost of a lane (1 person, no cost when not given)."""
        return self.lanes.get(lane_name, LaneStaff())

    def batch(self, element_id: str) -> Batch | None:
        return self.batches.get(element_id)

    @property
    def service_standard_days(self) -> float | None:
        """The legal service standard (SLA) in working days, if the scenario gives one."""
        if self.service_standard_minutes is None:
            return None
        return self.service_standard_minutes / self.calendar.working_minutes_per_day

    @property
    def arrival_calendar(self) -> Calendar:
        return self.arrivals.calendar or self.calendar


# -- loading ------------------------------------------------------------------------
def _element(model, key, where: str, kinds=None, what="element"):
    """Resolve an id or unique name to an element id, or raise naming key and file."""
    if model is None:
        return str(key)
    key = str(key)
    if key in model.elements:
        el = model.elements[key]
    else:
        named = [e for e in model.elements.values() if e.name == key]
        if len(named) != 1:
            why = "several elements are named" if named else "no element has id or name"
            raise ScenarioError(f"{where}: {why} {key!r} in {model.file}")
        el = named[0]
    if kinds is not None and not kinds(el):
        raise ScenarioError(f"{where}: {el.id!r} is a {el.kind}, not {what}")
    return el.id


def _lane_name(model, key, where):
    if model is None:
        return str(key)
    for lane in model.lanes.values():
        if key in (lane.name, lane.id):
            return lane.name
    names = sorted({lane.name for lane in model.lanes.values()})
    raise ScenarioError(f"{where}: no lane named {key!r} in {model.file} (lanes: "
                        f"{', '.join(names) or 'none'})")


def _mapping(value, where) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ScenarioError(f"{where}: expected a mapping, got {type(value).__name__}")
    return value


def _number(value, where, low=None, integer=False):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ScenarioError(f"{where}: expected a number, got {value!r}")
    if integer and int(value) != value:
        raise ScenarioError(f"{where}: expected a whole number, got {value!r}")
    if low is not None and value < low:
        raise ScenarioError(f"{where}: must be at least {low}, got {value!r}")
    return int(value) if integer else float(value)


def _calendar(spec) -> tuple[Calendar, list[str]]:
    spec = _mapping(spec, "calendar")
    unknown = set(spec) - {"hours", "holidays"}
    if unknown:
        raise ScenarioError(f"calendar: unknown key {sorted(unknown)[0]!r} (hours, holidays)")
    hours = parse_hours(spec.get("hours"))
    names = spec.get("holidays", list(SHIPPED_HOLIDAYS))
    if not isinstance(names, list):
        names = [names]
    days, sets = set(), []
    for i, item in enumerate(names):
        if isinstance(item, dt.date):
            days.add(item)
        elif isinstance(item, str) and item in SHIPPED_HOLIDAYS:
            sets.append(item)
            days.update(d for d, _, _ in holiday_set(item))
        else:
            try:
                days.add(dt.date.fromisoformat(str(item)))
            except ValueError:
                holiday_set(str(item))  # raises naming the unknown set
                raise ScenarioError(f"calendar.holidays[{i}]: {item!r} is not a date") from None
    return Calendar(hours, frozenset(days)), sets


def _start(value, sets) -> dt.datetime:
    if value is None:
        # default: the first Monday of the earliest holiday year, at opening time
        year = min((int(s.split("-")[1]) for s in sets), default=2025)
        day = dt.date(year, 1, 1)
        day += dt.timedelta(days=(7 - day.weekday()) % 7)
        return dt.datetime.combine(day, dt.time(7, 30))
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(7, 30))
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise ScenarioError(f"start: {value!r} is not a date and time like "
                            "'2025-01-06 07:30'") from None


def _batch(spec, where) -> Batch:
    spec = _mapping(spec, where)
    unknown = set(spec) - {"at", "size"}
    if unknown:
        raise ScenarioError(f"{where}: unknown key {sorted(unknown)[0]!r} (at, size)")
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
                raise ScenarioError(f"{where}.at: {t!r} is not a time of day like '14:00'") from None
        if not 0 <= minutes < 1440:
            raise ScenarioError(f"{where}.at: {t!r} is not a time of day")
        times.append(float(minutes))
    size = _number(spec["size"], f"{where}.size", 1, True) if "size" in spec else None
    if not times and size is None:
        raise ScenarioError(f"{where}: give 'at' (times of day) and/or 'size'")
    return Batch(tuple(sorted(times)), size)


def _from_mapping(doc: dict, model, source: str) -> Scenario:
    doc = _mapping(doc, "scenario")
    unknown = [k for k in doc if k not in _TOP_KEYS]
    if unknown:
        raise ScenarioError(f"unknown key {unknown[0]!r} (expected one of {', '.join(_TOP_KEYS)})")
    calendar, sets = _calendar(doc.get("calendar"))
    day = calendar.working_minutes_per_day
    sc = Scenario(calendar=calendar, start=_start(doc.get("start"), sets), source=source,
                  raw=doc, model=model)
    if doc.get("service_standard") is not None:
        sc.service_standard_minutes = parse_minutes(doc["service_standard"], "service_standard", day)
        if sc.service_standard_minutes <= 0:
            raise ScenarioError("service_standard: must be positive")

    arr = _mapping(doc.get("arrivals"), "arrivals")
    unknown = set(arr) - {"interarrival", "calendar", "rate", "counting"}
    if unknown:
        raise ScenarioError(f"arrivals: unknown key {sorted(unknown)[0]!r} (interarrival, "
                            "rate, calendar, counting)")
    counting = arr.get("counting", "working")
    if counting not in ("working", "calendar"):
        raise ScenarioError(f"arrivals.counting: {counting!r} is not 'working' or 'calendar'")
    inter = DEFAULT_INTERARRIVAL
    if "rate" in arr:  # Poisson arrivals: "rate: 10 per day" reads as cases per working day
        rate = _number(arr["rate"], "arrivals.rate", 0)
        if rate <= 0:
            raise ScenarioError("arrivals.rate: must be positive (cases per working day)")
        inter = Distribution("exponential", (day / rate,))
    if "interarrival" in arr:
        inter = parse_distribution(arr["interarrival"], "arrivals.interarrival",
                                   working_day_minutes=day)
        if inter.mean <= 0:
            raise ScenarioError("arrivals.interarrival: the mean time between cases must be > 0")
    cal_spec = arr.get("calendar", "office")
    if cal_spec == "office":
        arr_cal = None
    elif cal_spec == "always":
        arr_cal = Calendar.always()
    else:
        arr_cal = Calendar(parse_hours(cal_spec, "arrivals.calendar"), calendar.holidays)
    sc.arrivals = Arrivals(inter, arr_cal, counting)

    for key, spec in _mapping(doc.get("lanes"), "lanes").items():
        where = f"lanes.{key}"
        name = _lane_name(model, key, where)
        spec = _mapping(spec, where)
        unknown = set(spec) - {"staff", "cost_per_hour", "duration", "hours"}
        if unknown:
            raise ScenarioError(f"{where}: unknown key {sorted(unknown)[0]!r} (staff, "
                                "cost_per_hour, duration, hours)")
        staff = _number(spec.get("staff", 1), f"{where}.staff", None, True)
        if staff < 1:
            raise ScenarioError(f"{where}.staff: a lane needs at least one person, got {staff}")
        cost = _number(spec.get("cost_per_hour", 0), f"{where}.cost_per_hour", 0)
        own = (Calendar(parse_hours(spec["hours"], f"{where}.hours"), calendar.holidays)
               if "hours" in spec else None)
        sc.lanes[name] = LaneStaff(staff, cost, own)
        if "duration" in spec:
            sc.lane_durations[name] = parse_distribution(spec["duration"], f"{where}.duration",
                                                         working_day_minutes=day)

    def is_activity(el):
        return el.is_activity
    for key, spec in _mapping(doc.get("tasks"), "tasks").items():
        where = f"tasks.{key}"
        eid = _element(model, key, where, is_activity, "a task or subprocess")
        if not isinstance(spec, dict) or "distribution" in spec:
            spec = {"duration": spec}
        unknown = set(spec) - {"duration", "batch"}
        if unknown:
            raise ScenarioError(f"{where}: unknown key {sorted(unknown)[0]!r} (duration, batch)")
        if "duration" in spec:
            sc.durations[eid] = parse_distribution(spec["duration"], f"{where}.duration",
                                                   working_day_minutes=day)
        if "batch" in spec:
            sc.batches[eid] = _batch(spec["batch"], f"{where}.batch")

    for key, spec in _mapping(doc.get("gateways"), "gateways").items():
        where = f"gateways.{key}"
        gid = _element(model, key, where, lambda el: el.is_gateway, "a gateway")
        probs = {}
        for fkey, p in _mapping(spec, where).items():
            fid = str(fkey)
            if model is not None:
                el = model.elements[gid]
                by_name = [f for f in el.outgoing if model.flows[f].name == fid]
                if fid not in el.outgoing and len(by_name) == 1:
                    fid = by_name[0]
                if fid not in el.outgoing:
                    raise ScenarioError(f"{where}.{fkey}: not an outgoing flow of gateway {gid!r}"
                                        f" (outgoing: {', '.join(el.outgoing)})")
            p = _number(p, f"{where}.{fkey}", 0)
            if p > 1:
                raise ScenarioError(f"{where}.{fkey}: a probability cannot exceed 1, got {p}")
            probs[fid] = p
        exclusive = model is None or model.elements[gid].kind in _EXCLUSIVE
        if exclusive and abs(sum(probs.values()) - 1.0) > 1e-6:
            raise ScenarioError(f"{where}: branch probabilities sum to {sum(probs.values()):g}, "
                                "not 1")
        sc.probabilities[gid] = probs

    for key, spec in _mapping(doc.get("data"), "data").items():
        where = f"data.{key}"
        if isinstance(spec, dict) and "choice" in spec:
            sc.data[str(key)] = parse_choice(spec, where)
        else:
            sc.data[str(key)] = parse_distribution(spec, where, duration=False)

    for key, spec in _mapping(doc.get("events"), "events").items():
        where = f"events.{key}"
        eid = _element(model, key, where, lambda el: el.is_event, "an event")
        if not isinstance(spec, dict) or "distribution" in spec:
            spec = {"duration": spec}
        unknown = set(spec) - {"duration", "probability", "working_time"}
        if unknown:
            raise ScenarioError(f"{where}: unknown key {sorted(unknown)[0]!r} (duration, "
                                "probability, working_time)")
        dur = (parse_distribution(spec["duration"], f"{where}.duration", working_day_minutes=day)
               if "duration" in spec else None)
        prob = _number(spec["probability"], f"{where}.probability", 0) if "probability" in spec \
            else None
        if prob is not None and prob > 1:
            raise ScenarioError(f"{where}.probability: cannot exceed 1, got {prob}")
        sc.events[eid] = EventTiming(dur, bool(spec.get("working_time", False)), prob)
    return sc


def load_scenario(source=None, model=None) -> Scenario:
    """Read and validate a scenario.

    Parameters
    ----------
    source : str, path, dict or None
        A ``.yaml``/``.yml`` sidecar, a Prosimos ``.json`` parameter file, a mapping in
        the YAML's shape, or ``None``: the sidecar ``x.scenario.yaml`` next to the model's
        file ``x.bpmn`` if there is one, else the documented defaults.
    model : ProcessModel, optional
        Keys are checked against it (ids or unique names, lanes, outgoing flows).

    Raises
    ------
    ScenarioError
        Naming the file, the key and the element at fault.

    Examples
    --------
    >>> sc = load_scenario({"tasks": {"T1": "15 min"}, "lanes": {"Clerk": {"staff": 2}}})
    >>> sc.task_duration("T1").mean, sc.lane("Clerk").staff, sc.calendar.working_minutes_per_day
    (15.0, 2, 450.0)
    """
    if isinstance(source, Scenario):
        return source
    if source is None:
        sidecar = None
        if model is not None and getattr(model, "file", "<bytes>") != "<bytes>":
            p = Path(model.file)
            sidecar = p.with_name(p.name[: -len(p.suffix)] + ".scenario.yaml") if p.suffix \
                else None
        if sidecar is not None and sidecar.exists():
            source = sidecar
        else:
            sc = _from_mapping({}, model, "<defaults>")
            _check(sc, model)
            return sc
    if isinstance(source, dict):
        sc = _wrap(lambda: _from_mapping(source, model, "<dict>"), "<dict>")
        _check(sc, model)
        return sc
    path = Path(os.fspath(source))
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read scenario: {exc.strerror or exc}") from None
    if path.suffix.lower() == ".json":
        from .prosimos import from_prosimos

        sc = _wrap(lambda: from_prosimos(text, model, str(path)), str(path))
    else:
        try:
            doc = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ScenarioError(f"{path}: not valid YAML: {exc}") from None
        sc = _wrap(lambda: _from_mapping(doc or {}, model, str(path)), str(path))
    _check(sc, model)
    return sc


def _wrap(build, source: str) -> Scenario:
    try:
        return build()
    except ScenarioError as exc:
        msg = str(exc)
        raise ScenarioError(msg if msg.startswith(source) else f"{source}: {msg}") from None


def _check(sc: Scenario, model) -> None:
    if model is None:
        return
    from .checks import check_scenario

    try:
        check_scenario(model, sc)
    except ScenarioError as exc:
        raise ScenarioError(f"{sc.source}: {exc}") from None
