"""The guard: mandatory and maker/checker steps are only ever parallelised."""

from __future__ import annotations

from bpengine import analyze, load
from bpengine.analysis.guard import guard_reason, maker_of
from bpengine.analysis.suggestions import removed_steps


def test_mandatory_target_turns_removal_into_parallelising(domisili_model, procedure):
    found = analyze(domisili_model)
    assert all("ttd" not in removed_steps(f) for f in found)
    chain = next(f for f in found if f.rule == "signoff-chain" and "ttd" in f.elements)
    assert chain.suggestion == "parallelise"
    assert "mandatory" in chain.guard
    # a dominated check whose later twin is mandatory: the earlier one may still go
    steps = {
        "s": ("start", "", "P"),
        "a": ("task", "Periksa berkas", "Kasi"),
        "b": ("task", "Periksa berkas", "Kabid", {"mandatory": True}),
        "c": ("task", "Arsipkan berkas", "TU"),
        "e": ("end", "", "P"),
    }
    model = load(procedure(steps, ["s>a", "a>b", "b>c", "c>e"]))
    rever = next(f for f in analyze(model) if f.rule == "reverification")
    assert rever.targets == ("b",)
    assert rever.suggestion == "parallelise"
    assert rever.saving.staff_hours == 0.0
    assert "only for parallelising" in rever.explanation


def test_maker_checker_pair_in_different_lanes(domisili_model):
    assert maker_of(domisili_model, "paraf") == "draft"
    assert "maker/checker" in guard_reason(domisili_model, "paraf")
    assert maker_of(domisili_model, "rt_ttd") is None  # same lane as the maker
    assert guard_reason(domisili_model, "isi") is None


def test_checker_is_never_removed(procedure):
    steps = {
        "s": ("start", "", "Staf"),
        "m": ("task", "Buat konsep surat", "Staf"),
        "c": ("task", "Periksa konsep surat", "Kasi"),
        "n": ("task", "Kirim", "Staf"),
        "e": ("end", "", "Staf"),
    }
    found = analyze(load(procedure(steps, ["s>m", "m>c", "c>n", "n>e"])))
    stamp = next(f for f in found if f.rule == "rubber-stamp")
    assert stamp.elements == ("c",)
    assert stamp.suggestion == "parallelise"
    assert "four-eyes" in stamp.guard


def test_an_unannotated_legal_act_is_only_parallelised_and_the_word_is_named(procedure):
    steps = {
        "s": ("start", "", "Staf"),
        "m": ("task", "Buat konsep surat", "Staf"),
        "c": ("task", "Tanda tangani surat izin", "Kepala"),
        "n": ("task", "Kirim", "Staf"),
        "e": ("end", "", "Staf"),
    }
    found = analyze(load(procedure(steps, ["s>m", "m>c", "c>n", "n>e"])))
    stamp = next(f for f in found if "c" in f.elements)
    assert stamp.suggestion == "parallelise"
    assert stamp.saving.staff_hours == 0.0
    assert "the word 'Tanda tangani'" in stamp.guard
    assert "legal act" in stamp.explanation


def test_mandatory_false_lets_a_signature_go(procedure):
    steps = {
        "s": ("start", "", "Staf"),
        "m": ("task", "Buat konsep surat", "Staf"),
        "c": ("task", "Tanda tangani surat izin", "Kepala", {"mandatory": False}),
        "n": ("task", "Kirim", "Staf"),
        "e": ("end", "", "Staf"),
    }
    model = load(procedure(steps, ["s>m", "m>c", "c>n", "n>e"]))
    assert guard_reason(model, "c") is None
