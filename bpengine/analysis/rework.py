"""Rework loops and knock-out checks: what happens to the cases a check turns back.

- **rework-loop**: a reject/incomplete branch that sends the case back to an earlier
  step. Each round costs the loop again: with return probability ``r`` the loop's time is
  multiplied by ``1 / (1 - r)``. An up-front completeness check usually removes most of it.
- **knockout-order**: checks that end the case on rejection are cheapest when the one
  most likely to reject per unit of effort runs first (van der Aalst's knock-out rule).
"""

from __future__ import annotations

from collections import deque

import networkx as nx

from ..i18n import _, format_number, format_percent
from .documents import check_reads, data_use
from .estimates import Estimates
from .finding import make_finding, rule
from .structure import structure_of

__all__ = ["check_rework_loop", "check_knockout_order", "rework_loops", "knockouts"]


def rework_loops(model, scenario=None) -> list[dict]:
    """Every loop closed by a back edge: body, exit decision and return probability ``r``.

    Returns dicts with ``body`` (node ids in flow order), ``gateway`` (the decision that
    can leave the loop, or ``None``), ``r``, ``from_scenario`` and ``check`` (the approval
    that decides, if any).
    """
    st, est = structure_of(model), Estimates(model, scenario)
    els, loops, seen = model.elements, [], set()
    order = st.memo("flow order")
    if not order:
        order.update((n, i) for i, n in enumerate(nx.topological_sort(st.forward_graph)))
    for u, v in st.back_edges:
        body = st.loop_body(u, v)
        key = frozenset(body)
        if key in seen:
            continue
        seen.add(key)
        # every decision in the body with a way out; a case goes round only if it stays at
        # each of them (a loop "verified -> paid or sent back" behind "complete -> on or
        # back" is taken by the share sent back at the last, not by those found complete)
        exits = []
        for n in sorted(body, key=lambda n: order[n]):
            el = els[n]
            if not el.is_gateway or len(el.outgoing) < 2:
                continue
            inside = tuple(f for f in el.outgoing if model.flows[f].target in body)
            if inside and len(inside) < len(el.outgoing):
                exits.append((n, inside))
        gateway, r, from_scenario = None, 0.0, False
        if exits:
            gateway = exits[-1][0]  # the decision that sends the case back
            r, from_scenario = est.reject_probability(*exits[-1])
            for n, inside in exits[:-1]:  # decisions on the way: staying goes forward there
                p, given = est.reject_probability(n, inside)
                r *= p if given else 1.0 - p
                from_scenario = from_scenario and given
        check = next((a for a, d in st.decisions.items() if d.gateway == gateway), None)
        loops.append(
            {
                "body": sorted(body, key=lambda n: order[n]),
                "gateway": gateway,
                "r": r,
                "from_scenario": from_scenario,
                "check": check,
                "back_edge": (u, v),
            }
        )
    return loops


@rule("rework-loop")
def check_rework_loop(model, scenario=None) -> list:
    """Flag each rework loop with its cycle-time factor ``1 / (1 - r)``.

    Graph pattern: a back edge ``u -> v`` (found by depth-first search from the start)
    whose cycle contains a decision gateway with one branch leaving the cycle and the
    other (the reject/incomplete branch, probability ``r``) staying in it. ``r`` comes
    from the scenario, else 0.2. Suggests *relocate-check*: an up-front completeness
    check before the loop's first step.
    """
    est = Estimates(model, scenario)
    els, found = model.elements, []
    for loop in rework_loops(model, scenario):
        acts = [n for n in loop["body"] if els[n].is_activity]
        if not acts:
            continue
        r = min(loop["r"], 0.95)
        minutes = sum(est.task_minutes(a) for a in acts)
        handoffs = sum(1 for a in acts if est.handoff_into(a))
        # a timer on the way round (wait for stock, for the applicant) is part of a round
        waited = {
            n: est.event_days(n) for n in loop["body"] if els[n].kind == "intermediateCatchEvent"
        }
        waits = [n for n, d in waited.items() if d]
        days = est.days(minutes) + 0.5 * handoffs + sum(waited[n] or 0.0 for n in waits)
        factor = 1.0 / (1.0 - r)
        extra = r / (1.0 - r)
        check = loop["check"]
        where = (
            _("{step} sends").format(step=repr(els[check].label))
            if check
            else _("the decision {gateway} sends").format(gateway=repr(els[loop["gateway"]].label))
            if loop["gateway"]
            else _("the flow sends")
        )
        source = _("scenario") if loop["from_scenario"] else _("assumed (no scenario figure)")
        redo = [a for a in acts if a != check] or acts
        explanation = _(
            "{where} cases back through {steps} with probability {p} ({source}). Each case "
            "then runs this loop {factor} times on average (factor 1/(1-r)), about {days} "
            "extra working days per case. Checking completeness up front, before the first "
            "step of the loop, removes most of these rounds."
        ).format(
            where=where,
            steps=", ".join(repr(els[a].label) for a in redo),
            p=format_percent(r),
            source=source,
            factor=format_number(factor, 2),
            days=format_number(days * extra, 2),
        )
        elements = ([check] if check else []) + acts + waits
        found.append(
            make_finding(
                model,
                check_rework_loop.id,
                elements,
                explanation,
                "relocate-check",
                targets=(check,) if check else (),
                severity="warning" if r >= 0.1 else "note",
                saving=est.saving(days * extra, minutes * extra / 60.0),
            )
        )
    return found


def knockouts(model) -> list[str]:
    """Approvals whose reject branch ends the case (does not come back to them)."""
    st = structure_of(model)
    return [a for a, d in st.decisions.items() if d.reject_flows and not d.loops_back]


def _next_knockout(st, k, kos) -> str | None:
    d = st.decisions[k]
    g, els = st.forward_graph, st.model.elements
    todo = deque(st.model.flows[f].target for f in d.accept_flows)
    seen = set()
    while todo:
        n = todo.popleft()
        if n in seen:
            continue
        seen.add(n)
        if n in kos:
            return n if st.post_dominates(n, k) or len(st.next_activities(k)[0]) <= 1 else None
        if els[n].kind == "parallelGateway":
            return None  # checks on parallel branches are not in a sequence to reorder
        todo.extend(g.successors(n))
    return None


@rule("knockout-order")
def check_knockout_order(model, scenario=None) -> list:
    """Flag consecutive knock-out checks run in the wrong order.

    Graph pattern: knock-out approvals ``k1`` then ``k2`` (``k2`` the next knock-out on
    ``k1``'s approve branch, no parallel split between, ``k2`` not reading data written
    from ``k1`` on) where ``r2 / c2 > r1 / c1``: ``r`` the reject probability (scenario,
    else 0.2) and ``c`` the working time. Suggests *resequence*: ``k2`` first. The saving
    is the expected effort ``c1 + (1-r1) c2`` minus ``c2 + (1-r2) c1``.
    """
    st, est = structure_of(model), Estimates(model, scenario)
    els, found = model.elements, []
    kos = set(knockouts(model))
    for k1 in sorted(kos):
        k2 = _next_knockout(st, k1, kos)
        if k2 is None:
            continue
        d1, d2 = st.decisions[k1], st.decisions[k2]
        r1, _given = est.reject_probability(d1.gateway, d1.reject_flows)
        r2, _given = est.reject_probability(d2.gateway, d2.reject_flows)
        c1, c2 = est.task_minutes(k1), est.task_minutes(k2)
        if c1 <= 0 or c2 <= 0 or r2 / c2 <= 1.1 * r1 / c1:
            continue
        between = (nx.descendants(st.forward_graph, k1) & nx.ancestors(st.forward_graph, k2)) | {k1}
        written = set().union(*(data_use(model, n).writes for n in between))
        if written & check_reads(model, k2).reads:
            continue  # k2 checks something produced after k1: it cannot move ahead
        now, swapped = c1 + (1 - r1) * c2, c2 + (1 - r2) * c1
        explanation = _(
            "{first} (rejects {r1}, {c1} min) runs before {second} (rejects {r2}, {c2} min), "
            "although the second turns away more cases per minute of work. Both end the case "
            "on rejection; running the second first spares the first check for every case it "
            "would have rejected: about {minutes} minutes of work per case."
        ).format(
            first=repr(els[k1].label),
            r1=format_percent(r1),
            c1=format_number(c1),
            second=repr(els[k2].label),
            r2=format_percent(r2),
            c2=format_number(c2),
            minutes=format_number(now - swapped),
        )
        found.append(
            make_finding(
                model,
                check_knockout_order.id,
                (k1, k2),
                explanation,
                "resequence",
                severity="note",
                targets=(k2,),
                saving=est.saving(est.days(now - swapped), (now - swapped) / 60),
            )
        )
    return found
