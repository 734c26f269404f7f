"""Draw a BPMN diagram as SVG from its DI, the way a modeler shows it.

Pools and lanes, tasks (rounded boxes), gateways (diamonds with their marker), events
(circles: thin start, thick end, double intermediate), data objects, annotations, sequence
and message flows along their waypoints, and every name as a label. Elements can be
highlighted by id — ``flagged`` (a finding points at it), ``changed`` (a redesign added or
moved it), ``removed`` — so a decision maker sees at a glance what the analysis is about.
Plain string building, no fonts or images fetched from anywhere. :data:`DIAGRAM_SCRIPT`
is the report's small inline script that zooms and pans the drawings (the report works
without it: the drawings then scroll at their natural size, labels 10-12 px).
"""

from __future__ import annotations

from html import escape

from lxml import etree

from ..model import ProcessModel, mandatory_steps
from ..model.elements import EVENT_KINDS, GATEWAY_KINDS, SUBPROCESS_KINDS
from ..model.namespaces import BPMNDI, DC, DI

__all__ = ["render_svg", "subprocess_planes", "HIGHLIGHTS", "DIAGRAM_CSS", "DIAGRAM_SCRIPT"]

#: highlight kind -> (stroke, fill) colours; the report's legend uses the same.
HIGHLIGHTS = {
    "flagged": ("#d84315", "#fff1e6"),
    "changed": ("#2e7d32", "#e8f5e9"),
    "removed": ("#c62828", "#ffebee"),
}
_CHAR_W, _LINE_H, _FONT = 6.1, 13, 11


def _local(node) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _bounds(node):
    b = node.find(f"{{{DC}}}Bounds")
    if b is None:
        return None
    return tuple(float(b.get(k, 0)) for k in ("x", "y", "width", "height"))


def _wrap(text: str, width: float, max_lines: int) -> list[str]:
    per_line = max(4, int(width / _CHAR_W))
    lines, line = [], ""
    for word in text.split():
        while len(word) > per_line:  # a long word is cut, not allowed to overflow
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:per_line])
            word = word[per_line:]
        if line and len(line) + 1 + len(word) > per_line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: per_line - 1] + "…"
    return lines


def _text(lines: list[str], cx: float, cy: float, cls: str = "lbl") -> str:
    top = cy - (len(lines) - 1) * _LINE_H / 2
    spans = "".join(
        f'<tspan x="{cx:.1f}" y="{top + i * _LINE_H:.1f}">{escape(s)}</tspan>'
        for i, s in enumerate(lines)
    )
    return f'<text class="{cls}" text-anchor="middle" dominant-baseline="middle">{spans}</text>'


def _main_plane(root, element: str | None = None):
    """The first diagram's plane, or the plane drawing ``element`` (a subprocess)."""
    for diagram in root.iter(f"{{{BPMNDI}}}BPMNDiagram"):
        plane = diagram.find(f"{{{BPMNDI}}}BPMNPlane")
        if element is None or (plane is not None and plane.get("bpmnElement") == element):
            return plane
    return None


def subprocess_planes(model: ProcessModel) -> list[tuple[str, str]]:
    """(id, name) of each subprocess whose steps are drawn on a diagram of their own (a
    collapsed subprocess, as the automatic layout draws one), in the file's order."""
    root = model.tree()
    out = []
    for diagram in list(root.iter(f"{{{BPMNDI}}}BPMNDiagram"))[1:]:
        plane = diagram.find(f"{{{BPMNDI}}}BPMNPlane")
        ident = plane.get("bpmnElement") if plane is not None else None
        if ident is not None and ident in model.elements and model.elements[ident].is_subprocess:
            out.append((ident, model.elements[ident].name or ident))
    return out


def _event(kind: str, box, name: str, attrs: str, timer: bool) -> list[str]:
    """A circle (double for an intermediate event, thick for an end), a clock for a timer."""
    x, y, w, h = box
    cx, cy, r = x + w / 2, y + h / 2, min(w, h) / 2
    cls = "ev end" if kind == "endEvent" else "ev"
    out = [f'<circle class="{cls}"{attrs} cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}"/>']
    if kind not in ("startEvent", "endEvent"):
        out.append(f'<circle class="ev" cx="{cx:.1f}" cy="{cy:.1f}" r="{r - 3:.1f}"/>')
    if timer:  # a clock face with its hands, as BPMN draws a timer
        c = r * 0.6
        out.append(
            f'<circle class="mk thin" data-icon="timer" cx="{cx:.1f}" cy="{cy:.1f}" '
            f'r="{c:.1f}"/><path class="mk thin" d="M{cx:.1f},{cy - c * 0.8:.1f}'
            f'V{cy:.1f}L{cx + c * 0.55:.1f},{cy + c * 0.3:.1f}"/>'
        )
    if name:
        out.append(_text(_wrap(name, 110, 3), cx, y + h + 16, "lbl small"))
    return out


def _node(
    kind: str,
    box,
    name: str,
    attrs: str,
    mandatory: bool,
    expanded: bool = False,
    timer: bool = False,
) -> list[str]:
    x, y, w, h = box
    cx, cy = x + w / 2, y + h / 2
    out = []
    if kind in GATEWAY_KINDS:
        out.append(
            f'<path class="gw"{attrs} d="M{cx:.1f},{y:.1f} L{x + w:.1f},{cy:.1f} '
            f'L{cx:.1f},{y + h:.1f} L{x:.1f},{cy:.1f} Z"/>'
        )
        r = w / 5
        if kind == "parallelGateway":
            out.append(
                f'<path class="mk" d="M{cx:.1f},{cy - r:.1f}V{cy + r:.1f}M{cx - r:.1f},'
                f'{cy:.1f}H{cx + r:.1f}"/>'
            )
        elif kind == "exclusiveGateway":
            out.append(
                f'<path class="mk" d="M{cx - r * 0.8:.1f},{cy - r * 0.8:.1f}L{cx + r * 0.8:.1f},'
                f"{cy + r * 0.8:.1f}M{cx + r * 0.8:.1f},{cy - r * 0.8:.1f}L{cx - r * 0.8:.1f},"
                f'{cy + r * 0.8:.1f}"/>'
            )
        else:
            out.append(f'<circle class="mk" cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}"/>')
        if name:
            out.append(_text(_wrap(name, 120, 2), cx, y + h + 14, "lbl small"))
    elif kind in EVENT_KINDS:
        out += _event(kind, box, name, attrs, timer)
    elif kind in ("dataObjectReference", "dataObject"):
        f = min(12, w / 3)
        out.append(
            f'<path class="data"{attrs} d="M{x:.1f},{y:.1f}H{x + w - f:.1f}L{x + w:.1f},'
            f'{y + f:.1f}V{y + h:.1f}H{x:.1f}Z"/>'
        )
        if name:  # data objects sit side by side: a label as wide as its icon and a bit
            out.append(_text(_wrap(name, w + 20, 3), cx, y + h + 14, "lbl small"))
    elif kind == "dataStoreReference":
        out.append(
            f'<rect class="data"{attrs} x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" '
            f'height="{h:.1f}" rx="{w / 2:.1f}" ry="8"/>'
        )
        if name:
            out.append(_text(_wrap(name, 100, 2), cx, y + h + 14, "lbl small"))
    elif kind == "textAnnotation":
        out.append(
            f'<path class="note" d="M{x + 10:.1f},{y:.1f}H{x:.1f}V{y + h:.1f}H{x + 10:.1f}"/>'
        )
        out.append(_text(_wrap(name, w - 6, max(1, int(h / _LINE_H))), cx, cy, "lbl small"))
    else:  # activities
        extra = " mandatory" if mandatory else ""
        out.append(
            f'<rect class="task{extra}"{attrs} x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" '
            f'height="{h:.1f}" rx="9"/>'
        )
        if expanded:  # a frame around its children: the name at its top, no "+" marker
            lines = _wrap(name, w - 8, 2)
            out.append(_text(lines, cx, y + 6 + _LINE_H / 2 + (len(lines) - 1) * _LINE_H / 2))
            return out
        if kind in SUBPROCESS_KINDS or kind == "callActivity":
            out.append(
                f'<path class="mk thin" d="M{cx - 7:.1f},{y + h - 16:.1f}h14v14h-14z'
                f'M{cx:.1f},{y + h - 13:.1f}v8M{cx - 4:.1f},{y + h - 9:.1f}h8"/>'
            )
        lines = _wrap(name, w - 8, max(1, int((h - 6) / _LINE_H)))
        out.append(_text(lines, cx, cy))
    return out


def _shapes(
    plane, kinds: dict, highlight: dict, xs: list, ys: list, kept: set[str]
) -> tuple[list, list, list]:
    """The plane's pools, lanes and nodes, each with its box, name and data attributes; the
    corners of every box (and the label under an event or gateway) go into ``xs``/``ys``;
    the steps in ``kept`` are drawn as mandatory."""
    pools: list = []
    lanes: list = []
    nodes: list = []
    for shape in plane.iter(f"{{{BPMNDI}}}BPMNShape"):
        ident = shape.get("bpmnElement")
        box = _bounds(shape)
        sem = kinds.get(ident)
        if box is None or sem is None:
            continue
        xs += [box[0], box[0] + box[2]]
        ys += [box[1], box[1] + box[3] + (30 if _local(sem) in EVENT_KINDS | GATEWAY_KINDS else 0)]
        kind = _local(sem)
        name = sem.get("name") or ""
        if kind == "textAnnotation":
            name = "".join(sem.itertext()).strip()
        mark = highlight.get(ident)
        attrs = f' data-element="{escape(ident)}"' + (f' data-hl="{mark}"' if mark else "")
        if kind == "participant":
            pools.append((box, name, attrs))
        elif kind == "lane":
            lanes.append((box, name, attrs))
        else:
            mandatory = ident in kept
            expanded = kind in SUBPROCESS_KINDS and shape.get("isExpanded") == "true"
            timer = any(_local(d) == "timerEventDefinition" for d in sem)
            nodes.append((kind, box, name, attrs, mandatory, ident, timer, expanded))
    # an expanded subprocess is drawn first, so its filled frame never hides its children
    nodes.sort(key=lambda node: not node[-1])
    return pools, lanes, nodes


def render_svg(
    model: ProcessModel,
    highlight: dict[str, str] | None = None,
    title: str | None = None,
    *,
    plane: str | None = None,
) -> str:
    """The model's main diagram as an SVG document (a string).

    Parameters
    ----------
    model : ProcessModel
        A model with BPMN DI (shapes and edges).
    highlight : dict, optional
        Element id -> ``"flagged"``, ``"changed"`` or ``"removed"`` (see :data:`HIGHLIGHTS`).
    title : str, optional
        Accessible title of the drawing.
    plane : str, optional
        Id of a subprocess drawn on a diagram of its own (:func:`subprocess_planes`): that
        diagram instead of the main one.

    Returns
    -------
    str
        ``<svg ...>`` with a ``viewBox`` around the drawing; ``data-element`` attributes carry
        element ids so a test (or a script of the reader's own) can find them.
    """
    highlight = highlight or {}
    root = model.tree()
    sheet = _main_plane(root, plane)
    kinds = {n.get("id"): n for n in root.iter() if isinstance(n.tag, str) and n.get("id")}
    edges: list = []
    xs: list[float] = []
    ys: list[float] = []
    if sheet is None:
        return (
            '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="40"><text x="10" '
            'y="25">(this model has no diagram)</text></svg>'
        )
    # mandatory as the redesigner and the before/after table decide it, not the attribute alone
    pools, lanes, nodes = _shapes(sheet, kinds, highlight, xs, ys, set(mandatory_steps(model)))
    for edge in sheet.iter(f"{{{BPMNDI}}}BPMNEdge"):
        sem = kinds.get(edge.get("bpmnElement"))
        pts = [(float(w.get("x")), float(w.get("y"))) for w in edge.iter(f"{{{DI}}}waypoint")]
        if sem is None or len(pts) < 2:
            continue
        xs += [p[0] for p in pts]
        ys += [p[1] for p in pts]
        label = edge.find(f"{{{BPMNDI}}}BPMNLabel")
        edges.append(
            (
                _local(sem),
                pts,
                sem.get("name") or "",
                _bounds(label) if label is not None else None,
                sem.get("id"),
            )
        )
    if not xs:
        return (
            '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="40"><text x="10" '
            'y="25">(empty diagram)</text></svg>'
        )
    x0, y0, x1, y1 = min(xs) - 20, min(ys) - 20, max(xs) + 20, max(ys) + 20
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bpmn" viewBox="{x0:.0f} {y0:.0f} '
        f'{x1 - x0:.0f} {y1 - y0:.0f}" width="{x1 - x0:.0f}" height="{y1 - y0:.0f}" '
        f'role="img">'
    ]
    if title:
        out.append(f"<title>{escape(title)}</title>")
    out.append(
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" '
        'fill="#222"/></marker><marker id="open" viewBox="0 0 10 10" refX="10" refY="5" '
        'markerWidth="8" markerHeight="8" orient="auto"><path d="M0,0L10,5L0,10z" '
        'fill="#fff" stroke="#444"/></marker></defs>'
    )
    for box, name, attrs in pools + lanes:
        x, y, w, h = box
        out.append(
            f'<rect class="pool"{attrs} x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}"/>'
        )
        out.append(f'<path class="pool" d="M{x + 30:.1f},{y:.1f}V{y + h:.1f}"/>')
        lines = _wrap(name, max(h - 10, 30), 2)
        out.append(
            f'<g transform="translate({x + 15:.1f},{y + h / 2:.1f}) rotate(-90)">'
            + _text(lines, 0, 0, "lbl lane")
            + "</g>"
        )
    for kind, pts, name, label, ident in edges:
        d = "M" + " L".join(f"{px:.1f},{py:.1f}" for px, py in pts)
        cls = {
            "messageFlow": "msg",
            "association": "assoc",
            "dataInputAssociation": "assoc",
            "dataOutputAssociation": "assoc",
        }.get(kind, "seq")
        end = {"seq": "arrow", "msg": "open"}.get(cls)
        mark = highlight.get(ident)
        hl = f' data-edge-hl="{mark}"' if mark else ""
        out.append(
            f'<path class="{cls}{" hl-" + mark if mark else ""}" data-element='
            f'"{escape(ident)}"{hl} d="{d}"' + (f' marker-end="url(#{end})"' if end else "") + "/>"
        )
        if name:
            if label:
                cx, cy = label[0] + label[2] / 2, label[1] + label[3] / 2
            else:
                (ax, ay), (bx, by) = pts[len(pts) // 2 - 1], pts[len(pts) // 2]
                cx, cy = (ax + bx) / 2 + 4, (ay + by) / 2 - 8
            out.append(_text(_wrap(name, 90, 2), cx, cy, "lbl small flow"))
    for kind, box, name, attrs, mandatory, _ident, timer, expanded in nodes:
        out += _node(kind, box, name, attrs, mandatory, expanded, timer)
    out.append("</svg>")
    return "\n".join(out)


#: CSS for the drawings (the report inlines it once). On screen a drawing keeps its natural
#: size (labels stay readable) inside a box that scrolls; printed, it fits the page.
DIAGRAM_CSS = (
    """
.diagram { border: 1px solid #ccc; overflow: auto; max-height: 75vh; margin: 4px 0 18px;
  cursor: grab; background: #fff; }
.diagram.dragging { cursor: grabbing; user-select: none; }
.zoom { font-size: 13px; color: #555; } .zoom button { font-size: 14px; min-width: 32px;
  margin-right: 4px; padding: 2px 8px; cursor: pointer; } .zoom span { margin-left: 8px; }
svg.bpmn { display: block; background: #fff; font-family: Arial, Helvetica, sans-serif; }
@media print { .diagram { overflow: visible; max-height: none; border: none; }
  svg.bpmn { width: 100% !important; height: auto !important; } }
svg.bpmn .pool { fill: none; stroke: #555; stroke-width: 1.2; }
svg.bpmn .task { fill: #fff; stroke: #222; stroke-width: 1.5; }
svg.bpmn .task.mandatory { stroke: #1a237e; stroke-width: 3; }
svg.bpmn .gw { fill: #fff; stroke: #222; stroke-width: 1.5; }
svg.bpmn .ev { fill: #fff; stroke: #222; stroke-width: 1.5; }
svg.bpmn .ev.end { stroke-width: 4; }
svg.bpmn .mk { fill: none; stroke: #222; stroke-width: 3; }
svg.bpmn .mk.thin { stroke-width: 1.2; }
svg.bpmn .data { fill: #fff; stroke: #444; stroke-width: 1.2; }
svg.bpmn .note { fill: none; stroke: #777; }
svg.bpmn .seq { fill: none; stroke: #222; stroke-width: 1.4; }
svg.bpmn .msg { fill: none; stroke: #444; stroke-width: 1.2; stroke-dasharray: 8 5; }
svg.bpmn .assoc { fill: none; stroke: #777; stroke-width: 1; stroke-dasharray: 2 3; }
svg.bpmn .lbl { font-size: 11px; fill: #111; }
svg.bpmn .lbl.small { font-size: 10px; fill: #333; }
svg.bpmn .lbl.lane { font-size: 12px; font-weight: bold; }
"""
    + "".join(
        f'svg.bpmn [data-hl="{k}"] {{ stroke: {s}; fill: {f}; stroke-width: 4; }}\n'
        f"svg.bpmn path.hl-{k} {{ stroke: {s}; stroke-width: 3; }}\n"
        for k, (s, f) in HIGHLIGHTS.items()
    )
    + 'svg.bpmn [data-hl="removed"] { stroke-dasharray: 6 4; }\n'
)

#: The inline script of the report: zoom buttons, Ctrl + wheel zoom around the pointer,
#: drag to pan. It only resizes each ``svg.bpmn`` inside its scrolling ``.diagram`` box.
DIAGRAM_SCRIPT = """
(function () {
  document.querySelectorAll('.diagram-block').forEach(function (block) {
    var box = block.querySelector('.diagram'), svg = box.querySelector('svg.bpmn');
    if (!svg) { return; }
    var w = parseFloat(svg.getAttribute('width')), h = parseFloat(svg.getAttribute('height'));
    var scale = 1;
    function set(s, cx, cy) {
      s = Math.max(0.1, Math.min(4, s));
      if (cx === undefined) { cx = box.clientWidth / 2; cy = box.clientHeight / 2; }
      var x = (box.scrollLeft + cx) / scale, y = (box.scrollTop + cy) / scale;
      scale = s;
      svg.style.width = (w * s) + 'px'; svg.style.height = (h * s) + 'px';
      box.scrollLeft = x * s - cx; box.scrollTop = y * s - cy;
    }
    set(1);
    block.querySelectorAll('button[data-zoom]').forEach(function (b) {
      b.addEventListener('click', function () {
        var z = b.getAttribute('data-zoom');
        if (z === 'in') { set(scale * 1.25); }
        else if (z === 'out') { set(scale / 1.25); }
        else if (z === 'fit') { set(box.clientWidth / w); set(box.clientWidth / w); }
        else { set(1); }
      });
    });
    box.addEventListener('wheel', function (e) {
      if (!e.ctrlKey && !e.metaKey) { return; }
      e.preventDefault();
      var r = box.getBoundingClientRect();
      set(scale * (e.deltaY < 0 ? 1.15 : 1 / 1.15), e.clientX - r.left, e.clientY - r.top);
    }, {passive: false});
    var drag = null;
    box.addEventListener('pointerdown', function (e) {
      drag = {x: e.clientX, y: e.clientY, l: box.scrollLeft, t: box.scrollTop};
      box.classList.add('dragging');
    });
    window.addEventListener('pointermove', function (e) {
      if (!drag) { return; }
      box.scrollLeft = drag.l - (e.clientX - drag.x); box.scrollTop = drag.t - (e.clientY - drag.y);
    });
    window.addEventListener('pointerup', function () {
      drag = null; box.classList.remove('dragging');
    });
  });
})();
"""
