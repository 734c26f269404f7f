"""Clean output: no change leaves debris, and check_clean finds debris where there is some."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from bpengine import analyze, load
from bpengine.model import ProcessModel
from bpengine.model.namespaces import BPMN
from bpengine.redesign import apply_findings, check_clean, eliminate, notify, transform_scenario

from .conftest import assert_usable

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
SHIPPED = sorted(PROCESSES.glob("*.bpmn"))
_B = f"{{{BPMN}}}"


@pytest.mark.slow
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_redesign_of_every_shipped_process_is_clean(path):
    model = load(path)
    assert check_clean(model) == []
    findings = analyze(model, scenario=path.with_name(path.stem + ".scenario.yaml"))
    results = [apply_findings(model, [f]).model for f in findings]
    results.append(apply_findings(model, findings).model)
    for new in results:
        assert [(p.code, p.element_id) for p in check_clean(new)] == []


def test_removing_the_only_work_of_an_office_takes_the_walk_there_and_its_lane(tmp_path):
    model = load(PROCESSES / "surat-keterangan-domisili.bpmn")
    new, log = eliminate(model, "Task_ttd_rw")
    assert "Task_bawa_ke_rw" not in new.elements  # "Bawa pengantar RT ke Ketua RW"
    assert "Ketua RW" not in {lane.name for lane in new.lanes.values()}
    assert "'Bawa pengantar RT ke Ketua RW'" in log[0].description
    assert log[0].removed_lanes == ("Ketua RW",)
    scenario = transform_scenario(
        {"lanes": {"Ketua RW": {"staff": 1}, "Pemohon": {}}, "tasks": {"Task_bawa_ke_rw": "2 h"}},
        log[0],
    )
    assert scenario == {"lanes": {"Pemohon": {}}, "tasks": {}}
    assert_usable(new)


def test_notify_sends_a_real_message_to_the_office():
    model = load(PROCESSES / "surat-keterangan-domisili.bpmn")
    new, log = notify(model, "Task_ttd_rw")
    notices = [e for e in new.elements.values() if e.kind == "intermediateThrowEvent"]
    assert len(notices) == 1
    assert notices[0].event == "message"
    assert notices[0].lane == model.elements["Task_ttd_rt"].lane  # the one handing it on
    assert "Ketua RW" in notices[0].name
    assert "notified" in log[0].description
    messages = new.tree().findall(_B + "message")
    assert [m.get("name") for m in messages] == ["Pemberitahuan ke Ketua RW"]
    assert "Task_ttd_rw" not in new.elements
    assert check_clean(new) == []
    assert_usable(new)


def test_a_redesign_that_suggests_notify_inserts_the_notice():
    model = load(PROCESSES / "surat-keterangan-domisili.bpmn")
    stamp = next(f for f in analyze(model) if f.suggestion == "notify")
    done = apply_findings(model, [stamp])
    new, applied = done.model, list(done.changes)
    assert applied
    assert any(e.kind == "intermediateThrowEvent" for e in new.elements.values())


def _with(model: ProcessModel, edit) -> ProcessModel:
    root = model.tree()
    edit(root)
    return ProcessModel.from_tree(root, model.file)


def test_check_clean_finds_each_kind_of_debris():
    model = load(PROCESSES / "surat-keterangan-domisili.bpmn")

    def orphan(root):
        process = root.find(_B + "process")
        etree.SubElement(process, _B + "dataObjectReference", id="Ref_x", name="Lost paper")

    def dangling(root):
        collab = root.find(_B + "collaboration")
        etree.SubElement(
            collab, _B + "messageFlow", id="MF_x", sourceRef="Nowhere", targetRef="Task_ttd_rt"
        )

    def empty_lane(root):
        lane = root.find(f".//{_B}lane")
        for ref in lane.findall(_B + "flowNodeRef"):
            lane.remove(ref)

    codes = {}
    for edit in (orphan, dangling, empty_lane):
        try:
            changed = _with(model, edit)
        except Exception:  # noqa: BLE001 - the loader may refuse a reference it checks itself
            continue
        codes[edit.__name__] = {p.code for p in check_clean(changed)}
    assert "orphan-data" in codes["orphan"]
    assert "empty-lane" in codes["empty_lane"]
    if "dangling" in codes:
        assert "dangling-messageFlow" in codes["dangling"]


# a kelurahan hands a paper file to the kecamatan, whose pool starts on it (message start)
_HANDOVER = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <collaboration id="C">
    <participant id="P_kel" name="Kelurahan" processRef="kel"/>
    <participant id="P_kec" name="Kecamatan" processRef="kec"/>
    <messageFlow id="MF_berkas" name="Berkas pengantar" sourceRef="Task_antar" targetRef="S_kec"/>
  </collaboration>
  <process id="kel" isExecutable="true">
    <laneSet id="LS1"><lane id="L_kel" name="Petugas Kelurahan">
      <flowNodeRef>S_kel</flowNodeRef><flowNodeRef>Task_ttd_lurah</flowNodeRef>
      <flowNodeRef>Task_antar</flowNodeRef><flowNodeRef>E_kel</flowNodeRef></lane></laneSet>
    <startEvent id="S_kel"/>
    <userTask id="Task_ttd_lurah" name="Tanda tangani surat pengantar"/>
    <userTask id="Task_antar" name="Antar berkas ke kecamatan"/>
    <endEvent id="E_kel"/>
    <sequenceFlow id="f1" sourceRef="S_kel" targetRef="Task_ttd_lurah"/>
    <sequenceFlow id="f2" sourceRef="Task_ttd_lurah" targetRef="Task_antar"/>
    <sequenceFlow id="f3" sourceRef="Task_antar" targetRef="E_kel"/>
  </process>
  <process id="kec" isExecutable="true">
    <laneSet id="LS2">
      <lane id="L_petugas_kec" name="Petugas Kecamatan">
        <flowNodeRef>S_kec</flowNodeRef><flowNodeRef>Task_verif_kec</flowNodeRef></lane>
      <lane id="L_camat" name="Camat">
        <flowNodeRef>Task_ttd_camat</flowNodeRef><flowNodeRef>E_kec</flowNodeRef></lane>
    </laneSet>
    <startEvent id="S_kec"><messageEventDefinition id="m1"/></startEvent>
    <userTask id="Task_verif_kec" name="Verifikasi pengantar kelurahan"/>
    <userTask id="Task_ttd_camat" name="Tanda tangani surat rekomendasi"/>
    <endEvent id="E_kec"/>
    <sequenceFlow id="k1" sourceRef="S_kec" targetRef="Task_verif_kec"/>
    <sequenceFlow id="k2" sourceRef="Task_verif_kec" targetRef="Task_ttd_camat"/>
    <sequenceFlow id="k3" sourceRef="Task_ttd_camat" targetRef="E_kec"/>
  </process>
</definitions>
"""


def test_a_step_handing_the_file_to_another_pool_is_no_errand_to_an_idle_office(tmp_path):
    # the kecamatan clerk's check goes, but the camat of the same pool still signs: the
    # kelurahan must still carry the file there, or the kecamatan's pool would start on its own
    path = tmp_path / "rekomendasi.bpmn"
    path.write_text(_HANDOVER, encoding="utf-8")
    model = load(path)
    new, log = eliminate(model, "Task_verif_kec")
    assert "Task_antar" in new.elements
    assert "Task_antar" not in log[0].removed
    assert [(m.source, m.target) for m in new.message_flows.values()] == [("Task_antar", "S_kec")]
    assert check_clean(new) == []
    scenario = transform_scenario({"handovers": {"MF_berkas": "2 h"}}, log[0])
    assert scenario["handovers"] == {"MF_berkas": "2 h"}
