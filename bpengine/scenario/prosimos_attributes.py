"""Prosimos' data: case, event and global attributes, and the case priorities they decide.

Read as Prosimos 2.1.0 reads and runs them (``prosimos/case_attributes.py``,
``event_attributes.py``, ``global_attributes.py``, ``all_attributes.py``,
``prioritisation*.py``, ``simulation_engine.py``):

- ``case_attributes``: drawn once per case as it arrives (``discrete``: one of the labels by
  probability; ``continuous``: a distribution of plain numbers, not seconds).
- ``event_attributes``: set when the task ends, each computed from the data as it was before
  the task ended (a Markov move is seen by the attributes after it): drawn, an
  ``expression``, a ``dtree`` (the formula of the first branch whose conditions all hold,
  else 0) or ``discrete`` Markov transitions (the next value drawn from the current one's
  row; a value without a row stays). Expressions run through
  the safe evaluator (:mod:`bpengine.expressions`), never ``eval``. An event attribute may
  not change a case attribute (Prosimos refuses it too).
- ``global_attributes``: one process-wide value each, drawn as the run starts; a case
  attribute of the same name writes it as each case starts, an event attribute of the same
  name as the task ends, and every case reads the current value.
- ``prioritisation_rules``: a case's priority is the lowest ``priority_level`` whose rules
  hold for its case attributes as it arrives (none: after every level); queues serve the
  lowest level first, then first come, first served.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import ExpressionError, ScenarioError
from ..expressions import compile_expression
from ..i18n import _
from .distributions import Choice, Transitions
from .prosimos_values import branch_rule, items, number, obj, only_keys, prosimos_distribution, text
from .scenario import Scenario

__all__ = ["case_attributes", "event_attributes", "global_attributes", "priorities"]


def case_attributes(section: object, sc: Scenario, notes: list[str]) -> None:
    """``case_attributes`` into ``sc.data``."""
    for i, attr in enumerate(items(section, "case_attributes")):
        where = f"case_attributes[{i}]"
        name, value = _drawn(attr, where, notes, "case_attributes")
        sc.data[name] = value


def global_attributes(section: object, sc: Scenario, notes: list[str]) -> None:
    """``global_attributes`` into ``sc.process_data`` (read after the case attributes)."""
    for i, attr in enumerate(items(section, "global_attributes")):
        where = f"global_attributes[{i}]"
        name, value = _drawn(attr, where, notes, "global_attributes")
        if name in sc.process_data:
            raise ScenarioError(
                _("{where}.name: {name!r} is defined twice").format(where=where, name=name)
            )
        sc.process_data[name] = value


def _drawn(attr: object, where: str, notes: list[str], section: str) -> tuple[str, Any]:
    attr = obj(attr, where)
    only_keys(attr, where, ("name", "type", "values"))
    name = text(attr.get("name"), f"{where}.name")
    kind = attr.get("type")
    if kind == "discrete":
        return name, _choice(attr.get("values"), f"{where}.values")
    if kind == "continuous":
        return name, prosimos_distribution(attr.get("values"), f"{where}.values", notes, unit=1.0)
    raise ScenarioError(
        _("{where}.type: {kind!r} is not 'discrete' or 'continuous'").format(where=where, kind=kind)
    )


def event_attributes(section: object, sc: Scenario, notes: list[str]) -> None:
    """Attributes a task sets when it ends: drawn, computed, decided by a tree or moved."""
    for i, entry in enumerate(items(section, "event_attributes")):
        where = f"event_attributes[{i}]"
        entry = obj(entry, where)
        only_keys(entry, where, ("event_id", "attributes"))
        tid = text(entry.get("event_id"), f"{where}.event_id")
        out = sc.event_data.setdefault(tid, {})
        for j, attr in enumerate(items(entry.get("attributes"), f"{where}.attributes")):
            aw = f"{where}.attributes[{j}]"
            attr = obj(attr, aw)
            only_keys(attr, aw, ("name", "type", "values"))
            name = text(attr.get("name"), f"{aw}.name")
            if name in sc.data and name not in sc.process_data:
                raise ScenarioError(
                    _(
                        "{aw}.name: {name!r} is a case attribute, which event attributes "
                        "cannot change (Prosimos refuses it too; make it a global attribute)"
                    ).format(aw=aw, name=name)
                )
            kind, values = attr.get("type"), attr.get("values")
            if kind == "discrete" and isinstance(values, dict):
                out[name] = _transitions(values, f"{aw}.values")
            elif kind == "discrete":
                out[name] = _choice(values, f"{aw}.values")
            elif kind == "continuous":
                out[name] = prosimos_distribution(values, f"{aw}.values", notes, unit=1.0)
            elif kind == "expression":
                out[name] = _compiled(text(values, f"{aw}.values"), f"{aw}.values")
            elif kind == "dtree":
                out[name] = _dtree(values, f"{aw}.values")
            else:
                raise ScenarioError(
                    _(
                        "{aw}.type: {kind!r} is not simulated (discrete, continuous, "
                        "expression, dtree)"
                    ).format(aw=aw, kind=kind)
                )


# Prosimos' event_attributes.py lets an expression draw from these; the safe evaluator has
# no random functions (BPMN conditions must decide the same way every time)
_DRAWING = re.compile(r"\b(fix|uniform|norm|triang|expon|lognorm|gamma)\s*\(")


def _compiled(source: str, where: str) -> str:
    """``source`` once the safe evaluator has read it (refused here, not mid-run)."""
    drawn = _DRAWING.search(source)
    if drawn:
        raise ScenarioError(
            _(
                "{where}: {source!r} draws from {name}(), which is not simulated inside "
                "an expression (give a continuous attribute and use its name)"
            ).format(where=where, source=source, name=drawn.group(1))
        )
    try:
        compile_expression(source)
    except ExpressionError as exc:
        raise ScenarioError(
            _("{where}: {source!r} cannot be computed: {why}").format(
                where=where, source=source, why=exc
            )
        ) from None
    return source


def _dtree(values: object, where: str) -> str:
    """A decision tree ``[[conditions or true, formula], ...]`` as one expression."""
    branches = []
    for k, branch in enumerate(items(values, where, True)):
        bw = f"{where}[{k}]"
        pair = items(branch, bw, True)
        if len(pair) != 2:
            raise ScenarioError(_("{where}: expected [conditions, formula]").format(where=bw))
        conditions, formula = pair
        if conditions is True:
            test = "True"
        else:
            tests = [
                _compiled(text(c, f"{bw}[0][{m}]"), f"{bw}[0][{m}]")
                for m, c in enumerate(items(conditions, f"{bw}[0]", True))
            ]
            test = " and ".join(f"({c})" for c in tests) or "True"
        branches.append((test, _compiled(text(formula, f"{bw}[1]"), f"{bw}[1]")))
    out = "0"  # Prosimos: no branch holds, the attribute is 0
    for test, formula in reversed(branches):
        out = f"({formula}) if ({test}) else ({out})"
    return _compiled(out, where)


def _transitions(values: dict[str, Any], where: str) -> Transitions:
    moves = []
    for state, row in values.items():
        sw = f"{where}[{state}]"
        row = obj(row, sw)
        keys = [text(k, sw) for k in row]
        probs = [number(p, f"{sw}[{k}]", 0) for k, p in row.items()]
        if not keys or abs(sum(probs) - 1) > 1e-6:
            raise ScenarioError(
                _("{where}: probabilities sum to {sum:g}, not 1").format(where=sw, sum=sum(probs))
            )
        moves.append((state, Choice(tuple(keys), tuple(probs))))
    return Transitions(tuple(moves))


def _choice(values: object, where: str) -> Choice:
    keys, probs = [], []
    for j, o in enumerate(items(values, where, True)):
        ow = f"{where}[{j}]"
        o = obj(o, ow)
        keys.append(text(o.get("key"), f"{ow}.key"))
        probs.append(number(o.get("value"), f"{ow}.value", 0))
    if not keys or abs(sum(probs) - 1) > 1e-6:
        raise ScenarioError(
            _("{where}: probabilities sum to {sum:g}, not 1").format(where=where, sum=sum(probs))
        )
    return Choice(tuple(keys), tuple(probs))


def priorities(section: object, sc: Scenario, notes: list[str]) -> None:
    """``prioritisation_rules`` into ``sc.priorities``, lowest level first.

    Prosimos 2.1.0 prioritises by the case's own attributes (not global ones) and compares
    with ``in`` (a range) or equality only: any other comparison it reads as ``=``, so
    bpengine refuses it rather than run a different rule.
    """
    own: dict[str, bool | None] = {
        n: not isinstance(g, Choice) for n, g in sc.data.items() if n not in sc.process_data
    }
    levels = []
    for i, entry in enumerate(items(section, "prioritisation_rules")):
        where = f"prioritisation_rules[{i}]"
        entry = obj(entry, where)
        only_keys(entry, where, ("priority_level", "rules"))
        level = number(entry.get("priority_level"), f"{where}.priority_level")
        if level != int(level):
            raise ScenarioError(
                _("{where}.priority_level: expected a whole number, got {value!r}").format(
                    where=where, value=entry.get("priority_level")
                )
            )
        for k, group in enumerate(items(entry.get("rules"), f"{where}.rules", True)):
            for m, rule in enumerate(items(group, f"{where}.rules[{k}]", True)):
                rw = f"{where}.rules[{k}][{m}]"
                rule = obj(rule, rw)
                op, name = rule.get("comparison"), text(rule.get("attribute"), f"{rw}.attribute")
                if op not in ("in", "=", "=="):
                    raise ScenarioError(
                        _(
                            "{rw}.comparison: {op!r}: Prosimos 2.1.0 prioritises with 'in' "
                            "(a range) or '=' only and reads any other comparison as '='"
                        ).format(rw=rw, op=op)
                    )
                if name not in own:
                    raise ScenarioError(
                        _(
                            "{rw}.attribute: {name!r} is not a case attribute (priorities "
                            "are decided by the case attributes: {known})"
                        ).format(rw=rw, name=name, known=", ".join(own) or _("none"))
                    )
                if op == "in" and not own[name]:
                    raise ScenarioError(
                        _(
                            "{rw}: 'in' needs a number, but {name!r} is a discrete "
                            "attribute (labels)"
                        ).format(rw=rw, name=name)
                    )
        levels.append((int(level), branch_rule(entry.get("rules"), f"{where}.rules", own)))
    sc.priorities = sorted(levels, key=lambda lv: lv[0])  # stable: ties keep file order
    if levels:  # simulation_engine.py: one event queue ordered by (priority, enabled time)
        sc.priority_order = "run"
        notes.append(
            _(
                "prioritisation_rules: scheduled as Prosimos 2.1.0 does, level by level over "
                "the whole run: every more urgent case first, even one arriving weeks later, "
                "each person taking up the next level only where they left the one before "
                "(a file waits for them even while its person would be idle); for a free "
                "person taking the waiting file of the most urgent case, write the scenario "
                "as YAML with priorities.order: waiting"
            )
        )
