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
