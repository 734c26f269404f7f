"""Clean-up after an edit: what no start event reaches goes, gateways with one way go.

Mixed into :class:`~bpengine.redesign.editing.Draft`: after a step is taken out, a rework
step only its rejection reached is unreachable and is removed (never a mandatory one: the
change is refused instead), two branches that now lead to the same place become one, and a
gateway left with one way in and one way out is bypassed.
"""

from __future__ import annotations

import networkx as nx
from lxml import etree

from ..errors import ModelError, Problem
from ..i18n import _
from ..model import ProcessModel
from ..model.elements import FLOW_NODE_KINDS, GATEWAY_KINDS
from .editable import Editable

__all__ = ["Cleanup", "refuse"]


def _local(node) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def refuse(model: ProcessModel, element_id: str | None, message: str) -> ModelError:
    """The error a transformation raises when it does not apply, naming the element."""
    el = model.elements.get(element_id) if element_id else None
    return ModelError(
        Problem(
            message,
            file=model.file,
            line=el.line if el else None,
            element_id=element_id,
            element_name=(el.name or None) if el else None,
            code="redesign-not-applicable",
        )
    )


class Cleanup(Editable):
    """Graph clean-up methods of a draft (needs ``root``, ``model``, flow and node edits)."""

    # -- clean-up -----------------------------------------------------------------
    def _graph(self) -> tuple[nx.DiGraph, list[str]]:
        g: nx.DiGraph[str] = nx.DiGraph()
        entries: list[str] = []
        for node in self.root.iter():
            kind = _local(node)
            if kind in FLOW_NODE_KINDS and node.get("id"):
                g.add_node(node.get("id"))
                if (
                    kind == "startEvent"
                    or node.get("triggeredByEvent") == "true"
                    or node.get("isForCompensation") == "true"
                ):
                    entries.append(node.get("id"))
                if kind == "boundaryEvent" and node.get("attachedToRef"):
                    g.add_edge(node.get("attachedToRef"), node.get("id"))
                if kind in ("subProcess", "transaction", "adHocSubProcess"):
                    for child in node:
                        if _local(child) in FLOW_NODE_KINDS:
                            g.add_edge(node.get("id"), child.get("id"))
            elif kind == "sequenceFlow":
                g.add_edge(node.get("sourceRef"), node.get("targetRef"))
        return g, entries

    def prune_unreachable(self) -> list[str]:
        """Remove nodes no start event reaches any more (they were reachable before).

        Raises
        ------
        ModelError
            When a mandatory step would go with them.
        """
        g, entries = self._graph()
        reached = set(entries)
        for e in entries:
            reached |= nx.descendants(g, e)
        before = set(self.model.elements)
        lost = [n for n in g.nodes if n not in reached and n in before]
        for n in lost:
            if self.model.elements[n].mandatory:
                raise refuse(
                    self.model,
                    n,
                    _("this change would make the mandatory step {label} unreachable").format(
                        label=repr(self.model.elements[n].label)
                    ),
                )
        for n in lost:
            for f in self.incoming(n) + self.outgoing(n):
                self.remove_flow(f)
            self.remove_node(n)
        return lost

    def collapse_gateways(self) -> None:
        """Merge duplicate flows out of a gateway; bypass gateways with one in and one out."""
        changed = True
        while changed:
            changed = False
            for gw in [n for n in self.root.iter() if _local(n) in GATEWAY_KINDS]:
                gid = gw.get("id")
                by_target: dict[str, list] = {}
                for f in self.outgoing(gid):
                    by_target.setdefault(f.get("targetRef"), []).append(f)
                for twins in by_target.values():
                    if len(twins) > 1:
                        self._merge_twins(gw, twins)
                        changed = True
                ins, outs = self.incoming(gid), self.outgoing(gid)
                if (
                    len(ins) == 1
                    and len(outs) == 1
                    and ins[0].get("sourceRef") != outs[0].get("targetRef")
                    and not self.boundary_events(gid)
                ):
                    self.retarget(ins[0], outs[0].get("targetRef"))
                    self.remove_flow(outs[0])
                    self.remove_node(gid)
                    changed = True

    def _merge_twins(self, gw, twins) -> None:
        keep, rest = twins[0], twins[1:]
        conds = [self.condition(f) for f in twins]
        default = any(gw.get("default") == f.get("id") for f in twins)
        # one unconditional or default branch makes the merged branch unconditional
        merged = None if default or not all(conds) else " or ".join(f"({c})" for c in conds)
        for f in rest:
            self.flow_merges.append((f.get("id"), keep.get("id")))
            self.remove_flow(f)
        self.set_condition(keep, merged if _local(gw) != "parallelGateway" else None)
        if default:
            gw.set("default", keep.get("id"))
