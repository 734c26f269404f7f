"""resequence, relocate_check and reassign: steps move, nothing is lost."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from bpengine import ModelError, load
from bpengine.redesign import reassign, relocate_check, resequence

from .conftest import assert_usable

QA = Path(__file__).resolve().parents[1] / "data" / "qa"


def test_resequence_moves_check_and_its_decision_before_an_earlier_step(domisili):
    new = resequence(domisili, "Task_cek_kelengkapan", before="Task_terima_berkas").model
    g = new.graph
    assert ("Task_ttd_rw", "Task_cek_kelengkapan") in g.edges
    assert ("Gateway_lengkap", "Task_terima_berkas") in g.edges
    assert ("Task_input_data", "Task_draft_surat") in g.edges
    assert set(new.elements) == set(domisili.elements)
    assert_usable(new)


def test_resequence_refuses_moving_before_the_writer_of_what_it_reads(domisili):
    with pytest.raises(ModelError, match="Formulir permohonan.*Isi formulir"):
        resequence(domisili, "Task_cek_kelengkapan", before="Task_isi_formulir")


def test_resequence_refuses_a_later_step(domisili):
    with pytest.raises(ModelError, match="Task_draft_surat.*does not come before"):
        resequence(domisili, "Task_cek_kelengkapan", before="Task_draft_surat")


def test_resequence_refuses_check_whose_rejection_is_rework(domisili):
    with pytest.raises(ModelError, match="Task_paraf_kasi.*knock-out"):
        resequence(domisili, "Task_paraf_kasi", before="Task_draft_surat")


def test_relocate_check_goes_as_early_as_the_data_allows(domisili):
    new, log = relocate_check(domisili, "Task_cek_kelengkapan")
    assert ("Task_isi_formulir", "Task_cek_kelengkapan") in new.graph.edges
    assert log[0].kind == "relocate-check"
    assert nx.shortest_path_length(new.graph, "Start_ajukan", "Task_cek_kelengkapan") == 2
    assert_usable(new)


def test_relocate_check_into_another_lane(domisili):
    new = relocate_check(domisili, "Task_cek_kelengkapan", to="Task_ttd_rt", lane="Pemohon").model
    assert new.elements["Task_cek_kelengkapan"].lane == "Pemohon"
    assert_usable(new)


def test_reassign_moves_task_and_its_shape_into_the_lane(domisili):
    new = reassign(domisili, "Task_catat_agenda", "Lane_petugas").model
    assert new.elements["Task_catat_agenda"].lane == "Petugas Kelurahan"
    assert "Task_catat_agenda" in new.lanes["Lane_petugas"].nodes
    assert "Task_catat_agenda" not in new.lanes["Lane_kasi"].nodes
    root = new.tree()
    shape = {s.get("bpmnElement"): s for s in root.iter("{*}BPMNShape")}
    lane_b = shape["Lane_petugas"].find("{*}Bounds")
    task_b = shape["Task_catat_agenda"].find("{*}Bounds")
    y0, h = float(lane_b.get("y")), float(lane_b.get("height"))
    cy = float(task_b.get("y")) + float(task_b.get("height")) / 2
    assert y0 < cy < y0 + h
    assert_usable(new)


def test_reassign_by_lane_name(domisili):
    new = reassign(domisili, "Task_catat_agenda", "Petugas Kelurahan").model
    assert new.elements["Task_catat_agenda"].lane_id == "Lane_petugas"


def test_reassign_refuses_unknown_lane(domisili):
    with pytest.raises(ModelError, match="Task_catat_agenda.*Lane_nope"):
        reassign(domisili, "Task_catat_agenda", "Lane_nope")


def test_reassign_refuses_same_lane(domisili):
    with pytest.raises(ModelError, match="already in lane"):
        reassign(domisili, "Task_catat_agenda", "Lane_kasi")


def test_reassign_a_subprocess_moves_the_work_inside_it():
    # the lane of an embedded subprocess is where its steps are done: moving only the frame
    # would leave every step with the old office and claim a handoff saved that is not
    model = load(QA / "pindah-datang-antar-kabupaten.bpmn")
    new = reassign(model, "Sub_ktp_el", "Lane_tujuan_petugas").model
    inside = [e.id for e in model.elements.values() if e.scope == "Sub_ktp_el"]
    assert "Task_rekam_biometrik" in inside
    for ident in ["Sub_ktp_el", *inside]:
        assert new.elements[ident].lane_id == "Lane_tujuan_petugas", ident
    root = new.tree()
    shape = {s.get("bpmnElement"): s.find("{*}Bounds") for s in root.iter("{*}BPMNShape")}
    frame = shape["Sub_ktp_el"]
    x0, y0 = float(frame.get("x")), float(frame.get("y"))
    x1, y1 = x0 + float(frame.get("width")), y0 + float(frame.get("height"))
    for ident in inside:  # the steps stay drawn inside their frame
        b = shape[ident]
        cx = float(b.get("x")) + float(b.get("width")) / 2
        cy = float(b.get("y")) + float(b.get("height")) / 2
        assert x0 < cx < x1, ident
        assert y0 < cy < y1, ident
    assert_usable(new)
