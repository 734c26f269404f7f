"""The networkx view of a model: nodes are flow nodes, edges are sequence flows.

Derived from the model's parts on first use and cached by the model; it is a view, never
edited. A boundary event is joined to the activity it sits on by an edge of kind
``attachment`` so reachability follows the escalation path too. Message flows live in
:func:`message_graph`, separately, because they do not pass the token.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    import networkx as nx

    from .elements import Element
    from .process_model import ProcessModel

__all__ = [
    "activities_beyond",
    "back_edges",
    "build_graph",
    "gateway_loops",
    "message_graph",
    "next_activities",
]


def build_graph(model: ProcessModel) -> nx.DiGraph[str]:
    """Build the sequence-flow graph of ``model``.

    Node attributes: ``name``, ``kind``, ``lane``, ``pool``, ``process``, ``scope``,
    ``approval`` (bool, from :func:`bpengine.model.approval.classify`), ``mandatory`` and
    ``element`` (the :class:`~bpengine.model.elements.Element`). Edge attributes: ``id``,
    ``kind`` (``sequence`` or ``attachment``), ``condition``, ``default``, ``name``.
    """
    import networkx as nx  # on first use: simulating a model never needs it

    g: nx.DiGraph[str] = nx.DiGraph(name=model.name)
    for el in model.elements.values():
        g.add_node(
            el.id,
            name=el.name,
            kind=el.kind,
            lane=el.lane,
            pool=el.pool,
            process=el.process,
            scope=el.scope,
            approval=model.approval(el.id).is_approval,
            mandatory=el.mandatory,
            element=el,
        )
    for f in model.flows.values():
        g.add_edge(
            f.source,
            f.target,
            id=f.id,
            kind="sequence",
            condition=f.condition,
            default=f.is_default,
            name=f.name,
        )
    for el in model.elements.values():
        if el.attached_to and el.attached_to in model.elements:
            g.add_edge(
                el.attached_to,
                el.id,
                id=None,
                kind="attachment",
                condition=None,
                default=False,
                name="",
            )
    return g


def message_graph(model: ProcessModel) -> nx.MultiDiGraph[str]:
    """Message flows between pools and nodes, as a separate multigraph."""
    import networkx as nx

    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for mf in model.message_flows.values():
        g.add_edge(mf.source, mf.target, key=mf.id, name=mf.name)
    return g


def back_edges(graph: nx.DiGraph[str], roots: Iterable[str]) -> list[tuple[str, str]]:
    """Edges that close a cycle in a depth-first search begun at each of ``roots`` in turn.

    Removing them leaves a DAG; which edge of a cycle counts as "back" depends on where the
    search starts, so callers pass start events first (a rework loop's back edge is then the
    one that returns to the earlier step). Iterative, so deep models never hit the recursion
    limit.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.DiGraph([("s", "a"), ("a", "b"), ("b", "a"), ("b", "e")])
    >>> back_edges(g, ["s"])
    [('b', 'a')]
    """
    color: dict[str, int] = {}  # 1: on the DFS stack, 2: finished
    back = []
    for root in roots:
        if root in color:
            continue
        color[root] = 1
        stack = [(root, iter(graph.successors(root)))]
        while stack:
            node, successors = stack[-1]
            nxt = next(successors, None)
            if nxt is None:
                color[node] = 2
                stack.pop()
            elif nxt not in color:
                color[nxt] = 1
                stack.append((nxt, iter(graph.successors(nxt))))
            elif color[nxt] == 1:
                back.append((node, nxt))
    return back


def next_activities(model: ProcessModel, node: str) -> set[str]:
    """The activities a token reaches from ``node`` through non-activities only (gateways,
    events, boundary attachments) on :attr:`ProcessModel.graph`; ``node`` itself when a
    loop of non-activities leads back to it."""
    g, found, seen = model.graph, set(), set()
    stack = list(g.successors(node))
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        if model.elements[n].is_activity:
            found.add(n)
        else:
            stack.extend(g.successors(n))
    return found


def activities_beyond(
    model: ProcessModel,
    flows: Iterable[str],
    *,
    backward: bool = False,
    through_parallel: bool = True,
    dead_end_is_end: bool = False,
) -> tuple[set[str], bool]:
    """The activities next to ``flows`` along sequence flows, through non-activities only.

    Walks forward from the flows' targets (``backward``: from their sources, against the
    flows) over gateways and events until activities; unlike :func:`next_activities` it
    follows sequence flows alone, not boundary attachments, because it answers "which step
    comes next in the flow", not "where can the token go".

    Parameters
    ----------
    model : ProcessModel
        The model the flows belong to.
    flows : iterable of str
        Sequence flow ids to start from.
    backward : bool
        Walk against the flows, stopping at start events instead of end events.
    through_parallel : bool
        When false an AND/OR gateway on the way makes the answer ``(set(), False)``:
        steps on parallel branches are not "in a row" with the start.
    dead_end_is_end : bool
        Count a non-activity with nowhere to go (no outgoing or incoming flow) as the end of
        the process, as a log does; otherwise only a start/end event is one.

    Returns
    -------
    tuple of (set of str, bool)
        The activities found, and whether the walk reached the process's end (its start,
        ``backward``).
    """
    here, onward, boundary = (
        ("source", "incoming", "startEvent") if backward else ("target", "outgoing", "endEvent")
    )
    todo = [getattr(model.flows[f], here) for f in flows]
    seen: set[str] = set()
    found: set[str] = set()
    end = False
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        el = model.elements[n]
        nxt = getattr(el, onward)
        if el.is_activity:
            found.add(n)
        elif el.kind == boundary or (dead_end_is_end and not nxt):
            end = True
        elif not through_parallel and el.kind in ("parallelGateway", "inclusiveGateway"):
            return set(), False
        else:
            todo.extend(getattr(model.flows[f], here) for f in nxt)
    return found, end


# Nodes that pass a token on at once, waiting for nobody: a loop of only these is a livelock.
_PASS_THROUGH = (
    "exclusiveGateway",
    "inclusiveGateway",
    "parallelGateway",
    "complexGateway",
    "intermediateThrowEvent",
)


def _passes_through(el: Element) -> bool:
    return el.kind in _PASS_THROUGH or (el.kind == "intermediateCatchEvent" and el.event == "link")


def gateway_loops(model: ProcessModel) -> list[list[str]]:
    """Loops made only of gateways (and throw or link events), each as its element ids.

    Such a loop has no task or catch event inside: nothing in it can change the case data
    its way out reads, so when that condition is false on arrival the case loops for ever
    (a livelock). Each loop is a strongly connected part of the flow graph restricted to
    nodes that pass a token on without waiting, listed in flow order from its first element
    by id. ``validate`` warns about each (code ``gateway-loop``), soundness reports each as
    a livelock.

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
    links = {
        (e.process, e.event_value): e.id
        for e in els.values()
        if e.kind == "intermediateCatchEvent" and e.event == "link" and e.event_value
    }
    for f in model.flows.values():
        if (
            f.source in els
            and f.target in els
            and _passes_through(els[f.source])
            and _passes_through(els[f.target])
        ):
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
