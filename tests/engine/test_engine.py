"""Engine behaviour through the public API, on real SQLite (in memory and on disk)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from bpengine import (
    BpengineError,
    ConflictError,
    Engine,
    Forbidden,
    ModelError,
    NotFound,
    TaskNotReady,
)


def _walk_to_approval(engine):
    case = engine.start("cuti", {"hari": 3, "revisi": 0}, actor="ani")
    [task] = engine.inbox(lane="Pegawai")
    engine.complete(task.id, {"alasan": "keluarga"}, actor="ani")
    return case


def test_a_case_walks_through_the_procedure(engine, data_dir):
    definition = engine.deploy(data_dir / "cuti.bpmn")
    assert (definition.key, definition.version) == ("cuti", 1)
    engine.register("Catat di SIMPEG", lambda data: {"tercatat": data["hari"] == 3})
    case = engine.start("cuti", {"hari": 3, "revisi": 0}, actor="ani")
    assert case.status == "running"
    assert [t.name for t in engine.inbox(lane="Pegawai")] == ["Isi formulir cuti"]
    assert engine.inbox(lane="Atasan Langsung") == []

    [task] = engine.inbox(lane="Pegawai")
    engine.complete(task.id, {"alasan": "keluarga"}, actor="ani")
    [approval] = engine.inbox(lane="Atasan Langsung")
    assert approval.name == "Setujui cuti"
    engine.claim(approval.id, "budi")
    assert engine.inbox(lane="Atasan Langsung", actor="citra") == []
    with pytest.raises(Forbidden, match="claimed by 'budi'"):
        engine.complete(approval.id, {"approved": True}, actor="citra")
    done = engine.complete(approval.id, {"approved": True}, actor="budi")

    assert done.status == "completed"
    assert done.data == {
        "hari": 3,
        "revisi": 0,
        "alasan": "keluarga",
        "approved": True,
        "tercatat": True,
    }
    assert engine.inbox() == []
    history = engine.history(case.id)
    assert [(h.action, h.actor, h.element_id) for h in history] == [
        ("start", "ani", None),
        ("complete", "ani", "T_isi"),
        ("claim", "budi", "T_setuju"),
        ("complete", "budi", "T_setuju"),
        ("service", "service:Catat di SIMPEG", "S_catat"),
        ("end", "budi", None),
    ]
    assert history[3].data_before == {"hari": 3, "revisi": 0, "alasan": "keluarga"}
    assert history[3].data_after["approved"] is True


def test_a_rejection_loops_back_through_revision(engine, data_dir):
    engine.deploy(data_dir / "cuti.bpmn")
    case = _walk_to_approval(engine)
    for round_ in range(3):
        [approval] = engine.inbox(lane="Atasan Langsung")
        engine.complete(approval.id, {"approved": False}, actor="budi")
        [revision] = engine.inbox(lane="Pegawai")
        engine.complete(revision.id, {"revisi": round_ + 1}, actor="ani")
    [approval] = engine.inbox(lane="Atasan Langsung")
    final = engine.complete(approval.id, {"approved": False}, actor="budi")
    assert final.status == "completed"
    assert final.data["revisi"] == 3
    assert engine.get(case.id).tasks == ()


def test_deploy_is_versioned_by_content(engine, data_dir, tmp_path):
    first = engine.deploy(data_dir / "cuti.bpmn")
    assert first.new  # this call stored it
    again = engine.deploy(data_dir / "cuti.bpmn")
    assert again == first
    assert not again.new  # the same content: the version already there
    old_case = engine.start("cuti", {"hari": 1, "revisi": 0}, actor="ani")
    changed = tmp_path / "cuti.bpmn"
    changed.write_text(
        (data_dir / "cuti.bpmn")
        .read_text()
        .replace('name="Isi formulir cuti"', 'name="Isi formulir cuti (baru)"')
    )
    second = engine.deploy(changed)
    assert (second.key, second.version, second.new) == ("cuti", 2, True)
    new_case = engine.start("cuti", {"hari": 1, "revisi": 0}, actor="ani")
    assert (
        engine.get(old_case.id).definition_version,
        engine.get(new_case.id).definition_version,
    ) == (1, 2)
    names = {t.case_id: t.name for t in engine.inbox(lane="Pegawai")}
    assert names == {old_case.id: "Isi formulir cuti", new_case.id: "Isi formulir cuti (baru)"}
    assert [(d.version, d.new) for d in engine.definitions("cuti")] == [(1, False), (2, False)]
    assert engine.start("cuti", {"hari": 1, "revisi": 0}, version=1).definition_version == 1


_PARENT = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d_induk"
 targetNamespace="http://bpengine.test/induk">
  <process id="induk" isExecutable="true">
    <startEvent id="S"/><callActivity id="C" name="Verifikasi berkas" calledElement="verifikasi"/>
    <endEvent id="E"/>
    <sequenceFlow id="F1" sourceRef="S" targetRef="C"/>
    <sequenceFlow id="F2" sourceRef="C" targetRef="E"/>
  </process>
</definitions>"""
_CHILD = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d_verifikasi"
 targetNamespace="http://bpengine.test/verifikasi">
  <process id="verifikasi" isExecutable="true">
    <startEvent id="VS"/><userTask id="VT" name="{name}"/><endEvent id="VE"/>
    <sequenceFlow id="V1" sourceRef="VS" targetRef="VT"/>
    <sequenceFlow id="V2" sourceRef="VT" targetRef="VE"/>
  </process>
</definitions>"""


def test_editing_a_called_subprocess_gives_its_caller_a_new_version(engine, tmp_path):
    (tmp_path / "induk.bpmn").write_text(_PARENT)
    child = tmp_path / "verifikasi.bpmn"
    child.write_text(_CHILD.format(name="Periksa berkas"))
    first = engine.deploy(tmp_path / "induk.bpmn")
    assert engine.deploy(tmp_path / "induk.bpmn") == first  # nothing changed: same version
    old_case = engine.start("induk")
    child.write_text(_CHILD.format(name="Periksa berkas dan NIK"))
    second = engine.deploy(tmp_path / "induk.bpmn")  # the caller's own file is unchanged
    assert (second.version, second.digest != first.digest) == (2, True)
    new_case = engine.start("induk")
    names = {t.case_id: t.name for t in engine.inbox()}
    assert names == {old_case.id: "Periksa berkas", new_case.id: "Periksa berkas dan NIK"}


def test_the_spec_is_stored_once_per_definition_not_per_case(engine, data_dir):
    engine.deploy(data_dir / "cuti.bpmn")
    case = _walk_to_approval(engine)
    with engine.db.connect() as conn:
        state = conn.execute(
            text("SELECT state FROM bpe_cases WHERE id = :i"), {"i": case.id}
        ).scalar_one()
        spec = conn.execute(text("SELECT spec FROM bpe_definitions")).scalar_one()
    assert "task_specs" in spec
    assert "task_specs" not in state
    assert "spec" not in json.loads(state)


def test_script_tasks_are_refused_unless_trusted(engine, data_dir):
    with pytest.raises(ModelError, match="SC.*trust_scripts=True") as info:
        engine.deploy(data_dir / "script.bpmn")
    assert info.value.problems[0].element_id == "SC"
    assert engine.definitions() == []
    engine.deploy(data_dir / "script.bpmn", trust_scripts=True)
    case = engine.start("hitung", {"hari": 2})
    [task] = engine.inbox()
    assert task.name == "Bayar"
    assert case.status == "running"


def test_a_hostile_condition_is_refused_at_deploy_and_nothing_is_stored(engine, data_dir, tmp_path):
    """Compiled at deploy (issue #16): refused before any case could reach it."""
    with pytest.raises(
        ModelError,
        match="F_a: the condition of this flow leaving 'G' can "
        "never be evaluated: .*only these functions",
    ):
        engine.deploy(data_dir / "escape.bpmn")
    assert engine.definitions() == []
    assert not (tmp_path / "bpengine-pwned").exists()


def test_deploy_refuses_an_expression_problem_even_in_a_process_marked_not_executable(
    engine, data_dir
):
    source = (data_dir / "escape.bpmn").read_bytes()
    drawing = source.replace(b'isExecutable="true"', b'isExecutable="false"')
    assert drawing != source
    with pytest.raises(ModelError, match="F_a: the condition of this flow"):
        engine.deploy(drawing)


def test_a_multi_instance_expression_that_can_never_evaluate_is_refused_at_deploy(engine, data_dir):
    source = (data_dir / "tinjau.bpmn").read_bytes()
    item = b'<outputDataItem id="pendapat" name="pendapat"/>'
    bad = source.replace(
        item,
        item + b"<completionCondition>${pendapat_panel.contains('tolak')}</completionCondition>",
        1,
    )
    assert bad != source
    with pytest.raises(
        ModelError,
        match=r"T_tinjau \('Tinjau rancangan'\): the "
        "completionCondition of this activity can never be "
        "evaluated: .*only these functions",
    ):
        engine.deploy(bad)
    assert engine.definitions() == []
    engine.deploy(source)  # the same model without it deploys


@pytest.mark.parametrize(
    ("task_id", "data", "lane", "error", "match"),
    [
        ("no-such-task", {}, None, NotFound, "no task 'no-such-task'"),
        (
            "<approval>",
            {"when": object()},
            None,
            BpengineError,
            "when is of type object, which case data \\(JSON\\) cannot hold",
        ),
        (
            "<approval>",
            {"x": float("nan")},
            None,
            BpengineError,
            "x is nan, not a number JSON can hold",
        ),
        ("<approval>", ["approved"], None, BpengineError, "must be a mapping"),
        ("<approval>", {"approved": True}, "Pegawai", Forbidden, "lane 'Atasan Langsung'"),
        ("<done>", {}, None, ConflictError, "is already completed by 'ani'"),
        ("<timer>", {}, None, TaskNotReady, "is a timer task"),
    ],
)
def test_bad_completions_are_refused_and_change_nothing(
    engine, data_dir, task_id, data, lane, error, match
):
    engine.deploy(data_dir / "cuti.bpmn")
    case = engine.start("cuti", {"hari": 3, "revisi": 0}, actor="ani")
    [first] = engine.inbox(lane="Pegawai")
    engine.complete(first.id, {}, actor="ani")
    current = engine.get(case.id)
    ids = {
        "<approval>": next(t.id for t in current.tasks if t.kind == "user"),
        "<timer>": next(t.id for t in current.tasks if t.kind == "timer"),
        "<done>": first.id,
    }
    before = (current, engine.history(case.id), engine.inbox())
    with pytest.raises(error, match=match):
        engine.complete(ids.get(task_id, task_id), data, actor="budi", lane=lane)
    assert (engine.get(case.id), engine.history(case.id), engine.inbox()) == before


def test_unknown_things_are_not_found(engine, data_dir):
    with pytest.raises(NotFound, match="no deployed definition 'cuti'"):
        engine.start("cuti", {})
    engine.deploy(data_dir / "cuti.bpmn")
    with pytest.raises(NotFound, match="version 9"):
        engine.start("cuti", {}, version=9)
    for call in (engine.get, engine.history, engine.retry):
        with pytest.raises(NotFound, match="no case 'nope'"):
            call("nope")


def test_cancel_closes_the_case_and_its_tasks(engine, data_dir):
    engine.deploy(data_dir / "cuti.bpmn")
    case = _walk_to_approval(engine)
    cancelled = engine.cancel(case.id, "pegawai menarik pengajuan", actor="ani")
    assert cancelled.status == "cancelled"
    assert cancelled.tasks == ()
    assert engine.inbox() == []
    assert engine.history(case.id)[-1].detail == "pegawai menarik pengajuan"
    with pytest.raises(BpengineError, match="is cancelled"):
        engine.cancel(case.id, "again")
    assert [c.id for c in engine.cases(status="cancelled")] == [case.id]
    assert engine.cases(status="running") == []
    assert [c.id for c in engine.cases(definition="cuti")] == [case.id]


def test_a_failing_handler_fails_the_case_and_retry_resumes_it(engine, data_dir):
    engine.deploy(data_dir / "cuti.bpmn")
    calls = []

    def flaky(data):
        calls.append(data)
        if len(calls) == 1:
            raise ConnectionError("SIMPEG tidak menjawab")
        return {"nomor": 42}

    engine.register("S_catat", flaky, retries=1)  # no automatic retry: fail at once
    case = _walk_to_approval(engine)
    [approval] = engine.inbox(lane="Atasan Langsung")
    failed = engine.complete(approval.id, {"approved": True}, actor="budi")
    assert failed.status == "failed"
    assert failed.error == "S_catat: ConnectionError: SIMPEG tidak menjawab"
    assert [(t.element_id, t.state) for t in failed.tasks] == [("S_catat", "pending")]
    # The approval is not lost: it is recorded and the task stays closed.
    assert [h.action for h in engine.history(case.id)][-2:] == ["complete", "fail"]
    assert engine.task(approval.id).state == "completed"
    resumed = engine.retry(case.id, actor="admin")
    assert resumed.status == "completed"
    assert resumed.data["nomor"] == 42
    assert calls[1]["approved"] is True
    with pytest.raises(BpengineError, match="only failed cases"):
        engine.retry(case.id)
    assert engine.incidents(case.id, state="resolved")[0].resolved_by == "service:S_catat"


def test_a_service_without_a_handler_waits_for_a_worker_that_has_one(data_dir, tmp_path, clock):
    url = f"sqlite:///{tmp_path / 'agency.db'}"
    front = Engine(url, clock=clock)
    front.deploy(data_dir / "cuti.bpmn")
    case = _walk_to_approval(front)
    [approval] = front.inbox(lane="Atasan Langsung")
    waiting = front.complete(approval.id, {"approved": True}, actor="budi")
    assert waiting.status == "running"
    assert [(t.element_id, t.state) for t in waiting.tasks] == [("S_catat", "pending")]
    worker = Engine(url, clock=clock)
    assert worker.work() == []
    worker.register("S_catat", lambda data: None)
    assert worker.work() == [case.id]
    assert front.get(case.id).status == "completed"


def test_an_engine_closes_as_a_context_manager(data_dir, tmp_path):
    url = f"sqlite:///{tmp_path / 'closed.db'}"
    with Engine(url) as engine:
        assert repr(engine) == f"<Engine {url}>"
        engine.deploy(data_dir / "cuti.bpmn")
    with Engine(url) as again:
        assert [d.key for d in again.definitions()] == ["cuti"]
    assert repr(Engine()) == "<Engine in memory>"


def test_the_inbox_is_an_indexed_query(engine):
    with engine.db.connect() as conn:
        plan = conn.execute(
            text(
                "EXPLAIN QUERY PLAN SELECT * FROM bpe_tasks WHERE state = 'ready' "
                "AND kind = 'user' AND lane = 'Kepala'"
            )
        ).all()
    assert "ix_bpe_tasks_inbox" in " ".join(str(row) for row in plan)


def test_two_workers_completing_the_same_task_one_wins(data_dir, tmp_path, clock):
    url = f"sqlite:///{tmp_path / 'race.db'}"
    engines = [Engine(url, clock=clock), Engine(url, clock=clock)]
    engines[0].deploy(data_dir / "disposisi.bpmn")
    case = engines[0].start("disposisi", {})
    [first] = engines[0].inbox()
    engines[0].complete(first.id, {}, actor="sekretaris")
    [task_a] = engines[0].inbox(lane="Bidang A")
    # The handler runs inside the transaction after both workers read the case: the
    # barrier holds both there, so both attempt to write the same version.
    barrier = threading.Barrier(2, timeout=20)
    for e in engines:
        e.register("Kirim notifikasi", lambda data: barrier.wait() and None)
    outcomes = []

    def attempt(e, who):
        try:
            e.complete(task_a.id, {"catatan": who}, actor=who)
            outcomes.append(("ok", who))
        except ConflictError as exc:
            outcomes.append(("conflict", str(exc)))

    threads = [threading.Thread(target=attempt, args=(e, f"w{i}")) for i, e in enumerate(engines)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(o[0] for o in outcomes) == ["conflict", "ok"]
    winner = next(o[1] for o in outcomes if o[0] == "ok")
    completes = [h for h in engines[1].history(case.id) if h.element_id == "T_a"]
    assert [(h.action, h.actor) for h in completes] == [("complete", winner)]
    assert engines[1].get(case.id).data == {"catatan": winner}


@pytest.mark.slow
def test_a_case_that_loops_2000_times_completes(engine, data_dir):
    engine.deploy(data_dir / "loop.bpmn")
    result = engine.start("ulang", {"n": 0, "limit": 2000})
    for n in range(1, 2001):
        [task] = result.tasks
        assert (task.element_id, task.lane) == ("T", "Petugas")
        result = engine.complete(task.id, {"n": n}, actor="petugas")
    case = result
    assert result.status == "completed"
    assert result.data["n"] == 2000
    assert engine.inbox() == []
    assert sum(h.action == "complete" for h in engine.history(case.id)) == 2000


@pytest.mark.parametrize(
    ("old", "new", "code", "element"),
    [
        # a condition on a flow leaving a task: SpiffWorkflow ignores it
        (
            '<sequenceFlow id="F6" sourceRef="T_revisi" targetRef="T_setuju"/>',
            '<sequenceFlow id="F6" sourceRef="T_revisi" targetRef="T_setuju">'
            "<conditionExpression>revisi &lt; 3</conditionExpression></sequenceFlow>",
            "conditional-flow",
            "F6",
        ),
        # a task from which no end event can be reached: a case there never finishes
        (
            '<sequenceFlow id="F7" sourceRef="S_catat" targetRef="E_selesai"/>',
            '<sequenceFlow id="F7" sourceRef="S_catat" targetRef="S_catat"/>',
            "no-end",
            "S_catat",
        ),
    ],
)
def test_models_the_engine_would_run_wrongly_are_refused_at_deploy(
    engine, data_dir, tmp_path, old, new, code, element
):
    source = (data_dir / "cuti.bpmn").read_text()
    assert old in source
    bad = tmp_path / "cuti.bpmn"
    bad.write_text(source.replace(old, new))
    with pytest.raises(ModelError) as info:
        engine.deploy(bad)
    assert code in {p.code for p in info.value.problems}
    if element:
        assert element in {p.element_id for p in info.value.problems}
    assert engine.definitions() == []


def test_unclaim_and_reassign_are_audited_and_race_safe(engine, data_dir):
    engine.deploy(data_dir / "cuti.bpmn")
    case = _walk_to_approval(engine)
    [approval] = engine.inbox(lane="Atasan Langsung")
    engine.claim(approval.id, "budi")
    assert engine.unclaim(approval.id, actor="budi").assignee is None
    assert engine.inbox(lane="Atasan Langsung", actor="citra") == [engine.task(approval.id)]
    moved = engine.reassign(approval.id, "dewi", actor="kabag")
    assert moved.assignee == "dewi"
    with pytest.raises(Forbidden, match="claimed by 'dewi'"):
        engine.complete(approval.id, {"approved": True}, actor="budi")
    assert [(h.action, h.actor, h.detail) for h in engine.history(case.id)][-3:] == [
        ("claim", "budi", ""),
        ("unclaim", "budi", "from budi to nobody"),
        ("reassign", "kabag", "from nobody to dewi"),
    ]
    engine.complete(approval.id, {"approved": True}, actor="dewi")
    with pytest.raises(ConflictError, match="is already completed"):
        engine.reassign(approval.id, "eko", actor="kabag")
    with pytest.raises(BpengineError, match="an actor is required"):
        engine.unclaim(approval.id, actor="")


def test_a_url_that_is_not_text_is_a_clear_error():
    with pytest.raises(BpengineError, match="must be text"):
        Engine(42)


def test_ids_start_and_end_are_refused_at_deploy_naming_both(engine):
    # as drawn by hand, "Start" made every start a WorkflowException traceback and "End" a
    # completed case with no outcome: SpiffWorkflow gives its own tasks these names
    path = Path(__file__).parents[1] / "data" / "hostile" / "engine" / "id-start-and-end.bpmn"
    with pytest.raises(ModelError) as info:
        engine.deploy(path)
    assert {(p.code, p.element_id) for p in info.value.problems} >= {
        ("reserved-id", "Start"),
        ("reserved-id", "End"),
    }
    assert engine.definitions() == []


def test_a_worker_reads_a_case_again_after_another_worker_moved_it(data_dir, tmp_path, clock):
    # Worker A keeps the case's instance between its calls; worker B (another process in
    # production) moves the case in between: A must not continue from what it kept.
    url = f"sqlite:///{tmp_path / 'kept.db'}"
    with Engine(url, clock=clock) as a, Engine(url, clock=clock) as b:
        a.deploy(data_dir / "cuti.bpmn")
        case = a.start("cuti", {"hari": 3, "revisi": 0}, actor="ani")
        a.complete(case.tasks[0].id, {"alasan": "keluarga"}, actor="ani")
        [approval] = b.inbox(lane="Atasan Langsung")
        b.complete(approval.id, {"approved": False}, actor="budi")  # back to revision
        [revision] = a.inbox(lane="Pegawai")
        a.complete(revision.id, {"revisi": 1}, actor="ani")
        [approval] = a.inbox(lane="Atasan Langsung")
        a.register("Catat di SIMPEG", lambda data: {"tercatat": True})
        done = a.complete(approval.id, {"approved": True}, actor="budi")
        assert done.status == "completed"
        assert done.data == {
            "hari": 3,
            "revisi": 1,
            "alasan": "keluarga",
            "approved": True,
            "tercatat": True,
        }
        assert [(h.action, h.element_id) for h in b.history(case.id)] == [
            ("start", None),
            ("complete", "T_isi"),
            ("complete", "T_setuju"),
            ("complete", "T_revisi"),
            ("complete", "T_setuju"),
            ("service", "S_catat"),
            ("end", None),
        ]


def test_a_failed_step_leaves_nothing_kept_and_the_next_call_reads_the_saved_state(
    engine, data_dir
):
    engine.deploy(data_dir / "gateway-no-default.bpmn")
    case = engine.start("p", {})
    for _attempt in range(2):  # the instance the failed step changed is never used again
        with pytest.raises(BpengineError, match="G_lengkap: no condition"):
            engine.complete(case.tasks[0].id, {"lengkap": "maybe"}, actor="x")
    assert engine.get(case.id).data == {}
    done = engine.complete(case.tasks[0].id, {"lengkap": False}, actor="x")
    assert done.status == "completed"
    assert done.data == {"lengkap": False}


def test_kept_instances_are_bounded_and_the_bound_is_checked(data_dir, clock):
    with pytest.raises(BpengineError, match="cached_cases must be a whole number >= 0"):
        Engine(cached_cases=-1)
    for bound in (0, 1):
        with Engine(clock=clock, cached_cases=bound) as engine:
            engine.deploy(data_dir / "cuti.bpmn")
            cases = [engine.start("cuti", {"hari": 3, "revisi": 0}) for _ in range(3)]
            for step in ({"alasan": "x"}, {"approved": False}, {"revisi": 1}):
                for case in cases:  # round robin: each call evicts the case the next needs
                    [task] = [t for t in engine.get(case.id).tasks if t.kind == "user"]
                    engine.complete(task.id, step, actor="ani")
            assert len(engine._cached) <= bound
            assert [engine.get(c.id).data["revisi"] for c in cases] == [1, 1, 1]


_TICKED = b"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <process id="centang" isExecutable="true">
    <startEvent id="s"/>
    <sequenceFlow id="f1" sourceRef="s" targetRef="G"/>
    <exclusiveGateway id="G" default="f_lain"/>
    <sequenceFlow id="f_satu" sourceRef="G" targetRef="T_satu">
      <conditionExpression>${jumlah == 1}</conditionExpression></sequenceFlow>
    <sequenceFlow id="f_lain" sourceRef="G" targetRef="T_lain"/>
    <userTask id="T_satu" name="Satu berkas"/><userTask id="T_lain" name="Lainnya"/>
    <sequenceFlow id="f2" sourceRef="T_satu" targetRef="e"/>
    <sequenceFlow id="f3" sourceRef="T_lain" targetRef="e"/>
    <endEvent id="e"/>
  </process>
</definitions>"""


def test_a_ticked_box_is_not_the_number_one_at_a_gateway(engine):
    # FEEL and Camunda: booleans and numbers are distinct; Python's True == 1 is not used
    engine.deploy(_TICKED)
    engine.start("centang", {"jumlah": 1})
    engine.start("centang", {"jumlah": True})
    assert sorted(t.element_id for t in engine.inbox()) == ["T_lain", "T_satu"]
