"""automate(): a service task on the system lane, a person's check where money is set."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpengine import ModelError, analyze, load
from bpengine.redesign import apply_findings, automate, check_clean, transform_scenario

from .conftest import assert_usable

PROCESSES = Path(__file__).resolve().parents[2] / "processes"


def test_a_step_becomes_a_service_task_on_a_new_system_lane():
    model = load(PROCESSES / "pbg.bpmn")
    new, log = automate(model, "Task_hitung_retribusi")
    el = new.elements["Task_hitung_retribusi"]
    assert el.kind == "serviceTask"
    assert el.lane == "Sistem"
    assert el.reads == model.elements["Task_hitung_retribusi"].reads
    out = transform_scenario({"tasks": {"Task_hitung_retribusi": "30 min"}}, log[0])
    assert out["tasks"]["Task_hitung_retribusi"] == "1 min"
    assert out["lanes"]["Sistem"]["staff"] == 1000
    assert check_clean(new) == []
    assert_usable(new)


def test_an_existing_system_lane_is_used():
    model = load(PROCESSES / "izin-usaha-oss-rba.bpmn")
    new = automate(model, "Task_daftar_npwp").model
    assert new.elements["Task_daftar_npwp"].lane == "Sistem OSS"
    assert len(new.lanes) == len(model.lanes)


def test_a_check_of_the_result_is_added_when_asked():
    model = load(PROCESSES / "pbg.bpmn")
    new, log = automate(model, "Task_hitung_retribusi", check=True)
    checker = next(e for e in new.elements.values() if e.name.startswith("Periksa hasil"))
    assert checker.lane == "Operator SIMBG Dinas Teknis"
    assert new.approval(checker.id).is_approval
    assert ("Task_hitung_retribusi", checker.id) in new.graph.edges
    out = transform_scenario({"tasks": {"Task_hitung_retribusi": "30 min"}}, log[0])
    assert out["tasks"][checker.id] == "6 min"
    assert_usable(new)


def test_only_a_persons_task_is_automated():
    with pytest.raises(ModelError, match="only a task a person does"):
        automate(load(PROCESSES / "izin-usaha-oss-rba.bpmn"), "Task_terbitkan_nib")


def test_redesign_applies_automate_findings():
    model = load(PROCESSES / "pbg.bpmn")
    found = analyze(model, scenario=PROCESSES / "pbg.scenario.yaml", rules=["automate"])
    done = apply_findings(model, found)
    new, applied = done.model, list(done.changes)
    assert {c.kind for c in applied} == {"automate"}
    assert {new.elements[t].kind for f in found for t in f.targets} == {"serviceTask"}
