"""The discrete-event kernel: one replication of many cases over a compiled :class:`Net`.

One heap of ``(time, priority, seq, kind, payload)`` entries, ``seq`` from a counter so ties
run in the order they were scheduled (as in SimPy). Tokens follow the engine's semantics:
exclusive choices, parallel split and join, inclusive split and a non-local inclusive join
(it fires when no other token of the scope can still reach it, as SpiffWorkflow decides),
loops, boundary timers (interrupting or not), embedded subprocesses and terminate ends.
Tasks wait FIFO for a person of their lane; work stops when the office closes and resumes
the next working day. Random numbers come in numpy batches from the replication's own
Generator, so the same seed gives the same run.
"""
from __future__ import annotations

import heapq
import itertools
from collections import deque

import numpy as np

from ..errors import ModelError, Problem, ScenarioError
from .net import AND, CATCH, END, OR, PASS, START, SUB, TASK, TERMINATE, XOR, Net

__all__ = ["Replication", "MAX_STEPS"]

MAX_STEPS = 20_000  # node visits per case before we call it a livelock (procedures need <1000)
_DONE, _TIMER, _WAKE, _BATCH, _ARRIVE = range(5)  # also the tie-break priority
QUEUED, SERVICE, FINISHED, CANCELLED = range(4)


class _Stream:
    """Values of one distribution, drawn a batch at a time."""

    __slots__ = ("dist", "rng", "buf", "pos", "size")

    def __init__(self, dist, rng, size=1024):
        self.dist, self.rng, self.size, self.buf, self.pos = dist, rng, size, [], 0

    def next(self) -> float:
        if self.pos >= len(self.buf):
            self.buf = self.dist.sample(self.rng, self.size).tolist()
            self.pos = 0
        v = self.buf[self.pos]
        self.pos += 1
        return v


class _Uniform(_Stream):
    def next(self) -> float:
        if self.pos >= len(self.buf):
            self.buf = self.rng.random(4096).tolist()
            self.pos = 0
        v = self.buf[self.pos]
        self.pos += 1
        return v


class Case:
    __slots__ = ("id", "arrival", "data", "steps", "done", "measured", "live", "top", "cancels")

    def __init__(self, cid, arrival, data, measured):
        self.id, self.arrival, self.data, self.measured = cid, arrival, data, measured
        self.steps, self.done, self.live, self.cancels = 0, None, set(), False
        self.top = None


class Scope:
    __slots__ = ("case", "parent", "node", "count", "joins", "or_wait", "pos", "cancelled",
                 "finished")

    def __init__(self, case, parent, node):
        self.case, self.parent, self.node = case, parent, node
        self.count, self.joins, self.or_wait, self.pos = 0, {}, {}, {}
        self.cancelled = self.finished = False

    def dead(self) -> bool:
        s = self
        while s is not None:
            if s.cancelled:
                return True
            s = s.parent
        return False


class Item:
    """One task activation of one case: a work item in a lane's queue."""

    __slots__ = ("case", "scope", "node", "lane", "enabled", "released", "assigned", "start",
                 "end", "dur", "state", "staff")

    def __init__(self, case, scope, node, lane, t):
        self.case, self.scope, self.node, self.lane = case, scope, node, lane
        self.enabled = self.released = self.assigned = t
        self.start = self.end = self.dur = 0.0
        self.state, self.staff = QUEUED, -1


class Lane:
    __slots__ = ("name", "free", "queue", "clock", "cost_min", "busy", "staff")

    def __init__(self, name, staff, clock, cost_per_hour):
        self.name, self.staff, self.clock = name, staff, clock
        self.free = list(range(staff - 1, -1, -1))
        self.queue, self.cost_min, self.busy = deque(), cost_per_hour / 60.0, 0.0


class Replication:
    """Run ``cases`` cases (the first ``warmup`` unmeasured) and keep their statistics."""

    def __init__(self, net: Net, scenario, model, cases: int, warmup: int, rng, keep_log=False,
                 data_source=None):
        self.net, self.scenario, self.model, self.rng = net, scenario, model, rng
        self.n_cases, self.warmup, self.keep_log = cases, warmup, keep_log
        epoch = scenario.start
        self.clock = scenario.calendar.clock(epoch)
        self.t0 = self.clock.to_minutes(scenario.start)
        self.lanes = []
        for name in net.lanes:
            staff = scenario.lane(name)
            clock = scenario.lane_calendar(name).clock(epoch)
            self.lanes.append(Lane(name, staff.staff, clock, staff.cost_per_hour))
        self.streams = [_Stream(d, rng) for d in net.distributions]
        self.delays: dict[int, _Stream] = {}
        self.u = _Uniform(None, rng)
        self.heap: list = []
        self.seq = itertools.count()
        self.pools: dict[int, list] = {}
        self.pool_gen: dict[int, int] = {}
        self.open = 0
        self.open_cases: dict[int, Case] = {}
        self.finished: list[Case] = []
        self.rows: list[tuple] = []
        self.data_source = data_source
        self.end_time = self.t0

    # -- scheduling helpers -----------------------------------------------------------
    def _push(self, t, kind, payload):
        heapq.heappush(self.heap, (t, kind, next(self.seq), kind, payload))

    def _delay(self, key, dist):
        s = self.delays.get(key)
        if s is None:
            s = self.delays[key] = _Stream(dist, self.rng, 64)
        return s.next()

    # -- the run --------------------------------------------------------------------
    def run(self, progress=None):
        arrivals = self._arrival_times()
        data = self._case_data()
        self._push(arrivals[0], _ARRIVE, 0)
        heap, pop = self.heap, heapq.heappop
        tick = max(1, self.n_cases // 50)
        while True:
            while heap:
                t, _, _, kind, obj = pop(heap)
                if kind == _DONE:
                    self._finish(obj, t)
                elif kind == _ARRIVE:
                    k = obj
                    case = Case(k, t, data(k), k >= self.warmup)
                    self._start_case(case, t)
                    if k + 1 < self.n_cases:
                        self._push(arrivals[k + 1], _ARRIVE, k + 1)
                    if progress is not None and k % tick == 0:
                        progress(k)
                elif kind == _TIMER:
                    self._timer(obj, t)
                elif kind == _WAKE:
                    scope, i = obj
                    if not (scope.case.cancels and scope.dead()):
                        self._pos_del(scope, i, t)
                        self._leave(scope, i, t)
                elif kind == _BATCH:
                    i, gen = obj
                    if self.pool_gen.get(i) == gen:
                        self._release(i, t)
            # nothing left to happen: release batches that wait for a size never reached
            waiting = [i for i, pool in self.pools.items() if pool]
            if not waiting:
                break
            for i in waiting:
                self._release(i, self.end_time)
        if self.open:
            self._stuck()
        return self.tally()

    def _arrival_times(self) -> list[float]:
        arr = self.scenario.arrivals
        cal = self.scenario.arrival_calendar
        clock = cal.clock(self.scenario.start)
        gaps = arr.interarrival.sample(self.rng, self.n_cases).tolist()
        out, t = [], clock.next_working(self.t0)
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
        columns = {name: gen.sample(self.rng, self.n_cases) for name, gen in attrs.items()}
        cols = {name: (c.tolist() if c.dtype != object else list(c)) for name, c in columns.items()}
        return lambda k: {name: col[k] for name, col in cols.items()}

    def _start_case(self, case, t):
        self.open += 1
        self.open_cases[case.id] = case
        top = case.top = Scope(case, None, -1)
        starts = self.net.starts[None]
        top.count = len(starts)
        for s in starts:
            self._enter(top, s, t)

    # -- token moves ------------------------------------------------------------------
    def _enter(self, scope, i, t):
        net, case = self.net, scope.case
        kinds, outs = net.kinds, net.outs
        if case.done is not None:
            return  # ended by a terminate event meanwhile
        stack = [i]
        while stack:
            i = stack.pop()
            case.steps += 1
            if case.steps > MAX_STEPS:
                self._livelock(case, i)
            k = kinds[i]
            if k == TASK:
                self._activate(scope, i, t)
                continue
            if k == XOR or k == PASS or k == START:
                o = outs[i]
                if len(o) == 1:
                    stack.append(o[0])
                elif not o:
                    self._consume(scope, t)
                elif k == XOR:
                    stack.append(o[self._choose(case, i)])
                else:  # several flows out of an event: all are taken
                    scope.count += len(o) - 1
                    stack.extend(o)
                continue
            if k == AND or k == OR:
                if net.n_in[i] > 1:
                    if k == AND:
                        c = scope.joins.get(i, 0) + 1
                        if c < net.n_in[i]:
                            scope.joins[i] = c
                            scope.count -= 1
                            continue
                        scope.joins[i] = 0
                    else:
                        scope.or_wait[i] = scope.or_wait.get(i, 0) + 1
                        self._pos_add(scope, i)
                        self._try_or(scope, t)
                        continue
                o = outs[i]
                if k == OR and len(o) > 1:
                    o = [o[j] for j in self._choose_many(case, i)]
                if not o:
                    self._consume(scope, t)
                    continue
                scope.count += len(o) - 1
                stack.extend(reversed(o))
                continue
            if k == END:
                self._consume(scope, t)
            elif k == TERMINATE:
                self._terminate(case, t)
                return
            elif k == CATCH:
                d = net.delay[i]
                wait = self._delay(i, d) if d is not None else 0.0
                if wait <= 0:
                    o = outs[i]
                    if len(o) == 1:
                        stack.append(o[0])
                    else:
                        self._leave(scope, i, t)
                    continue
                self._pos_add(scope, i)
                due = self.clock.add(t, wait) if net.delay_working[i] else t + wait
                self._push(due, _WAKE, (scope, i))
            elif k == SUB:
                self._pos_add(scope, i)
                child = Scope(case, scope, i)
                starts = net.starts.get(i, ())
                if not starts:
                    self._pos_del(scope, i, t)
                    self._leave(scope, i, t)
                    continue
                child.count = len(starts)
                self._arm_boundaries(i, child, t)
                for s in starts:
                    self._enter(child, s, t)
            else:  # a boundary event entered by a flow: nothing to wait for
                self._leave(scope, i, t)

    def _leave(self, scope, i, t):
        """The token leaves node ``i`` over all its outgoing flows."""
        o = self.net.outs[i]
        if not o:
            self._consume(scope, t)
            return
        scope.count += len(o) - 1
        for target in o:
            self._enter(scope, target, t)
        if scope.or_wait:
            self._try_or(scope, t)

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
    def _choose(self, case, i) -> int:
        rule = self.net.choose[i]
        if rule[0] == "prob":
            u = self.u.next() * sum(rule[1])
            acc = 0.0
            for j, p in enumerate(rule[1]):
                acc += p
                if u < acc:
                    return j
            return max(range(len(rule[1])), key=rule[1].__getitem__)
        for j, expr in enumerate(rule[1]):
            if expr is not None and self._holds(expr, case, i, j):
                return j
        if rule[2] >= 0:
            return rule[2]
        raise ScenarioError(f"gateways.{self.net.ids[i]}: no condition holds for case data "
                            f"{case.data} and the gateway has no default flow")

    def _choose_many(self, case, i) -> list[int]:
        rule = self.net.choose[i]
        if rule[0] == "prob":
            chosen = [j for j, p in enumerate(rule[1]) if self.u.next() < p]
            return chosen or [max(range(len(rule[1])), key=rule[1].__getitem__)]
        chosen = [j for j, e in enumerate(rule[1]) if e is not None and self._holds(e, case, i, j)]
        if not chosen and rule[2] >= 0:
            chosen = [rule[2]]
        if not chosen:
            raise ScenarioError(f"gateways.{self.net.ids[i]}: no condition holds for case data "
                                f"{case.data} and the gateway has no default flow")
        return chosen

    def _holds(self, expr, case, i, j) -> bool:
        try:
            return bool(expr.evaluate(case.data))
        except Exception as exc:  # ExpressionError and friends: name gateway and flow
            raise ScenarioError(f"gateways.{self.net.ids[i]}: condition of flow "
                                f"{self.net.out_flows[i][j]!r} fails on case data {case.data}: "
                                f"{exc}") from None

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
            if not o:
                self._consume(scope, t)
                return
            scope.count += len(o) - 1
            for target in o:
                self._enter(scope, target, t)
            return

    # -- tasks and staff --------------------------------------------------------------
    def _activate(self, scope, i, t):
        case = scope.case
        item = Item(case, scope, i, self.net.lane[i], t)
        case.live.add(item)
        self._pos_add(scope, i)
        if self.net.boundaries[i]:
            self._arm_boundaries(i, item, t)
        batch = self.net.batch[i]
        if batch is None:
            self._request(item, t)
            return
        pool = self.pools.setdefault(i, [])
        pool.append(item)
        if batch.size is not None and len(pool) >= batch.size:
            self._release(i, t)
        elif batch.at and len(pool) == 1:
            gen = self.pool_gen.setdefault(i, 0)
            self._push(self._next_batch_time(batch, item.lane, t), _BATCH, (i, gen))

    def _next_batch_time(self, batch, lane, t) -> float:
        cal = self.scenario.lane_calendar(self.net.lanes[lane])
        day = int(t // 1440)
        epoch = self.clock.epoch.date()
        for d in range(day, day + 800):
            date = epoch.fromordinal(epoch.toordinal() + d)
            if date in cal.holidays or not cal.hours[date.weekday()]:
                continue
            for at in batch.at:
                if d * 1440 + at >= t:
                    return d * 1440 + at
        raise ScenarioError(f"tasks.{self.net.ids[lane]}.batch: no working day in two years")

    def _release(self, i, t):
        pool = self.pools.get(i) or []
        self.pools[i] = []
        self.pool_gen[i] = self.pool_gen.get(i, 0) + 1
        for item in pool:
            if item.state == QUEUED:
                item.released = t
                self._request(item, t)

    def _request(self, item, t):
        lane = self.lanes[item.lane]
        if lane.free:
            self._serve(lane, item, t, lane.free.pop())
        else:
            lane.queue.append(item)

    def _serve(self, lane, item, t, staff):
        start = lane.clock.next_working(t)
        dur = self.streams[self.net.duration[item.node]].next()
        end = lane.clock.add(start, dur)
        item.assigned, item.start, item.end, item.dur = t, start, end, dur
        item.state, item.staff = SERVICE, staff
        self._push(end, _DONE, item)

    def _free(self, lane, staff, t):
        queue = lane.queue
        while queue:
            item = queue.popleft()
            if item.state == QUEUED:
                self._serve(lane, item, t, staff)
                return
        lane.free.append(staff)

    def _finish(self, item, t):
        if item.state != SERVICE:
            return  # cancelled by a boundary timer or a terminate end meanwhile
        item.state = FINISHED
        case, lane = item.case, self.lanes[item.lane]
        lane.busy += item.dur
        self._free(lane, item.staff, t)
        case.live.discard(item)
        self._account(item, lane)
        scope, i = item.scope, item.node
        self._pos_del(scope, i, t)
        for b in self.net.boundaries[i]:
            if b.probability and self.u.next() < b.probability:
                if b.interrupting:
                    self._leave(scope, b.node, t)
                    return
                scope.count += 1
                self._leave(scope, b.node, t)
        self._leave(scope, i, t)

    def _account(self, item, lane):
        # waiting is split by working time afterwards, vectorised (see :meth:`tally`)
        end = item.end if item.state == FINISHED else item.assigned
        dur = item.dur if item.state == FINISHED else 0.0
        self.rows.append((item.case.id, item.node, item.lane, item.staff, item.enabled,
                          item.released, item.assigned, item.start, end, dur))

    def tally(self):
        """Per-case and per-task sums from the recorded task executions, as numpy arrays.

        Sets ``case_arrival``, ``case_done``, ``case_measured`` (indexed by case number),
        ``case_proc``, ``case_queue``, ``case_batch``, ``case_off``, ``case_cost`` and
        ``task_stats`` (node x [count, queueing, batching, off-hours, processing] over
        measured cases).
        """
        n = self.n_cases
        self.case_arrival = np.full(n, np.nan)
        self.case_done = np.full(n, np.nan)
        for c in self.finished:
            self.case_arrival[c.id] = c.arrival
            self.case_done[c.id] = c.done
        self.case_measured = np.arange(n) >= self.warmup
        rows = np.array([r[:3] for r in self.rows], dtype=np.int64).reshape(-1, 3)
        times = np.array([r[4:] for r in self.rows], dtype=float).reshape(-1, 6)
        cid, node, lane = rows[:, 0], rows[:, 1], rows[:, 2]
        enabled, released, assigned, _, end, dur = times.T
        batch, queue, off = (np.zeros(len(rows)) for _ in range(3))
        cost = np.zeros(len(rows))
        for k, ln in enumerate(self.lanes):
            sel = lane == k
            if not sel.any():
                continue
            w_e = ln.clock.worked_array(enabled[sel])
            w_r = ln.clock.worked_array(released[sel])
            w_a = ln.clock.worked_array(assigned[sel])
            w_end = ln.clock.worked_array(end[sel])
            batch[sel] = w_r - w_e
            queue[sel] = w_a - w_r
            off[sel] = (end[sel] - enabled[sel]) - (w_end - w_e)
            cost[sel] = dur[sel] * ln.cost_min

        def per_case(values):
            return np.bincount(cid, weights=values, minlength=n)
        self.case_proc, self.case_queue = per_case(dur), per_case(queue)
        self.case_batch, self.case_off, self.case_cost = per_case(batch), per_case(off), \
            per_case(cost)
        m = self.case_measured[cid] if len(cid) else np.zeros(0, bool)
        nodes = len(self.net.ids)
        self.task_stats = np.zeros((nodes, 5))
        for col, values in enumerate((np.ones(len(rows)), queue, batch, off, dur)):
            self.task_stats[:, col] = np.bincount(node[m], weights=values[m], minlength=nodes)
        return self

    # -- boundary events, cancellation --------------------------------------------------
    def _arm_boundaries(self, i, target, t):
        for b in self.net.boundaries[i]:
            if b.delay is None:
                continue
            wait = self._delay(b.node, b.delay)
            due = self.clock.add(t, wait) if b.working_time else t + wait
            self._push(due, _TIMER, (b, target))

    def _timer(self, obj, t):
        b, target = obj
        if isinstance(target, Item):
            if target.state in (FINISHED, CANCELLED):
                return
            scope = target.scope
            if target.case.cancels and scope.dead():
                return
            if b.interrupting:
                self._cancel_item(target, t)
                self._pos_del(scope, target.node, t)
                self._leave(scope, b.node, t)
            else:
                scope.count += 1
                self._leave(scope, b.node, t)
            return
        child = target  # a subprocess's scope
        if child.finished or child.dead():
            return
        parent = child.parent
        if b.interrupting:
            child.cancelled = True
            child.case.cancels = True
            for item in list(child.case.live):
                if item.scope.dead():
                    self._cancel_item(item, t)
            self._pos_del(parent, child.node, t)
            self._leave(parent, b.node, t)
        else:
            parent.count += 1
            self._leave(parent, b.node, t)

    def _cancel_item(self, item, t):
        case = item.case
        case.live.discard(item)
        lane = self.lanes[item.lane]
        if item.state == SERVICE:
            started = lane.clock.worked(item.start)
            item.dur = max(0.0, lane.clock.worked(t) - started) if t > item.start else 0.0
            item.end = t
            lane.busy += item.dur
            item.state = FINISHED
            self._account(item, lane)
            self._free(lane, item.staff, t)
        else:
            item.assigned = t
            self._account(item, lane)
        item.state = CANCELLED

    def _terminate(self, case, t):
        case.top.cancelled = True
        case.cancels = True
        for item in list(case.live):
            self._cancel_item(item, t)
        self._close_case(case, t)

    # -- failures ---------------------------------------------------------------------
    def _livelock(self, case, i):
        el = self.model.elements.get(self.net.ids[i])
        raise ScenarioError(
            f"case {case.id} has not ended after {MAX_STEPS} steps (last at {self.net.ids[i]!r}"
            f"{' (' + el.label + ')' if el else ''}): the model loops without end under this "
            "scenario; check the loop's gateway probabilities or conditions")

    def _stuck(self):
        waits = sorted({self.net.ids[j] for case in self.open_cases.values()
                        for j, c in case.top.joins.items() if c})
        el = self.model.elements.get(waits[0]) if waits else None
        what = (f"tokens wait forever at join {el.id!r} ({el.label}): a parallel join fed by "
                "an exclusive choice?" if el else "a token waits for something that never comes")
        raise ModelError(Problem(f"{self.open} simulated case(s) never finished: {what}",
                                 file=self.model.file, element_id=el.id if el else None,
                                 line=el.line if el else None, code="deadlock"))
