"""What the engine hands back: plain frozen records, never SpiffWorkflow or database objects.

A record is a snapshot taken inside the call's transaction; read the engine again for
fresh values.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Definition",
    "Case",
    "Task",
    "HistoryEntry",
    "Message",
    "Incident",
    "Job",
    "Page",
    "CASE_STATUSES",
]

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
        SHA-256 of the canonical model (:attr:`bpengine.ProcessModel.digest`), and of the
        files of the processes it calls when it has call activities.
    notes : tuple of str
        What the engine does with the model's message flows that a reader should know:
        which messages come from outside (deliver them with :meth:`Engine.correlate`), and
        flows it does not act on. Then, from the :meth:`Engine.deploy` call only (not
        stored, as handlers belong to the engine that runs them): each service task no
        handler of this engine runs, where a case would wait.
    unhandled : tuple of str
        Those last notes alone (a command line starting a case repeats them every time).
    new : bool
        True when the :meth:`Engine.deploy` call that returned it stored this version;
        False when the same content was deployed before (and in every other listing).
        Not part of equality: the same version compares equal however it was reached.
    """

    id: int
    key: str
    version: int
    name: str
    digest: str
    deployed_at: _dt.datetime
    trust_scripts: bool = False
    notes: tuple[str, ...] = ()
    new: bool = field(default=False, compare=False)
    unhandled: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Task:
    """A task a person (``user``), a handler (``service``), the clock (``timer``), a
    message (``message``) or a signal (``signal``) acts on.

    ``state`` is ``ready`` / ``pending`` / ``waiting`` while open, then ``completed`` or
    ``cancelled``. Each branch of an event-based gateway is a task of its own; when one
    fires, the others are cancelled.

    Attributes
    ----------
    due : datetime or None
        When a timer fires, or when a user task is due (``camunda:dueDate``); aware, in
        the office's time zone when the lane has one.
    candidate_users, candidate_groups : tuple of str
        Who the task is offered to; both empty: it is offered to its lane.
    owner : str or None
        Who delegated the task (:meth:`Engine.delegate`); it returns to them when the
        delegate resolves it.
    delegation : {None, "pending", "resolved"}
    follow_up : datetime or None
        When to look at the task again (``camunda:followUpDate``).
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
    message: str | None = None  # the message or signal a ``message``/``signal`` task waits for
    candidate_users: tuple[str, ...] = ()
    candidate_groups: tuple[str, ...] = ()
    owner: str | None = None
    delegation: str | None = None
    follow_up: _dt.datetime | None = None


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
        The open tasks (ready, pending service, waiting timers, messages and signals).
    business_key : str or None
        The application's own reference (a registration number): messages are correlated
        by it. A collaboration's pools share one case, hence one key.
    outcome : str or None
        The id of the end event a completed case reached (``"E_ditolak"``); several,
        comma-separated, when parallel branches ended in different ones.
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
    business_key: str | None = None
    outcome: str | None = None


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


@dataclass(frozen=True)
class Message:
    """A message or signal and what became of it.

    Attributes
    ----------
    id : str
        The sender's message id (or a generated one): the same id is delivered only once.
    kind : {"message", "signal"}
    state : {"delivered", "pending", "outbound", "failed"}
        ``pending``: kept until a case waits for it; ``outbound``: thrown by a case for a
        party outside the engine (the application passes it on); ``failed``: a case threw
        it for several waiting cases and the sweep could not tell which.
    case_ids, element_ids : tuple of str
        The cases it reached and the element that caught it in each.
    started : tuple of str
        The cases it started (message or signal start events).
    duplicate : bool
        This call re-sent an id already handled; nothing was done again.
    """

    id: str
    kind: str
    name: str
    business_key: str | None
    state: str
    data: dict[str, Any]
    source_case_id: str | None
    created_at: _dt.datetime
    delivered_at: _dt.datetime | None = None
    case_ids: tuple[str, ...] = ()
    element_ids: tuple[str, ...] = ()
    started: tuple[str, ...] = ()
    duplicate: bool = False

    @property
    def case_id(self) -> str | None:
        """The one case a message reached (None if pending, outbound or several)."""
        return self.case_ids[0] if len(self.case_ids) == 1 else None


@dataclass(frozen=True)
class Incident:
    """A job (a timer firing, a service handler) that failed on a case.

    While ``next_retry`` is set the engine tries the job again by itself at that time
    (:meth:`Engine.tick` for timers, :meth:`Engine.work` for service tasks); once the
    retries are spent it is None and the case is ``failed`` until :meth:`Engine.retry`.
    Other cases' jobs never wait for it.

    Attributes
    ----------
    kind : {"timer", "service"}
    state : {"open", "resolved"}
        Resolved when the job succeeded on a later attempt, was retried by hand and
        succeeded, or its case was cancelled.
    error : str
        The last attempt's error.
    attempts : int
        How often the job ran and failed.
    """

    task_id: str
    case_id: str
    element_id: str
    kind: str
    state: str
    error: str
    attempts: int
    next_retry: _dt.datetime | None
    created_at: _dt.datetime
    updated_at: _dt.datetime
    resolved_at: _dt.datetime | None = None
    resolved_by: str | None = None


@dataclass(frozen=True)
class Job:
    """What a service handler that takes two arguments gets besides the data.

    ``key`` is the idempotency key: the same on every attempt of this task in this case (a
    task that runs again in a loop gets a new one). Handlers run at least once: a worker
    killed after the handler's side effect but before the commit runs it again, so a
    handler that writes elsewhere passes ``key`` along (as a request id) and lets the other
    system drop the repeat.
    """

    key: str
    case_id: str
    task_id: str
    element_id: str
    business_key: str | None
    attempt: int


@dataclass(frozen=True)
class Page:
    """One page of a query: ``items`` from ``offset`` on, and how many match in ``total``."""

    items: tuple
    total: int
    offset: int
    limit: int | None
