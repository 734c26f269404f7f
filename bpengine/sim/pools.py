"""The token game across pools: message flows carry one case from agency to agency.

Every pool of a collaboration is compiled into one :class:`~.net.Net` (one case, one top
scope). A message flow between two pools becomes a *transfer* node: when its sender ends (a
task completes, a throw or end event is reached) the kernel posts a token that arrives after
the hand-over's transfer time (``handovers:`` in the scenario; a paper file in office hours,
data in seconds) at the receiver:

* a message start event: the receiving pool begins there;
* a catch event, a receive task or any other step: a *meeting point* (``MEET``) in front of
  it waits for both its own pool's token and the message, whichever comes first;
* a message catch behind an event-based gateway: the gateway becomes the meeting point and
  takes the branch whose message arrives first.

What cannot be played is said in a note (a warning of the run), never dropped: a black-box
pool, a receiver inside a subprocess, a message flow within one pool, an answer inside a
loop of messages (its arrival is not awaited, or the two pools would wait for each other).
"""

from __future__ import annotations

from ..i18n import _
from .net import END, MAIL, MEET, PASS, SEND, TASK, TERMINATE, Net

__all__ = ["link_pools", "message_started"]


def _ref(model, element_id) -> str:
    el = model.elements[element_id]
    return element_id if not el.name else f"{element_id} ({el.name})"


def message_started(model) -> set[str]:
    """Receiving elements a message from another simulated pool starts (not an arrival)."""
    return {h.receiver for h in model.case_handovers if not model.elements[h.receiver].incoming}


def _node(net: Net, ident: str, name: str, kind: int, outs: list[int], pool: str) -> int:
    """Append a node the model does not draw (transfer, meeting point, mail door)."""
    net.ids.append(ident)
    net.names.append(name)
    net.kinds.append(kind)
    net.outs.append(outs)
    net.out_flows.append([""] * len(outs))
    net.n_in.append(1)
    net.lane.append(-1)
    net.duration.append(-1)
    net.batch.append(None)
    net.delay.append(None)
    net.delay_working.append(False)
    net.boundaries.append([])
    net.choose.append(None)
    net.reach.append(None)
    net.mi.append(None)
    net.repeat.append(0.0)
    net.pools.append(pool)
    return len(net.ids) - 1


def link_pools(model, scenario, net: Net) -> None:
    """Wire the played message flows of ``model`` into ``net`` (see the module docstring)."""
    played = model.case_handovers
    net.notes.extend(model.handover_notes)
    index = {ident: i for i, ident in enumerate(net.ids)}
    meet: dict[str, int] = {}  # receiver id -> its meeting point
    doors: dict[tuple, int] = {}  # (meeting point, branch) -> MAIL node
    for h in played:
        r = model.elements[h.receiver]
        ri = index[r.id]
        pool = r.pool or ""
        if r.kind == "startEvent":
            target = ri
        else:
            gateway = _event_gateway(model, r)
            if gateway is not None:
                g = index[gateway.id]
                net.kinds[g] = MEET
                branch = net.outs[g].index(ri)
                key = (g, branch)
                if any(
                    model.elements[model.flows[f].target].event == "timer" for f in gateway.outgoing
                ):
                    net.notes.append(
                        _(
                            "event-based gateway {ref}: the branch whose message "
                            "comes first is taken; its timer branch is not "
                            "simulated"
                        ).format(ref=_ref(model, gateway.id))
                    )
            else:
                if r.id not in meet:
                    j = meet[r.id] = _node(net, f"{r.id}#meet", r.name or r.id, MEET, [ri], pool)
                    for k, outs in enumerate(net.outs):
                        if k != j:
                            net.outs[k] = [j if o == ri else o for o in outs]
                    for starts in net.starts.values():
                        starts[:] = [j if s == ri else s for s in starts]
                key = (meet[r.id], 0)
            if key not in doors:
                doors[key] = _node(net, f"{h.flow}#mail", h.name or h.flow, MAIL, [], pool)
                net.mail[doors[key]] = key
            target = doors[key]
        transfer = _node(
            net, h.flow, h.name or h.flow, PASS, [target], model.elements[h.sender].pool or ""
        )
        si = index[h.sender]
        if net.kinds[si] == TERMINATE:
            net.notes.append(
                _(
                    "message flow {flow}: sent by a terminate end event {ref}, "
                    "which ends the case first; not simulated"
                ).format(flow=h.flow, ref=_ref(model, h.sender))
            )
            continue
        if net.kinds[si] in (PASS, END):
            net.kinds[si] = SEND
        elif net.kinds[si] != TASK and net.kinds[si] != SEND:
            net.notes.append(
                _("message flow {flow}: sent when {ref} is left").format(
                    flow=h.flow, ref=_ref(model, h.sender)
                )
            )
        net.sends.setdefault(si, []).append((transfer, scenario.transfer(h.flow, h.kind)))
    for gid in {net.ids[g] for g, _branch in net.mail.values() if net.ids[g] in model.elements}:
        g = index[gid]
        fed = {b for (m, b) in net.mail.values() if m == g}
        missing = [
            model.elements[net.ids[o]].label
            for b, o in enumerate(net.outs[g])
            if b not in fed and net.ids[o] in model.elements
        ]
        if missing:
            net.notes.append(
                _(
                    "event-based gateway {ref}: only the branches a message feeds "
                    "are taken; not {names}"
                ).format(ref=_ref(model, gid), names=", ".join(missing))
            )
    net.notes[:] = list(dict.fromkeys(net.notes))


def _event_gateway(model, el):
    """The event-based gateway ``el`` is a branch of, if it is one."""
    for fid in el.incoming:
        src = model.elements[model.flows[fid].source]
        if src.kind == "eventBasedGateway":
            return src
    return None
