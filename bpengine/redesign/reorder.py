"""Transformations that move a step: earlier in the flow, or into another lane.

- :func:`resequence` moves a knock-out check (a step whose reject branch ends the case)
  before an earlier step, so a case that will be turned away is turned away before the
  work that precedes the check today;
- :func:`relocate_check` moves a completeness check up front: as early as the data it
  reads allows, or before a named step, optionally into the front-desk lane;
- :func:`reassign` moves a step to another lane (the ping-pong fix: the step goes to the
  office that does the work before and after it).

None of them removes a step, so mandatory steps may be moved.
"""

from __future__ import annotations

import networkx as nx

from ..i18n import _
from ..model import ProcessModel
from .changes import Applied, Change
from .editing import Draft, refuse
from .eliminate import names_of

__all__ = ["resequence", "relocate_check", "reassign"]


def _between(model: ProcessModel, first: str, last: str) -> set[str]:
    """Nodes on some path from ``first`` (included) to ``last`` (excluded)."""
    g = model.graph
    return ({first} | nx.descendants(g, first)) & nx.ancestors(g, last) - {last}


def _read_conflict(model: ProcessModel, check, first: str) -> tuple[str, str] | None:
    """``(data name, writer id)`` if ``check`` reads what a step from ``first`` on writes."""
    for n in sorted(_between(model, first, check.id)):
        clash = set(check.reads) & set(model.elements[n].writes)
        if clash:
            return sorted(clash)[0], n
    return None


def _move(model: ProcessModel, check, other) -> Draft:
    """The draft with ``check`` (and its decision) cut out and put in front of ``other``."""
    if other.id == check.id:
        raise refuse(model, check.id, _("cannot be moved before itself"))
    if other.scope != check.scope or other.process != check.process:
        raise refuse(
            model,
            other.id,
            _("is not in the same process or subprocess as {label}").format(
                label=repr(check.label)
            ),
        )
    g = model.graph
    if not nx.has_path(g, other.id, check.id) or nx.has_path(g, check.id, other.id):
        raise refuse(
            model,
            other.id,
            _(
                "does not come before {label} (or both are in one "
                "loop), so there is nothing to move it ahead of"
            ).format(label=repr(check.label)),
        )
    if not other.incoming:
        raise refuse(model, other.id, _("has no incoming flow; nothing can go before it"))
    d = Draft(model)
    if d.boundary_events(check.id):
        raise refuse(model, check.id, _("has boundary events attached; it cannot be moved"))
    decision = d.decision_after(check.id)
    if decision:
        _gw, exit_flow, rejects = decision
        main = {exit_flow.get("targetRef")} | nx.descendants(g, exit_flow.get("targetRef"))
        for r in rejects:
            side = {r.get("targetRef")} | nx.descendants(g, r.get("targetRef"))
            if side & main or check.id in side:
                raise refuse(
                    model,
                    check.id,
                    _(
                        "its reject branch rejoins the process; only a "
                        "knock-out check (rejection ends the case) moves"
                    ),
                )
    else:
        outs = d.outgoing(check.id)
        if len(outs) != 1:
            raise refuse(
                model,
                check.id,
                _("has {n} outgoing flows; only a step with one way out can be moved").format(
                    n=len(outs)
                ),
            )
        exit_flow = outs[0]
    conflict = _read_conflict(model, check, other.id)
    if conflict:
        raise refuse(
            model,
            check.id,
            _("reads {name}, which {writer} writes; it cannot move before {step}").format(
                name=repr(conflict[0]),
                writer=repr(model.elements[conflict[1]].label),
                step=repr(other.label),
            ),
        )
    target = exit_flow.get("targetRef")
    for f in d.incoming(check.id):
        d.retarget(f, target)
    for f in d.incoming(other.id):
        d.retarget(f, check.id)
    d.retarget(exit_flow, other.id)
    d.collapse_gateways()
    d.relayout = True  # a step moved across the diagram: lay it out again
    return d


def _moved(model: ProcessModel, kind: str, d: Draft, check, other, finding, text: str) -> Change:
    """The change that moved ``check`` before ``other`` (``text`` says why it helps)."""
    return Change(
        kind,
        (check.id, other.id),
        text + d.tidy_note(),
        removed=tuple(d.removed),
        names=names_of(model, [check.id, *d.removed]),
        finding=finding,
        removed_lanes=tuple(d.dropped_lanes),
    )


def resequence(
    model: ProcessModel, task_id: str, before: str, *, finding: str | None = None
) -> Applied:
    """Move a knock-out check (with its decision) in front of an earlier step.

    Parameters
    ----------
    model : ProcessModel
    task_id : str
        The check. If a decision follows it, its reject branches must end the case.
    before : str
        Id (or unique name) of a step that comes before the check today.
    finding
        As for :func:`~bpengine.redesign.eliminate`.

    Raises
    ------
    ModelError
        ``before`` does not precede the check, the check reads data a step in between
        writes, or its reject branch rejoins the process.
    """
    check, other = model.get(task_id), model.get(before)
    if not check.is_activity:
        raise refuse(
            model,
            check.id,
            _("is a BPMN {kind}, not a task: only tasks are moved").format(kind=check.kind),
        )
    d = _move(model, check, other)
    result = d.finish()
    change = _moved(
        model,
        "resequence",
        d,
        check,
        other,
        finding,
        f"Moved {check.label!r} with its decision before {other.label!r}, so cases "
        "it turns away stop before that work.",
    )
    return Applied(result, (change,))


def _earliest(model: ProcessModel, check) -> str:
    """The earliest step on the way to ``check`` that it can move before."""
    starts = [
        e.id
        for e in model.elements.values()
        if e.kind == "startEvent" and e.scope == check.scope and e.process == check.process
    ]
    g = model.graph
    for s in starts:
        if not nx.has_path(g, s, check.id):
            continue
        for n in nx.shortest_path(g, s, check.id)[1:-1]:
            el = model.elements[n]
            if (
                el.kind != "startEvent"
                and not nx.has_path(g, check.id, n)
                and _read_conflict(model, check, n) is None
            ):
                return n
    raise refuse(
        model,
        check.id,
        _(
            "nothing before it can be overtaken: it reads data "
            "written by the step right before it, or it is already "
            "first"
        ),
    )


def relocate_check(
    model: ProcessModel,
    check_id: str,
    to: str | None = None,
    lane: str | None = None,
    *,
    finding: str | None = None,
) -> Applied:
    """Move a completeness check up front.

    Parameters
    ----------
    check_id : str
        The check (with its decision, whose reject branch ends the case).
    to : str, optional
        The step to put it before; default: the earliest step whose successors up to the
        check write nothing the check reads.
    lane : str, optional
        Id or name of a lane to move the check into as well (e.g. the front desk).

    Raises
    ------
    ModelError
        As :func:`resequence` and :func:`reassign`.
    """
    check = model.get(check_id)
    if not check.is_activity:
        raise refuse(
            model,
            check.id,
            _("is a BPMN {kind}, not a task: only tasks are moved").format(kind=check.kind),
        )
    other = model.get(to) if to else model.elements[_earliest(model, check)]
    d = _move(model, check, other)
    if lane:
        d.set_lane(check.id, _lane(model, check, lane).id)
    result = d.finish()
    where = f" into lane {_lane(model, check, lane).name!r}" if lane else ""
    change = _moved(
        model,
        "relocate-check",
        d,
        check,
        other,
        finding,
        f"Moved the check {check.label!r} up front, before {other.label!r}{where}: "
        "incomplete files are turned away at the door.",
    )
    return Applied(result, (change,))


def _lane(model: ProcessModel, el, lane: str):
    found = model.lanes.get(lane) or next(
        (x for x in model.lanes.values() if x.name == lane and x.process == el.process), None
    )
    if found is None:
        raise refuse(
            model,
            el.id,
            _("cannot move to lane {lane}: no lane has that id or name").format(lane=repr(lane)),
        )
    if found.process != el.process:
        raise refuse(
            model, el.id, _("lane {lane} belongs to another process").format(lane=repr(lane))
        )
    if any(x.parent == found.id for x in model.lanes.values()):
        raise refuse(
            model,
            el.id,
            _("lane {name} has sub-lanes; name one of them").format(name=repr(found.name)),
        )
    return found


def _inside(model: ProcessModel, ident: str) -> list[str]:
    """Every element within subprocess ``ident``, nested subprocesses' included."""
    scopes: set[str] = {ident}
    while True:  # a nested subprocess holds steps of its own
        found = [el.id for el in model.elements.values() if el.scope in scopes]
        if scopes >= set(found):
            return found
        scopes.update(found)


def reassign(
    model: ProcessModel, task_id: str, lane_id: str, *, finding: str | None = None
) -> Applied:
    """Move a step to another lane (role or office) of the same process.

    The step's shape moves vertically into the lane's band; if that would overlap another
    shape, the diagram is laid out again.

    Raises
    ------
    ModelError
        Not an activity, unknown lane, a lane with sub-lanes, or the step is already there.
    """
    el = model.get(task_id)
    if not el.is_activity:
        raise refuse(
            model,
            el.id,
            _("is a BPMN {kind}, not a task: only tasks change lanes").format(kind=el.kind),
        )
    lane = _lane(model, el, lane_id)
    if el.lane_id == lane.id:
        raise refuse(model, el.id, _("is already in lane {name}").format(name=repr(lane.name)))
    d = Draft(model)
    before = d.overlaps()
    # the steps inside an embedded subprocess are its work: they move with it (and are drawn
    # moved with its frame), or the office would keep the work and no handoff would be saved
    inside = _inside(model, el.id)
    for ident in (el.id, *inside):
        d.set_lane(ident, lane.id)
    box, band = d.bounds(el.id), d.bounds(lane.id)
    if box is None or band is None:
        d.relayout = True
    else:
        dy = band[1] + band[3] / 2 - (box[1] + box[3] / 2)
        moved = [el.id, *inside, *(b.get("id") for b in d.boundary_events(el.id))]
        for ident in moved:
            bb = d.bounds(ident)
            if bb:
                d.set_bounds(ident, (bb[0], bb[1] + dy, bb[2], bb[3]))
    result = d.finish(before)
    change = Change(
        "reassign",
        (el.id, lane.id),
        f"Moved {el.label!r} from lane {el.lane!r} to lane {lane.name!r}: one "
        "handoff fewer each way." + d.tidy_note(),
        removed=tuple(d.removed),
        names=names_of(model, [el.id, *d.removed]),
        finding=finding,
        removed_lanes=tuple(d.dropped_lanes),
    )
    return Applied(result, (change,))
