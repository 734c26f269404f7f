"""Case priorities and process-wide data while a replication runs.

:class:`Ranking` gives each case its priority level as it arrives (the scenario's
``priorities``, from Prosimos' ``prioritisation_rules`` or the YAML) and keeps a lane's queue
in order of level, then first come, first served: a free person takes the waiting file of
the most urgent case. Nobody is interrupted: a file being worked on is finished first.
Under the scenario's ``priority_order: run`` (Prosimos' way) the replication instead runs
its cases level by level (``Replication._passes``), so queues then hold one level at a time.

:class:`ProcessData` holds the scenario's ``process_data`` (Prosimos' ``global_attributes``):
one value per name for the whole replication, drawn as it starts. A case's attributes of the
same name write it as the case starts, and the attributes its tasks set as they end;
every case reads the current value (its data is a ``ChainMap`` of its own values over the
process-wide ones).

:class:`RuleData` is a case's data as Prosimos' branch rules read it: an attribute a task
sets (``event_attributes``) is missing until a task has set it, and a rule on it is then
false, not an error.
"""

from __future__ import annotations

import math
from collections import ChainMap
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import ExpressionError, ScenarioError
from ..expressions import compile_expression
from ..i18n import _

if TYPE_CHECKING:
    from collections import deque

    from ..scenario import Scenario

__all__ = ["Ranking", "ProcessData", "RuleData"]


class Ranking:
    """The priority level of each case and the order of the queues by it."""

    __slots__ = ("levels",)

    def __init__(self, priorities: list[tuple[int, str]]):
        try:
            self.levels = [(level, compile_expression(cond)) for level, cond in priorities]
        except ExpressionError as exc:
            raise ScenarioError(_("priorities: {exc}").format(exc=exc)) from None

    def level(self, case: Any) -> float:
        """The first level whose condition holds for the case's data, else after all."""
        return self.level_of(case.data)

    def level_of(self, data: Mapping[str, Any]) -> float:
        """The level of a case whose data, as it arrives, is ``data``."""
        for level, expr in self.levels:
            try:
                if expr.evaluate(data):
                    return level
            except Exception as exc:  # ExpressionError, or a comparison of wrong types
                raise ScenarioError(
                    _(
                        "priorities: level {level}: {source} fails on case data {data}: {exc}"
                    ).format(level=level, source=repr(expr.source), data=dict(data), exc=exc)
                ) from None
        return math.inf

    @staticmethod
    def enqueue(queue: deque[Any], item: Any, batched: dict[Any, list[Any]]) -> None:
        """Put ``item`` behind every file of the same or a more urgent level.

        A batch queued as one file ranks as its most urgent case (as Prosimos does).
        """

        def rank(it: Any) -> float:
            files = batched.get(it) if batched else None
            return min(f.case.priority for f in files) if files else it.case.priority

        mine, pos = rank(item), len(queue)
        while pos and rank(queue[pos - 1]) > mine:
            pos -= 1
        queue.insert(pos, item)


class ProcessData:
    """One value per process-wide name for the replication, written by cases and tasks."""

    __slots__ = ("values",)

    def __init__(self, scenario: Scenario, rng_for: Any):
        self.values: dict[str, Any] = {
            name: gen.sample(rng_for("process", name), 1).tolist()[0]
            for name, gen in scenario.process_data.items()
        }

    def share(self, case: Any) -> None:
        """As the case starts: its values of process-wide names become the process's."""
        own = dict(case.data)
        for name in [n for n in own if n in self.values]:
            self.values[name] = own.pop(name)
        case.data = ChainMap(own, self.values)

    def write(self, case: Any, new: dict[str, Any]) -> None:
        """Values a task set as it ended: process-wide names to the process, others to the case."""
        own = dict(case.data.maps[0])
        for name, value in new.items():
            (self.values if name in self.values else own)[name] = value
        case.data = ChainMap(own, self.values)


class RuleData(Mapping[str, Any]):
    """A case's data in which a name it does not have reads as ``None``.

    Prosimos' branch rules compare an attribute only when the case has it (a rule on one it
    lacks is false); the conditions :func:`~bpengine.scenario.prosimos_values.branch_rule`
    writes say ``name is not None and ...`` for the names a case may lack.
    """

    __slots__ = ("data",)

    def __init__(self, data: Mapping[str, Any]):
        self.data = data

    def __contains__(self, name: object) -> bool:
        return True

    def __getitem__(self, name: str) -> Any:
        return self.data.get(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)
