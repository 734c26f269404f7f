"""The firing rules of a YAML ``tasks.<id>.batch``: when a batch goes, who works it, how long.

Beside a sign-off round (``at``, ``size``, read by :mod:`~bpengine.scenario.reader`), a batch
may say::

    batch:
      rules:                         # an OR of AND-lists: the batch goes when one list holds
        - {size: ">= 5"}             # five files wait
        - {hour: ">= 15", oldest_wait: [">= 2 h", "<= 1 day"]}
      worked: sequential             # one person works the batch: in turn, or parallel
      scale: {3: 0.8, 5: 0.6}        # duration coefficient by batch size (nearest size)
      alone: 0.1                     # chance a file is done on its own when no batch is open

or ``sizes: {2: 0.5, 3: 0.5}`` (the size of each batch, drawn as it opens) instead of
``rules``. A condition is ``"OP VALUE"`` (``<``, ``<=``, ``=``, ``>=``, ``>``; a bare value
is ``=``), or a list of them for a window. Attributes, and the Prosimos rule each one is:
``size`` (files waiting; ``size``), ``newest_wait`` (how long since the newest file came;
``ready_wt``), ``oldest_wait`` (how long the oldest file has waited; ``large_wt``), ``hour``
(time of day, ``15`` or ``"14:30"``; ``daily_hour``), ``day`` (``mon`` ... ``sun``, ``=``
only; ``week_day``). They run as Prosimos batches are documented (:mod:`bpengine.sim.batching`,
SCENARIO.md): ``hour`` and ``day`` hold while the clock is in their window, where a Prosimos
import follows Prosimos' code, which looks back (:mod:`bpengine.sim.batch_lookback`). Bad input is one :class:`~bpengine.errors.ScenarioError` naming the key.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import ScenarioError
from ..i18n import _
from . import limits
from .distributions import parse_minutes
from .scenario import BatchRule, hour_window, wait_window

__all__ = ["read_batch_rules", "RULE_KEYS"]

RULE_KEYS = ("rules", "sizes", "alone", "worked", "scale")
# YAML attribute -> the rule it is (Prosimos' name, as BatchRule and the simulator know it)
_ATTRIBUTES = {
    "size": "size",
    "newest_wait": "ready_wt",
    "oldest_wait": "large_wt",
    "hour": "daily_hour",
    "day": "week_day",
}
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CONDITION = re.compile(r"\s*(<=|>=|<|>|=)?\s*(.*?)\s*$", re.S)
_DAY_UNIT = re.compile(r"\d\s*(working\s+)?(days?|wd|d)\s*$", re.I)


def read_batch_rules(spec: dict[Any, Any], where: str, rounds: bool) -> dict[str, Any]:
    """The :class:`~bpengine.scenario.Batch` fields ``spec`` gives beyond ``at``/``size``.

    ``rounds`` says whether ``spec`` is a sign-off round (``at`` or ``size`` given): the
    round may be worked by one person (``worked``, ``scale``) but not fire by rules too.
    """
    out: dict[str, Any] = {}
    if "rules" in spec and "sizes" in spec:
        raise ScenarioError(
            _("{where}: give 'rules' or 'sizes' (drawn batch sizes), not both").format(where=where)
        )
    if rounds and ("rules" in spec or "sizes" in spec):
        key = "rules" if "rules" in spec else "sizes"
        raise ScenarioError(
            _(
                "{where}.{key}: a batch goes by its rules or drawn sizes, or by 'at'/'size' "
                "(a sign-off round); give one of the two"
            ).format(where=where, key=key)
        )
    if "rules" in spec:
        out["rules"] = _rules(spec["rules"], f"{where}.rules")
    if "sizes" in spec:
        out["sizes"] = _sizes(spec["sizes"], f"{where}.sizes")
    if "alone" in spec:
        if "rules" not in spec and "sizes" not in spec:
            raise ScenarioError(
                _(
                    "{where}.alone: a file goes on its own only from a batch of 'rules' or 'sizes'"
                ).format(where=where)
            )
        out["alone"] = limits.finite(spec["alone"], f"{where}.alone", low=0.0)
        if out["alone"] > 1:
            raise ScenarioError(
                _("{where}.alone: a probability cannot exceed 1, got {value:g}").format(
                    where=where, value=out["alone"]
                )
            )
    if "worked" in spec:
        worked = spec["worked"]
        if worked not in ("sequential", "parallel"):
            raise ScenarioError(
                _(
                    "{where}.worked: {value!r} is not sequential (one person, the files in "
                    "turn) or parallel (one person, all at once)"
                ).format(where=where, value=worked)
            )
        out["together"] = worked
    if "scale" in spec:
        if "together" not in out:
            raise ScenarioError(
                _(
                    "{where}.scale: a duration by batch size needs one person working the "
                    "batch: add worked: sequential or parallel"
                ).format(where=where)
            )
        scale = dict(_by_size(spec["scale"], f"{where}.scale", None))
        scale.setdefault(1, 1.0)
        out["scale"] = tuple(sorted(scale.items()))
    return out


def _by_size(value: object, where: str, high: float | None) -> list[tuple[int, float]]:
    """``{size: number}``: whole sizes from 1, numbers from 0 (and at most ``high``)."""
    if not isinstance(value, dict) or not value:
        raise ScenarioError(
            _("{where}: expected a mapping of batch size to a number, like {{3: 0.8}}").format(
                where=where
            )
        )
    out = []
    for key, number in value.items():
        kw = f"{where}.{key}"
        try:
            size = int(str(key))
        except ValueError:
            size = 0
        if size < 1:
            raise ScenarioError(
                _("{where}: {key!r} is not a batch size (a whole number from 1)").format(
                    where=where, key=key
                )
            )
        limits.check_count(size, kw, limits.MAX_CASES, "MAX_CASES")
        v = limits.finite(number, kw, low=0.0)
        if high is not None and v > high:
            raise ScenarioError(
                _("{where}: a probability cannot exceed 1, got {value:g}").format(where=kw, value=v)
            )
        out.append((size, v))
    return out


def _sizes(value: object, where: str) -> tuple[tuple[int, float], ...]:
    pairs = _by_size(value, where, None)
    total = sum(p for _k, p in pairs)
    if total <= 0:
        raise ScenarioError(
            _("{where}: no size has a weight above 0: no batch would ever form").format(where=where)
        )
    return tuple(sorted((k, p / total) for k, p in pairs if p > 0))


def _rules(value: object, where: str) -> tuple[tuple[BatchRule, ...], ...]:
    lists = [value] if isinstance(value, dict) else value
    if not isinstance(lists, list) or not lists:
        raise ScenarioError(
            _(
                "{where}: expected a list of rules, each a mapping like {{size: '>= 5'}} "
                "(the batch goes when one of them holds)"
            ).format(where=where)
        )
    return tuple(_and_list(r, f"{where}[{j}]") for j, r in enumerate(lists))


def _and_list(value: object, where: str) -> tuple[BatchRule, ...]:
    if not isinstance(value, dict) or not value:
        raise ScenarioError(
            _(
                "{where}: expected a mapping of conditions like {{size: '>= 5', hour: '>= 15'}}"
            ).format(where=where)
        )
    out = []
    for key, conditions in value.items():
        if key not in _ATTRIBUTES:
            raise ScenarioError(
                _("{where}: unknown key {key!r} ({known})").format(
                    where=where, key=key, known=", ".join(_ATTRIBUTES)
                )
            )
        kw = f"{where}.{key}"
        items = conditions if isinstance(conditions, list) else [conditions]
        if not items:
            raise ScenarioError(_("{where}: an empty list of conditions").format(where=kw))
        out += [_condition(key, c, kw) for c in items]
    _check(out, where)
    return tuple(out)


def _condition(key: str, condition: object, where: str) -> BatchRule:
    op, text = "=", condition
    if isinstance(condition, str):
        m = _CONDITION.match(condition)
        assert m is not None  # the pattern matches any text
        op, text = m.group(1) or "=", m.group(2)
    elif isinstance(condition, bool) or not isinstance(condition, (int, float)):
        raise ScenarioError(
            _("{where}: {value!r} is not a condition like '>= 5'").format(
                where=where, value=condition
            )
        )
    attribute = _ATTRIBUTES[key]
    return BatchRule(attribute, op, _value(key, op, text, where))


def _value(key: str, op: str, text: object, where: str) -> float:
    if key == "size":
        size = int(limits.finite(_as_number(text), where, low=1.0, integer=True))
        if op == "<" and size <= 2 or op == "<=" and size < 2:
            raise ScenarioError(
                _("{where}: no batch of two or more files has size {op} {size}").format(
                    where=where, op=op, size=size
                )
            )
        return float(size)
    if key in ("newest_wait", "oldest_wait"):
        if isinstance(text, str) and _DAY_UNIT.search(text):
            raise ScenarioError(
                _(
                    "{where}: {value!r}: a wait here is wall-clock time; give it in s, min "
                    "or h (a day unit means a working day elsewhere in this file)"
                ).format(where=where, value=text)
            )
        return parse_minutes(text, where)
    if key == "hour":
        return _hour(text, where)
    day = str(text).lower()[:3]
    if op != "=" or day not in _DAYS or not str(text).strip():
        raise ScenarioError(
            _("{where}: {value!r} is not a day of the week (mon ... sun; '=' only)").format(
                where=where, value=f"{op} {text}"
            )
        )
    return float(_DAYS.index(day))


def _as_number(text: object) -> object:
    """A number written as text (``"5"`` from ``"<= 5"``) as a number; anything else as is."""
    if isinstance(text, str):
        try:
            return float(text)
        except ValueError:
            return text
    return text


def _hour(text: object, where: str) -> float:
    """``15``, ``"15"`` or ``"14:30"`` as hours after midnight."""
    try:
        if isinstance(text, (int, float)) and not isinstance(text, bool):
            hours = float(text)
        else:
            h, _sep, m = str(text).partition(":")
            hours = int(h) + (int(m) / 60 if m else 0.0)
    except ValueError:
        hours = -1.0
    if not 0 <= hours < 24:
        raise ScenarioError(
            _("{where}: {value!r} is not a time of day like 15 or '14:30'").format(
                where=where, value=text
            )
        )
    return hours


def _check(rules: list[BatchRule], where: str) -> None:
    """Refuse an AND-list that could never fire, naming what makes it so."""
    for key, attribute in (("newest_wait", "ready_wt"), ("oldest_wait", "large_wt")):
        try:
            wait_window(rules, attribute)
        except ValueError as exc:
            if str(exc) == "no upper bound":
                message = _(
                    "{where}.{key}: give an upper bound too (like '<= 24 h'): a file "
                    "waiting alone goes once it has waited that long"
                )
            else:
                message = _("{where}.{key}: the conditions leave no waiting time")
            raise ScenarioError(message.format(where=where, key=key)) from None
    if hour_window(rules) is None:
        raise ScenarioError(
            _("{where}.hour: the conditions leave no time of day").format(where=where)
        )
    if sum(r.attribute == "week_day" for r in rules) > 1:
        raise ScenarioError(_("{where}.day: give one day").format(where=where))
