"""Database plumbing for the engine: connecting, rows to records, audit rows.

Kept apart from :mod:`bpengine.engine.engine` so the public class reads as the procedure
(load the case, run the step, save) without SQL in the way.
"""

from __future__ import annotations

import datetime as _dt
import json
import zoneinfo
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any, overload

from sqlalchemy import bindparam, create_engine, event, select
from sqlalchemy.engine import Engine as SqlEngine
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
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
    "audit",
    "changes",
]

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
        raise BpengineError(
            hide_password(_("cannot use database URL {url}: {why}").format(url=repr(url), why=exc))
        ) from None
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


def to_task(row: TaskRow | SimpleNamespace) -> Task:
    """The record of a task row (an ORM row or a :mod:`.steprows` snapshot)."""
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
    Rows are collected on the session and written by :func:`.steprows.write_pending` in one
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
