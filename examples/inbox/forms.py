"""A task's form: the fields to render, and the case data a submitted form becomes.

A task whose BPMN declares Camunda ``formField`` s gets exactly those (``engine.form``): the
engine enforces them on ``complete`` and names the field in its :class:`~bpengine.FormError`.
A task without a declared form (the shipped procedures draw none) gets the fields the next
decision reads: walking from the task through gateways and events up to the next activity,
every case-data name in a condition becomes a field -- an ``enum`` of the strings it is
compared with (``pertimbangan == "disetujui"``), a yes/no for ``lengkap == True`` or a bare
``lengkap``, a number when compared with one. The app checks those itself, raising the same
``FormError``. Only the fields of the form reach the case data: a request cannot set any
other name (no mass assignment).
"""

from __future__ import annotations

import ast
from collections import deque
from dataclasses import dataclass, field

from bpengine import FormError
from bpengine.expressions import compile_expression

__all__ = ["Field", "decision_fields", "task_fields", "submitted_data", "PREFIX"]

PREFIX = "f:"  # form inputs are named f:<field id>, apart from csrf and buttons


@dataclass(frozen=True)
class Field:
    """A field to render; the engine's ``FormField`` has the same attributes."""

    id: str
    label: str
    type: str  # string, long, boolean, date, enum
    required: bool = False
    readonly: bool = False
    default: object = None
    values: tuple[tuple[str, str], ...] = ()
    constraints: dict = field(default_factory=dict)


def _conditions_after(model, element_id: str) -> list[str]:
    """Conditions on the flows from ``element_id`` through gateways/events to activities."""
    found, seen = [], {element_id}
    queue = deque(f.target for f in model.flows.values() if f.source == element_id)
    while queue:
        node = queue.popleft()
        if node in seen:
            continue
        seen.add(node)
        element = model.elements.get(node)
        if element is None or element.is_activity:
            continue
        for flow in model.flows.values():
            if flow.source == node:
                if flow.condition:
                    found.append(flow.condition)
                queue.append(flow.target)
    return found


def _hints(tree) -> dict[str, list]:
    """Name -> the constants it is compared with ([] for a bare yes/no test)."""
    hints: dict[str, list] = {}
    called = {
        n.func.id
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            for a, b in zip(operands, operands[1:], strict=False):
                for name, const in ((a, b), (b, a)):
                    if isinstance(name, ast.Name) and isinstance(const, ast.Constant):
                        hints.setdefault(name.id, []).append(const.value)
        elif isinstance(node, ast.Name) and node.id not in called:
            hints.setdefault(node.id, [])
    return hints


def decision_fields(model, element_id: str, data: dict) -> list[Field]:
    """The fields the decisions after ``element_id`` read, typed from their conditions;
    prefilled with the case's current value."""
    merged: dict[str, list] = {}
    for condition in _conditions_after(model, element_id):
        for name, constants in _hints(compile_expression(condition).tree).items():
            merged.setdefault(name, []).extend(
                c for c in constants if c not in merged.get(name, [])
            )
    fields = []
    for name, constants in merged.items():
        texts = [c for c in constants if isinstance(c, str)]
        if texts:
            kind, values = "enum", tuple((t, t) for t in texts)
        elif all(isinstance(c, bool) for c in constants):
            kind, values = "boolean", ()
        elif all(isinstance(c, (int, float)) for c in constants):
            kind, values = "long", ()
        else:
            kind, values = "string", ()
        fields.append(
            Field(
                name,
                name.replace("_", " "),
                kind,
                required=True,
                default=data.get(name),
                values=values,
            )
        )
    return fields


def task_fields(engine, model, task, data: dict) -> tuple[list, bool]:
    """``(fields, declared)``: the task's declared form, else the decision's fields."""
    declared = list(engine.form(task.id))
    if declared:
        return declared, True
    return (decision_fields(model, task.element_id, data) if model is not None else []), False


def _convert(spec, raw: str, where: str):
    if spec.type == "boolean":
        if raw not in ("true", "false"):
            raise FormError(f"{where}: {raw!r} is not true or false", spec.id)
        return raw == "true"
    if spec.type == "enum":
        if raw not in {v for v, _ in spec.values}:
            choices = ", ".join(repr(v) for v, _ in spec.values)
            raise FormError(f"{where}: {raw!r} is not one of {choices}", spec.id)
        return raw
    if spec.type == "long":
        try:
            return int(raw)
        except ValueError:
            raise FormError(f"{where}: {raw!r} is not a whole number", spec.id) from None
    return raw


def submitted_data(fields, declared: bool, form, what: str) -> dict:
    """The case data a submitted form gives: only the form's own fields.

    Declared fields go to the engine as text (it converts and enforces them); decision
    fields are checked here.

    Raises
    ------
    FormError
        A decision field that is missing or not one of its choices (the field is named).
    """
    data = {}
    for spec in fields:
        if spec.readonly:
            continue
        raw = form.get(PREFIX + spec.id, "")
        where = f"{what}: field {spec.id!r}"
        if raw == "":
            if not declared and spec.required:
                raise FormError(f"{where} ({spec.label!r}) is required", spec.id)
            continue  # the engine fills a default or refuses a required field
        data[spec.id] = raw if declared else _convert(spec, raw, where)
    return data
