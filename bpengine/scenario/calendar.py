"""Working hours: when an office works, and how working time adds up.

Indonesian civil servants work 37.5 hours a week (Keppres 68/1995): Monday to Thursday
07:30-16:00 with a break 12:00-13:00, Friday 07:30-16:30 with a longer break 11:30-13:00
for the Friday prayer; not on Saturday, Sunday, national holidays or *cuti bersama* (the
collective leave days decreed each year). Holiday sets ``id-2025`` and ``id-2026`` ship as
data files beside this module and a scenario may add its own dates.

Working time is measured by a :class:`WorkingClock`: the working intervals from an epoch,
in minutes, with their cumulative working minutes, so "how much working time lies between
a and b" and "when have d working minutes passed after t" are one bisection each. That is
what keeps the simulator fast; the datetime methods of :class:`Calendar` use the same clock.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..errors import ScenarioError
from ..i18n import _
from . import limits

__all__ = [
    "Calendar",
    "WorkingClock",
    "INDONESIA_HOURS",
    "holiday_set",
    "parse_hours",
    "read_zone",
    "zone_offset",
    "SHIPPED_HOLIDAYS",
]

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_Hours = tuple[tuple[tuple[int, int], ...], ...]  # per weekday: ((start_min, end_min), ...)


def _hm(text: str) -> int:
    h, m = text.split(":")[:2]
    return int(h) * 60 + int(float(m))


INDONESIA_HOURS: _Hours = (
    ((450, 720), (780, 960)),  # Monday 07:30-12:00, 13:00-16:00
    ((450, 720), (780, 960)),
    ((450, 720), (780, 960)),
    ((450, 720), (780, 960)),
    ((450, 690), (780, 990)),  # Friday 07:30-11:30, 13:00-16:30 (Friday prayer)
    (),
    (),
)
ALWAYS_HOURS: _Hours = tuple(((0, 1440),) for _ in range(7))
SHIPPED_HOLIDAYS = ("id-2025", "id-2026")
_RANGE = re.compile(r"^\s*(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*$")


@cache
def holiday_set(name: str) -> tuple[tuple[dt.date, str, str], ...]:
    """The shipped holiday set ``name`` as ``(date, name, kind)`` rows.

    Raises
    ------
    ScenarioError
        For a name that is not shipped.
    """
    if name not in SHIPPED_HOLIDAYS:
        raise ScenarioError(
            _(
                "calendar.holidays: unknown holiday set {name} (shipped: {sets}; or give ISO dates)"
            ).format(name=repr(name), sets=", ".join(SHIPPED_HOLIDAYS))
        )
    from importlib import resources  # with PyYAML, only when a holiday set is read

    import yaml

    text = (
        resources.files(__package__)
        .joinpath("holidays")
        .joinpath(f"{name}.yaml")
        .read_text("utf-8")
    )
    rows = yaml.safe_load(text)["holidays"]
    return tuple((r["date"], r["name"], r["kind"]) for r in rows)


def parse_hours(spec: object, where: str = "calendar.hours") -> _Hours:
    """Read ``indonesia``, ``always`` or ``{mon: ["07:30-12:00", ...], ...}``."""
    if spec is None or spec == "indonesia":
        return INDONESIA_HOURS
    if spec == "always":
        return ALWAYS_HOURS
    if not isinstance(spec, dict):
        raise ScenarioError(
            _(
                "{where}: expected 'indonesia', 'always' or a mapping of weekday "
                "to time ranges, got {spec}"
            ).format(where=where, spec=repr(spec))
        )
    unknown = [k for k in spec if str(k).lower()[:3] not in _DAYS]
    if unknown:
        raise ScenarioError(
            _("{where}: unknown weekday {day} (use mon..sun)").format(
                where=where, day=repr(unknown[0])
            )
        )
    week = []
    for day in _DAYS:
        ranges: Any = next((v for k, v in spec.items() if str(k).lower()[:3] == day), []) or []
        if isinstance(ranges, str):
            ranges = [ranges]
        spans = []
        for r in ranges:
            m = _RANGE.match(str(r))
            if not m:
                raise ScenarioError(
                    _("{where}.{day}: {r} is not a time range like '07:30-12:00'").format(
                        where=where, day=day, r=repr(r)
                    )
                )
            a, b = _hm(m.group(1)), _hm(m.group(2))
            if not 0 <= a < b <= 1440:
                raise ScenarioError(
                    _("{where}.{day}: {r} does not run forward within a day").format(
                        where=where, day=day, r=repr(r)
                    )
                )
            spans.append((a, b))
        spans.sort()
        if any(spans[i][1] > spans[i + 1][0] for i in range(len(spans) - 1)):
            raise ScenarioError(
                _("{where}.{day}: time ranges overlap").format(where=where, day=day)
            )
        week.append(tuple(spans))
    if not any(week):
        raise ScenarioError(_("{where}: no working hours on any day").format(where=where))
    return tuple(week)


def read_zone(value: object, where: str) -> str:
    """An IANA time zone name (``Asia/Makassar``) checked against the zone database.

    Only IANA names: ``WITA`` is not one (and the engine, ``--tz``, takes the same names).

    Raises
    ------
    ScenarioError
        Naming ``where`` (``calendar.timezone``, ``lanes.X.timezone``) and the value.
    """
    try:
        if not isinstance(value, str) or not value.strip():
            raise ValueError(value)
        zoneinfo.ZoneInfo(value.strip())
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ScenarioError(
            _(
                "{where}: {value} is not an IANA time zone such as Asia/Jakarta (WIB), "
                "Asia/Makassar (WITA) or Asia/Jayapura (WIT)"
            ).format(where=where, value=repr(value))
        ) from None
    return value.strip()


def zone_offset(name: str, day: dt.date) -> int:
    """Minutes ahead of UTC of zone ``name`` at noon of ``day``."""
    noon = dt.datetime.combine(day, dt.time(12), zoneinfo.ZoneInfo(name))
    offset = noon.utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0


def _shift_hours(hours: _Hours, minutes: int) -> _Hours:
    # Each span moves by ``minutes`` on the week's clock; a span pushed over midnight is
    # split between the two weekdays (Monday 01:00 earlier is Sunday 24:00 minus one hour).
    week_len = 7 * 1440
    days: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    for weekday, spans in enumerate(hours):
        for a, b in spans:
            start = (weekday * 1440 + a + minutes) % week_len
            end = start + (b - a)
            while start < end:
                day = (start // 1440) % 7
                cut = min(end, (start // 1440 + 1) * 1440)
                days[day].append((start % 1440, (cut - 1) % 1440 + 1))
                start = cut
    merged = []
    for pieces in days:
        pieces.sort()
        out: list[tuple[int, int]] = []
        for a, b in pieces:
            if out and out[-1][1] >= a:
                out[-1] = (out[-1][0], max(out[-1][1], b))
            else:
                out.append((a, b))
        merged.append(tuple(out))
    return tuple(merged)


class WorkingClock:
    """Working intervals in minutes from ``epoch`` (a midnight), extended on demand."""

    __slots__ = (
        "calendar",
        "epoch",
        "starts",
        "ends",
        "cum",
        "cum_end",
        "_days",
        "always",
        "_limit",
        "_span",
    )

    def __init__(self, calendar: Calendar, epoch: dt.datetime):
        self.calendar = calendar
        self.epoch = dt.datetime.combine(epoch.date(), dt.time())
        self.always = calendar.hours == ALWAYS_HOURS and not calendar.holidays
        self.starts: list[float] = []
        self.ends: list[float] = []
        self.cum: list[float] = []  # working minutes before each interval
        self.cum_end: list[float] = []  # working minutes at each interval's end
        self._days = 0
        self._span = (0.0, 0.0)  # the working interval work() found last
        self._extend(400)

    def _extend(self, days: int) -> None:
        # the last guard of a run too long (an hours-long task repeated for ever, a
        # ten-year hand-over): a clear error instead of memory and dates running out
        if self._days + days > limits.MAX_HORIZON_YEARS * 366 + 400:
            if self._days >= limits.MAX_HORIZON_YEARS * 366:
                raise limits.horizon_error(self.epoch)
            days = limits.MAX_HORIZON_YEARS * 366 + 400 - self._days
        total = self.cum_end[-1] if self.cum_end else 0.0
        hours, holidays = self.calendar.hours, self.calendar.holidays
        date0 = self.epoch.date()
        for k in range(self._days, self._days + days):
            day = date0 + dt.timedelta(days=k)
            if day in holidays:
                continue
            base = k * 1440.0
            for a, b in hours[day.weekday()]:
                s, e = base + a, base + b
                if self.ends and self.ends[-1] == s:  # 24/7: merge midnight seams
                    self.ends[-1] = e
                    self.cum_end[-1] += b - a
                    total += b - a
                    continue
                self.starts.append(s)
                self.ends.append(e)
                self.cum.append(total)
                total += b - a
                self.cum_end.append(total)
        self._days += days
        self._limit = self._days * 1440.0

    def _cover(self, t: float) -> None:
        while t >= self._days * 1440.0:
            self._extend(max(400, self._days // 2))

    def worked_array(self, ts: ArrayLike) -> np.ndarray:
        """:meth:`worked` for an array of times at once."""
        times = np.asarray(ts, dtype=float)
        if self.always or times.size == 0:
            return np.array(times, dtype=float)  # a copy
        self._cover(float(times.max()))
        starts = np.asarray(self.starts)
        i = np.searchsorted(starts, times, side="right") - 1
        j = np.clip(i, 0, None)
        out = np.asarray(self.cum)[j] + np.minimum(times, np.asarray(self.ends)[j]) - starts[j]
        return np.asarray(np.where(i < 0, 0.0, out), dtype=float)

    def worked(self, t: float) -> float:
        """Working minutes between the epoch and ``t`` (minutes from the epoch)."""
        if self.always:
            return t
        if t >= self._limit:
            self._cover(t)
        i = bisect.bisect_right(self.starts, t) - 1
        if i < 0:
            return 0.0
        end = self.ends[i]
        return self.cum[i] + ((t if t < end else end) - self.starts[i])

    def at_worked(self, w: float) -> float:
        """The earliest time at which ``w`` working minutes have passed since the epoch."""
        if self.always:
            return w
        while not self.cum_end or w > self.cum_end[-1]:
            self._extend(max(400, self._days // 2))
        i = bisect.bisect_left(self.cum_end, w)
        return self.starts[i] + (w - self.cum[i])

    def add(self, t: float, minutes: float) -> float:
        """``t`` plus ``minutes`` of working time (a task paused overnight resumes next day)."""
        if minutes <= 0:
            return t
        if self.always:
            return t + minutes
        return self.at_worked(self.worked(t) + minutes)

    def next_working(self, t: float) -> float:
        """``t`` if the office works then, else when it opens next."""
        if self.always:
            return t
        if t >= self._limit:
            self._cover(t)
        i = bisect.bisect_right(self.starts, t) - 1
        if i >= 0 and t < self.ends[i]:
            return t
        while i + 1 >= len(self.starts):
            self._extend(max(400, self._days // 2))
        return self.starts[i + 1]

    def work(self, t: float, minutes: float) -> tuple[float, float]:
        """When work taken up at ``t`` starts and ends: ``(next_working(t), that + minutes)``.

        One bisection when the work fits in the working interval it starts in (most
        tasks), which is what the simulator asks for every task.
        """
        if self.always:
            return t, t + minutes
        low, high = self._span  # most work is taken up in the interval the last one was
        if low <= t < high:
            end = t + minutes
            if end <= high:
                return t, end
        if t >= self._limit:
            self._cover(t)
        starts = self.starts
        i = bisect.bisect_right(starts, t) - 1
        if i < 0 or t >= self.ends[i]:
            while i + 1 >= len(starts):
                self._extend(max(400, self._days // 2))
            i += 1
            t = starts[i]
        # a 24/7 calendar's last interval may grow later (_extend merges the midnight
        # seam): a remembered end that is too early only sends a call down this path
        self._span = (starts[i], self.ends[i])
        end = t + minutes
        if end <= self.ends[i]:
            return t, end
        return t, self.at_worked(self.cum[i] + (t - starts[i]) + minutes)

    def to_datetime(self, t: float) -> dt.datetime:
        return self.epoch + dt.timedelta(minutes=t)

    def to_minutes(self, when: dt.datetime) -> float:
        return (_naive(when) - self.epoch).total_seconds() / 60.0


def _naive(when: dt.datetime) -> dt.datetime:
    if isinstance(when, dt.date) and not isinstance(when, dt.datetime):
        when = dt.datetime.combine(when, dt.time())
    return when.replace(tzinfo=None)


@dataclass(frozen=True)
class Calendar:
    """Weekly working hours plus holidays.

    Attributes
    ----------
    hours : tuple
        Per weekday (Monday first), the working time ranges as minutes from midnight.
    holidays : frozenset of datetime.date
        Days nobody works.
    """

    hours: _Hours = INDONESIA_HOURS
    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    _clocks: dict[dt.date, WorkingClock] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    @classmethod
    def indonesia(cls, years: Iterable[str] = SHIPPED_HOLIDAYS) -> Calendar:
        """Keppres 68/1995 office hours with the shipped national holidays and cuti bersama."""
        return cls(INDONESIA_HOURS, frozenset(d for y in years for d, _, _ in holiday_set(y)))

    @classmethod
    def always(cls) -> Calendar:
        return cls(ALWAYS_HOURS, frozenset())

    def shifted(self, minutes: int) -> Calendar:
        """The same office hours seen from a clock ``minutes`` ahead (negative: behind).

        An office in WITA (UTC+8) working 07:30-16:00 works 06:30-15:00 on a WIB clock:
        ``shifted(-60)``. Holidays stay whole dates of the office's own zone.
        """
        if not minutes:
            return self
        return Calendar(_shift_hours(self.hours, minutes), self.holidays)

    @property
    def around_the_clock(self) -> bool:
        """Every hour of every day counts (a Prosimos import: each person has their own)."""
        return self.hours == ALWAYS_HOURS and not self.holidays

    @property
    def working_minutes_per_day(self) -> float:
        """Mean working minutes of a working weekday (450 for Indonesian office hours)."""
        days = [sum(b - a for a, b in spans) for spans in self.hours if spans]
        return sum(days) / len(days)

    def clock(self, epoch: dt.datetime) -> WorkingClock:
        """A :class:`WorkingClock` measuring minutes from midnight of ``epoch``'s day."""
        key = _naive(epoch).date()
        if key not in self._clocks:
            self._clocks[key] = WorkingClock(self, dt.datetime.combine(key, dt.time()))
        return self._clocks[key]

    def _clock_for(self, *whens: dt.datetime) -> WorkingClock:
        first = min(_naive(w) for w in whens)
        for day, clock in self._clocks.items():
            if day <= first.date():
                return clock
        # a fixed-ish epoch (the Monday a few weeks before) so repeated calls share a clock
        day = first.date() - dt.timedelta(days=first.weekday() + 28)
        return self.clock(dt.datetime.combine(day, dt.time()))

    def is_working(self, when: dt.datetime) -> bool:
        """Whether the office works at ``when``."""
        when = _naive(when)
        if when.date() in self.holidays:
            return False
        minute = when.hour * 60 + when.minute + when.second / 60
        return any(a <= minute < b for a, b in self.hours[when.weekday()])

    def add_working_time(self, when: dt.datetime, minutes: float) -> dt.datetime:
        """The moment ``minutes`` of working time after ``when``.

        Examples
        --------
        >>> cal = Calendar.indonesia()
        >>> cal.add_working_time(dt.datetime(2025, 1, 9, 15, 30), 60)  # Thursday -> Friday
        datetime.datetime(2025, 1, 10, 8, 0)
        """
        clock = self._clock_for(when)
        return clock.to_datetime(clock.add(clock.to_minutes(when), float(minutes)))

    def next_working_time(self, when: dt.datetime) -> dt.datetime:
        clock = self._clock_for(when)
        return clock.to_datetime(clock.next_working(clock.to_minutes(when)))

    def working_minutes_between(self, a: dt.datetime, b: dt.datetime) -> float:
        clock = self._clock_for(a, b)
        return clock.worked(clock.to_minutes(b)) - clock.worked(clock.to_minutes(a))

    def working_days_between(self, a: dt.datetime, b: dt.datetime) -> float:
        """Working time from ``a`` to ``b`` in working days (negative if ``b`` is earlier).

        Examples
        --------
        >>> cal = Calendar.indonesia()
        >>> cal.working_days_between(dt.datetime(2025, 1, 10, 7, 30), dt.datetime(2025, 1, 13, 7, 30))
        1.0
        """
        return self.working_minutes_between(a, b) / self.working_minutes_per_day
