"""integrate: a paper hand-over between agencies becomes a data exchange."""

from pathlib import Path

import pytest

from bpengine import ModelError, analyze, load, simulate
from bpengine.model import validate
from bpengine.redesign import apply_findings
from bpengine.redesign.changes import transform_scenario
from bpengine.redesign.integrate import integrate

ROOT = Path(__file__).resolve().parents[2]
COLLAB = ROOT / "tests" / "data" / "collab" / "tiga-instansi.bpmn"


def test_the_paper_flow_becomes_data_and_the_model_stays_whole():
    model = load(COLLAB)
    new, log = integrate(model, ["Throw_serahkan", "Start_terima"])
    assert (new.handover("Msg_berkas").kind, new.handover("Msg_berkas").reason) == (
        "data",
        "attribute",
    )
    # every step and every message flow is still there, attached at both ends, with DI
    assert set(new.elements) == set(model.elements)
    assert set(new.message_flows) == set(model.message_flows)
    assert all(h.sender and h.receiver for h in new.case_handovers)
    shapes = {e.get("bpmnElement") for e in new.tree().iter("{*}BPMNEdge")}
    assert set(new.message_flows) <= shapes
    assert not [p for p in validate(new)[1] if p.severity == "error"]
    assert log[0].kind == "integrate"
    assert log[0].elements == ("Msg_berkas",)


def test_the_paper_transfer_entry_is_dropped_from_the_scenario():
    model = load(COLLAB)
    _, log = integrate(model, ["Throw_serahkan", "Start_terima"])
    raw = {"handovers": {"Msg_berkas": "2 working days", "data": "30 s"}}
    assert transform_scenario(raw, log[0])["handovers"] == {"data": "30 s"}


def test_the_simulated_cycle_time_falls_by_the_transfer():
    model = load(COLLAB)
    new = integrate(model, ["Throw_serahkan", "Start_terima"]).model
    sc = {"handovers": {"paper": "1 working day"}}
    before = simulate(model, scenario=sc, cases=60, replications=2)
    after = simulate(new, scenario=sc, cases=60, replications=2)
    saved = before["cycle_time_working_days"].mean - after["cycle_time_working_days"].mean
    assert saved > 0.8


def test_nothing_to_integrate_is_refused_naming_the_step():
    with pytest.raises(ModelError, match="Send_kirim.*no paper hand-over"):
        integrate(load(COLLAB), ["Send_kirim", "Receive_terima"])  # already data


def test_redesign_applies_the_analyzers_integrate_findings_on_a_shipped_collaboration():
    model = load(ROOT / "processes" / "pbg.bpmn")
    findings = [f for f in analyze(model) if f.suggestion == "integrate"]
    done = apply_findings(model, findings)
    new, applied = done.model, list(done.changes)
    assert {c.kind for c in applied} == {"integrate"}
    assert sum(h.is_paper for h in new.case_handovers) < sum(
        h.is_paper for h in model.case_handovers
    )
    assert not [f for f in analyze(new) if f.rule == "paper-handover"]


# --- the data exchange is drawn: send/receive tasks on system lanes -------------------------
from bpengine.model.checks import schema_problems  # noqa: E402
from bpengine.redesign.tidy import check_clean  # noqa: E402


def _paper_between_pools(model):
    return [h for h in model.handovers if h.is_paper and h.between_pools]


@pytest.mark.parametrize("name", ["pbg.bpmn", "izin-usaha-sebelum-oss.bpmn"])
def test_each_paper_hand_over_becomes_a_send_and_a_receive_on_system_lanes(name, tmp_path):
    model = load(ROOT / "processes" / name)
    for h in _paper_between_pools(model):
        new, log = integrate(model, [e for e in (h.sender, h.receiver) if e])
        after = new.handover(h.flow)
        sender, receiver = new.elements[after.sender], new.elements[after.receiver]
        assert sender.kind == "sendTask", h.flow
        assert receiver.kind in ("receiveTask", "startEvent"), h.flow  # a message start stays
        assert sender.lane.startswith("Sistem"), h.flow
        assert receiver.lane.startswith("Sistem"), h.flow
        assert (after.kind, after.between_pools) == ("data", True)
        assert check_clean(new) == [], h.flow
        # written and loaded back: every message flow attached at both ends, XSD-valid, DI
        out = tmp_path / f"{h.flow}.bpmn"
        new.write(out)
        back = load(out)
        for fid in back.message_flows:
            f = back.message_flows[fid]
            assert f.source in back.elements or f.source in back.pools, fid
            assert f.target in back.elements or f.target in back.pools, fid
        assert schema_problems(back) == []
        edges = {e.get("bpmnElement") for e in back.tree().iter("{*}BPMNEdge")}
        shapes = {e.get("bpmnElement") for e in back.tree().iter("{*}BPMNShape")}
        assert set(back.message_flows) <= edges
        assert set(back.elements) <= shapes
        # every old step is still there; the automated steps take a system minute, no staff
        assert set(model.elements) <= set(back.elements)
        assert all(share == 0.0 for _t, _s, share in log[0].retimed)
        assert {t for t, _s, _x in log[0].retimed} >= {after.sender}


def test_an_end_event_sender_gets_a_send_task_before_it():
    model = load(ROOT / "processes" / "pbg.bpmn")
    new = integrate(model, ["End_sppst_dikirim", "Catch_sppst"]).model
    send = new.handover("Msg_sppst").sender
    assert send != "End_sppst_dikirim"
    assert new.elements[send].kind == "sendTask"
    assert new.elements["End_sppst_dikirim"].kind == "endEvent"
    assert [f.target for f in new.flows.values() if f.source == send] == ["End_sppst_dikirim"]
    assert new.elements["Catch_sppst"].kind == "receiveTask"
    assert new.elements["Catch_sppst"].lane == "Sistem DPMPTSP"


def test_the_redesigned_scenario_simulates_with_the_system_lanes():
    model = load(ROOT / "processes" / "pbg.bpmn")
    sc_path = ROOT / "processes" / "pbg.scenario.yaml"
    import yaml

    raw = yaml.safe_load(sc_path.read_text())
    new, log = integrate(model, ["End_sppst_dikirim", "Catch_sppst"])
    out = transform_scenario(raw, log[0])
    assert out["lanes"]["Sistem DPMPTSP"]["staff"] == 1000
    assert "Catch_sppst" in out["tasks"]
    res = simulate(new, scenario=out, cases=40, replications=1)
    assert res["cycle_time_working_days"].mean > 0


def test_a_persons_task_keeps_its_work_and_a_send_task_follows_it():
    model = load(COLLAB)  # Task_catat (user task) hands the permit to a black-box applicant
    new = integrate(model, ["Task_catat"]).model
    send = new.handover("Msg_izin").sender
    assert new.elements["Task_catat"].kind == "userTask"
    assert new.elements[send].kind == "sendTask"
    assert new.elements[send].lane == "Sistem Dinas"
    assert [f.target for f in new.flows.values() if f.source == "Task_catat"] == [send]
    assert check_clean(new) == []
