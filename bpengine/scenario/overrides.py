"""What-if changes to a scenario: ``lanes."Kepala OPD".staff=2`` instead of a hand-edited copy.

An override is ``PATH=VALUE``. ``PATH`` walks the scenario YAML's keys with dots; a key that
holds dots or spaces is written in double quotes (``lanes."Kepala OPD".staff``). ``VALUE``
is read as YAML, exactly as in the sidecar file: ``2``, ``20 min``,
``{distribution: exponential, mean: 30 min}``, ``["10:00", "14:00"]``. The changed mapping
is then checked by the same reader as a file, so a bad value is refused naming its path.

Keys that name model elements (``tasks``, ``lanes``, ``gateways``, ``events``) may be given
by id or by name, like in the file; an override changes the entry the file already has for
that element rather than adding a second one. ``arrivals.rate`` and
``arrivals.interarrival`` are two ways of saying the same thing: setting one drops the other.

A sweep value list (:func:`parse_values`) is ``1..4`` (whole numbers, both ends included),
``1..10..3`` (with a step), or a comma-separated list ``1,2,4`` / ``20 min,30 min``.

Examples
--------
>>> doc = {"lanes": {"Kepala OPD": {"staff": 1, "cost_per_hour": 120000}}}
>>> apply_overrides(doc, ['lanes."Kepala OPD".staff=2', "arrivals.rate=20"])
{'lanes': {'Kepala OPD': {'staff': 2, 'cost_per_hour': 120000}}, 'arrivals': {'rate': 20}}
>>> parse_values("1..4"), parse_values("20 min,30 min")
([1, 2, 3, 4], ['20 min', '30 min'])
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..errors import ScenarioError
from ..i18n import _
from . import limits

if TYPE_CHECKING:
    from ..model import ProcessModel

__all__ = ["apply_overrides", "parse_override", "parse_path", "parse_values", "format_path"]

# sections whose keys name model elements (by id or unique name) or lanes
_ELEMENT_SECTIONS = ("tasks", "lanes", "gateways", "events")
# alternatives: setting the first drops the second from the same mapping
_ALTERNATIVES: dict[tuple[str, ...], str] = {
    ("arrivals", "rate"): "interarrival",
    ("arrivals", "interarrival"): "rate",
}
# entries that may be written bare (a duration) and become {duration: ...} when a key is set
_BARE = ("tasks", "events")


def parse_path(text: str) -> list[str]:
    """The keys of a dotted path; ``"..."`` quotes a key holding dots or spaces.

    >>> parse_path('lanes."Kepala OPD".staff')
    ['lanes', 'Kepala OPD', 'staff']
    """
    keys, key, quoted, i, was_quoted = [], "", False, 0, False
    while i < len(text):
        ch = text[i]
        if ch == '"':
            quoted = not quoted
            was_quoted = True
        elif ch == "." and not quoted:
            if not key.strip() and not was_quoted:
                raise ScenarioError(
                    _("{text}: empty key in the path (two dots, or a dot at either end)").format(
                        text=text
                    )
                )
            keys.append(key.strip() if not was_quoted else key)
            key, was_quoted = "", False
        else:
            key += ch
        i += 1
    if quoted:
        raise ScenarioError(_("{text}: a quote is not closed").format(text=text))
    if not key.strip() and not was_quoted:
        raise ScenarioError(
            _("{text}: empty key in the path (two dots, or a dot at either end)").format(text=text)
        )
    keys.append(key.strip() if not was_quoted else key)
    return keys


def format_path(keys: Iterable[object]) -> str:
    """The path as the user would write it (keys with dots or spaces quoted)."""
    return ".".join(f'"{k}"' if any(c in str(k) for c in '. "') else str(k) for k in keys)


def _value(text: str, where: str) -> object:
    from .safe_yaml import parse_yaml  # PyYAML only when a value is given

    return parse_yaml(text, where, ScenarioError, inline=True) if text.strip() else None


def parse_override(setting: str) -> tuple[list[str], object]:
    """``PATH=VALUE`` -> (keys, value read as YAML)."""
    path, sep, value = _split(setting)
    if not sep:
        raise ScenarioError(
            _('{setting}: expected PATH=VALUE, e.g. lanes."Kepala OPD".staff=2').format(
                setting=setting
            )
        )
    keys = parse_path(path)
    return keys, _value(value, format_path(keys))


def _split(setting: str) -> tuple[str, str, str]:
    """Split at the first ``=`` outside quotes (a quoted lane name may hold one)."""
    quoted = False
    for i, ch in enumerate(setting):
        if ch == '"':
            quoted = not quoted
        elif ch == "=" and not quoted:
            return setting[:i], "=", setting[i + 1 :]
    return setting, "", ""


def _same_element(
    section: str, key: str, existing: dict[str, Any], model: ProcessModel | None
) -> str | None:
    """The existing key of ``section`` naming the same element (or lane) as ``key``."""
    if key in existing:
        return key
    if model is None:
        return None

    def ident(k: object) -> tuple[str, str] | None:
        k = str(k)
        if section == "lanes":
            for lane in model.lanes.values():
                if k in (lane.name, lane.id):
                    return ("lane", lane.name)
            return None
        if k in model.elements:
            return ("el", k)
        named = [e.id for e in model.elements.values() if e.name == k]
        return ("el", named[0]) if len(named) == 1 else None

    wanted = ident(key)
    if wanted is None:
        return None
    return next((k for k in existing if ident(k) == wanted), None)


def apply_overrides(
    doc: dict[str, Any] | None, settings: Iterable[str], model: ProcessModel | None = None
) -> dict[str, Any]:
    """A copy of the scenario mapping ``doc`` with every ``PATH=VALUE`` of ``settings`` set.

    Parameters
    ----------
    doc : dict or None
        The scenario as read from its YAML (``None``: no scenario, the defaults).
    settings : iterable of str or of (keys, value)
        ``PATH=VALUE`` texts, or already parsed pairs.
    model : ProcessModel, optional
        To match element keys given by name to the entry the file keys by id.

    Raises
    ------
    ScenarioError
        A malformed setting, or a path running through a value that is not a mapping.
    """
    out = copy.deepcopy(doc) if doc else {}
    for setting in settings:
        keys, value = parse_override(setting) if isinstance(setting, str) else setting
        node = out
        for depth, key in enumerate(keys[:-1]):
            if depth == 1 and keys[0] in _ELEMENT_SECTIONS:
                key = _same_element(keys[0], key, node, model) or key
            child = node.get(key)
            if child is None:
                child = node[key] = {}
            elif not isinstance(child, dict):
                if depth == 1 and keys[0] in _BARE:  # "Task_x: 15 min" is its duration
                    child = node[key] = {"duration": child}
                else:
                    raise ScenarioError(
                        _("{path}: {prefix} is {child}, not a mapping of keys").format(
                            path=format_path(keys),
                            prefix=format_path(keys[: depth + 1]),
                            child=repr(child),
                        )
                    )
            node = child
        last = keys[-1]
        if len(keys) == 2 and keys[0] in _ELEMENT_SECTIONS:
            last = _same_element(keys[0], last, node, model) or last
        node[last] = value
        drop = _ALTERNATIVES.get(tuple(keys[-2:])) if len(keys) == 2 else None
        if drop:
            node.pop(drop, None)
    return out


def parse_values(text: str, where: str = "values") -> list[Any]:
    """The values of a sweep: ``1..4``, ``1..10..3`` or ``a,b,c`` (each read as YAML)."""
    text = text.strip()
    if ".." in text and "," not in text:
        parts = text.split("..")
        try:
            numbers = [int(p) for p in parts]
        except ValueError:
            raise ScenarioError(
                _(
                    "{where}: {text}: a range is whole numbers like 1..4 or "
                    "1..10..2; give other values as a list: 0.5,1,1.5"
                ).format(where=where, text=repr(text))
            ) from None
        if len(numbers) not in (2, 3) or (len(numbers) == 3 and numbers[2] <= 0):
            raise ScenarioError(
                _(
                    "{where}: {text}: a range is FIRST..LAST or FIRST..LAST..STEP "
                    "with a positive step"
                ).format(where=where, text=repr(text))
            )
        first, last = numbers[:2]
        step = numbers[2] if len(numbers) == 3 else 1
        if last < first:
            raise ScenarioError(
                _("{where}: {text}: the range is empty ({last} < {first})").format(
                    where=where, text=repr(text), last=last, first=first
                )
            )
        # counted before the list is built: 1..1000000000 would be eight gigabytes
        limits.check_count(
            (last - first) // step + 1, where, limits.MAX_SWEEP_POINTS, "MAX_SWEEP_POINTS"
        )
        return list(range(first, last + 1, step))
    values = [_value(part, where) for part in text.split(",")]
    if not text or any(v is None for v in values):
        raise ScenarioError(
            _("{where}: {text}: an empty value in the list").format(where=where, text=repr(text))
        )
    return values
