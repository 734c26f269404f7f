"""Soundness by playing the token game: a bounded exploration of every reachable state.

Each process and each embedded subprocess is a net of its own (a subprocess counts as one step of
its parent). A state is the multiset of tokens on sequence flows; the game fires flow nodes with
BPMN semantics: an AND gateway waits for all incoming tokens, an XOR gateway passes one token to
one branch, an OR split to any non-empty set of branches and an OR join waits while a token
upstream can still reach an empty incoming flow; tasks and events merge without synchronising and
split to every outgoing flow; a boundary event is an alternative way out of its activity; a
terminate end event clears the net. A non-interrupting boundary event whose path never rejoins the
flow (a reminder, an escalation) starts a thread of its own and is checked as a net of its own.

Properties checked, each violation with the shortest firing sequence that shows it:

*no deadlock* (tokens left, nothing can fire: XOR split, AND join); *no lack of
synchronisation* (two tokens on one flow: the steps after it run twice); *proper completion* (an
end reached with a token stuck); *option to complete* (the empty state stays reachable); *no dead
elements*; *no livelock* (a loop of gateways only, :mod:`.livelock`, checked even when cut
short). The exploration stops after ``max_states`` states and says so (``complete=False``).
"""

from __future__ import annotations

import gc
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from ..i18n import _
from .livelock import gateway_loops, livelocks
from .token_game import Net, detached

__all__ = ["DEFAULT_MAX_STATES", "Violation", "SoundnessReport", "soundness", "gateway_loops"]

DEFAULT_MAX_STATES = 50_000
_ROOT = ("start",)


@dataclass(frozen=True)
class Violation:
    """One soundness violation and a firing sequence (element ids) that leads to it."""

    kind: str
    element: str | None
    message: str
    path: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "element": self.element,
            "message": self.message,
            "path": list(self.path),
        }


@dataclass(frozen=True)
class SoundnessReport:
    """The result of :func:`soundness`.

    ``sound`` is true only when nothing was found *and* the exploration was complete.
    """

    complete: bool
    states: int
    max_states: int
    violations: tuple[Violation, ...] = field(default_factory=tuple)

    @property
    def sound(self) -> bool:
        return self.complete and not self.violations

    def to_dict(self) -> dict:
        return {
            "sound": self.sound,
            "complete": self.complete,
            "states": self.states,
            "max_states": self.max_states,
            "violations": [v.to_dict() for v in self.violations],
        }

    def __str__(self) -> str:
        from .output import soundness_table  # one wording of the verdict, translated there

        return soundness_table(self)


def _path(parent, state) -> tuple[str, ...]:
    steps = []
    while state in parent:
        state, fired = parent[state]
        steps.extend(reversed(fired))
    return tuple(reversed(steps))


def _explore(net, budget):
    """Breadth-first token game over one net. Returns facts for the verdicts."""
    parent: dict[Any, Any] = {}
    children: dict[Any, Any] = {}
    fired_nodes: set[str] = set()
    unsafe, deadlocks, ended_before, frontier_cut = [], [], set(), False
    queue: deque[tuple[Any, ...]] = deque()
    for start, marking in net.initial():
        starts = tuple(start.split("+"))
        fired_nodes.update(starts)
        if (marking,) not in parent:
            parent[(marking,)] = (_ROOT, starts)  # _ROOT has no parent: paths stop there
            queue.append((marking,))
    seen = set(queue)
    while queue:
        if len(seen) > budget:
            frontier_cut = True
            break
        state = queue.popleft()
        marking = state[0]
        if len(set(marking)) != len(marking):
            unsafe.append(state)
            continue
        kids = []
        for fired, nxt, ended in net.firings(marking):
            fired_nodes.update(fired)
            child = (nxt,)
            kids.append(child)
            if child not in seen:
                seen.add(child)
                parent[child] = (state, fired)
                if ended:
                    ended_before.add(child)
                elif state in ended_before:
                    ended_before.add(child)
                queue.append(child)
        children[state] = kids
        if not kids and marking:
            deadlocks.append(state)
    return {
        "parent": parent,
        "children": children,
        "fired": fired_nodes,
        "unsafe": unsafe,
        "deadlocks": deadlocks,
        "ended": ended_before,
        "cut": frontier_cut or bool(queue),
        "states": len(seen),
        "seen": seen,
    }


def _trapped(facts) -> list:
    """States no final (or already reported) state is reachable from: no option to complete."""
    good = {s for s in facts["seen"] if not s[0]} | set(facts["unsafe"]) | set(facts["deadlocks"])
    back: dict = {}
    for s, kids in facts["children"].items():
        for k in kids:
            back.setdefault(k, []).append(s)
    todo = list(good)
    while todo:
        for p in back.get(todo.pop(), ()):
            if p not in good:
                good.add(p)
                todo.append(p)
    return [s for s in facts["seen"] if s not in good]


def _verdicts(net, facts) -> list[Violation]:
    model, els, out = net.model, net.model.elements, []
    parent = facts["parent"]
    done = set()
    for state in facts["unsafe"]:
        marking = state[0]
        dup = next(i for i in marking if marking.count(i) > 1)
        node = model.flows[net.flow_ids[dup]].source
        if ("sync", node) in done:
            continue
        done.add(("sync", node))
        out.append(
            Violation(
                "lack-of-synchronisation",
                node,
                _(
                    "{step} passes on two tokens at once: parallel branches meet there without an "
                    "AND join, so what follows runs twice"
                ).format(step=repr(els[node].label)),
                _path(parent, state),
            )
        )
    for state in facts["deadlocks"]:
        stuck = sorted({net.target[i] for i in state[0]})
        node = next(
            (n for n in stuck if els[n].kind in ("parallelGateway", "inclusiveGateway")), stuck[0]
        )
        kind = "improper-completion" if state in facts["ended"] else "deadlock"
        if (kind, node) in done:
            continue
        done.add((kind, node))
        if els[node].kind == "parallelGateway":
            why = _(
                "the AND join {step} waits for a branch that never comes (an exclusive "
                "choice before it is joined as if parallel)"
            )
        else:
            why = _("the token before {step} can never move on")
        why = why.format(step=repr(els[node].label))
        if kind == "improper-completion":
            why = _("the case reached an end event while {why}").format(why=why)
        out.append(Violation(kind, node, why, _path(parent, state)))
    if facts["cut"]:
        return out
    if trapped := _trapped(facts):
        first = min(trapped, key=lambda s: len(_path(parent, s)))
        node = net.target[first[0][0]] if first[0] else None
        out.append(
            Violation(
                "no-option-to-complete",
                node,
                _(
                    "from here the case can never finish: it loops through {step} with no way out"
                ).format(step=repr(els[node].label if node else _("the net"))),
                _path(parent, first),
            )
        )
    for n in net.nodes:
        if n not in facts["fired"]:
            out.append(
                Violation(
                    "dead-element",
                    n,
                    _("{step} can never be reached in any run").format(step=repr(els[n].label)),
                    (),
                )
            )
    return out


def soundness(model, max_states: int = DEFAULT_MAX_STATES) -> SoundnessReport:
    """Check a model's soundness by bounded token-game exploration (see module doc).

    Parameters
    ----------
    model : ProcessModel
    max_states : int
        Budget over all scopes; when exceeded the report is marked incomplete and only
        the violations already seen are listed (dead elements and option-to-complete,
        which need the whole space, are then not judged).

    Returns
    -------
    SoundnessReport

    Examples
    --------
    >>> from bpengine import load
    >>> m = load(b'''<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
    ...  <process id="p"><startEvent id="s"/><exclusiveGateway id="x"/>
    ...  <parallelGateway id="j"/><endEvent id="e"/>
    ...  <sequenceFlow id="f0" sourceRef="s" targetRef="x"/>
    ...  <sequenceFlow id="f1" sourceRef="x" targetRef="j"/>
    ...  <sequenceFlow id="f2" sourceRef="x" targetRef="j"/>
    ...  <sequenceFlow id="f3" sourceRef="j" targetRef="e"/></process></definitions>''')
    >>> r = soundness(m); r.sound, r.violations[0].kind, r.violations[0].path
    (False, 'deadlock', ('s', 'x'))
    """
    if not isinstance(max_states, int) or max_states < 1:
        from ..errors import BpengineError

        raise BpengineError(
            _("max_states (--max-states) must be a positive integer, not {max_states!r}").format(
                max_states=max_states
            )
        )
    scopes: dict[tuple, list[str]] = {}
    for e in model.elements.values():
        scopes.setdefault((e.process, e.scope), []).append(e.id)
    violations, states, complete = [], 0, True
    # The game allocates hundreds of thousands of small acyclic tuples; letting the cyclic
    # garbage collector rescan them over and over costs a third of the run time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        nets = []
        for key in sorted(scopes, key=lambda k: (k[0], k[1] or "")):
            regions = detached(model, scopes[key])
            hidden = set(regions).union(*regions.values())
            nets.append(Net(model, [n for n in scopes[key] if n not in hidden]))
            nets += [
                Net(model, [b, *sorted(region)], entry=b) for b, region in sorted(regions.items())
            ]
        for net in nets:
            if not net.nodes:
                continue
            budget = max_states - states
            if budget <= 0:
                complete = False
                break
            facts = _explore(net, budget)
            states += facts["states"]
            complete &= not facts["cut"]
            violations.extend(_verdicts(net, facts))
    finally:
        if collecting:
            gc.enable()
    violations.extend(
        Violation("livelock", loop[0], message, tuple(loop)) for loop, message in livelocks(model)
    )
    return SoundnessReport(complete, states, max_states, tuple(violations))
