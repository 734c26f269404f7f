"""Working hours: Indonesian office hours, Friday prayer break, holidays, cuti bersama."""

import datetime as dt

import numpy as np
import pytest

from bpengine import ScenarioError
from bpengine.scenario import Calendar, holiday_set
from bpengine.scenario.calendar import parse_hours

D = dt.datetime


def test_office_week_is_37_and_a_half_hours():
    cal = Calendar.indonesia()
    assert cal.working_minutes_per_day == 450
    # Monday 2025-01-06 07:30 to Monday 2025-01-13 07:30: one week, no holiday
    assert cal.working_minutes_between(D(2025, 1, 6, 7, 30), D(2025, 1, 13, 7, 30)) == 37.5 * 60


@pytest.mark.parametrize(
    ("when", "working"),
    [
        (D(2025, 1, 6, 7, 29), False),
        (D(2025, 1, 6, 7, 30), True),
        (D(2025, 1, 6, 12, 30), False),  # lunch break Mon-Thu
        (D(2025, 1, 10, 11, 45), False),  # Friday prayer break starts 11:30
        (D(2025, 1, 10, 16, 15), True),  # Friday runs to 16:30
        (D(2025, 1, 9, 16, 15), False),  # Thursday ends at 16:00
        (D(2025, 1, 11, 9, 0), False),  # Saturday
        (D(2025, 4, 2, 9, 0), False),  # cuti bersama Idul Fitri 2025
        (D(2026, 3, 19, 9, 0), False),  # Nyepi 2026
    ],
)
def test_is_working(when, working):
    assert Calendar.indonesia().is_working(when) is working


def test_work_pauses_overnight_and_skips_the_lebaran_holidays():
    cal = Calendar.indonesia()
    # Thursday 27 March 2025 15:00 + 2 h: 1 h that day, then 28 Mar (cuti bersama) to 7 Apr
    # (cuti bersama) are all off; work resumes Tuesday 8 April 07:30
    assert cal.add_working_time(D(2025, 3, 27, 15, 0), 120) == D(2025, 4, 8, 8, 30)
    assert cal.add_working_time(D(2025, 1, 10, 11, 0), 60) == D(2025, 1, 10, 13, 30)


def test_working_days_between():
    cal = Calendar.indonesia()
    assert cal.working_days_between(D(2025, 1, 6, 7, 30), D(2025, 1, 10, 16, 30)) == 5.0
    assert cal.working_days_between(D(2025, 1, 10, 16, 30), D(2025, 1, 6, 7, 30)) == -5.0


def test_shipped_holiday_sets():
    d2025 = {d for d, _, _ in holiday_set("id-2025")}
    d2026 = {d for d, _, kind in holiday_set("id-2026") if kind == "cuti_bersama"}
    assert dt.date(2025, 8, 17) in d2025
    assert dt.date(2025, 12, 26) in d2025
    assert len(d2026) == 8  # SKB 3 Menteri 2026: eight days of cuti bersama
    with pytest.raises(ScenarioError, match="unknown holiday set 'id-1999'"):
        holiday_set("id-1999")


def test_custom_hours_and_always():
    cal = Calendar(parse_hours({"mon": ["08:00-12:00"], "sat": "09:00-10:00"}))
    assert cal.is_working(D(2025, 1, 11, 9, 30))
    assert not cal.is_working(D(2025, 1, 7, 9, 0))
    assert Calendar.always().add_working_time(D(2025, 1, 11, 23, 0), 120) == D(2025, 1, 12, 1, 0)
    with pytest.raises(ScenarioError, match="calendar.hours.mon"):
        parse_hours({"mon": ["12:00-08:00"]})
    with pytest.raises(ScenarioError, match="unknown weekday"):
        parse_hours({"moon": ["08:00-12:00"]})


def test_clock_array_matches_scalar():
    clock = Calendar.indonesia().clock(D(2025, 1, 6))
    ts = np.random.default_rng(1).uniform(0, 60 * 1440, 500)
    assert np.allclose(clock.worked_array(ts), [clock.worked(t) for t in ts])
    for t in ts[:50]:
        w = clock.worked(t)
        assert clock.worked(clock.add(t, 37.0)) == pytest.approx(w + 37.0)


def test_work_matches_next_working_plus_add():
    clock = Calendar.indonesia().clock(D(2025, 1, 6))
    rng = np.random.default_rng(2)
    for t, d in zip(rng.uniform(0, 90 * 1440, 2000), rng.exponential(120, 2000), strict=True):
        start = clock.next_working(t)
        assert clock.work(t, d) == pytest.approx((start, clock.add(start, d)))


def test_office_hours_seen_from_another_zone_move_and_wrap_over_midnight():
    makassar = Calendar.indonesia().shifted(-60)  # WITA hours on a WIB clock
    assert makassar.hours[0] == ((390, 660), (720, 900))  # 06:30-11:00, 12:00-15:00
    assert makassar.working_minutes_per_day == Calendar.indonesia().working_minutes_per_day
    night = Calendar((((0, 60),), (), (), (), (), (), ((1400, 1440),)), frozenset())
    # Monday 00:00-01:00 half an hour earlier: Monday 00:00-00:30 and Sunday 23:30-24:00
    assert night.shifted(-30).hours == (((0, 30),), (), (), (), (), (), ((1370, 1440),))
    assert night.shifted(0) is night
