"""Jobs isolate failure: a poisoned timer or handler is an incident on its case, never a stop."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from pathlib import Path

import pytest

from bpengine import BpengineError, BpmnError, Engine, ExpressionError


def _registry(calls: Counter | None = None):
    """The registry handler: raises for NIK 'rusak', returns nothing usable for 'kosong'."""

    def kirim(data, job):
        if calls is not None:
            calls[job.key] += 1
        if data.get("nik") == "rusak":
            raise ConnectionError("registri tidak menjawab")
        if data.get("nik") == "kosong":
            return {}  # G_hasil reads `nomor`: the step after the handler fails
        return {"nomor": 7}

    return kirim


def _receive(engine, case_id, actor="ani"):
    [task] = [t for t in engine.get(case_id).tasks if t.element_id == "T_terima"]
    return engine.complete(task.id, {}, actor=actor)


def test_a_poisoned_timer_is_an_incident_with_backoff_and_the_others_fire(engine, data_dir, clock):
    engine.deploy(data_dir / "jobs.bpmn")
    engine.register("S_kirim", _registry())
    healthy = [engine.start("jobs", {"prioritas": "biasa", "nik": str(i)}).id for i in range(3)]
    poisoned = engine.start("jobs", {"nik": "9"}).id  # no `prioritas`: G_cek cannot decide
    clock.advance(hours=2)
    assert sorted(engine.tick()) == sorted(healthy)
    assert {engine.get(c).status for c in healthy} == {"completed"}
    case = engine.get(poisoned)
    assert case.status == "running"  # retries left: not failed yet
    [incident] = engine.incidents(poisoned)
    assert (incident.kind, incident.element_id, incident.attempts) == ("timer", "B_lambat", 1)
    assert "prioritas" in incident.error
    assert "G_cek" in incident.error
    assert incident.next_retry == clock.now + dt.timedelta(minutes=1)
    assert engine.tick() == []  # not before its next retry
    clock.advance(minutes=1)
    engine.tick()
    [incident] = engine.incidents(poisoned)
    assert (incident.attempts, incident.next_retry) == (2, clock.now + dt.timedelta(minutes=2))
    clock.advance(minutes=2)
    engine.tick()
    [incident] = engine.incidents(poisoned)
    assert (incident.attempts, incident.next_retry) == (3, None)
    case = engine.get(poisoned)
    assert case.status == "failed"
    assert "prioritas" in case.error
    assert [h.action for h in engine.history(poisoned)][-3:] == ["fail", "fail", "fail"]

    done = engine.retry(poisoned, actor="admin", data={"prioritas": "biasa"})
    assert done.status == "completed"
    assert done.data["nomor"] == 7
    assert engine.incidents(poisoned) == []
    [resolved] = engine.incidents(poisoned, state="resolved")
    assert resolved.resolved_by == "admin"
    assert resolved.attempts == 3
    retry = next(h for h in engine.history(poisoned) if h.action == "retry")
    assert retry.actor == "admin"
    assert retry.data_after["prioritas"] == "biasa"


def test_failing_handlers_keep_the_step_before_and_retry_after_a_fix(engine, data_dir, clock):
    engine.deploy(data_dir / "jobs.bpmn")
    engine.register("S_kirim", _registry(), retries=2, backoff=dt.timedelta(seconds=30))
    raising = engine.start("jobs", {"nik": "rusak"}).id
    empty = engine.start("jobs", {"nik": "kosong"}).id
    fine = engine.start("jobs", {"nik": "1"}).id
    for case_id in (raising, empty, fine):
        after = _receive(engine, case_id)
        # The officer's step is kept whatever the handler did.
        assert engine.history(case_id)[1].action == "complete"
    assert engine.get(fine).status == "completed"
    by_case = {i.case_id: i for i in engine.incidents()}
    assert set(by_case) == {raising, empty}
    assert by_case[raising].error == "S_kirim: ConnectionError: registri tidak menjawab"
    assert "G_hasil" in by_case[empty].error
    assert "nomor" in by_case[empty].error
    for case_id in (raising, empty):
        case = engine.get(case_id)
        assert case.status == "running"
        assert case.data.get("nomor") is None
        assert [(t.element_id, t.state) for t in case.tasks] == [("S_kirim", "pending")]
    assert after.status == "completed"
    assert engine.work() == []  # both wait for their next retry
    clock.advance(seconds=30)
    engine.work()
    assert {engine.get(c).status for c in (raising, empty)} == {"failed"}
    assert {i.attempts for i in engine.incidents()} == {2}

    engine.register("S_kirim", lambda data: {"nomor": 8})  # the fix is deployed
    for case_id in (raising, empty):
        assert engine.retry(case_id, actor="admin").status == "completed"
    assert engine.incidents() == []
    with pytest.raises(BpengineError, match="only failed cases or cases with incidents"):
        engine.retry(fine)


def test_a_handler_raising_bpmn_error_is_caught_by_the_error_boundary(engine, data_dir):
    engine.deploy(data_dir / "jobs.bpmn")

    def kirim(data):
        if data["nik"] == "000":
            raise BpmnError("NIK_TIDAK_VALID", "NIK tidak terdaftar", data={"alasan": "NIK"})
        raise BpmnError("LAINNYA")

    engine.register("Kirim ke registri", kirim)  # by name
    caught = _receive(engine, engine.start("jobs", {"nik": "000"}).id)
    assert caught.status == "running"
    assert caught.data["alasan"] == "NIK"
    assert [t.element_id for t in caught.tasks] == ["T_perbaiki"]
    error = [h for h in engine.history(caught.id) if h.action == "error"]
    assert error[0].detail == "BpmnError 'NIK_TIDAK_VALID' caught: NIK tidak terdaftar"
    uncaught = _receive(engine, engine.start("jobs", {"nik": "123"}).id)
    [incident] = engine.incidents(uncaught.id)
    assert "BpmnError 'LAINNYA': no error boundary event on S_kirim" in incident.error


def test_the_idempotency_key_is_the_same_on_every_attempt(engine, data_dir, clock):
    engine.deploy(data_dir / "jobs.bpmn")
    seen = []

    def kirim(data, job):
        seen.append((job.key, job.attempt, job.element_id))
        if job.attempt < 2:
            raise TimeoutError("registri lambat")
        return {"nomor": 1}

    engine.register("S_kirim", kirim, backoff=dt.timedelta(0))
    case = _receive(engine, engine.start("jobs", {"nik": "1"}).id)
    assert engine.work() == [case.id]
    assert engine.get(case.id).status == "completed"
    assert [(a, e) for _, a, e in seen] == [(1, "S_kirim"), (2, "S_kirim")]
    assert len({k for k, _, _ in seen}) == 1
    assert seen[0][0].startswith(case.id + "/")
    [incident] = engine.incidents(case.id, state="resolved")
    assert incident.resolved_by == "service:S_kirim"


def test_retry_options_are_checked(engine):
    with pytest.raises(BpengineError, match="retries must be a whole number"):
        engine.set_retries("S_kirim", 0)
    with pytest.raises(BpengineError, match="backoff must be"):
        engine.register("S_kirim", lambda d: None, backoff=5)
    assert isinstance(ExpressionError("x"), BpengineError)


# --- four workers, SQLite and PostgreSQL ----------------------------------------------------
def _poison_under_workers(url: str, data_dir, clock) -> None:
    front = Engine(url, clock=clock)  # the front office: no handler, so service jobs wait
    front.deploy(data_dir / "jobs.bpmn")
    healthy = []
    for i in range(24):
        case = front.start("jobs", {"prioritas": "biasa", "nik": f"h{i}"})
        healthy.append(case.id)
        if i % 2:
            _receive(front, case.id)  # to S_kirim now; the even ones wait for the timer
    late = front.start("jobs", {"nik": "t"}).id  # its timer's gateway fails
    raising = front.start("jobs", {"nik": "rusak"}).id
    empty = front.start("jobs", {"nik": "kosong"}).id
    for case_id in (raising, empty):
        _receive(front, case_id)
    clock.advance(hours=2)
    calls: Counter = Counter()
    errors = []

    def worker():
        engine = Engine(url, clock=clock)
        engine.register("S_kirim", _registry(calls))
        try:
            for _ in range(40):
                if not (engine.tick() + engine.work()):
                    break
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            engine.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert {front.get(c).status for c in healthy} == {"completed"}
    incidents = {i.case_id: i for i in front.incidents()}
    assert set(incidents) == {late, raising, empty}
    assert {i.kind for i in incidents.values()} == {"timer", "service"}
    assert {i.case_id: i.next_retry is not None for i in incidents.values()} == dict.fromkeys(
        incidents, True
    )  # retries left: tried again later, not by these sweeps
    # No two workers ran one job (SKIP LOCKED; on SQLite the job writes first), and a failed
    # job was not taken again between its failure and its incident.
    assert {i.attempts for i in incidents.values()} == {1}
    assert sum(calls.values()) == len(calls) == len(healthy) + 2
    front.register("S_kirim", lambda data: {"nomor": 9})
    front.retry(late, data={"prioritas": "biasa"})
    for case_id in (late, raising, empty):
        front.retry(case_id) if front.get(case_id).status != "completed" else None
        assert front.get(case_id).status == "completed"
    assert front.incidents() == []
    front.close()


@pytest.mark.slow
def test_a_poisoned_job_leaves_four_workers_running_on_sqlite(data_dir, clock, tmp_path):
    _poison_under_workers(f"sqlite:///{tmp_path / 'jobs.db'}", data_dir, clock)


@pytest.mark.slow
def test_a_poisoned_job_leaves_four_workers_running_on_postgresql(pg_url, data_dir, clock):
    _poison_under_workers(pg_url, data_dir, clock)


def test_a_timer_that_leads_into_a_gateway_loop_is_an_incident_naming_the_gateways(engine, clock):
    """Issue #16: a job running into a loop of gateways fails on its case, saying where."""
    source = (
        Path(__file__).parents[1] / "data" / "hostile" / "livelock" / "gateway-loop.bpmn"
    ).read_text(encoding="utf-8")
    timer = (
        '<boundaryEvent id="B_batas" attachedToRef="T_isi"><timerEventDefinition>'
        "<timeDuration>PT1H</timeDuration></timerEventDefinition></boundaryEvent>"
        '<sequenceFlow id="F_batas" sourceRef="B_batas" targetRef="G_ulang"/>'
    )
    engine.deploy(source.replace('<endEvent id="E"', timer + '<endEvent id="E"').encode())
    case = engine.start("gateway_loop", {"skor": 0})
    clock.advance(hours=2)
    assert engine.tick() == []
    [incident] = engine.incidents(case.id)
    assert (incident.kind, incident.element_id) == ("timer", "B_batas")
    assert "loops through G_cek ('Skor cukup?'), G_ulang ('Ulang?')" in incident.error
    assert engine.get(case.id).status == "running"  # the timer waits for its retry
