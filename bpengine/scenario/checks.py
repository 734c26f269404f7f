"""Checks a scenario must pass against its model before anything runs.

Key-by-key checks live in :mod:`.scenario` while reading; here are the ones that need the
whole model: that no case can be trapped in a loop with probability 1 (every element a
case can reach still has a path of non-zero probability to an end), and that every lane
that does work has someone in it.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from ..errors import ScenarioError

if TYPE_CHECKING:
    from ..model import ProcessModel
    from ..model.elements import Element
    from .scenario import Scenario

__all__ = ["check_scenario", "possible_flows"]

_BRANCHING = ("exclusiveGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway")


def possible_flows(model: ProcessModel, scenario: Scenario, element_id: str) -> list[str]:
    """Outgoing flows of an element that a case can take (probability above zero)."""
    el = model.elements[element_id]
    if el.kind in _BRANCHING and element_id in scenario.probabilities:
        return [f for f in el.outgoing if (scenario.branch_probability(element_id, f) or 0) > 0]
    return list(el.outgoing)


def _exits(model: ProcessModel, scenario: Scenario, element_id: str) -> list[str]:
    """Elements a token at ``element_id`` can move to next (same scope)."""
    out = [model.flows[f].target for f in possible_flows(model, scenario, element_id)]
    for b in model.elements.values():
        if b.attached_to == element_id:
            timing = scenario.events.get(b.id)
            fires = b.event == "timer" or (timing is not None and (timing.probability or 0) > 0)
            if fires:
                out.append(b.id)
    return out


def check_scenario(model: ProcessModel, scenario: Scenario) -> None:
    """Refuse a scenario under which the model cannot be simulated to the end.

    Raises
    ------
    ScenarioError
        A case could loop forever with probability 1 (names the element where it is
        trapped and the gateway that keeps sending it back).
    """
    scopes: dict[tuple[str, str | None], list[Element]] = {}
    for el in model.elements.values():
        scopes.setdefault((el.process, el.scope), []).append(el)
    for (_, _scope), members in scopes.items():
        ids = {el.id for el in members}
        entries = [
            el.id
            for el in members
            if not el.incoming
            and el.kind != "boundaryEvent"
            and not el.for_compensation
            and not el.triggered_by_event
        ]
        seen, todo = set(entries), deque(entries)
        while todo:
            n = todo.popleft()
            for m in _exits(model, scenario, n):
                if m in ids and m not in seen:
                    seen.add(m)
                    todo.append(m)
        # backwards from the scope's ends over the edges a case can really take
        preds: dict[str, list[str]] = {}
        for n in seen:
            for m in _exits(model, scenario, n):
                preds.setdefault(m, []).append(n)
        ends = [n for n in seen if not model.elements[n].outgoing]
        alive, todo = set(ends), deque(ends)
        while todo:
            n = todo.popleft()
            for p in preds.get(n, ()):
                if p not in alive:
                    alive.add(p)
                    todo.append(p)
        trapped = sorted(seen - alive, key=lambda i: model.elements[i].line or 0)
        # a terminate end on another branch ends the whole case, loops included
        terminates = any(model.elements[n].event == "terminate" for n in seen & alive)
        if trapped and not terminates:
            el = model.elements[trapped[0]]
            culprit = next(
                (model.elements[t] for t in trapped if t in scenario.probabilities), None
            )
            if culprit is not None:
                raise ScenarioError(
                    f"gateways.{culprit.id}: the model can loop forever: with these branch "
                    f"probabilities no case that reaches {culprit.id!r} ({culprit.label}) can "
                    "get to an end event"
                )
            raise ScenarioError(
                f"the model can loop forever: from {el.id!r} ({el.label}) no path with non-zero "
                "probability reaches an end event"
            )
