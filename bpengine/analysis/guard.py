"""The guard: steps the law or the four-eyes principle requires are never removed.

Applied to every finding after the rules ran. A step the model's classification keeps
(:mod:`bpengine.model.mandate`: marked ``bpe:mandatory="true"``, a legal act named in its
name, the last check before a system step or an irreversible act), or the checker of a
maker/checker pair in different lanes, may be moved so that it no longer
holds the case up (parallelised), but a redesign never eliminates it, composes it away or
turns it into a notice. The finding then says why.
"""

from __future__ import annotations

import dataclasses

from ..i18n import _
from .documents import data_use, examines, makes
from .structure import structure_of
from .suggestions import removed_steps

__all__ = ["maker_of", "guard_reason", "apply_guard"]


def maker_of(model, checker: str) -> str | None:
    """The maker whose work ``checker`` checks, if they form a pair in different lanes.

    The maker is the single activity right before the checker (gateways and events
    between), in another lane, not itself an approval, producing (drafting, computing,
    filling in) a document the checker examines (verifies, checks, validates: reading a
    letter to pass it on is no examination).
    """
    st = structure_of(model)
    if checker not in st.approval_set:
        return None
    prev = st.previous_activities(checker)
    if len(prev) != 1:
        return None
    maker = next(iter(prev))
    el, mk = model.elements[checker], model.elements[maker]
    if maker in st.approval_set or not el.lane or not mk.lane or el.lane == mk.lane:
        return None
    if not (examines(model, checker) and makes(model, maker)):
        return None
    if data_use(model, maker).writes & data_use(model, checker).reads:
        return maker
    return None


def guard_reason(model, element_id: str) -> str | None:
    """Why ``element_id`` must stay in the procedure, or ``None``.

    The model's :meth:`~bpengine.model.ProcessModel.mandate` decides first: the
    ``bpe:mandatory`` attribute, else a legal act named in the step (the word is quoted),
    else a check that is the last look before a system step or an act that cannot be
    undone. ``bpe:mandatory="false"`` is the analyst's word: nothing guards the step then.
    """
    el = model.elements[element_id]
    mandate = model.mandate(element_id)
    if mandate.required:
        return mandate.explanation
    if mandate.reason == "attribute":
        return None
    maker = maker_of(model, element_id)
    if maker is not None:
        mk = model.elements[maker]
        return _(
            "{step} ({lane}) is the checker of {maker} ({maker_lane}): a maker/checker "
            "pair in different offices keeps the four-eyes principle"
        ).format(step=repr(el.label), lane=el.lane, maker=repr(mk.label), maker_lane=mk.lane)
    return None


def apply_guard(model, findings) -> list:
    """Turn removals of guarded steps into parallelisation, saying why.

    A finding whose suggestion would take a guarded step out of the procedure (eliminate,
    compose, notify: whatever its declaration's ``removes`` names,
    :mod:`~bpengine.analysis.suggestions`) suggests *parallelise* instead (its lead-time saving kept, its staff-hour saving dropped: the
    work is still done). A finding that already parallelises gets the reason too.
    """
    out = []
    for f in findings:
        removed = removed_steps(f)  # composing merges every step into one: none may be guarded
        steps = removed or (f.elements if f.suggestion == "parallelise" else ())
        reasons = [r for r in (guard_reason(model, e) for e in steps) if r]
        if not reasons:
            out.append(f)
            continue
        guard = (
            "; ".join(reasons)
            + ". "
            + _("It is never suggested for removal, only for parallelising.")
        )
        if removed:
            f = dataclasses.replace(
                f,
                suggestion="parallelise",
                guard=guard,
                explanation=f.explanation
                + " "
                + _(
                    "However, {guard} Run it alongside the other steps so it no longer holds "
                    "the case up."
                ).format(guard=guard[0].lower() + guard[1:]),
                saving=dataclasses.replace(f.saving, staff_hours=0.0),
            )
        else:
            f = dataclasses.replace(f, guard=guard)
        out.append(f)
    return out
