"""What a simulation reports: offered load and its warning, the KPI table's meanings, and
utilisation as Prosimos defines it."""

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from bpengine import load, load_scenario, simulate
from bpengine.sim.results import _KPI_UNITS, KPI_MEANING

DATA = Path(__file__).resolve().parents[1] / "data" / "sim"


def test_every_kpi_says_what_it_measures():
    assert set(_KPI_UNITS) <= set(KPI_MEANING)


def test_an_overloaded_lane_is_named_in_a_warning_and_a_kpi():
    # the clerk gets 20 minutes of work every 15: offered load 4/3
    sc = {
        "tasks": {"A": {"distribution": "exponential", "mean": "20 min"}, "B": "1 min"},
        "arrivals": {"interarrival": "15 min"},
    }
    res = simulate(DATA / "sequence.bpmn", scenario=sc, cases=400, replications=2, seed=1)
    staf = next(lane for lane in res.lanes if lane["lane"] == "Staf")
    assert staf["offered_load"] == pytest.approx(4 / 3, rel=0.1)
    assert res["offered_load_max"].mean == pytest.approx(staf["offered_load"])
    assert len(res.warnings) == 1
    assert "'Staf'" in res.warnings[0]
    assert "grows without bound" in res.warnings[0]
    # the symptom: the more cases, the longer the cycle time
    more = simulate(DATA / "sequence.bpmn", scenario=sc, cases=1600, replications=2, seed=1)
    assert more["cycle_time_working_days"].mean > 2 * res["cycle_time_working_days"].mean


def test_a_stable_lane_gives_no_warning():
    sc = {
        "tasks": {"A": {"distribution": "exponential", "mean": "10 min"}, "B": "1 min"},
        "arrivals": {"interarrival": "15 min"},
    }
    res = simulate(DATA / "sequence.bpmn", scenario=sc, cases=400, replications=2, seed=1)
    assert not res.warnings
    assert res["offered_load_max"].mean == pytest.approx(2 / 3, rel=0.1)


# -- utilisation, defined as Prosimos 2.1.0 does, on tests/data/prosimos/sign.bpmn ---------
SIGN = Path(__file__).resolve().parents[1] / "data" / "prosimos" / "sign.bpmn"
DESK = SIGN.parent / "desk.bpmn"
SHIFTS = {"Pagi": (7, 13), "Siang": (12, 18), "Kepala": (9, 17)}  # Monday to Friday


def two_shift_doc() -> dict:
    """Letters every 45 minutes (Monday to Friday 08:00-16:00), prepared by Pagi (07-13,
    40 min) or Siang (12-18, 50 min), signed by the head (09-17, 15 min): all fixed, so
    Prosimos 2.1.0 gives the same schedule (tests/sim/test_vs_prosimos.py)."""

    def fix(seconds):
        return {"distribution_name": "fix", "distribution_params": [{"value": seconds}]}

    def week(begin, end):
        return [{"from": "MONDAY", "to": "FRIDAY", "beginTime": begin, "endTime": end}]

    def person(name, task):
        return {
            "id": name,
            "name": name,
            "cost_per_hour": 10,
            "amount": 1,
            "calendar": name,
            "assignedTasks": [task],
        }

    return {
        "resource_profiles": [
            {
                "id": "staff",
                "name": "Staff",
                "resource_list": [person("Pagi", "A"), person("Siang", "A")],
            },
            {"id": "head", "name": "Head", "resource_list": [person("Kepala", "B")]},
        ],
        "resource_calendars": [
            {"id": n, "name": n, "time_periods": week(f"{a:02d}:00:00", f"{b:02d}:00:00")}
            for n, (a, b) in SHIFTS.items()
        ],
        "task_resource_distribution": [
            {
                "task_id": "A",
                "resources": [
                    {"resource_id": "Pagi", **fix(2400)},
                    {"resource_id": "Siang", **fix(3000)},
                ],
            },
            {"task_id": "B", "resources": [{"resource_id": "Kepala", **fix(900)}]},
        ],
        "arrival_time_distribution": fix(2700),
        "arrival_time_calendar": week("08:00:00", "16:00:00"),
        "gateway_branching_probabilities": [],
    }


def _on_duty_seconds(shift, first: dt.datetime, last: dt.datetime) -> float:
    """A person's working seconds between two times, counted day by day."""
    total, day = 0.0, first.date()
    while day <= last.date():
        if day.weekday() < 5:
            begin = dt.datetime.combine(day, dt.time(shift[0]), first.tzinfo)
            end = dt.datetime.combine(day, dt.time(shift[1]), first.tzinfo)
            total += max(0.0, (min(end, last) - max(begin, first)).total_seconds())
        day += dt.timedelta(days=1)
    return total


def test_utilisation_is_work_over_each_persons_hours_from_first_start_to_last_end(tmp_path):
    # Prosimos' definition (simulation_stats_calculator.compute_resorce_availability):
    # each person's working time from the run's first start to its last end, summed over
    # the lane's people, against the time they worked. Two people on different shifts
    # in one lane: a lane-wide head count or span would give another figure.
    path = tmp_path / "shifts.json"
    path.write_text(json.dumps(two_shift_doc()))
    model = load(SIGN)
    res = simulate(
        model, scenario=load_scenario(path, model=model), cases=40, replications=1, warmup=0
    )
    rows = list(res.event_log)
    first, last = min(r["start"] for r in rows), max(r["end"] for r in rows)
    people = {"Staff": ("Pagi", "Siang"), "Head": ("Kepala",)}
    work = {"Pagi": 2400, "Siang": 3000, "Head #1": 900}
    for lane in res.lanes:
        # fixed durations: Pagi 40 min, Siang 50, the head 15 (a task paused overnight
        # counts its working time only)
        worked = sum(work[r["resource"]] for r in rows if r["lane"] == lane["lane"])
        hours = sum(_on_duty_seconds(SHIFTS[p], first, last) for p in people[lane["lane"]])
        assert lane["utilisation"] == pytest.approx(worked / hours, abs=1e-6)
    # the figures Prosimos 2.1.0 prints for this file (Resource Utilization, pooled)
    by = {lane["lane"]: lane["utilisation"] for lane in res.lanes}
    assert by == pytest.approx({"Staff": 0.592217, "Head": 0.310078}, abs=1e-6)


def test_a_prosimos_files_utilisation_counts_from_the_first_task_start(tmp_path):
    # Prosimos 2.1.0 counts people's hours from the log's first start, not the first
    # arrival. The desk's eight requests arrive from Monday 08:00, but the intake robots
    # work from Tuesday: the clerk (round the clock) then serves them, 10 minutes each,
    # from Tuesday 00:00 to 01:20, busy the whole window Prosimos counts.
    doc = json.loads((DESK.parent / "desk.json").read_text())
    doc["resource_calendars"].append(
        {
            "id": "from_tuesday",
            "name": "from_tuesday",
            "time_periods": [
                {"from": "TUESDAY", "to": "SUNDAY", "beginTime": "00:00:00", "endTime": "23:59:59"}
            ],
        }
    )
    doc["resource_profiles"][0]["resource_list"][0]["calendar"] = "from_tuesday"
    path = tmp_path / "desk.json"
    path.write_text(json.dumps(doc))
    model = load(DESK)
    sc = load_scenario(path, model=model)
    assert sc.utilisation_from == "first_start"
    run = dict(cases=8, replications=1, warmup=0, seed=1)
    clerk = {r["lane"]: r["utilisation"] for r in simulate(model, scenario=sc, **run).lanes}
    assert clerk["Clerks"] == pytest.approx(1.0, abs=1e-3)
    # from the first arrival (a bpengine scenario's window): 80 of 1,040 minutes
    native = dataclasses.replace(sc, utilisation_from="arrival")
    by = {r["lane"]: r["utilisation"] for r in simulate(model, scenario=native, **run).lanes}
    assert by["Clerks"] == pytest.approx(80 / 1040, abs=1e-3)
