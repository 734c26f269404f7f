"""ping-pong: X -> Y -> X handoffs within a few steps."""

from __future__ import annotations

from bpengine import load
from bpengine.analysis.handoffs import check_ping_pong, lane_path_handoffs


def _route(procedure, lanes_and_names):
    steps = {"s": ("start", "", lanes_and_names[0][0]), "e": ("end", "", lanes_and_names[-1][0])}
    flows, prev = [], "s"
    for i, (lane, name) in enumerate(lanes_and_names):
        steps[f"t{i}"] = ("task", name, lane)
        flows.append(f"{prev}>t{i}")
        prev = f"t{i}"
    flows.append(f"{prev}>e")
    return load(procedure(steps, flows))


def test_forward_only_ping_pong_is_a_warning(procedure):
    model = _route(
        procedure,
        [
            ("Petugas", "Input data"),
            ("Sekretaris", "Terima dan teruskan berkas"),
            ("Petugas", "Buat konsep"),
        ],
    )
    found = check_ping_pong(model)
    assert [(f.elements, f.severity, f.targets) for f in found] == [
        (("t0", "t1", "t2"), "warning", ("t1",))
    ]
    assert found[0].suggestion == "reassign"
    assert found[0].saving.staff_hours > 0


def test_ping_pong_with_real_work_is_a_note(procedure):
    model = _route(
        procedure,
        [
            ("Petugas", "Input data"),
            ("Kasi", "Hitung retribusi"),
            ("Kabid", "Susun laporan"),
            ("Petugas", "Buat konsep"),
        ],
    )
    found = check_ping_pong(model)
    assert [(f.elements, f.severity) for f in found] == [(("t0", "t1", "t2", "t3"), "note")]


def test_no_return_or_too_far_is_not_ping_pong(procedure):
    assert check_ping_pong(_route(procedure, [("A", "x"), ("B", "y"), ("C", "z")])) == []
    far = [("A", "x"), ("B", "y"), ("C", "z"), ("D", "w"), ("A", "v")]
    assert check_ping_pong(_route(procedure, far)) == []


def test_reject_branch_is_not_ping_pong(domisili_model):
    # the Kasi's "salah, perbaiki" branch back to the petugas is rework, not a handoff pattern
    found = check_ping_pong(domisili_model)
    assert ("draft", "paraf", "draft") not in [f.elements for f in found]


def test_handoff_count(procedure):
    model = _route(procedure, [("A", "x"), ("B", "y"), ("B", "z"), ("A", "w")])
    assert lane_path_handoffs(model) == 2


_ROUND_TRIP = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <collaboration id="C">
    <participant id="P_kel" name="Kelurahan" processRef="kel"/>
    <participant id="P_kec" name="Kecamatan" processRef="kec"/>
    <messageFlow id="MF_berkas" name="Berkas" sourceRef="Task_antar" targetRef="S_kec"/>
    <messageFlow id="MF_sk" name="Surat rekomendasi" sourceRef="E_kec" targetRef="Recv_sk"/>
  </collaboration>
  <process id="kel" isExecutable="true">
    <laneSet id="LS1"><lane id="L_kel" name="Petugas Kelurahan">
      <flowNodeRef>S_kel</flowNodeRef><flowNodeRef>Task_antar</flowNodeRef>
      <flowNodeRef>Recv_sk</flowNodeRef><flowNodeRef>Task_serah</flowNodeRef>
      <flowNodeRef>E_kel</flowNodeRef></lane></laneSet>
    <startEvent id="S_kel"/>
    <userTask id="Task_antar" name="Antar berkas ke kecamatan"/>
    <receiveTask id="Recv_sk" name="Terima surat rekomendasi"/>
    <userTask id="Task_serah" name="Serahkan surat ke pemohon"/>
    <endEvent id="E_kel"/>
    <sequenceFlow id="f1" sourceRef="S_kel" targetRef="Task_antar"/>
    <sequenceFlow id="f2" sourceRef="Task_antar" targetRef="Recv_sk"/>
    <sequenceFlow id="f3" sourceRef="Recv_sk" targetRef="Task_serah"/>
    <sequenceFlow id="f4" sourceRef="Task_serah" targetRef="E_kel"/>
  </process>
  <process id="kec" isExecutable="true">
    <laneSet id="LS2"><lane id="L_camat" name="Camat">
      <flowNodeRef>S_kec</flowNodeRef><flowNodeRef>Task_ttd_camat</flowNodeRef>
      <flowNodeRef>E_kec</flowNodeRef></lane></laneSet>
    <startEvent id="S_kec"><messageEventDefinition id="m1"/></startEvent>
    <userTask id="Task_ttd_camat" name="Tanda tangani surat rekomendasi"/>
    <endEvent id="E_kec"><messageEventDefinition id="m2"/></endEvent>
    <sequenceFlow id="k1" sourceRef="S_kec" targetRef="Task_ttd_camat"/>
    <sequenceFlow id="k2" sourceRef="Task_ttd_camat" targetRef="E_kec"/>
  </process>
</definitions>
"""


def test_no_ping_pong_through_another_agency(tmp_path):
    # the kelurahan sends the file to the kecamatan and gets the camat's letter back: no
    # reassigning the camat's signature to a kelurahan clerk (that is a hand-over)
    path = tmp_path / "rekomendasi.bpmn"
    path.write_text(_ROUND_TRIP, encoding="utf-8")
    assert check_ping_pong(load(path)) == []
