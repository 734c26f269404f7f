"""eliminate and compose on real files: the step is gone, flows reconnect, DI is kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpengine import ModelError, analyze, apply_findings, load
from bpengine.redesign import compose, eliminate, transform_scenario
from bpengine.redesign.eliminate import absorb

from .conftest import assert_usable


def test_eliminate_reconnects_predecessor_to_successor(domisili):
    new, log = eliminate(domisili, "Task_ttd_rw", finding="F1")
    assert "Task_ttd_rw" not in new.elements
    assert ("Task_ttd_rt", "Task_terima_berkas") in new.graph.edges
    assert_usable(new)
    assert log[0].kind == "eliminate"
    assert log[0].finding == "F1"
    assert log[0].removed == ("Task_ttd_rw",)


def test_eliminate_drops_its_annotation_and_data_association_diagram(domisili):
    new = eliminate(domisili, "Task_ttd_rw").model
    root = new.tree()
    ids = {n.get("id") for n in root.iter() if isinstance(n.tag, str)}
    assert "Association_rw" not in ids
    assert "Association_rw_di" not in ids
    assert "DIA_ttd_rw_di" not in ids
    assert not any(
        e.get("bpmnElement") in ("DIA_ttd_rw", "Association_rw") for e in root.iter("{*}BPMNEdge")
    )


def test_eliminate_takes_the_decision_and_the_rework_it_no_longer_reaches(domisili):
    new, log = eliminate(domisili, "Paraf Kasi")  # by unique name
    gone = set(domisili.elements) - set(new.elements)
    assert gone == {
        "Task_paraf_kasi",
        "Gateway_draf_benar",
        "Task_perbaiki_draft",
        "Gateway_merge_draft",
    }
    assert ("Task_draft_surat", "Task_ttd_lurah") in new.graph.edges
    assert set(log[0].removed) == gone
    assert_usable(new)


def test_eliminate_knockout_check_removes_its_rejection_end(domisili):
    new = eliminate(domisili, "Task_cek_kelengkapan").model
    assert "End_dikembalikan" not in new.elements
    assert "Gateway_lengkap" not in new.elements
    assert ("Task_input_data", "Task_draft_surat") in new.graph.edges
    assert_usable(new)


def test_eliminate_leaves_input_unchanged(domisili):
    digest = domisili.digest
    eliminate(domisili, "Task_ttd_rw")
    assert domisili.digest == digest
    assert "Task_ttd_rw" in domisili.elements


def test_eliminate_refuses_mandatory_step(domisili):
    with pytest.raises(ModelError, match="Task_ttd_lurah.*mandatory"):
        eliminate(domisili, "Task_ttd_lurah")


def test_eliminate_refuses_gateway(domisili):
    with pytest.raises(ModelError, match="Gateway_lengkap.*not a task"):
        eliminate(domisili, "Gateway_lengkap")


def test_eliminate_refuses_unknown_id(domisili):
    with pytest.raises(ModelError, match="Task_nope"):
        eliminate(domisili, "Task_nope")


def test_eliminate_rework_step_sends_rejections_straight_back(signoff):
    new = eliminate(signoff, "Task_revisi").model
    assert ("Gateway_ok_kasubbag", "Gateway_merge") in new.graph.edges
    assert ("Gateway_ok_kabag", "Gateway_merge") in new.graph.edges
    assert_usable(new)


OPTIONAL_BRANCH = b"""<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="t">
  <process id="p" isExecutable="true">
    <startEvent id="s"/><task id="a" name="Terima"/>
    <exclusiveGateway id="g" default="f_skip"/><task id="x" name="Survei lokasi"/>
    <exclusiveGateway id="m"/><task id="b" name="Terbitkan"/><endEvent id="e"/>
    <sequenceFlow id="f1" sourceRef="s" targetRef="a"/>
    <sequenceFlow id="f2" sourceRef="a" targetRef="g"/>
    <sequenceFlow id="f_survey" sourceRef="g" targetRef="x">
      <conditionExpression xsi:type="tFormalExpression">perlu_survei</conditionExpression>
    </sequenceFlow>
    <sequenceFlow id="f_skip" sourceRef="g" targetRef="m"/>
    <sequenceFlow id="f3" sourceRef="x" targetRef="m"/>
    <sequenceFlow id="f4" sourceRef="m" targetRef="b"/>
    <sequenceFlow id="f5" sourceRef="b" targetRef="e"/>
  </process></definitions>"""


def test_eliminate_only_step_of_a_branch_merges_branches_and_drops_gateways():
    model = load(OPTIONAL_BRANCH)
    new, log = eliminate(model, "x")
    assert set(new.elements) == {"s", "a", "b", "e"}
    assert list(new.graph.edges) == [("s", "a"), ("a", "b"), ("b", "e")]
    assert set(log[0].removed) == {"x", "g", "m"}
    assert_usable(new)  # a model without DI gets a full layout


def test_compose_merges_consecutive_tasks_of_one_lane(domisili):
    new, log = compose(domisili, ["Task_serahkan", "Task_nomor_surat"])
    kept = new.elements["Task_nomor_surat"]
    assert "Task_serahkan" not in new.elements
    assert kept.name == "Beri nomor dan stempel + Serahkan surat"
    assert new.flows[kept.outgoing[0]].target == "End_selesai"
    assert log[0].merged == (("Task_nomor_surat", ("Task_nomor_surat", "Task_serahkan")),)
    assert_usable(new)


def test_compose_keeps_data_associations_of_all(domisili):
    new = compose(domisili, ["Task_input_data", "Task_cek_kelengkapan"]).model
    assert new.elements["Task_input_data"].reads == ("Formulir permohonan",)
    assert_usable(new)


def test_compose_refuses_other_lane(domisili):
    with pytest.raises(ModelError, match="Task_catat_agenda.*lane"):
        compose(domisili, ["Task_terima_berkas", "Task_catat_agenda"])


def test_compose_refuses_steps_that_are_not_consecutive(domisili):
    with pytest.raises(ModelError, match="consecutive"):
        compose(domisili, ["Task_terima_berkas", "Task_input_data"])


def test_compose_refuses_mandatory(domisili):
    with pytest.raises(ModelError, match="Task_ttd_lurah.*mandatory"):
        compose(domisili, ["Task_ttd_lurah", "Task_nomor_surat"])


def test_compose_refuses_a_single_task(domisili):
    with pytest.raises(ModelError, match="at least two"):
        compose(domisili, ["Task_nomor_surat"])


ROUTING_AFTER_SIGNATURE = b"""<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="t">
  <process id="p" isExecutable="true">
    <startEvent id="s"/><userTask id="ttd" name="Tanda tangani TDP"/>
    <exclusiveGateway id="g" name="Perlu izin sektoral?"/>
    <userTask id="sektor" name="Ajukan izin sektoral"/>
    <exclusiveGateway id="m"/><endEvent id="e"/>
    <sequenceFlow id="f1" sourceRef="s" targetRef="ttd"/>
    <sequenceFlow id="f2" sourceRef="ttd" targetRef="g"/>
    <sequenceFlow id="f_perlu" name="perlu" sourceRef="g" targetRef="sektor">
      <conditionExpression xsi:type="tFormalExpression">perlu == True</conditionExpression>
    </sequenceFlow>
    <sequenceFlow id="f_tanpa" name="tidak perlu" sourceRef="g" targetRef="m">
      <conditionExpression xsi:type="tFormalExpression">perlu == False</conditionExpression>
    </sequenceFlow>
    <sequenceFlow id="f3" sourceRef="sektor" targetRef="m"/>
    <sequenceFlow id="f4" sourceRef="m" targetRef="e"/>
  </process></definitions>"""


def test_a_routing_choice_after_a_signature_is_not_its_verdict():
    # regression: "tidak perlu" reads like a rejection, but the branch rejoins the other one;
    # eliminating the signature once also dropped the choice and sent every case down "perlu"
    new = eliminate(load(ROUTING_AFTER_SIGNATURE), "ttd").model
    assert {"g", "sektor", "m"} <= set(new.elements)
    assert ("s", "g") in new.graph.edges
    assert ("g", "m") in new.graph.edges
    assert_usable(new)


def test_compose_checks_with_decisions_merges_the_decisions():
    from .conftest import DATA

    model = load(DATA / "knockout.bpmn")
    new, log = compose(model, ["cek_b", "cek_a"])
    assert set(model.elements) - set(new.elements) == {"cek_b", "ga", "ea"}
    gw, accept, reject, old = log[0].decisions[0]
    assert new.flows[reject].condition == "(sah == False) or (lengkap == False)"
    assert new.flows[accept].target == "terbit"
    assert new.elements[gw].default_flow == accept
    assert [o[0] for o in old] == ["ga", "gb"]
    assert_usable(new)


def test_compose_with_decisions_carries_probabilities_and_durations():
    from bpengine.redesign import transform_scenario

    from .conftest import DATA

    _, log = compose(load(DATA / "knockout.bpmn"), ["cek_a", "cek_b"])
    out = transform_scenario(
        {
            "tasks": {"cek_a": "60 min", "cek_b": "10 min"},
            "gateways": {
                "ga": {"fa_ya": 0.95, "fa_tidak": 0.05},
                "gb": {"fb_ya": 0.6, "fb_tidak": 0.4},
            },
        },
        log[0],
    )
    assert out["tasks"] == {"cek_a": "70 min"}
    assert out["gateways"] == {"gb": {"fb_ya": 0.57, "fb_tidak": 0.43}}


OSS_BEFORE = Path(__file__).resolve().parents[2] / "processes" / "izin-usaha-sebelum-oss.bpmn"


def test_absorb_lets_the_last_signature_of_a_desk_cover_the_earlier_ones():
    model = load(OSS_BEFORE)
    new, log = absorb(model, ["Task_ttd_izin_lokasi", "Task_ttd_ho"], "Task_ttd_siup", finding="F9")
    assert {"Task_ttd_izin_lokasi", "Task_ttd_ho"}.isdisjoint(new.elements)
    assert ("Task_tinjau_izin_lokasi", "Gateway_layak_izin_lokasi") in new.graph.edges
    assert "Task_ttd_siup" in new.elements
    assert_usable(new)
    # the permits the absorbed signatures issued are now issued by the one that remains
    assert set(model.elements["Task_ttd_ho"].writes) <= set(new.elements["Task_ttd_siup"].writes)
    assert set(model.elements["Task_ttd_izin_lokasi"].writes) <= set(
        new.elements["Task_ttd_siup"].writes
    )
    change = log[0]
    assert change.kind == "compose"
    assert change.finding == "F9"
    assert change.merged == (
        ("Task_ttd_siup", ("Task_ttd_izin_lokasi", "Task_ttd_ho", "Task_ttd_siup")),
    )
    scenario = transform_scenario(
        {"tasks": {"Task_ttd_izin_lokasi": 10, "Task_ttd_ho": 10, "Task_ttd_siup": "5 min"}}, change
    )
    assert scenario["tasks"] == {"Task_ttd_siup": "25 min"}


def test_absorb_refuses_another_lane_and_mandatory_steps():
    model = load(OSS_BEFORE)
    with pytest.raises(ModelError, match="only one role's decisions combine"):
        absorb(model, ["Task_verifikasi_siup"], "Task_ttd_siup")
    with pytest.raises(ModelError, match="mandatory"):
        absorb(model, ["Task_ttd_izin_sektor"], "Task_ttd_tdp")


def test_redesign_composes_a_desk_signing_twice_in_one_case():
    model = load(OSS_BEFORE)
    findings = [f for f in analyze(model) if f.rule == "same-role-approvals"]
    assert findings, "the Kepala DPMPTSP signs several permits of one case"
    done = apply_findings(model, findings)
    new, applied = done.model, list(done.changes)
    assert applied
    assert all(c.kind == "compose" for c in applied)
    # one finding lists every signature of the desk in the case: the TDP's covers them all
    signatures = ("Task_ttd_izin_lokasi", "Task_ttd_ho", "Task_ttd_siup")
    assert not set(signatures) & set(new.elements)
    assert "Task_ttd_tdp" in new.elements
    assert_usable(new)
