"""rework-loop and knockout-order."""

from __future__ import annotations

import pytest

from bpengine import load, load_scenario
from bpengine.analysis.rework import (
    check_knockout_order,
    check_rework_loop,
    knockouts,
    rework_loops,
)


def _loop(procedure, scenario=None):
    steps = {
        "s": ("start", "", "Pemohon"),
        "up": ("task", "Unggah berkas", "Pemohon"),
        "j": ("xor", "", "Pemohon"),
        "chk": ("task", "Periksa kelengkapan berkas", "Operator"),
        "g": ("xor", "Lengkap?", "Operator"),
        "ok": ("task", "Terbitkan izin", "Operator"),
        "e": ("end", "", "Pemohon"),
        "fix": ("task", "Lengkapi berkas", "Pemohon"),
    }
    flows = [
        "s>up",
        "up>j",
        "j>chk",
        "chk>g",
        ("g>ok", "lengkap"),
        ("g>fix", "tidak lengkap"),
        "fix>j",
        "ok>e",
    ]
    return procedure(steps, flows, scenario=scenario)


def test_rework_loop_with_default_probability(procedure):
    found = check_rework_loop(load(_loop(procedure)))
    assert len(found) == 1
    f = found[0]
    assert f.elements[0] == "chk"
    assert set(f.elements) == {"chk", "fix"}
    assert f.suggestion == "relocate-check"
    assert "20%" in f.explanation
    assert "1.25" in f.explanation


def test_rework_loop_probability_from_scenario(procedure):
    path = _loop(procedure, scenario={"gateways": {"g": {"g_ok": 0.5, "g_fix": 0.5}}})
    model = load(path)
    f = check_rework_loop(model, load_scenario(None, model=model))[0]
    assert "50%" in f.explanation
    assert "2.00 times" in f.explanation
    assert f.saving.working_days > check_rework_loop(model)[0].saving.working_days


def test_acyclic_model_has_no_rework(procedure):
    steps = {"s": ("start", "", "A"), "t": ("task", "Periksa", "A"), "e": ("end", "", "A")}
    assert check_rework_loop(load(procedure(steps, ["s>t", "t>e"]))) == []


def _knockouts(procedure, scenario=None):
    steps = {
        "s": ("start", "", "P"),
        "k1": ("task", "Periksa izin lokasi", "Dinas"),
        "g1": ("xor", "", "Dinas"),
        "k2": ("task", "Verifikasi NPWP", "Petugas"),
        "g2": ("xor", "", "Petugas"),
        "ok": ("task", "Terbitkan izin usaha", "Petugas"),
        "e": ("end", "", "P"),
        "x": ("end", "Ditolak", "P"),
    }
    flows = [
        "s>k1",
        "k1>g1",
        ("g1>k2", "ya"),
        ("g1>x", "tidak"),
        "k2>g2",
        ("g2>ok", "ya"),
        ("g2>x", "tidak"),
        "ok>e",
    ]
    return procedure(steps, flows, scenario=scenario)


def test_misordered_knockouts_are_resequenced(procedure):
    sc = {
        "gateways": {"g1": {"g1_k2": 0.95, "g1_x": 0.05}, "g2": {"g2_ok": 0.6, "g2_x": 0.4}},
        "tasks": {"k1": "60 min", "k2": "10 min"},
    }
    model = load(_knockouts(procedure, sc))
    assert sorted(knockouts(model)) == ["k1", "k2"]
    found = check_knockout_order(model, load_scenario(None, model=model))
    assert [(f.elements, f.suggestion, f.targets) for f in found] == [
        (("k1", "k2"), "resequence", ("k2",))
    ]
    assert found[0].saving.staff_hours > 0


def test_well_ordered_or_unknown_knockouts_are_not_flagged(procedure):
    model = load(_knockouts(procedure))
    assert check_knockout_order(model) == []  # equal defaults: no reason to reorder
    sc = {
        "gateways": {"g1": {"g1_k2": 0.6, "g1_x": 0.4}, "g2": {"g2_ok": 0.95, "g2_x": 0.05}},
        "tasks": {"k1": "10 min", "k2": "60 min"},
    }
    model = load(_knockouts(procedure, sc))
    assert check_knockout_order(model, load_scenario(None, model=model)) == []


def test_routing_gateway_of_another_office_is_not_a_knockout(procedure):
    steps = {
        "s": ("start", "", "P"),
        "k": ("task", "Tanda tangani TDP", "Kepala"),
        "g": ("xor", "Perlu izin sektoral?", "Pelaku Usaha"),
        "x": ("task", "Ajukan izin sektor", "Pelaku Usaha"),
        "e": ("end", "", "P"),
    }
    model = load(procedure(steps, ["s>k", "k>g", ("g>x", "ya"), ("g>e", "tidak"), "x>e"]))
    assert knockouts(model) == []


def test_a_loop_behind_two_decisions_goes_round_by_the_share_sent_back_at_the_last():
    # perjalanan-dinas: "SPJ lengkap?" (75% on) then "Sesuai?" (10% back to the PPK): a
    # case goes round that loop 7.5% of the time, not the 75% found complete
    from pathlib import Path

    processes = Path(__file__).resolve().parents[2] / "processes"
    model = load(processes / "perjalanan-dinas.bpmn")
    scenario = load_scenario(processes / "perjalanan-dinas.scenario.yaml", model=model)
    [loop] = [
        loop for loop in rework_loops(model, scenario) if "Task_verifikasi_keuangan" in loop["body"]
    ]
    assert loop["gateway"] == "Gateway_verifikasi_keuangan"
    assert loop["r"] == pytest.approx(0.75 * 0.1)
    assert loop["from_scenario"]
