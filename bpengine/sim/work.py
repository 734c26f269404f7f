"""Work items, staff and the clock of the office: the task side of the kernel.

A task activation becomes an :class:`Item` that waits (in a batch pool, then FIFO in its
lane's queue) for a person of the lane, is worked on in working time only (it pauses when
the office closes) and is recorded for the statistics. A lane is a head count sharing one
calendar (the fast, common case) or a list of named people (:class:`Worker`), each with
their own hours and leave, cost, tasks they can do and durations; a free person takes the
first queued item they can do, and a new item goes to the free person who can start it
first (``soonest_start``), has been free longest whatever their hours (``earliest_free``, as
Prosimos does) or is fastest at it (``by_skill``). Boundary timers can cancel it, or
the subprocess around it; a terminate end cancels all of a case's work. :class:`Staffing`
holds these operations; :class:`~bpengine.sim.kernel.Replication` builds on them, and what
they use of the replication is declared once in the :class:`Replicating` protocol.
"""

from __future__ import annotations

import itertools
from collections import deque
from heapq import heappush
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from ..errors import ScenarioError
from ..i18n import _
from ..scenario import Distribution
from ..scenario import limits as scenario_limits
from ..scenario.distributions import Transitions
from .net import UNSTAFFED, lane_calendar

if TYPE_CHECKING:
    from ..scenario import Scenario
    from ..scenario.calendar import WorkingClock
    from .casedata import ProcessData, Ranking
    from .net import Net

__all__ = [
    "Group",
    "Item",
    "Lane",
    "Worker",
    "build_lanes",
    "Replicating",
    "Staffing",
    "Stream",
    "UniformStream",
    "QUEUED",
    "SERVICE",
    "FINISHED",
    "CANCELLED",
    "DONE",
    "TIMER",
    "WAKE",
    "BATCH",
    "ARRIVE",
    "DONE_ROW",
    "READY",
    "MAX_STEPS",
]

# heap event kinds, also the tie-break priority; READY: a person's first working minute
DONE, TIMER, WAKE, BATCH, ARRIVE, READY = range(6)
# a DONE (its priority) whose payload is ``(scope, row)``, not an Item: see _spawn_direct
DONE_ROW = 6
QUEUED, SERVICE, FINISHED, CANCELLED = range(4)
MAX_STEPS = 20_000  # node visits per case before we call it a livelock (procedures need <1000)


class Stream:
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


class UniformStream(Stream):
    def next(self) -> float:
        if self.pos >= len(self.buf):
            self.buf = self.rng.random(4096).tolist()
            self.pos = 0
        v = self.buf[self.pos]
        self.pos += 1
        return v


class Item:
    """One task activation of one case: a work item in a lane's queue."""

    __slots__ = (
        "case",
        "scope",
        "node",
        "lane",
        "enabled",
        "released",
        "assigned",
        "start",
        "end",
        "dur",
        "state",
        "staff",
        "group",
    )

    def __init__(self, case, scope, node, lane, t, group=None):
        self.case, self.scope, self.node, self.lane = case, scope, node, lane
        self.enabled = self.released = self.assigned = t
        self.start = self.end = self.dur = 0.0
        self.state, self.staff, self.group = QUEUED, -1, group


class Group:
    """The instances of one multi-instance or looping activation, done when none remain."""

    __slots__ = ("remaining", "sequential", "repeat", "items", "done")

    def __init__(self, remaining, sequential, repeat):
        self.remaining, self.sequential, self.repeat = remaining, sequential, repeat
        self.items, self.done = [], False


class Worker:
    """One named person of a lane while a replication runs."""

    __slots__ = ("name", "clock", "cost_min", "skills", "streams", "means", "free_since")

    def __init__(self, name, clock, cost_min, skills, streams, means):
        self.name, self.clock, self.cost_min, self.skills = name, clock, cost_min, skills
        self.streams, self.means, self.free_since = streams, means, 0.0


class Lane:
    __slots__ = (
        "name",
        "free",
        "queue",
        "clock",
        "cost_min",
        "busy",
        "staff",
        "unlimited",
        "people",
        "policy",
        "costs",
    )

    def __init__(
        self,
        name,
        staff,
        clock,
        cost_per_hour,
        unlimited=False,
        people=None,
        policy="soonest_start",
    ):
        self.name, self.staff, self.clock, self.unlimited = name, staff, clock, unlimited
        # whoever has been free longest takes the next file, as at a real counter, so
        # the event log shows the work spread over the lane's people (calibration counts them)
        self.free = deque(range(staff))
        self.queue: deque[Any] = deque()
        self.cost_min, self.busy = cost_per_hour / 60.0, 0.0
        self.people, self.policy = people, policy  # people: None for a head count
        self.costs = None if people is None else np.array([w.cost_min for w in people])


def build_lanes(net, scenario, rng_for) -> list[Lane]:
    """The lanes of a replication: head counts, or people with their own streams of work.

    A person's own duration of a task draws from a stream of its own, keyed by task and
    distribution, so people with the same duration share the task's stream.
    """
    epoch = scenario.start
    by_task: dict[str, list[int]] = {}
    for i, node_id in enumerate(net.ids):
        if net.duration[i] >= 0:
            by_task.setdefault(node_id.rsplit("/", 1)[-1], []).append(i)
    shared: dict = {}
    lanes = []
    for name in net.lanes:
        clock = lane_calendar(scenario, name).clock(epoch)
        if name in UNSTAFFED:  # a system step or a step on no lane: nobody to wait for
            lanes.append(Lane(name, 0, clock, 0.0, unlimited=True))
            continue
        staff = scenario.lane(name)
        if not staff.people:
            lanes.append(Lane(name, staff.staff, clock, staff.cost_per_hour))
            continue
        people = []
        for person in staff.people:
            streams, means = {}, {}
            for tid, dist in person.durations.items():
                for i in by_task.get(tid, ()):
                    key = (i, dist)
                    if key not in shared:
                        shared[key] = Stream(dist, rng_for("task", f"{net.ids[i]}|{len(shared)}"))
                    streams[i], means[i] = shared[key], dist.mean
            skills = (
                None
                if person.tasks is None
                else frozenset(i for tid in person.tasks for i in by_task.get(tid, ()))
            )
            cost = staff.cost_per_hour if person.cost_per_hour is None else person.cost_per_hour
            own = scenario.person_calendar(name, person).clock(epoch)
            w = Worker(person.name, own, cost / 60.0, skills, streams, means)
            # free since their first working minute (as Prosimos counts): before any work,
            # whoever is at their desk first counts as free longest
            w.free_since = own.next_working(own.to_minutes(epoch))
            people.append(w)
        lanes.append(
            Lane(name, len(people), clock, staff.cost_per_hour, False, people, staff.allocation)
        )
    return lanes


class Replicating(Protocol):
    """What :class:`Staffing` uses of the replication it belongs to (``kernel.Replication``).

    Declared members that :class:`Staffing` itself does not define are the kernel's: its
    state (the net, the event heap, lanes and batch pools) and its steps through the graph.
    The protocol comes last in the replication's method order: the real methods win.
    """

    net: Net
    scenario: Scenario
    clock: WorkingClock
    lanes: list[Lane]
    heap: list[Any]
    seq: itertools.count[int]
    node_stream: list[Stream | None]
    pools: dict[int, list[Item]]
    batched: dict[Item, list[Item]]
    kept: dict[Item, int]
    batch_rules: dict[int, list[Any]]
    batch_sizes: dict[int, int]
    pool_gen: dict[int, int]
    rows: list[tuple[Any, ...]]
    sends: Any
    has_or: bool
    sets_data: bool
    track_live: bool
    plain: list[int]
    after: list[int]
    ranking: Ranking | None
    process: ProcessData | None

    def _push(self, t: float, kind: int, payload: Any) -> None: ...

    def _delay(self, key: Any, dist: Any) -> float: ...

    def _uniform(self, i: int) -> float: ...

    def _enter(self, scope: Any, i: int, t: float) -> None: ...

    def _livelock(self, case: Any, i: int) -> None: ...

    def _leave(self, scope: Any, i: int, t: float) -> None: ...

    def _close_case(self, case: Any, t: float) -> None: ...

    def _pos_add(self, scope: Any, i: int) -> None: ...

    def _pos_del(self, scope: Any, i: int, t: float) -> None: ...

    def _try_or(self, scope: Any, t: float) -> None: ...

    def _pool_file(self, i: int, item: Item, t: float, batch: Any) -> None: ...

    def _request(self, item: Item, t: float) -> None: ...

    def _serve_batch(self, lane: Lane, first: Item, t: float, staff: int) -> None: ...


class Staffing(Replicating):
    """Tasks, staff, batching and cancellation of a replication."""

    # -- tasks and staff --------------------------------------------------------------
    def _first_shifts(self, t0):
        """Prosimos (``earliest_free``): a person whose hours have not begun when the run
        starts is not free until then; work waits for whoever is at a desk sooner, busy or
        not (a READY event at their first working minute lets them take queued work)."""
        for lane in self.lanes:
            if lane.people is None or lane.policy != "earliest_free":
                continue
            for k, w in enumerate(lane.people):
                if w.free_since > t0:
                    lane.free.remove(k)
                    self._push(w.free_since, READY, (lane, k))

    def _activate(self, scope, i, t):
        net = self.net
        if net.mi[i] is None and not net.repeat[i]:
            item = self._spawn(scope, i, t, None)
        else:
            sequential, count = net.mi[i] if net.mi[i] is not None else (True, None)
            n = 1 if count is None else self._instances(scope.case, i, count)
            if n <= 0:  # nothing to do this time: the activity completes at once
                self._leave(scope, i, t)
                return
            group = Group(n, sequential, net.repeat[i])
            item = self._spawn(scope, i, t, group)
            for _round in range(0 if sequential else n - 1):
                self._spawn(scope, i, t, group)
        if net.boundaries[i]:
            self._arm_boundaries(i, item, t)

    def _instances(self, case, i, count) -> int:
        where = f"tasks.{self.net.ids[i]}.instances"
        if isinstance(count, Distribution):
            n = max(0, int(round(self._delay(("instances", i), count))))
            source = "drawn"
        else:
            try:
                n = max(0, int(count.evaluate(case.data)))
            except Exception as exc:  # ExpressionError, or a value that is not a number
                raise ScenarioError(
                    _(
                        "{where}: the loop cardinality {source} fails on case data {data}: {exc}"
                    ).format(where=where, source=repr(count.source), data=case.data, exc=exc)
                ) from None
            source = f"loopCardinality {count.source!r}"
        # A count from case data must not hang the run: the scenario's instances limit.
        return scenario_limits.check_count(
            n, f"{where} ({source})", scenario_limits.MAX_INSTANCES, "MAX_INSTANCES"
        )

    def _spawn(self, scope, i, t, group):
        """Create one work item of node ``i`` and send it to its batch pool or lane."""
        case = scope.case
        lane_no = self.net.lane[i]
        item = Item(case, scope, i, lane_no, t, group)
        if group is not None:
            group.items.append(item)
        if self.track_live:
            case.live.add(item)
        if self.has_or:
            self._pos_add(scope, i)
        batch = self.net.batch[i]
        if batch is None:
            lane = self.lanes[lane_no]
            if lane.people is not None or not lane.free:
                self._request(item, t)
                return item
            # A head count with someone free, the common case: _request and _serve
            # inlined (the same draws, the same order), as this runs for every task.
            staff = lane.free.popleft()
            stream = self.node_stream[i]
            buf, pos = stream.buf, stream.pos
            if pos < len(buf):
                dur = buf[pos]
                stream.pos = pos + 1
            else:
                dur = stream.next()
            start, end = lane.clock.work(t, dur)
            item.start, item.end, item.dur, item.state, item.staff = start, end, dur, SERVICE, staff
            heappush(self.heap, (end, DONE, next(self.seq), DONE, item))
            return item
        self._pool_file(i, item, t, batch)
        return item

    def _spawn_direct(self, scope, i, t):
        """A plain task's work item, taken up at once by a free person of a head-count lane.

        Used (see ``Replication.direct``) for tasks outside a batch, in a lane of a head
        count, in a net where nothing cancels work: nothing will ever look at such an item
        but its own end, so no :class:`Item` is made. The heap carries its ready-made row
        (as :meth:`_finish` records it) to :meth:`_finish_direct`. The draws, the times and
        the order of events are those of :meth:`_spawn`.
        """
        lane_no = self.net.lane[i]
        lane = self.lanes[lane_no]
        if self.has_or:
            self._pos_add(scope, i)
        if not lane.free:  # _spawn and _request for such a task, inlined: it queues
            item = Item(scope.case, scope, i, lane_no, t, None)
            if lane.unlimited or self.ranking is not None:
                self._request(item, t)
            else:
                lane.queue.append(item)
            return
        staff = lane.free.popleft()
        stream = self.node_stream[i]
        buf, pos = stream.buf, stream.pos
        if pos < len(buf):
            dur = buf[pos]
            stream.pos = pos + 1
        else:
            dur = stream.next()
        start, end = lane.clock.work(t, dur)
        row = (scope.case.id, i, lane_no, staff, t, t, t, start, end, dur)
        heappush(self.heap, (end, DONE, next(self.seq), DONE_ROW, (scope, row)))

    def _finish_direct(self, job, t):
        """The end of such a task (started by :meth:`_spawn_direct`, or by :meth:`_serve`
        from the queue): what :meth:`_finish` does for it."""
        scope, row = job
        self.rows.append(row)
        lane = self.lanes[row[2]]
        lane.busy += row[9]
        queue = lane.queue  # _free of a head count, inlined as in _finish
        while queue:
            nxt = queue.popleft()
            if nxt.state == QUEUED:
                self._serve(lane, nxt, t, row[3])
                break
        else:
            lane.free.append(row[3])
        i = row[1]
        if self.sets_data and self.net.attrs[i] is not None:
            self._set_data(scope.case, i)
        if self.has_or:
            self._pos_del(scope, i, t)
        o = self.after[i]
        if o >= 0:  # _leave over one flow, inlined
            case = scope.case
            if self.plain[o] == 2 and case.done is None:  # _enter for a plain task, inlined
                case.steps += 1
                if case.steps > MAX_STEPS:
                    self._livelock(case, o)
                self._spawn_direct(scope, o, t)
            else:
                self._enter(scope, o, t)
            if scope.or_wait:
                self._try_or(scope, t)
        else:
            self._leave(scope, i, t)

    def _request(self, item, t):
        lane = self.lanes[item.lane]
        if lane.people is not None:
            who = self._pick(lane, item.node, t)
            if who is None:
                if self.ranking is None:
                    lane.queue.append(item)
                else:
                    self.ranking.enqueue(lane.queue, item, self.batched)
            else:
                lane.free.remove(who)
                self._serve(lane, item, t, who)
        elif lane.free:
            self._serve(lane, item, t, lane.free.popleft())
        elif lane.unlimited:  # no staff to wait for (a system step, a step on no lane)
            self._serve(lane, item, t, 0)
        elif self.ranking is None:
            lane.queue.append(item)
        else:
            self.ranking.enqueue(lane.queue, item, self.batched)

    def _pick(self, lane, node, t):
        """The free person of ``lane`` to take a new item of ``node`` at ``t``, or None."""
        people, best, best_key = lane.people, None, None
        for k in lane.free:
            w = people[k]
            if w.skills is not None and node not in w.skills:
                continue
            key: tuple[Any, ...]
            if lane.policy == "earliest_free":  # Prosimos: free longest, whatever the hours
                key = (w.free_since, k)
            else:
                key = (w.clock.next_working(t), w.free_since, k)
                if lane.policy == "by_skill":
                    key = (
                        w.means.get(node, self.net.distributions[self.net.duration[node]].mean),
                        *key,
                    )
            if best_key is None or key < best_key:
                best, best_key = k, key
        return best

    def _serve(self, lane, item, t, staff):
        if self.batched and item in self.batched:  # a batch one person works (Prosimos)
            self._serve_batch(lane, item, t, staff)
            return
        if lane.people is None:
            dur = self.node_stream[item.node].next()
            start, end = lane.clock.work(t, dur)
            if self.plain[item.node] == 2:  # nothing else looks at it: as _spawn_direct
                row = (item.case.id, item.node, item.lane, staff, item.enabled) + (
                    item.released,
                    t,
                    start,
                    end,
                    dur,
                )
                heappush(self.heap, (end, DONE, next(self.seq), DONE_ROW, (item.scope, row)))
                return
        else:
            w = lane.people[staff]
            dur = (w.streams.get(item.node) or self.node_stream[item.node]).next()
            start, end = w.clock.work(t, dur)
        item.assigned, item.start, item.end, item.dur = t, start, end, dur
        item.state, item.staff = SERVICE, staff
        heappush(self.heap, (end, DONE, next(self.seq), DONE, item))  # _push, inlined

    def _free(self, lane, staff, t):
        queue = lane.queue
        if lane.people is not None:
            w = lane.people[staff]
            while queue and queue[0].state != QUEUED:
                queue.popleft()
            for pos, item in enumerate(queue):  # the first queued item this person can do
                if item.state == QUEUED and (w.skills is None or item.node in w.skills):
                    del queue[pos]
                    self._serve(lane, item, t, staff)
                    return
            w.free_since = t
            lane.free.append(staff)
            return
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
        case, lane, staff = item.case, self.lanes[item.lane], item.staff
        kept = self.kept
        if kept and item in kept:  # a file of a batch one person works, not its last
            if kept.pop(item) == 1:
                lane.busy += item.dur
        elif lane.people is None:  # a head count: _free inlined, as this runs for every task
            lane.busy += item.dur
            queue = lane.queue
            while queue:
                nxt = queue.popleft()
                if nxt.state == QUEUED:
                    self._serve(lane, nxt, t, staff)
                    break
            else:
                lane.free.append(staff)
        else:
            lane.busy += item.dur
            self._free(lane, staff, t)
        if self.track_live:
            case.live.discard(item)
        scope, i = item.scope, item.node
        self.rows.append(
            (
                case.id,
                i,
                item.lane,
                staff,
                item.enabled,
                item.released,
                item.assigned,
                item.start,
                item.end,
                item.dur,
            )
        )  # _account, inlined
        if self.sets_data and self.net.attrs[i] is not None:
            self._set_data(case, i)
        if self.has_or:
            self._pos_del(scope, i, t)
        # rare cases out of line, each behind a test that costs a plain task nothing
        if item.group is not None and self._more_instances(item.group, scope, i, t):
            return
        if self.net.boundaries[i] and self._boundary_fires(scope, i, t):
            return
        o = self.net.outs[i]
        if len(o) == 1 and i not in self.sends:  # _leave over one flow, inlined
            self._enter(scope, o[0], t)
            if scope.or_wait:
                self._try_or(scope, t)
        else:
            self._leave(scope, i, t)

    def _more_instances(self, group, scope, i, t) -> bool:
        """One instance of a multi-instance or loop task ended: True while more are to come
        (the next one started if they run one after another)."""
        group.remaining -= 1
        if group.remaining == 0 and group.repeat and self._uniform(i) < group.repeat:
            group.remaining = 1  # a standard loop goes round once more
        if group.remaining > 0:
            if group.sequential:
                self._spawn(scope, i, t, group)
            return True
        group.done = True
        return False

    def _boundary_fires(self, scope, i, t) -> bool:
        """Boundary events drawn by their probability as task ``i`` ends: True when an
        interrupting one took the token away."""
        for b in self.net.boundaries[i]:
            if b.probability and self._uniform(b.node) < b.probability:
                if b.interrupting:
                    self._leave(scope, b.node, t)
                    return True
                scope.count += 1
                self._leave(scope, b.node, t)
        return False

    def _set_data(self, case, i):
        """The attributes task ``i`` sets as it ends, each drawn, moved on from its current
        value or computed from the data as it was before the task ended, but for Markov moves
        already made (as Prosimos does)."""
        data = dict(case.data)  # also the case's own copy, whatever data(k) shares
        new = {}
        for name, gen in self.net.attrs[i]:
            if isinstance(gen, Transitions):
                choice = gen.after(data.get(name))
                if choice is None:
                    new[name] = data.get(name)
                else:  # the attributes after it see the move (Prosimos writes it at once)
                    new[name] = data[name] = self._delay((f"attr:{name}:{data[name]}", i), choice)
            elif hasattr(gen, "evaluate"):
                try:
                    new[name] = gen.evaluate(data)
                except Exception as exc:  # ExpressionError, or an operation on wrong types
                    raise ScenarioError(
                        _(
                            "event_attributes of {id}: {name} = {source} fails "
                            "on case data {data}: {exc}"
                        ).format(
                            id=self.net.ids[i],
                            name=name,
                            source=repr(gen.source),
                            data=data,
                            exc=exc,
                        )
                    ) from None
            else:
                new[name] = self._delay(("attr:" + name, i), gen)
        if self.process is None:
            data.update(new)
            case.data = data
        else:
            self.process.write(case, new)

    def _account(self, item, lane):
        # waiting is split by working time afterwards, vectorised (see :meth:`tally`)
        end = item.end if item.state == FINISHED else item.assigned
        dur = item.dur if item.state == FINISHED else 0.0
        self.rows.append(
            (
                item.case.id,
                item.node,
                item.lane,
                item.staff,
                item.enabled,
                item.released,
                item.assigned,
                item.start,
                end,
                dur,
            )
        )

    # -- boundary events, cancellation --------------------------------------------------
    def _arm_boundaries(self, i, target, t):
        for b in self.net.boundaries[i]:
            if b.delay is None:
                continue
            wait = self._delay(b.node, b.delay)
            due = self.clock.add(t, wait) if b.working_time else t + wait
            self._push(due, TIMER, (b, target))

    def _timer(self, obj, t):
        b, target = obj
        if isinstance(target, Item):
            group = target.group
            if group is not None:
                if group.done:
                    return
                members = [it for it in group.items if it.state in (QUEUED, SERVICE)]
            elif target.state in (FINISHED, CANCELLED):
                return
            else:
                members = [target]
            scope = target.scope
            if target.case.cancels and scope.dead():
                return
            if b.interrupting:
                if group is not None:
                    group.done = True
                for it in members:
                    self._cancel_item(it, t)
                    self._pos_del(scope, it.node, t)
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
            clock = lane.clock if lane.people is None else lane.people[item.staff].clock
            started = clock.worked(item.start)
            item.dur = max(0.0, clock.worked(t) - started) if t > item.start else 0.0
            item.end = t
            lane.busy += item.dur
            item.state = FINISHED
            self._account(item, lane)
            if self.kept.pop(item, 0) == 0:
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
