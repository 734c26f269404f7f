"""Expressions and scripts from a model: never bare ``eval``/``exec``.

SpiffWorkflow's script environment is bare ``eval``/``exec`` with full builtins. Here every
condition goes through :mod:`bpengine.expressions`, timer values are read as ISO 8601
(unquoted ``PT1H`` works, a working-day calendar can stretch durations) and scripts run only
for a definition deployed as trusted. In a collaboration a condition also sees the case's
data behind the task's own.
"""

from __future__ import annotations

import datetime as _dt
from collections import ChainMap
from collections.abc import Callable
from types import ModuleType
from uuid import UUID

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)

from ..errors import BpengineError, ExpressionError
from ..expressions import Expression, compile_expression
from ..i18n import _
from ..limits import DEFAULT_LIMITS, EngineLimits
from ..timers import check_timer, parse_duration
from .clock import ClockedDatetime

__all__ = ["SafeEnvironment", "SafeScriptEngine"]

Calendar = Callable[[_dt.datetime, _dt.timedelta], _dt.datetime]
# what SpiffWorkflow's registry stores and restores as it was (a script's deadline)
_STATE_KEEPS = (_dt.datetime, _dt.timedelta, UUID)
_UNSET = object()


class SafeEnvironment(TaskDataEnvironment):
    def __init__(self, trust_scripts: bool):
        super().__init__()
        self.trust_scripts = trust_scripts
        self._compiled: dict[str, Expression] = {}

    def evaluate(self, expression, context, external_context=None):
        compiled = self._compiled.get(expression)
        if compiled is None:
            compiled = self._compiled[expression] = compile_expression(expression)
        return compiled.evaluate(ChainMap(context, external_context or {}))

    def execute(self, script, context, external_context=None):
        if not self.trust_scripts:
            raise ExpressionError(
                _("script tasks run only in definitions deployed with trust_scripts=True")
            )
        return super().execute(script, context, external_context)


class SafeScriptEngine(PythonScriptEngine):
    def __init__(
        self, trust_scripts: bool, calendar: Calendar | None, limits: EngineLimits = DEFAULT_LIMITS
    ):
        super().__init__(environment=SafeEnvironment(trust_scripts))
        self.calendar = calendar
        self.limits = limits

    def evaluate(self, task, expression, external_context=None):
        definition = getattr(task.task_spec, "event_definition", None)
        # An event-based gateway holds its branches' definitions (a timer among them).
        for part in getattr(definition, "event_definitions", None) or ():
            if isinstance(part, TimerEventDefinition) and expression == part.expression:
                definition = part
        try:
            if isinstance(definition, TimerEventDefinition) and expression == definition.expression:
                return self._timer_value(task, definition, expression)
            # The case's data (every pool's) stands behind the task's own: in a
            # collaboration each pool keeps its own task data, one case has one data.
            case = getattr(task.workflow.top_workflow, "bpe_case", None)
            if case is not None:
                external_context = {**case.data, **(external_context or {})}
            value = self.environment.evaluate(expression, task.data, external_context)
            if expression == getattr(task.task_spec, "cardinality", None):
                # A multi-instance count read from case data: bounded before SpiffWorkflow
                # creates that many tasks.
                self.limits.check_instances(
                    value, task.task_spec.bpmn_id, f"loopCardinality {expression.strip()!r}"
                )
            return value
        except ExpressionError as exc:
            raise ExpressionError(f"{task.task_spec.bpmn_id}: {exc}") from None

    def execute(self, task, script, external_context=None):
        before = dict(task.data)  # shallow: which values the script left as they were
        try:
            done = self.environment.execute(script, task.data, external_context or {})
        except ExpressionError as exc:
            raise ExpressionError(f"{task.task_spec.bpmn_id}: {exc}") from None
        except Exception as exc:  # a trusted script failing is still the file's mistake
            raise ExpressionError(
                _("{bpmn_id}: script failed: {error}: {exc}").format(
                    bpmn_id=task.task_spec.bpmn_id, error=type(exc).__name__, exc=exc
                )
            ) from None
        self._check_result(task, before)
        return done

    def _check_result(self, task, before: dict) -> None:
        """What a trusted script left in the task's data must survive the instance state
        as it is: a tuple, a set or a key like ``1`` would come back changed (a list, a
        list, ``"1"``), a date or a tuple key would stop the step with a TypeError, a NaN or
        a NUL character would be refused by PostgreSQL, and data too deep would overflow
        the serializer. The script fails instead, naming itself and the key, as a script
        that raises does: the call is refused, or a job's case gets an incident."""
        # Modules a script imported are dropped by the serializer (SpiffWorkflow drops its
        # functions itself): script-local, not case data. A value the script left alone was
        # checked when it came in (a 1 MB text is not walked again at every script), unless
        # it is a list or dict the script may have changed in place.
        data = {
            k: v
            for k, v in task.data.items()
            if not isinstance(v, ModuleType)
            and (before.get(k, _UNSET) is not v or isinstance(v, (dict, list)))
        }
        what = _("{bpmn_id}: script result").format(bpmn_id=task.task_spec.bpmn_id)
        try:
            self.limits.check_data(data, what, kept=_STATE_KEEPS)
        except BpengineError as exc:
            raise ExpressionError(str(exc)) from None

    def _timer_value(self, task, definition, expression):
        text = expression.strip()
        if isinstance(definition, DurationTimerEventDefinition):
            try:
                delta = parse_duration(text)
            except ExpressionError:
                delta = parse_duration(str(self.environment.evaluate(text, task.data)))
            if self.calendar is not None:
                now = ClockedDatetime.now(_dt.timezone.utc)
                delta = self.calendar(now, delta) - now
            return f"PT{delta.total_seconds():.6f}S"
        if isinstance(definition, (TimeDateEventDefinition, CycleTimerEventDefinition)):
            value = text.strip("'\"")
            if not (value[:1].isdigit() or value[:1] in "RP"):
                value = str(self.environment.evaluate(text, task.data))
            kind = "timeCycle" if isinstance(definition, CycleTimerEventDefinition) else "timeDate"
            if value[:1].isdigit() or value[:1] in "RP":  # in range: no overflow further on
                check_timer(kind if value[:1] != "P" else "timeDuration", value)
            try:  # check here: SpiffWorkflow's own parse fails later with a bare ValueError
                if isinstance(definition, CycleTimerEventDefinition):
                    TimerEventDefinition.parse_iso_recurring_interval(value)
                else:
                    TimerEventDefinition.parse_time_or_duration(value)
            except Exception:
                raise ExpressionError(
                    _("timer value {value!r} is not an ISO-8601 date, duration or cycle").format(
                        value=value
                    )
                ) from None
            return value
        return self.environment.evaluate(text, task.data)
