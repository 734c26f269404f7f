"""Where a case's time goes: waiting and processing as unions over the case's steps."""

from pathlib import Path

import numpy as np
import pytest

from bpengine import simulate
from bpengine.sim.accounting import case_order, union_length, union_pieces
from tests.conftest import shared_path

DATA = Path(__file__).resolve().parents[1] / "data" / "sim"


def test_union_of_overlapping_nested_and_separate_intervals():
    case = np.array([0, 0, 0, 0, 1, 1])
    start = np.array([0.0, 2.0, 3.0, 10.0, 5.0, 5.0])
    end = np.array([4.0, 6.0, 5.0, 12.0, 5.0, 7.0])
    # case 0: [0,6] and [10,12]; case 1: [5,7] (an empty interval adds nothing)
    assert union_length(case, start, end, 3).tolist() == [8.0, 2.0, 0.0]
    ps, pe = union_pieces(case, start, end)
    assert np.all(pe >= ps)
    # input order is kept: [3,5] lies inside [0,4] u [2,6], so its piece is empty
    assert (pe - ps)[2] == 0.0


@pytest.mark.parametrize("cases", [50, 70_000])  # 16-bit case numbers, and wider ones
def test_case_order_is_lexsorts_permutation_ties_included(cases):
    rng = np.random.default_rng(2)
    case = rng.integers(0, cases, 5000)
    start = rng.integers(0, 40, 5000).astype(float)  # many equal starts: ties in row order
    assert case_order(case, start).tolist() == np.lexsort((start, case)).tolist()


def test_union_does_not_leak_between_cases_given_in_any_order():
    rng = np.random.default_rng(1)
    case = rng.integers(0, 50, 2000)
    start = rng.uniform(0, 1000, 2000)
    end = start + rng.exponential(30, 2000)
    fast = union_length(case, start, end, 50)
    for c in range(50):  # a plain sweep, case by case
        spans, total, reach = (
            sorted(zip(start[case == c], end[case == c], strict=True)),
            0.0,
            -np.inf,
        )
        for a, b in spans:
            total += max(0.0, b - max(a, reach))
            reach = max(reach, b)
        assert fast[c] == pytest.approx(total)


# one case on Monday 08:00; A and B run in parallel, both held for the 14:00 sign-off round
PARALLEL_BATCH = {
    "start": "2025-01-06 08:00",
    "arrivals": {"interarrival": "100 h"},
    "lanes": {"Staf": {"staff": 2}},
    "gateways": {"O1": {"f_c": 1.0, "f_d": 0.0}},
    "tasks": {
        "A": {"duration": "30 min", "batch": {"at": ["14:00"]}},
        "B": {"duration": "30 min", "batch": {"at": ["14:00"]}},
        "C": "10 min",
        "F": "10 min",
    },
}


def test_parallel_branches_waiting_side_by_side_count_once():
    res = simulate(
        DATA / "parallel.bpmn", scenario=PARALLEL_BATCH, cases=1, replications=1, warmup=0
    )
    k = {name: kpi.mean for name, kpi in res.kpis.items()}
    # 08:00-14:50: both branches wait 08:00-14:00 together (a sum would say 12 h of
    # waiting in a 6 h 50 min case), then 30 min A and B side by side, C and F 10 min each
    assert k["idle_cycle_time"] == pytest.approx(6 + 50 / 60)
    assert k["waiting_hours"] == k["waiting_time"] == pytest.approx(6.0)
    # 12:00-13:00 is the lunch break: 5 working hours of waiting, 1 while closed
    assert k["waiting_working_hours"] == pytest.approx(5.0)
    assert k["waiting_off_hours"] == pytest.approx(1.0)
    assert k["batching_hours"] == pytest.approx(5.0)
    assert k["queueing_hours"] == 0
    # someone works on the case 50 minutes; the staff put in 80 (A and B side by side)
    assert k["processing_time"] == pytest.approx(50 / 60)
    assert k["processing_hours"] == pytest.approx(80 / 60)
    assert k["idle_time"] == 0
    assert k["cycle_time"] == pytest.approx(k["idle_cycle_time"])
    assert res.lanes[0]["waiting_minutes_per_case"] == pytest.approx(360)
    a = next(t for t in res.tasks if t["id"] == "A")
    assert a["waiting_minutes"] == pytest.approx(360)
    assert a["off_hours_minutes"] == 60


def test_work_paused_overnight_is_not_waiting():
    sc = {
        "tasks": {"A": "2 h", "B": "1 min"},
        "start": "2025-01-09 15:00",
        "arrivals": {"interarrival": "100 h"},
    }
    res = simulate(DATA / "sequence.bpmn", scenario=sc, cases=1, replications=1, warmup=0)
    k = {name: kpi.mean for name, kpi in res.kpis.items()}
    # A: Thursday 15:00-16:00, closed until Friday 07:30, then 07:30-08:30; B at once
    closed = 15.5
    assert k["waiting_hours"] == 0  # nothing ever waited to be taken up
    assert k["idle_time"] == pytest.approx(closed)
    assert k["processing_time"] == pytest.approx(2 + 1 / 60)
    assert k["idle_processing_time"] == pytest.approx(2 + 1 / 60 + closed)
    assert k["cycle_time"] == pytest.approx(k["idle_cycle_time"] - closed)
    a = next(t for t in res.tasks if t["id"] == "A")
    assert a["paused_minutes"] == pytest.approx(closed * 60)
    assert a["waiting_minutes"] == 0


def test_waiting_never_exceeds_the_cycle_time_on_permit():
    res = simulate(
        shared_path("bench", "permit.bpmn"),
        scenario=shared_path("bench", "permit.json"),
        cases=2000,
        replications=2,
        seed=3,
        event_log=False,
    )
    k = {name: kpi.mean for name, kpi in res.kpis.items()}
    assert k["waiting_time"] < k["idle_cycle_time"]
    assert k["processing_time"] <= k["idle_processing_time"] < k["idle_cycle_time"]
    assert k["waiting_working_hours"] + k["waiting_off_hours"] == pytest.approx(k["waiting_hours"])
    # waiting in working hours cannot exceed the cycle time in working hours either
    assert k["waiting_working_hours"] < k["cycle_time_working_hours"]
    for lane in res.lanes:
        assert lane["waiting_minutes_per_case"] / 60 <= k["waiting_hours"] + 1e-9


def test_a_sequence_is_waiting_plus_processing():
    sc = {
        "tasks": {"A": {"distribution": "exponential", "mean": "40 min"}, "B": "15 min"},
        "arrivals": {"interarrival": {"distribution": "exponential", "mean": "50 min"}},
    }
    res = simulate(DATA / "sequence.bpmn", scenario=sc, cases=500, replications=2, seed=9)
    k = {name: kpi.mean for name, kpi in res.kpis.items()}
    # one step at a time: the case's life is its steps' waiting plus their start to end
    assert k["waiting_time"] + k["idle_processing_time"] == pytest.approx(k["idle_cycle_time"])
    assert k["idle_cycle_time"] == pytest.approx(k["cycle_time_calendar_days"] * 24)
    assert k["waiting_off_hours"] > 0
    assert k["queueing_hours"] > 0
