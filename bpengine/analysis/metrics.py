"""Process model metrics: size, the complexity measures of the literature, and the domain
counts an analyst of agency procedures asks for first.

Complexity measures follow Mendling (2008), *Metrics for Process Models*: CFC (Cardoso),
CNC, density, connector degree, sequentiality, separability, depth, cyclicity, diameter,
token split, connector mismatch and connector heterogeneity.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

from ..model import mandatory_steps
from .cycle_time import CycleTime, _frozen, _Record, cycle_time, lead_time
from .estimates import Estimates
from .handoffs import check_ping_pong, lane_path_handoffs
from .interagency import interagency_metrics
from .rework import knockouts, rework_loops
from .structure import structure_of

__all__ = ["Metrics", "metrics", "size_metrics", "complexity_metrics", "domain_metrics"]


@dataclass(frozen=True)
class Metrics(_Record):
    """Every metric of one model (see :func:`metrics`).

    Attributes
    ----------
    model : str
        The model's name.
    size, complexity, domain : Mapping
        Read-only mappings of metric name to value (see :func:`size_metrics`,
        :func:`complexity_metrics`, :func:`domain_metrics`).
    time : CycleTime
        The analytic cycle time, with the service standard when the scenario gives one.
    basis : str
        Where the durations came from (the scenario, or the analyzer's stated defaults).
    """

    model: str
    size: Mapping[str, Any]
    complexity: Mapping[str, Any]
    domain: Mapping[str, Any]
    time: CycleTime
    basis: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the dict :func:`metrics` returned before it was an object."""
        return {
            "model": self.model,
            "size": dict(self.size),
            "complexity": dict(self.complexity),
            "domain": dict(self.domain),
            "time": self.time.to_dict(),
            "basis": self.basis,
        }


_GATEWAY_TYPE = {
    "exclusiveGateway": "xor",
    "eventBasedGateway": "xor",
    "complexGateway": "or",
    "inclusiveGateway": "or",
    "parallelGateway": "and",
}


def size_metrics(model) -> dict:
    """Counts of activities, gateways, events, flows, lanes, pools and data objects."""
    els = model.elements.values()
    return {
        "nodes": len(model.elements),
        "activities": sum(e.is_activity for e in els),
        "gateways": sum(e.is_gateway for e in els),
        "events": sum(e.is_event for e in els),
        "flows": len(model.flows),
        "message_flows": len(model.message_flows),
        "lanes": len(model.lanes),
        "pools": len(model.pools),
        "data_objects": len(model.data_objects),
    }


def _depth(model, st) -> int:
    g, els = st.forward_graph, model.elements
    depth: dict[str, int] = {}
    for n in nx.topological_sort(g):
        is_join = els[n].is_gateway and g.in_degree(n) > 1
        base = max(
            (
                depth[p] + (1 if els[p].is_gateway and g.out_degree(p) > 1 else 0)
                for p in g.predecessors(n)
            ),
            default=0,
        )
        depth[n] = max(base - (1 if is_join else 0), 0)
    return max(depth.values(), default=0)


def complexity_metrics(model) -> dict:
    """CFC, CNC, density, connector degree, sequentiality, separability, depth,
    cyclicity, diameter, token split, connector mismatch and heterogeneity."""
    st, g, els = structure_of(model), structure_of(model).graph, model.elements
    n, arcs = g.number_of_nodes(), g.number_of_edges()
    gws = [e for e in g if els[e].is_gateway]
    cfc, token_split = 0, 0
    mismatch: Counter[str] = Counter()
    for gw in gws:
        kind, out, inc = _GATEWAY_TYPE.get(els[gw].kind, "xor"), g.out_degree(gw), g.in_degree(gw)
        if out > 1:
            cfc += {"xor": out, "or": 2 ** min(out, 30) - 1, "and": 1}[kind]
            token_split += out - 1 if kind != "xor" else 0
            mismatch[kind] += out
        if inc > 1:
            mismatch[kind] -= inc
    types = Counter(_GATEWAY_TYPE.get(els[gw].kind, "xor") for gw in gws)
    total = sum(types.values())
    hetero = -sum((c / total) * math.log(c / total, 3) for c in types.values()) if total else 0.0
    degrees = [g.degree(gw) for gw in gws]
    seq = sum(1 for u, v in g.edges if not els[u].is_gateway and not els[v].is_gateway)
    und: nx.Graph[str] = nx.Graph(
        g.edges()
    )  # structure only: copying node attributes costs seconds
    und.add_nodes_from(g)
    cut = len(list(nx.articulation_points(und))) if n else 0
    on_cycle = sum(len(c) for c in nx.strongly_connected_components(g) if len(c) > 1)
    diameter = nx.dag_longest_path_length(st.forward_graph) + 1 if n else 0
    return {
        "cfc": cfc,
        "cnc": round(arcs / n, 3) if n else 0.0,
        "density": round(arcs / (n * (n - 1)), 4) if n > 1 else 0.0,
        "connector_degree_avg": round(sum(degrees) / len(degrees), 3) if degrees else 0.0,
        "connector_degree_max": max(degrees, default=0),
        "sequentiality": round(seq / arcs, 3) if arcs else 0.0,
        "separability": round(cut / (n - 2), 3) if n > 2 else 0.0,
        "depth": _depth(model, st),
        "cyclicity": round(on_cycle / n, 3) if n else 0.0,
        "diameter": diameter,
        "token_split": token_split,
        "connector_mismatch": sum(abs(v) for v in mismatch.values()),
        "connector_heterogeneity": round(hetero, 3),
    }


def domain_metrics(model, scenario=None, timing=None) -> dict:
    """Approvals, handoffs, lanes per path, ping-pongs, rework loops and knock-outs, and
    between pools: hand-overs paper/data, transfer share, agencies visited, once-only."""
    st = structure_of(model)
    timing = timing or cycle_time(model, scenario=scenario)
    path = timing.critical_path
    lanes_on_path = {model.elements[n].lane for n in path if model.elements[n].lane}
    return {
        "approvals": len(st.approvals),
        "approvals_on_critical_path": sum(1 for n in path if n in st.approval_set),
        # what the guard keeps: bpe:mandatory, else a legal act or a last check (mandate)
        "mandatory_steps": len(mandatory_steps(model)),
        "handoffs": lane_path_handoffs(model) + len(model.message_flows),
        "lanes_on_critical_path": len(lanes_on_path),
        "ping_pongs": len(check_ping_pong(model, scenario)),
        "rework_loops": len(rework_loops(model, scenario)),
        "knockouts": len(knockouts(model)),
        # the share of the lead time the analyzer's savings use (queues, timers and the
        # transfers themselves counted), not of the work time alone: 0.26 of PBG's 4.4 days
        # of work and transfer read as a quarter of a 13.5-day procedure
        **interagency_metrics(
            model, scenario, lead_time(model, scenario)[0] if model.case_handovers else 0.0
        ),
    }


def metrics(model, *, scenario=None) -> Metrics:
    """All metrics of ``model``: ``size``, ``complexity``, ``domain`` and ``time``.

    ``.to_dict()`` gives them JSON-ready (the shape ``bpengine analyze --metrics -f json``
    prints); ``scenario`` is resolved as for :func:`bpengine.analyze`.

    Examples
    --------
    >>> from bpengine import load
    >>> m = load(b'''<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
    ...  <process id="p"><startEvent id="s"/><userTask id="a" name="Isi formulir"/>
    ...  <endEvent id="e"/><sequenceFlow id="f1" sourceRef="s" targetRef="a"/>
    ...  <sequenceFlow id="f2" sourceRef="a" targetRef="e"/></process></definitions>''')
    >>> r = metrics(m); r.size["activities"], r.complexity["diameter"], r.time.expected_days
    (1, 3, 0.067)
    """
    from .rules import resolve_inputs

    model, scenario = resolve_inputs(model, scenario)
    timing = cycle_time(model, scenario=scenario if scenario is not None else {})
    sla = getattr(scenario, "service_standard_days", None) if scenario is not None else None
    if isinstance(sla, (int, float)):
        # the legal service standard, against working time alone (waits come on top)
        timing = dataclasses.replace(
            timing,
            service_standard_days=round(sla, 3),
            working_time_exceeds_standard=timing.expected_days > sla,
        )
    return Metrics(
        model.name,
        _frozen(size_metrics(model)),
        _frozen(complexity_metrics(model)),
        _frozen(domain_metrics(model, scenario, timing)),
        timing,
        Estimates(model, scenario).basis,
    )
