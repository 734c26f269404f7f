"""Triage: simple cases take a shorter path.

OSS-RBA won most by sorting cases by risk first: a low-risk business gets its number and
goes, only the others meet the technical team. Many procedures already know which cases
are simple, but only late: a routing decision on case data ("needs a sector permit?", "for
the archive only?") comes after every case has been through the same heavy review. Asking
the question before that review lets the simple cases skip it.
"""

from __future__ import annotations

import re

import networkx as nx

from ..i18n import _, format_percent
from .estimates import Estimates
from .finding import make_finding, rule
from .structure import structure_of

__all__ = ["check_fast_lane", "simple_branch", "triage_condition", "SIMPLE_WORDS", "REVIEW_WORDS"]

#: a branch for the simple cases says so (Indonesian, then English)
SIMPLE_WORDS = (
    "tidak perlu",
    "rendah",
    "sederhana",
    "kecil",
    "ringan",
    "arsip",
    "arsipkan",
    "not needed",
    "low",
    "simple",
    "minor",
    "archive",
)
#: heavy review work a simple case does not need
REVIEW_WORDS = (
    "tinjau",
    "tinjauan",
    "lapangan",
    "rapat",
    "sidang",
    "kaji",
    "kajian",
    "survei",
    "inspeksi",
    "baca",
    "telaah",
    "review",
    "inspection",
    "site visit",
    "hearing",
    "read",
)
_SIMPLE_RE = re.compile(
    r"\b(" + "|".join(re.escape(w) for w in SIMPLE_WORDS) + r")\b", re.IGNORECASE
)
_REVIEW_RE = re.compile(
    r"\b(" + "|".join(re.escape(w) for w in REVIEW_WORDS) + r")\w*", re.IGNORECASE
)


def simple_branch(model, gateway: str) -> str | None:
    """The flow of ``gateway`` the simple cases take, read from its name or condition."""
    el = model.elements[gateway]
    if el.kind not in ("exclusiveGateway", "inclusiveGateway") or len(el.outgoing) < 2:
        return None
    simple = [
        f
        for f in el.outgoing
        if _SIMPLE_RE.search(
            " ".join(filter(None, (model.flows[f].name, model.flows[f].condition)))
        )
    ]
    return simple[0] if len(simple) == 1 else None


def triage_condition(model, gateway: str, flow: str) -> str | None:
    """The condition of ``flow``, else "none of the other branches' conditions"."""
    own = model.flows[flow].condition
    if own:
        return own
    others = [model.flows[f].condition for f in model.elements[gateway].outgoing if f != flow]
    if others and all(others):
        return " and ".join(f"not ({c})" for c in others)
    return None


def _upstream_reviews(model, st, gateway: str) -> list[str]:
    """Heavy reviews every case passes before reaching ``gateway``."""
    g = st.forward_graph
    starts = [n for n in g if g.in_degree(n) == 0]
    if len(starts) != 1 or gateway not in g:
        return []
    dominators = nx.immediate_dominators(g, starts[0])
    chain, node = [], gateway
    while node in dominators and dominators[node] != node:
        node = dominators[node]
        chain.append(node)
    deciders = {a for a, d in st.decisions.items() if d.gateway == gateway}
    return [
        n
        for n in reversed(chain)
        if n not in deciders
        and model.elements[n].kind in ("userTask", "manualTask", "task")
        and not model.mandate(n).required
        and _REVIEW_RE.search(model.elements[n].name or "")
    ]


@rule("fast-lane")
def check_fast_lane(model, scenario=None) -> list:
    """Flag heavy reviews every case passes although a later decision knows it is simple.

    Graph pattern: an exclusive gateway on case data with one branch for simple cases
    (named "tidak perlu", "rendah", "sederhana", "arsip", "low", "simple"...; not a branch
    sending work back for rework), and, on every path before it, a review step
    (site visit, hearing, technical review: :data:`REVIEW_WORDS`) that no regulation
    requires (not mandatory) and that does not decide the gateway. Suggests *fast-lane*:
    ask the question before the review; simple cases skip it. Saving: the review's lead
    time times the share of simple cases (scenario, else one branch in n).
    """
    st, est = structure_of(model), Estimates(model, scenario)
    found = []
    for gw in model.elements.values():
        flow = simple_branch(model, gw.id)
        if flow is None or any(
            d.gateway == gw.id and model.flows[flow].target in d.reject_targets and d.loops_back
            for d in st.decisions.values()
        ):
            continue  # a rework branch is no simple case
        if triage_condition(model, gw.id, flow) is None:
            continue  # no case data to ask about up front
        p = est.flow_probability(flow)
        branch = model.flows[flow].name or flow
        for review in _upstream_reviews(model, st, gw.id):
            el = model.elements[review]
            days = p * est.step_days(review, est.handoff_into(review))
            explanation = _(
                "Every case goes through {step} ({lane}), although {gateway} later sends {p} of "
                "them down the {branch} branch: the case data that makes a case simple is "
                "known before the review. Ask it first and let the simple cases skip the "
                "review, as OSS-RBA does by risk level."
            ).format(
                step=repr(el.label),
                lane=el.lane or _("no lane"),
                gateway=repr(gw.label),
                p=format_percent(p),
                branch=repr(branch),
            )
            found.append(
                make_finding(
                    model,
                    check_fast_lane.id,
                    (review, gw.id),
                    explanation,
                    "fast-lane",
                    severity="note",
                    targets=(review,),
                    saving=est.saving(days, p * est.task_minutes(review) / 60.0),
                )
            )
    return found
