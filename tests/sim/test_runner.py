"""simulate(): queueing theory (Erlang C, utilisation, Little's law), reproducibility, KPIs."""

import math
from pathlib import Path

import pytest

from bpengine import BpengineError, load, simulate
from tests.conftest import shared_path

DATA = Path(__file__).resolve().parents[1] / "data" / "sim"
LAMBDA, MEAN_SERVICE = 10 / 60, 5.0  # per minute; minutes


def erlang_c_wait(lam, mean_service, c):
    """Mean wait in queue of an M/M/c queue (minutes)."""
    a = lam * mean_service
    rho = a / c
    top = a**c / math.factorial(c) / (1 - rho)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait * mean_service / (c - a)


def test_erlang_c_reference_values():
    assert erlang_c_wait(LAMBDA, MEAN_SERVICE, 1) == pytest.approx(25.0)
    assert erlang_c_wait(LAMBDA, MEAN_SERVICE, 2) == pytest.approx(1.0504, abs=1e-4)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("params", "servers", "cases"), [("mmc1.json", 1, 20000), ("mmc2.json", 2, 10000)]
)
def test_mmc_matches_erlang_c_utilisation_and_little(params, servers, cases):
    model = load(shared_path("bench", "mmc1.bpmn"))
    res = simulate(
        model,
        scenario=shared_path("bench", params),
        cases=cases,
        replications=10,
        warmup=2000,
        seed=1,
        event_log=False,
        workers=2,
    )
    wq = res["queueing_minutes"]
    assert wq.contains(erlang_c_wait(LAMBDA, MEAN_SERVICE, servers)), wq
    assert wq.half_width < 0.15 * wq.mean
    lane = res.lanes[0]
    low, high = lane["utilisation_ci95"]
    assert low - 0.005 <= LAMBDA * MEAN_SERVICE / servers <= high + 0.005
    # Little: L = lambda W, over the same window
    wip = res["work_in_progress"]
    lam_w = res["arrival_rate_per_hour"].mean * res["cycle_time_working_hours"].mean
    assert wip.mean == pytest.approx(lam_w, rel=0.03)
    assert res["processing_hours"].contains(MEAN_SERVICE / 60) or res[
        "processing_hours"
    ].mean == pytest.approx(MEAN_SERVICE / 60, rel=0.01)


def test_same_seed_same_result_other_seed_differs():
    sc = {
        "tasks": {
            "A": {"distribution": "exponential", "mean": "20 min"},
            "B": {"distribution": "lognormal", "mean": "10 min", "sd": "5 min"},
        },
        "arrivals": {"interarrival": {"distribution": "exponential", "mean": "25 min"}},
    }
    a = simulate(DATA / "sequence.bpmn", scenario=sc, cases=300, replications=3, seed=11)
    b = simulate(DATA / "sequence.bpmn", scenario=sc, cases=300, replications=3, seed=11)
    c = simulate(DATA / "sequence.bpmn", scenario=sc, cases=300, replications=3, seed=12)
    assert a.to_dict()["kpis"] == b.to_dict()["kpis"]
    assert a.event_log == b.event_log
    assert a.to_dict()["kpis"] != c.to_dict()["kpis"]


def test_kpis_add_up_for_a_sequence():
    sc = {
        "tasks": {"A": "30 min", "B": "15 min"},
        "service_standard": "1 working day",
        "lanes": {"Staf": {"cost_per_hour": 60000}, "Kepala": {"cost_per_hour": 120000}},
        "arrivals": {"interarrival": "2 h"},
    }
    res = simulate(DATA / "sequence.bpmn", scenario=sc, cases=200, replications=2, seed=3)
    assert res["processing_hours"].mean == pytest.approx(0.75)
    assert res["cost_per_case"].mean == pytest.approx(30 * 1000 + 15 * 2000)
    assert res["queueing_hours"].mean == pytest.approx(0)  # one case at a time
    # every case starts at opening or during the day and takes 45 working minutes
    assert res["cycle_time_working_hours"].mean == pytest.approx(0.75)
    assert res["within_service_standard"].mean == 1.0
    hours = res["processing_hours"].mean + res["waiting_hours"].mean
    assert hours == pytest.approx(res["cycle_time_calendar_days"].mean * 24, rel=1e-6)


def test_warmup_cases_are_not_measured():
    res = simulate(DATA / "sequence.bpmn", scenario=None, cases=100, replications=2, warmup=0.5)
    assert res.warmup == 50
    assert len(res.cycle_days) == 200
    with pytest.raises(BpengineError, match="warmup"):
        simulate(DATA / "sequence.bpmn", scenario=None, cases=10, warmup=-1)
    with pytest.raises(BpengineError, match="cases"):
        simulate(DATA / "sequence.bpmn", scenario=None, cases=0)


def test_permit_runs_with_prosimos_parameters():
    res = simulate(
        shared_path("bench", "permit.bpmn"),
        scenario=shared_path("bench", "permit.json"),
        cases=1000,
        replications=3,
        seed=5,
    )
    rework = next(t for t in res.tasks if t["id"] == "T03")
    assert rework["executions_per_case"] == pytest.approx(0.25, abs=0.04)  # 0.2 / (1 - 0.2)
    assert next(t for t in res.tasks if t["id"] == "T09")["executions_per_case"] == pytest.approx(
        0.3, abs=0.05
    )
    officer = next(lane for lane in res.lanes if lane["lane"] == "CaseOfficer")
    assert 0.5 < officer["utilisation"] < 1
    assert res["waiting_off_hours"].mean > 0  # the office closes at 16:00
    assert res["idle_time"].mean > 0  # and work in hand waits for the next day


def test_workers_give_the_same_result_as_one_process():
    sc = {
        "tasks": {"A": {"distribution": "exponential", "mean": "20 min"}},
        "arrivals": {"interarrival": {"distribution": "exponential", "mean": "25 min"}},
    }
    one = simulate(DATA / "sequence.bpmn", scenario=sc, cases=200, replications=4, seed=5)
    two = simulate(
        DATA / "sequence.bpmn", scenario=sc, cases=200, replications=4, seed=5, workers=2
    )
    assert one.to_dict()["kpis"] == two.to_dict()["kpis"]
    assert one.event_log == two.event_log
    assert one.tasks == two.tasks
    with pytest.raises(BpengineError, match="workers"):
        simulate(DATA / "sequence.bpmn", scenario=sc, cases=10, workers=-1)


def test_errors_in_worker_processes_keep_their_location():
    from bpengine import ModelError

    with pytest.raises(ModelError) as err:
        simulate(DATA / "deadlock.bpmn", scenario=None, cases=5, replications=2, workers=2)
    assert err.value.problems[0].element_id == "J"
    assert str(err.value).startswith(str(DATA / "deadlock.bpmn"))


def test_progress_is_reported_up_to_the_total():
    seen = []
    simulate(
        DATA / "sequence.bpmn",
        scenario=None,
        cases=500,
        replications=2,
        warmup=0,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen[-1] == (1000, 1000)
    assert all(a[0] <= b[0] for a, b in zip(seen, seen[1:], strict=False))
    assert len(seen) > 10


def test_common_random_numbers_across_variants():
    # changing one task's duration leaves arrivals and the other task's draws unchanged
    base = {
        "tasks": {
            "A": {"distribution": "exponential", "mean": "20 min"},
            "B": {"distribution": "exponential", "mean": "10 min"},
        },
        "calendar": {"hours": "always"},
        "arrivals": {"calendar": "always"},
    }
    other = {
        **base,
        "tasks": {**base["tasks"], "B": {"distribution": "uniform", "low": 1, "high": 3}},
    }
    one = simulate(DATA / "sequence.bpmn", scenario=base, cases=100, replications=1, warmup=0)
    two = simulate(DATA / "sequence.bpmn", scenario=other, cases=100, replications=1, warmup=0)

    def work(res, task):
        return sorted(
            (r["case"], r["enabled"], r["end"] - r["start"])
            for r in res.event_log
            if r["activity"] == task
        )

    assert work(one, "A") == work(two, "A")
    assert work(one, "B") != work(two, "B")


def test_a_lane_in_another_zone_works_its_own_hours_on_the_simulations_clock():
    # penugasan: Sekretariat and Kepala in Jakarta (WIB, the clock), the verification in
    # Makassar (WITA): 07:30-16:00 there is 06:30-15:00 on the clock
    bpmn = Path(__file__).resolve().parents[1] / "engine" / "data" / "penugasan.bpmn"
    result = simulate(
        bpmn, scenario=bpmn.with_suffix(".scenario.yaml"), cases=60, replications=2, warmup=0
    )

    def minutes(when):
        return when.hour * 60 + when.minute + when.second / 60

    rows = result.event_log
    makassar = [r for r in rows if r["lane"] == "Kantor Wilayah Makassar"]
    jakarta = [r for r in rows if r["lane"] != "Kantor Wilayah Makassar"]
    assert makassar
    assert jakarta

    def closes(when):  # 16:00 WIB, 16:30 on Friday
        return 990 if when.weekday() == 4 else 960

    for row in makassar:
        assert 390 <= minutes(row["start"]) < closes(row["start"]) - 60
        assert 390 < minutes(row["end"]) <= closes(row["end"]) - 60
    assert min(minutes(r["start"]) for r in makassar) < 450  # before Jakarta opens
    for row in jakarta:
        assert 450 <= minutes(row["start"]) < closes(row["start"])
        assert 450 < minutes(row["end"]) <= closes(row["end"])
    assert any("Asia/Makassar" in note for note in result.notes)
