"""load(): what a model carries, read from real files and small fixtures."""

from __future__ import annotations

import pytest

import bpengine
from bpengine import ModelError, load
from tests.conftest import DATA, PROCESSES, shared_path

BPMN = 'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"'


def doc(body: str, extra: str = "") -> bytes:
    return f'<definitions {BPMN} {extra} id="d">{body}</definitions>'.encode()


def test_lanes_pools_and_flows_of_a_collaboration():
    m = load(shared_path("corpus", "exec", "bpmnjs__pizza-collaboration.bpmn"))
    assert len(m.pools) == 2
    assert len(m.processes) == 2
    assert m.message_flows, "pizza collaboration has message flows"
    bake = m.get("Bake the pizza")
    assert bake.lane == "pizza chef"
    assert bake.pool == "Pizza vendor"
    # graph is a view of the model: one node per flow node, one edge per sequence flow
    g = m.graph
    assert set(g.nodes) == set(m.elements)
    assert g.number_of_edges() == len(m.flows) + sum(
        1 for e in m.elements.values() if e.attached_to
    )
    for f in m.flows.values():
        assert g.edges[f.source, f.target]["id"] == f.id


def test_nested_lanes_give_innermost_lane_and_path():
    body = """
    <process id="p"><laneSet id="ls"><lane id="outer" name="Kelurahan">
      <childLaneSet id="cls"><lane id="inner" name="Lurah"><flowNodeRef>t</flowNodeRef></lane>
      </childLaneSet><flowNodeRef>t</flowNodeRef></lane></laneSet>
      <startEvent id="s"/><sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
      <userTask id="t" name="Tanda tangan Lurah"/><sequenceFlow id="f2" sourceRef="t" targetRef="e"/>
      <endEvent id="e"/></process>"""
    m = load(doc(body))
    t = m.elements["t"]
    assert (t.lane, t.lane_id, t.lane_path) == ("Lurah", "inner", ("Kelurahan", "Lurah"))
    assert m.lanes["inner"].parent == "outer"


def test_extension_attributes_data_and_events():
    body = """
    <process id="p" isExecutable="true">
      <dataObjectReference id="ref_ktp" name="KTP" dataObjectRef="do_ktp"/><dataObject id="do_ktp"/>
      <startEvent id="s"/><sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
      <userTask id="t" name="Periksa berkas" bpe:approval="true" bpe:mandatory="true">
        <dataInputAssociation id="di"><sourceRef>ref_ktp</sourceRef><targetRef>x</targetRef></dataInputAssociation>
      </userTask>
      <boundaryEvent id="b" attachedToRef="t" cancelActivity="false">
        <timerEventDefinition><timeDuration>P3D</timeDuration></timerEventDefinition></boundaryEvent>
      <sequenceFlow id="f2" sourceRef="t" targetRef="e"/><endEvent id="e"/>
      <sequenceFlow id="f3" sourceRef="b" targetRef="e2"/><endEvent id="e2"/></process>"""
    m = load(doc(body, 'xmlns:bpe="http://bpengine.org/schema/bpmn/1.0"'))
    t, b = m.elements["t"], m.elements["b"]
    assert t.approval is True
    assert t.mandatory
    assert t.reads == ("KTP",)
    assert m.approval("t").reason == "attribute"
    assert (b.event, b.event_value, b.attached_to, b.cancel_activity) == (
        "timer",
        "timeDuration:P3D",
        "t",
        False,
    )
    assert m.processes["p"].executable


def test_subprocess_elements_have_scope_and_inherit_lane():
    m = load(shared_path("corpus", "exec", "bpmnjs__nested-subprocesses.bpmn"))
    inner = [e for e in m.elements.values() if e.scope]
    assert inner
    for e in inner:
        assert e.scope in m.elements
        assert m.elements[e.scope].is_subprocess


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("Paraf Kasi Pemerintahan", "vocabulary"),
        ("Tanda tangan Lurah", "vocabulary"),
        ("Verifikasi berkas", "vocabulary"),
        ("Sign the contract", "vocabulary"),
    ],
)
def test_approval_vocabulary_is_bilingual(name, reason):
    m = load(doc(f'<process id="p"><userTask id="t" name="{name}"/></process>'))
    assert m.approval("t").is_approval
    assert m.approval("t").reason == reason


@pytest.mark.parametrize(
    "name", ["Minta persetujuan atasan", "Lampirkan lembar disposisi", "Submit for approval"]
)
def test_requests_for_approval_are_not_approvals(name):
    m = load(doc(f'<process id="p"><userTask id="t" name="{name}"/></process>'))
    verdict = m.approval("t")
    assert not verdict.is_approval
    assert verdict.evidence.startswith("request: ")


def test_approval_by_decision_gateway_and_explicit_false():
    body = """<process id="p"><userTask id="t" name="Pertimbangkan"/>
      <sequenceFlow id="f" sourceRef="t" targetRef="g"/><exclusiveGateway id="g"/>
      <sequenceFlow id="ok" name="setuju" sourceRef="g" targetRef="e"/>
      <sequenceFlow id="no" name="ditolak" sourceRef="g" targetRef="e"/><endEvent id="e"/>
      <userTask id="u" name="Paraf" bpe:approval="false"/></process>"""
    m = load(doc(body, 'xmlns:bpe="http://bpengine.org/schema/bpmn/1.0"'))
    assert m.approval("t").reason == "decision"
    assert not m.approval("u").is_approval
    assert m.approval("u").reason == "attribute"
    assert [a.id for a in m.approvals] == ["t"]


def test_get_by_unique_name_and_errors():
    m = load(shared_path("bench", "permit.bpmn"))
    assert m.get("Legal review").id == "T12"
    with pytest.raises(ModelError, match="no element has id or name 'Nope'"):
        m.get("Nope")


def test_model_is_immutable_and_hashable():
    m = load(shared_path("bench", "permit.bpmn"))
    with pytest.raises(TypeError):
        m.elements["X"] = None  # type: ignore[index]
    with pytest.raises(AttributeError):
        m.elements["T12"].name = "x"  # type: ignore[misc]
    assert hash(m) == hash(load(shared_path("bench", "permit.bpmn")))
    assert len(m.digest) == 64


@pytest.mark.parametrize(
    ("body", "code", "fragment"),
    [
        (
            '<process id="p"><startEvent id="s"/><sequenceFlow id="f" sourceRef="s" targetRef="nope"/>'
            "</process>",
            "dangling-flow",
            "'nope', which does not exist",
        ),
        (
            '<process id="p"><task id="a"/><task id="a"/></process>',
            "duplicate-id",
            "duplicate id 'a'",
        ),
        (
            '<process id="p"><boundaryEvent id="b" attachedToRef="x"/></process>',
            "dangling-boundary",
            "attached to 'x'",
        ),
        (
            '<process id="p"><exclusiveGateway id="g" default="zz"/></process>',
            "bad-default",
            "default flow 'zz'",
        ),
        ("", "no-process", "defines no <process>"),
        (  # a pool whose process was renamed: its steps ran in no pool, silently
            '<collaboration id="c"><participant id="P_tujuan" processRef="p_nope"/>'
            '</collaboration><process id="p"><startEvent id="s"/></process>',
            "invalid-reference",
            "participant processRef points to 'p_nope', which is no <process>",
        ),
    ],
)
def test_broken_references_name_the_element(body, code, fragment):
    with pytest.raises(ModelError) as info:
        load(doc(body))
    problem = info.value.problems[0]
    assert problem.code == code
    assert fragment in problem.message
    assert problem.line is not None
    assert isinstance(info.value, bpengine.BpengineError)


def test_not_bpmn_and_not_xml():
    with pytest.raises(ModelError, match="not a BPMN 2.0 document"):
        load(b"<html><body/></html>")
    with pytest.raises(ModelError, match="not well-formed XML"):
        load(b"<definitions")
    with pytest.raises(ModelError, match="no such file"):
        load("/nonexistent/x.bpmn")


def test_a_bpe_attribute_added_to_a_file_without_the_namespace_is_written_as_bpe():
    # seen in QA: a redesign of a bpmn.io drawing wrote ns0:handover="data"
    from lxml import etree

    from bpengine.model import ProcessModel
    from bpengine.model.namespaces import BPE

    root = etree.fromstring(
        b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">'
        b'<process id="p"><startEvent id="s"/><sequenceFlow id="f" sourceRef="s" '
        b'targetRef="e"/><endEvent id="e"/></process></definitions>'
    )
    root.find(".//{*}startEvent").set(f"{{{BPE}}}mandatory", "true")
    written = ProcessModel.from_tree(root).to_bytes()
    assert b"ns0:" not in written
    assert b'bpe:mandatory="true"' in written
    assert load(written).elements["s"] == ProcessModel.from_tree(root).elements["s"]


def test_a_collaboration_is_named_after_itself_else_its_pools():
    # QA: titles named the whole cross-office procedure after its first pool's process
    qa = load(DATA / "qa" / "pindah-datang-antar-kabupaten.bpmn")
    assert qa.name == "Pindah datang antar kabupaten/kota (SKPWNI)"
    assert qa.name != qa.main_process.name
    unnamed = load(shared_path("corpus", "exec", "bpmnjs__pizza-collaboration.bpmn"))
    assert unnamed.collaboration_name == ""
    assert unnamed.name == " / ".join(p.name for p in unnamed.pools.values())
    # one pool is no collaboration: the process's name, as before
    assert load(PROCESSES / "cuti-asn.bpmn").name == "Cuti Tahunan ASN (sebelum e-Cuti)"
