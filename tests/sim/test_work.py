"""Staffing: lanes of named people, their hours, skills, speed and cost, in the kernel."""

from collections import Counter
from pathlib import Path

import pytest

from bpengine import simulate

DATA = Path(__file__).resolve().parents[1] / "data" / "sim"
WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def scenario(people, allocation="soonest_start", cost=0):
    """Cases 10 h apart on a 24/7 office, task A 30 min: each case alone in the lane."""
    return {
        "calendar": {"hours": "always", "holidays": []},
        "start": "2025-01-06 00:00",
        "arrivals": {"interarrival": "600 min", "calendar": "always", "counting": "calendar"},
        "tasks": {"A": "30 min", "B": "0 min"},
        "lanes": {"Staf": {"people": people, "allocation": allocation, "cost_per_hour": cost}},
    }


def log(people, allocation="soonest_start", cases=40, cost=0):
    res = simulate(
        DATA / "sequence.bpmn",
        scenario=scenario(people, allocation, cost),
        cases=cases,
        replications=1,
        warmup=0,
        seed=1,
    )
    return res, [r for r in res.event_log if r["activity"] == "A"]


def test_the_person_who_can_start_first_takes_the_work_within_their_own_hours():
    res, rows = log(
        [
            {"name": "Pagi", "hours": {d: ["06:00-12:00"] for d in WEEK}},
            {"name": "Siang", "hours": {d: ["12:00-18:00"] for d in WEEK}},
        ]
    )
    by = Counter(r["resource"] for r in rows)
    assert set(by) == {"Pagi", "Siang"}
    for r in rows:
        hours = (6, 12) if r["resource"] == "Pagi" else (12, 18)
        assert hours[0] <= r["start"].hour < hours[1]
        # nobody free and on duty waits for the other shift: the work starts as soon as
        # either shift opens
        opens = [h for h in (6, 12) if h >= r["enabled"].hour] or [6]
        assert r["start"].hour in (r["enabled"].hour, *opens)
    # a 12-hour week of two 6-hour shifts: utilisation counts each person's own hours
    lane = next(lane for lane in res.lanes if lane["lane"] == "Staf")
    assert lane["utilisation"] == pytest.approx(
        len(rows) * 30 / (12 * 60 * len(rows) * 10 / 24), rel=0.1
    )


def test_earliest_free_is_prosimos_rule_whatever_the_hours():
    shifts = [
        {"name": "Pagi", "hours": {d: ["06:00-12:00"] for d in WEEK}},
        {"name": "Siang", "hours": {d: ["12:00-18:00"] for d in WEEK}},
    ]
    # cases at 00, 10, 20 (Monday), 06 and 16 (Tuesday); before anyone has worked, who is
    # at their desk first counts as free longest (Prosimos: Pagi, from 06:00): Pagi takes
    # the first three, Siang the one at 06:00 Tuesday (Pagi busy), done 12:30. The case
    # enabled Tuesday 16:00: Siang is on duty, but Pagi has been free longer (06:30)
    soon = {r["enabled"].hour: r for r in log(shifts, "soonest_start", cases=5)[1]}
    free = {r["enabled"].hour: r for r in log(shifts, "earliest_free", cases=5)[1]}
    assert [free[h]["resource"] for h in (0, 10, 20, 6)] == ["Pagi", "Pagi", "Pagi", "Siang"]
    assert (soon[16]["resource"], soon[16]["start"].hour) == ("Siang", 16)
    assert (free[16]["resource"], free[16]["start"].hour) == ("Pagi", 6)


def test_by_skill_gives_the_work_to_the_fastest_free_person():
    people = [{"name": "Baru"}, {"name": "Ahli", "durations": {"A": "5 min"}}]
    _, shared = log(people, "soonest_start")
    _, skilled = log(people, "by_skill")
    assert Counter(r["resource"] for r in shared) == {"Baru": 20, "Ahli": 20}  # turn about
    assert Counter(r["resource"] for r in skilled) == {"Ahli": 40}
    assert all((r["end"] - r["start"]).total_seconds() == 300 for r in skilled)


def test_each_person_costs_their_own_rate():
    res, rows = log([{"name": "Murah"}, {"name": "Mahal", "cost_per_hour": 120}], cost=20)
    assert Counter(r["resource"] for r in rows) == {"Murah": 20, "Mahal": 20}
    # half the cases at 20 per hour, half at 120: 30 min each
    assert res["cost_per_case"].mean == pytest.approx((10 + 60) / 2)


def test_a_person_only_takes_the_tasks_they_do():
    res = simulate(
        Path(__file__).resolve().parents[1] / "data" / "prosimos" / "claims.bpmn",
        scenario={
            "arrivals": {"interarrival": "10 min"},
            "lanes": {
                "Front desk": {
                    "people": [
                        {"name": "Kasir", "tasks": ["T_notify"]},
                        {"name": "Loket", "tasks": ["T_register", "T_ask", "T_notify"]},
                    ]
                }
            },
        },
        cases=200,
        replications=1,
        warmup=0,
        seed=4,
    )
    done = Counter(
        (r["resource"], r["activity"]) for r in res.event_log if r["lane"] == "Front desk"
    )
    assert done[("Kasir", "T_notify")] > 0
    assert not done[("Kasir", "T_register")]
    assert not done[("Kasir", "T_ask")]


def test_a_multi_instance_count_from_case_data_over_the_limit_is_refused_at_once(tmp_path):
    # loopCardinality read from case data: 10^9 would hang the run; refused naming the task,
    # the expression and the setting (before creating the instances: 10^9 would not fit).
    from bpengine import ScenarioError

    source = (
        (DATA / "multi.bpmn")
        .read_text()
        .replace(
            "<loopCardinality>3</loopCardinality>",
            "<loopCardinality>jumlah_berkas</loopCardinality>",
        )
    )
    model = tmp_path / "berkas.bpmn"
    model.write_text(source)
    assert (
        simulate(
            model, scenario={"data": {"jumlah_berkas": 4}}, cases=5, replications=1, warmup=0
        ).cases
        == 5
    )
    with pytest.raises(
        ScenarioError,
        match=r"tasks\.P\.instances \(loopCardinality "
        r"'jumlah_berkas'\): 1000000000 is above the limit of 10000 \(the "
        r"setting bpengine.scenario.limits.MAX_INSTANCES\)",
    ):
        simulate(
            model, scenario={"data": {"jumlah_berkas": 10**9}}, cases=5, replications=1, warmup=0
        )
