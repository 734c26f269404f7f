"""Timer values (bpengine/timers.py): durations, dates and cycles parse and stay in range."""

from __future__ import annotations

import datetime as dt

import pytest

from bpengine import ExpressionError
from bpengine.errors import ExpressionLimitError
from bpengine.expressions import ExpressionLimits
from bpengine.timers import check_timer, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT1H", dt.timedelta(hours=1)),
        ("P3D", dt.timedelta(days=3)),
        ("'PT1H'", dt.timedelta(hours=1)),
        ('"P1DT2H30M"', dt.timedelta(days=1, hours=2, minutes=30)),
        ("${'PT15M'}", dt.timedelta(minutes=15)),
        ("P2W", dt.timedelta(weeks=2)),
        ("PT0.5S", dt.timedelta(seconds=0.5)),
        (" pt30m ", dt.timedelta(minutes=30)),
    ],
)
def test_parse_duration(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["P", "PT", "P1DT", "1H", "P1Y", "P2M", "tomorrow", ""])
def test_parse_duration_refuses_non_durations(text):
    with pytest.raises(ExpressionError, match="ISO-8601"):
        parse_duration(text)


def test_years_and_months_get_a_hint():
    with pytest.raises(ExpressionError, match="use days"):
        parse_duration("P1M")


@pytest.mark.parametrize(
    "text", ["P99999999999D", "PT99999999999999999999999H", "P5300W", "P36526D"]
)
def test_durations_past_the_limit_are_refused_not_overflowed(text):
    with pytest.raises(ExpressionLimitError, match="max_timer_days") as caught:
        parse_duration(text)
    assert caught.value.limit == "max_timer_days"
    assert parse_duration("P36525D") == dt.timedelta(days=36525)
    with pytest.raises(ExpressionLimitError, match="longer than 7 days"):
        parse_duration("P8D", ExpressionLimits(max_timer_days=7))


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("timeDuration", "P3D"),
        ("timeDuration", "${batas_waktu}"),
        ("timeDuration", "due"),
        ("timeDate", "2025-01-06T08:00:00"),
        ("timeDate", "2025-01-06T08:00:00Z"),
        ("timeDate", "tanggal_sidang"),
        ("timeCycle", "R3/PT1H"),
        ("timeCycle", "R6/P1D"),
        ("timeCycle", "R/2025-01-06T08:00:00/P1D"),
        ("timeCycle", "R/P1M"),
    ],
)
def test_timers_that_can_run_pass(kind, text):
    assert check_timer(kind, text) is None


@pytest.mark.parametrize(
    ("kind", "text", "match"),
    [
        ("timeDuration", "P99999999999D", "max_timer_days"),
        ("timeCycle", "R/P99999999999D", "max_timer_days"),
        ("timeCycle", "0/5 0/1 * 1/1 * ?", "cron is not supported"),
        ("timeCycle", "R3/2025-01-06T08:00:00", "exactly one period"),
        ("timeDate", "2025-13-01", "ISO-8601 date"),
        ("timeDuration", "P1Y", "use days"),
        ("timeDuration", "${a +}", "cannot be parsed"),
        ("timeDate", "__import__('os')", "only these functions"),
        ("timeDuration", "", "no timeDuration value"),
        ("timeSpan", "P1D", "unknown timer kind"),
    ],
)
def test_timers_that_can_never_run_are_named(kind, text, match):
    with pytest.raises(ExpressionError, match=match):
        check_timer(kind, text)
