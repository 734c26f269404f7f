"""When a batch of files fires, under Prosimos-style firing rules (see :class:`~bpengine.scenario.Batch`).

A task's batch pool holds the files waiting, in the order they came. Its rules are an OR of
AND-lists; an AND-list holds at time ``t`` for the pool when every condition does:

- ``size op v``: the number of files waiting; ``=``, ``>=``, ``>`` wait until it is reached
  (``=`` takes ``v`` files, the others all); ``<``, ``<=`` fire with two files and take at
  most ``v - 1`` (``v``) of them;
- ``ready_wt`` (the newest file's wait: no new file for that long) and ``large_wt`` (the
  oldest file's wait) bound a window ``[low, high]`` (:func:`~bpengine.scenario.wait_window`),
  read as Prosimos does: with two files or more the batch fires once the wait reaches
  ``low``, a lone file once it reaches ``high``;
- ``daily_hour``: the wall-clock time of day is in the window the rules allow
  (:func:`~bpengine.scenario.hour_window`); ``week_day = d``: it is that day of the week.
  A Prosimos import reads a list with such a rule as Prosimos' code does instead, looking
  back to the hour or day that came while the oldest files waited
  (:mod:`~bpengine.sim.batch_lookback`, ``Batch.time_rules``).

A batch needs two files, except under a waiting-time rule or ``size = 1`` (as Prosimos). As
the pool only changes when a file comes (or a batch leaves), :func:`firing` computes, from
the pool as it is, the first moment some AND-list holds: the kernel schedules a check then,
and computes it again whenever the pool changes. Calendar days are wall-clock days, as in
Prosimos; the files released then wait for a person in working hours.
"""

from __future__ import annotations

from heapq import heappush

from ..errors import ScenarioError
from ..i18n import _
from ..scenario import hour_window, names_time, wait_window
from .batch_lookback import ProsimosRuleset
from .work import BATCH, DONE, QUEUED, SERVICE, Replicating

__all__ = ["firing", "rulesets_of", "Ruleset", "Batching"]


class Ruleset:
    """One AND-list compiled: size bounds, waiting times, the hour window and week day."""

    __slots__ = ("need", "at_least", "cap", "ready", "large", "window", "weekday")

    def __init__(self, rules):
        self.need, self.at_least = 2, 0
        self.cap: int | None = None
        self.window = hour_window(rules)
        self.weekday: int | None = None
        self.ready, self.large = wait_window(rules, "ready_wt"), wait_window(rules, "large_wt")
        if self.ready is not None or self.large is not None:
            self.need = 1  # a lone file goes once it has waited the upper bound
        for r in rules:
            v, op = r.value, r.op
            if r.attribute == "size":
                if op == "=":
                    self.at_least = max(self.at_least, int(v))
                    self.cap = int(v) if self.cap is None else min(self.cap, int(v))
                    if v == 1:
                        self.need = 1
                elif op in (">=", ">"):
                    self.at_least = max(self.at_least, int(v) + (op == ">"))
                else:
                    top = int(v) - (op == "<")
                    self.cap = top if self.cap is None else min(self.cap, top)
            elif r.attribute == "week_day":
                self.weekday = int(v)

    def when(self, enabled: list[float], now: float, weekday0: int):
        """``(time, (files,))`` this AND-list first holds at or after ``now``, or None."""
        n = len(enabled)
        take = n if self.cap is None else min(n, self.cap)
        if n < max(self.need, self.at_least) or take < self.need:
            return None
        t = now
        if self.ready is not None:
            t = max(t, enabled[-1] + self.ready[0 if take > 1 else 1])
        if self.large is not None:
            t = max(t, enabled[0] + self.large[0 if take > 1 else 1])
        if self.window is None:  # the daily_hour rules allow no hour: never released
            return None
        low, high = self.window
        day = int(t // 1440)
        for d in range(day, day + 8):
            if self.weekday is not None and (weekday0 + d) % 7 != self.weekday:
                continue
            start = max(t, d * 1440 + low)
            if start <= d * 1440 + high:
                return start, (take,)
        return None


def rulesets_of(batch) -> list[Ruleset | ProsimosRuleset]:
    """The batch's AND-lists compiled: Prosimos' own reading for the lists with a time rule
    of a Prosimos import (``Batch.time_rules == "prosimos"``, :mod:`.batch_lookback`)."""
    prosimos = batch.time_rules == "prosimos"
    return [ProsimosRuleset(r) if prosimos and names_time(r) else Ruleset(r) for r in batch.rules]


def firing(rulesets, enabled: list[float], now: float, weekday0: int):
    """The first ``(time, sizes)`` at or after ``now`` at which one of the AND-lists holds
    for the files enabled at ``enabled`` (oldest first): the sizes of the batches that go
    then, the oldest files first; None if none ever does as it is.

    ``weekday0`` is the day of the week of simulation day 0 (0 = Monday).
    """
    best = None  # (time, the list's place, sizes): at a tie the first list wins
    # the plain lists first: a Prosimos list then searches no later than they fire
    for k, rs in sorted(enumerate(rulesets), key=lambda kr: isinstance(kr[1], ProsimosRuleset)):
        if isinstance(rs, ProsimosRuleset):
            got = rs.when(enabled, now, weekday0, None if best is None else best[0])
        else:
            got = rs.when(enabled, now, weekday0)
        if got is not None and (best is None or (got[0], k) < best[:2]):
            best = (got[0], k, got[1])
    return None if best is None else (best[0], best[2])


class Batching(Replicating):
    """The batch pools of a replication: files wait in them until their batch is released.

    bpengine's sign-off rounds release a pool at a time of day or once it holds ``size``
    files, each file then taken by whoever is free; Prosimos' batches fire by their rules
    (or drawn sizes) and one person works the files of a batch (:meth:`_serve_batch`).
    """

    def _pool_file(self, i, item, t, batch):
        """File ``item`` of task ``i`` enters its batch pool at ``t``."""
        pool = self.pools.setdefault(i, [])
        if batch.together is not None and self.net.boundaries[i]:
            raise ScenarioError(
                _(
                    "{task}: a task with boundary events is not simulated in batches one "
                    "person works (the scenario's tasks.{task}.batch.worked, or a Prosimos "
                    "batch_processing entry); drop the one person or the boundary events"
                ).format(task=self.net.ids[i])
            )
        if batch.rules or batch.sizes:
            if batch.alone and not pool and self._uniform(i) < batch.alone:
                self._request(item, t)  # done on its own: no batch is open
                return
            pool.append(item)
            self._check_pool(i, t)
            return
        pool.append(item)
        if batch.size is not None and len(pool) >= batch.size:
            self._release(i, t)
        elif batch.at and len(pool) == 1:
            gen = self.pool_gen.setdefault(i, 0)
            self._push(self._next_batch_time(batch, i, t), BATCH, (i, gen))

    def _next_batch_time(self, batch, i, t) -> float:
        """The first of the batch's times of day at or after ``t`` on a working day."""
        cal = self.scenario.lane_calendar(self.net.lanes[self.net.lane[i]])
        day = int(t // 1440)
        epoch = self.clock.epoch.date()
        for d in range(day, day + 800):
            date = epoch.fromordinal(epoch.toordinal() + d)
            if date in cal.holidays or not cal.hours[date.weekday()]:
                continue
            for at in batch.at:
                if d * 1440 + at >= t:
                    return d * 1440 + at
        raise ScenarioError(
            _("tasks.{id}.batch: no working day in two years").format(id=self.net.ids[i])
        )

    def _batch_due(self, i, t):
        """A scheduled check of task ``i``'s pool (still current) comes due."""
        batch = self.net.batch[i]
        if batch.rules or batch.sizes:
            self._check_pool(i, t)
        else:
            self._release(i, t)

    def _check_pool(self, i, t):
        """Release the batches of ``i``'s pool that fire at ``t``; schedule the next check."""
        batch = self.net.batch[i]
        gen = self.pool_gen[i] = self.pool_gen.get(i, 0) + 1  # earlier checks are stale
        pool = [it for it in self.pools[i] if it.state == QUEUED]
        while pool:
            if batch.rules:
                rulesets = self.batch_rules.get(i)
                if rulesets is None:
                    rulesets = self.batch_rules[i] = rulesets_of(batch)
                got = firing(rulesets, [it.enabled for it in pool], t, self.clock.epoch.weekday())
            else:
                size = self.batch_sizes.get(i) or self._draw_size(i, batch)
                got = (t, (size,)) if len(pool) >= size else None
            if got is None:
                break
            when, sizes = got
            if when > t:
                self._push(when, BATCH, (i, gen))
                break
            self.batch_sizes.pop(i, None)  # the next batch draws its own size
            for take in sizes:
                self._fire(i, pool[:take], t)
                pool = pool[take:]
        self.pools[i] = pool

    def _draw_size(self, i, batch) -> int:
        u, acc, chosen = self._uniform(i), 0.0, batch.sizes[-1][0]
        for size, p in batch.sizes:
            acc += p
            if u < acc:
                chosen = size
                break
        self.batch_sizes[i] = chosen
        return chosen

    def _release(self, i, t):
        """Release every file of ``i``'s pool (a sign-off round, or the run's end)."""
        pool = self.pools.get(i) or []
        self.pools[i] = []
        self.pool_gen[i] = self.pool_gen.get(i, 0) + 1
        self._fire(i, [it for it in pool if it.state == QUEUED], t)

    def _fire(self, i, files, t):
        for item in files:
            item.released = t
        if self.net.batch[i].together is None or len(files) < 2:
            for item in files:
                self._request(item, t)
            return
        self.batched[files[0]] = files  # one request: whoever takes it works the batch
        self._request(files[0], t)

    def _serve_batch(self, lane, first, t, staff):
        """One person (``staff``) works the files of a batch from ``t``: one after another,
        or all at once, each taking the batch's time (Prosimos' Sequential, Parallel).

        Each file draws its own duration and ends by it. The person is free again when the
        batch's last file ends (in the order the files came), and a parallel batch counts
        that file's time once as their busy time: Prosimos 2.1.0 does both, so a file of a
        parallel batch drawn longer than the last one ends after its person moved on.
        """
        files = self.batched.pop(first)
        batch = self.net.batch[first.node]
        n, parallel = len(files), batch.together == "parallel"
        factor = batch.coefficient(n) * (n if parallel else 1)
        if lane.people is None:
            clock, stream = lane.clock, self.node_stream[first.node]
        else:
            w = lane.people[staff]
            clock = w.clock
            stream = w.streams.get(first.node) or self.node_stream[first.node]
        s, last = t, files[-1]
        for item in files:
            dur = stream.next() * factor
            start, end = clock.work(t if parallel else s, dur)
            item.assigned, item.start, item.end, item.dur = t, start, end, dur
            item.state, item.staff = SERVICE, staff
            s = end
            if item is not last:
                # its end frees nobody; in a parallel batch it adds no busy time either
                self.kept[item] = 2 if parallel else 1
                heappush(self.heap, (end, DONE, next(self.seq), DONE, item))
        heappush(self.heap, (last.end, DONE, next(self.seq), DONE, last))
