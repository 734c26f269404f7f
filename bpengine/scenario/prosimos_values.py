"""Reading the values of a Prosimos parameter file: checked access, distributions, calendars.

Every accessor names the JSON path of what it reads (``resource_profiles[0].resource_list
[2].amount``) in the :class:`~bpengine.errors.ScenarioError` it raises, so a malformed file
is refused in one line, never with a traceback. Distributions follow pix-framework, which
Prosimos 2.1.0 samples through: parameters in seconds, values below zero or outside
``[min, max]`` drawn again, and a distribution that can never give an allowed value
replaced by the fixed value Prosimos falls back to (with a note saying so).
"""

from __future__ import annotations

import math
from typing import Any

from ..errors import ScenarioError
from ..i18n import _
from .calendar import Calendar
from .distributions import Distribution

__all__ = [
    "obj",
    "items",
    "text",
    "number",
    "only_keys",
    "prosimos_distribution",
    "prosimos_calendar",
    "branch_rule",
    "WEEKDAYS",
]

WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
_DURATIONS = (
    "fix",
    "expon",
    "norm",
    "uniform",
    "lognorm",
    "gamma",
    "exponnorm",
    "histogram_sampling",
)


def obj(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ScenarioError(
            _("{where}: expected a JSON object, got {kind}").format(where=where, kind=_kind(value))
        )
    return value


def items(value: object, where: str, required: bool = False) -> list[Any]:
    if value is None and not required:
        return []
    if value == {} and "." not in where and "[" not in where:
        return []  # an empty section written as {} (Optimos writes "event_distribution": {})
    if isinstance(value, dict) and "." not in where and "[" not in where:
        # resource_profiles, task_resource_distribution, ... keyed by id: the pre-2.0
        # format (QBP/BIMP conversions), whose distribution parameters are scipy's
        raise ScenarioError(
            _(
                "{where}: a mapping by id is the pre-2.0 Prosimos format (as "
                "QBP/BIMP conversions write it, with scipy parameters); Prosimos "
                "2.x and bpengine read a list of entries"
            ).format(where=where)
        )
    if not isinstance(value, list):
        raise ScenarioError(
            _("{where}: expected a JSON list, got {kind}").format(where=where, kind=_kind(value))
        )
    return value


def text(value: object, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)) or str(value) == "":
        raise ScenarioError(
            _("{where}: expected a non-empty name or id, got {kind}").format(
                where=where, kind=_kind(value)
            )
        )
    return str(value)


def number(value: object, where: str, low: float | None = None) -> float:
    """A finite number (numbers given as strings, as QBP exports do, are read too)."""
    if isinstance(value, bool):
        raise ScenarioError(
            _("{where}: expected a number, got {value!r}").format(where=where, value=value)
        )
    try:
        out = float(value)  # type: ignore[arg-type]  # anything float() refuses is reported
    except (TypeError, ValueError, OverflowError):
        raise ScenarioError(
            _("{where}: expected a number, got {kind}").format(where=where, kind=_kind(value))
        ) from None
    if math.isnan(out) or out == -math.inf:  # +inf is a fine "no maximum"
        raise ScenarioError(
            _("{where}: expected a finite number, got {value!r}").format(where=where, value=value)
        )
    if low is not None and out < low:
        raise ScenarioError(
            _("{where}: must be at least {low:g}, got {value!r}").format(
                where=where, low=low, value=value
            )
        )
    return out


def only_keys(entry: dict[str, Any], where: str, allowed: tuple[str, ...]) -> None:
    """Refuse a key bpengine does not read, naming it (never ignore one silently)."""
    for key in entry:
        if key not in allowed:
            raise ScenarioError(
                _("{where}.{key}: not a key bpengine reads here ({allowed})").format(
                    where=where, key=key, allowed=", ".join(allowed)
                )
            )


def _kind(value: object) -> str:
    if value is None:
        return "null"
    shown = repr(value)
    return f"{type(value).__name__} {shown if len(shown) <= 40 else shown[:37] + '...'}"


def _param(params: list[Any], i: int, where: str) -> float:
    """The i-th distribution parameter in seconds: ``{"value": x}`` or a bare number."""
    if i >= len(params):
        raise ScenarioError(
            _("{where}.distribution_params: needs at least {i} values, got {n_params}").format(
                where=where, i=i + 1, n_params=len(params)
            )
        )
    item = params[i]
    if isinstance(item, dict):
        if "value" not in item:
            raise ScenarioError(
                _("{where}.distribution_params[{i}]: missing 'value'").format(where=where, i=i)
            )
        item = item["value"]
    return number(item, f"{where}.distribution_params[{i}]")


# the parameters of each distribution, in the order Prosimos (pix-framework) reads them
_PARAMS = {
    "fix": ("value",),
    "expon": ("mean", "min", "max"),
    "norm": ("mean", "std", "min", "max"),
    "uniform": ("min", "max"),
    "lognorm": ("mean", "variance", "min", "max"),
    "gamma": ("mean", "variance", "min", "max"),
    "exponnorm": ("K", "loc", "scale", "min", "max"),
}


def _params(spec: dict[str, Any], name: str, where: str) -> list[Any]:
    """The distribution's parameters, all of those it takes (pix-framework 2.1.0 reads
    them all: one missing is an IndexError there)."""
    params = items(spec.get("distribution_params"), f"{where}.distribution_params", True)
    needed = _PARAMS[name]
    if len(params) < len(needed):
        raise ScenarioError(
            _("{where}.distribution_params: {name} takes {n} values ({names}), got {got}").format(
                where=where, name=name, n=len(needed), names=", ".join(needed), got=len(params)
            )
        )
    return params


def _fallback(mean: float | None, low: float | None, high: float | None) -> float:
    """pix-framework's value for a distribution that never draws inside its limits."""
    value = mean if mean is not None and mean >= 0 else None
    if low is not None and high is not None and (value is None or not low <= value <= high):
        value = low + (high - low) / 2
    return 0.0 if value is None or value < 0 else value


def prosimos_distribution(
    spec: object, where: str, notes: list[str] | None = None, unit: float = 60.0
) -> Distribution:
    """A Prosimos distribution as a :class:`Distribution` (seconds / ``unit``: minutes).

    ``notes`` collects what was approximated (a degenerate distribution replaced by the
    fixed value Prosimos falls back to); ``unit=1`` reads plain numbers (case attributes).
    """
    spec = obj(spec, where)
    notes = notes if notes is not None else []
    only_keys(
        spec,
        where,
        (
            "distribution_name",
            "distribution_params",
            "histogram_data",
            "resource_id",
            "task_id",
            "event_id",
        ),
    )
    name = spec.get("distribution_name")
    if name not in _DURATIONS:
        raise ScenarioError(
            _(
                "{where}.distribution_name: {name!r} is not a Prosimos "
                "distribution bpengine reads ({known})"
            ).format(where=where, name=name, known=", ".join(_DURATIONS))
        )
    if name == "histogram_sampling":
        return _histogram(spec.get("histogram_data"), f"{where}.histogram_data", unit)
    params = _params(spec, name, where)

    def v(i: int) -> float:
        return _param(params, i, where) / unit

    if name == "fix":
        value = v(0)
        if value < 0:  # pix draws again while negative: a negative constant never ends
            raise ScenarioError(
                _("{where}: a fixed duration cannot be negative ({value:g})").format(
                    where=where, value=value * unit
                )
            )
        return _bounded(Distribution("fixed", (value,)), value, where, notes, unit)
    if name == "exponnorm":  # scipy's form, as Simod wrote it: K, loc, scale, min, max
        k, loc, scale, low, high = v(0) * unit, v(1), v(2), v(3), v(4)
        if k <= 0 or scale <= 0:
            raise ScenarioError(
                _("{where}: exponnorm needs K > 0 and scale > 0").format(where=where)
            )
        return _bounded(
            Distribution("exponnorm", (k, loc, scale), max(low, 0.0), high),
            loc + k * scale,
            where,
            notes,
            unit,
        )
    if name == "uniform":
        low, high = v(0), v(1)
        return _bounded(
            Distribution("uniform", (low, high), max(low, 0.0), high), None, where, notes, unit
        )
    if name == "expon":
        mean, low, high = v(0), v(1), v(2)
        scale = mean - low
        if scale < 0:
            notes.append(
                f"{where}: expon mean {mean * unit:g} is below its min {low * unit:g}; "
                "the mean is used as the scale above the min, as Prosimos does"
            )
            scale = mean
        return _bounded(
            Distribution("exponential", (max(scale, 0.0),), max(low, 0.0), high, shift=low),
            mean,
            where,
            notes,
            unit,
        )
    mean, spread, low, high = v(0), v(1), v(2), v(3)
    if name == "norm":
        if spread < 0:
            raise ScenarioError(
                _("{where}: norm needs a standard deviation >= 0").format(where=where)
            )
        return _bounded(
            Distribution("normal", (mean, spread), max(low, 0.0), high), mean, where, notes, unit
        )
    variance = _param(params, 1, where) / unit / unit
    if variance < 0:
        raise ScenarioError(
            _("{where}: {name} needs a variance >= 0").format(where=where, name=name)
        )
    # pix-framework takes log(mean^2 / ...) and divides by the variance: a zero (or, in
    # floating point, vanishing) mean or variance cannot be drawn from
    if mean <= 1e-9 or variance <= 1e-12 or variance / (mean * mean) > 1e12:
        notes.append(
            f"{where}: {name} with mean {mean * unit:g} and variance "
            f"{variance * unit * unit:g} cannot be sampled; its fixed value "
            f"{max(mean, 0.0) * unit:g} is used"
        )
        return _bounded(
            Distribution("fixed", (min(max(mean, low, 0.0), high),)), mean, where, notes, unit
        )
    kind = "lognormal" if name == "lognorm" else "gamma"
    return _bounded(
        Distribution(kind, (mean, math.sqrt(variance)), max(low, 0.0), high),
        mean,
        where,
        notes,
        unit,
    )


#: Above this mean (minutes, about 19 years) a duration is a unit mistake, and a
#: simulation of it would only fill memory with working-time intervals.
LONGEST_MEAN = 1e7


def _bounded(
    dist: Distribution, mean: float | None, where: str, notes: list[str], unit: float
) -> Distribution:
    """``dist``, or Prosimos' fixed fallback when no value can fall within its limits."""
    if min(dist.mean, dist.high) > LONGEST_MEAN:
        raise ScenarioError(
            _(
                "{where}: a mean of {mean:g} is over 19 years; Prosimos durations are in seconds"
            ).format(where=where, mean=dist.mean * unit)
        )
    low, high = dist.low, dist.high
    lowest = (
        dist.shift
        if dist.kind == "exponential"
        else (dist.params[0] if dist.kind == "uniform" else -math.inf)
    )
    highest = dist.params[1] if dist.kind == "uniform" else math.inf
    if high < low or high < lowest or low > highest or high < 0:
        value = _fallback(mean, low, high)
        notes.append(
            f"{where}: no value can fall within min {low * unit:g} and max "
            f"{high * unit:g}; the fixed value {value * unit:g} is used, as Prosimos "
            "does after 100 tries"
        )
        return Distribution("fixed", (value,))
    return dist


def _histogram(data: object, where: str, unit: float) -> Distribution:
    data = obj(data, where)
    cdf = [
        number(x, f"{where}.cdf[{i}]")
        for i, x in enumerate(items(data.get("cdf"), f"{where}.cdf", True))
    ]
    mids = [
        number(x, f"{where}.bin_midpoints[{i}]") / unit
        for i, x in enumerate(items(data.get("bin_midpoints"), f"{where}.bin_midpoints", True))
    ]
    if not cdf or len(cdf) != len(mids):
        raise ScenarioError(
            _("{where}: cdf and bin_midpoints need the same, non-zero length").format(where=where)
        )
    if (
        any(b < a for a, b in zip(cdf, cdf[1:], strict=False))
        or not 0 <= cdf[0]
        or abs(cdf[-1] - 1) > 1e-6
    ):
        raise ScenarioError(_("{where}.cdf: must rise from >= 0 to 1").format(where=where))
    if min(mids) < 0:
        raise ScenarioError(
            _("{where}.bin_midpoints: a duration cannot be negative").format(where=where)
        )
    if max(mids) > LONGEST_MEAN:
        raise ScenarioError(
            _("{where}.bin_midpoints: over 19 years; Prosimos durations are in seconds").format(
                where=where
            )
        )
    return Distribution("histogram", (*cdf, *mids))


def _time(value: object, where: str) -> int:
    try:
        parts = str(value).split(":")
        if not 2 <= len(parts) <= 3:
            raise ValueError
        h, m, s = int(parts[0]), int(parts[1]), float(parts[2]) if len(parts) > 2 else 0.0
        if not (0 <= h <= 24 and 0 <= m < 60 and 0 <= s < 60):
            raise ValueError
    except ValueError:
        raise ScenarioError(
            _("{where}: {value!r} is not a time like '08:00:00'").format(where=where, value=value)
        ) from None
    minutes = h * 60 + m + s / 60
    return 1440 if minutes >= 1439.98 else int(round(minutes))  # 23:59:59.999 = midnight


def prosimos_calendar(periods: object, where: str) -> Calendar:
    """Prosimos ``time_periods`` (from/to weekday, begin/end time) as a :class:`Calendar`."""
    week: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    for i, p in enumerate(items(periods, where, True)):
        w = f"{where}[{i}]"
        p = obj(p, w)
        only_keys(p, w, ("from", "to", "beginTime", "endTime"))
        try:
            a, b = WEEKDAYS.index(str(p["from"]).upper()), WEEKDAYS.index(str(p["to"]).upper())
        except (KeyError, ValueError):
            raise ScenarioError(
                _("{w}: from/to must be weekdays like MONDAY").format(w=w)
            ) from None
        start, end = (
            _time(p.get("beginTime"), f"{w}.beginTime"),
            _time(p.get("endTime"), f"{w}.endTime"),
        )
        if end <= start:
            raise ScenarioError(
                _("{w}: endTime {end!r} is not after beginTime {begin!r}").format(
                    w=w, end=p.get("endTime"), begin=p.get("beginTime")
                )
            )
        days = range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)]
        for d in days:
            week[d].append((start, end))
    if not any(week):
        raise ScenarioError(_("{where}: the calendar has no working time").format(where=where))
    merged = []
    for spans in week:
        spans.sort()
        out: list[tuple[int, int]] = []
        for s, e in spans:
            if out and s <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], e))
            else:
                out.append((s, e))
        merged.append(tuple(out))
    return Calendar(tuple(merged), frozenset())


_COMPARISONS = {">": ">", ">=": ">=", "<": "<", "<=": "<=", "=": "==", "==": "==", "!=": "!="}


def branch_rule(
    rules: object,
    where: str,
    numeric: dict[str, bool | None],
    optional: frozenset[str] = frozenset(),
) -> str:
    """A Prosimos branch rule (OR of ANDs of ``attribute comparison value``) as a condition.

    The condition is text for the safe evaluator (:mod:`bpengine.expressions`), which the
    simulator compiles; names are checked here, so it always reads.

    ``numeric`` tells which case attributes are numbers (continuous) and which are labels
    (discrete); ``optional`` names those a case may not have when the rule is read (set by
    a task on some paths only): Prosimos finds a rule on one false, so its comparisons read
    ``name is not None and ...`` (the simulator reads a missing name as ``None``); a comparison with a number is numeric, as Prosimos casts it; ``in`` takes
    ``[low, high]`` (``"inf"`` for no upper bound); an attribute no case has is false.
    """
    ors = []
    for i, group in enumerate(items(rules, where, True)):
        ands = []
        for j, rule in enumerate(items(group, f"{where}[{i}]", True)):
            rw = f"{where}[{i}][{j}]"
            rule = obj(rule, rw)
            only_keys(rule, rw, ("attribute", "comparison", "value"))
            name = text(rule.get("attribute"), f"{rw}.attribute")
            if not name.isidentifier() or name.startswith("_"):
                raise ScenarioError(
                    _("{rw}.attribute: {name!r} is not a name conditions can use").format(
                        rw=rw, name=name
                    )
                )
            op, value = rule.get("comparison"), rule.get("value")
            guard = f"{name} is not None and " if name in optional else ""
            if name not in numeric:
                ands.append("False")  # Prosimos: a rule on an attribute no case has fails
            elif op == "in":
                bounds = items(value, f"{rw}.value", True)
                if len(bounds) != 2:
                    raise ScenarioError(_("{rw}.value: 'in' needs [low, high]").format(rw=rw))
                low = number(bounds[0], f"{rw}.value[0]")
                high = math.inf if bounds[1] == "inf" else number(bounds[1], f"{rw}.value[1]")
                ands.append(
                    guard + f"{low!r} <= {name}" + (f" <= {high!r}" if high < math.inf else "")
                )
            elif op in _COMPARISONS:
                number_like = numeric[name]
                if number_like is None:  # a computed attribute: as the value reads
                    try:
                        number(value, rw)
                        number_like = True
                    except ScenarioError:
                        number_like = False
                if number_like:
                    literal = repr(number(value, f"{rw}.value"))
                else:
                    literal = repr(text(value, f"{rw}.value"))
                ands.append(guard + f"{name} {_COMPARISONS[op]} {literal}")
            else:
                raise ScenarioError(
                    _("{rw}.comparison: {op!r} is not one of {choices}").format(
                        rw=rw, op=op, choices=", ".join([*_COMPARISONS, "in"])
                    )
                )
        if not ands:
            raise ScenarioError(_("{where}[{i}]: an empty group of rules").format(where=where, i=i))
        ors.append("(" + " and ".join(ands) + ")")
    if not ors:
        raise ScenarioError(_("{where}: no rules").format(where=where))
    return " or ".join(ors)
