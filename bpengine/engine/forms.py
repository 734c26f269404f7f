"""Task forms: Camunda ``formField`` definitions read from the BPMN, shown on the task and
enforced when it is completed.

A form is the contract between the officer's screen and the gateway after it: if the
approval's gateway tests ``pertimbangan == "disetujui"``, a typo ``"disetujui "`` must be
refused at the door with the field named, not silently take the reject path. Fields are read
from ``<camunda:formData><camunda:formField id type label defaultValue>`` with
``<camunda:value id name>`` choices for ``enum`` and ``<camunda:validation><camunda:constraint
name config>`` (``required``, ``readonly``, ``minlength``, ``maxlength``, ``min``, ``max``).
Types: ``string``, ``long``, ``boolean``, ``date`` (ISO ``YYYY-MM-DD``), ``enum``. Names in the
data that no field declares pass through (as in Camunda).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

from lxml import etree

from ..errors import BpengineError, FormError
from ..i18n import _
from ..model.checks import FORM_FIELD_TYPES
from .core import EngineCore

__all__ = ["FormField", "read_forms", "validate", "FormOperations"]

CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
_TYPES = FORM_FIELD_TYPES  # validate checks the same list


@dataclass(frozen=True)
class FormField:
    """One field of a task's form.

    Attributes
    ----------
    type : {"string", "long", "boolean", "date", "enum"}
    values : tuple of (id, name)
        The choices of an ``enum`` field: the id is what goes into the case data.
    constraints : dict
        ``minlength``/``maxlength`` (text), ``min``/``max`` (numbers), as in the file.
    """

    id: str
    label: str
    type: str
    required: bool = False
    readonly: bool = False
    default: object = None
    values: tuple[tuple[str, str], ...] = ()
    constraints: dict = field(default_factory=dict)


def _c(tag: str) -> str:
    return f"{{{CAMUNDA}}}{tag}"


def read_forms(source: bytes) -> dict[str, tuple[FormField, ...]]:
    """Element id -> its form fields, for every element with ``camunda:formData``.

    Raises
    ------
    BpengineError
        A field with an unknown type or a constraint whose number is not a number.
    """
    if CAMUNDA.encode() not in source:
        return {}  # most files: no parse needed
    root = etree.fromstring(source, etree.XMLParser(resolve_entities=False, no_network=True))
    forms = {}
    for data in root.iter(_c("formData")):
        extensions = data.getparent()  # formData < extensionElements < task
        element = extensions.getparent() if extensions is not None else None
        element_id = element.get("id", "") if element is not None else ""
        fields = []
        for node in data.iter(_c("formField")):
            fields.append(_field(element_id, node))
        if element_id and fields:
            forms[element_id] = tuple(fields)
    return forms


def _field(element_id: str, node) -> FormField:
    name = node.get("id") or ""
    kind = (node.get("type") or "string").strip()
    where = _("{element}: form field {name}").format(element=element_id, name=repr(name))
    if kind not in _TYPES:
        raise BpengineError(
            _("{where}: type {kind} is not one of {types}").format(
                where=where, kind=repr(kind), types=", ".join(_TYPES)
            )
        )
    constraints, required, readonly = {}, False, False
    for constraint in node.iter(_c("constraint")):
        what, config = constraint.get("name"), constraint.get("config")
        if what == "required":
            required = True
        elif what == "readonly":
            readonly = True
        elif what in ("minlength", "maxlength", "min", "max"):
            try:
                constraints[what] = float(config) if what in ("min", "max") else int(config)
            except (TypeError, ValueError):
                raise BpengineError(
                    _("{where}: constraint {what} needs a number, not {config}").format(
                        where=where, what=what, config=repr(config)
                    )
                ) from None
    values = tuple((v.get("id"), v.get("name") or v.get("id")) for v in node.iter(_c("value")))
    default = node.get("defaultValue")
    spec = FormField(
        name, node.get("label") or name, kind, required, readonly, None, values, constraints
    )
    if default is not None:
        default = _typed(spec, default, f"{where}: defaultValue")
    return FormField(name, spec.label, kind, required, readonly, default, values, constraints)


def _typed(spec: FormField, value, where: str):
    """``value`` as the field's type (text from a form is converted), or FormError."""
    kind = spec.type
    if kind == "long":
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value.strip())
        if not isinstance(value, int) or isinstance(value, bool):
            raise FormError(
                _("{where}: {value} is not a whole number").format(where=where, value=repr(value)),
                spec.id,
            )
        return value
    if kind == "boolean":
        if isinstance(value, str) and value in ("true", "false"):
            value = value == "true"
        if not isinstance(value, bool):
            raise FormError(
                _("{where}: {value} is not true or false").format(where=where, value=repr(value)),
                spec.id,
            )
        return value
    if isinstance(value, int) and not isinstance(value, bool) and kind == "string":
        # digits typed as NAME=VALUE (a NIK, a number of a letter) read as a whole number;
        # written back they are the same text (JSON has no leading zeros to lose)
        value = str(value)
    if not isinstance(value, str):
        raise FormError(
            _("{where}: {value} is not text").format(where=where, value=repr(value)), spec.id
        )
    if kind == "date":
        try:
            _dt.date.fromisoformat(value)
        except ValueError:
            raise FormError(
                _("{where}: {value} is not a date (YYYY-MM-DD)").format(
                    where=where, value=repr(value)
                ),
                spec.id,
            ) from None
    if kind == "enum" and value not in {v for v, _ in spec.values}:
        choices = ", ".join(repr(v) for v, _ in spec.values)
        raise FormError(
            _("{where}: {value} is not one of {choices}").format(
                where=where, value=repr(value), choices=choices
            ),
            spec.id,
        )
    return value


def validate(
    fields: tuple[FormField, ...] | None, data: dict, what: str, current: dict | None = None
) -> dict:
    """The data to complete a task with, checked against its form; defaults filled in.

    Raises
    ------
    FormError
        The first field that is missing or wrong, named with the task (``what``).
    """
    if not fields:
        return data
    data, current = dict(data), current or {}
    for spec in fields:
        where = _("{what}: field {name}").format(what=what, name=repr(spec.id))
        value = data.get(spec.id)
        if spec.readonly:
            if spec.id in data and data[spec.id] != current.get(spec.id, spec.default):
                raise FormError(_("{where} is read-only").format(where=where), spec.id)
            continue
        if value is None or (isinstance(value, str) and value == ""):
            if spec.default is not None and spec.id not in data:
                data[spec.id] = spec.default
                continue
            if spec.required:
                raise FormError(
                    _("{where} ({label}) is required").format(where=where, label=repr(spec.label)),
                    spec.id,
                )
            continue
        value = data[spec.id] = _typed(spec, value, where)
        limits = spec.constraints
        if isinstance(value, str):
            if "minlength" in limits and len(value) < limits["minlength"]:
                raise FormError(
                    _("{where}: at least {n} characters").format(
                        where=where, n=limits["minlength"]
                    ),
                    spec.id,
                )
            if "maxlength" in limits and len(value) > limits["maxlength"]:
                raise FormError(
                    _("{where}: at most {n} characters").format(where=where, n=limits["maxlength"]),
                    spec.id,
                )
        elif isinstance(value, int) and not isinstance(value, bool):
            if "min" in limits and value < limits["min"]:
                raise FormError(
                    _("{where}: {value} is below the minimum {minimum:g}").format(
                        where=where, value=value, minimum=limits["min"]
                    ),
                    spec.id,
                )
            if "max" in limits and value > limits["max"]:
                raise FormError(
                    _("{where}: {value} is above the maximum {maximum:g}").format(
                        where=where, value=value, maximum=limits["max"]
                    ),
                    spec.id,
                )
    return data


class FormOperations(EngineCore):
    """Form calls of :class:`~bpengine.engine.Engine`."""

    def form(self, task_id: str) -> tuple[FormField, ...]:
        """The form fields of a task (empty when its element declares none)."""
        with self._transaction(self._now()) as session:
            row = self._task_row(session, task_id)
            case = self._case_row(session, row.case_id)  # loaded with the task: no query
            runtime = self._runtime(session, case.definition_id)
            return runtime.forms.get(row.element_id, ())
