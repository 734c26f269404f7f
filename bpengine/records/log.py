"""An event log as bpengine reads it: task executions grouped by case, in office time.

Whatever the source (XES, CSV, the engine's own history), a log becomes an
:class:`EventLog`: one :class:`Event` per task execution with the columns the simulator
writes (:mod:`bpengine.sim.eventlog`: case, activity, name, lane, resource, enabled, start,
end). Timestamps are naive datetimes in the office's local time, because working hours and
batch times are local; an offset in the file is converted to ``tz`` first.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from ..errors import LogError
from ..i18n import _

__all__ = ["Event", "EventLog", "parse_time", "WIB", "COLUMNS"]

WIB = dt.timezone(dt.timedelta(hours=7), "WIB")

#: the columns of :func:`bpengine.sim.eventlog.write_csv`, the names every reader fills
COLUMNS = ("case", "activity", "name", "lane", "resource", "enabled", "start", "end")


def parse_time(text, where: str, tz: dt.tzinfo = WIB) -> dt.datetime:
    """An ISO 8601 timestamp as naive office time (an offset is converted to ``tz``).

    Raises
    ------
    LogError
        Naming ``where`` (row, column or trace) when ``text`` is not a date and time.

    Examples
    --------
    >>> parse_time("2025-01-06T01:30:00+00:00", "row 2, column end")
    datetime.datetime(2025, 1, 6, 8, 30)
    """
    if isinstance(text, dt.datetime):
        when = text
    else:
        raw = str(text).strip()
        try:
            when = dt.datetime.fromisoformat(raw[:-1] + "+00:00" if raw.endswith("Z") else raw)
        except ValueError:
            raise LogError(
                _(
                    "{where}: {raw} is not a date and time (ISO 8601, e.g. "
                    "2025-01-06T08:30:00+07:00)"
                ).format(where=where, raw=repr(raw))
            ) from None
    if when.tzinfo is not None:
        when = when.astimezone(tz).replace(tzinfo=None)
    return when


@dataclass(frozen=True, slots=True)
class Event:
    """One task execution. ``start`` and ``enabled`` are None when the log does not say."""

    case: str
    activity: str
    end: dt.datetime
    start: dt.datetime | None = None
    enabled: dt.datetime | None = None
    name: str = ""
    lane: str | None = None
    resource: str | None = None
    where: str = ""  # "row 12", "trace 'case 3', event 4": for messages

    @property
    def began(self) -> dt.datetime:
        """When work began: the logged start, else the end (an instant)."""
        return self.start if self.start is not None else self.end


@dataclass
class EventLog:
    """Task executions of many cases, read from ``source``.

    Attributes
    ----------
    events : list of Event
    source : str
        The file or database it came from, for messages.
    warnings : list of str
        What the reader skipped, one line each (other lifecycle transitions, ...).
    arrivals : dict
        Case -> when the case was started, where the source records it (the engine does).
    """

    events: list[Event]
    source: str
    warnings: list[str] = field(default_factory=list)
    arrivals: dict = field(default_factory=dict)  # case -> when it was started, if logged

    def __len__(self) -> int:
        return len(self.events)

    @property
    def has_start(self) -> bool:
        """Whether every event carries its start (else starts are estimated)."""
        return bool(self.events) and all(e.start is not None for e in self.events)

    @property
    def has_enabled(self) -> bool:
        return bool(self.events) and all(e.enabled is not None for e in self.events)

    def traces(self) -> dict[str, list[Event]]:
        """Events per case, each case's in the order work began (ties: by end)."""
        out: dict[str, list[Event]] = defaultdict(list)
        for e in self.events:
            out[e.case].append(e)
        for events in out.values():
            events.sort(key=lambda e: (e.began, e.end))
        return dict(out)

    def check(self) -> EventLog:
        """Refuse an empty log and events that end before they start.

        Raises
        ------
        LogError
            One line naming the first bad row or trace.
        """
        if not self.events:
            raise LogError(
                _("{source}: the log holds no task executions").format(source=self.source)
            )
        for e in self.events:
            if e.start is not None and e.end < e.start:
                raise LogError(
                    _(
                        "{source}: {where}: ends ({end}) before it starts ({start}) "
                        "(case {case}, activity {activity})"
                    ).format(
                        source=self.source,
                        where=e.where,
                        end=e.end,
                        start=e.start,
                        case=repr(e.case),
                        activity=repr(e.activity),
                    )
                )
            if e.enabled is not None and e.start is not None and e.start < e.enabled:
                raise LogError(
                    _(
                        "{source}: {where}: starts ({start}) before it was enabled "
                        "({enabled}) (case {case}, activity {activity})"
                    ).format(
                        source=self.source,
                        where=e.where,
                        start=e.start,
                        enabled=e.enabled,
                        case=repr(e.case),
                        activity=repr(e.activity),
                    )
                )
        return self
