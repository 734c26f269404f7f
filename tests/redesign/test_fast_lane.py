"""fast_lane() and move_staff(): triage before a review; a staff what-if on the scenario."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpengine import ModelError, analyze, load
from bpengine.redesign import (
    apply_findings,
    check_clean,
    fast_lane,
    move_staff,
    transform_scenario,
)

from .conftest import assert_usable

PROCESSES = Path(__file__).resolve().parents[2] / "processes"


def test_simple_cases_bypass_the_review_and_the_scenario_gets_their_share():
    model = load(PROCESSES / "izin-usaha-sebelum-oss.bpmn")
    found = [
        f
        for f in analyze(
            model, scenario=PROCESSES / "izin-usaha-sebelum-oss.scenario.yaml", rules=["fast-lane"]
        )
        if f.targets == ("Task_tinjau_ho",)
    ]
    done = apply_findings(model, found)
    new, applied = done.model, list(done.changes)
    triage = next(e for e in new.elements.values() if e.name == "Kasus sederhana?")
    flows = {new.flows[f].name: new.flows[f] for f in triage.outgoing}
    assert flows["kompleks"].target == "Task_tinjau_ho"
    assert triage.default_flow == flows["kompleks"].id
    assert "perlu_izin_sektor" in flows["sederhana"].condition
    scenario = transform_scenario(
        {
            "gateways": {
                "Gateway_perlu_izin_sektor": {
                    "Flow_perlu_izin_sektor": 0.2,
                    "Flow_tanpa_izin_sektor": 0.8,
                }
            }
        },
        applied[0],
    )
    assert scenario["gateways"][triage.id] == {
        flows["sederhana"].id: 0.8,
        flows["kompleks"].id: pytest.approx(0.2),
    }
    assert check_clean(new) == []
    assert_usable(new)


def test_a_step_without_a_way_in_cannot_be_bypassed():
    with pytest.raises(ModelError, match="only a step"):
        fast_lane(load(PROCESSES / "pbg.bpmn"), "Gateway_dokumen_lengkap")


def test_a_staff_move_changes_the_scenario_not_the_model():
    model = load(PROCESSES / "perjalanan-dinas.bpmn")
    found = analyze(
        model, scenario=PROCESSES / "perjalanan-dinas.scenario.yaml", rules=["bottleneck"]
    )
    done = apply_findings(model, found)
    new, applied = done.model, list(done.changes)
    assert new is model
    assert applied[0].kind == "move-staff"
    out = transform_scenario(
        {
            "lanes": {
                "Kepala Bidang Pengusul": {"staff": 4},
                "Bendahara Pengeluaran": {"staff": 1},
            }
        },
        applied[0],
    )
    assert out["lanes"]["Bendahara Pengeluaran"]["staff"] == 2
    assert out["lanes"]["Kepala Bidang Pengusul"]["staff"] == 3
    with pytest.raises(ModelError, match="no lane named"):
        move_staff(model, "Nobody", "Kepala Bidang Pengusul")
