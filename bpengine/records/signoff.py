"""Working patterns in timestamps: sign-off rounds at fixed hours, and weekly working hours.

A head who signs "at 10:00 and 14:00" leaves a clear mark in a log: files that were ready
while the head sat idle still waited, and what they waited for was one of a few times of
day. A step without rounds is taken up as soon as someone of its lane is free.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

__all__ = ["Rounds", "detect_rounds", "observed_hours", "hours_text"]

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MIN_STARTS = 10
HELD = 0.3  # share of files held back although someone was free: a step done in rounds
COVERAGE = 0.8  # share of the held-back files the rounds must explain
NOISE = 0.03  # a round explaining fewer of them (and under 5) is noise


@dataclass(frozen=True)
class Rounds:
    """Times of day a step is done in rounds, with the evidence."""

    times: list[str]
    n: int
    held: float
    coverage: float

    def describe(self) -> str:
        return (
            f"done in rounds: {self.held:.0%} of {self.n} files ready while someone of "
            f"the lane was free still waited; {self.coverage:.0%} of those waiting the "
            f"same day waited for {' or '.join(self.times)}"
        )


def _minute(t: dt.datetime) -> float:
    return t.hour * 60 + t.minute + t.second / 60


def detect_rounds(
    enabled: list[dt.datetime], starts: list[dt.datetime], held: list[bool | None], opening=None
) -> Rounds | None:
    """The round times of a step, or None when its files are not held for rounds.

    ``held[k]`` says whether execution ``k`` was *held back*: it was enabled in working
    hours while a performer of its lane sat idle, yet began later (None: unknown). A
    step without rounds is taken up at once when someone is free, so almost nothing is
    held back; a step done in rounds holds most files. Each file held back the same day
    waited across its round: the round lies between its enablement and its start. The
    fewest times of day that lie inside all these waits are found by the classic interval
    stabbing sweep from the latest enablement down, each time placed just after the
    latest file that still waited for it (rounded up to 5 minutes, and moved to the
    office's next opening by ``opening(minute)`` if it falls in a break). Times explaining
    under ``NOISE`` of the waits (or under 5) are noise; the rest must explain ``COVERAGE``
    of them.
    """
    considered = [k for k, h in enumerate(held) if h is not None]
    back = [k for k in considered if held[k]]
    if len(considered) < MIN_STARTS or len(back) < max(5, HELD * len(considered)):
        return None
    waits = sorted(
        (
            (_minute(enabled[k]), _minute(starts[k]))
            for k in back
            if enabled[k].date() == starts[k].date()
        ),
        reverse=True,
    )
    if len(waits) < 5:
        return None
    chosen: list[float] = []
    for e, s in waits:
        if any(e < c <= s for c in chosen):
            continue
        c = float(int(-(-(e + 1e-6) // 5)) * 5)
        if opening is not None:
            c = opening(c)
        if e < c <= s:
            chosen.append(c)
    groups: dict[float, list] = {c: [] for c in chosen}
    for e, s in waits:  # a file goes out with the first round after it was ready
        inside = [c for c in chosen if e < c <= s]
        if inside:
            groups[min(inside)].append((e, s))
    chosen = sorted(
        _round_time(max(e for e, _ in g), min(s for _, s in g), opening)
        for c, g in groups.items()
        if len(g) >= max(5, NOISE * len(waits))
    )[:4]
    coverage = sum(any(e < c <= s for c in chosen) for e, s in waits) / len(waits)
    if not chosen or coverage < COVERAGE:
        return None
    times = [f"{int(c) // 60:02d}:{int(c) % 60:02d}" for c in chosen]
    return Rounds(times, len(considered), len(back) / len(considered), coverage)


def _round_time(lo: float, hi: float, opening) -> float:
    """The time a round most likely was, in (lo, hi]: an office opening (the round taken
    up when the office reopens), else the latest full hour, half hour, or 5 minutes."""
    if opening is not None:
        reopen = opening(lo + 1e-6)
        if lo < reopen <= hi and reopen != lo + 1e-6:
            return reopen
    for step in (60, 30, 5):
        c = (hi // step) * step
        if lo < c <= hi:
            return float(c)
    return float(hi)


def observed_hours(times: list[dt.datetime]) -> dict[str, list[str]]:
    """Weekly hours spanning ``times``: per weekday, earliest to latest, on half hours."""
    spans: dict[int, list[float]] = {}
    for t in times:
        m = _minute(t)
        lo, hi = spans.setdefault(t.weekday(), [m, m])
        spans[t.weekday()] = [min(lo, m), max(hi, m)]
    out: dict[str, Any] = {}
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
    """ "Mon-Fri 07:30-15:58 (120 starts)": the weekdays and span of the day worked."""
    if not times:
        return "no logged starts"
    days = sorted({t.weekday() for t in times})
    names = [d.capitalize() for d in _DAYS]
    if days == list(range(days[0], days[-1] + 1)) and len(days) > 2:
        when = f"{names[days[0]]}-{names[days[-1]]}"
    else:
        when = ",".join(names[d] for d in days)
    lo, hi = min(_minute(t) for t in times), max(_minute(t) for t in times)
    return (
        f"{when} {int(lo) // 60:02d}:{int(lo) % 60:02d}-{int(hi) // 60:02d}:"
        f"{int(hi) % 60:02d} ({len(times)} starts)"
    )
