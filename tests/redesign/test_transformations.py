"""The registry: every suggestion has one transformation, and one module can add a pair."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from bpengine import analyze, load
from bpengine.analysis.finding import make_finding
from bpengine.analysis.guard import apply_guard
from bpengine.analysis.suggestions import SUGGESTIONS, Suggestion, declare, removed_steps
from bpengine.redesign import TRANSFORMATIONS, Transformation, apply_findings, transform_scenario
from bpengine.redesign.transformations import register

from .conftest import assert_usable

QA = Path(__file__).resolve().parents[1] / "data" / "qa"


def test_every_suggestion_has_its_transformation_and_no_other():
    assert list(TRANSFORMATIONS) == list(SUGGESTIONS)
    for name, transformation in TRANSFORMATIONS.items():
        assert transformation.suggestion is SUGGESTIONS[name]


def test_every_transformation_says_how_it_reads_a_finding():
    for transformation in TRANSFORMATIONS.values():
        assert transformation.apply.__doc__, transformation.name


def test_a_name_declared_twice_with_other_facts_is_refused():
    with pytest.raises(ValueError, match="eliminate"):
        declare(Suggestion("eliminate", "keeps everything"))


@pytest.fixture
def delegate():
    """The extension in tests/redesign/extension, registered; the registry restored after."""
    saved = dict(TRANSFORMATIONS), dict(SUGGESTIONS)
    module = importlib.import_module("tests.redesign.extension.delegate")
    register(module.DELEGATE)  # importing registered it; again after an earlier restore
    yield module
    for registry, before in zip((TRANSFORMATIONS, SUGGESTIONS), saved, strict=True):
        registry.clear()
        registry.update(before)


def _finding(model, step, suggestion="delegate-next"):
    return make_finding(
        model, "acknowledgement", (step,), "only acknowledges", suggestion, targets=(step,)
    )


def test_an_extension_is_applied_by_redesign(delegate, domisili):
    f = _finding(domisili, "Task_ttd_rw")
    done = apply_findings(domisili, [f])
    new, applied = done.model, done.changes
    assert "Task_ttd_rw" not in new.elements
    assert_usable(new)
    assert [(c.kind, c.elements, c.finding) for c in applied] == [
        ("delegate-next", ("Task_ttd_rw", "Task_terima_berkas"), f.id)
    ]
    scenario = {"tasks": {"Task_ttd_rw": "3 h", "Task_terima_berkas": "15 min"}}
    assert transform_scenario(scenario, applied[0])["tasks"] == {"Task_terima_berkas": "25 min"}


def test_an_extension_is_held_by_the_guard_keep_and_mandate(delegate, domisili):
    f = _finding(domisili, "Task_ttd_rt")  # the RT's signature: a legal act, mandatory
    assert removed_steps(f) == ("Task_ttd_rt",)
    (guarded,) = apply_guard(domisili, [f])
    assert guarded.suggestion == "parallelise"
    assert "legal act" in guarded.guard
    done = apply_findings(domisili, [f, _finding(domisili, "Task_ttd_rw")], keep=["Task_ttd_rw"])
    new, applied, skipped = done.model, done.changes, done.skipped
    assert new is domisili
    assert applied == ()
    assert ["mandatory" in s.reason for s in skipped] == [True, False]
    assert "kept" in skipped[1].reason


def test_a_refusing_extension_is_skipped_with_its_own_words(delegate, domisili):
    # Task_cek_kelengkapan is followed by a decision, not by one step
    skipped = apply_findings(domisili, [_finding(domisili, "Task_cek_kelengkapan")]).skipped
    assert [s.reason for s in skipped] == [
        f"finding {_finding(domisili, 'Task_cek_kelengkapan').id}: Task_cek_kelengkapan is "
        "not followed by one step"
    ]


def test_without_its_transformation_a_suggestion_is_unknown(domisili):
    with pytest.raises(ValueError, match="delegate-next"):
        _finding(domisili, "Task_ttd_rw")  # the extension is not registered here
    bare = Transformation(Suggestion("bare", "nothing"), lambda model, finding, log: model)
    assert bare.name == "bare"
    assert "bare" not in TRANSFORMATIONS


def test_a_rework_loop_without_a_check_moves_nothing_up_front():
    # the loop "Cek stok blangko -> no blank -> issue a suket -> wait two weeks" has no
    # approval in it: relocate-check once moved its last step (issuing the suket) in front of
    # every case, so every applicant got a suket; with no check to move it is skipped, saying so
    model = load(QA / "pindah-datang-antar-kabupaten.bpmn")
    [loop] = [
        f
        for f in analyze(model, scenario=QA / "pindah-datang-antar-kabupaten.scenario.yaml")
        if f.rule == "rework-loop" and "Task_terbitkan_suket" in f.elements
    ]
    result = apply_findings(model, [loop])
    assert result.changes == ()
    [skipped] = result.skipped
    assert skipped.finding == loop.id
    assert "no check" in skipped.reason
    assert list(result.model.graph.predecessors("Task_terbitkan_suket")) == ["Gateway_blangko"]
