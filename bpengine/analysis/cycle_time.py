"""Analytic expected processing time and critical path, in working days (approximate).

Reduction rules applied to the acyclic part of each process (back edges removed), with
loops folded in as expected visits: a sequence adds, an exclusive choice is weighted by its
branch probabilities, a parallel block takes the longest branch, and a step inside a loop
with return probability ``r`` counts ``1 / (1 - r)`` times. :func:`cycle_time` counts
working time only (no queueing or handoff waits: the simulator measures those);
:func:`lead_time` adds the waits, timers and subprocesses the savings are capped by.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import networkx as nx

from ..i18n import N_
from .estimates import Estimates
from .rework import rework_loops
from .structure import structure_of

__all__ = ["CycleTime", "expected_visits", "cycle_time", "lead_time", "runs_per_case"]


class _Record:
    """``result["key"]`` as the dicts these results once were (deprecated)."""

    def to_dict(self) -> dict[str, Any]:
        raise NotImplementedError

    def __getitem__(self, key: str) -> Any:
        warnings.warn(
            f"{type(self).__name__}[{key!r}] is deprecated: use the attribute "
            f".{key} (or .to_dict() for JSON)",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.to_dict()[key]


@dataclass(frozen=True)
class CycleTime(_Record):
    """The analytic cycle time of a model's main process (see :func:`cycle_time`).

    Attributes
    ----------
    expected_days, critical_path_days : float
        Working days: probability-weighted over end events; along the longest path.
    critical_path : tuple of str
        Element ids of the longest path (the worst branch at each choice).
    basis, note : str
        Where the durations came from, and the approximation made.
    service_standard_days : float or None
        The scenario's legal service standard (set by :func:`~.metrics.metrics`).
    working_time_exceeds_standard : bool or None
        Whether the expected working time alone exceeds that standard.
    """

    expected_days: float
    critical_path_days: float
    critical_path: tuple[str, ...]
    basis: str
    note: str
    service_standard_days: float | None = None
    working_time_exceeds_standard: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; the service standard only when a scenario gives one."""
        out = asdict(self)
        out["critical_path"] = list(self.critical_path)
        if self.service_standard_days is None:
            del out["service_standard_days"], out["working_time_exceeds_standard"]
        return out


def _frozen(values: Mapping[str, Any]) -> Mapping[str, Any]:
    from types import MappingProxyType

    return MappingProxyType(dict(values))


def expected_visits(model, scenario=None) -> dict[str, float]:
    """How many times each node runs per case on average (1 outside loops)."""
    visits = dict.fromkeys(model.elements, 1.0)
    for loop in rework_loops(model, scenario):
        factor = 1.0 / (1.0 - min(loop["r"], 0.95))
        for n in loop["body"]:
            visits[n] *= factor
    return visits


def _main_graph(model, st, process: str | None = None):
    """A process's top-level nodes, its acyclic flow graph and a topological order.

    Default: the main process; on a collaboration, every pool's, joined by the message flows
    the case passes. ``process``: that one process only.
    """
    if process:
        processes = {process} if process in model.processes else set()
    else:
        main = model.main_process
        processes = (
            set(model.pooled_processes)
            if model.case_handovers
            else ({main.id} if main is not None else set())
        )
    nodes = [n for n, e in model.elements.items() if e.process in processes and e.scope is None]
    g = st.forward_graph.subgraph(nodes)
    return nodes, g, list(nx.topological_sort(g))


def _exits(model, loops) -> dict[str, float]:
    """Flow id -> the factor ``1 / (1 - r)`` of each flow leaving a rework loop's decision.

    The way back is cut from the acyclic graph, so without it only ``1 - r`` of the cases
    would seem to leave the loop; every case does, after its rounds.
    """
    out: dict[str, float] = {}
    for loop in loops:
        gw = loop["gateway"]
        if gw is None:
            continue
        body = set(loop["body"])
        for f in model.elements[gw].outgoing:
            if model.flows[f].target not in body:
                out[f] = out.get(f, 1.0) / (1.0 - min(loop["r"], 0.95))
    return out


def _propagate(
    model, est, st, g, order, weight, boundary=None, exits=None
) -> tuple[float, dict, dict]:
    """Expected finish over the end events, and each node's reach probability and finish.

    ``boundary``: boundary event id -> ``(probability, delay, interrupting)``: how often it
    fires and, for a timer, how long after its activity starts (working days); an
    interrupting one takes that share of the cases off the activity's own way on, a
    non-interrupting one starts a branch the case also waits for. ``exits``: see
    :func:`_exits`.
    """
    boundary, exits = boundary or {}, exits or {}
    leave: dict[str, float] = {}
    for b, (p, _delay, interrupting) in boundary.items():
        host = model.elements[b].attached_to
        if interrupting and host:
            leave[host] = max(0.0, leave.get(host, 1.0) - p)
    reach, finish = {}, {}
    for n in order:
        preds = list(g.predecessors(n))
        if not preds:
            reach[n], finish[n] = 1.0, weight[n]
            continue
        if n in boundary and preds == [model.elements[n].attached_to]:
            p, delay, _i = boundary[n]
            host = preds[0]
            reach[n] = reach[host] * p
            # a timer fires that long after its activity began; another event as it ends
            start = finish[host] if delay is None else finish[host] - weight[host] + delay
            finish[n] = start + weight[n]
            continue
        shares, message, own = [], False, False
        for u in preds:
            fid = g.edges[u, n].get("id")
            if fid in model.message_flows:  # a message always goes when its sender runs
                share, message = 1.0, True
            else:
                share, own = (est.flow_probability(fid) if fid else 0.0), True
                share *= leave.get(u, 1.0) * exits.get(fid, 1.0)
            shares.append((u, reach[u] * share))
        kind = model.elements[n].kind
        # a step that waits for its pool and a message starts when both are there
        if kind in ("parallelGateway", "inclusiveGateway") and len(preds) > 1 or message and own:
            reach[n] = max(p for _, p in shares)
            start = max(finish[u] for u, _ in shares)
        else:
            reach[n] = sum(p for _, p in shares)
            total = reach[n] or 1.0
            start = sum(finish[u] * p for u, p in shares) / total if reach[n] else 0.0
        finish[n] = start + weight[n]
    ends = _ends(st, g, order)
    # an end after a non-interrupting boundary event ends a branch beside the case's own
    beside = set()
    for b, (_p, _delay, interrupting) in boundary.items():
        if not interrupting:
            beside |= nx.descendants(g, b)
    by_pool: dict[str, list] = {}  # the ends of one pool are alternatives; pools run side by side
    for e in ends:
        if e not in beside:
            by_pool.setdefault(model.elements[e].process, []).append(e)
    expected = 0.0
    for pool_ends in by_pool.values():
        mass = sum(reach[e] for e in pool_ends)
        if mass:
            expected = max(expected, sum(reach[e] * finish[e] for e in pool_ends) / mass)
    # such a branch lengthens the case when it runs and outlasts it
    expected += sum(
        min(reach[e], 1.0) * max(0.0, finish[e] - expected) for e in ends if e in beside
    )
    return expected, reach, finish


def _ends(st, g, order) -> list:
    full = st.graph.subgraph(list(g.nodes))  # a step whose only way on is a loop back is no end
    return [n for n in order if full.out_degree(n) == 0]


class _Lead:
    """The expected lead time of a flow graph, its subprocesses weighed by what they hold.

    A subprocess takes the lead time of its own flow (its steps, timers and loops), a
    timer or other catch event the wait the simulator gives it, a boundary event fires as
    :meth:`~.estimates.Estimates.boundary_probability` says, and the work and waits on the
    way back round a loop (the steps between its decision and the back edge, which lead to
    no end) count as often as a case goes round.
    """

    def __init__(self, model, st, est, visits, loops, gone):
        self.model, self.st, self.est, self.visits, self.gone = model, st, est, visits, gone
        self.loops = sorted(loops, key=lambda loop: len(loop["body"]))  # innermost first
        self.exits = _exits(model, loops)
        self.inside = _inside(model)

    def of(self, nodes, handovers: bool = False) -> tuple[float, dict]:
        """(expected lead time, runs per case of each activity in ``nodes`` or below)."""
        model = self.model
        nodes = _entered(model, nodes)
        g = self.st.forward_graph.subgraph(nodes)
        order = list(nx.topological_sort(g))
        weight, below = self._weights(nodes, handovers)
        boundary = self._boundaries(nodes, weight)
        expected, reach, _f = _propagate(
            model, self.est, self.st, g, order, weight, boundary, self.exits
        )
        if self._round_trips(g, order, weight, reach):
            expected, reach, _f = _propagate(
                model, self.est, self.st, g, order, weight, boundary, self.exits
            )
        runs = {
            n: reach.get(n, 0.0) * self.visits[n] for n in nodes if model.elements[n].is_activity
        }
        for sub, inner in below.items():
            share = runs.get(sub, 0.0)
            runs.update((m, share * r) for m, r in inner.items())
        return expected, runs

    def _weights(self, nodes, handovers: bool) -> tuple[dict, dict]:
        """Each node's time per case, and the runs of the steps inside each subprocess."""
        model, est, visits = self.model, self.est, self.visits
        weight: dict[str, float] = {}
        below: dict[str, dict] = {}
        for n in nodes:
            el = model.elements[n]
            if el.kind in ("subProcess", "transaction") and self.inside.get(n):
                days, below[n] = self.of(self.inside[n])
                weight[n] = 0.0 if n in self.gone else days * visits[n]
            elif n in self.gone:
                weight[n] = 0.0
            elif el.is_activity:
                weight[n] = est.step_days(n, est.handoff_into(n)) * visits[n]
            elif el.kind == "intermediateCatchEvent":
                weight[n] = (est.event_days(n) or 0.0) * visits[n]
            else:
                weight[n] = 0.0
        if handovers:
            for h in model.case_handovers:  # a file in transit between pools: on its receiver
                if h.receiver in weight and not {h.sender, h.receiver} & self.gone:
                    weight[h.receiver] += est.transfer_days(h)
        return weight, below

    def _boundaries(self, nodes, weight) -> dict:
        """Boundary event -> (probability, delay, interrupting), for those that fire."""
        boundary = {}
        for n in nodes:
            el = self.model.elements[n]
            host = el.attached_to
            if el.kind != "boundaryEvent" or host not in weight:
                continue
            p = self.est.boundary_probability(n, weight[host] / (self.visits[host] or 1.0))
            if p:
                boundary[n] = (p, self.est.event_days(n), el.cancel_activity)
        return boundary

    def _round_trips(self, g, order, weight, reach) -> bool:
        """Add the time of the way back round each loop (it leads to no end) to the loop's
        decision, as often as a case takes it; whether anything was added."""
        ends = _ends(self.st, g, order)
        alive = set(ends).union(*(nx.ancestors(g, e) for e in ends)) if ends else set()
        counted: set[str] = set()
        added = False
        for loop in self.loops:
            gw = loop["gateway"]
            if gw not in weight or not reach.get(gw):
                continue
            back = [m for m in loop["body"] if m in weight and m not in alive | counted]
            counted.update(back)
            if back:
                weight[gw] += sum(reach[m] * weight[m] for m in back) / reach[gw]
                added = True
        return added


def lead_time(model, scenario=None, without=(), process: str | None = None) -> tuple[float, dict]:
    """Expected lead time (working days) of the main process, and each step's share of it.

    Like :func:`cycle_time` but each step also counts its waits as the savings estimates
    do (batch wait, handoff wait, and the transfer of a hand-over between pools into it),
    timer and other catch events their wait (the scenario's ``events:`` duration, else the
    timer's; calendar time at the office's share of a week), boundary events as often as
    they fire, a subprocess what its own flow takes, and the way back round a loop as often
    as a case goes round. ``without``: steps whose time is taken out, so
    ``lead_time(m)[0] - lead_time(m, without=S)[0]`` is what removing ``S`` can save at
    most: a step off the critical path of a parallel block saves nothing. ``process``: the
    id of another process of a collaboration (default: the main one).

    Returns
    -------
    (float, dict)
        The expected lead time, and per activity (steps inside subprocesses too) its reach
        probability times visits (how often a case runs it).
    """
    from .rules import resolve_inputs

    model, scenario = resolve_inputs(model, scenario)
    st, est = structure_of(model), Estimates(model, scenario)
    nodes, _g, _order = _main_graph(model, st, process)
    visits = expected_visits(model, scenario)
    lead = _Lead(model, st, est, visits, rework_loops(model, scenario), set(without))
    return lead.of(nodes, handovers=True)


def runs_per_case(model, scenario=None) -> dict[str, float]:
    """How often a case runs each activity, in every process of the model.

    In a collaboration each pool's process counts from its own start (a case that reaches
    the pool at all); each counts as :func:`lead_time` counts it (loops, boundary events,
    the steps inside subprocesses).
    """
    st, est = structure_of(model), Estimates(model, scenario)
    lead = _Lead(
        model, st, est, expected_visits(model, scenario), rework_loops(model, scenario), set()
    )
    out: dict[str, float] = {}
    for pid in model.processes:
        nodes, _g, _order = _main_graph(model, st, pid)
        if nodes:
            out.update(lead.of(nodes)[1])
    return out


def _entered(model, nodes) -> list:
    """``nodes`` without event subprocesses and compensation handlers: no flow of the case
    enters them."""
    return [
        n
        for n in nodes
        if not (model.elements[n].triggered_by_event or model.elements[n].for_compensation)
    ]


def _inside(model) -> dict[str, list]:
    """Subprocess id -> the ids of the elements directly inside it."""
    inside: dict[str, list] = {}
    for n, el in model.elements.items():
        if el.scope is not None:
            inside.setdefault(el.scope, []).append(n)
    return inside


def _work(model, st, est, visits, nodes, inside=None) -> dict[str, float]:
    """Working days per case of each node: a step's work, a subprocess's own flow's."""
    inside = _inside(model) if inside is None else inside
    weight = {}
    for n in nodes:
        el = model.elements[n]
        if el.kind in ("subProcess", "transaction") and inside.get(n):
            inner = _entered(model, inside[n])
            g = st.forward_graph.subgraph(inner)
            order = list(nx.topological_sort(g))
            inner_weight = _work(model, st, est, visits, inner, inside)
            weight[n] = _propagate(model, est, st, g, order, inner_weight)[0] * visits[n]
        else:
            weight[n] = est.days(est.task_minutes(n)) * visits[n]
    return weight


def cycle_time(model, *, scenario=None) -> CycleTime:
    """Expected processing time and critical path of the model's main process.

    Returns
    -------
    CycleTime
        ``expected_days`` (probability-weighted over end events), ``critical_path_days``
        and ``critical_path`` (element ids of the longest path, worst branch at each
        choice), ``basis`` and ``note`` (the approximation made).
    """
    st, est = structure_of(model), Estimates(model, scenario)
    nodes, g, order = _main_graph(model, st)
    visits = expected_visits(model, scenario)
    weight = _work(model, st, est, visits, nodes)
    expected, reach, finish = _propagate(model, est, st, g, order, weight)
    ends = [n for n in order if st.graph.subgraph(nodes).out_degree(n) == 0]
    longest: dict[str, float] = {}
    back: dict[str, Any] = {}
    for n in order:
        best = max(g.predecessors(n), key=lambda u: longest[u], default=None)
        longest[n] = weight[n] + (longest[best] if best is not None else 0.0)
        back[n] = best
    path = []
    if longest:
        node = max(ends or order, key=lambda n: longest[n])
        days = longest[node]
        while node is not None:
            path.append(node)
            node = back[node]
    else:
        days = 0.0
    return CycleTime(
        expected_days=round(expected, 3),
        critical_path_days=round(days, 3),
        critical_path=tuple(reversed(path)),
        basis=est.basis,
        note=N_(
            "approximate: working time only; sequence = sum, XOR = weighted by branch "
            "probability, AND = max, loop = T/(1-r)"
        ),
    )
