"""Automatic, lane-aware BPMN DI layout.

:func:`layout` (re)writes the ``bpmndi:BPMNDiagram`` of a BPMN 2.0 document from its semantic
part, so a model written by hand or by a redesign opens cleanly in bpmn.io or Camunda Modeler.
Columns come from a layered layout (back edges found by DFS from the start events are dropped,
then longest-path layering); every lane is a horizontal band of rows inside its pool, and a node
sits in a row of its own lane's band. Edges are orthogonal; back edges (rework loops) run along
the free strip at the top of their target's row. Data objects and text annotations sit in a strip
under the node that uses them. Each subprocess is drawn collapsed, its content on its own plane
(a ``BPMNPlane`` whose ``bpmnElement`` is the subprocess id), which bpmn-js opens by drill-down.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import networkx as nx
from lxml import etree

from bpengine.model.graph import back_edges
from bpengine.model.namespaces import BPMN, BPMNDI, DC, DI

__all__ = ["layout"]

_ACTIVITIES = {
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
}
_GATEWAYS = {
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "eventBasedGateway",
    "complexGateway",
}
_EVENTS = {
    "startEvent",
    "endEvent",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
}
_ARTIFACTS = {
    "dataObjectReference": (36, 50),
    "dataStoreReference": (50, 50),
    "textAnnotation": (100, 30),
}
_SUBPROCESSES = {"subProcess", "transaction", "adHocSubProcess"}
COL_W, ROW_H, STRIP_H, HEADER, MARGIN = 150, 130, 70, 30, 20
Box = tuple[float, float, float, float]  # x, y, width, height
Point = tuple[float, float]
# nodes, kinds, boundary event -> host, sequence flows, artifacts, data links of a container
_Parts = tuple[
    list[str],
    dict[str, str],
    dict[str, str],
    list[tuple[str, str, str]],
    list[str],
    list[tuple[str | None, str, str, bool]],
]


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _size(kind: str) -> tuple[float, float]:
    if kind in _GATEWAYS:
        return 50, 50
    if kind in _EVENTS:
        return 36, 36
    return _ARTIFACTS.get(kind, (100, 80))


def _children(el: etree._Element, kinds: set[str] | Mapping[str, Any]) -> list[etree._Element]:
    return [c for c in el if _local(c) in kinds]


def _hits(points: Sequence[Point], boxes: Iterable[Box]) -> bool:
    """Whether an orthogonal polyline crosses the inside of any box ``(x, y, w, h)``."""
    for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
        for bx, by, bw, bh in boxes:
            if (
                max(x1, x2) > bx + 2
                and min(x1, x2) < bx + bw - 2
                and max(y1, y2) > by + 2
                and min(y1, y2) < by + bh - 2
            ):
                return True
    return False


def _layers(
    nodes: list[str], edges: Iterable[tuple[str, str]], starts: Iterable[str]
) -> tuple[dict[str, int], set[tuple[str, str]], list[str], nx.DiGraph[str]]:
    """Return ``(layer, back_edges, topological_order, dag)`` of a directed graph.

    Back edges are those that close a cycle in a DFS begun at the start events (then at any
    node without incoming edges, then anywhere); the rest form a DAG, layered by longest path.
    """
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(edges)
    roots = list(starts) + [n for n in nodes if graph.in_degree(n) == 0] + list(nodes)
    back = set(back_edges(graph, roots))
    graph.remove_edges_from(back)
    order = list(nx.topological_sort(graph))
    layer: dict[str, int] = {}
    for node in order:
        layer[node] = max((layer[p] + 1 for p in graph.predecessors(node)), default=0)
    return layer, back, order, graph


class _Plane:
    """One ``BPMNPlane`` being filled with shapes and edges; remembers every shape's box."""

    def __init__(self, root: etree._Element, element_id: str) -> None:
        diagram = etree.Element(
            f"{{{BPMNDI}}}BPMNDiagram",
            id=f"BPMNDiagram_{element_id}",
            nsmap={"bpmndi": BPMNDI, "dc": DC, "di": DI},
        )
        # the XSD wants diagrams after the root elements and before any <relationship>
        relationship = root.find(f"{{{BPMN}}}relationship")
        if relationship is not None:
            relationship.addprevious(diagram)
        else:
            root.append(diagram)
        self.plane = etree.SubElement(
            diagram, f"{{{BPMNDI}}}BPMNPlane", id=f"BPMNPlane_{element_id}", bpmnElement=element_id
        )
        self.boxes: dict[str, Box] = {}

    def shape(self, element_id: str, box: Box, **attrs: str) -> None:
        self.boxes[element_id] = box
        el = etree.SubElement(
            self.plane,
            f"{{{BPMNDI}}}BPMNShape",
            id=f"{element_id}_di",
            bpmnElement=element_id,
            **attrs,
        )
        etree.SubElement(
            el,
            f"{{{DC}}}Bounds",
            x=f"{box[0]:g}",
            y=f"{box[1]:g}",
            width=f"{box[2]:g}",
            height=f"{box[3]:g}",
        )

    def edge(self, element_id: str, points: Iterable[Point]) -> None:
        el = etree.SubElement(
            self.plane, f"{{{BPMNDI}}}BPMNEdge", id=f"{element_id}_di", bpmnElement=element_id
        )
        for x, y in points:
            etree.SubElement(el, f"{{{DI}}}waypoint", x=f"{x:g}", y=f"{y:g}")


def _container_parts(container: etree._Element) -> _Parts:
    """Nodes, boundary events, sequence flows, artifacts and data links of one container."""
    nodes = [
        c.get("id")
        for c in container
        if _local(c) in _ACTIVITIES | _GATEWAYS | _EVENTS - {"boundaryEvent"}
    ]
    kinds = {c.get("id"): _local(c) for c in container}
    boundaries = {
        c.get("id"): c.get("attachedToRef") for c in _children(container, {"boundaryEvent"})
    }
    flows = [
        (f.get("id"), f.get("sourceRef"), f.get("targetRef"))
        for f in _children(container, {"sequenceFlow"})
    ]
    artifacts = [c.get("id") for c in _children(container, set(_ARTIFACTS))]
    links: list[tuple[str | None, str, str, bool]] = []  # (edge id or None, artifact end,
    # node end, artifact is source)
    for node in container:
        for assoc in _children(node, {"dataInputAssociation", "dataOutputAssociation"}):
            is_input = _local(assoc) == "dataInputAssociation"
            refs = [r.text for r in _children(assoc, {"sourceRef" if is_input else "targetRef"})]
            for ref in refs:
                if ref in kinds:
                    links.append((assoc.get("id"), ref, node.get("id"), is_input))
    for assoc in _children(container, {"association"}):
        src, tgt = assoc.get("sourceRef"), assoc.get("targetRef")
        if src in artifacts:
            links.append((assoc.get("id"), src, tgt, True))
        elif tgt in artifacts:
            links.append((assoc.get("id"), tgt, src, False))
    return nodes, kinds, boundaries, flows, artifacts, links


def _lane_tree(process: etree._Element | None) -> list[tuple[etree._Element, int, bool]]:
    """``[(lane element, depth, leaf?)]`` in document order, depth first."""
    out: list[tuple[etree._Element, int, bool]] = []

    def walk(lane_set: etree._Element, depth: int) -> None:
        for lane in _children(lane_set, {"lane"}):
            kids = _children(lane, {"childLaneSet"})
            out.append((lane, depth, not any(_children(k, {"lane"}) for k in kids)))
            for kid in kids:
                walk(kid, depth + 1)

    for lane_set in _children(process, {"laneSet"}) if process is not None else []:
        walk(lane_set, 0)
    return out


def _arrange(
    plane: _Plane,
    pools: list[tuple[etree._Element | None, etree._Element | None]],
    origin: Point,
    msg_flows: Iterable[tuple[str, str, str]] = (),
) -> None:
    """Lay out ``pools`` = ``[(participant or None, container or None)]``, stacked vertically.

    All pools share one set of columns, so message flows between them run mostly vertically.
    """
    empty: _Parts = ([], {}, {}, [], [], [])
    parts = [(p, c, _container_parts(c) if c is not None else empty) for p, c in pools]
    node_of: dict[str, str] = {}
    kind_of: dict[str, str] = {}
    starts: list[str] = []
    all_nodes: list[str] = []
    for _p, _c, (nodes, kinds, boundaries, *_rest) in parts:
        kind_of.update(kinds)
        node_of.update({n: n for n in nodes} | boundaries)
        starts += [n for n in nodes if kinds[n] == "startEvent"]
        all_nodes += nodes
    ends = [f for *_pc, part in parts for f in part[3]] + list(msg_flows)
    edges = [(node_of[s], node_of[t]) for _f, s, t in ends if s in node_of and t in node_of]
    layer, back, order, dag = _layers(all_nodes, edges, starts)
    ncols = max(layer.values(), default=0) + 1
    depth = max((d + 1 for _p, c, _x in parts for _l, d, _leaf in _lane_tree(c)), default=0)
    left = origin[0] + (HEADER if any(p is not None for p, _c, _x in parts) else 0)
    content_x = left + HEADER * depth + MARGIN
    width = content_x - origin[0] + ncols * COL_W + MARGIN
    col_x = [content_x + COL_W * k + COL_W / 2 for k in range(ncols)]

    band_of, bands, trees = _bands(parts)
    row_of, rows = _rows(order, dag, layer, band_of, bands)
    slot_of, strips = _artifact_slots(parts, bands, band_of, node_of, layer, kind_of, col_x)

    # geometry: pools and lanes, then nodes, boundary events, artifacts
    height = {b: rows[b] * ROW_H + strips.get(b, 0) * STRIP_H for b in rows}
    band_y = _draw_pools(plane, parts, bands, trees, height, origin, left, width)
    box_of, row_top = {}, {}
    for node in order:
        w, h = _size(kind_of[node])
        row_top[node] = band_y[band_of[node]] + row_of[node] * ROW_H
        box_of[node] = (col_x[layer[node]] - w / 2, row_top[node] + (ROW_H - h) / 2, w, h)
        extra = {"isExpanded": "false"} if kind_of[node] in _SUBPROCESSES else {}
        if kind_of[node] == "exclusiveGateway":
            extra["isMarkerVisible"] = "true"
        plane.shape(node, box_of[node], **extra)
    for *_pc, part in parts:
        _draw_boundaries(plane, part[2], box_of, row_top)
    for art, (band, srow, x) in slot_of.items():
        w, h = _size(kind_of[art])
        box_of[art] = (
            x,
            band_y[band] + rows[band] * ROW_H + srow * STRIP_H + (STRIP_H - h) / 2,
            w,
            h,
        )
        plane.shape(art, box_of[art])

    # edges: sequence flows routed around shapes; associations straight
    ctx = (box_of, list(box_of.items()), row_top, col_x, layer, node_of, kind_of)
    for *_pc, part in parts:
        for fid, s, t in part[3]:
            if fid and s in box_of and t in box_of:
                plane.edge(fid, _route(s, t, (node_of.get(s), node_of.get(t)) in back, *ctx))
        for eid, art, node, art_is_source in part[5]:
            if eid and art in box_of and node in box_of:
                points = _straight(box_of[art], box_of[node])
                plane.edge(eid, points if art_is_source else points[::-1])


def _bands(parts: list[Any]) -> tuple[dict[str, str], list[list[str]], list[Any]]:
    """The bands of each pool: its leaf lanes, plus one for nodes in no lane.

    Returns ``band_of`` (node -> band), the bands of each pool in order, and each pool's lane
    tree.
    """
    band_of: dict[str, str] = {}
    bands: list[list[str]] = []
    trees: list[Any] = []
    for _p, container, part in parts:
        tree = _lane_tree(container)
        for lane, _d, _leaf in sorted(tree, key=lambda t: not t[2]):
            # a node listed only by a parent lane goes to that lane's first leaf
            first_leaf = next(
                e.get("id")
                for e, _x, leaf in tree
                if leaf and (e is lane or lane in e.iterancestors())
            )
            for ref in _children(lane, {"flowNodeRef"}):
                if ref.text in part[0]:
                    band_of.setdefault(ref.text, first_leaf)
        pool_bands = [lane.get("id") for lane, _d, leaf in tree if leaf]
        loose = [n for n in part[0] if n not in band_of]
        if loose or not pool_bands:
            pool_bands.append(f"__band_{len(bands)}")
            band_of.update({n: pool_bands[-1] for n in loose})
        bands.append(pool_bands)
        trees.append(tree)
    return band_of, bands, trees


def _rows(
    order: list[str],
    dag: Any,
    layer: dict[str, int],
    band_of: dict[str, str],
    bands: list[list[str]],
) -> tuple[dict[str, int], dict[str, int]]:
    """Each node's row in its band (``row_of``) and each band's number of rows."""
    taken: set[tuple[str, int, int]] = set()
    row_of: dict[str, int] = {}
    for node in order:  # a node keeps the row of its first predecessor in the same band
        band = band_of[node]
        row = next(
            (row_of[p] for p in dag.predecessors(node) if band_of.get(p) == band and p in row_of), 0
        )
        while (band, layer[node], row) in taken:
            row += 1
        taken.add((band, layer[node], row))
        row_of[node] = row
    rows = {
        b: 1 + max((r for (bb, _k, r) in taken if bb == b), default=0)
        for pool_bands in bands
        for b in pool_bands
    }
    return row_of, rows


def _artifact_slots(
    parts: list[Any],
    bands: list[list[str]],
    band_of: dict[str, str],
    node_of: dict[str, str],
    layer: dict[str, int],
    kind_of: dict[str, str],
    col_x: list[float],
) -> tuple[dict[str, Any], dict[str, int]]:
    """Artifacts in a strip under the rows of the band, in the column of their first user.

    Returns ``slot_of`` (artifact -> band, strip row, x) and each band's number of strip rows.
    """
    cells: dict[tuple[str, int], list[str]] = {}
    for (*_pc, part), pool_bands in zip(parts, bands, strict=True):
        for art in part[4]:
            users = [node_of[n] for _e, a, n, _i in part[5] if a == art and n in node_of]
            cell = (band_of[users[0]], layer[users[0]]) if users else (pool_bands[0], 0)
            cells.setdefault(cell, []).append(art)
    slot_of: dict[str, tuple[str, int, float]] = {}
    strips: dict[str, int] = {}
    for (band, col), arts in cells.items():
        slots: list[list[str]] = [[]]
        for art in arts:
            if slots[-1] and sum(_size(kind_of[a])[0] + 8 for a in slots[-1] + [art]) > COL_W:
                slots.append([])
            slots[-1].append(art)
        strips[band] = max(strips.get(band, 0), len(slots))
        for srow, slot in enumerate(slots):
            x = col_x[col] - (sum(_size(kind_of[a])[0] + 8 for a in slot) - 8) / 2
            for art in slot:
                slot_of[art] = (band, srow, x)
                x += _size(kind_of[art])[0] + 8
    return slot_of, strips


def _draw_pools(
    plane: Any,
    parts: list[Any],
    bands: list[list[str]],
    trees: list[Any],
    height: Mapping[str, float],
    origin: tuple[float, float],
    left: float,
    width: float,
) -> dict[str, float]:
    """Draw each pool and its lanes, stacked; returns the top of every band."""
    y, band_y = origin[1], {}
    for (pool, *_cp), pool_bands, tree in zip(parts, bands, trees, strict=True):
        top = y
        for band in pool_bands:
            band_y[band], y = y, y + height[band]
        if pool is not None:
            plane.shape(pool.get("id"), (origin[0], top, width, y - top), isHorizontal="true")
        for lane, d, _leaf in tree:
            ids = {e.get("id") for e in lane.iter(f"{{{BPMN}}}lane")}
            leaves = [b for b in pool_bands if b in ids]
            y0, y1 = band_y[leaves[0]], band_y[leaves[-1]] + height[leaves[-1]]
            x0 = left + HEADER * d
            plane.shape(
                lane.get("id"), (x0, y0, origin[0] + width - x0, y1 - y0), isHorizontal="true"
            )
        y += 2 * MARGIN
    return band_y


def _draw_boundaries(
    plane: Any, boundaries: dict[str, str], box_of: dict[str, Any], row_top: dict[str, float]
) -> None:
    """Boundary events on their host's edge: one in the middle of the bottom; more: two at
    the bottom, then two on top."""
    by_host: dict[str, list[str]] = {}
    for b, host in boundaries.items():
        by_host.setdefault(host, []).append(b)
    for host, attached in by_host.items():
        hx, hy, hw, hh = box_of[host]
        spots = [(0.5, 1)] if len(attached) == 1 else [(0.25, 1), (0.75, 1), (0.25, 0), (0.75, 0)]
        for i, b in enumerate(attached):
            fx, fy = spots[i % len(spots)]
            box_of[b], row_top[b] = (hx + hw * fx - 18, hy + hh * fy - 18, 36, 36), row_top[host]
            plane.shape(b, box_of[b])


def _route(
    s: str,
    t: str,
    is_back: bool,
    box_of: dict[str, Box],
    boxes: list[tuple[str, Box]],
    row_top: dict[str, float],
    col_x: Sequence[float],
    layer: dict[str, int],
    node_of: dict[str, str],
    kind_of: dict[str, str],
) -> list[Point]:
    """Orthogonal waypoints for a sequence flow, avoiding node boxes where it can."""
    sx, sy, sw, sh = box_of[s]
    tx, ty, tw, th = box_of[t]
    scx, scy, tcx, tcy = sx + sw / 2, sy + sh / 2, tx + tw / 2, ty + th / 2
    others = [b for k, b in boxes if k not in (s, t, node_of.get(s))]
    after_s = col_x[layer[node_of[s]]] + COL_W / 2
    before_t = col_x[layer[t]] - COL_W / 2
    out = (sx + sw, scy)
    if kind_of[s] == "boundaryEvent":
        out = (scx, sy + sh)
        below = row_top[s] + ROW_H - 4
        cands = [[out, (scx, tcy), (tx, tcy)]] if tcy > sy + sh and tx > scx else []
        cands.append([out, (scx, below), (before_t, below), (before_t, tcy), (tx, tcy)])
        if is_back or tx <= scx:
            cands.append([out, (scx, below), (tcx, below), (tcx, ty + th)])
    elif is_back:
        channel = row_top[t] + 10
        cands = [[out, (after_s, scy), (after_s, channel), (tcx, channel), (tcx, ty)]]
    else:
        channel = row_top[s] + 10
        cands = [[out, (tx, tcy)]] if abs(scy - tcy) < 1 else []
        if kind_of[s] in _GATEWAYS and abs(scy - tcy) >= 1:
            cands.append([(scx, sy + sh if tcy > scy else sy), (scx, tcy), (tx, tcy)])
        if kind_of[t] in _GATEWAYS and abs(scy - tcy) >= 1:
            cands.append([out, (tcx, scy), (tcx, ty if scy < tcy else ty + th)])
        cands += [
            [out, (before_t, scy), (before_t, tcy), (tx, tcy)],
            [out, (after_s, scy), (after_s, tcy), (tx, tcy)],
            [
                out,
                (after_s, scy),
                (after_s, channel),
                (before_t, channel),
                (before_t, tcy),
                (tx, tcy),
            ],
        ]
    for pts in cands:
        if not _hits(pts, others):
            return _dedupe(pts)
    return _dedupe(cands[-1])


def _dedupe(points: Iterable[Point]) -> list[Point]:
    out: list[Point] = []
    for p in points:
        if not out or p != out[-1]:
            out.append(p)
    return out


def _straight(a: Box, b: Box) -> list[Point]:
    """Two points joining box ``a`` to box ``b`` (an association: straight, not orthogonal)."""
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    if ay >= by + bh or ay + ah <= by:  # one above the other
        x = min(max(ax + aw / 2, bx + 5), bx + bw - 5)
        up = ay >= by + bh
        return [(ax + aw / 2, ay if up else ay + ah), (x, by + bh if up else by)]
    y = min(max(ay + ah / 2, by + 5), by + bh - 5)
    right = ax >= bx + bw
    return [(ax if right else ax + aw, ay + ah / 2), (bx + bw if right else bx, y)]


def _message_route(a: Box, b: Box) -> list[Point]:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    x1 = min(max(bx + bw / 2, ax + 5), ax + aw - 5) if aw > 300 else ax + aw / 2
    x2 = min(max(x1, bx + 5), bx + bw - 5)
    down = ay + ah <= by
    y1, y2 = (ay + ah, by) if down else (ay, by + bh)
    mid = (y1 + y2) / 2
    return _dedupe([(x1, y1), (x1, mid), (x2, mid), (x2, y2)])


def layout(root: etree._Element) -> etree._Element:
    """(Re)write the BPMN DI of a BPMN 2.0 ``definitions`` document in place.

    Parameters
    ----------
    root : lxml.etree._Element
        The ``bpmn:definitions`` element. Its semantic part must be complete; any existing
        ``bpmndi:BPMNDiagram`` is removed and replaced.

    Returns
    -------
    lxml.etree._Element
        ``root`` itself, now with one diagram for the collaboration (or the first process) and one
        per subprocess, each subprocess drawn collapsed on its parent's plane.

    Examples
    --------
    >>> from lxml import etree
    >>> doc = etree.fromstring(
    ...     b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">'
    ...     b'<process id="p"><startEvent id="s"/><task id="t"/><endEvent id="e"/>'
    ...     b'<sequenceFlow id="f1" sourceRef="s" targetRef="t"/>'
    ...     b'<sequenceFlow id="f2" sourceRef="t" targetRef="e"/></process></definitions>')
    >>> shapes = layout(doc).iter("{http://www.omg.org/spec/BPMN/20100524/DI}BPMNShape")
    >>> sorted(s.get("bpmnElement") for s in shapes)
    ['e', 's', 't']
    """
    for old in root.findall(f"{{{BPMNDI}}}BPMNDiagram"):
        root.remove(old)
    processes = {p.get("id"): p for p in root.findall(f"{{{BPMN}}}process")}
    collab = root.find(f"{{{BPMN}}}collaboration")
    if collab is not None:
        participants = _children(collab, {"participant"})
        used = {p.get("processRef") for p in participants}
        pools = [(p, processes.get(p.get("processRef"))) for p in participants]
        pools += [(None, p) for pid, p in processes.items() if pid not in used]
        plane = _Plane(root, collab.get("id"))
        flows = [
            (m.get("id"), m.get("sourceRef"), m.get("targetRef"))
            for m in _children(collab, {"messageFlow"})
        ]
        _arrange(plane, pools, (160, 80), flows)
        by_id = {e.get("id"): e for e in root.iter() if isinstance(e.tag, str)}
        pool_of = {p.get("processRef"): p.get("id") for p in participants}

        def anchor(
            eid: str | None,
        ) -> str | None:  # an end inside a collapsed subprocess attaches to the subprocess
            while eid is not None and eid not in plane.boxes:
                eid = pool_of.get(eid) or (
                    by_id[eid].getparent().get("id") if eid in by_id else None
                )
            return eid

        for mid, s, t in flows:
            s, t = anchor(s), anchor(t)
            if mid and s and t:
                plane.edge(mid, _message_route(plane.boxes[s], plane.boxes[t]))
    elif processes:
        first = next(iter(processes.values()))
        _arrange(_Plane(root, first.get("id")), [(None, first)], (160, 80))
    for sub in root.iter(*(f"{{{BPMN}}}{k}" for k in _SUBPROCESSES)):
        _arrange(_Plane(root, sub.get("id")), [(None, sub)], (160, 80))
    return root
