"""Working patterns in timestamps: sign-off rounds at fixed hours, and weekly working hours.

A head who signs "at 10:00 and 14:00" leaves a clear mark in a log: nearly every start of
that step falls shortly after one of a few times of day, and files that were ready
earlier that day waited for the round although the office was open. A step without rounds
starts whenever its files arrive, spread over the day.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

__all__ = ["Rounds", "detect_rounds", "observed_hours", "hours_text"]

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WINDOW = 90  # minutes after a round time in which its files are started
MIN_STARTS = 10
COVERAGE = 0.9  # share of starts that must fall in the rounds' windows
WAITED = 0.25  # share of starts that waited the same day for their round


@dataclass(frozen=True)
class Rounds:
    """Times of day a step is done in rounds, with the evidence."""

    times: list[str]
    n: int
    coverage: float
    waited: float

    def describe(self) -> str:
        return (f"done in rounds: {self.coverage:.0%} of {self.n} starts within {WINDOW} min "
                f"after {' or '.join(self.times)}, and {self.waited:.0%} of the files had "
                "been ready earlier that day")


def _minute(t: dt.datetime) -> float:
    return t.hour * 60 + t.minute + t.second / 60


def detect_rounds(starts: list[dt.datetime], enabled: list[dt.datetime]) -> Rounds | None:
    """The round times of a step, or None when its starts do not show rounds.

    Candidates are the 5-minute slots of the day holding at least 10% of the starts; the
    busiest are taken until ``COVERAGE`` of the starts fall within ``WINDOW`` minutes after
    one of them (at most four rounds); and at least ``WAITED`` of the starts must be of
    files enabled earlier the same day, before their round (else the slot is just the
    office opening, when the night's files are taken up).
    """
    n = len(starts)
    if n < MIN_STARTS:
        return None
    minutes = [_minute(t) for t in starts]
    slots = Counter(int(m // 5) * 5 for m in minutes)
    candidates = [s for s, k in slots.most_common() if k >= max(3, 0.1 * n)][:4]
    chosen: list[int] = []

    def round_of(m):
        inside = [c for c in chosen if c <= m < c + WINDOW]
        return max(inside) if inside else None

    for c in candidates:
        chosen.append(c)
        covered = sum(round_of(m) is not None for m in minutes) / n
        if covered >= COVERAGE:
            break
    else:
        return None
    waited = 0
    for t, e, m in zip(starts, enabled, minutes, strict=True):
        r = round_of(m)
        if r is not None and e.date() == t.date() and _minute(e) <= r - 30:
            waited += 1
    if waited / n < WAITED:
        return None
    times = [f"{c // 60:02d}:{c % 60:02d}" for c in sorted(chosen)]
    return Rounds(times, n, covered, waited / n)


def observed_hours(times: list[dt.datetime]) -> dict[str, list[str]]:
    """Weekly hours spanning ``times``: per weekday, earliest to latest, on half hours."""
    spans: dict[int, list[float]] = {}
    for t in times:
        m = _minute(t)
        lo, hi = spans.setdefault(t.weekday(), [m, m])
        spans[t.weekday()] = [min(lo, m), max(hi, m)]
    out = {}
    for d, name in enumerate(_DAYS):
        if d not in spans:
            out[name] = []
            continue
        lo, hi = spans[d]
        a, b = int(lo // 30) * 30, min(int(-(-hi // 30)) * 30, 1440)
        if b <= a:
            b = min(a + 30, 1440)
        out[name] = [f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}"]
    return out


def hours_text(times: list[dt.datetime]) -> str:
    """"Mon-Fri 07:30-15:58 (120 starts)": the weekdays and span of the day worked."""
    if not times:
        return "no logged starts"
    days = sorted({t.weekday() for t in times})
    names = [d.capitalize() for d in _DAYS]
    if days == list(range(days[0], days[-1] + 1)) and len(days) > 2:
        when = f"{names[days[0]]}-{names[days[-1]]}"
    else:
        when = ",".join(names[d] for d in days)
    lo, hi = min(_minute(t) for t in times), max(_minute(t) for t in times)
    return (f"{when} {int(lo) // 60:02d}:{int(lo) % 60:02d}-{int(hi) // 60:02d}:"
            f"{int(hi) % 60:02d} ({len(times)} starts)")
