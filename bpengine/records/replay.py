"""Replay logged cases on a model's graph: an optimal alignment per trace.

The model becomes a token game over its flows (a Petri net in all but name): a task
consumes a token from one incoming flow and puts one on each outgoing flow; an exclusive
gateway moves one token from an incoming to one outgoing flow; a parallel gateway needs a
token on every incoming flow and fills every outgoing one; events pass the token on; a
boundary event takes the token of the activity it sits on (the activity never ran) or ends
it while it runs. A trace is then aligned with the model (van der Aalst, Adriansyah and van
Dongen, "Replaying history on process models", 2012): the cheapest sequence of moves where
a step that is logged and allowed costs nothing, a logged step the model does not allow
(*inserted*, or *unknown* when no task matches) and a step the model needs but the log
lacks (*skipped*) cost 1 each, and gateways and events are free. A step both inserted and
skipped in one trace was done out of order (*reordered*). Fitness is
``1 - cost / (trace length + shortest run of the model)``.

Traces are aligned once per variant (the same sequence of activities), by Dijkstra's search
over (position in the trace, marking).
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
from dataclasses import dataclass, field
from functools import cached_property

from ..model import ProcessModel

__all__ = ["Transition", "TokenGame", "Alignment", "Move"]

_EXCLUSIVE = ("exclusiveGateway", "eventBasedGateway", "complexGateway")
_CAP = 3  # tokens per flow; more add nothing but states (non-interrupting events, loops)
SEARCH_LIMIT = 200_000  # states expanded per variant before the search gives up


@dataclass(frozen=True)
class Transition:
    """One way a node can fire: what it takes and gives (flow indexes).

    ``label`` is the task id for activities (a step the log records), None for gateways
    and events; ``clear`` empties every flow (a terminate end event); ``requires_empty``
    are flows that must hold no token (a subprocess ends only when its inside is done).
    """

    node: str
    label: str | None
    consume: tuple[int, ...]
    produce: tuple[int, ...]
    clear: bool = False
    requires_empty: tuple[int, ...] = ()


@dataclass(frozen=True)
class Move:
    """One move of an alignment: ``sync`` (logged and allowed), ``log`` (logged only),
    ``model`` (needed, not logged) or ``silent`` (a gateway or event)."""

    kind: str
    transition: int | None  # index into TokenGame.transitions
    event: int | None  # index into the trace


@dataclass
class Alignment:
    moves: tuple[Move, ...]
    cost: int
    length: int  # events in the trace
    gave_up: bool = False

    def fitness(self, shortest: int) -> float:
        worst = self.length + shortest
        return 1.0 - self.cost / worst if worst else 1.0

    @property
    def fits(self) -> bool:
        return self.cost == 0 and not self.gave_up


@dataclass
class TokenGame:
    """A model's flows as places and its nodes as transitions (see the module doc)."""

    model: ProcessModel
    places: list[str] = field(default_factory=list)
    transitions: list[Transition] = field(default_factory=list)
    initial: tuple[int, ...] = ()
    sequence_places: tuple[int, ...] = ()
    notes: list[str] = field(default_factory=list)
    _cache: dict = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, model: ProcessModel) -> TokenGame:
        game = cls(model)
        game._build()
        return game

    # -- building ---------------------------------------------------------------------
    def _place(self, name: str) -> int:
        try:
            return self._index[name]
        except KeyError:
            self._index[name] = len(self.places)
            self.places.append(name)
            return self._index[name]

    def _build(self) -> None:
        m = self.model
        msg_out = self._wire()
        main = m.main_process.id if m.main_process else None
        for el in m.elements.values():
            if el.triggered_by_event or el.for_compensation or el.kind == "boundaryEvent":
                # event subprocesses and compensation are not replayed; a boundary event is
                # built with the activity it sits on
                continue
            ins = [self._index[f] for f in el.incoming if f in self._index]
            outs = tuple(self._index[f] for f in el.outgoing if f in self._index)
            outs_msg = outs + tuple(msg_out.get(el.id, ()))
            if el.kind == "startEvent":
                self._start_event(el, outs, outs_msg, main)
            elif el.is_subprocess and el.kind == "subProcess":
                self._subprocess(el, ins, outs_msg)
            elif el.is_activity:
                self._activity(el, ins, outs_msg)
            elif el.kind == "parallelGateway":
                self.transitions.append(Transition(el.id, None, tuple(ins), outs))
            elif el.kind == "inclusiveGateway":
                self._inclusive(el, ins, outs)
            elif el.kind in _EXCLUSIVE:
                for p in ins:
                    produces: list[tuple[int, ...]] = [(q,) for q in outs]
                    for produce in produces or [()]:
                        self.transitions.append(Transition(el.id, None, (p,), produce))
            else:
                self._event(el, ins, outs_msg)
        self._by_label: dict[str, list[int]] = {}
        self._silent: list[int] = []
        for i, t in enumerate(self.transitions):
            (self._by_label.setdefault(t.label, []) if t.label else self._silent).append(i)
        del self._index, self._msg_in, self._boundaries, self._inner

    def _wire(self) -> dict[str, list[int]]:
        """Places for the flows and message flows, and what the transitions are built from:
        message flows in and out of each node, boundary events by host, flows inside each
        subprocess. Returns the message flows out of each node."""
        m = self.model
        self._index: dict[str, int] = {}
        for fid in m.flows:
            self._place(fid)
        for mid in m.message_flows:
            self._place(mid)
        self.sequence_places = tuple(self._index[f] for f in m.flows)
        msg_out: dict[str, list[int]] = {}
        self._msg_in: dict[str, list[int]] = {}
        for mf in m.message_flows.values():
            msg_out.setdefault(mf.source, []).append(self._index[mf.id])
            self._msg_in.setdefault(mf.target, []).append(self._index[mf.id])
        self._boundaries: dict[str, list] = {}
        for el in m.elements.values():
            if el.kind == "boundaryEvent" and el.attached_to:
                self._boundaries.setdefault(el.attached_to, []).append(el)
        self._inner: dict[str, list[int]] = {}  # subprocess -> the flows inside it
        for f in m.flows.values():
            if f.scope:
                self._inner.setdefault(f.scope, []).append(self._index[f.id])
        return msg_out

    def _start_event(self, el, outs, outs_msg, main) -> None:
        if (
            el.scope is None
            and el.process == main
            and not self._msg_in.get(el.id)
            and not self.initial
        ):
            self.initial = outs
        for p in self._msg_in.get(el.id, ()):  # another pool started by a message
            self.transitions.append(Transition(el.id, None, (p,), outs_msg))

    def _subprocess(self, el, ins, outs_msg) -> None:
        """Entered: active, its starts' flows marked; left when nothing inside is marked."""
        add = self.transitions.append
        active = self._place(f"active:{el.id}")
        firsts = tuple(
            self._index[f]
            for s in self.model.elements.values()
            if s.kind == "startEvent" and s.scope == el.id
            for f in s.outgoing
        )
        for p in ins:
            add(Transition(el.id, None, (p,), (active, *firsts)))
        add(
            Transition(
                el.id, None, (active,), outs_msg, requires_empty=tuple(self._inner.get(el.id, ()))
            )
        )
        for b in self._boundaries.get(el.id, ()):
            bouts = tuple(self._index[f] for f in b.outgoing)
            for p in ins:
                add(Transition(b.id, None, (p,), bouts))

    def _activity(self, el, ins, outs_msg) -> None:
        """A logged step, again if it loops, and the boundary events that divert it."""
        add = self.transitions.append
        takes: list[tuple[int, ...]] = [(p,) for p in ins]
        for take in takes or [()]:
            if not take and el.scope is None:
                self.notes.append(f"{el.id}: an activity with no incoming flow is never replayed")
                break
            add(Transition(el.id, el.id, take, outs_msg))
            if el.loop:  # a loop or multi-instance: the step may run again
                add(Transition(el.id, el.id, take, take))
            for b in self._boundaries.get(el.id, ()):
                bouts = tuple(self._index[f] for f in b.outgoing)
                add(Transition(b.id, None, take, bouts))  # fired before work began
                if b.cancel_activity:  # ended the work: logged, then diverted
                    add(Transition(el.id, el.id, take, bouts))
                else:
                    add(Transition(b.id, None, take, take + bouts))

    def _inclusive(self, el, ins, outs) -> None:
        """A join waits for what is there; a split fills any non-empty subset."""
        add = self.transitions.append
        subsets = [
            c for k in range(1, min(len(outs), 6) + 1) for c in itertools.combinations(outs, k)
        ] or [()]
        for p in ins:
            for sub in subsets:
                add(Transition(el.id, None, (p,), sub))
        if len(ins) > 1:
            for pair in itertools.combinations(ins, 2):
                for sub in subsets:
                    add(Transition(el.id, None, pair, sub))

    def _event(self, el, ins, outs_msg) -> None:
        """An intermediate or end event; a catch waits for its message to be sent."""
        terminate = el.kind == "endEvent" and el.event == "terminate"
        waits = self._msg_in.get(el.id, ()) if el.kind == "intermediateCatchEvent" else ()
        for p in ins:
            waited: list[tuple[int, ...]] = [(p, q) for q in waits]
            for take in waited or [(p,)]:
                self.transitions.append(Transition(el.id, None, take, outs_msg, clear=terminate))

    # -- the token game ---------------------------------------------------------------
    @property
    def labels(self) -> set[str]:
        """Task ids a log can name."""
        return set(self._by_label)

    def start_marking(self) -> tuple[int, ...]:
        marking = [0] * len(self.places)
        for p in self.initial:
            marking[p] += 1
        return tuple(marking)

    def enabled(self, i: int, marking) -> bool:
        t = self.transitions[i]
        if any(marking[p] for p in t.requires_empty):
            return False
        if len(t.consume) == 2 and t.consume[0] == t.consume[1]:
            return marking[t.consume[0]] >= 2
        return all(marking[p] > 0 for p in t.consume)

    def fire(self, i: int, marking) -> tuple[int, ...]:
        t = self.transitions[i]
        if t.clear:
            return tuple([0] * len(marking))
        out = list(marking)
        for p in t.consume:
            out[p] -= 1
        for p in t.produce:
            out[p] = min(out[p] + 1, _CAP)
        return tuple(out)

    def final(self, marking) -> bool:
        return not any(marking[p] for p in self.sequence_places)

    # -- alignment --------------------------------------------------------------------
    def align(self, labels: tuple[str | None, ...]) -> Alignment:
        """The cheapest alignment of ``labels`` (task ids; None: a step no task matches)."""
        cached = self._cache.get(labels)
        if cached is not None:
            return cached
        start = (0, self.start_marking())
        tie = itertools.count()
        heap = [(0, 0, next(tie), start)]
        parent: dict = {start: None}
        best = {start: 0}
        n = len(labels)
        expanded = 0
        found = None
        while heap:
            cost, _, _, state = heapq.heappop(heap)
            if cost > best.get(state, cost):
                continue
            pos, marking = state
            if pos == n and self.final(marking):
                found = (state, cost)
                break
            expanded += 1
            if expanded > SEARCH_LIMIT:
                break
            for new, extra, move in self._moves(pos, marking, labels):
                c = cost + extra
                if c < best.get(new, c + 1):
                    best[new] = c
                    parent[new] = (state, move)
                    heapq.heappush(heap, (c, -new[0], next(tie), new))
        result = self._alignment(found, parent, labels)
        self._cache[labels] = result
        return result

    def _moves(self, pos: int, marking, labels) -> list[tuple]:
        """``(next state, cost, move)`` for every move from one state of the search: silent
        transitions (free), the logged step in step with the model (free), the logged step
        alone or a model step alone (1 each)."""
        out = []
        enabled, fire = self.enabled, self.fire
        for i in self._silent:
            if enabled(i, marking):
                out.append(((pos, fire(i, marking)), 0, Move("silent", i, None)))
        if pos < len(labels):
            for i in self._by_label.get(labels[pos] or "", ()):  # "": no label, no move
                if enabled(i, marking):
                    out.append(((pos + 1, fire(i, marking)), 0, Move("sync", i, pos)))
            out.append(((pos + 1, marking), 1, Move("log", None, pos)))
        for ids in self._by_label.values():
            for i in ids:
                if enabled(i, marking):
                    out.append(((pos, fire(i, marking)), 1, Move("model", i, None)))
        return out

    def _alignment(self, found, parent: dict, labels) -> Alignment:
        """The moves back from the final state found, or (none found) every step inserted."""
        n = len(labels)
        if found is None:  # gave up: every step inserted, nothing known about the rest
            worst = n + (self.shortest if labels else 0)
            return Alignment(tuple(Move("log", None, k) for k in range(n)), worst, n, gave_up=True)
        moves = []
        state = found[0]
        while parent[state] is not None:
            state, move = parent[state]
            moves.append(move)
        return Alignment(tuple(reversed(moves)), found[1], n)

    @cached_property
    def shortest(self) -> int:
        """Fewest steps of any complete run of the model (the empty trace's cost)."""
        return self.align(()).cost


@dataclass
class CaseReplay:
    """One case replayed: its events in order, the task each matched, the alignment.

    ``enabled_by[k]`` is the event whose end enabled event ``k`` (-1: the case's start,
    None: event ``k`` was not allowed by the model there); ``choices`` one (gateway,
    outgoing flows taken) pair per time a branching gateway was passed.
    """

    case: str
    events: list
    tasks: list
    alignment: Alignment
    enabled_by: list
    choices: list
    choice_after: list = field(default_factory=list)  # the event whose end led to each choice
    by_message: dict = field(default_factory=dict)  # event -> enabled through a message flow
    # event -> (message flow, sending step or None if unknown) when that message was the
    # last thing it waited for
    message_in: dict = field(default_factory=dict)


@dataclass
class Replay:
    """Every case of a log replayed on a model (see :func:`replay_log`)."""

    game: TokenGame
    cases: list[CaseReplay]
    unknown: dict  # log activity -> (events, first place it occurs)

    @property
    def fitness(self) -> float:
        """Alignment fitness of the whole log: 1 - total cost / total worst cost."""
        worst = sum(c.alignment.length + self.game.shortest for c in self.cases)
        cost = sum(c.alignment.cost for c in self.cases)
        return 1.0 - cost / worst if worst else 1.0

    @property
    def fitting(self) -> list[CaseReplay]:
        return [c for c in self.cases if c.alignment.fits]


def _provenance(game: TokenGame, case: CaseReplay) -> None:
    """Walk the alignment again with each token remembering the event that made it."""
    events = case.events
    places: dict[int, list[tuple]] = {p: [(-1, False, None)] for p in game.initial}
    messages = set(range(len(game.sequence_places), len(game.places)))
    gateways = {
        el.id
        for el in game.model.elements.values()
        if el.is_gateway and len(el.outgoing) > 1 and el.kind != "parallelGateway"
    }
    flow_ids = game.places

    for move in case.alignment.moves:
        if move.kind == "log" or move.transition is None:  # only log moves have none
            continue
        t = game.transitions[move.transition]
        inputs = []
        for p in t.consume:
            stack = places.get(p)
            if stack:
                made, via, msg = stack.pop(0)
                if p in messages:  # sent when its sender's last step ended, unless the
                    # sender itself waited for a message since: then the log cannot tell
                    msg = (flow_ids[p], None if via else made)
                inputs.append((made, via or p in messages, msg))
        prov, carried, binding = -1, any(via for _, via, _ in inputs), None
        if inputs:  # the latest input decides; on a tie, the one a message brought
            prov, _, binding = max(
                inputs,
                key=lambda i: (
                    events[i[0]].end if i[0] >= 0 else dt.datetime.min,
                    i[2] is not None,
                ),
            )
        if t.clear:
            places = {}
        if move.kind == "sync" and move.event is not None:  # sync moves always have one
            case.enabled_by[move.event] = prov
            case.by_message[move.event] = carried
            if binding is not None:
                case.message_in[move.event] = binding
            prov, carried, binding = move.event, False, None
        for p in t.produce:
            places.setdefault(p, []).append((prov, carried, binding))
        if t.node in gateways:
            case.choices.append((t.node, tuple(flow_ids[p] for p in t.produce)))
            case.choice_after.append(prov)  # the step whose end led here (-1: the start)


def replay_log(model, log, tasks_of: dict) -> Replay:
    """Replay every case of ``log`` on ``model``.

    ``tasks_of`` maps each event's (activity, name) to a task id or None (from
    :func:`bpengine.records.matching.match_activities`).
    """
    game = TokenGame.of(model)
    unknown: dict = {}
    cases = []
    for case, events in log.traces().items():
        tasks = [tasks_of.get((e.activity, e.name)) for e in events]
        for e, task in zip(events, tasks, strict=True):
            if task is None:
                n, where = unknown.get(e.activity, (0, f"{e.where} (case {case!r})"))
                unknown[e.activity] = (n + 1, where)
        cr = CaseReplay(case, events, tasks, game.align(tuple(tasks)), [None] * len(events), [])
        _provenance(game, cr)
        cases.append(cr)
    return Replay(game, cases, unknown)
