"""The functions an expression may call, each taking and returning plain values.

:data:`SAFE_FUNCTIONS` is the whole list: nothing else is callable from a BPMN condition
(:mod:`bpengine.expressions` refuses any other call when the text is compiled), and none of
these can reach the interpreter. Their costs are checked by
:class:`bpengine.expression_limits.CostChecks` before they run.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from itertools import chain
from typing import Any

__all__ = ["SAFE_FUNCTIONS"]


def _to_date(value: object = None, month: object = None, day: object = None) -> _dt.date:
    """``date("2025-01-06")``, ``date(2025, 1, 6)`` or the date part of a datetime."""
    if month is not None:
        return _dt.date(int(value), int(month), int(day))  # type: ignore[call-overload]  # int() refusing one is the user's error
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    return _dt.date.fromisoformat(str(value)[:10])


def _to_datetime(value: object) -> _dt.datetime:
    if isinstance(value, _dt.datetime):
        return value
    if isinstance(value, _dt.date):
        return _dt.datetime(value.year, value.month, value.day)
    return _dt.datetime.fromisoformat(str(value))


def _days_between(start: object, end: object) -> int:
    return (_to_date(end) - _to_date(start)).days


def _sum(items: Iterable[Any], start: Any = 0) -> Any:
    """``sum``; lists and texts are joined in one pass (``sum(lists, [])`` is quadratic)."""
    items = list(items)
    if isinstance(start, (list, tuple)):
        return type(start)(chain(start, *items))
    if isinstance(start, str):
        raise TypeError("sum() can't sum strings")
    return sum(items, start)


# The only callables an expression can reach. Each takes plain values and returns plain
# values; none can reach the interpreter.
SAFE_FUNCTIONS: dict[str, Any] = {
    "len": len,
    "min": min,
    "max": max,
    "abs": abs,
    "round": round,
    "int": int,
    "float": float,
    "str": str,
    "bool": bool,
    "sum": _sum,
    "any": any,
    "all": all,
    "date": _to_date,
    "datetime": _to_datetime,
    "days": lambda n: _dt.timedelta(days=n),
    "hours": lambda n: _dt.timedelta(hours=n),
    "days_between": _days_between,
    "duration": lambda text: _duration(text),
}


def _duration(text: str) -> _dt.timedelta:
    from .timers import parse_duration  # the timer-value home, which imports this module

    return parse_duration(text)
