"""Import Prosimos (2.x) simulation parameters as a :class:`~.scenario.Scenario`.

A Prosimos JSON file names resource pools, their calendars, the tasks each pool works on,
per-task duration distributions in seconds (pix-framework parameters: ``expon [mean, min,
max]``, ``norm [mean, sd, min, max]``, ``lognorm``/``gamma [mean, variance, min, max]``,
``uniform [min, max]``, ``fix [value]``), the arrival distribution and calendar, and
gateway branching probabilities. They are taken as they are, so the same model runs side
by side in Prosimos and bpengine: pools become lanes, durations become minutes, and arrivals
count calendar time and wait for the arrival calendar to open, as in Prosimos.
"""
from __future__ import annotations

import datetime as dt
import json
import math

from ..errors import ScenarioError
from .calendar import Calendar
from .distributions import Distribution
from .scenario import Arrivals, LaneStaff, Scenario

__all__ = ["from_prosimos", "prosimos_distribution", "prosimos_calendar"]

_WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")


def _value(params, i, where):
    try:
        item = params[i]
        return float(item["value"] if isinstance(item, dict) else item)
    except (IndexError, KeyError, TypeError, ValueError):
        raise ScenarioError(f"{where}.distribution_params[{i}]: missing or not a number") from None


def prosimos_distribution(spec: dict, where: str) -> Distribution:
    """A pix-framework distribution (seconds) as a :class:`Distribution` in minutes."""
    if not isinstance(spec, dict) or "distribution_name" not in spec:
        raise ScenarioError(f"{where}: expected distribution_name and distribution_params")
    name, params = spec["distribution_name"], spec.get("distribution_params") or []

    def v(i):
        return _value(params, i, where) / 60.0

    if name == "fix":
        return Distribution("fixed", (v(0),))
    if name == "expon":
        mean, low, high = v(0), v(1), v(2)
        scale = mean - low if mean >= low else mean
        return Distribution("exponential", (scale,), low, high, shift=low)
    if name == "uniform":
        return Distribution("uniform", (v(0), v(1)), v(0), v(1))
    if name == "norm":
        return Distribution("normal", (v(0), v(1)), max(v(2), 0.0), v(3))
    if name in ("lognorm", "gamma"):
        # pix-framework gives the variance in seconds squared
        sd = math.sqrt(max(_value(params, 1, where), 0.0)) / 60.0
        kind = "lognormal" if name == "lognorm" else "gamma"
        return Distribution(kind, (v(0), sd), max(v(2), 0.0), v(3))
    if name == "histogram_sampling":
        values = spec.get("histogram_data", {}).get("cdf") if isinstance(spec.get(
            "histogram_data"), dict) else None
        raise ScenarioError(f"{where}: histogram_sampling is not supported yet"
                            + ("" if values is None else " (convert it to an empirical list)"))
    raise ScenarioError(f"{where}.distribution_name: unknown Prosimos distribution {name!r} "
                        "(fix, expon, norm, uniform, lognorm, gamma)")


def _time(text: str, where: str) -> int:
    try:
        parts = str(text).split(":")
        minutes = int(parts[0]) * 60 + int(parts[1]) + float(parts[2] if len(parts) > 2 else 0) / 60
    except (ValueError, IndexError):
        raise ScenarioError(f"{where}: {text!r} is not a time like '08:00:00'") from None
    return 1440 if minutes >= 1439.98 else int(round(minutes))  # 23:59:59.999 = midnight


def prosimos_calendar(periods, where: str) -> Calendar:
    """Prosimos ``time_periods`` (from/to weekday, begin/end time) as a :class:`Calendar`."""
    week: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    for i, p in enumerate(periods or []):
        w = f"{where}[{i}]"
        try:
            a, b = _WEEKDAYS.index(p["from"].upper()), _WEEKDAYS.index(p["to"].upper())
        except (KeyError, ValueError, AttributeError):
            raise ScenarioError(f"{w}: from/to must be weekdays like MONDAY") from None
        start, end = _time(p.get("beginTime"), f"{w}.beginTime"), _time(p.get("endTime"),
                                                                         f"{w}.endTime")
        days = range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)]
        for d in days:
            week[d].append((start, end))
    if not any(week):
        raise ScenarioError(f"{where}: the calendar has no working time")
    merged = []
    for spans in week:
        spans.sort()
        out: list[tuple[int, int]] = []
        for s, e in spans:
            if out and s <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], e))
            else:
                out.append((s, e))
        merged.append(tuple(out))
    return Calendar(tuple(merged), frozenset())


def from_prosimos(text_or_dict, model=None, source: str = "<prosimos>",
                  start: dt.datetime | None = None) -> Scenario:
    """Build a scenario from Prosimos JSON parameters (text or parsed dict).

    Raises
    ------
    ScenarioError
        Unreadable JSON, an unknown distribution, or a task/gateway/flow id the model does
        not have.
    """
    if isinstance(text_or_dict, str):
        try:
            doc = json.loads(text_or_dict)
        except json.JSONDecodeError as exc:
            raise ScenarioError(f"{source}: not valid JSON: {exc}") from None
    else:
        doc = text_or_dict
    if not isinstance(doc, dict):
        raise ScenarioError(f"{source}: expected a JSON object of Prosimos parameters")
    calendars = {c.get("id"): prosimos_calendar(c.get("time_periods"),
                                                f"resource_calendars[{i}].time_periods")
                 for i, c in enumerate(doc.get("resource_calendars") or [])}
    lanes, assignments, resource_lane = {}, {}, {}
    for i, pool in enumerate(doc.get("resource_profiles") or []):
        for j, res in enumerate(pool.get("resource_list") or []):
            where = f"resource_profiles[{i}].resource_list[{j}]"
            name = res.get("name") or res.get("id")
            cal = calendars.get(res.get("calendar"))
            if res.get("calendar") and cal is None:
                raise ScenarioError(f"{where}.calendar: no resource calendar {res['calendar']!r}")
            amount = int(res.get("amount", 1))
            if amount < 1:
                raise ScenarioError(f"{where}.amount: a resource needs at least one person")
            lanes[name] = LaneStaff(amount, float(res.get("cost_per_hour", 0)), cal)
            resource_lane[res.get("id")] = name
            for task in res.get("assignedTasks") or []:
                assignments[str(task)] = name
    shared = {id(s.calendar) for s in lanes.values()}
    calendar = next(iter(lanes.values())).calendar if len(shared) == 1 and lanes else None
    calendar = calendar or Calendar.always()

    durations = {}
    for i, item in enumerate(doc.get("task_resource_distribution") or []):
        tid = str(item.get("task_id"))
        resources = item.get("resources") or []
        if not resources:
            continue
        # one distribution per task: the first resource's (all permit pools have one)
        first = resources[0]
        durations[tid] = prosimos_distribution(first, f"task_resource_distribution[{i}]")
        if tid not in assignments and first.get("resource_id") in resource_lane:
            assignments[tid] = resource_lane[first["resource_id"]]

    probabilities = {}
    for g in doc.get("gateway_branching_probabilities") or []:
        probs = {str(p["path_id"]): float(p.get("value", 0)) for p in g.get("probabilities", [])}
        probabilities[str(g.get("gateway_id"))] = probs

    arrival = doc.get("arrival_time_distribution")
    inter = prosimos_distribution(arrival, "arrival_time_distribution") if arrival else None
    arr_cal = (prosimos_calendar(doc["arrival_time_calendar"], "arrival_time_calendar")
               if doc.get("arrival_time_calendar") else Calendar.always())
    sc = Scenario(calendar=calendar, start=start or dt.datetime(2025, 1, 6, 8, 0),
                  source=source, raw=doc, model=model, lanes=lanes, durations=durations,
                  probabilities=probabilities, assignments=assignments)
    if inter is not None:
        sc.arrivals = Arrivals(inter, arr_cal, "calendar")
    if model is not None:
        _check_ids(sc, model, source)
    return sc


def _check_ids(sc: Scenario, model, source: str) -> None:
    for tid in list(sc.durations) + list(sc.assignments):
        if tid not in model.elements:
            raise ScenarioError(f"{source}: task_resource_distribution/assignedTasks name "
                                f"{tid!r}, which is not an element of {model.file}")
    for gid, probs in sc.probabilities.items():
        el = model.elements.get(gid)
        if el is None or not el.is_gateway:
            raise ScenarioError(f"{source}: gateway_branching_probabilities names {gid!r}, "
                                f"which is not a gateway of {model.file}")
        for fid in probs:
            if fid not in el.outgoing:
                raise ScenarioError(f"{source}: gateway_branching_probabilities[{gid}]: {fid!r} "
                                    "is not an outgoing flow of that gateway")
        if el.kind == "exclusiveGateway" and abs(sum(probs.values()) - 1) > 1e-6:
            raise ScenarioError(f"{source}: gateway_branching_probabilities[{gid}]: "
                                f"probabilities sum to {sum(probs.values()):g}, not 1")
