"""Which task of the model each logged activity is: by id, by name, or by a mapping file.

A log written by bpengine carries task ids; an agency's app logs its own step names. A
name matches when exactly one task of the model has it; anything else is named in a
mapping file (YAML ``log activity: task id or name``).
"""

from __future__ import annotations

import os

from ..errors import LogError
from ..i18n import _
from ..model.source import read_text
from ..scenario import limits
from ..scenario.safe_yaml import parse_yaml

__all__ = ["match_activities", "read_mapping"]


def read_mapping(path: str | os.PathLike | None) -> dict[str, str]:
    """A mapping file as ``{log activity: task id or name}`` (``{}`` for None).

    Raises
    ------
    LogError
        The file cannot be read or is not a mapping of strings.
    """
    if path is None:
        return {}
    text = read_text(
        path, limit=limits.MAX_SCENARIO_BYTES, error=LogError, what=_("activity mapping")
    )
    doc = parse_yaml(text, path, LogError)
    if not isinstance(doc, dict):
        raise LogError(
            _("{path}: an activity mapping is 'log activity: task id', one a line").format(
                path=path
            )
        )
    return {str(k): str(v) for k, v in doc.items()}


def match_activities(
    model, log, mapping: dict | None = None, mapping_source: str = "mapping"
) -> dict[tuple, str | None]:
    """``(activity, name) -> task id`` for every distinct activity in ``log``.

    Tried in order: the mapping (by activity, then by name), the task id, a task whose
    name is unique in the model. None: no task matches (an unknown step).

    Raises
    ------
    LogError
        A mapping entry naming no task of the model; or no logged activity matching any
        task at all (wrong model, or names that need a mapping).
    """
    activities = {eid: el for eid, el in model.elements.items() if el.is_activity}
    by_name: dict[str, list[str]] = {}
    for eid, el in activities.items():
        if el.name:
            by_name.setdefault(el.name.strip(), []).append(eid)
            by_name.setdefault(" ".join(el.name.split()), []).append(eid)

    def resolve(key: str) -> str | None:
        if key in activities:
            return key
        ids = sorted(set(by_name.get(key.strip(), ()) or by_name.get(" ".join(key.split()), ())))
        return ids[0] if len(ids) == 1 else None

    mapping = mapping or {}
    resolved_map = {}
    for key, target in mapping.items():
        task = resolve(target)
        if task is None:
            raise LogError(
                _(
                    "{mapping_source}: {key} maps to {target}, which is no task (id or "
                    "unique name) of {file}"
                ).format(
                    mapping_source=mapping_source,
                    key=repr(key),
                    target=repr(target),
                    file=model.file,
                )
            )
        resolved_map[key] = task
    out: dict[tuple, str | None] = {}
    for e in log.events:
        key = (e.activity, e.name)
        if key in out:
            continue
        task = resolved_map.get(e.activity) or (resolved_map.get(e.name) if e.name else None)
        out[key] = task or resolve(e.activity) or (resolve(e.name) if e.name else None)
    if out and not any(out.values()):
        seen = sorted({a for a, _ in out})
        raise LogError(
            _(
                "{source}: none of the log's activities ({activities}{more}) is a task of "
                "{file}; give a mapping file (log activity: task id)"
            ).format(
                source=log.source,
                activities=", ".join(seen[:6]),
                more=", ..." if len(seen) > 6 else "",
                file=model.file,
            )
        )
    return out
