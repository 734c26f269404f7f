"""`read_log`: an event log from an XES or CSV file; `history_log`: from the engine's history.

The engine's audit trail is already an event log: a ``claim`` is when work on a task
began, a ``complete`` (or a service handler's ``service``) when it ended, the actor is the
resource, and the model says the lane. Tasks completed without a claim have no start;
calibration then estimates it from when the task was enabled.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import overload

from ..errors import LogError
from ..i18n import _
from .log import WIB, Event, EventLog
from .table import read_csv
from .xes import read_xes

__all__ = ["read_log", "history_log"]


def read_log(
    path: str | os.PathLike, *, columns: dict | None = None, tz: dt.tzinfo = WIB
) -> EventLog:
    """Read an event log, XES (``.xes``, ``.xes.gz``) or CSV (``.csv``) by its suffix.

    ``columns`` maps our CSV columns to the file's headers (see :func:`read_csv`).
    Timestamps become naive office time in ``tz`` (default WIB, UTC+7).

    Raises
    ------
    LogError
        An unknown suffix, an unreadable file, or a bad row, trace or timestamp (named).
    """
    name = Path(path).name.lower()
    if not Path(path).exists():
        raise LogError(_("{path}: no such event log file").format(path=path))
    if name.endswith((".xes", ".xes.gz")):
        if columns:
            raise LogError(_("{path}: column options apply to CSV logs, not XES").format(path=path))
        log = read_xes(path, tz)
    elif name.endswith((".csv", ".tsv", ".txt")):
        log = read_csv(path, columns, tz)
    else:
        raise LogError(
            _("{path}: unknown event log format (use .xes, .xes.gz or .csv)").format(path=path)
        )
    return log.check()


@overload
def _local(when: dt.datetime, tz: dt.tzinfo) -> dt.datetime: ...
@overload
def _local(when: dt.datetime | None, tz: dt.tzinfo) -> dt.datetime | None: ...


def _local(when: dt.datetime | None, tz: dt.tzinfo) -> dt.datetime | None:
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.astimezone(tz).replace(tzinfo=None)


def history_log(
    engine, model=None, key: str | None = None, *, tz: dt.tzinfo = WIB, running: bool = False
) -> EventLog:
    """The task executions recorded by ``engine`` (a :class:`bpengine.Engine`) as a log.

    Parameters
    ----------
    engine : bpengine.Engine
        Read through its public API: ``cases()`` and ``history(case_id)``.
    model : ProcessModel, optional
        Gives each task's name and lane, and by default the definition key (the key the
        engine deploys it under: its collaboration's id, else its main process's).
    key : str, optional
        Only cases of this definition key.
    running : bool
        Include cases still running (default: only finished ones, so a case that is
        half-way is not mistaken for one that skipped its last steps).

    Raises
    ------
    LogError
        No case of ``key`` in the database.
    """
    if key is None and model is not None:
        from ..model.spiff import engine_key

        key = engine_key(model)  # a collaboration deploys under its own id
    source = repr(engine)
    events: list[Event] = []
    chosen = [
        c for c in engine.cases(definition=key) if running or c.status in ("completed", "cancelled")
    ]
    if not chosen:
        text = (
            _("{source}: no cases of {key} in the engine's history")
            if running
            else _("{source}: no finished cases of {key} in the engine's history")
        )
        raise LogError(text.format(source=source, key=key or _("any definition")))
    arrivals = {}
    for case in chosen:
        claims: dict[str, dt.datetime] = {}
        for k, entry in enumerate(engine.history(case.id), start=1):
            if entry.action == "start":
                arrivals[case.id] = _local(entry.at, tz)
            elif entry.action == "claim" and entry.task_id:
                claims[entry.task_id] = entry.at
            elif entry.action in ("complete", "service") and entry.element_id:
                el = model.elements.get(entry.element_id) if model is not None else None
                events.append(
                    Event(
                        case.id,
                        entry.element_id,
                        _local(entry.at, tz),
                        _local(claims.pop(entry.task_id, None), tz),
                        None,
                        (el.name if el is not None else "") or "",
                        el.lane if el else None,
                        entry.actor or None,
                        f"case {case.id}, history entry {k}",
                    )
                )
    return EventLog(events, source, arrivals=arrivals).check()
