"""The token game's board: one BPMN scope as a net of numbered flows with firing rules.

:class:`Net` compiles a process, an embedded subprocess or the detached path of a
non-interrupting boundary event into flows numbered 0..n and precomputed firing rules;
:meth:`Net.firings` lists every way the nodes holding a token can fire, with BPMN semantics
(see :mod:`.soundness`, which plays the game and judges the states it reaches).
:func:`detached` finds the boundary paths that never rejoin their scope.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

__all__ = ["Net", "detached"]

#: the one "target" of an exclusive choice with no way out (the token is consumed)
_NO_TARGET: list[int | None] = [None]

_XOR = ("exclusiveGateway", "eventBasedGateway", "complexGateway")


class Net:
    """One scope compiled for the token game: flows numbered, firing rules precomputed."""

    def __init__(self, model, nodes, entry: str | None = None):
        els, flows = model.elements, model.flows
        self.model = model
        self.entry = entry
        self.nodes = [n for n in nodes if not self._outside(model, n)]
        inside = set(self.nodes)
        fids = [f for f in flows.values() if f.source in inside and f.target in inside]
        self.flow_ids = [f.id for f in fids]
        self.index = {f: i for i, f in enumerate(self.flow_ids)}
        self.target = [flows[f].target for f in self.flow_ids]
        self.inc = {n: [self.index[f] for f in els[n].incoming if f in self.index] for n in inside}
        self.out = {n: [self.index[f] for f in els[n].outgoing if f in self.index] for n in inside}
        links = {}
        for n in inside:
            if els[n].event == "link" and els[n].kind == "intermediateCatchEvent":
                links[els[n].event_value] = n
        self.link_target = {
            n: links.get(els[n].event_value)
            for n in inside
            if els[n].event == "link" and els[n].kind == "intermediateThrowEvent"
        }
        self.boundary: dict[str, Any] = {}
        for n in inside:
            b = els[n]
            if b.kind == "boundaryEvent" and b.attached_to in inside:
                self.boundary.setdefault(b.attached_to, []).append(b.id)
        self.upstream = {}
        for n in inside:
            if els[n].kind == "inclusiveGateway" and len(self.inc[n]) > 1:
                self.upstream[n] = {i: self._upstream(n, i) for i in self.inc[n]}

    @staticmethod
    def _outside(model, n) -> bool:
        el = model.elements[n]
        if el.kind == "boundaryEvent" and el.event == "compensate":
            return True  # it points at a compensation handler; it never moves a token
        return (
            el.triggered_by_event
            or el.for_compensation
            or (
                el.kind == "startEvent"
                and el.scope is not None
                and model.elements[el.scope].triggered_by_event
            )
        )

    def _upstream(self, join, flow_index) -> frozenset:
        """Flows from which a token can still reach ``flow_index`` without passing ``join``."""
        els, seen, todo = self.model.elements, {flow_index}, [flow_index]
        while todo:
            src = self.model.flows[self.flow_ids[todo.pop()]].source
            if src == join:
                continue
            for i in self.inc.get(src, ()):
                if i not in seen:
                    seen.add(i)
                    todo.append(i)
            att = els[src].attached_to
            if att in self.inc:
                for i in self.inc[att]:
                    if i not in seen:
                        seen.add(i)
                        todo.append(i)
        return frozenset(seen)

    def initial(self) -> list[tuple[str, tuple]]:
        """(start node, marking) for every way the scope can start."""
        els = self.model.elements
        if self.entry is not None:  # a detached escalation path, entered by its boundary event
            return [(self.entry, tuple(sorted(self.out[self.entry])))]
        starts = [
            n for n in self.nodes if els[n].kind == "startEvent" or n in self.model.message_entries
        ]  # a message's way in: not dead
        if starts:
            return [(s, tuple(sorted(self.out[s]))) for s in starts]
        free = [
            n
            for n in self.nodes
            if not self.inc[n]
            and els[n].kind != "boundaryEvent"
            and not (els[n].event == "link" and els[n].kind == "intermediateCatchEvent")
        ]
        return (
            [("+".join(free), tuple(sorted(i for n in free for i in self.out[n])))] if free else []
        )

    def _join_firings(self, node, kind, marking, present):
        """AND: every way in has a token; OR: no missing one can still come (any ways out)."""
        inc = self.inc[node]
        if kind == "parallelGateway":
            if all(i in present for i in inc):
                yield (node,), _replace(marking, inc, self.out[node]), False
            return
        have = [i for i in inc if i in present]
        if not any(present & self.upstream[node][i] for i in inc if i not in present):
            for outs in _subsets(self.out[node]):
                yield (node,), _replace(marking, have, outs), False

    def firings(self, marking):
        """Yield (fired node ids, next marking, ended) for every enabled firing."""
        els = self.model.elements
        present = set(marking)
        for node in sorted({self.target[i] for i in present}):
            kind = els[node].kind
            inc = self.inc[node]
            if kind == "parallelGateway" or (kind == "inclusiveGateway" and node in self.upstream):
                yield from self._join_firings(node, kind, marking, present)
                continue
            for i in inc:
                if i not in present:
                    continue
                if kind in _XOR:
                    for o in self.out[node] or _NO_TARGET:
                        yield (node,), _replace(marking, [i], [] if o is None else [o]), False
                elif kind == "inclusiveGateway":
                    for outs in _subsets(self.out[node]):
                        yield (node,), _replace(marking, [i], outs), False
                elif kind == "endEvent":
                    if els[node].event == "terminate":
                        yield (node,), (), True
                    else:
                        yield (node,), _replace(marking, [i], []), True
                elif node in self.link_target and self.link_target[node]:
                    catch = self.link_target[node]
                    yield (node, catch), _replace(marking, [i], self.out[catch]), False
                else:
                    yield (node,), _replace(marking, [i], self.out[node]), False
                    for b in self.boundary.get(node, ()):
                        extra = (
                            self.out[b] if els[b].cancel_activity else self.out[node] + self.out[b]
                        )
                        yield (node, b), _replace(marking, [i], extra), False


def detached(model, nodes) -> dict[str, set]:
    """Non-interrupting boundary events whose path never rejoins the scope, and that path:
    a reminder may run once per rework round, several at a time, without lacking sync."""
    els, flows, inside = model.elements, model.flows, set(nodes)
    attached: dict[str, list[str]] = {}
    for n in nodes:
        if els[n].attached_to:
            attached.setdefault(els[n].attached_to, []).append(n)
    out = {}
    for b in nodes:
        el = els[b]
        if el.kind != "boundaryEvent" or el.cancel_activity or el.event == "compensate":
            continue
        region, todo = set(), [flows[f].target for f in el.outgoing]
        while todo:
            n = todo.pop()
            if n in region or n not in inside:
                continue
            region.add(n)
            todo += [flows[f].target for f in els[n].outgoing]
            todo += attached.get(n, [])
        if region and all(
            flows[f].source in region or flows[f].source == b
            for n in region
            for f in els[n].incoming
        ):
            out[b] = region
    return out


def _replace(marking, remove, add) -> tuple:
    tokens = list(marking)
    for i in remove:
        tokens.remove(i)
    tokens.extend(add)
    tokens.sort()
    return tuple(tokens)


def _subsets(outs):
    if len(outs) > 6:  # 2^n choices would swamp the search: each branch alone, or all
        return [[o] for o in outs] + [list(outs)]
    return [list(c) for k in range(1, len(outs) + 1) for c in combinations(outs, k)] or [[]]
