"""Livelocks: loops made only of gateways, found on the flow graph.

A loop of gateways (and throw or link events) has no task or catch event inside: nothing in
it can change the case data its way out reads, so when that condition is false on arrival
the case loops for ever with no task to show. The token game of :mod:`.soundness` sees a
way out (the condition may hold) and cannot tell; the graph can. The engine stops such a
case at run time (:data:`bpengine.engine.runtime.MAX_GATEWAY_PASSES`); this finds the loop
before any case runs.
"""
from __future__ import annotations

from ..i18n import _

__all__ = ["gateway_loops", "livelocks"]

# Nodes that pass a token on at once, waiting for nobody: a loop of only these is a livelock.
_PASS_THROUGH = ("exclusiveGateway", "inclusiveGateway", "parallelGateway", "complexGateway",
                 "intermediateThrowEvent")


def _passes_through(el) -> bool:
    return el.kind in _PASS_THROUGH or (el.kind == "intermediateCatchEvent" and el.event == "link")


def gateway_loops(model) -> list[list[str]]:
    """Loops made only of gateways (and throw or link events), each as its element ids.

    Each loop is a strongly connected part of the flow graph restricted to nodes that pass a
    token on without waiting, listed in flow order from its first element by id.

    Examples
    --------
    >>> from bpengine import load
    >>> m = load(b'''<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
    ...  <process id="p"><startEvent id="s"/><exclusiveGateway id="g1" default="b"/>
    ...  <exclusiveGateway id="g2"/><endEvent id="e"/>
    ...  <sequenceFlow id="f0" sourceRef="s" targetRef="g2"/>
    ...  <sequenceFlow id="f1" sourceRef="g2" targetRef="g1"/>
    ...  <sequenceFlow id="b" sourceRef="g1" targetRef="g2"/>
    ...  <sequenceFlow id="ok" sourceRef="g1" targetRef="e">
    ...   <conditionExpression>x &gt; 5</conditionExpression></sequenceFlow>
    ...  </process></definitions>''')
    >>> gateway_loops(m)
    [['g1', 'g2']]
    """
    import networkx as nx

    els = model.elements
    g: nx.DiGraph[str] = nx.DiGraph()
    links = {(e.process, e.event_value): e.id for e in els.values()
             if e.kind == "intermediateCatchEvent" and e.event == "link" and e.event_value}
    for f in model.flows.values():
        if f.source in els and f.target in els and _passes_through(els[f.source]) \
                and _passes_through(els[f.target]):
            g.add_edge(f.source, f.target)
    for e in els.values():  # a link throw jumps to its catch
        if e.kind == "intermediateThrowEvent" and e.event == "link" and e.event_value:
            target = links.get((e.process, e.event_value))
            if target:
                g.add_edge(e.id, target)
    loops = []
    for part in nx.strongly_connected_components(g):
        if len(part) == 1 and not g.has_edge(next(iter(part)), next(iter(part))):
            continue
        first = min(part)
        order, node = [first], first
        while True:  # walk the loop once in flow order, staying inside it
            nxt = sorted(n for n in g.successors(node) if n in part and n not in order)
            if not nxt:
                break
            node = nxt[0]
            order.append(node)
        order += sorted(part - set(order))
        loops.append(order)
    return sorted(loops)


def livelocks(model) -> list[tuple[list[str], str]]:
    """Each gateway loop of :func:`gateway_loops` with a sentence naming its gateways."""
    out = []
    for loop in gateway_loops(model):
        names = ", ".join(repr(model.elements[n].label) for n in loop)
        out.append((loop, _("a loop made only of gateways ({steps}) has no task or catch event "
                            "inside: when its way out is false the case loops there for ever "
                            "with nothing to do").format(steps=names)))
    return out
