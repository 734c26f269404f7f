"""Local diagram (DI) edits for the transformations: find shapes, re-route edges, check overlaps.

A transformation keeps the analyst's drawing where it can: shapes of removed elements go,
edges whose ends moved get fresh orthogonal waypoints, moved data associations point at
their new task. :func:`count_overlaps` tells the caller when a local fix is not enough and
the whole diagram must be laid out again (:func:`bpengine.model.layout.layout`).
"""

from __future__ import annotations

import itertools

from lxml import etree

from ..model.elements import FLOW_NODE_KINDS
from ..model.namespaces import BPMN, BPMNDI, DC, DI

__all__ = [
    "find_di",
    "shape_bounds",
    "route_edge",
    "count_overlaps",
    "orthogonal",
    "point_associations",
]

_B = f"{{{BPMN}}}"


def _local(node) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def find_di(root, kind: str, ident: str):
    """The ``BPMNShape`` or ``BPMNEdge`` (``kind``) drawing element ``ident``, or ``None``."""
    for node in root.iter(f"{{{BPMNDI}}}{kind}"):
        if node.get("bpmnElement") == ident:
            return node
    return None


def shape_bounds(root, ident: str):
    """``(x, y, width, height)`` of the shape of ``ident``, or ``None``."""
    shape = find_di(root, "BPMNShape", ident)
    b = shape.find(f"{{{DC}}}Bounds") if shape is not None else None
    if b is None:
        return None
    return tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))


def orthogonal(a, b) -> list[tuple[float, float]]:
    """Waypoints of an orthogonal edge from box ``a`` to box ``b`` (``(x, y, w, h)``)."""
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    acx, acy, bcx, bcy = ax + aw / 2, ay + ah / 2, bx + bw / 2, by + bh / 2
    if bx >= ax + aw:  # forward
        if abs(acy - bcy) < 1:
            return [(ax + aw, acy), (bx, bcy)]
        mid = (ax + aw + bx) / 2
        return [(ax + aw, acy), (mid, acy), (mid, bcy), (bx, bcy)]
    if by >= ay + ah or ay >= by + bh:  # one above the other
        down = by >= ay + ah
        mid = (ay + ah + by) / 2 if down else (by + bh + ay) / 2
        return [
            (acx, ay + ah if down else ay),
            (acx, mid),
            (bcx, mid),
            (bcx, by if down else by + bh),
        ]
    top = min(ay, by) - 25  # a back edge runs over the top of both shapes
    return [(acx, ay), (acx, top), (bcx, top), (bcx, by)]


def route_edge(root, flow) -> bool:
    """Give sequence flow ``flow`` fresh waypoints; ``False`` if an end has no shape."""
    a, b = shape_bounds(root, flow.get("sourceRef")), shape_bounds(root, flow.get("targetRef"))
    if a is None or b is None:
        return False
    edge = find_di(root, "BPMNEdge", flow.get("id"))
    if edge is None:
        plane = find_di(root, "BPMNShape", flow.get("sourceRef")).getparent()
        edge = etree.SubElement(
            plane, f"{{{BPMNDI}}}BPMNEdge", id=f"{flow.get('id')}_di", bpmnElement=flow.get("id")
        )
    for w in edge.findall(f"{{{DI}}}waypoint"):
        edge.remove(w)
    label = edge.find(f"{{{BPMNDI}}}BPMNLabel")
    if label is not None:  # the old label position belongs to the old route
        edge.remove(label)
    for x, y in orthogonal(a, b):
        etree.SubElement(edge, f"{{{DI}}}waypoint", x=f"{x:g}", y=f"{y:g}")
    return True


def count_overlaps(root, index: dict) -> int:
    """Pairs of flow-node shapes on one plane that overlap (boundary events excepted)."""
    boxes = []
    for shape in root.iter(f"{{{BPMNDI}}}BPMNShape"):
        node = index.get(shape.get("bpmnElement"))
        kind = _local(node) if node is not None else ""
        if kind not in FLOW_NODE_KINDS or kind == "boundaryEvent":
            continue
        b = shape.find(f"{{{DC}}}Bounds")
        boxes.append((shape.getparent(), *(float(b.get(k)) for k in ("x", "y", "width", "height"))))
    return sum(
        1
        for p, q in itertools.combinations(boxes, 2)
        if p[0] is q[0]
        and p[1] < q[1] + q[3] - 1
        and q[1] < p[1] + p[3] - 1
        and p[2] < q[2] + q[4] - 1
        and q[2] < p[2] + p[4] - 1
    )


def point_associations(root, task) -> None:
    """Point the edges of ``task``'s data associations at its shape (after moving them in)."""
    box = shape_bounds(root, task.get("id"))
    if box is None:
        return
    for assoc in task.iter(_B + "dataInputAssociation", _B + "dataOutputAssociation"):
        is_input = _local(assoc) == "dataInputAssociation"
        edge = find_di(root, "BPMNEdge", assoc.get("id"))
        ref = assoc.find(_B + ("sourceRef" if is_input else "targetRef"))
        other = shape_bounds(root, (ref.text or "").strip()) if ref is not None else None
        if edge is None or other is None:
            continue
        for old in edge.findall(f"{{{DI}}}waypoint") + edge.findall(f"{{{BPMNDI}}}BPMNLabel"):
            edge.remove(old)  # a label must follow the waypoints; it belonged to the old route
        ends = [
            (other[0] + other[2] / 2, other[1] + other[3] / 2),
            (box[0] + box[2] / 2, box[1] + box[3] / 2),
        ]
        for x, y in ends if is_input else ends[::-1]:
            etree.SubElement(edge, f"{{{DI}}}waypoint", x=f"{x:g}", y=f"{y:g}")
