"""Probability distributions of durations and case data, sampled in batches with numpy.

Every duration is in minutes of working time. A distribution is read from the scenario's
YAML (``{distribution: lognormal, mean: 10 min, sd: 5 min}``, a bare ``15 min`` or a
number) by :func:`parse_distribution`; it samples through a caller's
``numpy.random.Generator``, never the global random state, so a seeded run repeats.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import ScenarioError
from ..i18n import _
from . import limits

__all__ = [
    "Distribution",
    "Choice",
    "Transitions",
    "parse_minutes",
    "parse_distribution",
    "parse_choice",
    "DISTRIBUTIONS",
]

DISTRIBUTIONS = (
    "fixed",
    "exponential",
    "normal",
    "lognormal",
    "triangular",
    "uniform",
    "gamma",
    "empirical",
)

_UNITS = {
    "s": 1 / 60,
    "sec": 1 / 60,
    "second": 1 / 60,
    "seconds": 1 / 60,
    "min": 1.0,
    "mins": 1.0,
    "minute": 1.0,
    "minutes": 1.0,
    "m": 1.0,
    "h": 60.0,
    "hour": 60.0,
    "hours": 60.0,
}
# unit words separated by blanks, matched without backtracking (a line of 100,000 blanks
# before a stray character must fail at once, not after 10^10 steps)
_AMOUNT = re.compile(
    r"^\s*+([-+]?\d++(?:\.\d*+)?|[-+]?\.\d++)\s*+([a-z]++(?:\s++[a-z]++)*+)?\s*+$", re.IGNORECASE
)


def parse_minutes(value: object, where: str, working_day_minutes: float = 450.0) -> float:
    """Read a duration: a number (minutes) or ``"N s|min|h|working day(s)"``.

    Raises
    ------
    ScenarioError
        Naming ``where`` (the scenario key) when the value is not a duration.

    Examples
    --------
    >>> parse_minutes("1.5 h", "x"), parse_minutes(20, "x"), parse_minutes("2 working days", "x")
    (90.0, 20.0, 900.0)
    """
    if isinstance(value, bool):
        raise ScenarioError(
            _("{where}: expected a duration, got {value}").format(where=where, value=repr(value))
        )
    if isinstance(value, (int, float)):
        return _bounded(value, value, where)
    if isinstance(value, str):
        m = _AMOUNT.match(value)
        if m:
            amount, unit = float(m.group(1)), " ".join((m.group(2) or "").lower().split())
            if unit == "":
                return _bounded(amount, value, where)
            if unit in _UNITS:
                return _bounded(amount * _UNITS[unit], value, where)
            if unit in ("working day", "working days", "wd", "day", "days", "d"):
                return _bounded(amount * working_day_minutes, value, where)
    raise ScenarioError(
        _(
            "{where}: {value} is not a duration (a number of minutes, or 'N s', "
            "'N min', 'N h', 'N working days')"
        ).format(where=where, value=limits.shorten(value))
    )


def _bounded(minutes: float, given: object, where: str) -> float:
    """``minutes`` if finite and at most :data:`~.limits.MAX_DURATION_MINUTES` long."""
    try:
        minutes = float(minutes)
    except OverflowError:  # a whole number beyond any float
        minutes = math.inf
    if not math.isfinite(minutes):
        raise ScenarioError(
            _("{where}: expected a finite duration, got {value}").format(
                where=where, value=limits.shorten(given)
            )
        )
    if abs(minutes) > limits.MAX_DURATION_MINUTES:
        raise ScenarioError(
            _(
                "{where}: {value} is longer than the limit of {limit} minutes "
                "(the setting bpengine.scenario.limits.MAX_DURATION_MINUTES)"
            ).format(where=where, value=limits.shorten(given), limit=limits.MAX_DURATION_MINUTES)
        )
    return minutes


@dataclass(frozen=True)
class Distribution:
    """A distribution of non-negative values (minutes for durations).

    Attributes
    ----------
    kind : str
        One of :data:`DISTRIBUTIONS`.
    params : tuple of float
        ``fixed (value,)``, ``exponential (mean,)``, ``normal (mean, sd)``,
        ``lognormal (mean, sd)``, ``triangular (min, mode, max)``, ``uniform (low, high)``,
        ``gamma (mean, sd)``, ``empirical (v1, v2, ...)``; read from Prosimos files only:
        ``exponnorm (K, loc, scale)`` (scipy's exponentially modified normal) and
        ``histogram (cdf_1..cdf_n, midpoint_1..midpoint_n)``.
    low, high : float
        Samples are clipped to this range (Prosimos' min/max).
    """

    kind: str
    params: tuple[float, ...]
    low: float = 0.0
    high: float = math.inf
    shift: float = field(default=0.0)

    @property
    def mean(self) -> float:
        """Expected value (before clipping; exact for unclipped distributions)."""
        p = self.params
        if self.kind in ("fixed", "exponential", "normal", "lognormal", "gamma"):
            base = p[0]
        elif self.kind == "triangular":
            base = sum(p) / 3
        elif self.kind == "uniform":
            base = (p[0] + p[1]) / 2
        elif self.kind == "exponnorm":
            base = p[1] + p[0] * p[2]
        elif self.kind == "histogram":
            n = len(p) // 2
            cdf, mids = np.asarray(p[:n]), np.asarray(p[n:])
            base = float(np.dot(np.diff(cdf, prepend=0.0), mids))
        else:
            base = float(np.mean(p))
        return base + self.shift

    @property
    def variance(self) -> float:
        """Variance (before clipping; exact for unclipped distributions).

        Examples
        --------
        >>> Distribution("uniform", (10.0, 20.0)).variance
        8.333333333333334
        """
        p, k = self.params, self.kind
        if k == "fixed":
            return 0.0
        if k == "exponential":
            return p[0] ** 2
        if k in ("normal", "lognormal", "gamma"):
            return p[1] ** 2
        if k == "uniform":
            return (p[1] - p[0]) ** 2 / 12
        if k == "triangular":
            a, c, b = p
            return (a * a + b * b + c * c - a * b - a * c - b * c) / 18
        return float(np.var(p))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Draw ``n`` values as a float array, truncated to ``[low, high]``.

        Values outside the range are drawn again (truncation, as Prosimos does), a few
        rounds at most; what is still outside after that is clipped.
        """
        out = self._raw(rng, n)
        if self.kind == "fixed":
            return np.asarray(np.clip(out, self.low, self.high), dtype=float)
        for _round in range(8):
            bad = (out < self.low) | (out > self.high)
            count = int(bad.sum())
            if not count:
                return out
            out[bad] = self._raw(rng, count)
        return np.asarray(np.clip(out, self.low, self.high), dtype=float)

    def _raw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        p, k = self.params, self.kind
        if k == "fixed":
            out = np.full(n, p[0], dtype=float)
        elif k == "exponential":
            out = rng.exponential(p[0], n) if p[0] > 0 else np.zeros(n)
        elif k == "normal":
            out = rng.normal(p[0], p[1], n)
        elif k == "lognormal":
            mean, sd = p
            if mean <= 0:
                out = np.zeros(n)
            else:
                sigma2 = math.log1p((sd / mean) ** 2)
                out = rng.lognormal(math.log(mean) - sigma2 / 2, math.sqrt(sigma2), n)
        elif k == "triangular":
            out = rng.triangular(p[0], p[1], p[2], n) if p[2] > p[0] else np.full(n, p[0])
        elif k == "uniform":
            out = rng.uniform(p[0], p[1], n)
        elif k == "gamma":
            mean, sd = p
            if sd <= 0 or mean <= 0:
                out = np.full(n, mean, dtype=float)
            else:
                shape = (mean / sd) ** 2
                out = rng.gamma(shape, sd * sd / mean, n)
        elif k == "exponnorm":
            out = rng.normal(p[1], p[2], n) + rng.exponential(p[0] * p[2], n)
        elif k == "histogram":  # as Prosimos: the midpoint of the bin a uniform draw falls in
            m = len(p) // 2
            idx = np.minimum(np.searchsorted(np.asarray(p[:m]), rng.random(n)), m - 1)
            out = np.asarray(p[m:], dtype=float)[idx]
        else:
            out = rng.choice(np.asarray(p, dtype=float), n)
        if self.shift:
            out = out + self.shift
        return np.asarray(out, dtype=float)

    def to_dict(self) -> dict[str, Any]:
        names = {
            "fixed": ("value",),
            "exponential": ("mean",),
            "normal": ("mean", "sd"),
            "lognormal": ("mean", "sd"),
            "triangular": ("min", "mode", "max"),
            "uniform": ("low", "high"),
            "gamma": ("mean", "sd"),
            "exponnorm": ("K", "loc", "scale"),
        }
        if self.kind == "histogram":
            n = len(self.params) // 2
            return {
                "distribution": "histogram",
                "cdf": list(self.params[:n]),
                "bin_midpoints": list(self.params[n:]),
            }
        if self.kind == "empirical":
            return {"distribution": "empirical", "values": list(self.params)}
        return {"distribution": self.kind, **dict(zip(names[self.kind], self.params, strict=True))}


@dataclass(frozen=True)
class Choice:
    """A categorical case attribute: ``{choice: {tahunan: 0.8, sakit: 0.2}}``."""

    values: tuple[Any, ...]
    probabilities: tuple[float, ...]

    @property
    def mean(self) -> None:
        return None

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        idx = rng.choice(len(self.values), n, p=np.asarray(self.probabilities))
        return np.asarray(self.values, dtype=object)[idx]


_REQUIRED = {
    "fixed": ("value",),
    "exponential": ("mean",),
    "normal": ("mean", "sd"),
    "lognormal": ("mean", "sd"),
    "triangular": ("min", "mode", "max"),
    "uniform": ("low", "high"),
    "gamma": ("mean", "sd"),
}


def parse_distribution(
    spec: object, where: str, *, duration: bool = True, working_day_minutes: float = 450.0
) -> Distribution:
    """Read a distribution from scenario YAML.

    ``duration=True`` reads amounts as durations (units allowed, minutes returned) and
    refuses negative values; ``duration=False`` reads plain numbers (case data).

    Raises
    ------
    ScenarioError
        Naming ``where`` and the offending key: unknown distribution, missing or extra
        parameter, negative duration, ``min > max``.
    """

    def amount(value: object, key: str | None) -> float:
        label = f"{where}.{key}" if key else where
        if duration:
            v = parse_minutes(value, label, working_day_minutes)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            v = limits.finite(value, label, low=-limits.MAX_MAGNITUDE, high=limits.MAX_MAGNITUDE)
        else:
            raise ScenarioError(
                _("{label}: expected a number, got {value}").format(label=label, value=repr(value))
            )
        if duration and v < 0:
            raise ScenarioError(
                _("{label}: a duration cannot be negative ({value})").format(
                    label=label, value=repr(value)
                )
            )
        return v

    if not isinstance(spec, dict):
        return Distribution("fixed", (amount(spec, None),))
    spec = dict(spec)
    kind = _kind(spec, where)
    # durations never go below zero; case data may (a balance, a temperature)
    low = (
        amount(spec.pop("clip_min"), "clip_min")
        if "clip_min" in spec
        else (0.0 if duration else -math.inf)
    )
    high = amount(spec.pop("clip_max"), "clip_max") if "clip_max" in spec else math.inf
    params = _params(kind, spec, where, amount)
    if spec:
        raise ScenarioError(
            _("{where}: unknown key(s) {keys} for a {kind} distribution").format(
                where=where, keys=", ".join(map(str, spec)), kind=kind
            )
        )
    return Distribution(kind, params, low, high)


_ALIASES = {
    "exp": "exponential",
    "expon": "exponential",
    "norm": "normal",
    "lognorm": "lognormal",
    "fix": "fixed",
    "constant": "fixed",
}


def _kind(spec: dict[str, Any], where: str) -> str:
    """The distribution's family, popped from ``spec`` (implied by 'value' or 'values')."""
    kind = spec.pop("distribution", None)
    if kind is None:
        if "value" in spec:
            kind = "fixed"
        elif "values" in spec:
            kind = "empirical"
        else:
            raise ScenarioError(
                _("{where}: missing 'distribution' (one of {names})").format(
                    where=where, names=", ".join(DISTRIBUTIONS)
                )
            )
    kind = _ALIASES.get(str(kind), str(kind))
    if kind not in DISTRIBUTIONS:
        raise ScenarioError(
            _("{where}.distribution: unknown distribution {kind} (use one of {names})").format(
                where=where, kind=repr(kind), names=", ".join(DISTRIBUTIONS)
            )
        )
    return kind


def _params(
    kind: str, spec: dict[str, Any], where: str, amount: Callable[[Any, str | None], float]
) -> tuple[float, ...]:
    """The family's parameters, popped from ``spec`` and checked against each other."""
    if kind == "empirical":
        values = spec.pop("values", None)
        if not isinstance(values, list) or not values:
            raise ScenarioError(
                _(
                    "{where}.values: an empirical distribution needs a non-empty list of values"
                ).format(where=where)
            )
        return tuple(amount(v, f"values[{i}]") for i, v in enumerate(values))
    missing = [k for k in _REQUIRED[kind] if k not in spec]
    if missing:
        raise ScenarioError(
            _("{where}: a {kind} distribution needs {missing}").format(
                where=where, kind=kind, missing=", ".join(missing)
            )
        )
    params = tuple(amount(spec.pop(k), k) for k in _REQUIRED[kind])
    if kind in ("normal", "lognormal", "gamma") and params[1] < 0:
        raise ScenarioError(_("{where}.sd: must not be negative").format(where=where))
    if kind == "triangular" and not params[0] <= params[1] <= params[2]:
        raise ScenarioError(
            _("{where}: triangular needs min <= mode <= max, got {params}").format(
                where=where, params=params
            )
        )
    if kind == "uniform" and params[0] > params[1]:
        raise ScenarioError(
            _("{where}: uniform needs low <= high, got {params}").format(where=where, params=params)
        )
    return params


def parse_choice(spec: object, where: str) -> Choice:
    """Read ``{choice: {value: probability, ...}}``; probabilities must sum to 1."""
    options = spec.get("choice") if isinstance(spec, dict) else None
    if not isinstance(options, dict) or not options:
        raise ScenarioError(
            _("{where}.choice: expected a mapping value -> probability").format(where=where)
        )
    probs = []
    for value, p in options.items():
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not math.isfinite(p) or p < 0:
            raise ScenarioError(
                _("{where}.choice.{key}: probability must be a number >= 0").format(
                    where=where, key=value
                )
            )
        probs.append(float(p))
    if abs(sum(probs) - 1.0) > 1e-6:
        raise ScenarioError(
            _("{where}.choice: probabilities sum to {total:g}, not 1").format(
                where=where, total=sum(probs)
            )
        )
    return Choice(tuple(options), tuple(probs))


@dataclass(frozen=True)
class Transitions:
    """A categorical attribute that moves between values (Prosimos' Markov transitions).

    ``moves`` maps the attribute's current value to the :class:`Choice` of its next one; a
    value with no entry (or an attribute not yet set) stays as it is, as in Prosimos.
    """

    moves: tuple[tuple[Any, Choice], ...]

    @property
    def mean(self) -> None:
        return None

    def after(self, current: object) -> Choice | None:
        """The choice of the next value from ``current``, or None when it stays."""
        return next((c for v, c in self.moves if v == current), None)
