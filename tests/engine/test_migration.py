"""Running cases move to a new version of their definition where that is safe."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bpengine import BpengineError, Engine, load
from bpengine.cli import main

from .conftest import happy_path_data

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "processes" / "surat-keterangan-domisili.bpmn"
REMOVED = {"Task_bawa_ke_rw", "Task_ttd_rw", "Task_verifikasi_kelurahan"}


@pytest.fixture(scope="module")
def redesigned(tmp_path_factory) -> Path:
    """What `bpengine redesign` writes for the shipped domicile-letter procedure."""
    out = tmp_path_factory.mktemp("redesign") / "domisili-baru.bpmn"
    result = CliRunner().invoke(main, ["redesign", str(SHIPPED), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _walk(engine, case, steps: int, data=None):
    for _ in range(steps):
        ready = [t for t in case.tasks if t.kind == "user"]
        if not ready:
            break
        case = engine.complete(ready[0].id, data or {}, actor="petugas")
    return case


def _cases_along_the_way(engine, key, data, count=12):
    """One case stopped after each step: 0 steps, 1 step, ..."""
    return [_walk(engine, engine.start(key, data), n).id for n in range(count)]


@pytest.mark.slow
def test_in_flight_cases_move_to_the_redesign_and_unsafe_ones_stay(engine, redesigned):
    old_model, new_model = load(SHIPPED), load(redesigned)
    assert REMOVED <= set(old_model.elements)
    assert not REMOVED & set(new_model.elements)
    v1 = engine.deploy(old_model)
    ids = _cases_along_the_way(engine, v1.key, happy_path_data(old_model))
    v2 = engine.deploy(new_model)
    assert (v2.key, v2.version) == (v1.key, 2)
    before = {c: engine.history(c) for c in ids}

    plan = engine.migrate(v1, v2, dry_run=True)
    assert sorted(m.case_id for m in plan) == sorted(ids)  # one clock tick: ordered by id
    assert {c: engine.history(c) for c in ids} == before  # a dry run changes nothing
    refused = {m.case_id: m for m in plan if not m.moved}
    assert {m.at for m in refused.values()} == {(e,) for e in REMOVED}
    for move in refused.values():
        [reason] = move.reasons
        assert reason.startswith(f"it waits at {move.at[0]} (")
        assert f"which {v2.key} v2 removes" in reason

    moves = engine.migrate(v1, v2, actor="admin")
    assert [(m.case_id, m.moved) for m in moves] == [(m.case_id, m.moved) for m in plan]
    new_data = happy_path_data(new_model)
    for move in moves:
        case = engine.get(move.case_id)
        entry = [h for h in engine.history(case.id) if h.action == "migrate"]
        if move.moved:
            assert case.definition_version == 2
            assert entry[0].actor == "admin"
            assert entry[0].detail.startswith(f"{v1.key} v1 -> {v2.key} v2 at ")
            for _ in range(3):
                case = _walk(engine, case, 40, new_data)
                if case.status != "running" or not [t for t in case.tasks if t.kind == "timer"]:
                    break
                engine.tick(max(t.due for t in case.tasks if t.kind == "timer"))
                case = engine.get(case.id)
            assert case.status == "completed", (move.at, case.tasks)
        else:  # left on v1 as it was: it still finishes there
            assert case.definition_version == 1
            assert not entry
            assert _walk(engine, case, 40).status == "completed"


def test_a_mapping_moves_a_case_off_a_removed_step(engine, redesigned):
    v1 = engine.deploy(SHIPPED)
    [case_id] = [
        c
        for c in _cases_along_the_way(engine, v1.key, happy_path_data(load(SHIPPED)), 9)
        if engine.get(c).tasks[0].element_id == "Task_verifikasi_kelurahan"
    ]
    v2 = engine.deploy(redesigned)
    mapping = {"Task_verifikasi_kelurahan": "Task_buat_konsep"}
    [move] = engine.migrate(v1, v2, mapping=mapping, cases=[case_id])
    assert move.moved
    assert move.at == ("Task_verifikasi_kelurahan",)
    assert [t.element_id for t in engine.get(case_id).tasks] == ["Task_buat_konsep"]
    assert (
        "(mapped {'Task_verifikasi_kelurahan': 'Task_buat_konsep'})"
        in engine.history(case_id)[-1].detail
    )
    with pytest.raises(BpengineError, match="not running cases of"):
        engine.migrate(v1, v2, cases=[case_id])
    with pytest.raises(BpengineError, match="both the source and the target"):
        engine.migrate(v2, v2)


_SEQUENTIAL = """<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
<process id="p" isExecutable="true"><startEvent id="s"/>
<userTask id="A" name="Periksa"/><userTask id="B" name="Tanda tangani"/><endEvent id="e"/>
<sequenceFlow id="f1" sourceRef="s" targetRef="A"/><sequenceFlow id="f2" sourceRef="A"
targetRef="B"/><sequenceFlow id="f3" sourceRef="B" targetRef="e"/></process></definitions>"""
_PARALLEL = """<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
<process id="p" isExecutable="true"><startEvent id="s"/><parallelGateway id="split"/>
<userTask id="A" name="Periksa"/><userTask id="B" name="Tanda tangani"/>
<parallelGateway id="join" name="Keduanya"/><endEvent id="e"/>
<sequenceFlow id="f1" sourceRef="s" targetRef="split"/>
<sequenceFlow id="f2" sourceRef="split" targetRef="A"/><sequenceFlow id="f3" sourceRef="split"
targetRef="B"/><sequenceFlow id="f4" sourceRef="A" targetRef="join"/>
<sequenceFlow id="f5" sourceRef="B" targetRef="join"/><sequenceFlow id="f6" sourceRef="join"
targetRef="e"/></process></definitions>"""


def test_a_case_would_skip_a_signature_at_a_new_parallel_join_and_is_refused(engine):
    v1 = engine.deploy(_SEQUENTIAL.encode())
    at_a = engine.start("p", {}).id
    v2 = engine.deploy(_PARALLEL.encode())
    [move] = engine.migrate(v1, v2)
    assert move.case_id == at_a
    assert not move.moved
    assert move.reasons == (
        "from A ('Periksa') it would reach the parallel join join "
        "('Keduanya') of p v2 without the branch that started it",
    )


def test_case_migrate_from_the_command_line(tmp_path, redesigned):
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    with Engine(url) as engine:
        v1 = engine.deploy(SHIPPED)
        _cases_along_the_way(engine, v1.key, happy_path_data(load(SHIPPED)), 5)
        engine.deploy(redesigned)

    def run(*args):
        return CliRunner().invoke(main, ["case", "migrate", v1.key, *args, "--db", url])

    dry = run("--from", "1", "--to", "2", "--dry-run")
    assert dry.exit_code == 0, dry.output
    lines = dry.output.splitlines()
    assert lines[0] == f"3 of 5 running cases of {v1.key} v1 can move to v2"
    assert "stays     at Task_bawa_ke_rw" in dry.output
    assert "which " in dry.output
    moved = json.loads(run("--from", "1", "--to", "2", "--format", "json").output)
    assert sorted(m["moved"] for m in moved) == [False, False, True, True, True]
    bad = run("--from", "1", "--to", "3")
    assert bad.exit_code == 1
    assert f"no deployed {v1.key} v3" in bad.output
    bad = run("--from", "1", "--to", "2", "--map", "nonsense")
    assert bad.exit_code == 1
    assert "--map 'nonsense'" in bad.output


# --- inside subprocesses, call activities and pools -----------------------------------------
_EMBEDDED = """<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
<process id="berkas" isExecutable="true"><startEvent id="s"/>
<subProcess id="Sub" name="Periksa berkas"><startEvent id="ss"/>{inner}<endEvent id="se"/>
{flows}</subProcess><userTask id="Z" name="Arsipkan"/><endEvent id="e"/>
<sequenceFlow id="f1" sourceRef="s" targetRef="Sub"/>
<sequenceFlow id="f2" sourceRef="Sub" targetRef="Z"/>
<sequenceFlow id="f3" sourceRef="Z" targetRef="e"/></process></definitions>"""


def _embedded(*tasks: tuple[str, str]) -> bytes:
    """The process with these user tasks, in a row, inside its subprocess ``Sub``."""
    ids = ["ss", *(t for t, _name in tasks), "se"]
    inner = "".join(f'<userTask id="{t}" name="{name}"/>' for t, name in tasks)
    flows = "".join(
        f'<sequenceFlow id="sf{n}" sourceRef="{a}" targetRef="{b}"/>'
        for n, (a, b) in enumerate(zip(ids, ids[1:], strict=False))
    )
    return _EMBEDDED.format(inner=inner, flows=flows).encode()


def test_cases_inside_an_embedded_subprocess_move_with_ids_mapped_inside_it(engine):
    _embedded_moves(engine)


@pytest.mark.postgres
def test_cases_inside_an_embedded_subprocess_move_on_postgresql(pg_url, clock):
    with Engine(pg_url, clock=clock) as engine:
        _embedded_moves(engine)


def _embedded_moves(engine):
    v1 = engine.deploy(_embedded(("A", "Periksa KTP"), ("B", "Paraf")))
    at_a = engine.start("berkas").id
    at_b = engine.complete(engine.get(at_a).tasks[0].id, {}).id  # the same case, one on
    at_a = engine.start("berkas").id
    # v2 renames A, adds a signature after B: both cases move (A mapped, B by its id)
    v2 = engine.deploy(
        _embedded(("A2", "Periksa KTP dan KK"), ("B", "Paraf"), ("C", "Tanda tangan"))
    )
    plan = {m.case_id: m for m in engine.migrate(v1, v2, dry_run=True)}
    assert plan[at_b].moved
    assert plan[at_a].reasons == (
        "it waits at A ('Periksa KTP') inside Sub ('Periksa berkas'), which berkas v2 removes "
        "(map it to an element of berkas v2: A=NEW_ID)",
    )
    moves = engine.migrate(v1, v2, mapping={"A": "A2"}, actor="admin")
    assert all(m.moved for m in moves)
    walked = {}
    for case_id in (at_a, at_b):
        case = engine.get(case_id)
        steps = []
        while case.tasks:
            steps.append(case.tasks[0].element_id)
            case = engine.complete(case.tasks[0].id, {})
        walked[case_id] = steps
        assert (case.status, case.definition_version) == ("completed", 2)
    assert walked == {at_a: ["A2", "B", "C", "Z"], at_b: ["B", "C", "Z"]}


def test_a_case_cannot_move_out_of_its_subprocess(engine):
    v1 = engine.deploy(_embedded(("A", "Periksa KTP"), ("B", "Paraf")))
    case = engine.start("berkas")
    # v2 checks A before the subprocess, which keeps B only
    hoisted = _embedded(("B", "Paraf")).replace(
        b'<userTask id="Z"', b'<userTask id="A" name="Periksa KTP"/><userTask id="Z"'
    )
    hoisted = hoisted.replace(b'sourceRef="s" targetRef="Sub"', b'sourceRef="s" targetRef="A"')
    hoisted = hoisted.replace(
        b"</process>", b'<sequenceFlow id="f4" sourceRef="A" targetRef="Sub"/></process>'
    )
    v2 = engine.deploy(hoisted)
    [move] = engine.migrate(v1, v2)
    assert not move.moved
    assert move.reasons == (
        "it waits at A ('Periksa KTP') inside Sub ('Periksa berkas'), which berkas v2 has in "
        "process berkas: a case cannot move between processes",
    )
    flat = _SEQUENTIAL.replace('id="p"', 'id="berkas"').encode()  # no subprocess at all
    [move] = engine.migrate(v1, engine.deploy(flat))
    assert move.reasons == (
        "it waits at Sub ('Periksa berkas'), which berkas v3 removes "
        "(map it to an element of berkas v3: Sub=NEW_ID)",
    )
    assert engine.get(case.id).definition_version == 1


_CALLER = """<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d_induk"
 targetNamespace="http://bpengine.test/induk"><process id="induk" isExecutable="true">
<startEvent id="S"/><callActivity id="C" name="Verifikasi berkas" calledElement="verifikasi"/>
<endEvent id="E"/><sequenceFlow id="F1" sourceRef="S" targetRef="C"/>
<sequenceFlow id="F2" sourceRef="C" targetRef="E"/></process></definitions>"""
_CALLED = """<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d_verifikasi"
 targetNamespace="http://bpengine.test/verifikasi"><process id="verifikasi" isExecutable="true">
<startEvent id="VS"/>{tasks}<endEvent id="VE"/>{flows}</process></definitions>"""


def _called(*ids: str) -> str:
    chain = ["VS", *ids, "VE"]
    return _CALLED.format(
        tasks="".join(f'<userTask id="{t}" name="{t}"/>' for t in ids),
        flows="".join(
            f'<sequenceFlow id="V{n}" sourceRef="{a}" targetRef="{b}"/>'
            for n, (a, b) in enumerate(zip(chain, chain[1:], strict=False))
        ),
    )


def test_a_case_in_a_called_subprocess_moves_when_the_called_file_changes(engine, tmp_path):
    caller, called = tmp_path / "induk.bpmn", tmp_path / "verifikasi.bpmn"
    caller.write_text(_CALLER)
    called.write_text(_called("VT", "VU"))
    v1 = engine.deploy(caller)
    at_vt, at_vu = engine.start("induk").id, engine.start("induk")
    at_vu = engine.complete(at_vu.tasks[0].id, {}).id
    called.write_text(_called("VT", "NIK", "VU"))  # the caller's own file is unchanged
    v2 = engine.deploy(caller)
    assert v2.version == 2
    assert all(m.moved for m in engine.migrate(v1, v2))
    for case_id, steps in ((at_vt, ["VT", "NIK", "VU"]), (at_vu, ["VU"])):
        case, seen = engine.get(case_id), []
        while case.tasks:
            seen.append(case.tasks[0].element_id)
            case = engine.complete(case.tasks[0].id, {})
        assert (seen, case.status) == (steps, "completed")

    called.write_text(_called("NIK", "VU"))  # v3 drops VT: a case waiting there stays
    v3 = engine.deploy(caller)
    waiting = engine.start("induk", version=2)
    [move] = engine.migrate(v2, v3, cases=[waiting.id])
    assert move.reasons == (
        "it waits at VT ('VT') inside C ('Verifikasi berkas'), which induk v3 removes "
        "(map it to an element of induk v3: VT=NEW_ID)",
    )


PBG = ROOT / "processes" / "pbg.bpmn"


@pytest.fixture(scope="module")
def pbg_redesigned(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("redesign") / "pbg-baru.bpmn"
    result = CliRunner().invoke(main, ["redesign", str(PBG), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.slow
def test_in_flight_cases_of_a_collaboration_move_pool_by_pool(engine, clock, pbg_redesigned):
    """pbg.bpmn: three pools (DPMPTSP, Dinas PUPR, Bapenda); the redesign removes a
    verification, automates steps, runs two approvals side by side and turns paper
    hand-overs into data (message catch events become receive tasks)."""
    old_model, new_model = load(PBG), load(pbg_redesigned)
    v1 = engine.deploy(old_model)
    ids = _cases_along_the_way(engine, v1.key, happy_path_data(old_model), 16)
    v2 = engine.deploy(new_model)
    plan = {m.case_id: m for m in engine.migrate(v1, v2, dry_run=True)}
    assert sorted(plan) == sorted(c for c in ids if engine.get(c).status == "running")
    moving = {c for c, m in plan.items() if m.moved}
    # waiting in two pools at once (DPMPTSP for the SPPST, Dinas PUPR at a task) moves too
    assert any({"Catch_sppst", "Task_jadwal_konsultasi"} <= set(plan[c].at) for c in moving)
    reasons = [r for m in plan.values() for r in m.reasons]
    assert (
        "it waits at Task_verifikasi_pembayaran ('Verifikasi bukti pembayaran retribusi') "
        f"inside Process_pbg, which {v2.key} v2 removes (map it to an element of {v2.key} "
        "v2: Task_verifikasi_pembayaran=NEW_ID)"
    ) in reasons
    assert any(
        r.startswith("it waits at Task_unggah_simbg (")
        and r.endswith(
            f"inside Process_pbg_dinas_pupr, a UserTask here but a ServiceTask in {v2.key} v2"
        )
        for r in reasons
    )
    assert any("would reach the parallel join Gateway_Task_ttd_sppst_join" in r for r in reasons)
    moves = engine.migrate(v1, v2, actor="admin")
    assert {m.case_id for m in moves if m.moved} == moving
    for element in new_model.elements.values():
        if element.kind == "serviceTask":
            engine.register(element.id, lambda data: {})
    new_data = happy_path_data(new_model)
    for move in moves:
        case = engine.get(move.case_id)
        for _ in range(4):
            case = _walk(engine, case, 60, new_data if move.moved else None)
            engine.tick(clock.advance(days=30))
            case = engine.get(case.id)
        assert (case.status, case.definition_version) == ("completed", 2 if move.moved else 1)


def test_a_case_at_a_task_that_gains_a_boundary_timer_stays(engine):
    """SpiffWorkflow arms boundary events when the task starts: moved, the case would fail at
    A with "Split at A.BoundaryEventSplit was not reached"."""
    v1 = engine.deploy(_SEQUENTIAL.encode())
    case = engine.start("p", {})
    guarded = _SEQUENTIAL.replace(
        '<endEvent id="e"/>',
        '<endEvent id="e"/><boundaryEvent id="late" attachedToRef="A"><timerEventDefinition>'
        "<timeDuration>PT1H</timeDuration></timerEventDefinition></boundaryEvent>"
        '<userTask id="R" name="Tegur"/><endEvent id="e2"/>',
    ).replace(
        "</process>",
        '<sequenceFlow id="f9" sourceRef="late" targetRef="R"/>'
        '<sequenceFlow id="f10" sourceRef="R" targetRef="e2"/></process>',
    )
    [move] = engine.migrate(v1, engine.deploy(guarded.encode()))
    assert move.reasons == (
        "it waits at A ('Periksa'), which has boundary events in p v2 only: they would never "
        "be armed for this case",
    )
    case = engine.complete(case.tasks[0].id, {})  # it finishes on v1
    assert engine.complete(case.tasks[0].id, {}).status == "completed"


_WAITS_FOR = """<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
<message id="m" name="{name}"/><process id="p" isExecutable="true"><startEvent id="s"/>
<intermediateCatchEvent id="W" name="Dokumen masuk"><messageEventDefinition messageRef="m"/>
</intermediateCatchEvent><userTask id="B" name="Tanda tangani"/><endEvent id="e"/>
<sequenceFlow id="f1" sourceRef="s" targetRef="W"/><sequenceFlow id="f2" sourceRef="W"
targetRef="B"/><sequenceFlow id="f3" sourceRef="B" targetRef="e"/></process></definitions>"""


def test_a_case_waiting_for_a_message_from_outside_that_is_renamed_stays(engine):
    v1 = engine.deploy(_WAITS_FOR.format(name="Dokumen asli").encode())
    case = engine.start("p", {}, business_key="PND-1")
    v2 = engine.deploy(_WAITS_FOR.format(name="Dokumen asli dipindai").encode())
    [move] = engine.migrate(v1, v2)
    assert move.reasons == (
        "it waits at W ('Dokumen masuk') for 'Dokumen asli', which p v2 names 'Dokumen asli "
        "dipindai': a sender outside the case would still send the old name",
    )
    engine.correlate("Dokumen asli", business_key="PND-1")  # still reaches it, on v1
    assert [t.element_id for t in engine.get(case.id).tasks] == ["B"]
