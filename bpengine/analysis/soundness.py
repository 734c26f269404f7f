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

- *no deadlock*: a state with tokens left and nothing able to fire (XOR split, AND join);
- *no lack of synchronisation*: two tokens on one flow (an AND split merged by XOR), so
  the steps after it run twice;
- *proper completion*: a case that reached an end event yet leaves a token stuck;
- *option to complete*: from every state the empty state stays reachable (no endless loop);
- *no dead elements*: every flow node fires in some run;
- *no livelock*: no loop made only of gateways (and throw or link events); nothing in it
  can change the data its way out reads (:mod:`.livelock`, checked even when cut short).
The exploration stops after ``max_states`` states and says so (``complete=False``):
a large state space gives an incomplete answer, never a hang.
"""
from __future__ import annotations

import gc
from collections import deque
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from ..i18n import _
from .livelock import gateway_loops, livelocks

__all__ = ["DEFAULT_MAX_STATES", "Violation", "SoundnessReport", "soundness", "gateway_loops"]

DEFAULT_MAX_STATES = 50_000
_ROOT = ("start",)
_XOR = ("exclusiveGateway", "eventBasedGateway", "complexGateway")


@dataclass(frozen=True)
class Violation:
    """One soundness violation and a firing sequence (element ids) that leads to it."""

    kind: str
    element: str | None
    message: str
    path: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"kind": self.kind, "element": self.element, "message": self.message,
                "path": list(self.path)}


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
        return {"sound": self.sound, "complete": self.complete, "states": self.states,
                "max_states": self.max_states,
                "violations": [v.to_dict() for v in self.violations]}

    def __str__(self) -> str:
        from .output import soundness_table  # one wording of the verdict, translated there

        return soundness_table(self)


class _Net:
    """One scope compiled for the token game: flows numbered, firing rules precomputed."""

    def __init__(self, model, nodes, entry: str | None = None):
        els, flows = model.elements, model.flows
        self.model = model
        self.entry = entry
        self.nodes = [n for n in nodes if not self._outside(model, n)]
        inside = set(self.nodes)
        fids = [f for f in flows.values() if f.source in inside and f.target in inside]
        self.flow_ids = [f.id for f in fids]
        self.index = {f: i for i, f in enumerate(self.flow_ids)}
        self.target = [flows[f].target for f in self.flow_ids]
        self.inc = {n: [self.index[f] for f in els[n].incoming if f in self.index] for n in inside}
        self.out = {n: [self.index[f] for f in els[n].outgoing if f in self.index] for n in inside}
        links = {}
        for n in inside:
            if els[n].event == "link" and els[n].kind == "intermediateCatchEvent":
                links[els[n].event_value] = n
        self.link_target = {n: links.get(els[n].event_value) for n in inside
                            if els[n].event == "link" and els[n].kind == "intermediateThrowEvent"}
        self.boundary: dict[str, Any] = {}
        for n in inside:
            b = els[n]
            if b.kind == "boundaryEvent" and b.attached_to in inside:
                self.boundary.setdefault(b.attached_to, []).append(b.id)
        self.upstream = {}
        for n in inside:
            if els[n].kind == "inclusiveGateway" and len(self.inc[n]) > 1:
                self.upstream[n] = {i: self._upstream(n, i) for i in self.inc[n]}

    @staticmethod
    def _outside(model, n) -> bool:
        el = model.elements[n]
        if el.kind == "boundaryEvent" and el.event == "compensate":
            return True  # it points at a compensation handler; it never moves a token
        return el.triggered_by_event or el.for_compensation or (
            el.kind == "startEvent" and el.scope is not None
            and model.elements[el.scope].triggered_by_event)

    def _upstream(self, join, flow_index) -> frozenset:
        """Flows from which a token can still reach ``flow_index`` without passing ``join``."""
        els, seen, todo = self.model.elements, {flow_index}, [flow_index]
        while todo:
            src = self.model.flows[self.flow_ids[todo.pop()]].source
            if src == join:
                continue
            for i in self.inc.get(src, ()):
                if i not in seen:
                    seen.add(i)
                    todo.append(i)
            att = els[src].attached_to
            if att in self.inc:
                for i in self.inc[att]:
                    if i not in seen:
                        seen.add(i)
                        todo.append(i)
        return frozenset(seen)

    def initial(self) -> list[tuple[str, tuple]]:
        """(start node, marking) for every way the scope can start."""
        els = self.model.elements
        if self.entry is not None:  # a detached escalation path, entered by its boundary event
            return [(self.entry, tuple(sorted(self.out[self.entry])))]
        starts = [n for n in self.nodes if els[n].kind == "startEvent"
                  or n in self.model.message_entries]  # a message's way in: not dead
        if starts:
            return [(s, tuple(sorted(self.out[s]))) for s in starts]
        free = [n for n in self.nodes if not self.inc[n] and els[n].kind != "boundaryEvent"
                and not (els[n].event == "link" and els[n].kind == "intermediateCatchEvent")]
        return [("+".join(free), tuple(sorted(i for n in free for i in self.out[n])))] if free else []

    def _join_firings(self, node, kind, marking, present):
        """AND: every way in has a token; OR: no missing one can still come (any ways out)."""
        inc = self.inc[node]
        if kind == "parallelGateway":
            if all(i in present for i in inc):
                yield (node,), _replace(marking, inc, self.out[node]), False
            return
        have = [i for i in inc if i in present]
        if not any(present & self.upstream[node][i] for i in inc if i not in present):
            for outs in _subsets(self.out[node]):
                yield (node,), _replace(marking, have, outs), False

    def firings(self, marking):
        """Yield (fired node ids, next marking, ended) for every enabled firing."""
        els = self.model.elements
        present = set(marking)
        for node in sorted({self.target[i] for i in present}):
            kind = els[node].kind
            inc = self.inc[node]
            if kind == "parallelGateway" or (kind == "inclusiveGateway" and node in self.upstream):
                yield from self._join_firings(node, kind, marking, present)
                continue
            for i in inc:
                if i not in present:
                    continue
                if kind in _XOR:
                    for o in self.out[node] or [None]:
                        yield (node,), _replace(marking, [i], [] if o is None else [o]), False
                elif kind == "inclusiveGateway":
                    for outs in _subsets(self.out[node]):
                        yield (node,), _replace(marking, [i], outs), False
                elif kind == "endEvent":
                    if els[node].event == "terminate":
                        yield (node,), (), True
                    else:
                        yield (node,), _replace(marking, [i], []), True
                elif node in self.link_target and self.link_target[node]:
                    catch = self.link_target[node]
                    yield (node, catch), _replace(marking, [i], self.out[catch]), False
                else:
                    yield (node,), _replace(marking, [i], self.out[node]), False
                    for b in self.boundary.get(node, ()):
                        extra = self.out[b] if els[b].cancel_activity else self.out[node] + self.out[b]
                        yield (node, b), _replace(marking, [i], extra), False


def _detached(model, nodes) -> dict[str, set]:
    """Non-interrupting boundary events whose path never rejoins the scope, and that path:
    a reminder may run once per rework round, several at a time, without lacking sync."""
    els, flows, inside = model.elements, model.flows, set(nodes)
    attached: dict[str, list[str]] = {}
    for n in nodes:
        if els[n].attached_to:
            attached.setdefault(els[n].attached_to, []).append(n)
    out = {}
    for b in nodes:
        el = els[b]
        if el.kind != "boundaryEvent" or el.cancel_activity or el.event == "compensate":
            continue
        region, todo = set(), [flows[f].target for f in el.outgoing]
        while todo:
            n = todo.pop()
            if n in region or n not in inside:
                continue
            region.add(n)
            todo += [flows[f].target for f in els[n].outgoing]
            todo += attached.get(n, [])
        if region and all(flows[f].source in region or flows[f].source == b
                          for n in region for f in els[n].incoming):
            out[b] = region
    return out


def _replace(marking, remove, add) -> tuple:
    tokens = list(marking)
    for i in remove:
        tokens.remove(i)
    tokens.extend(add)
    tokens.sort()
    return tuple(tokens)


def _subsets(outs):
    if len(outs) > 6:  # 2^n choices would swamp the search: each branch alone, or all
        return [[o] for o in outs] + [list(outs)]
    return [list(c) for k in range(1, len(outs) + 1) for c in combinations(outs, k)] or [[]]


def _path(parent, state) -> tuple[str, ...]:
    steps = []
    while state in parent:
        state, fired = parent[state]
        steps.extend(reversed(fired))
    return tuple(reversed(steps))


def _explore(net, budget):
    """Breadth-first token game over one net. Returns facts for the verdicts."""
    parent, children, fired_nodes = {}, {}, set()
    unsafe, deadlocks, ended_before, frontier_cut = [], [], set(), False
    queue = deque()
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
    return {"parent": parent, "children": children, "fired": fired_nodes, "unsafe": unsafe,
            "deadlocks": deadlocks, "ended": ended_before, "cut": frontier_cut or bool(queue),
            "states": len(seen), "seen": seen}


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
        out.append(Violation(
            "lack-of-synchronisation", node,
            _("{step} passes on two tokens at once: parallel branches meet there without an "
              "AND join, so what follows runs twice").format(step=repr(els[node].label)),
            _path(parent, state)))
    for state in facts["deadlocks"]:
        stuck = sorted({net.target[i] for i in state[0]})
        node = next((n for n in stuck if els[n].kind in ("parallelGateway", "inclusiveGateway")),
                    stuck[0])
        kind = "improper-completion" if state in facts["ended"] else "deadlock"
        if (kind, node) in done:
            continue
        done.add((kind, node))
        if els[node].kind == "parallelGateway":
            why = _("the AND join {step} waits for a branch that never comes (an exclusive "
                    "choice before it is joined as if parallel)")
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
        out.append(Violation(
            "no-option-to-complete", node,
            _("from here the case can never finish: it loops through {step} with no way out"
              ).format(step=repr(els[node].label if node else _("the net"))), _path(parent, first)))
    for n in net.nodes:
        if n not in facts["fired"]:
            out.append(Violation("dead-element", n, _("{step} can never be reached in any "
                                                      "run").format(step=repr(els[n].label)), ()))
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

        raise BpengineError("max_states (--max-states) must be a positive integer, "
                            f"not {max_states!r}")
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
            detached = _detached(model, scopes[key])
            hidden = set(detached).union(*detached.values())
            nets.append(_Net(model, [n for n in scopes[key] if n not in hidden]))
            nets += [_Net(model, [b, *sorted(region)], entry=b)
                     for b, region in sorted(detached.items())]
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
    violations.extend(Violation("livelock", loop[0], message, tuple(loop))
                      for loop, message in livelocks(model))
    return SoundnessReport(complete, states, max_states, tuple(violations))

