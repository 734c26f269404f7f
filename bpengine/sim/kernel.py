"""The discrete-event kernel: one replication of many cases over a compiled :class:`Net`.

One heap of ``(time, priority, seq, kind, payload)`` entries, ``seq`` from a counter so ties
run in the order they were scheduled (as in SimPy). Tokens follow the engine's semantics:
exclusive choices, parallel split and join, inclusive split and a non-local inclusive join
(it fires when no other token of the scope can still reach it, as SpiffWorkflow decides),
loops, boundary timers (interrupting or not), embedded subprocesses and terminate ends.
Tasks wait FIFO for a person of their lane; work stops when the office closes and resumes
the next working day. Random numbers come in numpy batches from generators derived from the
replication's seed, one per purpose and element (arrivals, each case attribute, each task's
durations, each gateway's choices), so the same seed gives the same run and two variants of
a model share their draws wherever they share elements.
"""

from __future__ import annotations

import gc
import heapq
import itertools
import math
import zlib
from heapq import heappush

import numpy as np

from ..errors import ModelError, Problem, ScenarioError
from ..i18n import _, ngettext
from .accounting import execution_times
from .batching import Batching
from .casedata import ProcessData, Ranking, RuleData
from .net import (
    AND,
    CATCH,
    END,
    MAIL,
    MEET,
    OR,
    PASS,
    SEND,
    START,
    SUB,
    TASK,
    TERMINATE,
    XOR,
    Net,
)
from .results import ReplicationStats
from .work import (
    ARRIVE,
    BATCH,
    DONE,
    DONE_ROW,
    MAX_STEPS,
    READY,
    TIMER,
    WAKE,
    Staffing,
    Stream,
    UniformStream,
    build_lanes,
)

__all__ = ["Replication", "MAX_STEPS"]


class Case:
    """One case (a resident's request) moving through the procedure."""

    __slots__ = (
        "id",
        "arrival",
        "data",
        "steps",
        "done",
        "measured",
        "live",
        "top",
        "cancels",
        "priority",
    )

    def __init__(self, cid, arrival, data, measured):
        self.id, self.arrival, self.data, self.measured = cid, arrival, data, measured
        self.steps, self.done, self.live, self.cancels = 0, None, set(), False
        self.top = None
        self.priority = 0  # its level under the scenario's priorities (lower: served first)


class Scope:
    """The tokens of a case inside one process or subprocess activation."""

    __slots__ = (
        "case",
        "parent",
        "node",
        "count",
        "joins",
        "or_wait",
        "pos",
        "cancelled",
        "finished",
        "mail",
    )

    def __init__(self, case, parent, node):
        self.case, self.parent, self.node = case, parent, node
        self.count, self.joins, self.or_wait, self.pos = 0, {}, {}, {}
        self.mail = None  # meeting point -> branches whose message came first (across pools)
        self.cancelled = self.finished = False

    def dead(self) -> bool:
        s = self
        while s is not None:
            if s.cancelled:
                return True
            s = s.parent
        return False


class Replication(Staffing, Batching):
    """Run ``cases`` cases (the first ``warmup`` unmeasured) and keep their statistics."""

    def __init__(
        self,
        net: Net,
        scenario,
        model,
        cases: int,
        warmup: int,
        seed,
        keep_log=False,
        data_source=None,
    ):
        self.net, self.scenario, self.model = net, scenario, model
        # one random stream per purpose and element, derived from the replication's seed:
        # a redesign that drops a task leaves every other task's draws as they were
        # (common random numbers for before/after comparisons)
        self.seed = (
            seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        )
        self.n_cases, self.warmup, self.keep_log = cases, warmup, keep_log
        epoch = scenario.start
        self.clock = scenario.calendar.clock(epoch)
        self.t0 = self.clock.to_minutes(scenario.start)
        self.lanes = build_lanes(net, scenario, self.rng_for)
        self.sets_data = any(a is not None for a in net.attrs)  # Prosimos event attributes
        self.ranking = Ranking(scenario.priorities) if scenario.priorities else None
        self.process = ProcessData(scenario, self.rng_for) if scenario.process_data else None
        self.node_stream = [
            Stream(net.distributions[d], self.rng_for("task", net.ids[i])) if d >= 0 else None
            for i, d in enumerate(net.duration)
        ]
        self.has_or = net.has_or_join
        self.track_live = net.cancellable  # keep each case's open work only if it can be cut
        self.random_splits = scenario.split_order == "random"
        self.order_stream = UniformStream(None, self.rng_for("order"))
        # tasks that need none of _activate's multi-instance, loop or boundary handling:
        # _enter spawns their one work item itself, without a call through the handlers (1);
        # outside a batch, in a lane of a head count, in a net where nothing cancels work,
        # without making an Item at all (2: _spawn_direct)
        self.plain = [
            0
            if k != TASK or net.mi[i] is not None or net.repeat[i] or net.boundaries[i]
            else 1
            if net.batch[i] is not None
            or self.track_live
            or self.lanes[net.lane[i]].people is not None
            else 2
            for i, k in enumerate(net.kinds)
        ]
        self.sends = net.sends  # nodes that post messages to other pools when left
        # the one node a token goes on to when it leaves each node, or -1 (several flows, none,
        # or messages to post: _leave)
        self.after = [
            o[0] if len(o) == 1 and i not in net.sends else -1 for i, o in enumerate(net.outs)
        ]
        self.handlers = self._handlers()  # node -> what a token entering it does
        self.delays: dict = {}
        self.uniforms: dict[int, UniformStream] = {}
        self.heap: list = []
        self.seq = itertools.count()
        self.pools: dict[int, list] = {}
        self.pool_gen: dict[int, int] = {}
        self.batch_rules: dict[int, list] = {}  # task -> its firing rules, compiled
        self.batch_sizes: dict[int, int] = {}  # task -> the size drawn for its open batch
        self.batched: dict = {}  # the file queued for a batch one person works -> its files
        self.kept: dict = {}  # files of such a batch whose end frees nobody -> 1, or 2: nor busy
        self.open = 0
        self.open_cases: dict[int, Case] = {}
        self.finished: list[Case] = []
        self.rows: list[tuple] = []
        self.transfers: list[tuple] = []  # hand-overs between pools, when the log is kept
        self.data_source = data_source
        self.end_time = self.t0

    # -- scheduling helpers -----------------------------------------------------------
    def _push(self, t, kind, payload):
        heappush(self.heap, (t, kind, next(self.seq), kind, payload))

    def rng_for(self, purpose: str, key: str = "") -> np.random.Generator:
        """The generator of one purpose and element, stable whatever else the model holds."""
        tag = zlib.crc32(f"{purpose}:{key}".encode())
        child = np.random.SeedSequence(self.seed.entropy, spawn_key=(*self.seed.spawn_key, tag))
        return np.random.default_rng(child)

    def _delay(self, key, dist):
        s = self.delays.get(key)
        if s is None:
            purpose, i = key if isinstance(key, tuple) else ("delay", key)
            s = self.delays[key] = Stream(dist, self.rng_for(purpose, self.net.ids[i]), 64)
        return s.next()

    def _uniform(self, i) -> float:
        """The next uniform draw of node ``i`` (its branch choices, its boundary events)."""
        s = self.uniforms.get(i)
        if s is None:
            s = self.uniforms[i] = UniformStream(None, self.rng_for("choice", self.net.ids[i]))
        return s.next()

    # -- the run --------------------------------------------------------------------
    def run(self, progress=None):
        # The loop allocates a row and a heap entry (and, for a task that waits, an item) per
        # task and frees almost nothing cyclic (finished cases are kept anyway), so the
        # cyclic collector's passes only cost time: about a fifth of the loop. It stays off
        # through tally too: the first pass after it is back on walks every object made
        # meanwhile, which costs least once the caller has let go of this replication and
        # its rows (the runner keeps only what run returns).
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._loop(progress)
            if self.open:
                self._stuck()
            stats = self.tally()
            # A case and its top scope refer to each other: cut that now that nothing moves,
            # so the cases go by reference counting with the replication, not by a pass of
            # the cyclic collector over everything the run made (~0.01 s for 10,000 cases).
            for case in self.finished:
                case.top = None
        finally:
            if collecting:
                gc.enable()
        stats.transfers = self.transfers
        return stats

    def _loop(self, progress):
        arrivals = self._arrival_times()
        data = self._case_data()
        self._first_shifts(self.t0)
        done = 0
        for n, order in enumerate(self._passes(data)):
            if n:
                self._carry_over()
            self._drain(arrivals, data, order, done, progress)
            done += len(order)

    def _passes(self, data) -> list:
        """The cases of each pass of the run, in arrival order: all of them at once, or
        (priorities ordered by run, as Prosimos 2.1.0 schedules) one pass per level."""
        everyone = range(self.n_cases)
        if self.ranking is None or self.scenario.priority_order != "run" or not everyone:
            return [everyone]
        by_level: dict[float, list[int]] = {}
        for k in everyone:
            by_level.setdefault(self.ranking.level_of(data(k)), []).append(k)
        return [by_level[level] for level in sorted(by_level)]

    def _carry_over(self):
        """Between two levels of a run: Prosimos keeps one time per person, when they are
        next free, and gives the next level's work to whoever is free soonest from then on,
        so nobody goes back to work on a time they had already passed."""
        last: dict[tuple[int, int], float] = {}  # (lane, one of a head count) -> last end
        for row in self.rows:  # a few levels: read again at each, rather than kept up
            key = (row[2], row[3])
            if row[8] > last.get(key, -math.inf):
                last[key] = row[8]
        for no, lane in enumerate(self.lanes):
            if lane.unlimited:
                continue
            for k in list(lane.free):
                until = lane.people[k].free_since if lane.people else last.get((no, k))
                if until is not None:
                    lane.free.remove(k)
                    self._push(until, READY, (lane, k))

    def _drain(self, arrivals, data, order, done, progress):
        """Run the heap empty, the cases ``order`` lists arriving at their times."""
        heap, pop = self.heap, heapq.heappop
        tick = max(1, self.n_cases // 50)
        last = len(order) - 1
        self._push(arrivals[order[0]], ARRIVE, 0)
        t = self.t0
        while True:
            while heap:
                t, _seq, _tie, kind, obj = pop(heap)
                if kind == DONE_ROW:
                    self._finish_direct(obj, t)
                elif kind == DONE:
                    self._finish(obj, t)
                elif kind == ARRIVE:
                    k = order[obj]
                    case = Case(k, t, data(k), k >= self.warmup)
                    self._start_case(case, t)
                    if obj < last:
                        self._push(arrivals[order[obj + 1]], ARRIVE, obj + 1)
                    if progress is not None and (done + obj) % tick == 0:
                        progress(done + obj)
                elif kind == WAKE:
                    scope, i = obj
                    if not (scope.case.cancels and scope.dead()):
                        self._pos_del(scope, i, t)
                        self._leave(scope, i, t)
                else:
                    self._other_event(kind, obj, t)
            # nothing left to happen: release batches that wait for a size never reached
            waiting = [i for i, pool in self.pools.items() if pool]
            if not waiting:
                break
            for i in waiting:
                self._release(i, t)

    def _other_event(self, kind, obj, t):
        """The rarer heap events: a timer, a batch's waiting time, a person's first shift."""
        if kind == TIMER:
            self._timer(obj, t)
        elif kind == BATCH:
            i, gen = obj
            if self.pool_gen.get(i) == gen:
                self._batch_due(i, t)
        elif kind == READY:
            self._free(obj[0], obj[1], t)

    def _arrival_times(self) -> list[float]:
        arr = self.scenario.arrivals
        cal = self.scenario.arrival_calendar
        clock = cal.clock(self.scenario.start)
        rng = self.rng_for("arrivals")
        gaps = arr.interarrival.sample(rng, self.n_cases).tolist()
        out: list[float] = []
        t = clock.next_working(self.t0)
        if t > self.t0 and arr.counting != "working" and self.scenario.first_arrival == "drawn":
            # Prosimos (simulation_setup.set_starting_datetime): a start outside the arrival
            # calendar moves on by one inter-arrival time, then into the calendar
            t = clock.next_working(self.t0 + arr.interarrival.sample(rng, 1).tolist()[0])
        if arr.counting == "working":
            w = clock.worked(t)
            for g in gaps:
                out.append(clock.at_worked(w) if out else t)
                w += g
        else:
            for g in gaps:
                out.append(t)
                t = clock.next_working(t + g)
        return out

    def _case_data(self):
        if self.data_source is not None:
            return self.data_source
        attrs = self.scenario.data
        if not attrs:
            return lambda k: {}
        columns = {
            name: gen.sample(self.rng_for("data", name), self.n_cases)
            for name, gen in attrs.items()
        }
        cols = {name: (c.tolist() if c.dtype != object else list(c)) for name, c in columns.items()}
        return lambda k: {name: col[k] for name, col in cols.items()}

    def _start_case(self, case, t):
        self.open += 1
        self.open_cases[case.id] = case
        if self.ranking is not None:  # from the case's own data as it arrives (Prosimos)
            case.priority = self.ranking.level(case)
        if self.process is not None:
            self.process.share(case)
        top = case.top = Scope(case, None, -1)
        starts = self.net.starts[None]
        top.count = len(starts)
        for s in starts:
            self._enter(top, s, t)

    # -- token moves ------------------------------------------------------------------
    def _enter(self, scope, i, t):
        """A token enters node ``i``: the node's handler moves it on.

        Nodes a token passes straight through (gateways, events) push their successors onto
        ``stack`` instead of recursing, so a long chain costs no Python stack. A handler returns
        True when the case ended under it (a terminate event): nothing more moves.
        """
        case = scope.case
        if case.done is not None:
            return  # ended by a terminate event meanwhile
        handlers, plain = self.handlers, self.plain
        stack = [i]
        while stack:
            i = stack.pop()
            case.steps += 1
            if case.steps > MAX_STEPS:
                self._livelock(case, i)
            p = plain[i]
            if p:  # most nodes entered are tasks with one work item: no call through
                if p == 2:
                    self._spawn_direct(scope, i, t)
                else:
                    self._spawn(scope, i, t, None)
            elif handlers[i](self, scope, i, t, stack):
                return

    def _handlers(self) -> list:
        """Each node's handler, by its kind: the dict is built once per replication.

        Plain functions, called with the replication: bound methods kept on ``self`` would make
        every replication a reference cycle, its rows freed only by the cyclic collector.
        """
        cls = type(self)
        by_kind = {
            TASK: cls._enter_task,
            XOR: cls._enter_route,
            PASS: cls._enter_route,
            START: cls._enter_route,
            AND: cls._enter_and,
            OR: cls._enter_or,
            END: cls._enter_end,
            TERMINATE: cls._enter_terminate,
            CATCH: cls._enter_catch,
            SUB: cls._enter_sub,
            SEND: cls._enter_send,
            MEET: cls._enter_meet,
            MAIL: cls._enter_mail,
        }
        # any other kind is a boundary event entered by a flow: nothing to wait for
        return [by_kind.get(k, cls._enter_boundary) for k in self.net.kinds]

    def _enter_task(self, scope, i, t, stack):
        """A task with more than one work item or something attached (plain ones: _enter)."""
        self._activate(scope, i, t)

    def _enter_route(self, scope, i, t, stack):
        """An exclusive gateway, a pass-through or a start event: one flow on, or all."""
        o = self.net.outs[i]
        if len(o) == 1:
            stack.append(o[0])
        elif not o:
            self._consume(scope, t)
        elif self.net.kinds[i] == XOR:
            if self.net.choose[i][0] == "race":
                self._race(scope, i, t, stack)
            else:
                stack.append(o[self._choose(scope.case, i)])
        else:  # several flows out of an event: all are taken
            scope.count += len(o) - 1
            stack.extend(o)

    def _race(self, scope, i, t, stack):
        """An event-based gateway: each event's time is drawn, the first to happen wins
        (ties by lot). The winner waits its drawn time, or (Prosimos) a fresh draw."""
        net = self.net
        dues = []
        for j in net.outs[i]:
            wait = self._delay(j, net.delay[j])  # the event's own stream
            dues.append((self.clock.add(t, wait) if net.delay_working[j] else t + wait, j))
        first = min(d for d, _j in dues)
        ties = [j for d, j in dues if d == first]
        j = (
            ties[min(int(self._uniform(i) * len(ties)), len(ties) - 1)]
            if len(ties) > 1
            else ties[0]
        )
        if net.choose[i][1]:  # Prosimos 2.1.0 draws the winner's duration again
            stack.append(j)
            return
        self._pos_add(scope, j)
        self._push(first, WAKE, (scope, j))

    def _enter_and(self, scope, i, t, stack):
        if self.net.n_in[i] > 1:  # a join: the last token in goes on, the others merge
            c = scope.joins.get(i, 0) + 1
            if c < self.net.n_in[i]:
                scope.joins[i] = c
                scope.count -= 1
                return
            scope.joins[i] = 0
        self._split(scope, self.net.outs[i], t, stack)

    def _enter_or(self, scope, i, t, stack):
        if self.net.n_in[i] > 1:  # a join: waits until no other token can still reach it
            scope.or_wait[i] = scope.or_wait.get(i, 0) + 1
            self._pos_add(scope, i)
            self._try_or(scope, t)
            return
        o = self.net.outs[i]
        if len(o) > 1:
            o = [o[j] for j in self._choose_many(scope.case, i)]
        self._split(scope, o, t, stack)

    def _split(self, scope, o, t, stack):
        if not o:
            self._consume(scope, t)
            return
        scope.count += len(o) - 1
        if self.random_splits and len(o) > 1:
            o = self._shuffled(o)
        stack.extend(reversed(o))

    def _shuffled(self, o):
        """The branches of a split in random order (Prosimos: the tasks a split enables ask
        for people in random order, so a task some can do may take one another task needs)."""
        o = list(o)
        s = self.order_stream
        for k in range(len(o) - 1, 0, -1):  # Fisher-Yates
            j = min(int(s.next() * (k + 1)), k)
            o[k], o[j] = o[j], o[k]
        return o

    def _enter_end(self, scope, i, t, stack):
        self._consume(scope, t)

    def _enter_terminate(self, scope, i, t, stack):
        self._terminate(scope.case, t)
        return True

    def _enter_catch(self, scope, i, t, stack):
        """An intermediate catch event: waits its delay (a timer), or none."""
        net = self.net
        d = net.delay[i]
        wait = self._delay(i, d) if d is not None else 0.0
        if wait <= 0:
            o = net.outs[i]
            if len(o) == 1:
                stack.append(o[0])
            else:
                self._leave(scope, i, t)
            return
        self._pos_add(scope, i)
        due = self.clock.add(t, wait) if net.delay_working[i] else t + wait
        self._push(due, WAKE, (scope, i))

    def _enter_sub(self, scope, i, t, stack):
        """An embedded subprocess: its own scope, its boundary events armed, its starts entered."""
        self._pos_add(scope, i)
        starts = self.net.starts.get(i, ())
        if not starts:
            self._pos_del(scope, i, t)
            self._leave(scope, i, t)
            return
        child = Scope(scope.case, scope, i)
        child.count = len(starts)
        self._arm_boundaries(i, child, t)
        for s in starts:
            self._enter(child, s, t)

    def _enter_send(self, scope, i, t, stack):
        """A throw or end event posting to another pool, then on."""
        self._post(scope.case, i, t)
        o = self.net.outs[i]
        if not o:
            self._consume(scope, t)
        else:
            scope.count += len(o) - 1
            stack.extend(o)

    def _enter_meet(self, scope, i, t, stack):
        """The pool's token meets its message, or waits for it."""
        box = scope.mail.get(i) if scope.mail else None
        if box:
            stack.append(self.net.outs[i][box.pop(0)])
        else:  # still a live token: a case never ends while a pool waits
            scope.joins[i] = scope.joins.get(i, 0) + 1

    def _enter_mail(self, scope, i, t, stack):
        """A message arrives at a meeting point."""
        j, b = self.net.mail[i]
        waiting = scope.joins.get(j, 0)
        if waiting:  # the waiting token goes on; the message's token merges into it
            scope.joins[j] = waiting - 1
            scope.count -= 1
            stack.append(self.net.outs[j][b])
        else:  # kept until the pool gets there; the case may end without it
            if scope.mail is None:
                scope.mail = {}
            scope.mail.setdefault(j, []).append(b)
            self._consume(scope, t)

    def _enter_boundary(self, scope, i, t, stack):
        self._leave(scope, i, t)

    def _post(self, case, i, t):
        """Send the messages of node ``i``: each arrives after its hand-over's transfer time."""
        top = case.top
        for m, timing in self.sends[i]:
            wait = self._delay(("transfer", m), timing.duration)
            due = self.clock.add(t, wait) if timing.working_time else t + wait
            top.count += 1
            self._pos_add(top, m)
            self._push(due, WAKE, (top, m))
            if self.keep_log:
                self.transfers.append((case.id, m, t, due))

    def _leave(self, scope, i, t):
        """The token leaves node ``i`` over all its outgoing flows."""
        if i in self.sends:
            self._post(scope.case, i, t)
        if self._pass_on(scope, self.net.outs[i], t) and scope.or_wait:
            self._try_or(scope, t)

    def _pass_on(self, scope, outs, t) -> bool:
        """The token goes on over the flows ``outs`` to their targets; with none it is used
        up (false)."""
        if not outs:
            self._consume(scope, t)
            return False
        scope.count += len(outs) - 1
        for target in outs:
            self._enter(scope, target, t)
        return True

    def _consume(self, scope, t):
        scope.count -= 1
        if scope.count > 0 or scope.finished:
            if scope.or_wait:
                self._try_or(scope, t)
            return
        scope.finished = True
        if scope.parent is None:
            self._close_case(scope.case, t)
        else:
            parent = scope.parent
            if parent.case.cancels and parent.dead():
                return
            self._pos_del(parent, scope.node, t)
            self._leave(parent, scope.node, t)

    def _close_case(self, case, t):
        if case.done is not None:
            return
        case.done = t
        self.open -= 1
        del self.open_cases[case.id]
        if t > self.end_time:
            self.end_time = t
        self.finished.append(case)

    # -- gateways ---------------------------------------------------------------------
    def _draw(self, i, probs, among=None) -> int:
        """One flow drawn in proportion to ``probs`` (only ``among`` these, if given)."""
        among = range(len(probs)) if among is None else among
        total = sum(probs[j] for j in among)
        if total <= 0:  # nothing to weigh by: equal chances
            return among[min(int(self._uniform(i) * len(among)), len(among) - 1)]
        u, acc = self._uniform(i) * total, 0.0
        for j in among:
            acc += probs[j]
            if u < acc:
                return j
        return max(among, key=probs.__getitem__)

    def _passed(self, case, i, rule) -> list[int]:
        data = RuleData(case.data)  # an attribute no task has set yet: its rules are false
        return [
            j for j, e in enumerate(rule[1]) if e is not None and self._holds(e, case, i, j, data)
        ]

    def _choose(self, case, i) -> int:
        rule = self.net.choose[i]
        if rule[0] == "prob":
            u = self._uniform(i) * sum(rule[1])
            acc = 0.0
            for j, p in enumerate(rule[1]):
                acc += p
                if u < acc:
                    return j
            return max(range(len(rule[1])), key=rule[1].__getitem__)
        if rule[0] == "rules":  # Prosimos: one true rule, several by probability, else default
            passed = self._passed(case, i, rule)
            if passed:
                return passed[0] if len(passed) == 1 else self._draw(i, rule[2], passed)
            return rule[3] if rule[3] >= 0 else self._draw(i, rule[2])
        for j, expr in enumerate(rule[1]):
            if expr is not None and self._holds(expr, case, i, j):
                return j
        if rule[2] >= 0:
            return rule[2]
        raise ScenarioError(
            _(
                "gateways.{id}: no condition holds for case data {data} and "
                "the gateway has no default flow"
            ).format(id=self.net.ids[i], data=case.data)
        )

    def _choose_many(self, case, i) -> list[int]:
        rule = self.net.choose[i]
        if rule[0] == "prob":
            chosen = [j for j, p in enumerate(rule[1]) if self._uniform(i) < p]
            # none drawn: one flow drawn by the probabilities, as Prosimos does
            return chosen or [self._choose(case, i)]
        if rule[0] == "rules":  # Prosimos: every flow whose rule holds, else the default
            passed = self._passed(case, i, rule)
            if passed:
                return passed
            if rule[3] >= 0:
                return [rule[3]]
            chosen = [j for j, p in enumerate(rule[2]) if self._uniform(i) < p]
            return chosen or [self._draw(i, rule[2])]
        chosen = [j for j, e in enumerate(rule[1]) if e is not None and self._holds(e, case, i, j)]
        if not chosen and rule[2] >= 0:
            chosen = [rule[2]]
        if not chosen:
            raise ScenarioError(
                _(
                    "gateways.{id}: no condition holds for case data {data} "
                    "and the gateway has no default flow"
                ).format(id=self.net.ids[i], data=case.data)
            )
        return chosen

    def _holds(self, expr, case, i, j, data=None) -> bool:
        try:
            return bool(expr.evaluate(case.data if data is None else data))
        except Exception as exc:  # ExpressionError and friends: name gateway and flow
            raise ScenarioError(
                _(
                    "gateways.{id}: condition of flow {flow} fails on case data {data}: {exc}"
                ).format(
                    id=self.net.ids[i], flow=repr(self.net.out_flows[i][j]), data=case.data, exc=exc
                )
            ) from None

    def _pos_add(self, scope, i):
        if self.net.has_or_join:
            scope.pos[i] = scope.pos.get(i, 0) + 1

    def _pos_del(self, scope, i, t):
        # no inclusive-join check here: the token is in transit until _leave has moved it
        if self.net.has_or_join:
            scope.pos[i] -= 1

    def _try_or(self, scope, t):
        """Fire each waiting inclusive join no other token of the scope can still reach."""
        for j in list(scope.or_wait):
            reach = self.net.reach[j]
            if any(n != j and c > 0 and n in reach for n, c in scope.pos.items()):
                continue
            waiting = scope.or_wait.pop(j)
            scope.pos[j] -= waiting
            scope.count -= waiting - 1
            o = self.net.outs[j]
            if len(o) > 1:
                o = [o[m] for m in self._choose_many(scope.case, j)]
                if self.random_splits and len(o) > 1:
                    o = self._shuffled(o)
            self._pass_on(scope, o, t)
            return

    def tally(self) -> ReplicationStats:
        """Per-case and per-task figures from the recorded task executions, as numpy arrays.

        Per case, waiting and processing are unions over the case's steps (see
        :mod:`.accounting`), so parallel branches are not counted twice.
        """
        n = self.n_cases
        case_arrival = np.full(n, np.nan)
        case_done = np.full(n, np.nan)
        for c in self.finished:
            case_arrival[c.id] = c.arrival
            case_done[c.id] = c.done
        measured = np.arange(n) >= self.warmup
        # one conversion (fromiter: no intermediate objects), then views
        table = np.fromiter(
            itertools.chain.from_iterable(self.rows), dtype=float, count=10 * len(self.rows)
        ).reshape(-1, 10)
        times = execution_times(
            table,
            [ln.clock for ln in self.lanes],
            [ln.cost_min if ln.costs is None else ln.costs for ln in self.lanes],
            measured,
            len(self.net.ids),
        )
        return ReplicationStats(
            case_arrival,
            case_done,
            measured,
            **times,
            lane_busy=[ln.busy for ln in self.lanes],
            end_time=self.end_time,
            t0=self.t0,
            rows=table if self.keep_log else np.zeros((0, 10)),
            first_start=float(table[:, 7].min()) if len(table) else math.nan,
        )

    # -- failures ---------------------------------------------------------------------
    def _livelock(self, case, i):
        el = self.model.elements.get(self.net.ids[i])
        raise ScenarioError(
            _(
                "case {case} has not ended after {n} steps (last at {step}{label}): the model "
                "loops without end under this scenario; check the loop's gateway probabilities "
                "or conditions"
            ).format(
                case=case.id,
                n=MAX_STEPS,
                step=repr(self.net.ids[i]),
                label=" (" + el.label + ")" if el and el.label and el.label != el.id else "",
            )
        )

    def _stuck(self):
        waits = sorted(
            {
                self.net.ids[j]
                for case in self.open_cases.values()
                if case.top is not None
                for j, c in (*case.top.joins.items(), *case.top.or_wait.items())
                if c
            }
        )
        meets = [w for w in waits if self.net.kinds[self.net.index(w)] == MEET]
        if meets:
            j = self.net.index(meets[0])
            el = self.model.elements.get(self.net.ids[self.net.outs[j][0]])
            named = (
                el.id
                if el is None or not el.label or el.label == el.id
                else f"{el.id} ({el.label})"
            )
            raise ModelError(
                Problem(
                    f"{self.open} simulated case{'' if self.open == 1 else 's'} never finished: "
                    f"{named} waits for a message from another pool that never comes (its "
                    "sender was not reached on that path)",
                    file=self.model.file,
                    element_id=el.id if el else None,
                    line=el.line if el else None,
                    code="deadlock",
                )
            )
        el = self.model.elements.get(waits[0]) if waits else None
        why = (
            _("an inclusive join in a loop waiting for a token that has to pass it first?")
            if el is not None and el.kind == "inclusiveGateway"
            else _("a parallel join fed by an exclusive choice?")
        )
        named = "" if el is None or not el.label or el.label == el.id else f" ({el.label})"
        what = (
            _("tokens wait forever at join {id!r}{named}: {why}").format(
                id=el.id, named=named, why=why
            )
            if el
            else _("a token waits for something that never comes")
        )
        cases = ngettext(
            "{n} simulated case never finished: {what}",
            "{n} simulated cases never finished: {what}",
            self.open,
        )
        raise ModelError(
            Problem(
                cases.format(n=self.open, what=what),
                file=self.model.file,
                element_id=el.id if el else None,
                line=el.line if el else None,
                code="deadlock",
            )
        )
