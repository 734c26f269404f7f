"""parallelise: a sign-off chain becomes AND split/join with one merged decision."""

from __future__ import annotations

import pytest

from bpengine import ModelError
from bpengine.redesign import parallelise

from .conftest import assert_usable


def test_chain_without_decisions_runs_between_split_and_join(domisili):
    new = parallelise(domisili, ["Task_ttd_rw", "Task_ttd_rt"]).model
    g = new.graph
    split = next(iter(g.predecessors("Task_ttd_rt")))
    assert g.nodes[split]["kind"] == "parallelGateway"
    assert split in g.predecessors("Task_ttd_rw")
    join = next(iter(g.successors("Task_ttd_rt")))
    assert join in g.successors("Task_ttd_rw")
    assert g.nodes[join]["kind"] == "parallelGateway"
    assert list(g.successors(join)) == ["Task_terima_berkas"]
    assert_usable(new)


def test_decisions_merge_into_one_that_rejects_if_any_rejects(signoff):
    new, log = parallelise(signoff, ["Task_paraf_kasubbag", "Task_paraf_kabag"])
    assert "Gateway_ok_kasubbag" not in new.elements
    assert "Gateway_ok_kabag" not in new.elements
    decide_id, accept, reject, old = log[0].decisions[0]
    decide = new.elements[decide_id]
    assert decide.kind == "exclusiveGateway"
    assert decide.default_flow == accept
    assert new.flows[accept].target == "Task_ttd_sekretaris"
    assert new.flows[reject].target == "Task_revisi"
    assert new.flows[reject].condition == "(setuju_kasubbag == False) or (setuju_kabag == False)"
    assert [o[0] for o in old] == ["Gateway_ok_kasubbag", "Gateway_ok_kabag"]
    assert_usable(new)


def test_new_gateways_sit_in_lanes(signoff):
    new = parallelise(signoff, ["Task_paraf_kasubbag", "Task_paraf_kabag"]).model
    added = set(new.elements) - set(signoff.elements)
    assert len(added) == 3
    assert all(new.elements[a].lane for a in added)


def test_refuses_data_conflict(domisili):
    with pytest.raises(ModelError, match="Task_ttd_rw.*Formulir permohonan"):
        parallelise(domisili, ["Task_isi_formulir", "Task_ttd_rt", "Task_ttd_rw"])


def test_refuses_steps_that_are_not_a_chain(domisili):
    with pytest.raises(ModelError, match="chain"):
        parallelise(domisili, ["Task_ttd_rt", "Task_draft_surat"])  # a decision between


def test_plain_steps_between_run_on_the_later_branch(domisili):
    new = parallelise(domisili, ["Task_ttd_rt", "Task_terima_berkas"]).model
    g = new.graph
    split = next(iter(g.predecessors("Task_ttd_rt")))
    assert set(g.successors(split)) == {"Task_ttd_rt", "Task_ttd_rw"}
    assert ("Task_ttd_rw", "Task_terima_berkas") in g.edges
    assert_usable(new)


def _shipped(name):
    from pathlib import Path

    from bpengine import load

    path = Path(__file__).resolve().parents[2] / "processes" / name
    if not path.is_file():
        pytest.skip(f"processes/{name} not shipped")
    return load(path)


def test_shipped_rt_rw_chain_is_refused_because_rw_signs_the_rt_letter():
    model = _shipped("surat-keterangan-domisili.bpmn")
    with pytest.raises(ModelError, match="Task_ttd_rw.*Surat pengantar RT/RW"):
        parallelise(model, ["Task_ttd_rt", "Task_ttd_rw"])


def test_shipped_pbg_review_and_sppst_with_the_minutes_between():
    new = parallelise(_shipped("pbg.bpmn"), ["Task_kajian_teknis", "Task_ttd_sppst"]).model
    split = next(iter(new.graph.predecessors("Task_kajian_teknis")))
    assert new.elements[split].kind == "parallelGateway"
    assert split in new.graph.predecessors("Task_berita_acara")
    assert ("Task_berita_acara", "Task_ttd_sppst") in new.graph.edges
    assert_usable(new)


def test_refuses_gateway(domisili):
    with pytest.raises(ModelError, match="Gateway_lengkap.*not a task"):
        parallelise(domisili, ["Gateway_lengkap", "Task_draft_surat"])


def test_parallelised_sign_offs_are_ready_together_in_the_engine(signoff):
    from bpengine import Engine

    new = parallelise(signoff, ["Task_paraf_kasubbag", "Task_paraf_kabag"]).model
    engine = Engine()
    case = engine.start(engine.deploy(new).key, data={}, actor="staf")
    [draft] = engine.inbox()
    engine.complete(draft.id, data={}, actor="staf")
    ready = {t.element_id for t in engine.inbox()}
    assert ready == {"Task_paraf_kasubbag", "Task_paraf_kabag"}  # both at once, not in turn
    for t in engine.inbox():
        engine.complete(t.id, data={"setuju_kasubbag": True, "setuju_kabag": False}, actor="x")
    # one rejection is enough to send the draft back for revision
    assert {t.element_id for t in engine.inbox()} == {"Task_revisi"}
    assert engine.get(case.id).status == "running"
