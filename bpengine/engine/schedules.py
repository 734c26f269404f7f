"""Time: working-time calendars for timer durations, and timer start events.

Timer start events: a schedule per deployed process that starts a new case on each tick.

"Every working Monday the sub-district compiles the week's transfers" is a process whose
start event is a timer. SpiffWorkflow would run a cycle timer on a start event inside one
instance (each occurrence a new branch of the same case); an agency counts cases, so the
engine keeps a schedule row per timer start event and :meth:`Engine.tick` starts one case per
occurrence that has come (rows taken ``FOR UPDATE SKIP LOCKED``, so several workers ticking
start each case once). Deploying a new version of the process moves the schedule to it
(the old version's schedule is dropped, its running cases go on).

Expressions are ISO 8601 as in BPMN: a cycle ``R5/2025-01-06T01:00:00Z/P1D`` or ``R/P7D``
(from the deployment on), a date ``2025-02-01T00:00:00Z`` or a duration ``P1D`` (once).
"""

from __future__ import annotations

import datetime as _dt

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from sqlalchemy import delete, select

from ..errors import BpengineError, ModelError, Problem
from ..i18n import _
from .core import EngineCore
from .runtime import clock_at
from .schema import DefinitionRow, ScheduleRow
from .store import utc

__all__ = ["ScheduleOperations", "plan", "check_timer_starts", "due_function"]


def plan(expression: str, now: _dt.datetime) -> tuple[_dt.datetime, float | None, int]:
    """``(first due, seconds between occurrences or None, occurrences; -1 for ever)``.

    Raises
    ------
    BpengineError
        The expression is not an ISO 8601 cycle, date or duration.
    """
    text = expression.strip().strip("'\"")
    try:
        with clock_at(now):
            if text.upper().startswith("R"):
                cycles, start, every = TimerEventDefinition.parse_iso_recurring_interval(text)
                return utc(start), every.total_seconds(), cycles
            value = TimerEventDefinition.parse_time_or_duration(text)
    except Exception:
        raise BpengineError(
            _(
                "timer start {expression!r} is not an ISO 8601 cycle "
                "(R3/2025-01-06T01:00:00Z/P1D), date or duration"
            ).format(expression=expression)
        ) from None
    if isinstance(value, dict):  # a duration: once, that long after the deployment
        return now + TimerEventDefinition.get_timedelta_from_start(value, now), None, 1
    return utc(value), None, 1


def due_function(calendar, timezone: _dt.tzinfo):
    """``(start, duration[, tz]) -> due`` from a scenario Calendar (working time) or a
    callable (None: no calendar)."""
    if hasattr(getattr(calendar, "calendar", None), "add_working_time"):
        calendar = calendar.calendar  # a whole Scenario: use its calendar
    if calendar is None or not hasattr(calendar, "add_working_time"):
        if calendar is not None and not callable(calendar):
            raise BpengineError(
                _(
                    "calendar must be a bpengine.scenario Calendar or a callable "
                    "(start, duration) -> due"
                )
            )
        return calendar

    def due(
        start: _dt.datetime, duration: _dt.timedelta, tz: _dt.tzinfo | None = None
    ) -> _dt.datetime:
        # A day of duration is a working day; the rest is working hours and minutes. The
        # office hours are local time where the office is (``tz``: its lane's zone).
        tz = tz or timezone
        minutes = duration.days * calendar.working_minutes_per_day + duration.seconds / 60
        local = start.astimezone(tz).replace(tzinfo=None)
        return calendar.add_working_time(local, minutes).replace(tzinfo=tz)

    due.zoned = True  # type: ignore[attr-defined]  # the office's zone (a caller's own callable: none)
    return due


def check_timer_starts(model, events: dict, now: _dt.datetime) -> None:
    """Refuse a model whose timer start event has no usable ISO 8601 value (at deploy)."""
    for element, expression in events["starts"]["timer"]:
        try:
            plan(expression, now)
        except BpengineError as exc:
            raise ModelError(
                [
                    Problem(
                        str(exc),
                        file=model.file,
                        element_id=element,
                        line=model.elements[element].line if element in model.elements else None,
                        code="timer-start",
                    )
                ]
            ) from None


class ScheduleOperations(EngineCore):
    """Timer-start schedules of :class:`~bpengine.engine.Engine`."""

    def _plan_schedules(self, session, definition: DefinitionRow, events: dict, now) -> None:
        """Give a new version its schedules and take them from older versions."""
        timers = events["starts"]["timer"]
        older = select(DefinitionRow.id).where(
            DefinitionRow.key == definition.key, DefinitionRow.id != definition.id
        )
        session.execute(delete(ScheduleRow).where(ScheduleRow.definition_id.in_(older)))
        for element, expression in timers:
            due, every, remaining = plan(expression, now)
            if remaining == 0:
                continue
            session.add(
                ScheduleRow(
                    definition_id=definition.id,
                    element_id=element,
                    expression=expression,
                    due=due,
                    every_seconds=every,
                    remaining=remaining,
                )
            )

    def _fire_schedules(self, session, now, limit: int) -> list[str]:
        """Start a case for every occurrence that has come; return the new case ids."""
        rows = session.scalars(
            select(ScheduleRow)
            .where(ScheduleRow.due <= now)
            .order_by(ScheduleRow.due)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        started: list[str] = []
        for row in rows:
            definition = session.get(DefinitionRow, row.definition_id)
            while len(started) < limit and row.remaining != 0 and utc(row.due) <= now:
                case, _events = self._new_case(
                    session, definition, {}, "clock", now, None, fired_start=row.element_id
                )
                started.append(case.id)
                if row.remaining > 0:
                    row.remaining -= 1
                if row.every_seconds:
                    row.due = utc(row.due) + _dt.timedelta(seconds=row.every_seconds)
                else:
                    row.remaining = 0
            if row.remaining == 0:
                session.delete(row)
        return started
