"""Parallelise a sign-off chain: steps one after the other become steps side by side.

A chain ``A -> (A ok?) -> B -> (B ok?) -> C`` where no step reads what an earlier one writes
becomes ``AND-split -> A | B -> AND-join -> (all ok?) -> C``. The rejections of the single
steps are merged into one decision whose reject branch goes where theirs went, with the
condition "any of them rejected"; the case waits only for the slowest signer instead of
the sum of all of them.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from ..i18n import _
from ..model import ProcessModel
from ..model.elements import ACTIVITY_KINDS
from .changes import Applied, Change
from .editing import Draft, refuse
from .eliminate import names_of

__all__ = ["parallelise"]


_MAX_BETWEEN = 5  # plain steps allowed between two steps of a chain (carry the file...)


def _walk(d: Draft, flow, members) -> tuple[list[str], str | None]:
    """Plain steps from ``flow`` up to the next chain member: ``(steps, member or None)``."""
    between: list[Any] = []
    nxt = flow.get("targetRef")
    while nxt not in members and len(between) < _MAX_BETWEEN:
        node, outs = d.node(nxt), d.outgoing(nxt)
        kind = etree.QName(node).localname
        if (
            kind not in ACTIVITY_KINDS | {"intermediateCatchEvent", "intermediateThrowEvent"}
            or len(outs) != 1
            or len(d.incoming(nxt)) != 1
            or d.boundary_events(nxt)
        ):
            return between, None
        between.append(nxt)
        nxt = outs[0].get("targetRef")
    return between, (nxt if nxt in members else None)


def _steps(model: ProcessModel, d: Draft, ids: list[str]):
    """The chain in flow order: ``[(id, exit flow, decision or None, steps before it)]``.

    Plain steps between two members (the applicant carrying the letter to the next office)
    run before the later member, on its branch.
    """
    info, reached = {}, {}
    for t in ids:
        decision = d.decision_after(t)
        if decision and len(decision[2]) != 1:
            raise refuse(
                model,
                decision[0].get("id"),
                _("has more than one reject branch; only approve/reject decisions can be merged"),
            )
        outs = d.outgoing(t)
        if not decision and len(outs) != 1:
            raise refuse(
                model, t, _("has {n} outgoing flows; a step of a chain has one").format(n=len(outs))
            )
        info[t] = (decision[1] if decision else outs[0], decision)
        between, member = _walk(d, info[t][0], set(ids))
        if member is not None:
            reached[t] = (member, between)
    heads = [t for t in ids if t not in {m for m, _b in reached.values()}]
    if len(heads) != 1:
        raise refuse(
            model, ids[0], _("the steps {steps} do not form one chain").format(steps=", ".join(ids))
        )
    seq = [heads[0]]
    before: dict[str, list[Any]] = {heads[0]: []}
    while len(seq) < len(ids):
        if seq[-1] not in reached or reached[seq[-1]][0] in seq:
            raise refuse(
                model,
                seq[-1],
                _("is not followed by another step of the chain {steps}").format(
                    steps=", ".join(ids)
                ),
            )
        nxt, between = reached[seq[-1]]
        if len(d.incoming(between[0] if between else nxt)) != 1:
            raise refuse(
                model, nxt, _("is entered from elsewhere too, so the chain cannot be parallelised")
            )
        seq.append(nxt)
        before[nxt] = between
    return [(t, *info[t], before[t]) for t in seq]


def _data_conflict(model: ProcessModel, segments: list[list[str]]) -> None:
    for i, early in enumerate(segments):
        for late in segments[i + 1 :]:
            for a_id in early:
                a = model.elements[a_id]
                for b_id in late:
                    b = model.elements[b_id]
                    clash = sorted(set(a.writes) & (set(b.reads) | set(b.writes)))
                    if clash:
                        raise refuse(
                            model,
                            b.id,
                            _(
                                "uses {document}, which {step} writes before it: they cannot run in "
                                "parallel"
                            ).format(document=repr(clash[0]), step=repr(a.label)),
                        )


def parallelise(model: ProcessModel, task_ids, *, finding: str | None = None) -> Applied:
    """Run a chain of consecutive steps in parallel between an AND split and join.

    Parameters
    ----------
    model : ProcessModel
    task_ids : sequence of str
        Two or more steps (any order) that follow one another, each possibly with its own
        approve/reject decision right after it.
    finding
        As for :func:`~bpengine.redesign.eliminate`.

    Returns
    -------
    Applied
        The new model, laid out again (the split and join need room), and its change.

    Raises
    ------
    ModelError
        Not activities, not one chain, a step reads what an earlier one writes, a decision
        with several reject branches, or reject branches that lead to different places.
    """
    d = Draft(model)
    chain = _steps(model, d, _parallelisable(model, d, list(dict.fromkeys(task_ids))))
    seq = [t for t, _exit, _dec, _before in chain]
    _data_conflict(model, [[*before, t] for t, _exit, _dec, before in chain])
    decisions = [(t, dec) for t, _exit, dec, _before in chain if dec]
    reject_target = _reject_target(model, decisions)
    accept_out = chain[-1][1]
    reject_out = decisions[0][1][2][0] if decisions else None
    reject_parts = []
    for _t, (_gw, accept, rejects) in decisions:
        cond, alt = d.condition(rejects[0]), d.condition(accept)
        reject_parts.append(cond or (f"not ({alt})" if alt else None))
    entry = d.incoming(seq[0])
    keep = {accept_out.get("id"), reject_out.get("id") if reject_out is not None else None}
    for _t, exit_flow, dec, _before in chain:
        if dec:
            gw = dec[0].get("id")
            for f in d.incoming(gw) + d.outgoing(gw):
                if f.get("id") not in keep:
                    d.remove_flow(f)
        elif exit_flow.get("id") not in keep:
            d.remove_flow(exit_flow)
    split = d.add_node(
        "parallelGateway", near=seq[0], lane_of=seq[0], ident=d.new_id(f"Gateway_{seq[0]}_split")
    )
    join = d.add_node(
        "parallelGateway", near=seq[-1], lane_of=seq[-1], ident=d.new_id(f"Gateway_{seq[-1]}_join")
    )
    _lead_into(d, split, seq[0], entry)
    for t, _exit, _dec, before in chain:
        d.add_flow(split.get("id"), before[0] if before else t)
        d.add_flow(t, join.get("id"))
    if decisions:
        assert reject_out is not None  # both set from decisions[0] (for the type checker)
        assert reject_target is not None
        decide = _merged_decision(
            d, decisions, seq[-1], join, accept_out, (reject_out, reject_target, reject_parts)
        )
    else:
        d.resource(accept_out, join.get("id"))
    for _t, dec in decisions:
        d.remove_node(dec[0].get("id"))
    d.prune_unreachable()
    d.collapse_gateways()
    result = d.finish()
    labels = ", ".join(repr(model.elements[t].label) for t in seq)
    what = f"Parallelised {labels}: they now run side by side between an AND split and join"
    if decisions:
        what += (
            "; their approve/reject decisions are merged into one "
            f"({decide.get('name')!r}) that rejects if any of them rejects"
        )
    old = tuple((dec[0].get("id"), dec[1].get("id")) for _t, dec in decisions)
    record = (
        ((decide.get("id"), accept_out.get("id"), reject_out.get("id"), old),)
        if decisions and reject_out is not None
        else ()
    )
    change = Change(
        "parallelise",
        tuple(seq),
        what + "." + d.tidy_note(),
        removed=tuple(d.removed),
        flow_merges=tuple(d.flow_merges),
        decisions=record,
        names=names_of(model, list(seq) + list(d.removed)),
        finding=finding,
        removed_lanes=tuple(d.dropped_lanes),
    )
    return Applied(result, (change,))


def _parallelisable(model: ProcessModel, d: Draft, ids: list[str]) -> list[str]:
    """``ids`` if they can run side by side, or the refusal naming the first that cannot."""
    if len(ids) < 2:
        raise refuse(model, ids[0] if ids else None, _("parallelise needs at least two steps"))
    els = [model.get(t) for t in ids]
    for el in els:
        if not el.is_activity:
            raise refuse(
                model,
                el.id,
                _("is a BPMN {kind}, not a task: only tasks run in parallel").format(kind=el.kind),
            )
    for el in els:
        # an interrupting boundary event would leave the AND join waiting for ever
        if any(b.get("cancelActivity", "true") != "false" for b in d.boundary_events(el.id)):
            raise refuse(
                model,
                el.id,
                _(
                    "has an interrupting boundary event; its escape path "
                    "would leave the parallel join waiting"
                ),
            )
    return [el.id for el in els]


def _reject_target(model: ProcessModel, decisions) -> str | None:
    """Where the merged decision rejects to: the one place every reject branch leads (or an
    end event), else the refusal."""
    if not decisions:
        return None
    targets = {dec[2][0].get("targetRef") for _t, dec in decisions}
    if len(targets) > 1 and not all(model.elements[x].kind == "endEvent" for x in targets):
        raise refuse(
            model,
            decisions[1][1][0].get("id"),
            _("its reject branch leads elsewhere than the first one's; they cannot be merged"),
        )
    return decisions[0][1][2][0].get("targetRef")


def _lead_into(d: Draft, split, first: str, entry) -> None:
    """The ways into ``first`` lead into the AND split instead; several are merged first (a
    split entered twice would act as a join)."""
    if len(entry) > 1:
        merge = d.add_node(
            "exclusiveGateway", near=first, lane_of=first, ident=d.new_id(f"Gateway_{first}_merge")
        )
        for f in entry:
            d.retarget(f, merge.get("id"))
        d.add_flow(merge.get("id"), split.get("id"))
    else:
        d.retarget(entry[0], split.get("id"))


def _merged_decision(d: Draft, decisions, last: str, join, accept_out, reject):
    """One decision after the join that rejects if any of the steps' decisions would."""
    reject_out, reject_target, reject_parts = reject
    names = {dec[0].get("name") for _t, dec in decisions}
    decide = d.add_node(
        "exclusiveGateway",
        near=last,
        lane_of=last,
        name=names.pop() if len(names) == 1 and None not in names else "All approved?",
        ident=d.new_id(f"Gateway_{last}_all_ok"),
    )
    d.add_flow(join.get("id"), decide.get("id"))
    d.resource(accept_out, decide.get("id"))
    d.set_condition(accept_out, None)
    d.resource(reject_out, decide.get("id"))
    d.retarget(reject_out, reject_target)
    parts = [p for p in reject_parts if p]
    d.set_condition(
        reject_out,
        " or ".join(f"({p})" for p in parts) if len(parts) > 1 else (parts[0] if parts else None),
    )
    decide.set("default", accept_out.get("id"))
    return decide
