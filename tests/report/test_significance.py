"""Welch's t-test and t intervals against textbook values."""

from __future__ import annotations

import pytest

from bpengine.report.significance import mean_ci, t_cdf, t_quantile, welch


@pytest.mark.parametrize(("df", "q"), [(1, 12.706), (4, 2.776), (10, 2.228), (30, 2.042)])
def test_t_quantile_matches_tables(df, q):
    assert t_quantile(0.975, df) == pytest.approx(q, abs=1e-3)
    assert t_cdf(q, df) == pytest.approx(0.975, abs=1e-4)


def test_mean_ci():
    mean, lo, hi = mean_ci([1, 2, 3, 4, 5])
    assert mean == 3
    assert lo == pytest.approx(3 - 2.776 * 1.5811 / 5**0.5, abs=1e-3)
    assert hi - mean == pytest.approx(mean - lo)


def test_welch_detects_a_real_difference_and_not_noise():
    _, lo, hi, p = welch([10, 11, 9, 10, 10], [7, 8, 6, 7, 7])
    assert p < 0.001
    assert hi < 0
    _, lo, hi, p = welch([10, 11, 9, 10, 12], [10, 12, 9, 11, 10])
    assert p > 0.5
    assert lo < 0 < hi


def test_welch_reference_value():
    # by hand: t = 2.714, Welch df = 6.84, two-sided p = 0.031
    _, _, _, p = welch([19.1, 20.3, 21.0, 18.7, 20.0], [17.2, 18.8, 17.9, 19.0])
    assert p == pytest.approx(0.0309, abs=2e-3)


def test_single_value_per_side_cannot_be_tested():
    assert welch([1.0], [2.0])[3] is None
