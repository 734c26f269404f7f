"""Timer values of a model: ISO-8601 durations, dates and repeating cycles, checked in range.

A timer's ``timeDuration``, ``timeDate`` or ``timeCycle`` is either a literal (``P3D``,
``2025-01-06T08:00:00``, ``R3/PT1H``) or an expression over case data (``${batas_waktu}``,
evaluated by :mod:`bpengine.expressions`). :func:`check_timer` says, before any case runs,
whether a timer can ever give a value: a literal must parse and stay within
:attr:`~bpengine.expressions.ExpressionLimits.max_timer_days` (``P99999999999D`` would
overflow the calendar), an expression must compile.

Examples
--------
>>> parse_duration("P3D")
datetime.timedelta(days=3)
>>> check_timer("timeCycle", "R3/PT1H")
>>> try:
...     check_timer("timeDuration", "P99999999999D")
... except ExpressionLimitError as exc:
...     print(exc.limit)
max_timer_days
"""

from __future__ import annotations

import datetime as _dt
import re

from .errors import ExpressionError, ExpressionLimitError
from .expression_syntax import strip_wrapper
from .expressions import DEFAULT_LIMITS, ExpressionLimits, compile_expression
from .i18n import _

__all__ = ["parse_duration", "first_wait_minutes", "check_timer", "TIMER_KINDS"]

#: The three ways BPMN writes a timer.
TIMER_KINDS = ("timeDuration", "timeDate", "timeCycle")
_DURATION = re.compile(
    r"^P(?:(?P<weeks>\d+(?:[.,]\d+)?)W)?(?:(?P<days>\d+(?:[.,]\d+)?)D)?"
    r"(?:T(?:(?P<hours>\d+(?:[.,]\d+)?)H)?(?:(?P<minutes>\d+(?:[.,]\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:[.,]\d+)?)S)?)?$"
)
# A cycle's period may use years and months (SpiffWorkflow counts them on the calendar).
_PERIOD = re.compile(
    r"^P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:[.,]\d+)?)S)?)?$"
)
_DAYS = {
    "years": 366.0,
    "months": 31.0,
    "weeks": 7.0,
    "days": 1.0,
    "hours": 1 / 24,
    "minutes": 1 / 1440,
    "seconds": 1 / 86400,
}


def _unquote(text: str) -> str:
    raw = strip_wrapper(str(text)).strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        raw = raw[1:-1].strip()
    return raw


def _in_range(text: str, parts: dict[str, str], limits: ExpressionLimits) -> None:
    """Refuse a duration longer than the limit, before a timedelta can overflow."""
    days = 0.0
    for unit, value in parts.items():
        if value:
            number = value.replace(",", ".")
            # 20 digits of days is far past any limit; float() of more is still instant
            days += (float(number) if len(number) < 20 else float("inf")) * _DAYS[unit]
    if days > limits.max_timer_days:
        raise ExpressionLimitError(
            _("timer value {value!r} lasts longer than {n} days (limit max_timer_days)").format(
                value=text, n=limits.max_timer_days
            ),
            "max_timer_days",
            limits.max_timer_days,
        )


def parse_duration(text: str, limits: ExpressionLimits | None = None) -> _dt.timedelta:
    """Read an ISO-8601 duration (``PT1H``, ``P3D``, ``P1DT2H30M``, ``P2W``), quoted or not.

    Years and months are refused: their length depends on the calendar and a timer
    must be exact.

    Raises
    ------
    ExpressionLimitError
        Longer than ``limits.max_timer_days``.
    ExpressionError
        Not an ISO-8601 duration in weeks, days, hours, minutes and seconds.

    Examples
    --------
    >>> parse_duration("'PT1H30M'")
    datetime.timedelta(seconds=5400)
    """
    limits = limits or DEFAULT_LIMITS
    raw = _unquote(text)
    match = _DURATION.match(raw.upper())
    if not match or raw.upper() in ("P", "PT") or raw.upper().endswith("T"):
        date_part = raw.upper().split("T")[0]
        message = _("timer value {value!r} is not an ISO-8601 duration such as PT1H or P3D")
        if re.search(r"\d[YM]", date_part):
            message = _(
                "timer value {value!r} is not an ISO-8601 duration such as PT1H or P3D "
                "(years and months are not exact; use days)"
            )
        raise ExpressionError(message.format(value=text))
    _in_range(text, match.groupdict(), limits)
    parts = {k: float(v.replace(",", ".")) for k, v in match.groupdict().items() if v}
    return _dt.timedelta(**parts)


def first_wait_minutes(event_value: str | None) -> float:
    """Minutes a timer event waits once reached, from its ``kind:value`` (a model element's
    ``event_value``): a ``timeDuration``, or a ``timeCycle``'s first period (``R3/PT1H``:
    an hour). What the simulator and the analytic lead time both read.

    Raises
    ------
    ExpressionError
        Not a duration (a ``timeDate``, a cron cycle, an empty value).

    Examples
    --------
    >>> first_wait_minutes("timeCycle:R3/PT1H"), first_wait_minutes("timeDuration:P1D")
    (60.0, 1440.0)
    """
    kind, _sep, value = (event_value or "").partition(":")
    if kind == "timeCycle" and value.startswith("R"):
        value = value.split("/", 1)[-1]  # R3/PT1H: the first repetition
    return parse_duration(value).total_seconds() / 60.0


def _parse_date(text: str, value: str) -> _dt.datetime:
    try:
        return _dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ExpressionError(
            _(
                "timer value {value!r} is not an ISO-8601 date and time such as 2025-01-06T08:00:00"
            ).format(value=text)
        ) from None


def _check_cycle(text: str, value: str, limits: ExpressionLimits) -> None:
    parts = value.upper().split("/")
    if not re.fullmatch(r"R\d*", parts[0]) or len(parts) not in (2, 3):
        raise ExpressionError(
            _(
                "timer value {value!r} is not an ISO-8601 repeating interval "
                "such as R3/PT1H or R/2025-01-06T08:00:00/P1D (cron is not "
                "supported)"
            ).format(value=text)
        )
    periods = 0
    for part in parts[1:]:
        match = _PERIOD.match(part)
        if match and part not in ("P", "PT") and not part.endswith("T"):
            _in_range(text, match.groupdict(), limits)
            periods += 1
        else:
            _parse_date(text, part)
    if periods != 1:
        raise ExpressionError(
            _(
                "timer value {value!r} needs exactly one period (such as P1D) "
                "besides its start or end"
            ).format(value=text)
        )


def check_timer(kind: str, text: str | None, limits: ExpressionLimits | None = None) -> None:
    """Check a timer's value as the engine will read it; return ``None`` when it can run.

    A literal (a quoted value, or one starting with ``P``, ``R`` or a digit) must parse and
    be in range; anything else is an expression over case data and must compile.

    Raises
    ------
    ExpressionLimitError, ExpressionError
        What is wrong, naming the value.
    """
    limits = limits or DEFAULT_LIMITS
    if kind not in TIMER_KINDS:
        raise ExpressionError(
            _("unknown timer kind {kind!r} (one of {kinds})").format(
                kind=kind, kinds=", ".join(TIMER_KINDS)
            )
        )
    value = _unquote(text or "")
    if not value:
        raise ExpressionError(_("the timer has no {kind} value").format(kind=kind))
    quoted = strip_wrapper(str(text)).strip()[:1] in "'\""
    literal = quoted or value[:1].isdigit() or value[:1] in "PpRr"
    if not literal:
        compile_expression(str(text), limits)
    elif kind == "timeDuration":
        parse_duration(value, limits)
    elif kind == "timeDate":
        _parse_date(str(text), value)
    else:
        _check_cycle(str(text), value, limits)
