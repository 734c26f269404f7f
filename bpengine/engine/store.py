"""Database plumbing for the engine: connecting, sessions, rows to records, task-row sync.

Kept apart from :mod:`bpengine.engine.engine` so the public class reads as the procedure
(load the case, run the step, save) without SQL in the way.
"""

from __future__ import annotations

import datetime as _dt
import json
import zoneinfo
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any, cast, overload

from sqlalchemy import Table, bindparam, create_engine, event, inspect, select
from sqlalchemy.engine import Engine as SqlEngine
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import get_history, set_committed_value
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.pool import StaticPool

from ..errors import BpengineError, hide_password
from ..i18n import _
from ..limits import DEFAULT_LIMITS, EngineLimits
from .records import Case, Definition, HistoryEntry, Task
from .schema import OPEN_TASK_STATES, AuditRow, CaseRow, DefinitionRow, TaskRow

__all__ = [
    "connect",
    "normalise_url",
    "utc",
    "json_data",
    "to_definition",
    "to_case",
    "to_task",
    "to_entries",
    "sync_task_rows",
    "save_case",
    "audit",
    "changes",
    "write_pending",
]

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
# Built once: constructing a statement costs more than running it on SQLite.
_OPEN_ROWS = select(TaskRow).where(
    TaskRow.case_id == bindparam("case_id"), TaskRow.state.in_(OPEN_TASK_STATES)
)


def connect(url: str | None) -> tuple[SqlEngine, sessionmaker]:
    """Engine and session factory for ``url`` (None: one shared in-memory SQLite database)."""
    url = normalise_url(url)
    try:
        if url is None or url in ("sqlite://", "sqlite:///:memory:"):
            engine = create_engine(
                "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
            )
        elif url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"timeout": 60})
        else:
            engine = create_engine(url, pool_recycle=1800)
    except (ArgumentError, ImportError, ValueError, SQLAlchemyError) as exc:
        raise BpengineError(hide_password(f"cannot use database URL {url!r}: {exc}")) from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine, sessionmaker(engine, expire_on_commit=False)


def normalise_url(url: str | None) -> str | None:
    """``postgresql://`` means the psycopg 3 driver we ship, not psycopg2."""
    if url is not None and not isinstance(url, str):
        raise BpengineError(
            _("database URL must be text such as 'sqlite:///cases.db', not {got}").format(
                got=type(url).__name__
            )
        )
    if url and (url.startswith("postgresql://") or url.startswith("postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers (the inbox) run while a worker writes; busy_timeout makes a second
    # writer wait for the lock instead of failing at once.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=60000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@overload
def utc(value: _dt.datetime) -> _dt.datetime: ...
@overload
def utc(value: None) -> None: ...
@overload
def utc(value: _dt.datetime | None) -> _dt.datetime | None: ...


def utc(value: _dt.datetime | None) -> _dt.datetime | None:
    """Aware UTC datetime (SQLite hands back naive ones)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=_dt.timezone.utc)
    return value.astimezone(_dt.timezone.utc)


def json_data(data: Any, what: str, limits: EngineLimits = DEFAULT_LIMITS) -> dict:
    """A deep copy of ``data`` via JSON, or a clear error naming what it was for.

    Data over the ``limits`` (depth, integer digits, bytes) is refused before any copy.
    """
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise BpengineError(
            _("{what}: data must be a mapping of names to values, not {got}").format(
                what=what, got=type(data).__name__
            )
        )
    limits.check_data(data, what)
    try:
        text = json.dumps(data, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise BpengineError(
            _("{what}: data is not JSON-serialisable: {exc}").format(what=what, exc=exc)
        ) from None
    limits.check_size(data, what, text)
    return json.loads(text)


def to_definition(row: DefinitionRow) -> Definition:
    return Definition(
        row.id,
        row.key,
        row.version,
        row.name,
        row.digest,
        utc(row.deployed_at),
        row.trust_scripts,
        tuple((row.events or {}).get("notes", ())),
    )


def _names(packed: str | None) -> tuple[str, ...]:
    return tuple(packed.strip(",").split(",")) if packed else ()


def _local(value: _dt.datetime | None, zone: str | None) -> _dt.datetime | None:
    value = utc(value)
    if value is None or not zone:
        return value
    try:
        return value.astimezone(zoneinfo.ZoneInfo(zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return value  # a zone this machine lacks: still the right moment, in UTC


def to_task(row: TaskRow) -> Task:
    zone = getattr(row, "zone", None)
    return Task(
        row.id,
        row.case_id,
        row.element_id,
        row.name,
        row.lane,
        row.kind,
        row.state,
        row.assignee,
        _local(row.due, zone),
        utc(row.created_at),
        utc(row.finished_at),
        row.finished_by,
        row.message,
        _names(row.candidate_users),
        _names(row.candidate_groups),
        row.owner,
        row.delegation,
        _local(row.follow_up, zone),
    )


def to_case(session: Session, row: CaseRow, definition, open_rows=None) -> Case:
    """Snapshot a case; ``definition`` has ``key`` and ``version``; ``open_rows`` saves a query."""
    if open_rows is None:
        open_rows = session.scalars(_OPEN_ROWS, {"case_id": row.id}).all()
    tasks = sorted(open_rows, key=lambda t: (utc(t.created_at), t.id))
    return Case(
        row.id,
        definition.key,
        definition.version,
        row.status,
        dict(row.data),
        row.error,
        row.started_by,
        utc(row.started_at),
        utc(row.updated_at),
        utc(row.ended_at),
        tuple(to_task(t) for t in tasks),
        row.business_key,
        row.outcome,
    )


# Actions whose row holds other data than the case's (a delegate's draft answer, not yet in
# the case): shown as stored, never replayed into the case data.
_OWN_DATA = frozenset({"resolve"})


def to_entries(rows: Iterable[AuditRow]) -> list[HistoryEntry]:
    """A case's audit rows (oldest first) as history entries with the whole case data.

    A row stores what its step changed (:func:`audit`); replaying the rows in order puts the
    data before and after each step back together. Rows written before deltas (whole
    copies) replay to the same data, so old and new rows mix in one history.
    """
    entries: list[HistoryEntry] = []
    data: dict[str, Any] = {}
    for row in rows:
        if row.action in _OWN_DATA:
            entries.append(
                HistoryEntry(
                    utc(row.at),
                    row.actor,
                    row.action,
                    row.task_id,
                    row.element_id,
                    row.data_before,
                    row.data_after,
                    row.detail,
                )
            )
            continue
        before = dict(data) if row.data_before is not None else None
        if row.data_after is not None:
            gone = set(row.data_before or ()) - set(row.data_after)
            data = {k: v for k, v in data.items() if k not in gone}
            data.update(row.data_after)
        entries.append(
            HistoryEntry(
                utc(row.at),
                row.actor,
                row.action,
                row.task_id,
                row.element_id,
                before,
                dict(data) if row.data_after is not None else None,
                row.detail,
            )
        )
    return entries


def changes(before: dict | None, after: dict | None) -> tuple[dict | None, dict | None]:
    """What a step changed, as an audit row stores it: the old values of the keys it changed
    or removed, and the new values of the keys it changed or added.

    ``None`` stays ``None`` (the step had no data side); a side given with nothing changed is
    ``{}``. The first row of a case (``before`` None) keeps ``after`` whole.
    """
    if before is None or after is None:
        return ({} if before is not None else None), after
    old = {k: v for k, v in before.items() if k not in after or after[k] != v}
    new = {k: v for k, v in after.items() if k not in before or before[k] != v}
    return old, new


def audit(
    session: Session,
    case_id: str,
    action: str,
    actor: str,
    at: _dt.datetime,
    *,
    task=None,
    before=None,
    after=None,
    detail: str = "",
) -> None:
    """Append one audit row (never updated, never deleted) holding what the step changed.

    ``before`` and ``after`` are the whole case data; the row keeps only the difference
    (:func:`changes`), so a large value is written once, when it is set, not once per step.
    Rows are collected on the session and written by :func:`write_pending` in one
    statement just before the transaction commits (cheaper than one ORM object each).
    """
    room = AuditRow.actor.type.length  # every action audits its actor: one check for all
    if actor and len(actor) > room:
        # SQLite would keep it and PostgreSQL refuse it as a storage failure (QA, issue #16)
        raise BpengineError(
            _(
                "the actor name {name!r} is {length} characters long; the engine "
                "stores at most {room}; nothing was written"
            ).format(name=actor[:40] + "…", length=len(actor), room=room)
        )
    before, after = changes(before, after)
    session.info.setdefault("bpe_audit", []).append(
        dict(
            case_id=case_id,
            action=action,
            actor=actor or "",
            at=at,
            task_id=getattr(task, "id", None),
            element_id=getattr(task, "element_id", None),
            data_before=before,
            data_after=after,
            detail=detail,
        )
    )


def write_pending(session: Session) -> None:
    """Write the task and audit rows collected during this call (Core executemany): new
    task rows, task rows closed or re-timed by :func:`sync_task_rows`, audit rows."""
    # the Core tables on the session's connection, not the ORM classes: a plain
    # executemany, none of the ORM's per-object bookkeeping
    info = session.info
    if not any(key in info for key in _PENDING):
        return
    connection = session.connection()
    for key, statement in _PENDING.items():
        rows = info.pop(key, None)
        if rows:
            connection.execute(statement, rows)


_TASKS = cast(Table, TaskRow.__table__)
# Built once: constructing a statement costs more than running it on SQLite.
_OPEN_VALUES = select(_TASKS).where(
    _TASKS.c.case_id == bindparam("case_id"), _TASKS.c.state.in_(OPEN_TASK_STATES)
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
    existing = {
        r.id: r for r in session.connection().execute(_OPEN_VALUES, {"case_id": case_id}).mappings()
    }
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


_CASES = cast(Table, CaseRow.__table__)
_CASE_COLUMNS = tuple(
    a.key for a in inspect(CaseRow).column_attrs if a.key not in ("id", "version")
)
# The columns to set come from the parameters (Core's UPDATE without .values()); the
# version check is the ORM's (CaseRow's version_id_col), done by hand.
_UPDATE_CASE = _CASES.update().where(
    _CASES.c.id == bindparam("case_id"), _CASES.c.version == bindparam("old_version")
)


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
