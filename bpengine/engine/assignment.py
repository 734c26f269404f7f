"""Who a user task is offered to and by when: Camunda's ``assignee``, ``candidateUsers``,
``candidateGroups``, ``dueDate`` and ``followUpDate``, read from the BPMN and resolved when
the task is created.

A task goes to its ``assignee`` if one is named; otherwise it is offered to its candidate
users and groups; a task with neither is offered to its lane (SpiffWorkflow's lane-based
assignment: the lane is the group). Values are literals (``"ani, budi"``) or expressions
over the case data (``${atasan}``, ``${reviewers}`` giving a list), evaluated by the safe
evaluator (:mod:`bpengine.expressions`); an expression it cannot read is refused at deploy.

Due and follow-up dates are an ISO date (the end of that day in the office's time zone), an
ISO date-time, or an ISO duration counted from the task's creation in working time on the
engine's calendar (``P3D``: three working days; ``PT4H``: four working hours), in the time
zone of the task's lane (offices in WIB, WITA and WIT share one engine).
"""

from __future__ import annotations

import datetime as _dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from lxml import etree

from ..errors import BpengineError, ExpressionError
from ..expressions import Expression, compile_expression, parse_duration
from ..i18n import _
from ..model.checks import ASSIGNING, CAMUNDA, assignment_items
from .schema import TaskRow

__all__ = [
    "Assignment",
    "read_assignments",
    "resolve_assignment",
    "zone",
    "zone_name",
    "engine_zones",
    "pack_names",
    "CAMUNDA",
]


@dataclass(frozen=True)
class Assignment:
    """The assignment attributes of one user task, parsed at deploy.

    Each value is a tuple of items, an item being a literal text or a compiled
    :class:`~bpengine.expressions.Expression`.
    """

    element_id: str
    assignee: tuple = ()
    candidate_users: tuple = ()
    candidate_groups: tuple = ()
    due: tuple = ()
    follow_up: tuple = ()


def zone(value) -> _dt.tzinfo:
    """A tzinfo from an IANA name (``"Asia/Makassar"``) or a tzinfo; BpengineError else."""
    if isinstance(value, _dt.tzinfo):
        return value
    try:
        return zoneinfo.ZoneInfo(str(value))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise BpengineError(
            _(
                "time zone {zone!r} is not an IANA name such as Asia/Jakarta, "
                "Asia/Makassar or Asia/Jayapura"
            ).format(zone=value)
        ) from None


def engine_zones(calendar, timezone, lane_timezones) -> tuple:
    """An engine's zone, its lanes' zones and where each lane zone came from.

    A whole scenario given as ``calendar`` lends ``calendar.timezone`` and
    ``lanes.X.timezone``; ``timezone`` and ``lane_timezones`` given to the engine win
    (lane by lane). The origin names the setting in a refusal of a lane no process has.
    """
    source = getattr(calendar, "source", "scenario")
    scenario_zone = getattr(calendar, "timezone", None)
    own = zone(timezone if timezone is not None else scenario_zone or "Asia/Jakarta")
    lanes, origins = {}, {}
    for lane, name in (getattr(calendar, "lane_timezones", None) or {}).items():
        lanes[str(lane)] = zone(name)
        origins[str(lane)] = f"{source}: lanes.{lane}.timezone"
    for lane, tz in (lane_timezones or {}).items():
        lanes[str(lane)] = zone(tz)
        origins[str(lane)] = "lane_timezones"
    return own, lanes, origins


def zone_name(tz: _dt.tzinfo) -> str | None:
    """The name a task row keeps for its zone (None for a fixed offset without a key)."""
    key = getattr(tz, "key", None)
    return key if isinstance(key, str) else None


def _items(text: str, where: str) -> tuple:
    items: list[Any] = []
    for item in assignment_items(text):
        if not item.startswith(("${", "#{")):
            items.append(item)
            continue
        try:
            items.append(compile_expression(item))
        except ExpressionError as exc:
            raise BpengineError(f"{where}: {exc}") from None
    return tuple(items)


def read_assignments(source: bytes) -> dict[str, Assignment]:
    """Element id -> its assignment, for every element with one of the attributes.

    Raises
    ------
    BpengineError
        An expression the safe evaluator cannot read, or a literal date or duration that
        is neither ISO date, date-time nor duration; the element and attribute are named.
    """
    if CAMUNDA.encode() not in source:
        return {}  # most files: no parse needed
    root = etree.fromstring(source, etree.XMLParser(resolve_entities=False, no_network=True))
    found = {}
    for node in root.iter(etree.Element):
        element_id = node.get("id")
        values = {a: (node.get(f"{{{CAMUNDA}}}{a}") or "").strip() for a in ASSIGNING}
        if not element_id or not any(values.values()):
            continue
        parsed = {
            a: _items(v, f"{element_id}: camunda:{a}") if v else () for a, v in values.items()
        }
        for attribute in ("dueDate", "followUpDate"):
            for item in parsed[attribute]:
                if isinstance(item, str):
                    _moment(
                        item,
                        _dt.datetime(2025, 1, 6, tzinfo=_dt.timezone.utc),
                        _dt.timezone.utc,
                        None,
                        f"{element_id}: camunda:{attribute}",
                    )
        found[element_id] = Assignment(
            element_id,
            parsed["assignee"],
            parsed["candidateUsers"],
            parsed["candidateGroups"],
            parsed["dueDate"],
            parsed["followUpDate"],
        )
    return found


def _values(items: tuple, data: dict, where: str, *, missing_ok: bool = False) -> list:
    out: list[Any] = []
    for item in items:
        if isinstance(item, Expression):
            try:
                value = item.evaluate(data)
            except ExpressionError as exc:
                if missing_ok and item.names - set(data):
                    continue  # an assignee the case does not name: the task stays offered
                raise ExpressionError(f"{where}: {exc}") from None
            if value is None or value == "":
                continue
            values = value if isinstance(value, (list, tuple)) else str(value).split(",")
            out.extend(str(v).strip() for v in values if str(v).strip())
        else:
            out.append(item)
    return out


def pack_names(names) -> str | None:
    """``",ani,budi,"``: the form a task row keeps candidates in, so ``LIKE '%,ani,%'``
    finds them on SQLite and PostgreSQL alike (None when there are none)."""
    names = list(dict.fromkeys(names))
    return "," + ",".join(names) + "," if names else None


def _moment(text, start: _dt.datetime, tz: _dt.tzinfo, calendar, where: str) -> _dt.datetime:
    """The due moment ``text`` names: a date, a date-time or a duration from ``start``."""
    if isinstance(text, _dt.datetime):
        return text if text.tzinfo else text.replace(tzinfo=tz)
    if isinstance(text, _dt.date):
        text = text.isoformat()
    raw = str(text).strip().strip("'\"")
    if raw.upper().startswith("P"):
        try:
            duration = parse_duration(raw)
        except ExpressionError:
            raise BpengineError(
                _(
                    "{where}: {value!r} is not an ISO date, date-time or "
                    "duration (2025-01-31, 2025-01-31T12:00, P3D, PT4H)"
                ).format(where=where, value=text)
            ) from None
        return calendar(start, duration) if calendar is not None else start + duration
    try:
        if len(raw) == 10:  # a date: due by the end of that day where the office is
            day = _dt.date.fromisoformat(raw)
            return _dt.datetime.combine(day + _dt.timedelta(days=1), _dt.time(), tz)
        moment = _dt.datetime.fromisoformat(raw)
    except ValueError:
        raise BpengineError(
            _(
                "{where}: {value!r} is not an ISO date, date-time or duration "
                "(2025-01-31, 2025-01-31T12:00, P3D, PT4H)"
            ).format(where=where, value=text)
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def resolve_assignment(
    spec: Assignment, data: dict, now: _dt.datetime, tz: _dt.tzinfo, calendar
) -> dict:
    """Row values for a new task of ``spec``: assignee, candidates, due and follow-up.

    ``calendar(start, duration, tz) -> due`` counts durations in working time.

    Raises
    ------
    ExpressionError
        A candidate, due or follow-up expression failed (a name the case data lacks);
        the step that created the task is not saved.
    BpengineError
        A value is not a date or duration, or a name holds a comma.
    """
    where = spec.element_id
    assignee = _values(spec.assignee, data, f"{where}: camunda:assignee", missing_ok=True)
    users = _values(spec.candidate_users, data, f"{where}: camunda:candidateUsers")
    groups = _values(spec.candidate_groups, data, f"{where}: camunda:candidateGroups")
    room = TaskRow.assignee.type.length  # PostgreSQL refuses more; SQLite kept it
    if assignee and len(assignee[0]) > room:
        raise BpengineError(
            _(
                "{where}: camunda:assignee: the assignee {name}... is {length} "
                "characters long; the engine stores at most {room}"
            ).format(where=where, name=repr(assignee[0][:40]), length=len(assignee[0]), room=room)
        )
    for name in (*users, *groups):
        if "," in name:
            raise BpengineError(
                _("{where}: candidate {name!r} holds a comma").format(where=where, name=name)
            )
    local = now.astimezone(tz)

    def moment(items, attribute):
        found = _values(items, data, f"{where}: camunda:{attribute}")
        if not found:
            return None
        due = _moment(
            found[0],
            local,
            tz,
            calendar and (lambda s, d: calendar(s, d, tz)),
            f"{where}: camunda:{attribute}",
        )
        return due.astimezone(_dt.timezone.utc)

    return dict(
        assignee=assignee[0] if assignee else None,
        candidate_users=pack_names(users),
        candidate_groups=pack_names(groups),
        due=moment(spec.due, "dueDate"),
        follow_up=moment(spec.follow_up, "followUpDate"),
    )
