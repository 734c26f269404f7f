"""Scenario and run limits: refused before the work, naming the key and the setting; a
setting raised at run time takes effect at once; values are quoted short."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from bpengine import ScenarioError, load, load_scenario, simulate
from bpengine.scenario import limits

# Peak bytes a refusal may allocate: refused before the work means before the staff, rounds
# or instances the value asks for exist (10**9 of anything is gigabytes).
REFUSAL_MEMORY = 4 * 1024 * 1024
MODEL = load(Path(__file__).resolve().parents[1] / "data" / "sim" / "sequence.bpmn")


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (
            {"lanes": {"Staf": {"staff": 10**9}}},
            r"lanes.Staf.staff: a lane needs a whole number of people from 1 to 10000 "
            r"\(the setting bpengine.scenario.limits.MAX_STAFF\), got 1000000000",
        ),
        (
            {"lanes": {"Staf": {"staff": float("inf")}}},
            r"lanes.Staf.staff: a lane needs a whole number of people .*, got inf",
        ),
        ({"tasks": {"A": float("nan")}}, r"tasks.A.duration: expected a finite duration, got nan"),
        (
            {"tasks": {"A": {"duration": "5 min", "repeat": 0.9999999}}},
            r"tasks.A.repeat: 0.9999999 means 10000000 rounds on average.*MAX_REPEAT",
        ),
        ({"tasks": {"A": {"duration": "5 min", "instances": 10**9}}}, r"MAX_INSTANCES"),
        ({"tasks": {"A": "1000000000 min"}}, r"MAX_DURATION_MINUTES"),
        ({"arrivals": {"rate": float("nan")}}, r"arrivals.rate: expected a finite number"),
        (
            {"start": "9999-12-31 23:00"},
            r"start: 9999-12-31 is out of range \(dates from 1900 to "
            r"2200\)",
        ),
        (
            {"lanes": {"Staf": {"people": [{"name": "Ani", "leave": "0001-01-01..9999-12-31"}]}}},
            r"people\[0\].leave\[0\]: 0001-01-01 is out of range",
        ),
        ({"data": {"x": {"distribution": "uniform", "low": -1e308, "high": 1e308}}}, r"data.x.low"),
    ],
    ids=[
        "staff",
        "inf-staff",
        "nan-duration",
        "repeat",
        "instances",
        "duration",
        "nan-rate",
        "start",
        "leave",
        "magnitude",
    ],
)
def test_a_request_beyond_a_limit_is_refused_naming_the_key(doc, message):
    tracemalloc.start()
    try:
        with pytest.raises(ScenarioError, match=message):
            load_scenario(doc, model=MODEL)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < REFUSAL_MEMORY, f"{peak} bytes allocated before refusing"


def test_run_sizes_are_refused_before_the_scenario_is_read():
    with pytest.raises(ScenarioError, match=r"cases: 1000000000 is above the limit of 1000000"):
        simulate(MODEL, scenario="no-such-file.yaml", cases=10**9)
    with pytest.raises(ScenarioError, match="MAX_TOTAL_CASES"):
        simulate(MODEL, cases=1_000_000, replications=100)


def test_a_run_longer_than_the_horizon_is_refused_before_simulating():
    with pytest.raises(ScenarioError, match=r"span about .* years.*MAX_HORIZON_YEARS"):
        simulate(MODEL, scenario={"arrivals": {"interarrival": "1000 working days"}}, cases=100)


def test_the_working_clock_stops_at_the_horizon():
    sc = load_scenario(
        {"tasks": {"A": "5000000 min"}, "lanes": {"Staf": {"staff": 1}}}, model=MODEL
    )
    with pytest.raises(ScenarioError, match="simulated time passed 200 years"):
        simulate(MODEL, scenario=sc, cases=200, replications=1)


def test_a_limit_raised_at_run_time_takes_effect(monkeypatch):
    with pytest.raises(ScenarioError, match="MAX_STAFF"):
        load_scenario({"lanes": {"Staf": {"staff": 20_000}}}, model=MODEL)
    monkeypatch.setattr(limits, "MAX_STAFF", 50_000)
    assert (
        load_scenario({"lanes": {"Staf": {"staff": 20_000}}}, model=MODEL).lane("Staf").staff
        == 20_000
    )


def test_values_are_quoted_short():
    nested = ["x"] * 9
    for _level in range(7):
        nested = [nested] * 9  # nine million strings if printed whole
    assert len(limits.shorten(nested)) <= limits.MAX_MESSAGE
    assert limits.shorten(10**5000) == "a number of 5001 digits"
