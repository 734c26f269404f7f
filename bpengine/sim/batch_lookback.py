"""When a Prosimos batch whose rules name a time of day or a day of the week fires, as
Prosimos 2.1.0 works it out (``prosimos/batch_processing.py``), for Prosimos imports.

bpengine's own reading (:mod:`bpengine.sim.batching`) lets such a rule hold while the clock
is in the window: ``daily_hour >= 15 AND size >= 5`` fires at 15:00 if five files wait,
else at the fifth file if it comes before midnight, else the next day at 15:00. Prosimos
looks back instead: a time rule holds once its hour or day has come while the oldest files
of the pool waited, and stays true for them. Its ``get_batch_size_by_daily_hour`` finds
the files enabled before the hour on the oldest file's day (``>=``: those waiting when the
hour came) and ``get_batch_size_relative_time`` those enabled before the last such day's
midnight (``week_day``); ``get_firing_batch_size`` then gives the size rule the whole
pool. So five files of which the first four came on Wednesday morning go at once when the
fifth comes on Thursday at 09:05, not at Thursday 15:00, and the batch holds five files,
not the seven that would have come by then (Optimos' ``demo_batching``). With ``< h``
or ``<= h`` as the only upper bound, the list yields two files at a time: Prosimos takes
the first two of the oldest file's day as the hour rule's batch, and the smaller size wins.

:func:`prosimos_firing` is that code, step for step, on minutes from the run's first
midnight (a pool of enabled times, oldest first, and the moment ``t`` it is checked at);
``ProsimosRuleset.when`` finds the first moment at or after now at which it fires, trying
the moments where its answer can change (midnights, the rules' hours, a second after
each). Prosimos checks its rules when a file joins the pool and before each next event,
and starts the batch from the moment its rule names when that lies in the past; firing at
the first moment the rules hold is the same, except that Prosimos may then start a batch
before that moment when its person was free earlier (it keeps one free-from time per
person); bpengine starts it when the batch fires. An AND-list that also has a waiting-time
rule keeps bpengine's own reading (:class:`~bpengine.sim.batching.Ruleset`).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence

from ..scenario import BatchRule

__all__ = ["ProsimosRuleset", "prosimos_firing"]

_SECOND = 1 / 60
_DAY = 1440.0
_BIG = 1 << 62  # Prosimos' sys.maxsize: no size found yet
# Prosimos' _get_operator_symbols_eq: the rule's own comparison
_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    "=": operator.eq,
    ">": operator.gt,
    ">=": operator.ge,
}
# _get_operator_symbols_ge: '=' read as '>=' (a rule checked against the current moment)
_OPS_GE = {**_OPS, "=": operator.ge}


def _prosimos_order(rules: Sequence[BatchRule]) -> list[BatchRule]:
    """``BatchProcessingParser._move_size_to_end``: the first daily_hour rule, then the
    first size rule, moved to the end."""
    order = list(rules)
    for name in ("daily_hour", "size"):
        k = next((k for k, r in enumerate(order) if r.attribute == name), None)
        if k is not None:
            order.append(order.pop(k))
    return order


def _hour_range(order: list[BatchRule]) -> tuple[float, float]:
    """``AndFiringRule.daily_hour_range``: each daily_hour rule in turn overwrites a bound."""
    low, high = 0.0, _DAY - _SECOND
    for r in order:
        if r.attribute != "daily_hour":
            continue
        m = r.value * 60
        if r.op == "=":
            low = high = m
        elif r.op == "<":
            high = m - _SECOND
        elif r.op == "<=":
            high = m
        elif r.op == ">":
            low = m + _SECOND
        else:
            low = m
    return low, high


class _Pool:
    """Prosimos' ``element``: the files waiting (enabled times) and the moment checked."""

    __slots__ = ("enabled", "t", "triggered")

    def __init__(self, enabled: list[float], t: float, triggered: bool):
        self.enabled, self.t, self.triggered = enabled, t, triggered


class _Rules:
    """One AND-list in Prosimos' order, with its hour range."""

    def __init__(self, rules: Sequence[BatchRule], weekday0: int):
        self.order = _prosimos_order(rules)
        self.range = _hour_range(self.order)
        self.weekday0 = weekday0
        size = next((r for r in self.order if r.attribute == "size"), None)
        self.size_one = size is not None and size.value == 1

    def weekday(self, t: float) -> int:
        return (self.weekday0 + int(t // _DAY)) % 7

    # -- FiringSubRule.is_true ----------------------------------------------------------
    def holds(self, r: BatchRule, pool: _Pool) -> bool:
        n = len(pool.enabled)
        if n < 2:
            return False
        if r.attribute == "size":
            if r.op == "<" and n >= r.value or r.op == "<=" and n > r.value:
                return True  # Prosimos can split the pool into several batches
            return _OPS_GE[r.op](n, r.value)
        if r.attribute == "week_day":
            return self.weekday(pool.t) == r.value
        # daily_hour: the time of day against the hour, '=' read as '>='
        return _OPS_GE[r.op](pool.t - (pool.t // _DAY) * _DAY, r.value * 60)

    # -- FiringSubRule.get_batch_size_relative_time -------------------------------------
    def by_week_day(self, r: BatchRule, pool: _Pool) -> tuple[int, float | None]:
        t = pool.t
        back = (self.weekday(t) - int(r.value)) % 7
        boundary = (t // _DAY - back) * _DAY  # midnight of the rule's day, this week or past
        if pool.triggered and back == 0:
            # the first check on the rule's day: the files from before its midnight
            before = sum(e < boundary for e in pool.enabled)
            if before > 1:
                return before, boundary
        if pool.triggered:
            count = sum(e <= t for e in pool.enabled)
            boundary = t
        else:
            count = sum(e < boundary for e in pool.enabled)
        return (count, boundary) if count > 0 else (0, None)

    # -- FiringSubRule.get_batch_size_by_daily_hour -------------------------------------
    def by_daily_hour(self, r: BatchRule, pool: _Pool, one_day: bool) -> tuple[int, float | None]:
        t, enabled = pool.t, pool.enabled
        op, hour = _OPS[r.op], r.value * 60
        prev = ((t if one_day else enabled[0]) // _DAY) * _DAY + hour
        final = t
        low, high = self.range
        while True:
            follow = 0
            day = (prev // _DAY) * _DAY
            start_day, end_day = day + low, day + high
            for e in enabled:
                if op is operator.eq:
                    if e <= prev:
                        follow += 1
                        final = prev
                elif op(e, prev):
                    if follow > 1:
                        return follow, prev
                    if e > end_day:
                        break  # already the next day's
                    if op in (operator.gt, operator.ge) and e < start_day:
                        break
                    follow += 1
                    if follow == 2:
                        final = e
                        break
                else:  # not (yet) true: goes at the hour, or at the next midnight
                    follow += 1
                    final = day + _DAY if op in (operator.lt, operator.le) else prev
                if final > t and not one_day:
                    return 0, None  # the rule's moment is still to come
            if follow > 1:
                return follow, final
            if one_day:
                return 0, None
            prev += _DAY
            if prev > t:
                return 0, None

    # -- AndFiringRule.get_firing_batch_size --------------------------------------------
    def batch_size(self, pool: _Pool) -> tuple[int, float | None]:
        n = len(pool.enabled)
        size, initial = _BIG, pool.t
        at: float | None = pool.t
        forced = False
        for r in self.order:
            found = 0
            if r.attribute == "size":
                v = int(r.value)
                by_rule = {
                    "<": min(n, v - 1),
                    "<=": min(n, v),
                    "=": v if n >= v else 0,
                    ">": n if n > v else 0,
                    ">=": n if n >= v else 0,
                }[r.op]
                if size == 0 or by_rule == 0:
                    size = 0
                    break
                at = at if forced else pool.t
                size = size if _OPS[r.op](size, v) else by_rule
                if size > n or at is None or at > initial:
                    return 0, None
                return size, at
            if r.attribute == "week_day":
                found, at = self.by_week_day(r, pool)
                if found < 2:
                    size = 0
                    break
                forced = True
            elif r.attribute == "daily_hour":
                one_day = False
                if forced:
                    assert at is not None  # set by the week_day rule just before
                    pool.t, one_day = at, True
                found, at = self.by_daily_hour(r, pool, one_day)
                if found < 2:
                    size = 0
                    break
                if forced:
                    size = found
                forced = at is not None and at - (at // _DAY) * _DAY == r.value * 60
            if found < size:
                size = found
        if size in (_BIG, 0) or at is None or at > initial:
            return 0, None
        return size, at

    def enough(self, size: int) -> bool:
        """``AndFiringRule.is_batch_size_enough_for_exec`` (no waiting-time rule here)."""
        return size > 0 if self.size_one else size > 1

    # -- AndFiringRule.is_true ----------------------------------------------------------
    def fires(self, pool: _Pool) -> list[int]:
        """The sizes of the batches that go now, oldest files first; [] if none."""
        if not all(self.holds(r, pool) for r in self.order):
            # a batch that should have gone earlier in the timeline?
            draft = _Pool(list(pool.enabled), pool.t, False)
            if not self.enough(self.batch_size(draft)[0]):
                return []
        k, _at = self.batch_size(pool)  # may move pool.t, as Prosimos moves the element's
        if not self.enough(k):
            return []
        if len(pool.enabled) > k:
            pool.enabled = pool.enabled[k:]
            return [k, *self.fires(pool)]
        return [k]


def prosimos_firing(
    rules: Sequence[BatchRule], enabled: Sequence[float], t: float, weekday0: int
) -> list[int]:
    """The sizes of the batches Prosimos 2.1.0 releases when it checks the AND-list ``rules``
    at ``t`` with files enabled at ``enabled`` (minutes from day 0's midnight, oldest
    first), the oldest files first; [] when it releases none. ``weekday0``: day 0's day of
    the week (0 = Monday)."""
    return _Rules(rules, weekday0).fires(_Pool(list(enabled), t, True))


class ProsimosRuleset:
    """One AND-list read as Prosimos 2.1.0 reads it (see the module); the interface of
    :class:`~bpengine.sim.batching.Ruleset`."""

    __slots__ = ("rules", "hours", "need", "_compiled")

    def __init__(self, rules: Sequence[BatchRule]):
        self.rules = tuple(rules)
        # files the list needs whatever the time: two (a time rule), more by its size rule
        # (Prosimos' size is 0 below that value, and stays 0)
        self.need = 2
        for r in _prosimos_order(rules):
            if r.attribute == "size":
                if r.op in ("=", ">=", ">"):
                    self.need = max(2, int(r.value) + (r.op == ">"))
                break
        # moments of the day at which Prosimos' answer can change: midnight, the hours
        # (a '>' rule changes a second after its hour)
        self.hours = sorted(
            {0.0}
            | {r.value * 60 for r in self.rules if r.attribute == "daily_hour"}
            | {
                r.value * 60 + _SECOND
                for r in self.rules
                if r.attribute == "daily_hour" and r.op == ">"
            }
        )
        self._compiled: dict[int, _Rules] = {}

    def when(self, enabled: list[float], now: float, weekday0: int, until: float | None = None):
        """``(time, sizes)``: the first moment at or after ``now`` (and not after ``until``,
        when another list fires then) at which the list releases batches, and their sizes;
        None if not within a week."""
        if len(enabled) < self.need:
            return None
        compiled = self._compiled.get(weekday0)
        if compiled is None:
            compiled = self._compiled[weekday0] = _Rules(self.rules, weekday0)
        last = now + 8 * _DAY if until is None else until
        day = int(now // _DAY)
        moments = [now] + [
            m
            for d in range(day, day + 8)
            for m in (d * _DAY + h for h in self.hours)
            if now < m <= last
        ]
        for t in moments:  # in order: the hours are sorted
            sizes = compiled.fires(_Pool(list(enabled), t, True))
            if sizes:
                return t, sizes
        return None
