"""Resubmission: the applicant hands the same papers to the same office again.

Each permit of a licensing chain is often applied for on its own: the applicant goes back
to the counter with copies of the same deed, ID card and tax number, and the office checks
them again. One submission serves them all; the later trips, and the office's checks of
what it already holds, add only waiting and handoffs.

- **resubmission**: a step in the applicant's lane hands in a file (writes a document)
  to an office, and every case that is not turned away later hands that office a file
  made from no other papers than the first -> eliminate the later submissions, and with
  them the office's receiving checks that read nothing the first one did not.
"""

from __future__ import annotations

from ..i18n import _
from .documents import check_reads, data_use, does_other_work, step_acts
from .estimates import Estimates
from .finding import make_finding, rule
from .guard import guard_reason
from .structure import is_customer_lane, structure_of

__all__ = ["MAX_RESUBMISSION_WALK", "check_resubmission", "receiving_office"]

#: How far up the post-dominator tree later submissions are looked for (flow nodes).
MAX_RESUBMISSION_WALK = 400


def receiving_office(st, step: str) -> tuple[str | None, str | None]:
    """(lane, first step) of the office a submission goes to, or ``(None, None)``.

    The office is the lane of the single activity right after ``step`` (gateways and
    events between), provided that lane is not the applicant's own.
    """
    nxt, _end = st.next_activities(step)
    if len(nxt) != 1:
        return None, None
    receiver = next(iter(nxt))
    lane = st.model.elements[receiver].lane
    if lane is None or is_customer_lane(st.model, lane):
        return None, None
    return lane, receiver


def _submission(model, st, step: str):
    """(papers, office, receiver) when ``step`` is the applicant handing in a file."""
    el = model.elements[step]
    if not (el.is_task and is_customer_lane(model, el.lane)):
        return None
    use = data_use(model, step)
    if use.source != "data associations" or not (use.reads and use.writes):
        return None
    office, receiver = receiving_office(st, step)
    return (use.reads, office, receiver) if office else None


def _repeated_check(model, st, receiver: str, first_receiver: str) -> bool:
    """Whether ``receiver`` only checks what ``first_receiver`` already checked."""
    if receiver not in st.approval_set or first_receiver not in st.approval_set:
        return False
    reads, before = check_reads(model, receiver).reads, check_reads(model, first_receiver).reads
    pure = step_acts(model, receiver) <= {"check"} and not does_other_work(model, receiver)
    return bool(reads) and reads <= before and pure and guard_reason(model, receiver) is None


@rule("resubmission")
def check_resubmission(model, scenario=None) -> list:
    """Flag the applicant handing the same papers to the same office more than once.

    Graph pattern: ``s1`` and later ``s2, ..., sk`` are tasks in the applicant's lane
    (``bpe:rank`` 0), each writing a document and reading documents (data associations),
    each followed directly (through gateways and events) by one step of the same office;
    every ``si`` post-dominates ``s1`` once reject branches are removed (every case not
    turned away files again), none of them is on a cycle with ``s1`` (a rework loop
    returning incomplete files is the rework-loop rule's business), and each reads a
    subset of what ``s1`` read. A filing the law requires (``bpe:mandatory``) is not a
    redundancy and is not flagged. Suggests *eliminate* ``s2..sk``, together with the
    office's step right after each of them when that step only checks (a pure check, not
    guarded) documents the step after ``s1`` already checked: the office keeps the first
    file and its verification for every permit.
    """
    st, est = structure_of(model), Estimates(model, scenario)
    els, found, covered = model.elements, [], set()
    for first in st.activities:
        if first in covered:
            continue
        sub = _submission(model, st, first)
        if sub is None:
            continue
        papers, office, first_receiver = sub
        later, rechecks, flow = [], [], []
        node, steps, pdom = first, 0, st.approved_post_dominator
        while node in pdom and steps < MAX_RESUBMISSION_WALK:
            node, steps = pdom[node], steps + 1
            if node == first:
                break
            again = _submission(model, st, node) if els[node].is_activity else None
            if (
                again is None
                or again[1] != office
                or not again[0] <= papers
                or guard_reason(model, node) is not None
                or st.on_cycle_with(first, node)
            ):
                continue
            later.append(node)
            flow.append(node)
            if _repeated_check(model, st, again[2], first_receiver):
                rechecks.append(again[2])
                flow.append(again[2])
        if not later:
            continue
        covered.update(later)
        targets = tuple(flow)
        docs = sorted(papers)
        explanation = _(
            "The applicant hands {office} a file of {documents} at {first}, then, in the same "
            "case, files it again at {later}: the same papers to the same office, each time "
            "with a trip, a queue at the counter and a handoff. One submission serves every "
            "permit; the office keeps the first file (data read from data associations)."
        ).format(
            office=office,
            documents=", ".join(docs),
            first=repr(els[first].label),
            later=", ".join(repr(els[n].label) for n in later),
        )
        if rechecks:
            explanation += " " + _(
                "Its checks of the refiled papers ({checks}) then repeat what {first} already "
                "checked, and go too."
            ).format(
                checks=", ".join(repr(els[r].label) for r in rechecks),
                first=repr(els[first_receiver].label),
            )
        found.append(
            make_finding(
                model,
                check_resubmission.id,
                (first, *targets),
                explanation,
                "eliminate",
                targets=targets,
                saving=est.saving_of_removal(list(targets)),
                data=docs,
                data_source="data associations",
            )
        )
    return found
