"""The rows one step reads and writes, with Core statements instead of ORM objects.

A step (complete a task, fire a timer, deliver a message) reads its task, its case and the
case's open task rows, and writes the case row, the task rows that opened and closed, and
its audit rows. Through the ORM that bookkeeping cost more than SpiffWorkflow's own step
(loading each row as an object, then flushing the objects); here it is one Core SELECT in,
one UPDATE of the case row (with the ORM's version check, done by hand) and one executemany
per kind of row out:

- :func:`load_task`: a task row, its case and the case's open task rows in one statement;
  the case becomes an ORM row of the session (the engine's operations change it), the task
  rows stay plain snapshots (:class:`~types.SimpleNamespace`, columns as attributes);
- :func:`sync_task_rows`: the workflow's open tasks against the case's open rows;
- :func:`save_case`: the case row's changed columns, checking and bumping its version;
- :func:`write_pending`: the task and audit rows collected in ``session.info``.

Only public SQLAlchemy API: ``make_transient_to_detached`` and ``Session.add`` for a case
read with Core, ``get_history`` and ``set_committed_value`` for what changed in it.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, inspect, or_, select
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import get_history, set_committed_value
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm.util import identity_key

from .schema import OPEN_TASK_STATES, AuditRow, CaseRow, TaskRow
from .store import utc

__all__ = ["load_task", "sync_task_rows", "save_case", "write_pending", "OPEN_ROWS_KEY"]

#: ``session.info`` key: case id -> its open task rows as :func:`load_task` read them, for
#: the :func:`sync_task_rows` of the same step (set by the caller that knows nothing
#: changed them in between; sync reads them again otherwise).
OPEN_ROWS_KEY = "bpe_open_rows"

_OPEN_STATE = {
    "user": "ready",
    "service": "pending",
    "timer": "waiting",
    "message": "waiting",
    "signal": "waiting",
}
# What the clock, a message or a signal ends: one catch task may wait for several of them
# (an event-based gateway), so such a row counts as completed only if its own element ran.
_CATCH_KINDS = ("timer", "message", "signal")

_TASKS = cast(Table, TaskRow.__table__)
_CASES = cast(Table, CaseRow.__table__)
_TASK_COLUMNS = tuple(c.key for c in _TASKS.c)
_CASE_KEYS = tuple(c.key for c in _CASES.c)
# state = a OR state = b ...: plain bound values (an IN list is expanded on every call)
_IS_OPEN = or_(*(_TASKS.c.state == state for state in OPEN_TASK_STATES))

# Statements built once: constructing one costs more than running it on SQLite.
_OPEN_VALUES = select(_TASKS).where(_TASKS.c.case_id == bindparam("case_id"), _IS_OPEN)
# The task, and the open tasks of its case; the case's columns on the task's own row only
# (its state is the largest value of a step: read once).
_TASK_AND_CASE = (
    select(_TASKS, *(c.label("case__" + c.key) for c in _CASES.c))
    .select_from(
        _TASKS.outerjoin(
            _CASES, and_(_CASES.c.id == _TASKS.c.case_id, _TASKS.c.id == bindparam("task_id"))
        )
    )
    .where(
        _TASKS.c.case_id
        == select(_TASKS.c.case_id).where(_TASKS.c.id == bindparam("task_id")).scalar_subquery(),
        or_(_TASKS.c.id == bindparam("task_id"), _IS_OPEN),
    )
)
# What write_pending writes, in this order, from the lists collected in session.info.
_PENDING = {
    "bpe_new_tasks": _TASKS.insert(),
    "bpe_closed_tasks": _TASKS.update()
    .where(_TASKS.c.id == bindparam("task_id"))
    .values(
        state=bindparam("new_state"),
        finished_at=bindparam("at"),
        finished_by=bindparam("by"),
    ),
    "bpe_due_tasks": _TASKS.update()
    .where(_TASKS.c.id == bindparam("task_id"))
    .values(due=bindparam("new_due")),
    "bpe_audit": cast(Table, AuditRow.__table__).insert(),
}
_CASE_COLUMNS = tuple(
    a.key for a in inspect(CaseRow).column_attrs if a.key not in ("id", "version")
)
# The columns to set come from the parameters (Core's UPDATE without .values()); the
# version check is the ORM's (CaseRow's version_id_col), done by hand.
_UPDATE_CASE = _CASES.update().where(
    _CASES.c.id == bindparam("case_id"), _CASES.c.version == bindparam("old_version")
)


def load_task(session: Session, task_id: str) -> SimpleNamespace | None:
    """The task row ``task_id`` as a snapshot, or None.

    Its ``case`` attribute is its case as an ORM row of ``session`` (the one already there,
    else the values read here, attached as if loaded by the ORM); ``open_rows`` are the
    case's open task rows (mappings), for :data:`OPEN_ROWS_KEY`.
    """
    found = None
    open_rows = []
    width = len(_TASK_COLUMNS)
    for values in session.connection().execute(_TASK_AND_CASE, {"task_id": task_id}):
        task = dict(zip(_TASK_COLUMNS, values[:width], strict=True))
        if task["state"] in OPEN_TASK_STATES:
            open_rows.append(task)
        if task["id"] == task_id:
            found = SimpleNamespace(**task, open_rows=open_rows)
            found.case = _attach(session, dict(zip(_CASE_KEYS, values[width:], strict=True)))
    return found


def _attach(session: Session, values: dict[str, Any]) -> CaseRow:
    """The case row with these stored ``values`` as an ORM row of ``session``."""
    kept = session.identity_map.get(identity_key(CaseRow, values["id"]))
    if kept is not None:  # the session's own, perhaps changed since: the ORM's rule
        return kept
    row = CaseRow(**values)
    make_transient_to_detached(row)  # no history: as if the ORM had loaded these values
    session.add(row)
    return row


def sync_task_rows(
    session: Session,
    case_id: str,
    open_now: Iterable,
    finished: set[str],
    at: _dt.datetime,
    actor: str,
) -> tuple[list[SimpleNamespace], list[SimpleNamespace]]:
    """Mirror the workflow's open tasks into ``bpe_tasks``; return (open rows, just closed).

    Rows that are no longer open become ``completed`` when the workflow ran them (their id
    is in ``finished``; for timer, message and signal rows, ``"@" + element id``) and
    ``cancelled`` otherwise (an interrupting boundary event, the other branch of an
    event-based gateway, a case cancelled).

    The rows are read and written with Core statements, not as ORM objects (a step's
    largest cost after SpiffWorkflow itself was the ORM's loading and flushing of them):
    the returned rows are plain snapshots with the columns as attributes, and the writes
    are collected in ``session.info`` for :func:`write_pending`, which runs after the case
    row's version check.
    """
    loaded = session.info.get(OPEN_ROWS_KEY, {}).pop(case_id, None)
    if loaded is None:
        loaded = session.connection().execute(_OPEN_VALUES, {"case_id": case_id}).mappings()
    existing = {r["id"]: r for r in loaded}
    info = session.info
    closed, still_open = [], []
    seen = set()
    for task in open_now:
        seen.add(task.id)
        found = existing.get(task.id)
        if found is None:
            values = dict(
                id=task.id,
                case_id=case_id,
                element_id=task.element_id,
                name=task.name,
                lane=task.lane,
                kind=task.kind,
                state=_OPEN_STATE[task.kind],
                assignee=None,
                due=task.due,
                message=task.message,
                created_at=at,
                finished_at=None,
                finished_by=None,
                candidate_users=None,
                candidate_groups=None,
                owner=None,
                delegation=None,
                draft=None,
                follow_up=None,
                zone=None,
            )
            info.setdefault("bpe_new_tasks", []).append(values)
            row = SimpleNamespace(**values)  # a snapshot for the returned Case
        else:
            row = SimpleNamespace(**found)
            if task.due is not None and utc(row.due) != task.due:
                row.due = task.due
                info.setdefault("bpe_due_tasks", []).append(dict(task_id=row.id, new_due=task.due))
        still_open.append(row)
    for task_id, found in existing.items():
        if task_id not in seen:
            row = SimpleNamespace(**found)
            done = (
                f"@{row.element_id}" in finished
                if row.kind in _CATCH_KINDS
                else task_id in finished
            )
            row.state = "completed" if done else "cancelled"
            row.finished_at = at
            row.finished_by = actor if row.kind == "user" else row.kind
            info.setdefault("bpe_closed_tasks", []).append(
                dict(task_id=task_id, new_state=row.state, at=at, by=row.finished_by)
            )
            closed.append(row)
    return still_open, closed


def save_case(session: Session, row: CaseRow) -> None:
    """Write what changed in a case row with one Core UPDATE that checks and bumps its
    version (optimistic locking, as the ORM's flush of ``version_id_col`` does).

    Raises StaleDataError (the engine's ConflictError) when another worker wrote the case
    since it was read: its version moved on and no row matched. A column set to the value
    it had is not written (as the ORM would not); nothing changed, nothing written. The
    row then holds what is stored (:func:`set_committed_value`) and leaves the session
    (detached, as after a commit): changing it again in this transaction writes nothing;
    read it again. A row not yet inserted is flushed instead.
    """
    if not inspect(row).persistent:
        session.flush()
        return
    changed = {}
    for key in _CASE_COLUMNS:
        added, _unchanged, deleted = get_history(row, key)
        if added and not (deleted and deleted[0] == added[0]):
            changed[key] = added[0]
    if not changed:
        return
    version = row.version
    matched = (
        session.connection()
        .execute(
            _UPDATE_CASE,
            {**changed, "version": version + 1, "case_id": row.id, "old_version": version},
        )
        .rowcount
    )
    if matched != 1:
        raise StaleDataError(f"case {row.id}: version {version} is no longer the stored one")
    for key, value in changed.items():
        set_committed_value(row, key, value)
    set_committed_value(row, "version", version + 1)
    # Out of the session: its flush at commit would still walk the row for changes (a
    # tenth of a step), and a later read in this transaction loads it again as stored.
    session.expunge(row)


def write_pending(session: Session) -> None:
    """Write the task and audit rows collected during this call (Core executemany): new
    task rows, task rows closed or re-timed by :func:`sync_task_rows`, audit rows."""
    info = session.info
    if not any(key in info for key in _PENDING):
        return
    connection = session.connection()
    for key, statement in _PENDING.items():
        rows = info.pop(key, None)
        if rows:
            connection.execute(statement, rows)
