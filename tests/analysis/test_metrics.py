"""Metrics and the analytic cycle time."""

from __future__ import annotations

import pytest

from bpengine import load, load_scenario
from bpengine.analysis import cycle_time, metrics

from ..conftest import shared_path


def test_permit_metrics():
    model = load(shared_path("bench", "permit.bpmn"))
    m = metrics(model)
    assert dict(m.size) == {
        "nodes": 31,
        "activities": 21,
        "gateways": 8,
        "events": 2,
        "flows": 35,
        "message_flows": 0,
        "lanes": 5,
        "pools": 0,
        "data_objects": 0,
    }
    c = m.complexity
    # XOR splits G_complete(2) + G_insp(2) + G_approved(2), AND split 1
    assert c["cfc"] == 7
    assert c["token_split"] == 2
    assert c["connector_mismatch"] == 0
    assert c["cnc"] == pytest.approx(35 / 31, abs=1e-3)
    assert 0 < c["cyclicity"] < 1
    assert c["depth"] >= 2
    d = m.domain
    assert d["approvals"] == len(model.approvals)
    assert d["rework_loops"] == 1
    assert d["knockouts"] == 1
    assert d["approvals_on_critical_path"] >= 1


def test_cycle_time_rules(procedure):
    # s -> a (60) -> AND(b 30 | c 90) -> XOR(d 45 p=.2 | nothing) -> e; loop on a r=.5
    steps = {
        "s": ("start", "", "L"),
        "j0": ("xor", "", "L"),
        "a": ("task", "A", "L"),
        "g0": ("xor", "", "L"),
        "p": ("and", "", "L"),
        "b": ("task", "B", "L"),
        "c": ("task", "C", "L"),
        "pj": ("and", "", "L"),
        "x": ("xor", "", "L"),
        "d": ("task", "D", "L"),
        "xj": ("xor", "", "L"),
        "e": ("end", "", "L"),
    }
    flows = [
        "s>j0",
        "j0>a",
        "a>g0",
        "g0>j0",
        "g0>p",
        "p>b",
        "p>c",
        "b>pj",
        "c>pj",
        "pj>x",
        "x>d",
        "x>xj",
        "d>xj",
        "xj>e",
    ]
    sc = {
        "tasks": {"a": 60, "b": 30, "c": 90, "d": 45},
        "gateways": {"g0": {"g0_j0": 0.5, "g0_p": 0.5}, "x": {"x_d": 0.2, "x_xj": 0.8}},
    }
    model = load(procedure(steps, flows, scenario=sc))
    t = cycle_time(model, scenario=load_scenario(None, model=model))
    expected_minutes = 60 / (1 - 0.5) + max(30, 90) + 0.2 * 45
    assert t.expected_days == pytest.approx(expected_minutes / 450, abs=1e-3)
    assert t.critical_path == ("s", "j0", "a", "g0", "p", "c", "pj", "x", "d", "xj", "e")
    assert t.critical_path_days == pytest.approx((120 + 90 + 45) / 450, abs=1e-3)
    assert "approximate" in t.note


def test_metrics_without_scenario_state_defaults(domisili_model):
    m = metrics(domisili_model)
    assert m.basis.startswith("defaults")
    # what the guard keeps, not only bpe:mandatory (the lurah's): the RT's and RW's
    # signatures are legal acts too
    assert (
        m.domain["mandatory_steps"]
        == 3
        == sum(
            1
            for e in domisili_model.elements.values()
            if e.is_activity and domisili_model.mandate(e.id).required
        )
    )
    assert m.domain["handoffs"] >= 5


def test_service_standard_is_compared(procedure):
    steps = {"s": ("start", "", "L"), "a": ("task", "A", "L"), "e": ("end", "", "L")}
    path = procedure(
        steps, ["s>a", "a>e"], scenario={"service_standard": "10 min", "tasks": {"a": "45 min"}}
    )
    model = load(path)
    t = metrics(model, scenario=load_scenario(None, model=model)).time
    assert t.service_standard_days == pytest.approx(10 / 450, abs=1e-3)
    assert t.working_time_exceeds_standard is True
    # like simulate(), no scenario given means the sidecar; {} means none at all
    assert metrics(model).time.service_standard_days == t.service_standard_days
    assert "service_standard_days" not in metrics(model, scenario={}).time.to_dict()


def test_metrics_are_frozen_and_json_ready_on_request(domisili_model):
    import dataclasses
    import json

    m = metrics(domisili_model)
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.basis = "x"
    with pytest.raises(TypeError):
        m.size["activities"] = 0  # read-only mapping
    assert json.loads(json.dumps(m.to_dict()))["time"]["critical_path"] == list(
        m.time.critical_path
    )
    with pytest.warns(DeprecationWarning, match="attribute .size"):
        assert m["size"] == dict(m.size)
