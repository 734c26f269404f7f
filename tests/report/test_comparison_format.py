"""How the before/after table prints numbers: counts whole, money without cents, shares in %."""

from __future__ import annotations

from bpengine.report.comparison import Metric


def test_counts_on_the_models_print_whole():
    m = Metric("activities", "Steps", "steps", "structure", 26.0, 15.0)
    assert (m.format(m.before), m.format_change()) == ("26", "-11 (-42.3%)")


def test_money_prints_without_cents():
    m = Metric(
        "cost", "Cost", "IDR", "simulated", 3488209.4, 1546751.4, ci_before=(3368062.2, 3608356.7)
    )
    assert m.format(m.before, m.ci_before) == "3,488,209 [3,368,062, 3,608,357]"
    assert m.format_change() == "-1,941,458 (-55.7%)"


def test_a_share_prints_as_percent_with_its_interval_kept_inside_0_to_1():
    m = Metric(
        "sla",
        "Within standard",
        "share",
        "simulated",
        1.0,
        0.984,
        ci_before=(0.99, 1.01),
        ci_after=(0.97, 0.99),
        p_value=0.016,
        better="higher",
    )
    assert m.format(m.before, m.ci_before) == "100% [99%, 100%]"
    assert m.format(m.after, m.ci_after) == "98% [97%, 99%]"
    assert m.format_change() == "-1.6 points"


def test_small_values_keep_two_decimals():
    m = Metric("cycle_days_mean", "Cycle", "working days", "simulated", 8.891, 2.372)
    assert (m.format(m.after), m.format_change()) == ("2.37", "-6.52 (-73.3%)")
