"""reengineer applies the new rule families (automate, bottleneck, fast-lane) on shipped processes."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpengine import analyze, load
from bpengine.reengineer.search import reengineer
from bpengine.scenario.loading import read_yaml

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
FAMILIES = {"automate": "automate", "bottleneck": "move-staff", "fast-lane": "fast-lane"}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "rules"),
    [
        ("pbg", ["automate"]),
        ("cuti-asn", ["automate"]),
        ("perjalanan-dinas", ["bottleneck"]),
        ("disposisi-surat-masuk", ["bottleneck"]),
        ("izin-usaha-sebelum-oss", ["fast-lane"]),
        ("disposisi-surat-masuk", ["fast-lane"]),
    ],
)
def test_each_family_is_simulated_and_beats_the_procedure_as_it_is(name, rules):
    model = load(PROCESSES / f"{name}.bpmn")
    scenario = PROCESSES / f"{name}.scenario.yaml"
    findings = analyze(model, scenario=scenario, rules=rules)
    assert findings
    result = reengineer(
        model,
        read_yaml(scenario),
        cases=80,
        replications=2,
        seed=7,
        jobs=1,
        max_candidates=6,
        findings=findings,
    )
    kinds = {c.kind for cand in result.ranked for c in cand.changes}
    assert FAMILIES[rules[0]] in kinds
    assert result.best is not None
    assert FAMILIES[rules[0]] in {c.kind for c in result.best.changes}
