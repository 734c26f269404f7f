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
from bpengine.i18n import set_language


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
    [definition] = eng.definitions()
    assert definition.notes == (
        "R_dokumen waits for 'Dokumen asli' from outside the engine: "
        "deliver it with correlate('Dokumen asli', business_key=...)",
    )
    case = eng.start(
        "pindah_domisili", {"nik": "3273010101900001"}, actor="loket", business_key="PND-001"
    )
    assert (case.key, case.business_key) == ("pindah_domisili", "PND-001")
    assert [t.lane for t in eng.inbox()] == ["Petugas Kelurahan"]
    case = _do(eng, "Petugas Kelurahan")
    assert _waiting(case) == [("R_dokumen", "message", "Dokumen asli")]

    message = eng.correlate(
        "Dokumen asli", business_key="PND-001", data={"asli": True}, actor="pemohon"
    )
    assert (message.state, message.case_id, message.element_ids) == (
        "delivered",
        case.id,
        ("R_dokumen",),
    )
    case = _do(eng, "Lurah")  # throws the file to the kecamatan: its pool starts
    assert _waiting(case) == [
        ("A_periksa", "user", None),
        ("C_skpwni", "message", "SKPWNI"),
        ("Tm_lama", "timer", None),
    ]
    assert [t.lane for t in eng.inbox()] == ["Petugas Kecamatan"]  # the other pool's lane
    _do(eng, "Petugas Kecamatan")
    done = _do(eng, "Camat")  # the SKPWNI goes back; the kelurahan hands it over and ends
    assert done.status == "completed"
    assert done.data["asli"] is True
    assert done.data["siak"] == "tercatat"

    trail = [(h.action, h.element_id) for h in eng.history(case.id)]
    assert trail == [
        ("start", None),
        ("complete", "A_verifikasi"),
        ("message", "R_dokumen"),
        ("service", "A_siak"),
        ("complete", "A_pengantar"),
        ("message", "S_kec"),
        ("complete", "A_periksa"),
        ("complete", "A_terbitkan"),
        ("message", "C_skpwni"),
        ("throw", "T_berikan"),
        ("end", None),
    ]
    outside = [h for h in eng.history(case.id) if h.element_id == "R_dokumen"][0]
    assert outside.actor == "pemohon"
    assert outside.data_after["asli"] is True
    [outbound] = eng.messages("outbound")  # for the applicant: the application passes it on
    assert (outbound.name, outbound.business_key, outbound.source_case_id) == (
        "SKPWNI untuk pemohon",
        "PND-001",
        case.id,
    )


def test_correlate_by_case_data_and_a_message_id_is_delivered_once(eng):
    cases = [eng.start("pindah_domisili", {"nik": nik}) for nik in ("111", "222")]
    for case in cases:
        _do(eng, "Petugas Kelurahan", case=case.id)
    with pytest.raises(BpengineError, match="awaited by 2 cases"):
        eng.correlate("Dokumen asli")
    set_language("id")  # the refusal in the user's language (it was English only)
    try:
        with pytest.raises(BpengineError, match="'Dokumen asli' ditunggu oleh 2 kasus"):
            eng.correlate("Dokumen asli")
    finally:
        set_language("en")
    first = eng.correlate("Dokumen asli", correlation={"nik": "222"}, message_id="WA-77")
    again = eng.correlate("Dokumen asli", correlation={"nik": "222"}, message_id="WA-77")
    assert first.case_id == cases[1].id
    assert not first.duplicate
    assert again.duplicate
    assert again.case_id == cases[1].id
    caught = [h for h in eng.history(cases[1].id) if h.action == "message"]
    assert len(caught) == 1
    assert "WA-77" in caught[0].detail
    assert _waiting(eng.get(cases[0].id)) == [("R_dokumen", "message", "Dokumen asli")]


def test_a_message_for_no_waiting_case_is_a_clear_error_or_kept(eng, clock):
    case = eng.start("pindah_domisili", {}, business_key="PND-9")
    with pytest.raises(
        NotFound,
        match=r"no case waits for message 'Dokumen asli' with "
        r"business key 'PND-9'.*keep=True",
    ):
        eng.correlate("Dokumen asli", business_key="PND-9")
    with pytest.raises(NotFound, match="no case waits for message 'Surat nikah'"):
        eng.correlate("Surat nikah", business_key="PND-9")
    assert eng.messages() == []  # a refused message leaves no trace
    kept = eng.correlate("Dokumen asli", business_key="PND-9", data={"asli": True}, keep=True)
    assert kept.state == "pending"
    assert kept.case_ids == ()
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
    assert still.status == "running"
    assert [t.element_id for t in still.tasks] == ["A_tanya"]
    done = _do(eng, "Petugas Kelurahan")
    assert done.status == "completed"
    assert [h.element_id for h in eng.history(case.id) if h.action == "message"] == [
        "R_dokumen",
        "S_kec",
        "C_skpwni2",
    ]
    with eng.db.connect() as conn:
        states = dict(
            conn.execute(
                text(
                    "SELECT element_id || ':' || kind, state FROM bpe_tasks WHERE case_id = :c "
                    "AND kind IN ('timer', 'message')"
                ),
                {"c": case.id},
            ).all()
        )
    assert states == {
        "R_dokumen:message": "completed",
        "C_skpwni:message": "cancelled",
        "Tm_lama:timer": "completed",
    }


def test_a_message_start_event_starts_a_case(url, clock, data_dir):
    with Engine(url, clock=clock) as engine:
        engine.deploy(data_dir / "pengaduan.bpmn")
        started = engine.correlate(
            "Pengaduan masuk", business_key="ADU-1", data={"isi": "jalan rusak"}, actor="warga"
        )
        assert started.started == started.case_ids
        assert len(started.case_ids) == 1
        case = engine.get(started.case_id)
        assert (case.business_key, case.data, [t.element_id for t in case.tasks]) == (
            "ADU-1",
            {"isi": "jalan rusak"},
            ["A_tindak"],
        )
        assert [(h.action, h.element_id, h.actor) for h in engine.history(case.id)] == [
            ("start", None, "warga"),
            ("message", "S", "warga"),
        ]


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
        assert sorted(sent.case_ids) == sorted(waiting)
        assert sent.state == "delivered"
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
            "signal",
            "delivered",
            sorted(more),
        )
        nobody = engine.signal("Listrik padam")
        assert nobody.state == "delivered"
        assert nobody.case_ids == ()


def test_timer_start_cycles_create_cases_on_tick(url, clock, data_dir):
    with Engine(url, clock=clock) as engine:
        engine.deploy(data_dir / "rekap.bpmn")  # R3/2025-01-06T01:00:00Z/P1D
        assert engine.cases() == []
        assert engine.tick(clock.now - dt.timedelta(minutes=1)) == []
        first = engine.tick(clock.now)
        assert len(first) == 1
        assert engine.get(first[0]).tasks[0].element_id == "A_rekap"
        assert engine.tick(clock.advance(hours=23)) == []
        assert len(engine.tick(clock.advance(days=5))) == 2  # two more, then the cycle ends
        assert engine.tick(clock.advance(days=5)) == []
        assert len(engine.cases()) == 3
        assert [h.detail for h in engine.history(first[0])][0] == "rekap v1 on timer S"


# --- several workers on PostgreSQL ---------------------------------------------------------
LANES = ["Petugas Kelurahan", "Lurah", "Petugas Kecamatan", "Camat"]


def _worker(url: str, seed: int, workers: int, cases: int) -> dict:
    """Start this worker's cases, send the applicant's documents for *every* worker's cases
    (each message by four senders: one id, delivered once), then tick and complete whatever
    any inbox offers until no case runs."""
    import random
    import time
    from collections import Counter

    from bpengine import ConflictError, Engine, TaskNotReady

    rng = random.Random(seed)
    engine = Engine(url)
    engine.register("Catat di SIAK", lambda data: {"siak": "tercatat"})
    counts = Counter()
    for i in range(cases):
        engine.start("pindah_domisili", {"no": i}, business_key=f"PND-{seed}-{i}")
    keys = [f"PND-{s}-{i}" for s in range(workers) for i in range(cases)]
    rng.shuffle(keys)
    for key in keys:
        while True:
            try:
                sent = engine.correlate(
                    "Dokumen asli",
                    business_key=key,
                    data={"asli": True},
                    message_id=f"dok-{key}",
                    keep=True,
                )
                counts["duplicate" if sent.duplicate else sent.state] += 1
                break
            except ConflictError:
                counts["retry"] += 1
    idle = 0
    while idle < 200:
        try:
            advanced = engine.tick(limit=20)
        except ConflictError:
            counts["tick-conflict"] += 1
            continue
        tasks = engine.inbox(lane=rng.choice(LANES), limit=30)
        if not tasks and not advanced:
            idle += 1
            if not engine.cases(status="running", limit=1):
                break
            time.sleep(0.01)
            continue
        idle = 0
        for task in rng.sample(tasks, min(6, len(tasks))):
            try:
                engine.complete(task.id, {}, actor=f"w{seed}")
                counts["completed"] += 1
            except (ConflictError, TaskNotReady):
                counts["conflict"] += 1
    engine.close()
    return dict(counts)


@pytest.mark.postgres
@pytest.mark.slow
def test_four_workers_x_200_cases_deliver_every_message_exactly_once(pg_url, data_dir):
    import multiprocessing

    engine = Engine(pg_url)
    engine.deploy(data_dir / "pindah.bpmn")
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(4) as pool:
        results = pool.starmap(_worker, [(pg_url, seed, 4, 50) for seed in range(4)])
    cases = engine.cases()
    assert len(cases) == 200
    assert {c.status for c in cases} == {"completed"}
    sends = sum(r.get("delivered", 0) + r.get("pending", 0) for r in results)
    assert sends == 200
    assert sum(r.get("duplicate", 0) for r in results) == 600
    with engine.db.connect() as conn:
        caught = conn.execute(
            text(
                "SELECT case_id, element_id, count(*) FROM bpe_audit WHERE action = 'message' "
                "GROUP BY case_id, element_id"
            )
        ).all()
        completes = conn.execute(
            text(
                "SELECT task_id, count(*) FROM bpe_audit WHERE action = 'complete' GROUP BY task_id"
            )
        ).all()
        messages = conn.execute(
            text("SELECT name, state, count(*) FROM bpe_messages GROUP BY name, state")
        ).all()
    # Inside the case: the file to the kecamatan, the SKPWNI back; from outside: the documents.
    assert sorted({e for _, e, _ in caught}) == ["C_skpwni", "R_dokumen", "S_kec"]
    assert len(caught) == 600
    assert {n for *_, n in caught} == {1}
    assert len(completes) == 800
    assert {n for _, n in completes} == {1}
    assert sorted(messages) == [
        ("Dokumen asli", "delivered", 200),
        ("SKPWNI untuk pemohon", "outbound", 200),
    ]
    engine.close()


_KILLED_SWEEP = """
import sys, time
from bpengine import Engine
engine = Engine(sys.argv[1])
def hang(data):
    print("in-step", flush=True)
    time.sleep(60)          # killed here, after the message was caught, before commit
engine.register("Catat di SIAK", hang)
engine.tick()
"""


@pytest.mark.postgres
def test_a_worker_killed_mid_delivery_loses_nothing(pg_url, data_dir):
    import os
    import signal
    import subprocess
    import sys

    engine = Engine(pg_url)
    engine.deploy(data_dir / "pindah.bpmn")
    case = engine.start("pindah_domisili", {}, business_key="PND-K")
    kept = engine.correlate(
        "Dokumen asli", business_key="PND-K", message_id="dok-K", data={"asli": True}, keep=True
    )
    assert kept.state == "pending"
    engine.complete(engine.inbox()[0].id, {})  # now the case waits: the next tick delivers
    before = (engine.get(case.id), engine.history(case.id), engine.messages())
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLED_SWEEP, pg_url], stdout=subprocess.PIPE, text=True
    )
    with proc.stdout:
        assert proc.stdout.readline().strip() == "in-step"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    assert (engine.get(case.id), engine.history(case.id), engine.messages()) == before
    engine.register("Catat di SIAK", lambda data: {"siak": "tercatat"})
    assert engine.tick() == [case.id]
    assert engine.tick() == []
    assert [h.element_id for h in engine.history(case.id) if h.action == "message"] == ["R_dokumen"]
    assert engine.messages()[0].state == "delivered"
    assert engine.get(case.id).data == {"asli": True, "siak": "tercatat"}
    engine.close()


def test_a_pool_started_by_a_message_does_not_start_with_later_cases(url, clock, data_dir):
    # SpiffWorkflow wires a message-started pool into the shared spec when the message
    # first comes; two workers would then run the same case differently.
    first, second = Engine(url, clock=clock), Engine(url, clock=clock)
    first.register("Catat di SIAK", lambda data: {})
    first.deploy(data_dir / "pindah.bpmn")
    a = first.start("pindah_domisili", {}, business_key="A")
    _do(first, "Petugas Kelurahan")
    first.correlate("Dokumen asli", business_key="A")
    _do(first, "Lurah")  # the kecamatan pool starts in case A
    b = first.start("pindah_domisili", {}, business_key="B")
    assert [t.element_id for t in b.tasks] == ["A_verifikasi"]
    assert [t.element_id for t in _do(second, "Petugas Kecamatan").tasks if t.kind == "user"] == [
        "A_terbitkan"
    ]
    assert first.get(a.id).status == "running"
    first.close()
    second.close()


def test_an_officer_carrying_the_file_hands_the_message_over(clock, data_dir):
    # Drawn as a manual task with the message flow out of it, not as a throw event:
    # SpiffWorkflow cannot throw from a task; the engine hands the message over when it
    # completes.
    source = (data_dir / "pindah.bpmn").read_text(encoding="utf-8")
    throw = (
        '<intermediateThrowEvent id="T_serahkan" name="Menyerahkan berkas ke kecamatan">'
        '\n      <messageEventDefinition id="MED_serahkan"/>\n    '
        "</intermediateThrowEvent>"
    )
    assert throw in source
    source = source.replace(throw, '<manualTask id="T_serahkan" name="Antar berkas"/>')
    # A message flow into a user task: the engine says it does not wait there.
    source = source.replace(
        'sourceRef="T_kirim" targetRef="C_skpwni2"', 'sourceRef="T_kirim" targetRef="A_tanya"'
    )
    with Engine(clock=clock) as engine:
        engine.register("Catat di SIAK", lambda data: {})
        notes = engine.deploy(source.encode()).notes
        assert (
            "message flow MF_skpwni2: userTask A_tanya does not wait for the message "
            "(only catch events and receive tasks do)" in notes[-1]
        )
        case = engine.start("pindah_domisili", {}, business_key="PND-M")
        _do(engine, "Petugas Kelurahan")
        engine.correlate("Dokumen asli", business_key="PND-M")
        _do(engine, "Lurah")
        assert [t.name for t in engine.inbox()] == ["Antar berkas"]
        after = _do(engine, "Lurah", {"kurir": "Pak Darto"})
        assert [t.element_id for t in after.tasks if t.kind == "user"] == ["A_periksa"]
        assert [h.element_id for h in engine.history(case.id)][-2:] == ["T_serahkan", "S_kec"]


def test_the_collaboration_drawn_for_the_model_runs_across_its_executable_pools(engine):
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "data" / "collab" / "tiga-instansi.bpmn"
    definition = engine.deploy(path)
    assert definition.key == "Collab_tiga"
    case = engine.start("Collab_tiga", {}, business_key="T-1")
    lanes = []
    while tasks := engine.inbox():
        lanes.append(tasks[0].lane)
        engine.complete(tasks[0].id, {})
    assert engine.get(case.id).status == "completed"
    # Two pools, one case (tasks made in the same instant come in any order).
    assert sorted(lanes) == ["Camat", "Petugas Kelurahan", "Petugas Kelurahan"]
    # The dinas pool is not executable: its recommendation goes to the outbox.
    [out] = engine.messages("outbound")
    assert (out.name, out.source_case_id) == ("Rekomendasi", case.id)


def test_a_collaboration_whose_pools_all_start_on_a_message_is_started_by_one(clock, data_dir):
    source = (data_dir / "pindah.bpmn").read_text(encoding="utf-8")
    plain = '<startEvent id="S_kel" name="Permohonan pindah diterima"/>'
    assert plain in source
    source = source.replace(
        plain,
        '<startEvent id="S_kel" name="Permohonan pindah diterima">'
        '<messageEventDefinition id="MED_kel"/></startEvent>',
    )
    source = source.replace(
        '<messageFlow id="MF_dokumen"',
        (
            '<messageFlow id="MF_mohon" name="Permohonan pindah" sourceRef="P_pemohon" '
            'targetRef="S_kel"/><messageFlow id="MF_dokumen"'
        ),
    )
    with Engine(clock=clock) as engine:
        engine.register("Catat di SIAK", lambda data: {})
        engine.deploy(source.encode())
        with pytest.raises(
            BpengineError,
            match="every pool starts on a message "
            r"\(Permohonan pindah, Berkas pindah\).*correlate",
        ):
            engine.start("pindah_domisili", {})
        started = engine.correlate("Permohonan pindah", business_key="PND-S", data={"nik": "1"})
        assert started.started == started.case_ids
        assert started.element_ids == ("S_kel",)
        _do(engine, "Petugas Kelurahan")
        engine.correlate("Dokumen asli", business_key="PND-S")
        for lane in ("Lurah", "Petugas Kecamatan", "Camat"):
            _do(engine, lane)
        case = engine.get(started.case_id)
        assert (case.status, case.business_key, case.data["nik"]) == ("completed", "PND-S", "1")


_DINAS = b"""<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d_dinas">
  <message id="M_rek" name="Rekomendasi"/>
  <process id="dinas" name="Dinas: izin" isExecutable="true">
    <laneSet id="ls"><lane id="L" name="Petugas Dinas"><flowNodeRef>S</flowNodeRef>
      <flowNodeRef>R</flowNodeRef><flowNodeRef>A</flowNodeRef><flowNodeRef>E</flowNodeRef>
    </lane></laneSet>
    <startEvent id="S"/><receiveTask id="R" name="Terima rekomendasi" messageRef="M_rek"/>
    <userTask id="A" name="Terbitkan izin"/><endEvent id="E"/>
    <sequenceFlow id="f1" sourceRef="S" targetRef="R"/>
    <sequenceFlow id="f2" sourceRef="R" targetRef="A"/>
    <sequenceFlow id="f3" sourceRef="A" targetRef="E"/>
  </process>
</definitions>"""


def test_a_message_one_case_throws_reaches_another_process_with_the_same_key(url, clock):
    from pathlib import Path

    tiga = Path(__file__).resolve().parents[1] / "data" / "collab" / "tiga-instansi.bpmn"
    with Engine(url, clock=clock) as engine:
        engine.deploy(tiga)
        engine.deploy(_DINAS)  # now a deployed process catches the recommendation
        izin = engine.start("dinas", {}, business_key="IZ-7")
        other = engine.start("dinas", {}, business_key="IZ-8")
        collab = engine.start("Collab_tiga", {"luas": 120}, business_key="IZ-7")
        while tasks := [t for t in engine.inbox() if t.case_id == collab.id]:
            engine.complete(tasks[0].id, {})
        [pending] = engine.messages("pending")
        assert (pending.name, pending.business_key, pending.source_case_id) == (
            "Rekomendasi",
            "IZ-7",
            collab.id,
        )
        assert engine.tick() == [izin.id]
        assert engine.messages(case_id=collab.id)[0].case_ids == (izin.id,)
        assert [t.name for t in engine.get(izin.id).tasks] == ["Terbitkan izin"]
        assert engine.get(izin.id).data["luas"] == 120  # the thrower's data is the payload
        assert [t.kind for t in engine.get(other.id).tasks] == ["message"]


def test_a_signal_start_event_starts_a_case_per_signal(engine):
    engine.deploy(b"""<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
      <signal id="Sig" name="Libur nasional diumumkan"/>
      <process id="jadwal" isExecutable="true">
        <startEvent id="S"><signalEventDefinition signalRef="Sig"/></startEvent>
        <userTask id="A" name="Geser jadwal layanan"/><endEvent id="E"/>
        <sequenceFlow id="f1" sourceRef="S" targetRef="A"/>
        <sequenceFlow id="f2" sourceRef="A" targetRef="E"/></process></definitions>""")
    sent = engine.signal("Libur nasional diumumkan", {"tanggal": "2025-03-31"})
    assert len(sent.started) == 1
    assert sent.started == sent.case_ids
    case = engine.get(sent.case_id)
    assert case.data == {"tanggal": "2025-03-31"}
    assert case.tasks[0].name == "Geser jadwal layanan"
    assert engine.signal("Libur nasional diumumkan", message_id=sent.id).duplicate


def test_a_new_version_takes_the_timer_start_schedule_over(engine, clock, data_dir):
    engine.deploy(data_dir / "rekap.bpmn")
    source = (
        (data_dir / "rekap.bpmn")
        .read_bytes()
        .replace(b"R3/2025-01-06T01:00:00Z/P1D", b"R/2025-01-07T01:00:00Z/P7D")
    )
    assert engine.deploy(source).version == 2
    assert engine.tick(clock.now) == []  # version 1's schedule is gone
    [case] = engine.tick(clock.advance(days=1))
    assert engine.get(case).definition_version == 2
    bad = source.replace(b"R/2025-01-07T01:00:00Z/P7D", b"setiap Senin")
    with pytest.raises(BpengineError, match=r"S.*this timer can never fire.*'setiap Senin'"):
        engine.deploy(bad)


def test_a_condition_in_one_pool_sees_data_entered_in_another(clock, data_dir):
    # Each pool keeps its own task data in SpiffWorkflow; the case has one data, and
    # conditions read it behind the task's own.
    source = (data_dir / "pindah.bpmn").read_text(encoding="utf-8")
    flow = '<sequenceFlow id="c2" sourceRef="A_periksa" targetRef="A_terbitkan"/>'
    assert flow in source
    source = source.replace(
        flow,
        (
            '<sequenceFlow id="c2" sourceRef="A_periksa" targetRef="G_layak"/>'
            '<exclusiveGateway id="G_layak" default="c2b"/>'
            '<sequenceFlow id="c2a" sourceRef="G_layak" targetRef="A_terbitkan">'
            "<conditionExpression>layak == True</conditionExpression></sequenceFlow>"
            '<sequenceFlow id="c2b" sourceRef="G_layak" targetRef="E_tolak"/>'
            '<endEvent id="E_tolak" name="Ditolak"/>'
        ),
    )
    with Engine(clock=clock) as engine:
        engine.register("Catat di SIAK", lambda data: {})
        engine.deploy(source.encode())
        case = engine.start("pindah_domisili", {}, business_key="PND-L")
        _do(engine, "Petugas Kelurahan")
        engine.correlate("Dokumen asli", business_key="PND-L")
        _do(engine, "Lurah")
        engine.tick(clock.advance(days=5, minutes=1))  # the kelurahan asks, with a finding
        _do(engine, "Petugas Kelurahan", {"layak": True})
        after = _do(engine, "Petugas Kecamatan")  # its gateway reads the kelurahan's answer
        assert [t.element_id for t in after.tasks if t.kind == "user"] == ["A_terbitkan"]
        assert engine.get(case.id).data["layak"] is True


def test_a_business_key_too_long_to_store_is_refused_on_both_databases(eng):
    # SQLite stored 5,000 characters; PostgreSQL raised a driver DataError as StorageError
    before = len(eng.cases())
    with pytest.raises(
        BpengineError,
        match=r"business key 'BBBB.*'\.\.\. is 5000 characters "
        r"long; the engine stores at most 200",
    ) as info:
        eng.start("pindah_domisili", {}, business_key="B" * 5000)
    assert type(info.value) is BpengineError
    with pytest.raises(BpengineError, match="is 5000 characters long"):
        eng.correlate("Dokumen asli", business_key="B" * 5000, data={"asli": True})
    assert len(eng.cases()) == before
    assert eng.start("pindah_domisili", {}, business_key="B" * 200).business_key == "B" * 200


def test_an_actor_name_too_long_to_store_is_refused_on_both_databases(eng):
    # QA (issue #16): SQLite kept a 5,000-character actor; PostgreSQL refused it as a
    # StorageError (an outage an app would retry). Every action audits its actor, which says
    # so on both; where PostgreSQL flushes a row first, its refusal is the same plain error.
    refused = (
        r"(actor name 'AAAA.*' is 5000 characters long; the engine stores at most 200"
        r"|cannot store a value of this call \(value too long.*\)); nothing was written"
    )
    before = len(eng.cases())
    with pytest.raises(BpengineError, match=refused) as info:
        eng.start("pindah_domisili", {}, actor="A" * 5000)
    assert type(info.value) is BpengineError
    assert len(eng.cases()) == before
    case = eng.start("pindah_domisili", {}, actor="A" * 200)
    with pytest.raises(BpengineError, match=refused.replace("AAAA", "CCCC")):
        eng.cancel(case.id, "salah", actor="C" * 5000)
    assert eng.get(case.id).status == "running"
