"""`fast_lane`: ask before a review whether the case is simple; simple cases skip it.

A triage gateway is put on the review's way in: its "sederhana" branch (with the condition
the later routing decision uses) joins the path again right after the review and its own
decision; the "kompleks" branch (the default) goes through the review as before. The
scenario gives the triage the share of simple cases the later decision has.
"""

from __future__ import annotations

from ..i18n import _
from ..model import ProcessModel
from .changes import Applied, Change
from .editing import Draft, refuse
from .eliminate import names_of

__all__ = ["fast_lane"]


def fast_lane(
    model: ProcessModel,
    review: str,
    condition: str | None = None,
    *,
    evidence: tuple[str, str] | None = None,
    share: float = 0.5,
    finding: str | None = None,
) -> Applied:
    """Let simple cases bypass ``review``.

    Parameters
    ----------
    review : str
        The review step (id or unique name); one way in, one way on (or its own decision).
    condition : str, optional
        What makes a case simple, as a condition on case data.
    evidence : (str, str), optional
        ``(gateway, flow)``: the later decision whose branch the simple cases take; the
        scenario's probability of that branch becomes the triage's share of simple cases.
    share : float
        The share of simple cases when the scenario does not give one.

    Raises
    ------
    ModelError
        The review is no activity or has no way in or several ways on.

    Examples
    --------
    >>> from bpengine import load
    >>> m = load("processes/izin-usaha-sebelum-oss.bpmn")
    >>> new, changes = fast_lane(m, "Task_tinjau_ho", "not (perlu_izin_sektor == True)")
    >>> sorted(new.flows[f].name for f in new.elements["Task_tinjau_ho"].incoming)
    ['kompleks']
    """
    el = model.get(review)
    if not el.is_activity:
        raise refuse(
            model, el.id, _("is a BPMN {kind}: only a step can be bypassed").format(kind=el.kind)
        )
    d = Draft(model)
    before = d.overlaps()
    ins = d.incoming(el.id)
    decision = d.decision_after(el.id)
    way_on = decision[1] if decision else (d.outgoing(el.id) or [None])[0]
    if not ins or way_on is None or (not decision and len(d.outgoing(el.id)) != 1):
        raise refuse(model, el.id, _("needs one way in and one way on to be bypassed"))
    if d.boundary_events(el.id):
        raise refuse(model, el.id, _("has boundary events: its escalation would be skipped too"))
    lane_of = ins[0].get("sourceRef")
    triage = d.add_node(
        "exclusiveGateway",
        near=el.id,
        lane_of=lane_of,
        name="Kasus sederhana?",
        ident=d.new_id(f"Gateway_triage_{el.id}"),
    )
    join = d.add_node(
        "exclusiveGateway",
        near=el.id,
        lane_of=way_on.get("targetRef"),
        ident=d.new_id(f"Gateway_triage_{el.id}_gabung"),
    )
    for f in ins:
        d.retarget(f, triage.get("id"))
    complex_ = d.add_flow(triage.get("id"), el.id, name="kompleks")
    simple = d.add_flow(triage.get("id"), join.get("id"), name="sederhana", condition=condition)
    triage.set("default", complex_.get("id"))
    d.add_flow(join.get("id"), way_on.get("targetRef"))
    d.retarget(way_on, join.get("id"))
    result = d.finish(before)
    what = (
        f"Simple cases skip {el.label!r} ({el.lane or 'no lane'}): a triage "
        f"'Kasus sederhana?' before it sends them straight on"
        + (f" (when {condition})" if condition else "")
        + "; the others are reviewed "
        "as before."
    )
    triaged = (
        triage.get("id"),
        simple.get("id"),
        complex_.get("id"),
        *(evidence or ("", "")),
        share,
    )
    return Applied(
        result,
        (
            Change(
                "fast-lane",
                (el.id,),
                what + d.tidy_note(),
                removed=tuple(d.removed),
                names=names_of(model, [el.id, *d.removed]),
                finding=finding,
                removed_lanes=tuple(d.dropped_lanes),
                triage=(triaged,),
            ),
        ),
    )
