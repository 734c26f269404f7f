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
"""
from __future__ import annotations

import re
from typing import Any

from SpiffWorkflow.bpmn.serializer.default.workflow import TaskConverter
from SpiffWorkflow.bpmn.serializer.helpers.registry import DefaultRegistry

__all__ = ["PlainDataRegistry", "PlainTaskConverter", "escape", "unescape_key"]

_TYPENAME = "typename"
_ESCAPED = re.compile(r"~*typename\Z")


def _escape_key(key):
    return "~" + key if isinstance(key, str) and _ESCAPED.match(key) else key


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
        changed = False
        items = []
        for key, item in value.items():
            new_key, new_item = _escape_key(key), escape(item)
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
            return {_escape_key(k): self.convert(v, **kwargs) for k, v in self.clean(obj).items()}
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
        dct["data"] = escape(self.registry.clean(dct["data"]))
        delta = dct["delta"]
        if delta:
            delta["updates"] = escape(self.registry.clean(delta["updates"]))
            delta["deletions"] = [_escape_key(k) for k in delta["deletions"]]
        return dct

    def from_dict(self, dct, workflow):
        delta = dct.get("delta")
        if delta and delta.get("deletions"):
            dct = {**dct, "delta": {**delta,
                                    "deletions": [unescape_key(k) for k in delta["deletions"]]}}
        return super().from_dict(dct, workflow)
