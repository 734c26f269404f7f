"""Structural facts every rule asks about, computed once per model.

A procedure is read scope by scope (the process, then each embedded subprocess as its own
flow); a subprocess counts as one activity of its parent. The facts: which steps are
approvals, what decision follows each one and where its reject branch leads, the next
activities reached through gateways and events only, post-dominators, and the back edges
that close rework loops.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import networkx as nx

from ..model.graph import activities_beyond, back_edges

__all__ = [
    "AUTOMATED_KINDS",
    "Decision",
    "Structure",
    "structure_of",
    "is_reject_flow",
    "is_customer_lane",
    "seniority",
]

_DECISION_KINDS = ("exclusiveGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway")
# Stems of words that mark a reject or rework branch (flow name, condition or first step).
_REJECT_RE = re.compile(
    r"(\b(tolak|ditolak|penolakan|revisi|perbaik|kembali|dikembalikan|salah|belum|tidak|kurang|"
    r"koreksi|batal|gagal|reject|deny|denied|incomplete|revis|return|missing|invalid|refus|fail|"
    r"correct|cancel|decline)"
    r"|\b(no|not|false|tdk)\b|!|==\s*(false|0)\b)",
    re.IGNORECASE,
)
# Seniority of a lane guessed from its name when bpe:rank is absent (higher = more senior).
_SENIORITY = (
    (5, ("menteri", "gubernur", "bupati", "wali kota", "walikota", "minister", "governor")),
    (
        4,
        (
            "camat",
            "lurah",
            "kepala dinas",
            "kadis",
            "kepala",
            "pejabat berwenang",
            "ppk",
            "kpa",
            "director",
            "head",
            "chief",
            "manager",
            "approving",
        ),
    ),
    (
        3,
        (
            "sekretaris",
            "sekcam",
            "seklur",
            "kabid",
            "kabag",
            "eselon iii",
            "atasan",
            "supervisor",
            "legal",
            "advisor",
            "reviewer",
            "tpa",
            "tpt",
        ),
    ),
    (
        2,
        (
            "kasi",
            "kasubbag",
            "kasubbid",
            "kasubag",
            "rw",
            "pengelola",
            "verifikator",
            "bendahara",
            "officer",
        ),
    ),
    (1, ("rt", "petugas", "staf", "staff", "operator", "clerk", "tu", "agendaris", "front")),
    (0, ("pemohon", "applicant", "pns", "pegawai", "warga", "citizen", "customer", "pelaku usaha")),
)


def is_reject_flow(model, flow_id: str) -> bool:
    """Whether a flow leaving a decision looks like its reject/rework branch.

    Read from the flow's name or condition, else from the name of the step it leads to.
    """
    flow = model.flows[flow_id]
    text = " ".join(filter(None, (flow.name, flow.condition)))
    if text.strip():
        return bool(_REJECT_RE.search(text))
    target = model.elements[flow.target]
    return bool(target.name) and bool(_REJECT_RE.search(target.name))


def seniority(model, lane: str | None) -> int | None:
    """Authority of a lane: ``bpe:rank`` if set, else guessed from the lane's name."""
    if lane is None:
        return None
    cache = structure_of(model).memo("seniority")
    if lane not in cache:
        cache[lane] = _seniority(model, lane)
    return cache[lane]


def _seniority(model, lane: str) -> int | None:
    rank = model.lane_rank(lane)
    if rank is not None:
        return rank
    low = lane.lower()
    for level, words in _SENIORITY:
        if any(re.search(r"\b" + re.escape(w) + r"\b", low) for w in words):
            return level
    return None


def is_customer_lane(model, lane: str | None) -> bool:
    """The applicant's lane (authority 0): the person served, not an office."""
    return lane is not None and seniority(model, lane) == 0


AUTOMATED_KINDS = ("serviceTask", "scriptTask", "businessRuleTask", "sendTask", "receiveTask")


@dataclass(frozen=True)
class Decision:
    """The decision gateway right after an approval and where its branches lead."""

    gateway: str
    reject_flows: tuple[str, ...]
    accept_flows: tuple[str, ...]
    reject_targets: frozenset  # first activities (or "END") reached on reject branches
    loops_back: bool  # a reject branch comes back to the approval: rework, not knock-out
    reconverges_empty: bool  # every branch meets again before any task: decides nothing


def _case_graph(model) -> nx.DiGraph:
    """Sequence flows plus the message flows one case passes, as one graph.

    A pool that hands the file over and waits for the answer (throw, then catch) does not
    go on past its catch before the answer comes: its own flow into the catch is dropped
    when the catch's message comes from the agency it just sent the file to (and the flow
    is not its source's only way on), so every path to the catch passes that agency's steps
    (dominance then sees them).
    """
    g: nx.DiGraph[str] = nx.DiGraph(model.graph)
    g.add_edges_from(
        (h.sender, h.receiver, {"id": h.flow, "kind": "message"}) for h in model.case_handovers
    )
    for h in model.case_handovers:
        receiver = model.elements[h.receiver]
        if receiver.kind == "startEvent":
            continue
        for f in receiver.incoming:
            u = model.flows[f].source
            if not g.has_edge(u, h.receiver):
                continue  # dropped already for another message into the same catch
            back = u
            while model.elements[back].is_gateway and len(model.elements[back].incoming) == 1:
                back = model.flows[model.elements[back].incoming[0]].source
            g.remove_edge(u, h.receiver)
            if not nx.has_path(g, back, h.sender) or g.out_degree(u) == 0:
                g.add_edge(u, h.receiver, **model.graph.edges[u, h.receiver])
    return g


class Structure:
    """Per-model structural facts (see module doc); get one with :func:`structure_of`."""

    def __init__(self, model):
        self._model = weakref.ref(model)  # the cache must not keep the model alive
        self.graph = model.graph
        if model.case_handovers:  # a collaboration: the case goes on along its message flows
            self.graph = _case_graph(model)
        els = model.elements
        self.activities = [e for e in els if els[e].is_activity and not els[e].for_compensation]
        self._memo: dict[str, dict] = {}

    @property
    def model(self):
        return self._model()

    @cached_property
    def approvals(self) -> list[str]:
        """Approval steps in document order; the applicant's own steps never approve
        anything, whatever their names say."""
        model = self.model
        return [
            e.id for e in model.approvals if e.is_activity and not is_customer_lane(model, e.lane)
        ]

    @cached_property
    def approval_set(self) -> set[str]:
        return set(self.approvals)

    @cached_property
    def component(self) -> dict[str, int]:
        """Node -> index of its strongly connected component (same index = same cycle)."""
        out = {}
        for i, comp in enumerate(nx.strongly_connected_components(self.graph)):
            for n in comp:
                out[n] = i
        return out

    @cached_property
    def members(self) -> dict[int, list[str]]:
        """Component index -> its nodes."""
        out: dict[int, list[str]] = {}
        for n, c in self.component.items():
            out.setdefault(c, []).append(n)
        return out

    def memo(self, name: str) -> dict:
        """A per-model cache for derived facts (documents, acts) other modules compute."""
        return self._memo.setdefault(name, {})

    def on_cycle_with(self, a: str, b: str) -> bool:
        """Whether ``a`` and ``b`` lie on a common cycle (each reaches the other)."""
        return self.component[a] == self.component[b]

    # -- neighbourhoods -------------------------------------------------------------
    def next_activities(
        self, node: str, flows=None, through_parallel: bool = True
    ) -> tuple[set, bool]:
        """Activities reached from ``node`` through gateways/events only, and whether an
        end event is reached that way. ``flows`` restricts the first step. With
        ``through_parallel=False`` an AND/OR gateway ends the line and nothing is returned
        (steps on parallel branches, or after a join, are not "in a row" with ``node``)."""
        first = flows if flows is not None else self.model.elements[node].outgoing
        return activities_beyond(self.model, first, through_parallel=through_parallel)

    def previous_activities(self, node: str) -> set:
        """Activities from which ``node`` is reached through gateways/events only."""
        incoming = self.model.elements[node].incoming
        return activities_beyond(self.model, incoming, backward=True)[0]

    # -- decisions --------------------------------------------------------------------
    @cached_property
    def decisions(self) -> dict[str, Decision]:
        """Approval id -> the decision after it (absent when nothing decides)."""
        out = {}
        for a in self.approvals:
            d = self._decision(a)
            if d is not None:
                out[a] = d
        return out

    def _decision(self, approval: str) -> Decision | None:
        model = self.model
        node, hops = approval, 0
        while hops < 5:  # events (a timer, a message) may sit between task and gateway
            outs = model.elements[node].outgoing
            if len(outs) != 1:
                return None
            node = model.flows[outs[0]].target
            el = model.elements[node]
            if el.kind in _DECISION_KINDS and len(el.outgoing) >= 2:
                break
            if el.is_activity or el.kind in ("endEvent", "parallelGateway") or el.is_gateway:
                return None
            hops += 1
        else:
            return None
        gw = model.elements[node]
        if gw.lane and model.elements[approval].lane and gw.lane != model.elements[approval].lane:
            return None  # a gateway in another office routes the case; it is not this decision
        reject = tuple(f for f in gw.outgoing if is_reject_flow(model, f))
        if not reject:
            # unnamed branches: one that comes back to the approval is its rework branch
            reject = tuple(
                f for f in gw.outgoing if self.on_cycle_with(approval, model.flows[f].target)
            )
            if len(reject) == len(gw.outgoing):
                reject = ()
        if not reject and gw.default_flow:
            # "default = go on" is the common drawing: the other branches are the exceptions
            reject = tuple(f for f in gw.outgoing if f != gw.default_flow)
        accept = tuple(f for f in gw.outgoing if f not in reject)
        targets = set()
        for f in reject:
            acts, end = self.next_activities(gw.id, [f])
            targets |= acts
            if end:
                targets.add("END")
        loops = any(self.on_cycle_with(approval, model.flows[f].target) for f in reject)
        firsts = {
            (frozenset(acts), end)
            for acts, end in (self.next_activities(gw.id, [f]) for f in gw.outgoing)
        }
        empty = len(firsts) == 1  # every branch reaches the same next step: nothing decided
        return Decision(gw.id, reject, accept, frozenset(targets), loops, empty)

    def reachable(self, node: str) -> set:
        """Every node reachable from ``node`` (itself included)."""
        return {node} | nx.descendants(self.graph, node)

    # -- dominance ----------------------------------------------------------------------
    @cached_property
    def scopes(self) -> dict[tuple, list[str]]:
        """(process, scope) -> its flow nodes."""
        out: dict[tuple, list[str]] = {}
        pooled = set(self.model.pooled_processes) if self.model.case_handovers else set()
        for e in self.model.elements.values():
            # the pools of a collaboration are one case: one scope for dominance
            process = "(case)" if e.process in pooled and e.scope is None else e.process
            out.setdefault((process, e.scope), []).append(e.id)
        return out

    @cached_property
    def post_dominator(self) -> dict[str, str]:
        """Node -> immediate post-dominator within its scope (virtual exit left out)."""
        return self._post_dominators(self.graph)

    @cached_property
    def approved_post_dominator(self) -> dict[str, str]:
        """Post-dominators of the cases that are not turned away: computed with every
        decision's reject branches removed ("every approved case passes b")."""
        g: nx.DiGraph[str] = nx.DiGraph(self.graph)
        for d in self.decisions.values():
            for f in d.reject_flows:
                flow = self.model.flows[f]
                if g.has_edge(flow.source, flow.target):
                    g.remove_edge(flow.source, flow.target)
        return self._post_dominators(g)

    def _post_dominators(self, graph) -> dict[str, str]:
        out: dict[str, str] = {}
        exit_node = ("__exit__",)
        for nodes in self.scopes.values():
            sub = graph.subgraph(nodes)
            rev: nx.DiGraph[Any] = nx.DiGraph()  # nodes, and one tuple as the common exit
            rev.add_nodes_from(nodes)
            rev.add_edges_from((v, u) for u, v in sub.edges)
            for n in nodes:
                if sub.out_degree(n) == 0:
                    rev.add_edge(exit_node, n)
            rev.add_node(exit_node)
            for n, d in nx.immediate_dominators(rev, exit_node).items():
                if n != exit_node and d != exit_node and d != n:
                    out[n] = d
        return out

    def post_dominates(self, later: str, earlier: str) -> bool:
        """Whether every path from ``earlier`` to the end passes ``later``."""
        node, seen = earlier, set()
        while node in self.post_dominator and node not in seen:
            seen.add(node)
            node = self.post_dominator[node]
            if node == later:
                return True
        return False

    def activity_post_dominator(self, node: str) -> str | None:
        """The nearest activity that post-dominates ``node``."""
        seen = set()
        while node in self.post_dominator and node not in seen:
            seen.add(node)
            node = self.post_dominator[node]
            if self.model.elements[node].is_activity:
                return node
        return None

    # -- loops ----------------------------------------------------------------------------
    @cached_property
    def back_edges(self) -> list[tuple[str, str]]:
        """Edges closing a cycle, found by depth-first search from each scope's starts."""
        roots = []
        for nodes in self.scopes.values():
            starts = [n for n in nodes if self.graph.in_degree(n) == 0]
            starts.sort(key=lambda n: self.model.elements[n].kind != "startEvent")
            roots += starts + nodes
        return back_edges(self.graph, roots)

    @cached_property
    def forward_graph(self) -> nx.DiGraph:
        """The graph without back edges: acyclic, for longest paths and propagation.

        Nodes carry no attributes (read them from the model); edges keep their flow ``id``.
        """
        back = set(self.back_edges)
        g: nx.DiGraph[str] = nx.DiGraph()
        g.add_nodes_from(self.graph)
        g.add_edges_from(
            (u, v, {"id": d.get("id")})
            for u, v, d in self.graph.edges(data=True)
            if (u, v) not in back
        )
        return g

    def loop_body(self, source: str, target: str) -> set:
        """Nodes of the cycle closed by back edge ``source -> target``."""
        fwd = self.forward_graph.subgraph(self.members[self.component[target]])
        down = {target} | nx.descendants(fwd, target)
        up = {source} | nx.ancestors(fwd, source)
        return down & up


_CACHE: dict[int, Structure] = {}


def structure_of(model) -> Structure:
    """The :class:`Structure` of ``model``, built once and kept while the model lives."""
    key = id(model)
    found = _CACHE.get(key)
    if found is not None and found.model is model:
        return found
    built = Structure(model)
    _CACHE[key] = built
    weakref.finalize(model, _CACHE.pop, key, None)
    return built
