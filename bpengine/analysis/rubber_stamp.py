"""Rubber stamps: approvals that cannot say no.

An approval earns its place by the cases it stops or sends back. When the model gives it
no way to do that, or the scenario says it never does, it only adds a wait.
"""

from __future__ import annotations

from ..i18n import _
from .documents import does_other_work, issues, step_acts
from .estimates import Estimates
from .finding import make_finding, rule
from .structure import structure_of

__all__ = ["check_rubber_stamp"]


_SAYING_NO = ("error", "escalation", "message", "signal", "conditional")


def _reject_path(model, st, est, a, guarded) -> tuple[str | None, str]:
    """Why ``a`` has no effective reject path (``None`` if it has one), and the suggestion."""
    if a in guarded:
        return None, ""  # an error/escalation boundary event is its way of saying no
    decision = st.decisions.get(a)
    if decision is None:
        after, ends = st.next_activities(a)
        if ends and not after:
            return None, ""  # the last step closes the case: it is the outcome, not a check
        return (
            _(
                "nothing after it decides anything: every case goes on the same way, so "
                "the step records that the office has seen the file"
            ),
            "notify",
        )
    if decision.reconverges_empty:
        return (
            _(
                "the decision {gateway} after it has branches that meet again before any "
                "work is done, so approving and rejecting lead to the same next step"
            ).format(gateway=repr(model.elements[decision.gateway].label)),
            "eliminate",
        )
    if decision.reject_flows:
        p, from_scenario = est.reject_probability(decision.gateway, decision.reject_flows)
        if from_scenario and p == 0.0:
            return (
                _(
                    "the scenario gives its reject branch at {gateway} a probability of 0: "
                    "in practice no case is ever turned back here"
                ).format(gateway=repr(model.elements[decision.gateway].label)),
                "eliminate",
            )
    return None, ""


@rule("rubber-stamp")
def check_rubber_stamp(model, scenario=None) -> list:
    """Flag approvals with no effective reject path.

    Graph pattern: an approval ``a`` such that (i) no decision gateway follows it and no
    error/escalation boundary event sits on it (unless it is the last step before the
    end, i.e. the act that issues the outcome), or (ii) every branch of the decision after
    it reconverges without passing a task, or (iii) the scenario gives its reject
    branches probability 0. Steps marked mandatory are legal acts, never rubber stamps;
    nor is an approval that issues a document (writes one, or "terbitkan") or does other
    work (pays, sends, drafts): the step stays whatever its check adds; nor a stand-in
    reached from a boundary event (the secretary signing for an absent head).
    Suggests *eliminate* for (ii) and (iii), and *notify* (keep
    the office informed without holding the file) for (i).
    """
    st, est = structure_of(model), Estimates(model, scenario)
    found = []
    guarded = {
        e.attached_to for e in model.elements.values() if e.attached_to and e.event in _SAYING_NO
    }
    for a in st.approvals:
        if model.elements[a].mandatory:
            continue  # a legally required act is the outcome itself, not a check to judge
        if not step_acts(model, a) and model.approval(a).reason == "vocabulary":
            continue  # named after a document ("lembar disposisi"), not an act of approving
        if issues(model, a) or does_other_work(model, a):
            continue  # it issues the letter or pays: the step stays whatever its check adds
        if any(
            model.elements[model.flows[f].source].kind == "boundaryEvent"
            for f in model.elements[a].incoming
        ):
            continue  # a stand-in on the exception path (signing for an absent head)
        why, suggestion = _reject_path(model, st, est, a, guarded)
        if why is None:
            continue
        el = model.elements[a]
        explanation = _(
            "{step} ({lane}) is an approval step, but {why}. An approval that never changes "
            "the outcome costs every case a wait and adds no assurance; {advice}"
        ).format(
            step=repr(el.label),
            lane=el.lane or _("no lane"),
            why=why,
            advice=(
                _("drop it.")
                if suggestion == "eliminate"
                else _("send the office a notice instead of the file.")
            ),
        )
        found.append(
            make_finding(
                model,
                check_rubber_stamp.id,
                (a,),
                explanation,
                suggestion,
                targets=(a,),
                saving=est.saving_of_removal([a]),
            )
        )
    return found
