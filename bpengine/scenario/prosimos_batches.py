"""Prosimos' ``batch_processing`` section as :class:`~.scenario.Batch` entries of a scenario.

Each entry names a task, how one person works a batch (``Sequential``: the files one after
another; ``Parallel``: all at once, each taking the batch's time), ``size_distrib`` (with
firing rules: the probability of size 1 is the chance a file is done on its own when no
batch is open; without: the size of each batch, drawn when it opens), ``duration_distrib``
(the duration coefficient by batch size) and ``firing_rules`` (an OR of AND-lists of
``size``, ``ready_wt``, ``large_wt``, ``daily_hour``, ``week_day`` conditions), read as
Prosimos 2.1.0 does (``prosimos/batch_processing_parser.py``). What the simulator does with
them is in :mod:`bpengine.sim.batching`; an AND-list with a ``daily_hour`` or ``week_day``
rule is evaluated as Prosimos' code evaluates it (``Batch.time_rules = "prosimos"``,
:mod:`bpengine.sim.batch_lookback`). A rule whose Prosimos reading is not a rule of
time (a waiting time without an upper bound, which Prosimos stops on; an hour window that
is empty) or a batch type Prosimos does not execute (``Concurrent``) is refused with one
line naming the task and the rule.
"""

from __future__ import annotations

import math

from ..errors import ScenarioError
from ..i18n import _
from . import limits
from .prosimos_values import WEEKDAYS, items, number, obj, only_keys, text
from .scenario import Batch, BatchRule, hour_window, names_time, wait_window

__all__ = ["prosimos_batches"]

_TYPES = {"Sequential": "sequential", "Parallel": "parallel"}
_OPS = ("<", "<=", "=", ">=", ">")
_ATTRIBUTES = ("size", "ready_wt", "large_wt", "daily_hour", "week_day")


def prosimos_batches(section: object, notes: list[str]) -> dict[str, Batch]:
    """The batches of ``batch_processing`` by task id.

    Raises
    ------
    ScenarioError
        A malformed entry, or a rule or type bpengine does not simulate; one line naming
        ``batch_processing[i]`` (and the task) and what is wrong.
    """
    out: dict[str, Batch] = {}
    for i, entry in enumerate(items(section, "batch_processing")):
        where = f"batch_processing[{i}]"
        entry = obj(entry, where)
        only_keys(
            entry,
            where,
            (
                "task_id",
                "type",
                "batch_frequency",
                "size_distrib",
                "duration_distrib",
                "firing_rules",
            ),
        )
        tid = text(entry.get("task_id"), f"{where}.task_id")
        where = f"{where} ({tid})"
        if tid in out:
            raise ScenarioError(
                _("{where}: task {task!r} has a second batch_processing entry").format(
                    where=where, task=tid
                )
            )
        kind = entry.get("type")
        if kind == "Concurrent":
            raise ScenarioError(
                _(
                    "{where}.type: Concurrent batches are not simulated "
                    "(Prosimos 2.1.0 does not execute them either); use "
                    "Sequential or Parallel"
                ).format(where=where)
            )
        if not isinstance(kind, str) or kind not in _TYPES:  # a list is not a key
            raise ScenarioError(
                _("{where}.type: {kind!r} is not Sequential or Parallel").format(
                    where=where, kind=kind
                )
            )
        if "batch_frequency" in entry:
            notes.append(
                _("{where}.batch_frequency: not read (Prosimos does not use it either)").format(
                    where=where
                )
            )
        sizes = _pairs(entry.get("size_distrib"), f"{where}.size_distrib", 1.0)
        scale = dict(_pairs(entry.get("duration_distrib"), f"{where}.duration_distrib", None))
        scale.setdefault(1, 1.0)  # as Prosimos: a file on its own takes its own duration
        rules = tuple(
            _and_rule(r, f"{where}.firing_rules[{j}]")
            for j, r in enumerate(items(entry.get("firing_rules"), f"{where}.firing_rules"))
        )
        _note_prosimos_faults(rules, where, notes)
        alone, drawn = 0.0, ()  # type: tuple[float, tuple[tuple[int, float], ...]]
        if rules:
            one = dict(sizes).get(1, 0.0)
            if sizes and sizes[0][0] != 1:
                notes.append(
                    _(
                        "{where}.size_distrib: the chance of a file done on its own "
                        "is that of size 1 ({p:g}); Prosimos takes the first entry's "
                        "({first:g})"
                    ).format(where=where, p=one, first=sizes[0][1])
                )
            alone = one
        else:
            total = sum(p for _k, p in sizes)
            if total <= 0:
                raise ScenarioError(
                    _(
                        "{where}: neither firing_rules nor a size_distrib "
                        "with a probability: no batch would ever "
                        "form"
                    ).format(where=where)
                )
            drawn = tuple((k, p / total) for k, p in sizes if p > 0)
            one = dict(drawn).get(1, 0.0)
            if 0 < one < 1:
                # Prosimos draws once whether a file goes alone (size 1) and once the size
                # of the batch it then opens, which may be 1 again
                notes.append(
                    _(
                        "{where}.size_distrib: Prosimos 2.1.0 draws size 1 twice (for a file "
                        "on its own, then for the batch it opens), so there a batch of one "
                        "comes with {twice:.0%} instead of {once:.0%}; bpengine draws once"
                    ).format(where=where, twice=one * (2 - one), once=one)
                )
        out[tid] = Batch(
            rules=rules,
            sizes=drawn,
            alone=alone,
            scale=tuple(sorted(scale.items())),
            together=_TYPES[kind],
            time_rules="prosimos",
        )
    return out


def _note_prosimos_faults(
    rules: tuple[tuple[BatchRule, ...], ...], where: str, notes: list[str]
) -> None:
    """Note the rules Prosimos 2.1.0 runs against its own documentation; bpengine follows
    the documentation (SCENARIO.md, ``batch_processing``).

    - An AND-list whose batch size only a ``size >`` or ``size >=`` rule decides never fires
      in Prosimos: ``AndFiringRule.get_firing_batch_size`` starts the size at
      ``sys.maxsize``, keeps it because it satisfies ``>=``, then finds it larger than the
      pool and returns 0, so the files wait for ever and their cases never finish.
    - ``ready_wt``/``large_wt`` waits are measured with ``timedelta.seconds``, which drops
      whole days (a wait of 26 h reads as 2 h).
    - A ``week_day`` batch can start late: Prosimos works out a step's end when the step
      is taken from its event queue, and hands the file on to the batched task then, ahead
      of its own clock. A file due on the rule's day, handed on while the run is still on
      the day before, releases the files already waiting from its own time, not midnight;
      files handed on after it wait for the next batch (``BPMNGraph.move_batch_if_enabled``
      checks the rule at the file's enabled time). bpengine releases the batch as soon as
      the rule holds, as documented (tests/sim/test_batching.py shows both on
      tests/data/prosimos/sign.bpmn).
    """
    for j, and_rules in enumerate(rules):
        stalled = _size_rule_prosimos_never_fires(and_rules)
        if stalled is not None:
            notes.append(
                _(
                    "{where}: Prosimos 2.1.0 never fires this rule ('size {op} {value:g}' "
                    "leaves its batch size at 0), so there its files wait for another rule "
                    "or for ever; bpengine fires it as documented, once {n} files wait"
                ).format(
                    where=f"{where}.firing_rules[{j}]",
                    op=stalled.op,
                    value=stalled.value,
                    n=int(stalled.value) + (stalled.op == ">"),
                )
            )
    if any(r.attribute in ("ready_wt", "large_wt") for and_rules in rules for r in and_rules):
        notes.append(
            _(
                "{where}.firing_rules: Prosimos 2.1.0 reads ready_wt/large_wt waits modulo "
                "one day (timedelta.seconds: a wait of 26 h reads as 2 h); bpengine uses "
                "the whole wait, so files waiting over a day may fire at other times"
            ).format(where=where)
        )
    looked_back = [j for j, and_rules in enumerate(rules) if names_time(and_rules)]
    if looked_back:
        notes.append(
            _(
                "{where}.firing_rules[{lists}]: read as Prosimos 2.1.0 runs them, not as "
                "documented: a daily_hour or week_day rule holds once its hour or day has "
                "come while the oldest files waited, so such a batch can go outside those "
                "hours or on another day, when its size rule comes true (SCENARIO.md, "
                "batch_processing)"
            ).format(where=where, lists=", ".join(map(str, looked_back)))
        )
    if any(r.attribute == "week_day" for and_rules in rules for r in and_rules):
        notes.append(
            _(
                "{where}.firing_rules: Prosimos 2.1.0 may start a week_day batch later "
                "than the rule allows: when, still on the day before, it works out that a "
                "file comes on that day, the files waiting go at that file's time, not at "
                "midnight; bpengine starts the batch as soon as the rule holds, so its cycle "
                "times can be shorter (claims-batches-friday: about 2%)"
            ).format(where=where)
        )


def _size_rule_prosimos_never_fires(and_rules: tuple[BatchRule, ...]) -> BatchRule | None:
    """The ``size >``/``size >=`` rule that stalls this AND-list in Prosimos 2.1.0, or None.

    Mirrors ``BatchProcessingParser._move_size_to_end`` (the first ``daily_hour`` rule, then
    the first ``size`` rule, moved to the end) and ``get_firing_batch_size``: a waiting-time
    rule, or a ``week_day``/``daily_hour`` rule met before the first ``size`` rule, gives the
    batch a real size first; otherwise that ``size`` rule alone decides.
    """
    order = list(and_rules)
    for name in ("daily_hour", "size"):
        k = next((k for k, r in enumerate(order) if r.attribute == name), None)
        if k is not None:
            order.append(order.pop(k))
    if any(r.attribute in ("ready_wt", "large_wt") for r in order):
        return None
    for r in order:
        if r.attribute in ("week_day", "daily_hour"):
            return None
        if r.attribute == "size":
            return r if r.op in (">", ">=") else None
    return None


def _pairs(section: object, where: str, high: float | None) -> list[tuple[int, float]]:
    """``[{key, value}, ...]``: a batch size (whole number >= 1) and a number >= 0."""
    out: dict[int, float] = {}
    for j, pair in enumerate(items(section, where)):
        pw = f"{where}[{j}]"
        pair = obj(pair, pw)
        only_keys(pair, pw, ("key", "value"))
        key = number(pair.get("key"), f"{pw}.key", 1)
        if key != int(key):
            raise ScenarioError(
                _("{where}.key: a batch size is a whole number, got {value!r}").format(
                    where=pw, value=pair.get("key")
                )
            )
        limits.check_count(key, f"{pw}.key", limits.MAX_CASES, "MAX_CASES")
        value = _finite(pair.get("value"), f"{pw}.value")
        if high is not None and value > high:
            raise ScenarioError(
                _("{where}.value: a probability cannot exceed 1, got {value:g}").format(
                    where=pw, value=value
                )
            )
        out[int(key)] = value
    return list(out.items())


def _finite(value: object, where: str) -> float:
    out = number(value, where, 0)
    if not math.isfinite(out):
        raise ScenarioError(
            _("{where}: expected a finite number, got {value!r}").format(where=where, value=value)
        )
    return out


def _and_rule(rules: object, where: str) -> tuple[BatchRule, ...]:
    out = []
    for k, rule in enumerate(items(rules, where, True)):
        rw = f"{where}[{k}]"
        rule = obj(rule, rw)
        only_keys(rule, rw, ("attribute", "comparison", "value"))
        attr, op = rule.get("attribute"), rule.get("comparison")
        if attr not in _ATTRIBUTES:
            raise ScenarioError(
                _("{where}.attribute: {attr!r} is not a Prosimos firing rule ({known})").format(
                    where=rw, attr=attr, known=", ".join(_ATTRIBUTES)
                )
            )
        if op not in _OPS:
            raise ScenarioError(
                _("{where}.comparison: {op!r} is not one of {ops}").format(
                    where=rw, op=op, ops=" ".join(_OPS)
                )
            )
        named = f"{rw} ({attr} {op} {rule.get('value')!r})"
        out.append(BatchRule(attr, op, _rule_value(attr, op, rule.get("value"), named)))
    if not out:
        raise ScenarioError(_("{where}: an empty list of rules").format(where=where))
    if sum(r.attribute == "week_day" for r in out) > 1:
        raise ScenarioError(
            _("{where}: more than one week_day rule (Prosimos allows one)").format(where=where)
        )
    hours = [r for r in out if r.attribute == "daily_hour"]
    if len(hours) > 2:
        raise ScenarioError(
            _("{where}: more than two daily_hour rules (Prosimos allows two)").format(where=where)
        )
    for attr in ("ready_wt", "large_wt"):
        try:
            wait_window(out, attr)
        except ValueError as exc:
            why = _("no upper bound") if str(exc) == "no upper bound" else _("an empty range")
            raise ScenarioError(
                _(
                    "{where}: the {attr} rules give {why}: Prosimos needs a "
                    "range (a '<' or '<=' bound, or '='; it stops on \"Invalid "
                    'range" otherwise)'
                ).format(where=where, attr=attr, why=why)
            ) from None
    if hour_window(out) is None:
        raise ScenarioError(
            _(
                "{where}: the daily_hour rules leave no time of day at which the batch could fire"
            ).format(where=where)
        )
    return tuple(out)


def _rule_value(attr: str, op: str, value: object, named: str) -> float:
    if attr == "week_day":
        if op != "=":
            raise ScenarioError(
                _("{rule}: week_day takes only '=' (as in Prosimos)").format(rule=named)
            )
        day = str(value).upper() if isinstance(value, str) else None
        if day not in WEEKDAYS:
            raise ScenarioError(
                _("{rule}: not a day of the week (Monday ... Sunday)").format(rule=named)
            )
        return float(WEEKDAYS.index(day))
    number_ = _finite(value, named)
    if attr == "daily_hour":
        if number_ != int(number_) or number_ > 23:
            raise ScenarioError(
                _("{rule}: daily_hour is a whole hour from 0 to 23").format(rule=named)
            )
        return number_
    if attr == "size":
        if number_ != int(number_) or number_ < 1:
            raise ScenarioError(
                _("{rule}: a size is a whole number of files, at least 1").format(rule=named)
            )
        if op == "<" and number_ <= 2 or op == "<=" and number_ < 2:
            raise ScenarioError(
                _("{rule}: no batch of two or more files satisfies it; a batch never forms").format(
                    rule=named
                )
            )
        return number_
    return number_ / 60.0  # ready_wt, large_wt: seconds in Prosimos, minutes here
