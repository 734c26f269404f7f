"""Transformations that take steps out: eliminate one, or compose several into one.

Both refuse a step marked ``bpe:mandatory`` (a step the law requires is never removed), a
node that is not a task, and a step with boundary events (their escalation path would be
left hanging); every refusal is a :class:`~bpengine.errors.ModelError` naming the element.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from ..i18n import _
from ..model import ProcessModel
from ..model.namespaces import BPMN
from .changes import Applied, Change
from .drawing import point_associations
from .editing import Draft, refuse

__all__ = ["eliminate", "compose", "absorb", "names_of"]

_B = f"{{{BPMN}}}"
_MOVABLE = ("property", "dataInputAssociation", "dataOutputAssociation")
# attributes every activity may carry (BPMN 2.0 tActivity), whatever its kind
_ACTIVITY_ATTRS = {
    "id",
    "name",
    "default",
    "isForCompensation",
    "startQuantity",
    "completionQuantity",
}


def names_of(model: ProcessModel, ids) -> tuple[tuple[str, str], ...]:
    """``(id, name)`` of those ``ids`` that are elements of ``model``."""
    return tuple((i, model.elements[i].name) for i in ids if i in model.elements)


def _removable(model: ProcessModel, task_id: str, verb: str):
    el = model.get(task_id)
    if not el.is_activity:
        raise refuse(
            model,
            el.id,
            _("is a BPMN {kind}, not a task: only tasks can be {verb}").format(
                kind=el.kind, verb=verb
            ),
        )
    if el.mandatory:
        raise refuse(
            model,
            el.id,
            _(
                "is marked mandatory (bpe:mandatory): a redesign never "
                "removes it, so it cannot be {verb}"
            ).format(verb=verb),
        )
    return el


def eliminate(model: ProcessModel, task_id: str, *, finding: str | None = None) -> Applied:
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
    finding : str, optional
        Id of the finding that motivated the change, recorded in the change.

    Returns
    -------
    Applied
        The new model (``model`` is unchanged) and the one
        :class:`~bpengine.redesign.Change` describing what changed.

    Raises
    ------
    ModelError
        Unknown id, not a task, mandatory, boundary events attached, more than one way out,
        or a mandatory step would become unreachable.
    """
    el = _removable(model, task_id, _("eliminated"))
    d = Draft(model)
    before = d.overlaps()
    if d.boundary_events(el.id):
        raise refuse(model, el.id, _("has boundary events attached; remove them first"))
    ins, outs = d.incoming(el.id), d.outgoing(el.id)
    if not ins:
        raise refuse(model, el.id, _("has no incoming flow: nothing to reconnect"))
    decision = d.decision_after(el.id)
    if decision:
        gw, accept, _rejects = decision
        target = accept.get("targetRef")
        for f in d.outgoing(gw.get("id")) + outs:
            d.remove_flow(f)
        d.remove_node(gw.get("id"))
    elif len(outs) != 1:
        raise refuse(
            model,
            el.id,
            _("has {n} outgoing flows; only a step with one way out can be eliminated").format(
                n=len(outs)
            ),
        )
    else:
        target = outs[0].get("targetRef")
        d.remove_flow(outs[0])
    if any(f.get("sourceRef") == target for f in ins):
        raise refuse(
            model,
            el.id,
            _(
                "is the only step of a loop at {target}; eliminating it "
                "would leave a flow into itself"
            ).format(target=repr(target)),
        )
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
    change = Change(
        "eliminate",
        (el.id,),
        what + "." + d.tidy_note(),
        removed=tuple(d.removed),
        flow_merges=tuple(d.flow_merges),
        names=names_of(model, d.removed),
        finding=finding,
        removed_lanes=tuple(d.dropped_lanes),
    )
    return Applied(result, (change,))


def _chain(model: ProcessModel, d: Draft, ids: list[str]):
    """``(ids in flow order, decisions between them)``: each followed only by the next,
    directly or through its own approve/reject decision."""
    wanted, step = set(ids), {}
    for t in ids:
        outs, dec = d.outgoing(t), d.decision_after(t)
        if len(outs) == 1 and outs[0].get("targetRef") in wanted:
            step[t] = (outs[0].get("targetRef"), None)
        elif dec and dec[1].get("targetRef") in wanted:
            step[t] = (dec[1].get("targetRef"), dec)
    heads = [t for t in ids if t not in {n for n, _dec in step.values()}]
    if len(heads) != 1:
        raise refuse(
            model,
            ids[0],
            _("the steps {steps} are not one consecutive sequence").format(steps=", ".join(ids)),
        )
    seq = [heads[0]]
    decisions: list[Any] = []
    while len(seq) < len(ids):
        if seq[-1] not in step:
            raise refuse(
                model,
                seq[-1],
                _(
                    "is not followed directly by another of the steps "
                    "{steps}, so they are not consecutive"
                ).format(steps=", ".join(ids)),
            )
        nxt, dec = step[seq[-1]]
        if len(d.incoming(nxt)) != 1 or nxt in seq:
            raise refuse(
                model,
                nxt,
                _("is entered from elsewhere too, so it cannot be merged into the step before it"),
            )
        if dec is not None:
            if len(dec[2]) != 1:
                raise refuse(
                    model,
                    dec[0].get("id"),
                    _("has more than one reject branch; only approve/reject decisions merge"),
                )
            decisions.append(dec)
        seq.append(nxt)
    return seq, decisions


def _merge_decisions(model: ProcessModel, d: Draft, first: str, decisions, last) -> tuple:
    """One decision after the composed step that rejects if any of the merged ones would.

    Returns the change-log record ``(gateway, accept flow, reject flow, ((old gateway, old
    accept flow), ...))`` so branch probabilities can be multiplied.
    """
    every = decisions + ([last] if last else [])
    targets = {dec[2][0].get("targetRef") for dec in every}
    if len(targets) > 1 and not all(model.elements[x].kind == "endEvent" for x in targets):
        raise refuse(
            model,
            every[1][0].get("id"),
            _("its reject branch leads elsewhere than the first one's; they cannot be merged"),
        )
    parts = []
    for _gw, accept, rejects in every:
        cond, alt = d.condition(rejects[0]), d.condition(accept)
        parts.append(cond or (f"not ({alt})" if alt else None))
    parts = [p for p in parts if p]
    condition = (
        " or ".join(f"({p})" for p in parts) if len(parts) > 1 else (parts[0] if parts else None)
    )
    old = tuple((gw.get("id"), accept.get("id")) for gw, accept, _r in every)
    if last:
        gw, accept, reject = last[0], last[1], last[2][0]
    else:  # the last step decided nothing: a new decision after the composed step
        out = d.outgoing(first)[0]
        gw = d.add_node(
            "exclusiveGateway",
            near=first,
            lane_of=first,
            name=decisions[0][0].get("name") or "",
            ident=d.new_id(f"Gateway_{first}_ok"),
        )
        accept = d.add_flow(gw.get("id"), out.get("targetRef"))
        d.retarget(out, gw.get("id"))
        reject = decisions[0][2][0]
        d.resource(reject, gw.get("id"))
        gw.set("default", accept.get("id"))
    d.set_condition(reject, condition)
    for old_gw, _a, _r in decisions:
        for f in d.incoming(old_gw.get("id")) + d.outgoing(old_gw.get("id")):
            if f is not reject:
                d.remove_flow(f)
        d.remove_node(old_gw.get("id"))
    return gw.get("id"), accept.get("id"), reject.get("id"), old


def compose(
    model: ProcessModel, task_ids, *, name: str | None = None, finding: str | None = None
) -> Applied:
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
    els = _composable(model, list(dict.fromkeys(task_ids)))
    d = Draft(model)
    before = d.overlaps()
    for el in els:
        if d.boundary_events(el.id):
            raise refuse(model, el.id, _("has boundary events attached; it cannot be composed"))
    seq, decisions = _chain(model, d, [el.id for el in els])
    last_decision = d.decision_after(seq[-1]) if decisions else None
    if last_decision and len(last_decision[2]) != 1:
        last_decision = None
    first = _join_into_first(d, seq)
    record = (_merge_decisions(model, d, seq[0], decisions, last_decision),) if decisions else ()
    for t in seq[1:]:
        d.remove_node(t)
    if decisions:
        d.prune_unreachable()  # a rejection end only the merged decisions reached
        d.collapse_gateways()
    d.sort_activity_children(first)
    labels = [model.elements[t].label for t in seq]
    first.set("name", name or " + ".join(labels))
    _common_kind(first, {model.elements[t].kind for t in seq})
    if any(model.approval(t).is_approval for t in seq):
        d.set_extension(seq[0], "approval", "true")
    point_associations(d.root, first)
    result = d.finish(before)
    what = (
        f"Composed {', '.join(repr(x) for x in labels)} ({els[0].lane or 'no lane'}) into "
        f"one step {first.get('name')!r}; the waits between them disappear."
    )
    if decisions:
        what += " Their approve/reject decisions are merged into one that rejects if any would."
    change = Change(
        "compose",
        tuple(seq),
        what + d.tidy_note(),
        removed=tuple(d.removed),
        merged=((seq[0], tuple(seq)),),
        flow_merges=tuple(d.flow_merges),
        decisions=record,
        names=names_of(model, list(seq) + list(d.removed)),
        finding=finding,
        removed_lanes=tuple(d.dropped_lanes),
    )
    return Applied(result, (change,))


def _composable(model: ProcessModel, ids: list[str]) -> list:
    """The elements of ``ids``, or the refusal naming the first that cannot be composed."""
    if len(ids) < 2:
        raise refuse(model, ids[0] if ids else None, _("compose needs at least two tasks"))
    els = [model.get(t) for t in ids]
    for el in els:
        if not el.is_task:
            raise refuse(
                model,
                el.id,
                _("is a BPMN {kind}, not a task: only tasks can be composed").format(kind=el.kind),
            )
        if el.mandatory:
            raise refuse(
                model,
                el.id,
                _("is marked mandatory (bpe:mandatory): a redesign never merges it away"),
            )
        if el.loop:
            raise refuse(
                model,
                el.id,
                _("has a {loop} loop; it cannot be merged with others").format(loop=el.loop),
            )
    if len({el.lane_id for el in els}) > 1:
        raise refuse(
            model,
            els[1].id,
            _(
                "is in lane {lane} but {label} is in lane {lane2}; only steps of one lane compose"
            ).format(lane=repr(els[1].lane), label=repr(els[0].label), lane2=repr(els[0].lane)),
        )
    return els


def _join_into_first(d: Draft, seq: list[str]):
    """The first task of ``seq`` takes the others' data associations and the last one's way
    out; the flows into the others go (the nodes themselves are removed later)."""
    first = d.node(seq[0])
    for t in seq[1:]:
        for child in list(d.node(t)):
            if etree.QName(child).localname in _MOVABLE:
                first.append(child)
        for f in d.incoming(t):
            d.remove_flow(f)
    for f in d.outgoing(seq[-1]):
        d.resource(f, seq[0])
    return first


def _common_kind(first, kinds: set[str]) -> None:
    """Tasks of different kinds compose into a user task if one was, else a plain task."""
    if len(kinds) > 1:
        first.tag = _B + ("userTask" if "userTask" in kinds else "task")
        # kind-specific attributes (messageRef, implementation, script...) do not carry over
        for attr in list(first.attrib):
            if "}" not in attr and attr not in _ACTIVITY_ATTRS:
                del first.attrib[attr]


def absorb(model: ProcessModel, earlier, into: str, *, finding: str | None = None) -> Applied:
    """Let one decision of a role cover the earlier ones it takes in the same case.

    The composition of steps that are *not* consecutive: when one desk signs (say) the
    location permit, then other offices work, then the same desk signs the nuisance permit
    from the same papers, the earlier signatures are eliminated and the last one covers
    them all. Its duration becomes the sum (the work is still done, once, in one sitting);
    the waits of the earlier ones disappear.

    Parameters
    ----------
    model : ProcessModel
    earlier : sequence of str
        Task ids whose decision ``into`` takes over; each is removed as by :func:`eliminate`.
    into : str
        The task that remains, in the same lane.

    Raises
    ------
    ModelError
        A step is mandatory, not a task, or in another lane than ``into``.
    """
    keep = model.get(into)
    ids = [model.get(t).id for t in dict.fromkeys(earlier) if t != keep.id]
    if not ids:
        raise refuse(model, keep.id, _("absorb needs at least one other step"))
    for t in ids:
        el = _removable(model, t, _("absorbed"))
        if el.lane_id != keep.lane_id:
            raise refuse(
                model,
                el.id,
                _(
                    "is in lane {lane} but {label} is in lane {lane2}; "
                    "only one role's decisions combine"
                ).format(lane=repr(el.lane), label=repr(keep.label), lane2=repr(keep.lane)),
            )
    steps: list[Change] = []
    # first the remaining step takes over what the earlier ones produced, so their documents
    # are still written (and not orphaned) when those steps go
    new = _take_outputs(model, model, ids, keep.id)
    for t in ids:
        new, made = eliminate(new, t, finding=finding)
        steps += made
    labels = [model.elements[t].label for t in ids]
    removed = tuple(dict.fromkeys(r for c in steps for r in c.removed))
    lanes = tuple(dict.fromkeys(x for c in steps for x in c.removed_lanes))
    what = (
        f"{keep.label!r} ({keep.lane or 'no lane'}) now also decides what "
        f"{', '.join(repr(x) for x in labels)} decided, in one sitting; the earlier "
        "step"
        + ("s are" if len(ids) > 1 else " is")
        + " gone with "
        + ("their" if len(ids) > 1 else "its")
        + " wait."
    )
    change = Change(
        "compose",
        (*ids, keep.id),
        what,
        removed=removed,
        merged=((keep.id, (*ids, keep.id)),),
        flow_merges=tuple(m for c in steps for m in c.flow_merges),
        names=names_of(model, [*ids, keep.id, *removed]),
        finding=finding,
        removed_lanes=lanes,
    )
    return Applied(new, (change,))


def _take_outputs(model: ProcessModel, new: ProcessModel, ids, into: str) -> ProcessModel:
    """The documents the absorbed steps produced are now produced by ``into``.

    Without this a later step would read a permit that nothing writes any more. Only the
    semantic association is added (no DI edge: modelers draw data associations optionally).
    """
    old_root, root = model.tree(), new.tree()
    node = root.xpath("//*[@id=$i]", i=into)[0]
    have = {_text(r) for r in node.iterfind(f"{_B}dataOutputAssociation/{_B}targetRef")}
    present = {n.get("id") for n in root.iter() if isinstance(n.tag, str) and n.get("id")}
    added = False
    for t in ids:
        for ref in old_root.xpath("//*[@id=$i]", i=t)[0].iterfind(
            f"{_B}dataOutputAssociation/{_B}targetRef"
        ):
            target = _text(ref)
            if target in have or target not in present:
                continue
            assoc = etree.SubElement(
                node, f"{_B}dataOutputAssociation", id=f"DataOutputAssociation_{into}_{target}"
            )
            etree.SubElement(assoc, f"{_B}targetRef").text = target
            have.add(target)
            added = True
    # the schema wants data associations after incoming/outgoing and before loop markers
    if added:
        assocs = [c for c in node if etree.QName(c).localname == "dataOutputAssociation"]
        rest = [
            c
            for c in node
            if etree.QName(c).localname
            in ("standardLoopCharacteristics", "multiInstanceLoopCharacteristics")
        ]
        for c in assocs + rest:
            node.remove(c)
            node.append(c)
    return ProcessModel.from_tree(root, new.file) if added else new


def _text(node) -> str:
    return (node.text or "").strip()
