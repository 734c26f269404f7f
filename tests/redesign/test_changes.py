"""transform_scenario: the scenario follows the model through each change."""

from __future__ import annotations

import pytest

from bpengine import ScenarioError
from bpengine.redesign import (
    Change,
    compose,
    duration_moments,
    eliminate,
    parallelise,
    transform_scenario,
)

SCENARIO = {
    "service_standard": "3 working days",
    "lanes": {"Petugas Kelurahan": {"staff": 2, "cost_per_hour": 45000}},
    "tasks": {
        "Task_ttd_rw": {"duration": "20 min", "batch": {"at": ["14:00"]}},
        "Beri nomor dan stempel": {"duration": {"distribution": "normal", "mean": 6, "sd": 3}},
        "Task_serahkan": {
            "duration": {"distribution": "uniform", "low": "2 min", "high": "6 min"},
            "batch": {"size": 5},
        },
        "Task_input_data": "15 min",
    },
    "gateways": {"Gateway_draf_benar": {"Flow_draf_benar_ya": 0.8, "Flow_draf_benar_tidak": 0.2}},
}


def test_removed_task_is_dropped_and_the_rest_is_kept(domisili):
    _, log = eliminate(domisili, "Task_ttd_rw")
    out = transform_scenario(SCENARIO, log[0])
    assert "Task_ttd_rw" not in out["tasks"]
    assert out["tasks"]["Task_input_data"] == "15 min"
    assert out["lanes"] == SCENARIO["lanes"]
    assert out["service_standard"] == "3 working days"
    assert "Task_ttd_rw" in SCENARIO["tasks"]  # the input is not modified


def test_removed_decision_loses_its_branch_probabilities(domisili):
    _, log = eliminate(domisili, "Task_paraf_kasi")
    assert (
        "gateways" not in transform_scenario(SCENARIO, log[0])
        or "Gateway_draf_benar" not in transform_scenario(SCENARIO, log[0])["gateways"]
    )


def test_composed_durations_add_keys_by_name_too(domisili):
    _, log = compose(domisili, ["Task_nomor_surat", "Task_serahkan"])
    tasks = transform_scenario(SCENARIO, log[0])["tasks"]
    assert "Beri nomor dan stempel" not in tasks
    assert "Task_serahkan" not in tasks
    entry = tasks["Task_nomor_surat"]
    mean, var = duration_moments(entry["duration"])
    assert mean == pytest.approx(6 + 4, rel=1e-3)
    assert var == pytest.approx(9 + 16 / 12, rel=1e-3)
    assert entry["batch"] == {"size": 5}  # the last step's batch


def test_fixed_durations_sum_to_a_fixed_duration():
    change = Change("compose", ("a", "b"), "", removed=("b",), merged=(("a", ("a", "b")),))
    out = transform_scenario({"tasks": {"a": "1 h", "b": 30}}, change)
    assert out["tasks"] == {"a": "90 min"}


def test_merged_decision_gets_product_of_approval_probabilities(signoff):
    _, log = parallelise(signoff, ["Task_paraf_kasubbag", "Task_paraf_kabag"])
    scenario = {
        "gateways": {
            "Gateway_ok_kasubbag": {"Flow_ok_kasubbag_ya": 0.9, "Flow_ok_kasubbag_tidak": 0.1},
            "Gateway_ok_kabag": {"Flow_ok_kabag_ya": 0.8, "Flow_ok_kabag_tidak": 0.2},
        }
    }
    out = transform_scenario(scenario, log[0])["gateways"]
    new_gw, accept, reject, _old = log[0].decisions[0]
    assert out == {new_gw: {accept: pytest.approx(0.72), reject: pytest.approx(0.28)}}


def test_unreadable_duration_names_the_task():
    change = Change("compose", ("a", "b"), "", removed=("b",), merged=(("a", ("a", "b")),))
    with pytest.raises(ScenarioError, match="tasks.a.*fortnight"):
        transform_scenario({"tasks": {"a": "2 fortnight", "b": 3}}, change)


def test_change_to_dict_is_plain_data(domisili):
    _, log = eliminate(domisili, "Task_ttd_rw", finding="F-3")
    d = log[0].to_dict()
    assert d["kind"] == "eliminate"
    assert d["finding"] == "F-3"
    assert d["names"] == {"Task_ttd_rw": "Tanda tangan pengantar RW (mengetahui)"}


def test_timing_of_a_removed_event_is_dropped():
    change = Change("eliminate", ("t",), "", removed=("t", "Timer_wait"))
    out = transform_scenario({"events": {"Timer_wait": {"duration": "1 h"}, "Other": 2}}, change)
    assert out["events"] == {"Other": 2}


@pytest.mark.parametrize(
    ("a", "b", "minutes"),
    [
        ("30 minutes", "2 wd", 930.0),
        ("1 hour", "45 mins", 105.0),
        ({"distribution": "exponential", "mean": "1 d"}, "90 seconds", 451.5),
    ],
)
def test_composing_reads_every_duration_the_scenario_accepts(a, b, minutes):
    change = Change("compose", ("a", "b"), "", removed=("b",), merged=(("a", ("a", "b")),))
    out = transform_scenario({"tasks": {"a": a, "b": b}}, change)
    mean, _ = duration_moments(out["tasks"]["a"])
    assert mean == pytest.approx(minutes, rel=1e-3)


def test_composing_counts_a_working_day_by_the_scenarios_calendar():
    change = Change("compose", ("a", "b"), "", removed=("b",), merged=(("a", ("a", "b")),))
    hours = {d: "08:00-12:00" for d in ("mon", "tue", "wed", "thu", "fri")}  # four hours a day
    out = transform_scenario({"calendar": {"hours": hours}, "tasks": {"a": "1 wd", "b": 0}}, change)
    assert out["tasks"]["a"] == "240 min"


def test_composed_scenario_loads_with_the_model(domisili):
    from bpengine.scenario import load_scenario

    new, log = compose(domisili, ["Task_nomor_surat", "Task_serahkan"])
    doc = {"tasks": {"Task_nomor_surat": "30 minutes", "Task_serahkan": "0.1 wd"}}
    sc = load_scenario(transform_scenario(doc, log[0]), model=new)
    assert sc.task_duration("Task_nomor_surat").mean == pytest.approx(75.0)


def test_named_people_let_go_of_removed_and_merged_tasks(domisili):
    from bpengine.scenario import load_scenario

    doc = {
        "lanes": {
            "Petugas Kelurahan": {
                "people": [
                    {
                        "name": "Sari",
                        "tasks": [
                            "Task_terima_berkas",
                            "Cek kelengkapan berkas",
                            "Task_nomor_surat",
                            "Task_serahkan",
                        ],
                        "durations": {"Task_cek_kelengkapan": "5 min", "Task_serahkan": "2 min"},
                    },
                    {"name": "Budi"},
                ]
            }
        }
    }
    log = []
    fewer, made = eliminate(domisili, "Task_cek_kelengkapan")
    log += made
    out = transform_scenario(doc, log[0])
    sari = out["lanes"]["Petugas Kelurahan"]["people"][0]
    assert sari["tasks"] == ["Task_terima_berkas", "Task_nomor_surat", "Task_serahkan"]
    assert sari["durations"] == {"Task_serahkan": "2 min"}
    assert load_scenario(out, model=fewer).lane("Petugas Kelurahan").staff == 2
    log = []
    merged, made = compose(domisili, ["Task_nomor_surat", "Task_serahkan"])
    log += made
    out = transform_scenario(doc, log[0])
    sari = out["lanes"]["Petugas Kelurahan"]["people"][0]
    assert "Task_serahkan" not in sari["tasks"]
    assert "Task_serahkan" not in sari["durations"]
    assert (
        load_scenario(out, model=merged)
        .lane("Petugas Kelurahan")
        .people[0]
        .can_do("Task_nomor_surat")
    )


def test_moving_staff_between_lanes_of_named_people(domisili):
    from bpengine.redesign import move_staff
    from bpengine.scenario import load_scenario

    doc = {
        "lanes": {
            "Petugas Kelurahan": {"people": ["Sari", "Budi", "Wati"]},
            "Kasi Pemerintahan": {"people": [{"name": "Ani"}]},
        }
    }
    _, log = move_staff(domisili, "Petugas Kelurahan", "Kasi Pemerintahan")
    sc = load_scenario(transform_scenario(doc, log[0]), model=domisili)
    assert [p.name for p in sc.lane("Petugas Kelurahan").people] == ["Sari", "Budi"]
    assert [p.name for p in sc.lane("Kasi Pemerintahan").people] == ["Ani", "moved in 1"]
