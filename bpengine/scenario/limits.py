"""Limits on what a scenario or a simulation run may ask for, checked before the work starts.

A scenario comes from outside like a model does, and a few characters can ask for hours of
work or gigabytes of memory: ``--cases 1000000000``, ``staff: 1000000000``, ``repeat:
0.9999999`` (a loop that practically never ends), ``.nan`` for a duration, a leave range
from year 1 to 9999, a YAML alias bomb. Every such request is refused here with one line
naming the key or option, the value and the limit, before anything is allocated.

The limits are module settings with safe defaults; an application that really needs more
sets them once at start-up (``bpengine.scenario.limits.MAX_CASES = 5_000_000``). Each one is
read when it is checked, so a change takes effect at once. SCENARIO.md lists them.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TypeVar

from ..errors import ScenarioError
from ..i18n import _

N = TypeVar("N", int, float)

__all__ = [
    "MAX_SCENARIO_BYTES",
    "MAX_PROSIMOS_BYTES",
    "MAX_YAML_NODES",
    "MAX_YAML_DEPTH",
    "MAX_NUMBER_DIGITS",
    "MAX_CASES",
    "MAX_SWEEP_POINTS",
    "MAX_REPLICATIONS",
    "MAX_TOTAL_CASES",
    "MAX_STAFF",
    "MAX_INSTANCES",
    "MAX_REPEAT",
    "MAX_MAGNITUDE",
    "MAX_DURATION_MINUTES",
    "MAX_HORIZON_YEARS",
    "YEARS",
    "MAX_LOG_BYTES",
    "MAX_MESSAGE",
    "finite",
    "check_count",
    "check_date",
    "check_run",
    "shorten",
    "horizon_error",
]

#: Largest scenario YAML file (bytes); shipped ones are under 20 KB. The checking YAML loader
#: is PyYAML's pure-Python one (about 150 KB a second under load), so this bounds the time
#: as well as the memory: a 0.9 MB file took 6.6 s to parse at load 15 (QA, issue #16).
MAX_SCENARIO_BYTES = 256 * 1024
#: Largest Prosimos JSON file (bytes; JSON is parsed in C, fifty times faster).
MAX_PROSIMOS_BYTES = 20 * 1024 * 1024
#: Nodes of a YAML document once its aliases are expanded (an alias bomb stops here).
MAX_YAML_NODES = 20_000  # a 300-task scenario has about 2,000; counted as they are read
#: Nesting of YAML collections (a scenario is 5 deep; 20,000 ``[`` would exhaust the stack).
MAX_YAML_DEPTH = 50
#: Digits of a whole number in YAML or JSON (staff, cases and seconds need a dozen).
MAX_NUMBER_DIGITS = 30
#: Measured cases of one replication (``--cases``).
MAX_CASES = 1_000_000
#: Points of a sweep (``sweep --vary``: one range, and all combinations of several).
MAX_SWEEP_POINTS = 1_000
#: Replications of one run (``--replications``).
MAX_REPLICATIONS = 1_000
#: Cases simulated by one run, warm-up included, over all replications.
MAX_TOTAL_CASES = 20_000_000
#: People in one lane (``lanes.X.staff`` or the length of ``lanes.X.people``).
MAX_STAFF = 10_000
#: Instances of one multi-instance activity (``tasks.X.instances``: mean, and the cap).
MAX_INSTANCES = 10_000
#: Chance of one more round of a repeated task (``tasks.X.repeat``): 0.99 is 100 rounds
#: on average; 0.9999999 would be ten million and never finish.
MAX_REPEAT = 0.99
#: Largest magnitude of a generated case-data number (``data.X``): a uniform from -1e308 to
#: 1e308 has no width a float can hold.
MAX_MAGNITUDE = 1e15
#: Longest single duration (10 years of minutes).
MAX_DURATION_MINUTES = 10 * 366 * 24 * 60
#: Simulated time a run may span from its start (the working clock stops there).
MAX_HORIZON_YEARS = 200
#: Dates a scenario may name (start, holidays, leave): first and last year.
YEARS = (1900, 2200)
#: Largest event log read (bytes, decompressed for ``.xes.gz``).
MAX_LOG_BYTES = 2 * 1024 * 1024 * 1024
#: Characters of a value quoted in an error message (the rest is elided).
MAX_MESSAGE = 80


def shorten(value: object, limit: int | None = None) -> str:
    """``repr(value)`` cut to :data:`MAX_MESSAGE` characters, for error messages.

    An aliased YAML value can print as hundreds of megabytes; an error names it, it does
    not reproduce it.

    >>> shorten("x" * 500, 12)
    "'xxxxxxxxxx…"
    """
    limit = MAX_MESSAGE if limit is None else limit
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        return _("a number of {digits} digits").format(digits=_digits(value))
    text = (
        repr(value) if not isinstance(value, (list, dict, tuple)) else _bounded_repr(value, limit)
    )
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _digits(value: int) -> int:
    return int(abs(value).bit_length() * math.log10(2)) + 1


def _bounded_repr(value: object, limit: int) -> str:
    """repr of a nested collection, stopping once ``limit`` characters are written."""
    out: list[str] = []
    size = 0
    stack = [value]
    while stack and size <= limit:
        item = stack.pop()
        if isinstance(item, _Token):
            piece = str(item)
        elif isinstance(item, (list, tuple)):
            opener, closer = ("[", "]") if isinstance(item, list) else ("(", ")")
            stack.append(_Token(closer))
            for k in range(len(item) - 1, -1, -1):
                stack.append(item[k])
                if k:
                    stack.append(_Token(", "))
            piece = opener
        elif isinstance(item, dict):
            stack.append(_Token("}"))
            pairs = list(item.items())
            for k in range(len(pairs) - 1, -1, -1):
                stack.append(pairs[k][1])
                stack.append(_Token(": "))
                stack.append(pairs[k][0])
                if k:
                    stack.append(_Token(", "))
            piece = "{"
        else:
            piece = shorten(item, limit)
        out.append(piece)
        size += len(piece)
    return "".join(out)


class _Token(str):
    """Punctuation pushed on :func:`_bounded_repr`'s stack (not a value to quote)."""


def finite(
    value: object,
    where: str,
    *,
    low: float | None = None,
    high: float | None = None,
    integer: bool = False,
) -> float:
    """``value`` as a finite number within ``[low, high]``, or refuse naming ``where``.

    Refuses booleans, text, NaN, infinities and numbers too large for a float, which
    would otherwise run a simulation on a silent NaN or overflow a date.

    >>> finite(3, "lanes.A.staff", low=1, high=10, integer=True)
    3
    >>> finite(float("nan"), "tasks.T")
    Traceback (most recent call last):
    bpengine.errors.ScenarioError: tasks.T: expected a finite number, got nan
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ScenarioError(
            _("{where}: expected a number, got {value}").format(where=where, value=shorten(value))
        )
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise ScenarioError(
            _("{where}: expected a finite number, got {value}").format(
                where=where, value=shorten(value)
            )
        )
    if integer and int(value) != value:
        raise ScenarioError(
            _("{where}: expected a whole number, got {value}").format(
                where=where, value=shorten(value)
            )
        )
    if low is not None and number < low:
        raise ScenarioError(
            _("{where}: must be at least {low}, got {value}").format(
                where=where, low=low, value=shorten(value)
            )
        )
    if high is not None and number > high:
        raise ScenarioError(
            _("{where}: {value} is above the limit of {high}").format(
                where=where, value=shorten(value), high=high
            )
        )
    return int(value) if integer else number


def check_count(value: N, where: str, limit: int, setting: str) -> N:
    """``value`` if it is at most ``limit``; else refuse naming the setting to raise."""
    if value > limit:
        raise ScenarioError(
            _(
                "{where}: {value} is above the limit of {limit} (the setting "
                "bpengine.scenario.limits.{setting})"
            ).format(where=where, value=shorten(value), limit=limit, setting=setting)
        )
    return value


def check_date(day: dt.date, where: str) -> dt.date:
    """``day`` if its year is within :data:`YEARS`."""
    first, last = YEARS
    if not first <= day.year <= last:
        raise ScenarioError(
            _("{where}: {day} is out of range (dates from {first} to {last})").format(
                where=where, day=day.isoformat(), first=first, last=last
            )
        )
    return day


def check_run(
    cases: int,
    replications: int,
    warm: int,
    minutes_between_cases: float | None = None,
    working_minutes_per_year: float | None = None,
) -> None:
    """Refuse a run larger than the limits before simulating anything.

    ``minutes_between_cases`` (mean working minutes between arrivals) and
    ``working_minutes_per_year`` estimate how long the run spans; one that would pass
    :data:`MAX_HORIZON_YEARS` is refused here instead of part way through.
    """
    check_count(cases, "cases", MAX_CASES, "MAX_CASES")
    check_count(replications, "replications", MAX_REPLICATIONS, "MAX_REPLICATIONS")
    total = (cases + warm) * replications
    if total > MAX_TOTAL_CASES:
        raise ScenarioError(
            _(
                "cases: {cases} cases (warm-up included) x {reps} replications "
                "is {total} cases, above the limit of {limit} (the setting "
                "bpengine.scenario.limits.MAX_TOTAL_CASES)"
            ).format(cases=cases + warm, reps=replications, total=total, limit=MAX_TOTAL_CASES)
        )
    if minutes_between_cases and working_minutes_per_year:
        years = (cases + warm) * minutes_between_cases / working_minutes_per_year
        if years > MAX_HORIZON_YEARS:
            raise ScenarioError(
                _(
                    "cases: {cases} arrivals, one every {gap:.4g} working minutes "
                    "on average, span about {years:.4g} years, above the limit "
                    "of {limit} years (the setting bpengine.scenario.limits."
                    "MAX_HORIZON_YEARS); simulate fewer cases or arrive them "
                    "faster"
                ).format(
                    cases=cases + warm,
                    gap=minutes_between_cases,
                    years=years,
                    limit=MAX_HORIZON_YEARS,
                )
            )


def horizon_error(epoch: dt.datetime) -> ScenarioError:
    """The error of a working clock asked to run past :data:`MAX_HORIZON_YEARS`."""
    return ScenarioError(
        _(
            "the simulated time passed {years} years after {start} (the setting bpengine.scenario."
            "limits.MAX_HORIZON_YEARS): some duration, hand-over or time between cases is far too "
            "long for an office procedure"
        ).format(years=MAX_HORIZON_YEARS, start=epoch.date().isoformat())
    )
