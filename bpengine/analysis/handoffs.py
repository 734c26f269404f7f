"""Ping-pong handoffs: a file that goes to another office and straight back.

Every change of hands costs a wait in an in-tray. When a file leaves office X for office
Y and returns to X within a few steps, one of the two could usually do the work, all the
more when Y only receives or forwards the file.
"""

from __future__ import annotations

import re
from collections import deque
from typing import Any

from ..i18n import _, ngettext
from .documents import step_acts
from .estimates import DEFAULT_HANDOFF_WAIT_DAYS, Estimates
from .finding import make_finding, rule
from .structure import AUTOMATED_KINDS, is_customer_lane, structure_of

__all__ = ["MAX_PINGPONG_STEPS", "check_ping_pong", "forward_activities", "lane_path_handoffs"]

#: A return to the same lane within this many activities counts as ping-pong.
MAX_PINGPONG_STEPS = 3
# Steps that only move the file on: receiving, forwarding, registering, handing over.
_FORWARD_RE = re.compile(
    r"\b(terima|menerima|penerimaan|teruskan|meneruskan|kirim|mengirim|pengiriman|serahkan|"
    r"menyerahkan|agenda|mengagendakan|catat|mencatat|register|registrasi|arsip|forward|"
    r"receive|send|pass|hand|route|log|baca|membaca|read)",
    re.IGNORECASE,
)


def forward_activities(st, node: str, *, sequential: bool = False) -> set:
    """Activities reached from ``node`` through gateways/events, ignoring back edges.

    With ``sequential``, the file's own route only: an approval continues on its approve
    branch, and parallel splits (work done side by side, not handed on) stop the walk.
    """
    g, els = st.forward_graph, st.model.elements
    decision = st.decisions.get(node) if sequential else None
    if decision is not None:
        first = [st.model.flows[f].target for f in decision.accept_flows]
    else:
        first = list(g.successors(node))
    todo, seen, found = deque(first), set(), set()
    while todo:
        n = todo.popleft()
        if n in seen:
            continue
        seen.add(n)
        if els[n].is_activity and not (sequential and els[n].kind in AUTOMATED_KINDS):
            found.add(n)
        elif not (sequential and els[n].kind == "parallelGateway"):
            todo.extend(g.successors(n))  # automated steps hand nothing to a person
    return found


def lane_path_handoffs(model) -> int:
    """Number of sequence-flow handoffs: activity-to-next-activity lane changes."""
    st, els = structure_of(model), model.elements
    return sum(
        1
        for a in st.activities
        for b in forward_activities(st, a)
        if els[a].lane and els[b].lane and els[a].lane != els[b].lane
    )


def _only_forwards(model, st, steps) -> bool:
    return all(
        s not in st.approval_set and _FORWARD_RE.search(model.elements[s].name or "") for s in steps
    )


@rule("ping-pong")
def check_ping_pong(model, scenario=None) -> list:
    """Flag a lane sequence X -> Y ... -> X within a few steps.

    Graph pattern: a path of activities ``a0, a1, ..., ak`` of one pool (``k`` at most
    :data:`MAX_PINGPONG_STEPS`, following sequence flows but not loop-back edges) where
    ``a0`` and ``ak`` are in lane X and every ``a1 .. a(k-1)`` is in another lane. Reject
    branches (rework, rule *rework-loop*) and parallel splits are not followed.
    Severity is *warning* when the other lanes only receive or forward the file, else
    *note*. Suggests *reassign*: give the intermediate work to X, or the case to one role;
    ``targets`` lists only the intermediate steps that may change role (not approvals,
    not mandatory steps).
    """
    st, est = structure_of(model), Estimates(model, scenario)
    els = model.elements
    found: list[Any] = []
    seen: set[Any] = set()
    for a0 in st.activities:
        home = els[a0].lane
        if home is None or is_customer_lane(model, home) or "dispose" in step_acts(model, a0):
            continue  # the applicant is served, not handed to; a disposition delegates
        todo: deque[tuple[str, ...]] = deque([(a0,)])
        while todo:
            path = todo.popleft()
            for nxt in sorted(forward_activities(st, path[-1], sequential=True)):
                lane = els[nxt].lane
                if (
                    lane is None
                    or nxt in path
                    or is_customer_lane(model, lane)
                    or els[nxt].process != els[a0].process
                ):
                    continue  # another pool is another agency: its work cannot be given
                    # to X (a trip there and back is a hand-over, rule paper-handover)
                if lane == home:
                    if len(path) >= 2 and (a0, nxt) not in seen:
                        seen.add((a0, nxt))
                        found.append(_finding(model, st, est, (*path, nxt)))
                elif len(path) < MAX_PINGPONG_STEPS:
                    todo.append((*path, nxt))
    return found


def _finding(model, st, est, path):
    els = model.elements
    middle = path[1:-1]
    home = els[path[0]].lane
    others = list(dict.fromkeys(els[m].lane for m in middle))
    forwards = _only_forwards(model, st, middle)
    explanation = _(
        "The file leaves {home} after {first}, goes to {others} for {steps}, and comes "
        "straight back to {home} for {last}. Two changes of hands, each with its wait in an "
        "in-tray, for {what}"
    ).format(
        home=home,
        first=repr(els[path[0]].label),
        others=_(" and ").join(others),
        steps=", ".join(repr(els[m].label) for m in middle),
        last=repr(els[path[-1]].label),
        what=(
            _(
                "steps that only receive or pass the file on; let {home} do them, or send "
                "the file once."
            ).format(home=home)
            if forwards
            else ngettext(
                "{n} step; consider giving that work to {home}, or the whole case to one role.",
                "{n} steps; consider giving that work to {home}, or the whole case to one role.",
                len(middle),
            ).format(n=len(middle), home=home)
        ),
    )
    hours = sum(est.task_minutes(m) for m in middle) / 60.0 if forwards else 0.0
    # approvals and mandatory steps keep their role: only plain work moves to X
    movable = tuple(m for m in middle if m not in st.approval_set and not els[m].mandatory)
    return make_finding(
        model,
        check_ping_pong.id,
        path,
        explanation,
        "reassign",
        severity="warning" if forwards else "note",
        targets=movable,
        saving=est.saving(2 * DEFAULT_HANDOFF_WAIT_DAYS, hours),
    )
