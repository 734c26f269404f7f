"""Fixtures and checks shared by the redesign tests: every result must validate and keep DI."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpengine.model import load, validate
from bpengine.model.namespaces import BPMNDI

DATA = Path(__file__).resolve().parents[1] / "data" / "redesign"


@pytest.fixture
def domisili():
    return load(DATA / "domisili-mini.bpmn")


@pytest.fixture
def signoff():
    return load(DATA / "signoff-chain.bpmn")


def assert_usable(model):
    """The result validates (schema included) and every flow node and flow is drawn."""
    _, problems = validate(model)
    errors = [str(p) for p in problems if p.severity == "error"]
    assert errors == []
    root = model.tree()
    shapes = {s.get("bpmnElement") for s in root.iter(f"{{{BPMNDI}}}BPMNShape")}
    edges = {e.get("bpmnElement"): e for e in root.iter(f"{{{BPMNDI}}}BPMNEdge")}
    assert set(model.elements) <= shapes, set(model.elements) - shapes
    assert set(model.flows) <= set(edges), set(model.flows) - set(edges)
    for fid in model.flows:
        assert len(edges[fid]) >= 2, f"{fid} has fewer than two waypoints"
    known = (
        set(model.elements)
        | set(model.flows)
        | set(model.lanes)
        | set(model.pools)
        | set(model.data_objects)
        | set(model.message_flows)
    )
    ids = {n.get("id") for n in root.iter() if isinstance(n.tag, str) and n.get("id")}
    # no shape or edge is left pointing at something that was removed
    for ref in shapes | set(edges):
        assert ref in known or ref in ids, f"diagram refers to removed element {ref}"
