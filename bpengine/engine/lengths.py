"""Refuse at deploy what a database column cannot hold, naming the element.

SQLite stores a 600-character task name in a ``VARCHAR(500)`` column without a word;
PostgreSQL refuses it, and not at deploy but when a case first reaches the task, leaving
that case stuck. So every text the engine will store from the model (element ids, names,
lanes, message names, timer-start expressions, the definition's key and name) is measured
against its column's length here, read from the schema itself so the two cannot drift.
"""

from __future__ import annotations

from ..errors import ModelError, Problem
from ..i18n import _
from .schema import DefinitionRow, MessageRow, ScheduleRow, TaskRow

__all__ = ["check_lengths"]


def _room(column) -> int:
    return column.type.length


def check_lengths(model, key: str, name: str, messages: dict[str, str], events: dict) -> None:
    """Raise :class:`ModelError` listing every text too long for its column.

    Parameters
    ----------
    model : ProcessModel
        The model being deployed.
    key, name : str
        The definition's key and name (:func:`engine_key`, :func:`engine_name`).
    messages : dict
        Element id -> message name (:func:`bpengine.model.spiff.message_names`).
    events : dict
        The deploy summary; ``events["starts"]["timer"]`` lists (element, expression).
    """
    problems: list[Problem] = []

    def check(value, column, what: str, el=None) -> None:
        room = _room(column)
        if value and len(value) > room:
            problems.append(
                Problem(
                    _(
                        "{what} is {length} characters long; the engine stores at most {room} "
                        "(shorten it in the model)"
                    ).format(what=what, length=len(value), room=room),
                    file=model.file,
                    line=getattr(el, "line", None),
                    element_id=(
                        el.id[:60] + "…"
                        if el is not None and len(el.id) > 60
                        else getattr(el, "id", None)
                    ),
                    element_name=None,
                    code="too-long",
                )
            )

    check(
        key,
        DefinitionRow.key,
        _("the process (or collaboration) id {value!r}").format(value=key[:40] + "…"),
    )
    check(name, DefinitionRow.name, _("the process name"))
    for el in model.elements.values():
        check(el.id, TaskRow.element_id, _("the element id"), el)
        check(el.name, TaskRow.name, _("the name"), el)
        check(messages.get(el.id), MessageRow.name, _("the message name"), el)
    for lane in model.lanes.values():  # tasks store the name of their lane
        check(lane.name, TaskRow.lane, _("the lane name"), lane)
    for element, expression in (events.get("starts") or {}).get("timer", ()):
        el = model.elements.get(element)
        check(expression, ScheduleRow.expression, _("the timer expression"), el)
    if problems:
        raise ModelError(problems)
