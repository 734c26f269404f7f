"""rubber-stamp: approvals with no effective reject path."""

from __future__ import annotations

from bpengine import analyze, load, load_scenario
from bpengine.analysis.rubber_stamp import check_rubber_stamp


def _approval_then(procedure, reject_branch=True, empty=False, scenario=None):
    steps = {
        "s": ("start", "", "Pemohon"),
        "a": ("task", "Verifikasi berkas", "Petugas"),
        "g": ("xor", "Sah?", "Petugas"),
        "w": ("task", "Terbitkan izin", "Petugas"),
        "e": ("end", "", "Pemohon"),
        "x": ("end", "Ditolak", "Pemohon"),
        "j": ("xor", "", "Petugas"),
    }
    if empty:
        steps["k"] = ("intermediateThrowEvent", "", "Petugas")
        flows = ["s>a", "a>g", ("g>j", "ya"), ("g>k", "tidak"), "k>j", "j>w", "w>e"]
    elif reject_branch:
        flows = ["s>a", "a>g", ("g>w", "ya"), ("g>x", "tidak"), "w>e"]
    else:
        flows = ["s>a", "a>w", "w>e"]
    return procedure(steps, flows, scenario=scenario)


def test_no_decision_after_approval_is_a_rubber_stamp(procedure):
    model = load(_approval_then(procedure, reject_branch=False))
    found = check_rubber_stamp(model)
    assert [f.elements for f in found] == [("a",)]
    assert found[0].suggestion == "notify"
    assert "nothing after it decides" in found[0].explanation


def test_decision_that_reconverges_empty_is_a_rubber_stamp(procedure):
    found = check_rubber_stamp(load(_approval_then(procedure, empty=True)))
    assert [(f.elements, f.suggestion) for f in found] == [(("a",), "eliminate")]


def test_real_reject_branch_is_not_flagged(procedure):
    assert check_rubber_stamp(load(_approval_then(procedure))) == []


def test_scenario_reject_probability_zero(procedure):
    path = _approval_then(procedure, scenario={"gateways": {"g": {"g_w": 1.0, "g_x": 0.0}}})
    model = load(path)
    sc = load_scenario(None, model=model)
    found = check_rubber_stamp(model, sc)
    assert [f.elements for f in found] == [("a",)]
    assert "probability of 0" in found[0].explanation
    assert found[0].saving.basis == "scenario"
    assert check_rubber_stamp(model) == []  # without the scenario the branch may be taken


def test_last_step_and_mandatory_steps_are_not_rubber_stamps(procedure):
    steps = {
        "s": ("start", "", "P"),
        "a": ("task", "Tanda tangan izin", "Kepala"),
        "b": ("task", "Tanda tangan SK", "Kepala", {"mandatory": True}),
        "c": ("task", "Arsipkan", "TU"),
        "e": ("end", "", "P"),
    }
    model = load(procedure(steps, ["s>b", "b>c", "c>a", "a>e"]))
    assert check_rubber_stamp(model) == []
    assert all(f.rule != "rubber-stamp" for f in analyze(model))


def test_issuing_paying_and_stand_in_steps_are_not_rubber_stamps(procedure):
    steps = {
        "s": ("start", "", "P"),
        "pay": ("task", "Periksa SPD, bayar uang muka", "Bendahara"),
        "iss": ("task", "Tanda tangani dan terbitkan izin", "Kepala"),
        "own": ("task", "Tanda tangani surat keterangan", "Lurah"),
        "sub": ("task", "Tanda tangani a.n. Lurah", "Sekretaris"),
        "rw": ("task", "Tanda tangani pengantar 'mengetahui'", "Ketua RW"),
        "j": ("xor", "", "Lurah"),
        "e": ("end", "", "P"),
    }
    flows = ["s>pay", "pay>iss", "iss>rw", "rw>own", "own>j", "sub>j", "j>e"]
    path = procedure(steps, flows, name="surat-keterangan")
    xml = path.read_text().replace(
        '<userTask id="own" name="Tanda tangani surat keterangan"></userTask>',
        '<userTask id="own" name="Tanda tangani surat keterangan"></userTask>'
        '<boundaryEvent id="late" attachedToRef="own"><timerEventDefinition/></boundaryEvent>'
        '<sequenceFlow id="late_sub" sourceRef="late" targetRef="sub"/>',
    )
    xml = xml.replace('name="surat-keterangan"', 'name="Surat Keterangan Domisili"')
    path.write_text(xml)
    found = check_rubber_stamp(load(path))
    assert [f.elements for f in found] == [("rw",)]  # only the countersignature
