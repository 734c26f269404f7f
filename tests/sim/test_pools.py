"""One case crosses pools along message flows, with the hand-over's transfer time."""

import datetime as dt
from pathlib import Path

import pytest

from bpengine import ModelError, ScenarioError, load, simulate
from bpengine.sim import run_case

COLLAB = Path(__file__).resolve().parents[1] / "data" / "collab" / "tiga-instansi.bpmn"
ALWAYS = {"calendar": {"hours": "always"}, "arrivals": {"calendar": "always"}}


@pytest.fixture(scope="module")
def model():
    return load(COLLAB)


def by_activity(rows):
    return {r["activity"]: r for r in rows}


def test_every_pool_runs_and_data_arrives_in_seconds(model):
    rows = by_activity(run_case(model, {}, ALWAYS))
    assert set(rows) == {
        "Task_verifikasi",
        "Task_arsip",
        "Task_ttd",
        "Send_kirim",
        "Task_siapkan",
        "Receive_terima",
        "Task_catat",
    }
    people = {a: r for a, r in rows.items() if a not in ("Send_kirim", "Receive_terima")}
    assert {r["lane"] for r in people.values()} == {"Petugas Kelurahan", "Camat", "Petugas Dinas"}
    # send and receive tasks are a system's work: no staff, around the clock
    assert {rows["Send_kirim"]["lane"], rows["Receive_terima"]["lane"]} == {"(system)"}
    # the receive task waits for the send task's data: ten seconds after it ends
    assert rows["Receive_terima"]["enabled"] - rows["Send_kirim"]["end"] == dt.timedelta(seconds=10)
    # the paper file: the default hand-over takes between one hour and a working day
    gap = rows["Task_ttd"]["enabled"] - rows["Task_verifikasi"]["end"]
    assert dt.timedelta(hours=1) <= gap <= dt.timedelta(hours=7.5)


def test_transfer_times_come_from_the_scenario(model):
    scenario = {
        **ALWAYS,
        "handovers": {"Msg_berkas": "3 h", "data": "5 min"},
        "tasks": {"Task_catat": "45 min"},
        "lanes": {"Camat": {"staff": 2}},
    }
    rows = by_activity(run_case(model, {}, scenario))
    assert rows["Task_ttd"]["enabled"] - rows["Task_verifikasi"]["end"] == dt.timedelta(hours=3)
    assert rows["Receive_terima"]["enabled"] - rows["Send_kirim"]["end"] == dt.timedelta(minutes=5)
    # a task of another pool than the first keeps its scenario duration
    assert rows["Task_catat"]["end"] - rows["Task_catat"]["start"] == dt.timedelta(minutes=45)


def test_paper_moves_in_office_hours(model):
    # handed over at the end of a Friday afternoon: arrives on Monday
    scenario = {
        "start": "2025-01-10 15:30",
        "handovers": {"paper": "2 h"},
        "tasks": {"Task_verifikasi": "20 min"},
    }
    rows = by_activity(run_case(model, {}, scenario))
    assert rows["Task_verifikasi"]["end"].weekday() == 4
    assert rows["Task_ttd"]["enabled"].weekday() == 0


def test_a_longer_paper_transfer_shows_in_the_cycle_time(model):
    quick = simulate(model, scenario={"handovers": {"paper": "10 min"}}, cases=60, replications=2)
    slow = simulate(
        model, scenario={"handovers": {"paper": "3 working days"}}, cases=60, replications=2
    )
    assert (
        slow.kpis["cycle_time_working_days"].mean > quick.kpis["cycle_time_working_days"].mean + 2.5
    )
    assert {t["lane"] for t in slow.tasks} >= {"Camat", "Petugas Dinas"}


def test_what_is_not_simulated_is_named(model):
    result = simulate(model, scenario=None, cases=20, replications=1)
    assert any("pool Pemohon is a black box" in n for n in result.notes)


def test_a_handover_key_that_is_no_message_flow_is_named(model):
    with pytest.raises(ScenarioError, match=r"handovers\.Msg_nope: no message flow has id or name"):
        run_case(model, {}, {"handovers": {"Msg_nope": "1 h"}})


def test_a_message_never_sent_is_a_deadlock_named_at_the_receiver():
    # the dinas reaches its receive task twice (two flows out of one task), one message comes
    data = COLLAB.read_bytes().replace(
        b'<bpmn:sequenceFlow id="F_d2" sourceRef="Task_siapkan" targetRef="Receive_terima"/>',
        b'<bpmn:sequenceFlow id="F_d2" sourceRef="Task_siapkan" targetRef="Receive_terima"/>'
        b'<bpmn:sequenceFlow id="F_twice" sourceRef="Task_siapkan" targetRef="Receive_terima"/>',
    )
    model = load(data)
    with pytest.raises(
        ModelError,
        match=r"Receive_terima \(Terima rekomendasi\) waits for a "
        r"message from another pool that never comes",
    ):
        simulate(model, scenario=None, cases=5, replications=1)


def test_a_receive_task_takes_no_time_of_its_own(model):
    # QA: a receive task took the default 10 minutes on top of the transfer time
    rows = by_activity(run_case(model, {}, ALWAYS))
    for step in ("Send_kirim", "Receive_terima"):
        assert rows[step]["end"] == rows[step]["start"]
