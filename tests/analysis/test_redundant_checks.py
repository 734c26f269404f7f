"""dominated-approval and reverification: checks another check already covers."""

from __future__ import annotations

from bpengine import load
from bpengine.analysis.redundant_checks import (
    available_checks,
    check_dominated_approval,
    check_reverification,
)


def _checks(procedure, between="Input data pemohon", lane_b="Lurah", ranks=None, branch=False):
    steps = {
        "s": ("start", "", "Pemohon"),
        "a": ("task", "Verifikasi KTP dan KK", "Ketua RT"),
        "m": ("task", between, "Petugas"),
        "b": ("task", "Periksa KTP dan KK", lane_b),
        "e": ("end", "", "Pemohon"),
    }
    flows = ["s>a", "a>m", "m>b", "b>e"]
    if branch:  # the first check is on one branch only
        steps["g"] = ("xor", "", "Pemohon")
        steps["j"] = ("xor", "", "Pemohon")
        flows = ["s>g", ("g>a", "baru"), ("g>j", "lama"), "a>j", "j>m", "m>b", "b>e"]
    return load(procedure(steps, flows, ranks=ranks))


def test_later_senior_check_dominates_earlier(procedure):
    found = check_dominated_approval(_checks(procedure))
    assert [f.elements for f in found] == [("a", "b")]
    f = found[0]
    assert f.suggestion == "eliminate"
    assert f.targets == ("a",)
    assert f.data == ("KK", "KTP")
    assert f.data_source == "task names"


def test_write_in_between_breaks_domination(procedure):
    model = _checks(procedure, between="Perbaiki KTP dan KK")
    assert check_dominated_approval(model) == []
    assert check_reverification(model) == []


def test_junior_later_check_does_not_dominate(procedure):
    senior_first = _checks(procedure, lane_b="Staf", ranks={"Ketua RT": 3})
    assert check_dominated_approval(senior_first) == []
    # explicit ranks beat the names
    ranked = _checks(procedure, lane_b="Staf", ranks={"Staf": 9, "Ketua RT": 1})
    assert [f.elements for f in check_dominated_approval(ranked)] == [("a", "b")]


def test_reverification_on_every_path(procedure):
    found = check_reverification(_checks(procedure))
    assert [(f.elements, f.suggestion, f.targets) for f in found] == [
        (("a", "b"), "eliminate", ("b",))
    ]
    assert "already been checked" in found[0].explanation


def test_reverification_needs_every_path(procedure):
    model = _checks(procedure, branch=True)
    assert check_reverification(model) == []
    assert available_checks(model)["b"] == frozenset()


def test_partial_recheck_is_relocated_not_removed(domisili_model):
    found = {f.elements: f for f in check_reverification(domisili_model)}
    partial = found[("rt_ttd", "ver")]
    assert partial.suggestion == "relocate-check"
    assert partial.targets == ("ver",)
    assert partial.data == ("KK", "KTP", "surat pengantar")
    assert "(foto)" in partial.explanation
    # the RW only signs: a signature is not a second verification
    assert all("rw_ttd" not in f.elements for f in found.values())


def test_data_associations_are_preferred(procedure):
    path = procedure({"s": ("start", "", None)}, [])
    xml = path.read_text().replace(
        '<startEvent id="s" name=""></startEvent>',
        """
      <dataObject id="DO"/><dataObjectReference id="ref" name="Berkas X" dataObjectRef="DO"/>
      <startEvent id="s"/>
      <userTask id="a" name="Periksa" bpe:approval="true">
        <dataInputAssociation id="i1"><sourceRef>ref</sourceRef></dataInputAssociation></userTask>
      <userTask id="b" name="Periksa lagi" bpe:approval="true">
        <dataInputAssociation id="i2"><sourceRef>ref</sourceRef></dataInputAssociation></userTask>
      <endEvent id="e"/>
      <sequenceFlow id="f1" sourceRef="s" targetRef="a"/>
      <sequenceFlow id="f2" sourceRef="a" targetRef="b"/>
      <sequenceFlow id="f3" sourceRef="b" targetRef="e"/>""",
    )
    path.write_text(xml)
    found = check_reverification(load(path))
    assert [(f.data, f.data_source) for f in found] == [(("Berkas X",), "data associations")]
