"""One-stop service: counters of different agencies the applicant visits one after another.

The one-roof reforms (DPMPTSP, Mal Pelayanan Publik) put the front offices of several agencies
behind one counter: the applicant hands the file in once and the counter passes it on to the
next agency, instead of the applicant queueing at counter A, collecting A's paper and carrying
it to counter B.

Rules
-----
``check_one_stop``
    Graph pattern: in the applicant's pool, a paper hand-over to agency A (message flow from
    an applicant's step to A's pool) followed, along the applicant's sequence flows, by the
    next hand-over to a *different* agency B, with between them only the applicant's own
    steps and the catch of an answer (a paper message flow back to the applicant from A, or
    from the agency A already forwards the file to) that does not come from B.
    Suggests *one-stop*: one counter takes the file and forwards A's answer to B. Saving: the
    lead time the case loses without the applicant's trip to B and the answer's trip back,
    less a data transfer (the counter forwards the answer).
"""

from __future__ import annotations

from ..i18n import _
from .cycle_time import lead_time
from .estimates import Estimates
from .finding import make_finding, rule
from .interagency import _pool, applicant_pools, transfer_days

__all__ = ["counter_visits", "check_one_stop"]


def counter_visits(model) -> list[tuple]:
    """Consecutive counter visits: ``(to_a, answer, to_b)`` hand-overs, as described above."""
    applicant = applicant_pools(model)
    given = {
        h.sender: h
        for h in model.handovers
        if h.sender_pool in applicant
        and h.receiver_pool not in applicant
        and h.sender
        and h.receiver
        and h.is_paper
    }
    answers = {
        h.receiver: h
        for h in model.handovers
        if h.receiver_pool in applicant
        and h.sender_pool not in applicant
        and h.receiver
        and h.is_paper
    }
    after: dict[str, list[str]] = {}
    for f in model.flows.values():
        after.setdefault(f.source, []).append(f.target)
    out = []
    for start, to_a in given.items():
        answer, seen, todo = None, {start}, list(after.get(start, []))
        while todo:  # follow the applicant's path to the next counter (one path only)
            if len(todo) > 1:
                break
            node = todo.pop()
            if node in seen:
                break
            seen.add(node)
            if node in answers:
                answer = answers[node]
            if node in given:
                to_b = given[node]
                if answer is not None and to_b.receiver_pool not in (
                    to_a.receiver_pool,
                    answer.sender_pool,
                ):
                    out.append((to_a, answer, to_b))
                break
            if model.elements[node].kind in (
                "exclusiveGateway",
                "parallelGateway",
                "eventBasedGateway",
                "inclusiveGateway",
            ):
                break
            todo.extend(after.get(node, []))
    return out


@rule("one-stop")
def check_one_stop(model, scenario=None) -> list:
    """Flag two agencies' counters the applicant visits one after the other.

    Graph pattern: see the module docstring (hand-over to A, A's answer back, next hand-over
    to B, along the applicant's own path). Suggests *one-stop*.
    """
    visits = counter_visits(model)
    if not visits:
        return []
    est, found = Estimates(model, scenario), []
    full = lead_time(model, scenario)[0] if model.case_handovers else 0.0
    for to_a, answer, to_b in visits:
        ends = (to_a.sender, answer.receiver, to_b.sender)
        gone = full - lead_time(model, scenario, without=(answer.receiver, to_b.sender))[0]
        trips = transfer_days(model, scenario, answer) + transfer_days(model, scenario, to_b)
        saved = max(min(gone, trips), 0.0)
        explanation = _(
            "The applicant hands the file in at the counter of {a} (message flow {fa}), waits "
            "for its answer (message flow {ans}) and then queues again at the counter of {b} "
            "(message flow {fb}). In one-stop service (DPMPTSP, Mal Pelayanan Publik) one "
            "counter takes the file once and passes {a}'s answer on to {b}: the applicant's "
            "second trip and queue disappear."
        ).format(
            a=_pool(model, answer.sender_pool),
            b=_pool(model, to_b.receiver_pool),
            fa=to_a.flow,
            ans=answer.flow,
            fb=to_b.flow,
        )
        found.append(
            make_finding(
                model,
                check_one_stop.id,
                ends,
                explanation,
                "one-stop",
                targets=ends,
                saving=est.saving(saved, 0.0),
            )
        )
    return found
