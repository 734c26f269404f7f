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
    model = _route(procedure, [("Petugas", "Input data"), ("Sekretaris", "Terima dan teruskan berkas"),
                               ("Petugas", "Buat konsep")])
    found = check_ping_pong(model)
    assert [(f.elements, f.severity, f.targets) for f in found] == [
        (("t0", "t1", "t2"), "warning", ("t1",))]
    assert found[0].suggestion == "reassign" and found[0].saving.staff_hours > 0


def test_ping_pong_with_real_work_is_a_note(procedure):
    model = _route(procedure, [("Petugas", "Input data"), ("Kasi", "Hitung retribusi"),
                               ("Kabid", "Susun laporan"), ("Petugas", "Buat konsep")])
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
