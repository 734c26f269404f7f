"""Editing a copy of a model's XML: the moves every transformation is made of.

A :class:`Draft` wraps ``model.tree()`` (an lxml deep copy) and offers the few edits a
redesign needs — retarget a flow, add or remove a node with its diagram shape, move a node to
another lane, prune what became unreachable, collapse gateways left with one way in and one
way out — then :meth:`Draft.finish` turns the tree back into a :class:`ProcessModel` that
passes :func:`bpengine.model.validate`. The diagram is kept: removed elements lose their
shapes and edges, edges whose ends moved are re-routed locally, and when a local fix would
leave overlapping shapes (or a node without a shape) the whole diagram is laid out again.
"""

from __future__ import annotations

import itertools
import re

import networkx as nx
from lxml import etree

from ..errors import ModelError, Problem
from ..model import ProcessModel, validate
from ..model.approval import REJECT_WORDS
from ..model.elements import FLOW_NODE_KINDS
from ..model.layout import layout
from ..model.namespaces import BPE, BPMN, BPMNDI, DC, XSI
from .cleanup import Cleanup, refuse
from .drawing import count_overlaps, find_di, route_edge, shape_bounds
from .tidy import Tidy

__all__ = ["Draft", "refuse", "is_reject_flow"]

_B = f"{{{BPMN}}}"
_ARTIFACTS = {"association", "textAnnotation", "group"}
# children of a flow node that must come before <incoming>/<outgoing> (BPMN 2.0 XSD order)
_BEFORE_REFS = {"documentation", "extensionElements", "auditing", "monitoring", "categoryValueRef"}
# children of an activity in XSD order after the refs; used when composing two tasks
_ACTIVITY_ORDER = [
    "ioSpecification",
    "property",
    "dataInputAssociation",
    "dataOutputAssociation",
    "resourceRole",
    "loopCharacteristics",
]
_REJECT_RE = re.compile(
    r"(\b(" + "|".join(re.escape(w) for w in REJECT_WORDS if w != "!") + r")\b|!|==\s*false)",
    re.IGNORECASE,
)


def _local(node) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def is_reject_flow(flow) -> bool:
    """Whether a sequence flow (lxml element) reads as the reject/rework branch of a decision."""
    cond = flow.find(_B + "conditionExpression")
    text = " ".join(filter(None, (flow.get("name"), cond.text if cond is not None else None)))
    return bool(_REJECT_RE.search(text))


class Draft(Cleanup, Tidy):
    """An editable copy of ``model``'s tree.

    Parameters
    ----------
    model : ProcessModel
        The model to change; it is never modified.
    """

    def __init__(self, model: ProcessModel):
        self.model = model
        self.root = model.tree()
        # flows without an id (Camunda's own test models) get the one the loader reports
        for f in self.root.iter(_B + "sequenceFlow"):
            if not f.get("id"):
                ident = f"{f.get('sourceRef')}__{f.get('targetRef')}"
                while ident in model.flows and model.flows[ident].source != f.get("sourceRef"):
                    ident += "_"
                f.set("id", ident)
        self.index = {
            n.get("id"): n for n in self.root.iter() if isinstance(n.tag, str) and n.get("id")
        }
        self.removed: list[str] = []
        self.removed_flows: list[str] = []
        self.flow_merges: list[tuple[str, str]] = []
        self.rerouted: set[str] = set()
        self.relayout = False
        self._counter = itertools.count(1)
        self.remember_start()

    # -- lookups ------------------------------------------------------------------
    def node(self, ident: str):
        return self.index[ident]

    def flows_of(self, container) -> list:
        return [c for c in container if _local(c) == "sequenceFlow"]

    def incoming(self, ident: str) -> list:
        return [
            f for f in self.flows_of(self.index[ident].getparent()) if f.get("targetRef") == ident
        ]

    def outgoing(self, ident: str) -> list:
        return [
            f for f in self.flows_of(self.index[ident].getparent()) if f.get("sourceRef") == ident
        ]

    def boundary_events(self, ident: str) -> list:
        return [
            c
            for c in self.index[ident].getparent()
            if _local(c) == "boundaryEvent" and c.get("attachedToRef") == ident
        ]

    def decision_after(self, ident: str):
        """``(gateway, accept flow, reject flows)`` if ``ident`` is followed by its own decision.

        Its own: an exclusive/inclusive gateway entered only from ``ident``, with exactly one
        branch that does not read as a rejection and at least one that does.
        """
        outs = self.outgoing(ident)
        if len(outs) != 1:
            return None
        gw = self.index[outs[0].get("targetRef")]
        if _local(gw) not in ("exclusiveGateway", "inclusiveGateway"):
            return None
        if len(self.incoming(gw.get("id"))) != 1:
            return None
        branches = self.outgoing(gw.get("id"))
        g = self.model.graph
        if any(f.get("targetRef") not in g for f in branches):
            return None
        reach = {
            f.get("id"): {f.get("targetRef")} | nx.descendants(g, f.get("targetRef"))
            for f in branches
        }
        # a rejection reads like one ("tidak lengkap", "== False") or sends the file back to
        # the step ("koreksi" -> revise -> sign again); when that leaves more than one way
        # forward, the words alone decide
        worded = [f for f in branches if is_reject_flow(f)]
        targets = {f.get("targetRef") for f in branches}

        def returns(f) -> bool:  # back to the step without passing another branch's start
            keep = set(g) - (targets - {f.get("targetRef")})
            return nx.has_path(g.subgraph(keep), f.get("targetRef"), ident)

        rejects = [f for f in branches if f in worded or returns(f)]
        if len(branches) - len(rejects) != 1:
            rejects = worded
        accepts = [f for f in branches if f not in rejects]
        if len(accepts) != 1 or not rejects:
            return None
        # A rejection sends the file back (its branch returns to the step) or ends the case
        # elsewhere; a branch that rejoins the approve path is a routing choice on case data
        # ("no sector permit needed"), not this step's verdict.
        accept_path = reach[accepts[0].get("id")]
        for r in rejects:
            side = {r.get("targetRef")} | nx.descendants(g, r.get("targetRef"))
            if ident not in side and side & accept_path:
                return None
        return gw, accepts[0], rejects

    def new_id(self, prefix: str) -> str:
        if prefix not in self.index:
            return prefix
        while True:
            ident = f"{prefix}_{next(self._counter)}"
            if ident not in self.index:
                return ident

    def _di(self, kind: str, ident: str):
        return find_di(self.root, kind, ident)

    def bounds(self, ident: str):
        return shape_bounds(self.root, ident)

    def set_bounds(self, ident: str, box) -> None:
        shape = self._di("BPMNShape", ident)
        if shape is None:
            self.relayout = True
            return
        b = shape.find(f"{{{DC}}}Bounds")
        for k, v in zip(("x", "y", "width", "height"), box, strict=True):
            b.set(k, f"{v:g}")
        self.rerouted.update(f.get("id") for f in self.incoming(ident) + self.outgoing(ident))

    # -- flows --------------------------------------------------------------------
    def retarget(self, flow, target: str) -> None:
        flow.set("targetRef", target)
        self.rerouted.add(flow.get("id"))

    def resource(self, flow, source: str) -> None:
        old = self.index.get(flow.get("sourceRef"))
        if old is not None and old.get("default") == flow.get("id"):
            del old.attrib["default"]
        flow.set("sourceRef", source)
        self.rerouted.add(flow.get("id"))

    def add_flow(
        self,
        source: str,
        target: str,
        name: str = "",
        condition: str | None = None,
        ident: str | None = None,
    ):
        """A new sequence flow in the container of ``source``."""
        ident = ident or self.new_id(f"Flow_{source}_{target}")
        container = self.index[source].getparent()
        flow = self._make(container, "sequenceFlow", id=ident, sourceRef=source, targetRef=target)
        if name:
            flow.set("name", name)
        if condition:
            self.set_condition(flow, condition)
        self._insert_flow_element(container, flow)
        self.index[ident] = flow
        self.rerouted.add(ident)
        return flow

    def set_condition(self, flow, condition: str | None) -> None:
        for old in flow.findall(_B + "conditionExpression"):
            flow.remove(old)
        if condition:
            cond = etree.SubElement(flow, _B + "conditionExpression")
            # xsi:type is a QName: it needs whatever prefix this file gives the BPMN namespace
            prefix = next((p for p, ns in self.root.nsmap.items() if ns == BPMN and p), None)
            uses_default = self.root.nsmap.get(None) == BPMN
            cond.set(
                f"{{{XSI}}}type",
                "tFormalExpression"
                if uses_default or not prefix
                else f"{prefix}:tFormalExpression",
            )
            cond.text = condition

    @staticmethod
    def condition(flow) -> str | None:
        cond = flow.find(_B + "conditionExpression")
        return (cond.text or "").strip() or None if cond is not None else None

    def remove_flow(self, flow) -> None:
        ident = flow.get("id")
        source = self.index.get(flow.get("sourceRef"))
        if source is not None and source.get("default") == ident:
            del source.attrib["default"]
        flow.getparent().remove(flow)
        self._drop_di(ident)
        self.index.pop(ident, None)
        self.removed_flows.append(ident)

    # -- nodes --------------------------------------------------------------------
    def add_node(self, kind: str, near: str, lane_of: str, name: str = "", ident=None, **attrs):
        """A new flow node in the container of ``near``, in the lane of ``lane_of``."""
        ident = ident or self.new_id(f"{kind[0].upper()}{kind[1:]}")
        container = self.index[near].getparent()
        node = self._make(container, kind, id=ident, **attrs)
        if name:
            node.set("name", name)
        self._insert_flow_element(container, node)
        self.index[ident] = node
        lane = self.lane_of(lane_of)
        if lane is not None:
            self.set_lane(ident, lane.get("id"))
        self.relayout = True  # a new shape needs a place; only a full layout finds a free one
        return node

    def remove_node(self, ident: str) -> None:
        """Remove a flow node with its shape, lane references and associations."""
        node = self.index.pop(ident)
        for assoc in node.iter(_B + "dataInputAssociation", _B + "dataOutputAssociation"):
            self._drop_di(assoc.get("id"))
        # message flows to or from it go too: the exchange with the other party goes with the step
        for assoc in list(self.root.iter(_B + "association", _B + "messageFlow")):
            if ident in (assoc.get("sourceRef"), assoc.get("targetRef")):
                assoc.getparent().remove(assoc)
                self._drop_di(assoc.get("id"))
        for ref in list(self.root.iter(_B + "flowNodeRef")):
            if (ref.text or "").strip() == ident:
                ref.getparent().remove(ref)
        node.getparent().remove(node)
        self._drop_di(ident)
        self.removed.append(ident)

    def lane_of(self, ident: str):
        """The innermost lane listing ``ident``, or ``None``."""
        found = None
        for ref in self.root.iter(_B + "flowNodeRef"):
            if (ref.text or "").strip() == ident:
                lane = ref.getparent()
                if found is None or found in lane.iterancestors():
                    found = lane
        return found

    def set_lane(self, ident: str, lane_id: str) -> None:
        """List ``ident`` in lane ``lane_id`` (and its parent lanes) and in no other lane."""
        for ref in list(self.root.iter(_B + "flowNodeRef")):
            if (ref.text or "").strip() == ident:
                ref.getparent().remove(ref)
        lane = self.index[lane_id]
        for holder in [lane] + [a for a in lane.iterancestors() if _local(a) == "lane"]:
            ref = self._make(holder, "flowNodeRef")
            ref.text = ident
            refs = holder.findall(_B + "flowNodeRef")
            if refs:
                refs[-1].addnext(ref)
            else:
                child = holder.find(_B + "childLaneSet")
                if child is not None:
                    child.addprevious(ref)
                else:
                    holder.append(ref)

    @staticmethod
    def _make(parent, kind: str, **attrs):
        """A new BPMN element created under ``parent`` (so it shares the file's prefixes)."""
        el = etree.SubElement(parent, _B + kind, **attrs)
        parent.remove(el)
        return el

    def _insert_flow_element(self, container, element) -> None:
        # artifacts must follow every flow element in a process (BPMN 2.0 XSD)
        for child in container:
            if _local(child) in _ARTIFACTS:
                child.addprevious(element)
                return
        container.append(element)

    def _drop_di(self, ident: str | None) -> None:
        if not ident:
            return
        for kind in ("BPMNShape", "BPMNEdge"):
            di = self._di(kind, ident)
            if di is not None:
                di.getparent().remove(di)

    def sync_refs(self) -> None:
        """Rewrite ``<incoming>``/``<outgoing>`` of flow nodes whose flows changed."""
        uses_refs = (
            self.root.find(f".//{_B}incoming") is not None
            or self.root.find(f".//{_B}outgoing") is not None
        )
        for container in [self.root, *self.root.iter()]:
            flows = self.flows_of(container)
            if not flows and container is not self.root:
                continue
            for node in container:
                if _local(node) not in FLOW_NODE_KINDS:
                    continue
                ident = node.get("id")
                want = [("incoming", f.get("id")) for f in flows if f.get("targetRef") == ident] + [
                    ("outgoing", f.get("id")) for f in flows if f.get("sourceRef") == ident
                ]
                have = [
                    (_local(c), (c.text or "").strip())
                    for c in node
                    if _local(c) in ("incoming", "outgoing")
                ]
                if have == want or (not have and not uses_refs):
                    continue
                for c in list(node):
                    if _local(c) in ("incoming", "outgoing"):
                        node.remove(c)
                at = sum(1 for c in node if _local(c) in _BEFORE_REFS)
                for offset, (kind, fid) in enumerate(want):
                    ref = self._make(node, kind)
                    ref.text = fid
                    node.insert(at + offset, ref)

    def sort_activity_children(self, node) -> None:
        """Put an activity's children back in XSD order after moving some in."""

        def rank(child):
            kind = _local(child)
            if kind in _BEFORE_REFS:
                return 0
            if kind in ("incoming", "outgoing"):
                return 1 if kind == "incoming" else 2
            return 3 + (_ACTIVITY_ORDER.index(kind) if kind in _ACTIVITY_ORDER else 10)

        node[:] = sorted(node, key=rank)

    # -- diagram ------------------------------------------------------------------
    def finish(self, overlaps_before: int | None = None) -> ProcessModel:
        """Remove debris, tidy the references and the diagram, then load and validate.

        Raises
        ------
        ModelError
            If the result has validation errors or debris (:func:`~.tidy.check_clean`) the
            input did not have (a bug in the transformation, reported with the problems
            rather than written out).
        """
        self.tidy()
        debris = self.new_debris()
        if debris:  # a change that leaves debris is a bug in it: say so, never write it
            raise ModelError(
                [
                    Problem(
                        "redesign left debris: " + message,
                        file=self.model.file,
                        element_id=ident,
                        code=code,
                    )
                    for code, ident, message in debris
                ]
            )
        self.sync_refs()
        shaped = {s.get("bpmnElement") for s in self.root.iter(f"{{{BPMNDI}}}BPMNShape")}
        nodes = [i for i, n in self.index.items() if _local(n) in FLOW_NODE_KINDS]
        if any(n not in shaped for n in nodes):
            self.relayout = True
        if not self.relayout:
            for fid in sorted(self.rerouted):
                if fid in self.index and not route_edge(self.root, self.index[fid]):
                    self.relayout = True
        if not self.relayout and self.overlaps() > (overlaps_before or 0):
            self.relayout = True
        if self.relayout:
            layout(self.root)
        result = ProcessModel.from_tree(self.root, self.model.file)
        _, problems = validate(result)
        errors = [p for p in problems if p.severity == "error"]
        if errors:  # only what the change broke: an input that was invalid stays as it was
            _, before = validate(self.model)
            known = {(p.code, p.element_id, p.message) for p in before if p.severity == "error"}
            errors = [p for p in errors if (p.code, p.element_id, p.message) not in known]
        if errors:
            raise ModelError(
                [
                    Problem(
                        "redesign produced an invalid model: " + p.message,
                        file=p.file,
                        line=p.line,
                        element_id=p.element_id,
                        code="redesign-invalid",
                    )
                    for p in errors
                ]
            )
        return result

    def overlaps(self) -> int:
        """Overlapping flow-node shapes now (call before editing, pass to :meth:`finish`)."""
        return count_overlaps(self.root, self.index)

    def set_extension(self, ident: str, name: str, value: str) -> None:
        self.index[ident].set(f"{{{BPE}}}{name}", value)
