"""Fit a duration distribution to observed values with scipy.stats, chosen by AIC.

Every family the scenario format supports is fitted by maximum likelihood
(``scipy.stats.<family>.fit``; exponential, gamma and lognormal with the origin fixed at
0, as durations start at zero; triangular first on the observed range, its ends freed once
it is chosen) and the one with the
lowest Akaike information criterion (AIC = 2k - 2 log L) is chosen. Its fit quality is the
Kolmogorov-Smirnov distance to the data (its p-value is optimistic: the parameters came
from the same data). Very few values give an empirical distribution, all-equal values a
fixed one. The result is a :class:`bpengine.scenario.Distribution`, the scenario's own.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from ..scenario import Distribution

__all__ = ["Fit", "fit_distribution", "FAMILIES", "MIN_FOR_FAMILY"]

#: families fitted, with their number of free parameters (for the AIC)
FAMILIES = {
    "exponential": 1,
    "gamma": 2,
    "lognormal": 2,
    "normal": 2,
    "uniform": 2,
    "triangular": 1,
}
#: fewer observations than this give an empirical distribution (too few to choose a family)
MIN_FOR_FAMILY = 8
_FLOOR = 1e-3  # minutes; zero durations would make log-likelihoods of positive families -inf


@dataclass(frozen=True)
class Fit:
    """The chosen distribution and how it was chosen.

    Attributes
    ----------
    distribution : Distribution
    n : int
        Observations it was fitted to.
    criterion : str
        How the family was chosen (``"AIC"``, ``"all equal"``, ``"too few"``).
    aic : dict
        AIC of every family fitted (lower is better).
    ks : float or None
        Kolmogorov-Smirnov distance between the chosen distribution and the data.
    ks_p : float or None
    observed_mean : float
    """

    distribution: Distribution
    n: int
    criterion: str
    aic: dict
    ks: float | None
    ks_p: float | None
    observed_mean: float
    share_equal: float = 1.0

    def describe(self, unit: str = "min") -> str:
        """One line for a YAML comment: the criterion, the runner-up, the fit quality."""
        if self.criterion != "AIC":
            return {
                "all equal": "all values equal",
                "mostly equal": f"{self.share_equal:.0%} of the values are equal (the "
                "rest, e.g. work cut short by a timer, left out)",
                "too few": f"fewer than {MIN_FOR_FAMILY} values: too few to choose a family",
            }[self.criterion]
        ranked = sorted(self.aic.items(), key=lambda kv: kv[1])
        text = f"lowest AIC of {len(ranked)} families ({ranked[0][0]} {ranked[0][1]:.0f}"
        if len(ranked) > 1:
            text += f", next {ranked[1][0]} {ranked[1][1]:.0f}"
        text += f"); KS distance {self.ks:.3f}"
        return text


def _frozen(family: str, x: np.ndarray):
    """(scipy frozen distribution, Distribution) fitted to ``x`` by maximum likelihood."""
    from scipy import stats

    if family == "exponential":
        _, scale = stats.expon.fit(x, floc=0)
        return stats.expon(0, scale), Distribution("exponential", (scale,))
    if family == "gamma":
        a, _, scale = stats.gamma.fit(np.maximum(x, _FLOOR), floc=0)
        return stats.gamma(a, 0, scale), Distribution("gamma", (a * scale, math.sqrt(a) * scale))
    if family == "lognormal":
        s, _, scale = stats.lognorm.fit(np.maximum(x, _FLOOR), floc=0)
        mean = scale * math.exp(s * s / 2)
        return (
            stats.lognorm(s, 0, scale),
            Distribution("lognormal", (mean, mean * math.sqrt(math.expm1(s * s)))),
        )
    if family == "normal":
        loc, scale = stats.norm.fit(x)
        return stats.norm(loc, scale), Distribution("normal", (loc, scale))
    if family == "uniform":
        low, width = stats.uniform.fit(x)
        return stats.uniform(low, width), Distribution("uniform", (low, low + width))
    if family == "triangular":  # the support is the observed range; the mode is fitted
        lo, hi = float(x.min()), float(x.max())
        pad = (hi - lo) * 1e-3
        lo, width = max(lo - pad, 0.0), hi - lo + 2 * pad
        c, _, _ = stats.triang.fit(x, floc=lo, fscale=width)
        return (
            stats.triang(c, lo, width),
            Distribution("triangular", (lo, lo + c * width, lo + width)),
        )
    raise ValueError(family)


def _free_triangle(x, dist, ours, aic):
    """Full three-parameter maximum likelihood, started from the fit on the observed range
    (the true ends lie beyond the smallest and largest values seen)."""
    from scipy import stats

    c, lo, width = dist.args
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            c2, lo2, width2 = stats.triang.fit(x, c, loc=lo, scale=width)
        except (ValueError, RuntimeError, FloatingPointError):
            return dist, ours, aic
        free = stats.triang(c2, lo2, width2)
        new_aic = 2 * 3 - 2 * float(np.sum(free.logpdf(x)))
    if not math.isfinite(new_aic) or new_aic >= aic + 2 or lo2 < 0 or width2 <= 0:
        return dist, ours, aic
    return free, Distribution("triangular", (lo2, lo2 + c2 * width2, lo2 + width2)), new_aic


def fit_distribution(values, families=tuple(FAMILIES)) -> Fit | None:
    """The best of ``families`` for ``values`` (minutes, or any non-negative amount).

    Returns None for no values. Parameters come from scipy.stats' maximum-likelihood
    fits; nothing is estimated by hand.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(3).exponential(20.0, 400)
    >>> fit = fit_distribution(x)
    >>> fit.distribution.kind, round(float(fit.distribution.mean / x.mean()), 2)
    ('exponential', 1.0)
    """
    from scipy import stats

    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return None
    mean = float(x.mean())
    if float(np.ptp(x)) <= 1e-9 * max(1.0, abs(mean)):
        return Fit(
            Distribution("fixed", (round(mean, 4),)), int(x.size), "all equal", {}, None, None, mean
        )
    values, counts = np.unique(np.round(x, 6), return_counts=True)
    if counts.max() >= 0.5 * x.size:  # a point mass: no continuous family describes it
        mode = float(values[counts.argmax()])
        return Fit(
            Distribution("fixed", (round(mode, 4),)),
            int(x.size),
            "mostly equal",
            {},
            None,
            None,
            mean,
            float(counts.max() / x.size),
        )
    if x.size < MIN_FOR_FAMILY:
        return Fit(
            Distribution("empirical", tuple(round(float(v), 4) for v in sorted(x))),
            int(x.size),
            "too few",
            {},
            None,
            None,
            mean,
        )
    aic, frozen = {}, {}
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")  # scipy's optimiser warnings: a failed fit scores inf
        for family in families:
            try:
                dist, ours = _frozen(family, x)
                loglik = float(
                    np.sum(
                        dist.logpdf(
                            np.maximum(x, _FLOOR) if family in ("gamma", "lognormal") else x
                        )
                    )
                )
            except (ValueError, RuntimeError, FloatingPointError, ZeroDivisionError):
                continue
            sane = all(
                math.isfinite(p) and abs(p) <= 1e3 * max(float(x.max()), 1.0) for p in ours.params
            )  # a degenerate fit's parameters run away
            if math.isfinite(loglik) and sane:
                aic[family] = 2 * FAMILIES[family] - 2 * loglik
                frozen[family] = (dist, ours)
    if not aic:
        return Fit(
            Distribution("empirical", tuple(round(float(v), 4) for v in sorted(x))),
            int(x.size),
            "too few",
            {},
            None,
            None,
            mean,
        )
    best = min(aic, key=lambda name: aic[name])
    dist, ours = frozen[best]
    if best == "triangular":  # chosen on the observed range: now free the ends too
        dist, ours, aic[best] = _free_triangle(x, dist, ours, aic[best])
    ks = stats.kstest(x, dist.cdf)
    params = tuple(round(float(p), 4) for p in ours.params)
    return Fit(
        Distribution(ours.kind, params),
        int(x.size),
        "AIC",
        aic,
        float(ks.statistic),
        float(ks.pvalue),
        mean,
    )
