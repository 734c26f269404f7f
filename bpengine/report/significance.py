"""Welch's t-test and t confidence intervals over replication means, without SciPy.

Replications of a simulation are independent runs, so their means are (nearly) normal and
Welch's test — which does not assume both sides have the same variance — says whether a
before/after difference is larger than replication noise. The Student t distribution is
computed from the regularised incomplete beta function (Numerical Recipes' continued
fraction), accurate to about 1e-10, which is plenty for a report.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["t_cdf", "t_quantile", "mean_ci", "welch"]


def _betacf(a: float, b: float, x: float) -> float:
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > 1e-300 else 1e-300)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > 1e-300 else 1e-300)
        c = 1.0 + aa / c if abs(1.0 + aa / c) > 1e-300 else 1e-300
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > 1e-300 else 1e-300)
        c = 1.0 + aa / c if abs(1.0 + aa / c) > 1e-300 else 1e-300
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-12:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(
        math.lgamma(a + b)
        - math.lgamma(a)
        - math.lgamma(b)
        + a * math.log(x)
        + b * math.log(1.0 - x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with ``df`` degrees of freedom.

    Examples
    --------
    >>> round(t_cdf(2.228, 10), 3)
    0.975
    """
    tail = 0.5 * _betainc(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t > 0 else tail


def t_quantile(p: float, df: float) -> float:
    """The t value with ``t_cdf(t, df) == p`` (bisection; ``0 < p < 1``)."""
    lo, hi = -1e3, 1e3
    for _ in range(200):
        mid = (lo + hi) / 2
        if t_cdf(mid, df) < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def mean_ci(values: Sequence[float], level: float = 0.95) -> tuple[float, float, float]:
    """Mean of ``values`` and its t confidence interval ``(mean, low, high)``."""
    n = len(values)
    mean = sum(values) / n if n else float("nan")
    if n < 2:
        return mean, mean, mean
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = t_quantile(0.5 + level / 2, n - 1) * sd / math.sqrt(n)
    return mean, mean - half, mean + half


def welch(a: Sequence[float], b: Sequence[float], level: float = 0.95):
    """Welch's t-test of ``mean(b) - mean(a)``.

    Returns
    -------
    (difference, low, high, p_value)
        The difference of means, its confidence interval and the two-sided p-value;
        ``p_value`` is ``None`` with fewer than two values on a side, and 0 or 1 when both
        sides have no variance (the difference is then exact).

    Examples
    --------
    >>> diff, lo, hi, p = welch([10, 11, 9, 10, 10], [7, 8, 6, 7, 7])
    >>> round(diff, 1), p < 0.001
    (-3.0, True)
    """
    na, nb = len(a), len(b)
    ma, mb = sum(a) / na, sum(b) / nb
    diff = mb - ma
    if na < 2 or nb < 2:
        return diff, diff, diff, None
    va = sum((x - ma) ** 2 for x in a) / (na - 1)
    vb = sum((x - mb) ** 2 for x in b) / (nb - 1)
    se2 = va / na + vb / nb
    if se2 <= 0:
        return diff, diff, diff, 0.0 if diff else 1.0
    df = se2**2 / ((va / na) ** 2 / (na - 1) + (vb / nb) ** 2 / (nb - 1))
    t = diff / math.sqrt(se2)
    p = 2.0 * (1.0 - t_cdf(abs(t), df))
    half = t_quantile(0.5 + level / 2, df) * math.sqrt(se2)
    return diff, diff - half, diff + half, max(0.0, min(1.0, p))
