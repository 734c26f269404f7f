"""reengineer_to(): `bpengine reengineer` as a library call, on the residence certificate."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from bpengine import BpengineError, load
from bpengine.redesign import read_change_log
from bpengine.reengineer import Outcome, reengineer_to

from .conftest import SCENARIO


@pytest.fixture
def procedure(tmp_path, domisili):
    """The mini residence certificate with its sidecar scenario, in a folder of its own."""
    path = tmp_path / "domisili-mini.bpmn"
    shutil.copy(domisili.file, path)
    (tmp_path / "domisili-mini.scenario.yaml").write_text(
        yaml.safe_dump(SCENARIO), encoding="utf-8"
    )
    return path


def test_writes_the_best_redesign_its_proof_and_the_report(procedure, tmp_path):
    stages = []

    def progress(label, unit):
        stages.append((label, unit))
        return _Counting()

    out = tmp_path / "out" / "best"  # missing folders are created
    outcome = reengineer_to(
        procedure,
        out,
        cases=40,
        replications=2,
        seed=3,
        max_candidates=6,
        jobs=1,
        progress=progress,
    )
    assert isinstance(outcome, Outcome)
    assert outcome.search.best is not None
    assert [p.name for p in outcome.written] == [
        "domisili-mini.redesigned.bpmn",
        "domisili-mini.redesigned.scenario.yaml",
        "domisili-mini.redesigned.changes.yaml",
        "comparison.txt",
        "comparison.json",
        "report.html",
    ]
    assert all(p.is_file() and p.parent == out for p in outcome.written)
    best = load(outcome.written[0])
    assert "Task_ttd_lurah" in best.elements  # a legal act stays
    assert {c.finding for c in read_change_log(outcome.written[0])} == set(
        outcome.search.best.findings
    )
    assert outcome.comparison.replications == 5  # the proof runs at least five
    saved = json.loads((out / "comparison.json").read_text(encoding="utf-8"))
    assert saved == json.loads(json.dumps(outcome.comparison.to_dict()))
    assert stages == [
        ("simulating candidates", "candidates"),
        ("simulating before and after", "cases"),
    ]


def test_an_unknown_scenario_path_is_one_clear_error(procedure, tmp_path):
    with pytest.raises(BpengineError, match="nope.yaml"):
        reengineer_to(
            procedure,
            tmp_path / "o",
            scenario=tmp_path / "nope.yaml",
            cases=20,
            replications=2,
            max_candidates=2,
            jobs=1,
        )


class _Counting:
    """A progress stage that checks what the library reports."""

    def __enter__(self):
        return self.update

    def __exit__(self, *exc):
        return False

    def update(self, done, total):
        assert 0 <= done <= total
