"""The guard: mandatory and maker/checker steps are only ever parallelised."""
from __future__ import annotations

from bpengine import analyze, load
from bpengine.analysis.guard import guard_reason, maker_of


def test_mandatory_target_turns_removal_into_parallelising(domisili_model):
    found = analyze(domisili_model)
    touching = [f for f in found if "ttd" in f.targets]
    assert touching, "the lurah's signature should appear in some finding"
    for f in touching:
        assert f.suggestion not in ("eliminate", "compose", "notify")
        assert f.guard and "mandatory" in f.guard
    reverify = next(f for f in found if f.rule == "reverification" and "ttd" in f.elements)
    assert reverify.suggestion == "parallelise" and reverify.saving.staff_hours == 0.0
    assert "only for parallelising" in reverify.explanation


def test_maker_checker_pair_in_different_lanes(domisili_model):
    assert maker_of(domisili_model, "paraf") == "draft"
    assert "maker/checker" in guard_reason(domisili_model, "paraf")
    assert maker_of(domisili_model, "rt_ttd") is None  # same lane as the maker
    assert guard_reason(domisili_model, "isi") is None


def test_checker_is_never_removed(procedure):
    steps = {"s": ("start", "", "Staf"), "m": ("task", "Buat konsep surat", "Staf"),
             "c": ("task", "Periksa konsep surat", "Kasi"), "n": ("task", "Kirim", "Staf"),
             "e": ("end", "", "Staf")}
    found = analyze(load(procedure(steps, ["s>m", "m>c", "c>n", "n>e"])))
    stamp = next(f for f in found if f.rule == "rubber-stamp")
    assert stamp.elements == ("c",) and stamp.suggestion == "parallelise"
    assert "four-eyes" in stamp.guard
