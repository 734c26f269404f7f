"""one_stop: the applicant's second counter visit goes; the first counter forwards the file."""

from pathlib import Path

import pytest
import yaml

from bpengine import ModelError, analyze, load, load_scenario, simulate
from bpengine.model.checks import schema_problems
from bpengine.redesign import apply_findings
from bpengine.redesign.changes import transform_scenario
from bpengine.redesign.one_stop import one_stop
from bpengine.redesign.tidy import check_clean

ROOT = Path(__file__).resolve().parents[2]
PRE_OSS = ROOT / "processes" / "izin-usaha-sebelum-oss.bpmn"
VISIT = ["Throw_daftar_npwp", "Catch_npwp", "Throw_ke_dpmptsp"]


def test_the_kpp_passes_the_npwp_on_to_the_dpmptsp_counter(tmp_path):
    model = load(PRE_OSS)
    new, log = one_stop(model, VISIT)
    assert "Catch_npwp" not in new.elements
    assert "Throw_ke_dpmptsp" not in new.elements
    assert "Msg_berkas_loket" not in new.message_flows  # went with its sender
    moved = new.handover("Msg_npwp")
    assert (moved.sender, moved.receiver) == ("End_npwp", "Start_berkas_loket")
    assert check_clean(new) == []
    out = tmp_path / "one-stop.bpmn"
    new.write(out)
    back = load(out)
    assert schema_problems(back) == []
    assert all(h.sender and h.receiver for h in back.case_handovers)
    edges = {e.get("bpmnElement") for e in back.tree().iter("{*}BPMNEdge")}
    assert set(back.message_flows) <= edges
    assert log[0].kind == "one-stop"
    assert set(log[0].removed) >= {"Catch_npwp", "Throw_ke_dpmptsp"}


def test_the_scenario_carries_across_and_the_applicant_saves_a_trip():
    model = load(PRE_OSS)
    raw = yaml.safe_load(PRE_OSS.with_name("izin-usaha-sebelum-oss.scenario.yaml").read_text())
    new, log = one_stop(model, VISIT)
    sc = transform_scenario(raw, log[0])
    load_scenario(sc, model=new)  # every key still names an element of the new model
    before = simulate(model, scenario=raw, cases=60, replications=2, seed=3)
    after = simulate(new, scenario=sc, cases=60, replications=2, seed=3)
    assert after["cycle_time_working_days"].mean < before["cycle_time_working_days"].mean


def test_no_counter_visit_is_refused_naming_the_step():
    with pytest.raises(ModelError, match="Task_ttd_skdu.*no two counters"):
        one_stop(load(PRE_OSS), ["Task_ttd_skdu"])


def test_redesign_applies_the_one_stop_findings():
    model = load(PRE_OSS)
    found = [f for f in analyze(model) if f.rule == "one-stop"]
    done = apply_findings(model, found)
    new, applied = done.model, list(done.changes)
    assert [c.kind for c in applied].count("one-stop") >= 1
    assert check_clean(new) == []
