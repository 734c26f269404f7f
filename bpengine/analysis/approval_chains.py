"""Approvals in a row: the same role twice, and sign-off chains across offices.

Two rule families over the same pattern, an approval followed by another approval with
only gateways and events between them (on the approve branch):

- **same-role-approvals**: both in the same lane, so one person checks the file twice
  -> compose them into one step;
- **signoff-chain**: k >= 2 approvals in a row, each in a different lane, whose reject
  branches all lead to the same place and none of which changes what a later one reads
  -> run them in parallel (or keep only the highest authority).
"""

from __future__ import annotations

from collections import deque
from typing import Any

from ..i18n import _, format_number
from .documents import data_use, executes, is_transport, step_acts
from .estimates import Estimates
from .finding import make_finding, rule
from .structure import is_customer_lane, structure_of

__all__ = ["check_same_role_approvals", "check_signoff_chain", "next_on_approve"]


def next_on_approve(st, approval: str) -> set:
    """Activities that follow ``approval`` when it approves.

    Gateways and events are skipped, and so are steps that only carry the file on (the
    applicant taking the letter to the next office): they add a trip, not a check.
    """
    decision = st.decisions.get(approval)
    if decision is None:
        found = _sequential_next(st, approval)
    else:
        found = _sequential_next(st, decision.gateway, decision.accept_flows)
    out, seen = set(), set()
    todo = list(found)
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        if is_transport(st.model, n):
            todo.extend(_sequential_next(st, n))
        else:
            out.add(n)
    return out


def _sequential_next(st, node: str, flows=None) -> set:
    """Activities right after ``node`` in the same line of work (see
    :meth:`Structure.next_activities` with ``through_parallel=False``)."""
    return st.next_activities(node, flows, through_parallel=False)[0]


@rule("same-role-approvals")
def check_same_role_approvals(model, scenario=None) -> list:
    """Flag two approvals by the same role with nothing but gateways/events between them.

    Graph pattern: approvals ``a`` and ``b`` in the same lane where ``b`` is the only
    activity reached from ``a``'s approve branch (steps that only carry the file are
    looked through), or ``b`` is ``a``'s nearest activity post-dominator; or, the same
    desk issuing twice, ``b`` is the nearest approval of ``a``'s lane that every case not
    turned away reaches after ``a``, both write a document (data associations), and the
    documents ``b`` reads are made from no other inputs than those of ``a``, besides what
    ``a`` itself wrote (each traced back to the step that wrote it: separate permits filed
    from the same deed and ID card, the next one perhaps with the previous permit).
    Suggests *compose*: one combined check or decision, the earlier step folded into the
    later one.
    """
    st, est = structure_of(model), Estimates(model, scenario)
    els, found, seen = model.elements, [], set()
    for a in st.approvals:
        lane = els[a].lane
        if lane is None:
            continue
        candidates = set()
        nxt = next_on_approve(st, a)
        if len(nxt) == 1:
            candidates |= nxt
        pdom = st.activity_post_dominator(a)
        if pdom is not None and st.previous_activities(pdom) == {a}:
            candidates.add(pdom)
        for b in sorted(candidates):
            if b == a or b not in st.approval_set or els[b].lane != lane or (a, b) in seen:
                continue
            seen.add((a, b))
            explanation = _(
                "{first} and {second} are both done by {lane}, one right after the other "
                "with no other work in between. The same role looks at the same file twice; "
                "one combined check gives the same assurance with one visit to the in-tray "
                "instead of two."
            ).format(first=repr(els[a].label), second=repr(els[b].label), lane=lane)
            found.append(
                make_finding(
                    model,
                    check_same_role_approvals.id,
                    (a, b),
                    explanation,
                    "compose",
                    targets=(a,),
                    saving=est.saving(est.days(est.task_minutes(a)), est.task_minutes(a) / 60.0),
                )
            )
    for chain, basis in _repeat_chains(model, st):
        if len(chain) == 2 and tuple(chain) in seen:
            continue
        *earlier, last = chain
        signs = ", ".join(repr(els[a].label) for a in earlier)
        explanation = (
            _(
                "{lane} signs {signs} and, later in the same case, {last}, each time on a file "
                "made from the same documents ({documents})."
            ).format(
                lane=els[last].lane,
                signs=signs,
                last=repr(els[last].label),
                documents=", ".join(sorted(basis)),
            )
            + " "
            + (
                _(
                    "Every case not turned away reaches both, so the applicant files the same "
                    "papers {n} times and the same desk decides {n} times; one combined decision, "
                    "signed once, issues both (data read from data associations)."
                )
                if len(chain) == 2
                else _(
                    "Every case not turned away reaches all of them, so the applicant files the "
                    "same papers {n} times and the same desk decides {n} times; one combined "
                    "decision, signed once, issues them all (data read from data associations)."
                )
            ).format(n=len(chain))
        )
        found.append(
            make_finding(
                model,
                check_same_role_approvals.id,
                chain,
                explanation,
                "compose",
                targets=tuple(earlier),
                saving=est.saving_of_removal(earlier),
                data=sorted(basis),
                data_source="data associations",
            )
        )
    return found


def _repeat_chains(model, st) -> list:
    """(chain, basis): all the decisions one desk takes in a case from the same papers.

    The pairs of :func:`_repeat_issues` linked end to end (``a -> b``, ``b -> c`` ...), so
    that the last decision covers every earlier one whatever order they are redesigned in.
    """
    nxt, basis, has_prev = {}, {}, set()
    for a, b, docs in _repeat_issues(model, st):
        nxt[a], basis[a] = b, docs
        has_prev.add(b)
    out = []
    for a in nxt:
        if a in has_prev:
            continue
        chain, docs = [a], set()
        while chain[-1] in nxt and nxt[chain[-1]] not in chain:
            docs |= basis[chain[-1]]
            chain.append(nxt[chain[-1]])
        out.append((chain, docs))
    return out


#: How far up the post-dominator tree a repeated signature of the same desk is looked for.
MAX_REPEAT_WALK = 200


def _made_from(model, st, step) -> frozenset:
    """What the documents ``step`` reads are made from: each one traced back to the
    inputs of the nearest step upstream that wrote it (a re-filed application is made from
    the same deed and ID card as the one before)."""
    g, out = st.forward_graph, set()
    for doc in data_use(model, step).reads:
        todo, seen = deque(g.predecessors(step)), set()
        sources: set[str] = set()
        while todo:
            n = todo.popleft()
            if n in seen:
                continue
            seen.add(n)
            if doc in data_use(model, n).writes:
                sources |= data_use(model, n).reads or {doc}
            else:
                todo.extend(g.predecessors(n))
        out |= sources or {doc}
    return frozenset(out)


def _repeat_issues(model, st):
    """(a, b, basis): the same desk issuing twice in one case from the same documents.

    ``b`` is the nearest approval of ``a``'s lane that every approved case reaches after
    ``a`` (post-dominance with reject branches removed); both write a document (data
    associations) and what ``b`` reads is made from nothing but the inputs of ``a``, and
    what ``a`` wrote (its own decision, filed with the next application).
    """
    els = model.elements
    for a in st.approvals:
        if not (els[a].lane and els[a].writes):
            continue
        pdom, node, steps = st.approved_post_dominator, a, 0
        while node in pdom and steps < MAX_REPEAT_WALK:
            node, steps = pdom[node], steps + 1
            if node not in st.approval_set or els[node].lane != els[a].lane:
                continue
            if els[node].writes:
                basis = _made_from(model, st, a)
                # the later file may also carry the earlier decision itself (the TDP is
                # filed with the SIUP): one combined decision issues both at once
                later = _made_from(model, st, node) - set(els[a].writes)
                if basis and later and later <= basis:
                    yield a, node, later
            break


#: Work steps a sign-off chain may carry between two approvals (a letter drafted for the
#: next signature, the applicant taking the file over).
MAX_CARRIED = 2


def _next_in_chain(st, a) -> tuple[str, tuple[str, ...]] | None:
    """The next approval after ``a`` on a straight line of work, and the steps carried."""
    els = st.model.elements
    carried: list[Any] = []
    nxt = next_on_approve(st, a)
    while len(nxt) == 1:
        b = next(iter(nxt))
        if b in st.approval_set:
            return (b, tuple(carried)) if b != a else None
        if (
            len(carried) == MAX_CARRIED
            or not els[b].is_task
            or st.decisions.get(b)
            or is_customer_lane(st.model, els[b].lane)
            or els[b].lane == els[a].lane
        ):
            # the applicant's own work (paying, registering) ends the chain, and so does
            # more work in the first office: the file has not left it yet
            return None
        carried.append(b)
        nxt = _sequential_next(st, b)
    return None


def _chains(st) -> list[tuple[list[str], list[str]]]:
    model, els = st.model, st.model.elements
    succ, carry, has_pred = {}, {}, set()
    for a in st.approvals:
        step = _next_in_chain(st, a)
        if step is not None and els[step[0]].lane != els[a].lane:
            succ[a], carry[step[0]] = step[0], step[1]
            has_pred.add(step[0])
    chains = []
    for a in st.approvals:
        if a in has_pred or a not in succ:
            continue
        chain = [a]
        while chain[-1] in succ and succ[chain[-1]] not in chain:
            chain.append(succ[chain[-1]])
        for c in _split(model, st, chain, carry):
            flow = [c[0]]
            for m in c[1:]:
                flow += [*carry.get(m, ()), m]
            chains.append((c, flow))
    return chains


def _reject_target(st, a):
    d = st.decisions.get(a)
    return None if d is None or not d.reject_flows else d.reject_targets


def _produces(model, step) -> set:
    """What a chain member writes that would tie the next one to it.

    A signing step writes the letter it signs; the next office signs that same letter,
    which does not make it wait for the first signature. Anything else written counts.
    """
    if "sign" in step_acts(model, step):
        return set()
    return set(data_use(model, step).writes)


def _split(model, st, chain: list[str], carry) -> list[list[str]]:
    """Cut a run of approvals where a lane repeats, reject targets differ or data conflicts."""
    out: list[Any] = []
    cur: list[Any] = []
    for a in chain:
        ok = bool(cur)
        if cur:
            lanes = {model.elements[c].lane for c in cur}
            targets = {t for t in (_reject_target(st, c) for c in cur) if t is not None}
            mine = _reject_target(st, a)
            # a step that pays or sends needs what came before, signed or not
            written = set().union(
                *(
                    data_use(model, c).writes if executes(model, a) else _produces(model, c)
                    for c in cur
                )
            )
            reads = set(data_use(model, a).reads).union(
                *(data_use(model, c).reads for c in carry.get(a, ()))
            )
            ok = (
                model.elements[a].lane not in lanes
                and (mine is None or not targets or targets == {mine})
                and not (written & reads)
            )
        if ok:
            cur.append(a)
        else:
            if len(cur) >= 2:
                out.append(cur)
            cur = [a]
    if len(cur) >= 2:
        out.append(cur)
    return out


def _about(days: float) -> str:
    """Working days to one decimal, or two under 0.1 (a saving of 0.01 read 'about 0.0')."""
    return format_number(days, 1 if abs(days) >= 0.095 else 2)


@rule("signoff-chain")
def check_signoff_chain(model, scenario=None) -> list:
    """Flag k >= 2 approvals in a row by different offices that could sign in parallel.

    Graph pattern: a maximal sequence ``a1 -> a2 -> ... -> ak`` of approvals, each
    reached from the previous one's approve branch on a straight line (looking through
    steps that only carry the file, and carrying at most :data:`MAX_CARRIED` work steps
    done outside the first office to prepare the next sign-off; a parallel split or join
    ends the line), in pairwise distinct lanes, with equal reject
    targets (or no reject branch), and no ``ai`` producing data a later one (or the work
    it carries) reads; a signature produces only the letter the next office signs too,
    unless that office pays or sends on the strength of it.
    ``elements`` lists approvals and carried steps in flow order, ``targets`` the
    approvals. Suggests *parallelise* (all offices review the same file at once), or keeping
    only the highest authority.
    """
    from .structure import seniority

    st, est = structure_of(model), Estimates(model, scenario)
    els, found = model.elements, []
    for chain, flow in _chains(st):
        carried = [n for n in flow if n not in chain]
        days = [est.step_days(a, True) for a in chain]
        hours = sum(est.task_minutes(a) for a in chain) / 60.0
        lanes = [els[a].lane or _("(no lane)") for a in chain]
        ranks = {a: seniority(model, els[a].lane) for a in chain}
        top = max(chain, key=lambda a: ranks[a] or -1)
        keep_saving = sum(d for a, d in zip(chain, days, strict=True) if a != top)
        # name the highest authority only when the ranks single one out
        known = [ranks[a] for a in chain if ranks[a] is not None]
        outranks = len(known) == len(chain) and known.count(ranks[top]) == 1
        keep_one = (
            _("keeping only the highest authority ({step}, {lane})").format(
                step=repr(els[top].label), lane=els[top].lane
            )
            if outranks
            else _(
                "keeping only one of them (their ranks are not known: "
                "set bpe:rank on the lanes to say whose sign-off "
                "counts)"
            )
        )
        # a sign-off the guard keeps (a legal act, bpe:mandatory) cannot be the one dropped
        kept = [a for a in chain if a != top and model.mandate(a).required]
        text = (
            _(
                "{n} sign-offs follow one another across {offices} offices ({route}): {steps}. "
                "Each office waits for the previous one although none of them changes what the "
                "next one reads, and {reject}. Sending the file to all of them at once saves "
                "about {days} working days per case; {keep_one} would save about {keep_days} "
                "working days and {hours} staff hours."
            )
            if not kept
            else _(
                "{n} sign-offs follow one another across {offices} offices ({route}): {steps}. "
                "Each office waits for the previous one although none of them changes what the "
                "next one reads, and {reject}. Sending the file to all of them at once saves "
                "about {days} working days per case; none can be left out, since {kept} must "
                "stay."
            )
        )
        explanation = text.format(
            kept=", ".join(repr(els[a].label) for a in kept),
            n=len(chain),
            offices=len(set(lanes)),
            route=" -> ".join(lanes),
            steps=", ".join(repr(els[a].label) for a in chain),
            reject=(
                _("a rejection at any of them sends the case to the same place")
                if any(_reject_target(st, a) for a in chain)
                else _("none of them can send the case back")
            ),
            days=_about(sum(days) - max(days)),
            keep_one=keep_one,
            keep_days=_about(keep_saving),
            hours=format_number(hours - est.task_minutes(top) / 60, 1),
        )
        if carried:
            explanation += " " + _(
                "The work between them ({steps}) goes along with the sign-off it prepares."
            ).format(steps=", ".join(repr(els[c].label) for c in carried))
        found.append(
            make_finding(
                model,
                check_signoff_chain.id,
                flow,
                explanation,
                "parallelise",
                targets=tuple(chain),
                saving=est.saving(sum(days) - max(days), 0.0),
            )
        )
    return found
