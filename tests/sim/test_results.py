"""What a simulation reports: offered load and its warning, the KPI table's meanings."""

from pathlib import Path

import pytest

from bpengine import simulate
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
