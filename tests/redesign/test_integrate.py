"""integrate: a paper hand-over between agencies becomes a data exchange."""
from pathlib import Path

import pytest

from bpengine import ModelError, analyze, load, simulate
from bpengine.model import validate
from bpengine.redesign import redesign
from bpengine.redesign.changes import transform_scenario
from bpengine.redesign.integrate import integrate

ROOT = Path(__file__).resolve().parents[2]
COLLAB = ROOT / "tests" / "data" / "collab" / "tiga-instansi.bpmn"


def test_the_paper_flow_becomes_data_and_the_model_stays_whole():
    model = load(COLLAB)
    log = []
    new = integrate(model, ["Throw_serahkan", "Start_terima"], log=log)
    assert (new.handover("Msg_berkas").kind, new.handover("Msg_berkas").reason) == \
        ("data", "attribute")
    # every step and every message flow is still there, attached at both ends, with DI
    assert set(new.elements) == set(model.elements)
    assert set(new.message_flows) == set(model.message_flows)
    assert all(h.sender and h.receiver for h in new.case_handovers)
    shapes = {e.get("bpmnElement") for e in new.tree().iter("{*}BPMNEdge")}
    assert set(new.message_flows) <= shapes
    assert not [p for p in validate(new)[1] if p.severity == "error"]
    assert log[0].kind == "integrate" and log[0].elements == ("Msg_berkas",)


def test_the_paper_transfer_entry_is_dropped_from_the_scenario():
    model = load(COLLAB)
    log = []
    integrate(model, ["Throw_serahkan", "Start_terima"], log=log)
    raw = {"handovers": {"Msg_berkas": "2 working days", "data": "30 s"}}
    assert transform_scenario(raw, log[0])["handovers"] == {"data": "30 s"}


def test_the_simulated_cycle_time_falls_by_the_transfer():
    model = load(COLLAB)
    new = integrate(model, ["Throw_serahkan", "Start_terima"])
    sc = {"handovers": {"paper": "1 working day"}}
    before = simulate(model, sc, cases=60, replications=2)
    after = simulate(new, sc, cases=60, replications=2)
    saved = (before["cycle_time_working_days"].mean - after["cycle_time_working_days"].mean)
    assert saved > 0.8


def test_nothing_to_integrate_is_refused_naming_the_step():
    with pytest.raises(ModelError, match="Send_kirim.*no paper hand-over"):
        integrate(load(COLLAB), ["Send_kirim", "Receive_terima"])  # already data


def test_redesign_applies_the_analyzers_integrate_findings_on_a_shipped_collaboration():
    model = load(ROOT / "processes" / "pbg.bpmn")
    findings = [f for f in analyze(model) if f.suggestion == "integrate"]
    new, applied = redesign(model, findings)
    assert {c.kind for c in applied} == {"integrate"}
    assert sum(h.is_paper for h in new.case_handovers) < sum(h.is_paper
                                                              for h in model.case_handovers)
    assert not [f for f in analyze(new) if f.rule == "paper-handover"]
