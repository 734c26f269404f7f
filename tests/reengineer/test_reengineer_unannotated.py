"""reengineer on models without any ``bpe:`` annotation, as analysts' real models come.

Legal acts (signing, ratifying, issuing, registering, paying) are read from the step names
and never removed; on the pre-OSS business licence every step the search removes is one
the real reform (the shipped OSS-RBA after-model) no longer has either.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bpengine import load
from bpengine.model import legal_act
from bpengine.redesign import check_clean
from bpengine.reengineer.search import reengineer
from bpengine.scenario.loading import read_yaml

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
SHIPPED = sorted(p.stem for p in PROCESSES.glob("*.bpmn"))
_BPE_ATTRIBUTE = re.compile(r'\s+bpe:[A-Za-z]+="[^"]*"')


def unannotated(name: str, tmp_path: Path):
    """The shipped model with every ``bpe:`` attribute stripped, written to a temp dir."""
    text = _BPE_ATTRIBUTE.sub("", (PROCESSES / f"{name}.bpmn").read_text(encoding="utf-8"))
    assert "bpe:mandatory" not in text
    assert "bpe:approval" not in text
    path = tmp_path / f"{name}.bpmn"
    path.write_text(text, encoding="utf-8")
    return load(path)


def _words(name: str) -> frozenset:
    return frozenset(w for w in re.findall(r"\w+", name.lower()) if len(w) > 2)


def removed_steps(before, after) -> list:
    """Activities of ``before`` that ``after`` has under neither their id nor their name."""
    names = {e.name for e in after.elements.values() if e.is_activity}
    return [
        e
        for e in before.elements.values()
        if e.is_activity and e.id not in after.elements and e.name not in names
    ]


def _search(model, name):
    return reengineer(
        model,
        read_yaml(PROCESSES / f"{name}.scenario.yaml"),
        cases=30,
        replications=2,
        seed=7,
        jobs=1,
        max_candidates=12,
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", SHIPPED)
def test_no_candidate_removes_a_legal_act(name, tmp_path):
    model = unannotated(name, tmp_path)
    acts = {
        e.id
        for e in model.elements.values()
        if e.is_activity and legal_act(e.name) and model.mandate(e.id).required
    }
    result = _search(model, name)
    for candidate in result.ranked:
        gone = {e.id for e in removed_steps(model, candidate.model)}
        assert not gone & acts, (candidate.findings, gone & acts)
        assert check_clean(candidate.model) == [], candidate.findings


def test_pre_oss_removes_only_what_the_real_reform_removed(tmp_path):
    model = unannotated("izin-usaha-sebelum-oss", tmp_path)
    reform = load(PROCESSES / "izin-usaha-oss-rba.bpmn")
    kept_by_reform = [e for e in reform.elements.values() if e.is_activity]
    result = _search(model, "izin-usaha-sebelum-oss")
    assert result.best is not None, "no redesign of the unannotated model beats it"
    for candidate in result.ranked:
        for step in removed_steps(model, candidate.model):
            # the reform still has it: the same id, or a name of (nearly) the same words
            same = [
                r
                for r in kept_by_reform
                if r.id == step.id
                or len(_words(r.name) & _words(step.name)) >= 0.6 * len(_words(step.name))
            ]
            assert not same, (
                f"{step.name!r} removed by {candidate.findings}, but OSS-RBA "
                f"keeps {[r.name for r in same]}"
            )
