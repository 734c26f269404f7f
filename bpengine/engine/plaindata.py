"""Case data stays plain JSON through SpiffWorkflow's serializer.

SpiffWorkflow's registry turns any dict with a ``typename`` key back into an object when it
restores a workflow (``{"typename": "datetime", "value": "kemarin"}`` becomes a call to
``datetime.fromisoformat``). Case data is the user's: a form field named ``typename`` must not
brick the case. So the engine's registry escapes such keys in every plain dict it writes and
unescapes them when it reads, and only the dicts the registry made itself (an object it
converted, which it tags after escaping) carry a bare ``typename``:

====================  ===================
in the data           in the stored state
====================  ===================
``typename``          ``~typename``
``~typename``         ``~~typename``
``~~typename`` ...    one ``~`` more
====================  ===================

The mapping is one-to-one, so data round-trips exactly, and states stored before this module
(which hold no ``~typename`` keys) read as they did.

A case row holds the instance state and the case data side by side, and the instance keeps
the case data in its tasks' data too, so a large value would be written twice at every step.
:func:`share_case_data` replaces a task's value equal to the case's by a reference (a dict
with a bare ``typename``, which user data never has in the stored state) carrying a digest of
the value; :func:`resolve_case_data` puts the case's value back when the state is read, and
refuses, naming the key, when the case data beside it no longer holds that value (never a
silently different one). Values under :data:`SHARED_MIN_BYTES` are stored as they are.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from SpiffWorkflow.bpmn.serializer.default.workflow import TaskConverter
from SpiffWorkflow.bpmn.serializer.helpers.registry import DefaultRegistry

from ..errors import BpengineError
from ..i18n import _

__all__ = [
    "PlainDataRegistry",
    "PlainTaskConverter",
    "escape",
    "escape_key",
    "unescape_key",
    "resolve_case_data",
    "share_case_data",
    "SHARED_MIN_BYTES",
]

_TYPENAME = "typename"
_ESCAPED = re.compile(r"~*typename\Z")
_CONTAINERS = (dict, list, tuple)


def escape_key(key):
    """The stored key for a key of the data (``typename`` -> ``~typename``)."""
    # endswith first: it settles almost every key without the regular expression
    if isinstance(key, str) and key.endswith(_TYPENAME) and _ESCAPED.match(key):
        return "~" + key
    return key


def unescape_key(key):
    """The data's own key for a stored key (``~typename`` -> ``typename``)."""
    if isinstance(key, str) and key.startswith("~") and _ESCAPED.match(key):
        return key[1:]
    return key


def escape(value: Any) -> Any:
    """``value`` with every dict key spelled ``~*typename`` given one more ``~``.

    Returns ``value`` itself when nothing needed escaping (the common case costs one walk,
    no copy). Objects the registry knows (datetime, ...) are left for its encoder, which tags
    them with a bare ``typename``.
    """
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, _CONTAINERS) or (isinstance(key, str) and key.endswith(_TYPENAME)):
                break
        else:
            return value  # flat and no key to escape: the common case, settled in one pass
        changed = False
        items = []
        for key, item in value.items():
            new_key, new_item = escape_key(key), escape(item)
            changed = changed or new_key is not key or new_item is not item
            items.append((new_key, new_item))
        return dict(items) if changed else value
    if isinstance(value, (list, tuple)):
        items = [escape(item) for item in value]
        if any(new is not old for new, old in zip(items, value, strict=True)):
            return type(value)(items)
        return value
    return value


class PlainDataRegistry(DefaultRegistry):
    """SpiffWorkflow's default registry, escaping ``typename`` keys of plain dicts."""

    def convert(self, obj, **kwargs):
        typename = self.typenames.get(obj.__class__)
        if typename in self.convert_to_dict:
            return self.convert_to_dict[typename](obj, **kwargs)
        if self._encoder_mode:  # the JSON encoder converts known objects as it meets them
            return escape(self.clean(obj))
        if isinstance(obj, dict):
            return {escape_key(k): self.convert(v, **kwargs) for k, v in self.clean(obj).items()}
        if isinstance(obj, (list, tuple, set)):
            return obj.__class__([self.convert(item, **kwargs) for item in obj])
        return obj

    def restore(self, val, **kwargs):
        if isinstance(val, dict) and _TYPENAME not in val:
            return {unescape_key(k): self.restore(v, **kwargs) for k, v in val.items()}
        return super().restore(val, **kwargs)


class PlainTaskConverter(TaskConverter):
    """Tasks store their data (or its delta from the parent's) without the registry: escape
    it here, and the deleted keys with it."""

    def to_dict(self, task):
        dct = super().to_dict(task)
        if dct["data"]:  # only the root task holds its data whole; the others, a delta
            dct["data"] = escape(self.registry.clean(dct["data"]))
        delta = dct["delta"]
        if delta:
            if delta["updates"]:
                delta["updates"] = escape(self.registry.clean(delta["updates"]))
            if delta["deletions"]:
                delta["deletions"] = [escape_key(k) for k in delta["deletions"]]
        return dct

    def from_dict(self, dct, workflow):
        delta = dct.get("delta")
        if delta and delta.get("deletions"):
            dct = {
                **dct,
                "delta": {**delta, "deletions": [unescape_key(k) for k in delta["deletions"]]},
            }
        return super().from_dict(dct, workflow)


#: Case data values whose JSON is at least this long are stored once per case row (smaller
#: ones cost less inline than as a reference).
SHARED_MIN_BYTES = 1024
_REFERENCE = "bpe-case-data"


def _canonical(value: Any) -> Any:
    """``value`` as PostgreSQL's jsonb gives it back, up to what it changes: keys are
    sorted by the encoder, and every number becomes a float (jsonb writes ``1e20`` as
    ``100000000000000000000``, read back as an int, and ``-0.0`` as ``0``)."""
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, (int, float)):
        try:
            return float(value) + 0.0  # + 0.0: -0.0 becomes 0.0
        except OverflowError:  # an int past float's range: kept exact
            return value
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    raise TypeError(type(value).__name__)


def _digest(value: Any) -> str | None:
    """A fingerprint of a JSON value, the same after a round trip through any JSON column
    (:func:`_canonical`); None when it is not plain JSON or is small."""
    try:
        text = json.dumps(_canonical(value), sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return None
    if len(text) < SHARED_MIN_BYTES:
        return None
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _holders(dct: dict) -> Iterator[tuple[dict, str]]:
    """Where a serialized workflow keeps data: its own (a finished workflow copies its end
    task's data there) and each task's, whole or as the updates of its delta, in it and in
    its subprocesses."""
    yield dct, "data"
    for task in dct.get("tasks", {}).values():
        yield task, "data"
        if isinstance(task.get("delta"), dict):
            yield task["delta"], "updates"
    for sub in (dct.get("subprocesses") or {}).values():
        yield from _holders(sub)


def share_case_data(dct: dict, data: Mapping[str, Any] | None) -> dict:
    """Replace, in the serialized workflow ``dct``, task data values equal to the case's
    ``data`` by references; ``dct`` is changed in place but the dicts it shares with the live
    workflow (a task's own data) are copied, never edited."""
    if not data:
        return dct
    shared = {}
    for key, value in data.items():
        if isinstance(value, str) and len(value) < SHARED_MIN_BYTES:
            continue  # the common case, decided without encoding
        if isinstance(value, (str, list, dict)) and (digest := _digest(value)) is not None:
            shared[escape_key(key)] = (
                escape(value),
                {"typename": _REFERENCE, "key": key, "digest": digest},
            )
    if not shared:
        return dct
    for holder, name in _holders(dct):
        part = holder.get(name)
        if not isinstance(part, dict):
            continue
        found = {
            k: ref
            for k, (value, ref) in shared.items()
            if k in part and (part[k] is value or part[k] == value)
        }
        if found:
            holder[name] = {**part, **found}
    return dct


def resolve_case_data(dct: dict, data: Mapping[str, Any] | None, where: str) -> dict:
    """Put the case's values back where :func:`share_case_data` left references (in place:
    ``dct`` is freshly read). ``where`` names the case in the error.

    Raises
    ------
    BpengineError
        A reference to a key the case data no longer holds with the same value: the state
        and the data beside it disagree, and guessing would run the case on other data.
    """
    for holder, name in _holders(dct):
        part = holder.get(name)
        if not isinstance(part, dict) or not any(
            isinstance(v, dict) and v.get("typename") == _REFERENCE for v in part.values()
        ):
            continue
        restored = {}
        for k, v in part.items():
            if isinstance(v, dict) and v.get("typename") == _REFERENCE:
                key = str(v.get("key"))
                if data is None or key not in data or _digest(data[key]) != v.get("digest"):
                    raise BpengineError(
                        _(
                            "{where}: its saved state refers to case data {key!r}, which the case "
                            "data beside it no longer holds with the same value; the state cannot "
                            "be read (restore the case row from a backup)"
                        ).format(where=where, key=key)
                    )
                v = escape(data[key])  # the registry's restore copies it
            restored[k] = v
        holder[name] = restored
    return dct
