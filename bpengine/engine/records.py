"""What the engine hands back: plain frozen records, never SpiffWorkflow or database objects.

A record is a snapshot taken inside the call's transaction; read the engine again for
fresh values.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Definition", "Case", "Task", "HistoryEntry", "CASE_STATUSES"]

CASE_STATUSES = ("running", "completed", "cancelled", "failed")


@dataclass(frozen=True)
class Definition:
    """One deployed version of a process.

    Attributes
    ----------
    id : int
        Database id of this version.
    key : str
        The process id in the BPMN file; ``start(key)`` runs its newest version.
    version : int
        1, 2, ... per key; the same content always maps to the same version.
    digest : str
        SHA-256 of the canonical model (:attr:`bpengine.ProcessModel.digest`).
    """

    id: int
    key: str
    version: int
    name: str
    digest: str
    deployed_at: _dt.datetime
    trust_scripts: bool = False


@dataclass(frozen=True)
class Task:
    """A task a person (``user``), a handler (``service``) or the clock (``timer``) acts on.

    ``state`` is ``ready`` / ``pending`` / ``waiting`` while open, then ``completed`` or
    ``cancelled``.
    """

    id: str
    case_id: str
    element_id: str
    name: str
    lane: str | None
    kind: str
    state: str
    assignee: str | None = None
    due: _dt.datetime | None = None
    created_at: _dt.datetime | None = None
    finished_at: _dt.datetime | None = None
    finished_by: str | None = None


@dataclass(frozen=True)
class Case:
    """A running or finished case of a definition.

    Attributes
    ----------
    status : {"running", "completed", "cancelled", "failed"}
    data : dict
        The case data: start data merged with every completed task's and handler's data.
    error : str or None
        Why the case failed (a service handler's error), until :meth:`Engine.retry`.
    tasks : tuple of Task
        The open tasks (ready, pending service, waiting timers).
    """

    id: str
    key: str
    definition_version: int
    status: str
    data: dict[str, Any]
    error: str | None
    started_by: str
    started_at: _dt.datetime
    updated_at: _dt.datetime
    ended_at: _dt.datetime | None = None
    tasks: tuple[Task, ...] = field(default=())


@dataclass(frozen=True)
class HistoryEntry:
    """One audit row: who did what to the case, when, with the data before and after."""

    at: _dt.datetime
    actor: str
    action: str
    task_id: str | None
    element_id: str | None
    data_before: dict[str, Any] | None
    data_after: dict[str, Any] | None
    detail: str = ""
