"""fast-lane: a review every case passes although a later decision knows the simple cases."""

from __future__ import annotations

import pytest

from bpengine import analyze, load

from ..conftest import PROCESSES

STEPS = {
    "s": ("start", "", "Pemohon"),
    "a": ("task", "Ajukan izin", "Pemohon"),
    "t": ("task", "Rapat dan tinjauan lapangan", "Tim Teknis"),
    "c": ("task", "Susun berita acara", "Petugas"),
    "g": ("xor", "Perlu izin sektor?", "Petugas"),
    "x": ("task", "Terbitkan izin sektor", "Petugas"),
    "e": ("end", "", "Pemohon"),
}


def _flows(simple_name):
    return [
        "s>a",
        "a>t",
        "t>c",
        "c>g",
        ("g>x", "perlu", "perlu == True"),
        ("g>e", simple_name),
        "x>e",
    ]


def test_a_review_before_a_decision_on_simple_cases_gets_a_fast_lane(procedure):
    model = load(
        procedure(
            STEPS, _flows("tidak perlu"), scenario={"gateways": {"g": {"g_x": 0.3, "g_e": 0.7}}}
        )
    )
    found = [
        f
        for f in analyze(model, scenario=str(model.file)[:-5] + ".scenario.yaml")
        if f.rule == "fast-lane"
    ]
    assert [(f.elements, f.targets) for f in found] == [(("t", "g"), ("t",))]
    assert "70%" in found[0].explanation
    assert found[0].saving.working_days > 0


def test_no_fast_lane_without_a_simple_branch_or_for_a_required_review(procedure):
    plain = load(procedure(STEPS, _flows("lainnya")))
    assert not [f for f in analyze(plain) if f.rule == "fast-lane"]
    steps = dict(
        STEPS, t=("task", "Rapat dan tinjauan lapangan", "Tim Teknis", {"mandatory": True})
    )
    required = load(procedure(steps, _flows("tidak perlu"), name="q"))
    assert not [f for f in analyze(required) if f.rule == "fast-lane"]


@pytest.mark.parametrize(
    ("name", "review"),
    [
        ("izin-usaha-sebelum-oss", "Task_tinjau_izin_lokasi"),
        ("disposisi-surat-masuk", "Task_baca_sekretaris"),
    ],
)
def test_found_on_shipped_processes(name, review):
    model = load(PROCESSES / f"{name}.bpmn")
    found = analyze(model, scenario=PROCESSES / f"{name}.scenario.yaml", rules=["fast-lane"])
    assert review in {f.targets[0] for f in found}


def test_the_reformed_licence_already_sorts_by_risk():
    model = load(PROCESSES / "izin-usaha-oss-rba.bpmn")
    assert not analyze(
        model, scenario=PROCESSES / "izin-usaha-oss-rba.scenario.yaml", rules=["fast-lane"]
    )
