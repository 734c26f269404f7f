"""Messages and signals through the public API, on SQLite and PostgreSQL.

pindah.bpmn is a collaboration: the kelurahan hands the residence-transfer file to the
kecamatan (message flow to a message start), the kecamatan sends the SKPWNI back (send task
to catch events behind an event-based gateway with a five-day timer), and the applicant's
original documents come from outside (receive task, correlated by business key).
"""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from bpengine import BpengineError, Engine, NotFound


@pytest.fixture(params=["sqlite", "postgres"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'messages.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def eng(url, clock, data_dir):
    engine = Engine(url, clock=clock)
    engine.register("Catat di SIAK", lambda data: {"siak": "tercatat"})
    engine.deploy(data_dir / "pindah.bpmn")
    yield engine
    engine.close()


def _do(engine, lane, data=None, case=None):
    [task] = [t for t in engine.inbox(lane=lane) if case is None or t.case_id == case]
    return engine.complete(task.id, data or {}, actor=lane)


def _waiting(case):
    return sorted((t.element_id, t.kind, t.message) for t in case.tasks)


def test_two_pools_run_as_one_case_with_messages_inside_and_from_outside(eng):
    case = eng.start("pindah_domisili", {"nik": "3273010101900001"}, actor="loket",
                     business_key="PND-001")
    assert (case.key, case.business_key) == ("pindah_domisili", "PND-001")
    assert [t.lane for t in eng.inbox()] == ["Petugas Kelurahan"]
    case = _do(eng, "Petugas Kelurahan")
    assert _waiting(case) == [("R_dokumen", "message", "Dokumen asli")]

    message = eng.correlate("Dokumen asli", business_key="PND-001", data={"asli": True},
                            actor="pemohon")
    assert (message.state, message.case_id, message.element_ids) == (
        "delivered", case.id, ("R_dokumen",))
    case = _do(eng, "Lurah")  # throws the file to the kecamatan: its pool starts
    assert _waiting(case) == [("A_periksa", "user", None), ("C_skpwni", "message", "SKPWNI"),
                              ("Tm_lama", "timer", None)]
    assert [t.lane for t in eng.inbox()] == ["Petugas Kecamatan"]  # the other pool's lane
    _do(eng, "Petugas Kecamatan")
    done = _do(eng, "Camat")  # the SKPWNI goes back; the kelurahan hands it over and ends
    assert done.status == "completed" and done.data["asli"] is True
    assert done.data["siak"] == "tercatat"

    trail = [(h.action, h.element_id) for h in eng.history(case.id)]
    assert trail == [("start", None), ("complete", "A_verifikasi"), ("message", "R_dokumen"),
                     ("service", "A_siak"), ("complete", "A_pengantar"), ("message", "S_kec"),
                     ("complete", "A_periksa"), ("complete", "A_terbitkan"),
                     ("message", "C_skpwni"), ("throw", "T_berikan"), ("end", None)]
    outside = [h for h in eng.history(case.id) if h.element_id == "R_dokumen"][0]
    assert outside.actor == "pemohon" and outside.data_after["asli"] is True
    [outbound] = eng.messages("outbound")  # for the applicant: the application passes it on
    assert (outbound.name, outbound.business_key, outbound.source_case_id) == (
        "SKPWNI untuk pemohon", "PND-001", case.id)


def test_correlate_by_case_data_and_a_message_id_is_delivered_once(eng):
    cases = [eng.start("pindah_domisili", {"nik": nik}) for nik in ("111", "222")]
    for case in cases:
        _do(eng, "Petugas Kelurahan", case=case.id)
    with pytest.raises(BpengineError, match="awaited by 2 cases"):
        eng.correlate("Dokumen asli")
    first = eng.correlate("Dokumen asli", correlation={"nik": "222"}, message_id="WA-77")
    again = eng.correlate("Dokumen asli", correlation={"nik": "222"}, message_id="WA-77")
    assert first.case_id == cases[1].id and not first.duplicate
    assert again.duplicate and again.case_id == cases[1].id
    caught = [h for h in eng.history(cases[1].id) if h.action == "message"]
    assert len(caught) == 1 and "WA-77" in caught[0].detail
    assert _waiting(eng.get(cases[0].id)) == [("R_dokumen", "message", "Dokumen asli")]


def test_a_message_for_no_waiting_case_is_a_clear_error_or_kept(eng, clock):
    case = eng.start("pindah_domisili", {}, business_key="PND-9")
    with pytest.raises(NotFound, match=r"no case waits for message 'Dokumen asli' with "
                                       r"business key 'PND-9'.*keep=True"):
        eng.correlate("Dokumen asli", business_key="PND-9")
    with pytest.raises(NotFound, match="no case waits for message 'Surat nikah'"):
        eng.correlate("Surat nikah", business_key="PND-9")
    assert eng.messages() == []  # a refused message leaves no trace
    kept = eng.correlate("Dokumen asli", business_key="PND-9", data={"asli": True}, keep=True)
    assert kept.state == "pending" and kept.case_ids == ()
    assert eng.tick() == []  # nobody waits yet: it stays
    _do(eng, "Petugas Kelurahan")
    assert eng.tick() == [case.id]
    assert eng.messages(name="Dokumen asli")[0].state == "delivered"
    assert [t.element_id for t in eng.get(case.id).tasks] == ["A_pengantar"]


def test_event_gateway_timer_branch_then_a_message_that_arrives_early_is_kept(eng, clock):
    case = eng.start("pindah_domisili", {}, business_key="PND-2")
    _do(eng, "Petugas Kelurahan")
    eng.correlate("Dokumen asli", business_key="PND-2")
    _do(eng, "Lurah")
    assert eng.tick(clock.advance(days=4)) == []
    assert eng.tick(clock.advance(days=1, minutes=1)) == [case.id]  # five days: ask
    after = eng.get(case.id)
    assert ("Tm_lama", "timer") not in [(t.element_id, t.kind) for t in after.tasks]
    _do(eng, "Petugas Kecamatan")
    # The kecamatan sends the SKPWNI while the kelurahan is still asking: nobody waits for
    # it yet; the case keeps it and hands it over once "Menerima SKPWNI" waits.
    still = _do(eng, "Camat")
    assert still.status == "running" and [t.element_id for t in still.tasks] == ["A_tanya"]
    done = _do(eng, "Petugas Kelurahan")
    assert done.status == "completed"
    assert [h.element_id for h in eng.history(case.id) if h.action == "message"] == [
        "R_dokumen", "S_kec", "C_skpwni2"]
    with eng.db.connect() as conn:
        states = dict(conn.execute(text(
            "SELECT element_id || ':' || kind, state FROM bpe_tasks WHERE case_id = :c "
            "AND kind IN ('timer', 'message')"), {"c": case.id}).all())
    assert states == {"R_dokumen:message": "completed", "C_skpwni:message": "cancelled",
                      "Tm_lama:timer": "completed"}


def test_a_message_start_event_starts_a_case(url, clock, data_dir):
    with Engine(url, clock=clock) as engine:
        engine.deploy(data_dir / "pengaduan.bpmn")
        started = engine.correlate("Pengaduan masuk", business_key="ADU-1",
                                   data={"isi": "jalan rusak"}, actor="warga")
        assert started.started == started.case_ids and len(started.case_ids) == 1
        case = engine.get(started.case_id)
        assert (case.business_key, case.data, [t.element_id for t in case.tasks]) == (
            "ADU-1", {"isi": "jalan rusak"}, ["A_tindak"])
        assert [(h.action, h.element_id, h.actor) for h in engine.history(case.id)] == [
            ("start", None, "warga"), ("message", "S", "warga")]


def test_signals_broadcast_across_cases(url, clock, data_dir):
    with Engine(url, clock=clock) as engine:
        engine.deploy(data_dir / "gangguan.bpmn")
        engine.deploy(data_dir / "pemulihan.bpmn")
        waiting = [engine.start("gangguan", {"no": i}).id for i in range(3)]
        for task in engine.inbox(lane="Operator SIAK"):
            engine.complete(task.id, {})
        assert all(t.kind == "signal" for c in waiting for t in engine.get(c).tasks)
        # From outside: every waiting case gets it.
        sent = engine.signal("SIAK pulih", {"pukul": "10.00"}, actor="ti")
        assert sorted(sent.case_ids) == sorted(waiting) and sent.state == "delivered"
        assert {engine.get(c).data["pukul"] for c in waiting} == {"10.00"}
        assert len(engine.inbox(lane="Operator SIAK")) == 3
        # Thrown by a case: broadcast to the cases waiting at the next tick, once.
        more = [engine.start("gangguan", {}).id for _ in range(2)]
        for task in engine.inbox(lane="Operator SIAK"):
            if task.case_id in more:
                engine.complete(task.id, {})
        fix = engine.start("pemulihan", {})
        engine.complete(engine.inbox(lane="Tim TI")[0].id, {})
        assert engine.get(fix.id).status == "completed"
        assert sorted(engine.tick()) == sorted(more)
        assert engine.tick() == []
        assert all([t.element_id for t in engine.get(c).tasks] == ["A_input"] for c in more)
        [thrown] = engine.messages(case_id=fix.id)
        assert (thrown.kind, thrown.state, sorted(thrown.case_ids)) == (
            "signal", "delivered", sorted(more))
        nobody = engine.signal("Listrik padam")
        assert nobody.state == "delivered" and nobody.case_ids == ()


def test_timer_start_cycles_create_cases_on_tick(url, clock, data_dir):
    with Engine(url, clock=clock) as engine:
        engine.deploy(data_dir / "rekap.bpmn")  # R3/2025-01-06T01:00:00Z/P1D
        assert engine.cases() == []
        assert engine.tick(clock.now - dt.timedelta(minutes=1)) == []
        first = engine.tick(clock.now)
        assert len(first) == 1 and engine.get(first[0]).tasks[0].element_id == "A_rekap"
        assert engine.tick(clock.advance(hours=23)) == []
        assert len(engine.tick(clock.advance(days=5))) == 2  # two more, then the cycle ends
        assert engine.tick(clock.advance(days=5)) == []
        assert len(engine.cases()) == 3
        assert [h.detail for h in engine.history(first[0])][0] == "rekap v1 on timer S"
