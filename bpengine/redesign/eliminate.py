"""Transformations that take steps out: eliminate one, or compose several into one.

Both refuse a step marked ``bpe:mandatory`` (a step the law requires is never removed), a
node that is not a task, and a step with boundary events (their escalation path would be
left hanging); every refusal is a :class:`~bpengine.errors.ModelError` naming the element.
"""
from __future__ import annotations

from lxml import etree

from ..model import ProcessModel
from ..model.namespaces import BPMN
from .changes import Change
from .drawing import point_associations
from .editing import Draft, refuse

__all__ = ["eliminate", "compose", "names_of"]

_B = f"{{{BPMN}}}"
_MOVABLE = ("property", "dataInputAssociation", "dataOutputAssociation")
# attributes every activity may carry (BPMN 2.0 tActivity), whatever its kind
_ACTIVITY_ATTRS = {"id", "name", "default", "isForCompensation", "startQuantity",
                   "completionQuantity"}


def names_of(model: ProcessModel, ids) -> tuple[tuple[str, str], ...]:
    """``(id, name)`` of those ``ids`` that are elements of ``model``."""
    return tuple((i, model.elements[i].name) for i in ids if i in model.elements)


def _removable(model: ProcessModel, task_id: str, verb: str):
    el = model.get(task_id)
    if not el.is_activity:
        raise refuse(model, el.id, f"is a {el.kind}, not a task: only tasks can be {verb}")
    if el.mandatory:
        raise refuse(model, el.id, f"is marked mandatory (bpe:mandatory): a redesign never "
                                   f"removes it, so it cannot be {verb}")
    return el


def eliminate(model: ProcessModel, task_id: str, *, log: list | None = None,
              finding: str | None = None) -> ProcessModel:
    """Remove a task and reconnect its predecessors to its successor.

    When the task is followed by its own decision (an approval with approve/reject
    branches), the decision goes too: the approve branch is taken, and what only the reject
    branch reached (a rework step, a "returned" end) becomes unreachable and is removed.
    Gateways left with one way in and one way out are dropped; data associations and
    annotations of removed elements go with them.

    Parameters
    ----------
    model : ProcessModel
    task_id : str
        Id (or unique name) of the task.
    log : list, optional
        A :class:`~bpengine.redesign.Change` describing the change is appended to it.
    finding : str, optional
        Id of the finding that motivated the change, recorded in the log.

    Returns
    -------
    ProcessModel
        The new model; ``model`` is unchanged.

    Raises
    ------
    ModelError
        Unknown id, not a task, mandatory, boundary events attached, more than one way out,
        or a mandatory step would become unreachable.
    """
    el = _removable(model, task_id, "eliminated")
    d = Draft(model)
    before = d.overlaps()
    if d.boundary_events(el.id):
        raise refuse(model, el.id, "has boundary events attached; remove them first")
    ins, outs = d.incoming(el.id), d.outgoing(el.id)
    if not ins:
        raise refuse(model, el.id, "has no incoming flow: nothing to reconnect")
    decision = d.decision_after(el.id)
    if decision:
        gw, accept, _rejects = decision
        target = accept.get("targetRef")
        for f in d.outgoing(gw.get("id")) + outs:
            d.remove_flow(f)
        d.remove_node(gw.get("id"))
    elif len(outs) != 1:
        raise refuse(model, el.id, f"has {len(outs)} outgoing flows; only a step with one way "
                                   "out can be eliminated")
    else:
        target = outs[0].get("targetRef")
        d.remove_flow(outs[0])
    if any(f.get("sourceRef") == target for f in ins):
        raise refuse(model, el.id, f"is the only step of a loop at {target!r}; eliminating it "
                                   "would leave a flow into itself")
    for f in ins:
        d.retarget(f, target)
    d.remove_node(el.id)
    pruned = d.prune_unreachable()
    d.collapse_gateways()
    result = d.finish(before)
    what = f"Removed {el.label!r}" + (f" ({el.lane})" if el.lane else "")
    if decision:
        what += f" with its decision {decision[0].get('name') or decision[0].get('id')!r}"
    then = model.elements.get(target)
    what += f"; its predecessors now lead straight to {then.label if then else target!r}"
    gone = [model.elements[p].label for p in pruned if model.elements[p].is_activity]
    if gone:
        what += f"; no longer reached: {', '.join(repr(g) for g in gone)}"
    _log(log, Change("eliminate", (el.id,), what + ".", removed=tuple(d.removed),
                     flow_merges=tuple(d.flow_merges), names=names_of(model, d.removed),
                     finding=finding))
    return result


def _chain(model: ProcessModel, d: Draft, ids: list[str]) -> list[str]:
    """``ids`` in flow order, if each is followed directly and only by the next."""
    wanted = set(ids)
    heads = [t for t in ids if not any(f.get("sourceRef") in wanted for f in d.incoming(t))]
    if len(heads) != 1:
        raise refuse(model, ids[0], f"the steps {', '.join(ids)} are not one consecutive "
                                    "sequence")
    seq = [heads[0]]
    while len(seq) < len(ids):
        outs = d.outgoing(seq[-1])
        if len(outs) != 1 or outs[0].get("targetRef") not in wanted:
            raise refuse(model, seq[-1], "is not followed directly by another of the steps "
                                         f"{', '.join(ids)}, so they are not consecutive")
        nxt = outs[0].get("targetRef")
        if len(d.incoming(nxt)) != 1 or nxt in seq:
            raise refuse(model, nxt, "is entered from elsewhere too, so it cannot be merged "
                                     "into the step before it")
        seq.append(nxt)
    return seq


def compose(model: ProcessModel, task_ids, *, name: str | None = None,
            log: list | None = None, finding: str | None = None) -> ProcessModel:
    """Merge consecutive tasks of one lane into one task.

    The first task keeps its id, place and shape; it takes the joined name, the data
    associations of all, and the last one's way out. The waits between the tasks disappear;
    :func:`~bpengine.redesign.transform_scenario` sums their durations.

    Parameters
    ----------
    model : ProcessModel
    task_ids : sequence of str
        Two or more task ids (any order; they must form one sequence).
    name : str, optional
        Name of the composed task; default: the names joined with ``" + "``.
    log, finding
        As for :func:`eliminate`.

    Raises
    ------
    ModelError
        Fewer than two tasks, not tasks, mandatory, loops, different lanes, or not
        consecutive.
    """
    ids = list(dict.fromkeys(task_ids))
    if len(ids) < 2:
        raise refuse(model, ids[0] if ids else None, "compose needs at least two tasks")
    els = [model.get(t) for t in ids]
    for el in els:
        if not el.is_task:
            raise refuse(model, el.id, f"is a {el.kind}, not a task: only tasks can be composed")
        if el.mandatory:
            raise refuse(model, el.id, "is marked mandatory (bpe:mandatory): a redesign never "
                                       "merges it away")
        if el.loop:
            raise refuse(model, el.id, f"has a {el.loop} loop; it cannot be merged with others")
    if len({el.lane_id for el in els}) > 1:
        raise refuse(model, els[1].id, f"is in lane {els[1].lane!r} but {els[0].label!r} is in "
                                       f"lane {els[0].lane!r}; only steps of one lane compose")
    d = Draft(model)
    before = d.overlaps()
    for el in els:
        if d.boundary_events(el.id):
            raise refuse(model, el.id, "has boundary events attached; it cannot be composed")
    seq = _chain(model, d, [el.id for el in els])
    first = d.node(seq[0])
    for t in seq[1:]:
        node = d.node(t)
        for child in list(node):
            if etree.QName(child).localname in _MOVABLE:
                first.append(child)
        for f in d.incoming(t):
            d.remove_flow(f)
    for f in d.outgoing(seq[-1]):
        d.resource(f, seq[0])
    for t in seq[1:]:
        d.remove_node(t)
    d.sort_activity_children(first)
    labels = [model.elements[t].label for t in seq]
    first.set("name", name or " + ".join(labels))
    kinds = {model.elements[t].kind for t in seq}
    if len(kinds) > 1:
        first.tag = _B + ("userTask" if "userTask" in kinds else "task")
        # kind-specific attributes (messageRef, implementation, script...) do not carry over
        for attr in list(first.attrib):
            if "}" not in attr and attr not in _ACTIVITY_ATTRS:
                del first.attrib[attr]
    if any(model.approval(t).is_approval for t in seq):
        d.set_extension(seq[0], "approval", "true")
    point_associations(d.root, first)
    result = d.finish(before)
    what = (f"Composed {', '.join(repr(x) for x in labels)} ({els[0].lane or 'no lane'}) into "
            f"one step {first.get('name')!r}; the waits between them disappear.")
    _log(log, Change("compose", tuple(seq), what, removed=tuple(seq[1:]),
                     merged=((seq[0], tuple(seq)),), names=names_of(model, seq),
                     finding=finding))
    return result


def _log(log: list | None, change: Change) -> None:
    if log is not None:
        log.append(change)
