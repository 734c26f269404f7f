"""The engine's clock inside SpiffWorkflow: ``tick(now)`` and tests set the time.

SpiffWorkflow's timers read ``datetime.now()`` in its timer module; :class:`clock_at` routes
that through a context variable for the duration of one engine call.
"""

from __future__ import annotations

import contextvars
import datetime as _dt

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _timer

__all__ = ["clock_at", "ClockedDatetime"]

_NOW: contextvars.ContextVar[_dt.datetime | None] = contextvars.ContextVar(
    "bpengine_now", default=None
)


class ClockedDatetime(_dt.datetime):
    """``datetime`` whose ``now()`` is the engine's clock while a step runs."""

    @classmethod
    def now(cls, tz=None):
        now = _NOW.get()
        if now is None:
            return super().now(tz)
        return now.astimezone(tz) if tz is not None else now


# SpiffWorkflow's timer module calls datetime.now() directly; pointing its module-level name at
# a subclass is the one place we can inject time without forking its timer classes.
_timer.datetime = ClockedDatetime


class clock_at:  # noqa: N801 - used as a context manager, reads like a statement
    """Run the enclosed SpiffWorkflow calls as if the time were ``now`` (aware datetime)."""

    def __init__(self, now: _dt.datetime):
        self.now = now if now.tzinfo else now.replace(tzinfo=_dt.timezone.utc)

    def __enter__(self):
        self._token = _NOW.set(self.now)
        return self.now

    def __exit__(self, *exc):
        _NOW.reset(self._token)
