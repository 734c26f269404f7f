"""Tests of bpengine.model.layout: strip the DI of shipped processes, lay them out, check geometry."""

from pathlib import Path

import pytest
from lxml import etree

from bpengine.model.layout import layout
from bpengine.model.namespaces import BPMN, BPMNDI, DC, DI

PROCESSES = sorted((Path(__file__).parents[2] / "processes").glob("*.bpmn"))
FLOW_NODES = {
    "task",
    "userTask",
    "manualTask",
    "serviceTask",
    "scriptTask",
    "sendTask",
    "receiveTask",
    "businessRuleTask",
    "callActivity",
    "subProcess",
    "transaction",
    "adHocSubProcess",
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "eventBasedGateway",
    "complexGateway",
    "startEvent",
    "endEvent",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
}
SMALL = f"""<definitions xmlns="{BPMN}" id="d" targetNamespace="t">
  <collaboration id="c"><participant id="pool" processRef="p"/></collaboration>
  <process id="p">
    <laneSet id="ls">
      <lane id="l1"><flowNodeRef>s</flowNodeRef><flowNodeRef>fill</flowNodeRef></lane>
      <lane id="l2"><flowNodeRef>check</flowNodeRef><flowNodeRef>g</flowNodeRef>
        <flowNodeRef>late</flowNodeRef></lane>
      <lane id="l3"><flowNodeRef>sign</flowNodeRef><flowNodeRef>e</flowNodeRef>
        <flowNodeRef>remind</flowNodeRef></lane>
    </laneSet>
    <dataObject id="do"/><dataObjectReference id="form" dataObjectRef="do"/>
    <startEvent id="s"/>
    <userTask id="fill"><dataOutputAssociation id="o1"><targetRef>form</targetRef>
      </dataOutputAssociation></userTask>
    <userTask id="check"><property id="pr"/><dataInputAssociation id="i1">
      <sourceRef>form</sourceRef><targetRef>pr</targetRef></dataInputAssociation></userTask>
    <exclusiveGateway id="g" default="f4"/>
    <userTask id="sign"/><endEvent id="e"/>
    <boundaryEvent id="late" attachedToRef="check" cancelActivity="false">
      <timerEventDefinition/></boundaryEvent>
    <userTask id="remind"/>
    <sequenceFlow id="f1" sourceRef="s" targetRef="fill"/>
    <sequenceFlow id="f2" sourceRef="fill" targetRef="check"/>
    <sequenceFlow id="f3" sourceRef="check" targetRef="g"/>
    <sequenceFlow id="f4" sourceRef="g" targetRef="sign"/>
    <sequenceFlow id="f5" sourceRef="g" targetRef="fill"/>
    <sequenceFlow id="f6" sourceRef="sign" targetRef="e"/>
    <sequenceFlow id="f7" sourceRef="late" targetRef="remind"/>
  </process>
</definitions>"""


def _strip(root):
    for diagram in root.findall(f"{{{BPMNDI}}}BPMNDiagram"):
        root.remove(diagram)
    return root


def _bounds(root):
    out = {}
    for shape in root.iter(f"{{{BPMNDI}}}BPMNShape"):
        b = shape.find(f"{{{DC}}}Bounds")
        out[shape.get("bpmnElement")] = tuple(
            float(b.get(k)) for k in ("x", "y", "width", "height")
        )
    return out


def _inside(inner, outer):
    return (
        outer[0] <= inner[0]
        and inner[0] + inner[2] <= outer[0] + outer[2]
        and outer[1] <= inner[1]
        and inner[1] + inner[3] <= outer[1] + outer[3]
    )


def _overlap(a, b):
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _on_border(point, box, tol=0.5):
    x, y = point
    bx, by, bw, bh = box
    inside = bx - tol <= x <= bx + bw + tol and by - tol <= y <= by + bh + tol
    edge = min(abs(x - bx), abs(x - bx - bw), abs(y - by), abs(y - by - bh)) <= tol
    return inside and edge


def _documents():
    docs = [pytest.param(etree.fromstring(SMALL.encode()), id="small")]
    docs += [pytest.param(etree.parse(str(p)).getroot(), id=p.name) for p in PROCESSES]
    return docs


@pytest.fixture(params=_documents())
def laid_out(request):
    root = _strip(request.param)
    assert root.find(f"{{{BPMNDI}}}BPMNDiagram") is None
    return layout(root)


def _elements(root, kinds):
    return [e for e in root.iter(f"{{{BPMN}}}*") if etree.QName(e).localname in kinds]


def test_every_node_and_flow_has_di(laid_out):
    shapes = _bounds(laid_out)
    edges = {e.get("bpmnElement") for e in laid_out.iter(f"{{{BPMNDI}}}BPMNEdge")}
    for node in _elements(laid_out, FLOW_NODES):
        assert node.get("id") in shapes
    for flow in _elements(laid_out, {"sequenceFlow", "messageFlow"}):
        assert flow.get("id") in edges
    for ref in _elements(laid_out, {"dataObjectReference", "dataStoreReference"}):
        assert ref.get("id") in shapes


def test_nodes_lie_inside_their_lane(laid_out):
    shapes = _bounds(laid_out)
    for lane in _elements(laid_out, {"lane"}):
        for ref in lane.findall(f"{{{BPMN}}}flowNodeRef"):
            assert _inside(shapes[ref.text], shapes[lane.get("id")]), (ref.text, lane.get("id"))


def test_lanes_are_horizontal_bands_inside_the_pool(laid_out):
    shapes = _bounds(laid_out)
    for participant in _elements(laid_out, {"participant"}):
        pool = shapes[participant.get("id")]
        process = laid_out.find(f"{{{BPMN}}}process[@id='{participant.get('processRef')}']")
        for lane in process.iter(f"{{{BPMN}}}lane"):
            assert _inside(shapes[lane.get("id")], pool)


def test_no_two_node_shapes_overlap(laid_out):
    shapes = _bounds(laid_out)
    nodes = _elements(laid_out, FLOW_NODES | {"dataObjectReference", "textAnnotation"})
    for i, a in enumerate(nodes):
        for b in nodes[i + 1 :]:
            attached = a.get("id") == b.get("attachedToRef") or b.get("id") == a.get(
                "attachedToRef"
            )
            if not attached and a.getparent() is b.getparent():
                assert not _overlap(shapes[a.get("id")], shapes[b.get("id")]), (
                    a.get("id"),
                    b.get("id"),
                )


def test_edges_are_orthogonal_and_touch_their_ends(laid_out):
    shapes = _bounds(laid_out)
    flows = {f.get("id"): f for f in _elements(laid_out, {"sequenceFlow"})}
    for edge in laid_out.iter(f"{{{BPMNDI}}}BPMNEdge"):
        flow = flows.get(edge.get("bpmnElement"))
        if flow is None:
            continue
        points = [(float(p.get("x")), float(p.get("y"))) for p in edge.iter(f"{{{DI}}}waypoint")]
        assert len(points) >= 2
        assert _on_border(points[0], shapes[flow.get("sourceRef")]), flow.get("id")
        assert _on_border(points[-1], shapes[flow.get("targetRef")]), flow.get("id")
        for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
            assert x1 == x2 or y1 == y2, flow.get("id")


def test_layout_replaces_existing_di():
    root = layout(etree.fromstring(SMALL.encode()))
    first = etree.tostring(root)
    assert etree.tostring(layout(root)) == first
    assert len(root.findall(f"{{{BPMNDI}}}BPMNDiagram")) == 1


def test_subprocess_gets_its_own_plane():
    root = etree.fromstring(
        f'<definitions xmlns="{BPMN}" id="d"><process id="p"><startEvent id="s"/>'
        '<subProcess id="sub"><startEvent id="s2"/><task id="t2"/>'
        '<sequenceFlow id="g1" sourceRef="s2" targetRef="t2"/></subProcess>'
        '<sequenceFlow id="f1" sourceRef="s" targetRef="sub"/></process></definitions>'.encode()
    )
    layout(root)
    planes = {p.get("bpmnElement"): p for p in root.iter(f"{{{BPMNDI}}}BPMNPlane")}
    assert set(planes) == {"p", "sub"}
    inner = {s.get("bpmnElement") for s in planes["sub"].iter(f"{{{BPMNDI}}}BPMNShape")}
    assert inner == {"s2", "t2"}
    sub_shape = planes["p"].find(f"{{{BPMNDI}}}BPMNShape[@bpmnElement='sub']")
    assert sub_shape.get("isExpanded") == "false"


def test_diagram_goes_before_relationship_elements_as_the_schema_wants():
    from bpengine.model import load, validate

    root = etree.fromstring(
        f'<definitions xmlns="{BPMN}" id="d" targetNamespace="t"><process id="p">'
        '<startEvent id="s"/><sequenceFlow id="f" sourceRef="s" targetRef="e"/>'
        '<endEvent id="e"/></process>'
        '<relationship id="r" type="trace"><source>s</source><target>e</target></relationship>'
        "</definitions>".encode()
    )
    layout(root)
    tags = [etree.QName(c).localname for c in root]
    assert tags == ["process", "BPMNDiagram", "relationship"]
    _, problems = validate(load(etree.tostring(root)))
    assert [p for p in problems if p.code == "xsd"] == []
