"""The engine's tables (SQLAlchemy 2 typed models).

Eight tables, prefixed ``bpe_`` so they sit beside an agency app's own tables:

- ``bpe_definitions``: one row per deployed version: content digest, BPMN source and the
  SpiffWorkflow spec, stored once (cases never repeat it).
- ``bpe_cases``: status, the instance state (without spec), the case data and a version
  counter for optimistic locking.
- ``bpe_tasks``: one row per task the outside world can act on or waits for (user tasks,
  service tasks, timers), so the inbox and the timer sweep are indexed queries, never a scan
  that deserialises every case.
- ``bpe_audit``: append-only (database triggers refuse UPDATE, DELETE, REPLACE and deleting
  a case that has audit rows): who did what, when, and what it changed in the case data
  (the changed keys only; :meth:`Engine.history` puts the whole data back together).
- ``bpe_messages``: every message and signal: delivered (to which cases), ``pending`` (kept
  until a case waits for it) or ``outbound`` (for a party outside the engine). Its id is the
  sender's message id, so a message sent twice is delivered once.
- ``bpe_schedules``: when the next case of a process with a timer start event is due.
- ``bpe_incidents``: a job (timer or service task) that failed: the error, how often it was
  tried, when it is tried again (:mod:`bpengine.engine.jobs`).
- ``bpe_memberships``: append-only log of who was added to or removed from which group
  (:mod:`bpengine.engine.membership`); the latest change per user and group is the membership.

The schema is created and upgraded by the Alembic migrations in ``migrations/``; these
models must match the latest migration (a test compares them).
"""

from __future__ import annotations

import datetime as _dt

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "Base",
    "DefinitionRow",
    "CaseRow",
    "TaskRow",
    "AuditRow",
    "MessageRow",
    "ScheduleRow",
    "IncidentRow",
    "MembershipRow",
    "OPEN_TASK_STATES",
    "WAITING_KINDS",
]

# Task row states: "ready" (user task waiting for a person), "pending" (service task waiting
# for a handler), "waiting" (timer not yet due, message or signal not yet come); then
# "completed" or "cancelled".
OPEN_TASK_STATES = ("ready", "pending", "waiting")
WAITING_KINDS = ("timer", "message", "signal")

_NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=_NAMING)


class DefinitionRow(Base):
    __tablename__ = "bpe_definitions"
    __table_args__ = (UniqueConstraint("key", "version", name="uq_bpe_definitions_key_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(500), default="")
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[bytes] = mapped_column(LargeBinary)
    spec: Mapped[str] = mapped_column(Text)
    state_format: Mapped[str] = mapped_column(String(40))
    trust_scripts: Mapped[bool] = mapped_column(default=False)
    deployed_at: Mapped[_dt.datetime] = mapped_column(DateTime(timezone=True))
    deployed_by: Mapped[str] = mapped_column(String(200), default="")
    # What the definition starts on and waits for, by kind: {"starts": {"message": [...],
    # "signal": [...], "timer": [[element, expression], ...]}, "catches": {...}}.
    events: Mapped[dict | None] = mapped_column(JSON, nullable=True)


class CaseRow(Base):
    __tablename__ = "bpe_cases"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("bpe_definitions.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    state: Mapped[str] = mapped_column(Text)
    # JSONB on PostgreSQL, with a GIN index (jsonb_path_ops) made by migration 0005 only
    # there: find_cases(data=...) is a containment query it answers.
    data: Mapped[dict] = mapped_column(JSON().with_variant(JSONB(), "postgresql"))
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    started_by: Mapped[str] = mapped_column(String(200), default="")
    started_at: Mapped[_dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[_dt.datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[_dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    business_key: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    outcome: Mapped[str | None] = mapped_column(String(200), nullable=True)  # end event(s)

    # Every UPDATE checks and bumps the counter: a worker holding a stale copy gets
    # StaleDataError (our ConflictError) instead of overwriting another worker's step.
    __mapper_args__ = {"version_id_col": version}


class TaskRow(Base):
    __tablename__ = "bpe_tasks"
    __table_args__ = (
        Index("ix_bpe_tasks_inbox", "state", "kind", "lane"),
        Index("ix_bpe_tasks_due", "kind", "state", "due"),
        Index("ix_bpe_tasks_case_state", "case_id", "state"),
        Index("ix_bpe_tasks_message", "kind", "state", "message"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("bpe_cases.id"))
    element_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(500), default="")
    lane: Mapped[str | None] = mapped_column(String(200), nullable=True)
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    assignee: Mapped[str | None] = mapped_column(String(200), nullable=True)
    due: Mapped[_dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[_dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[_dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    message: Mapped[str | None] = mapped_column(String(200), nullable=True)  # or signal name
    # Who a user task is offered to (bpengine.engine.assignment): ",ani,budi," so one LIKE
    # finds a name on SQLite and PostgreSQL; None: offered to the lane.
    candidate_users: Mapped[str | None] = mapped_column(Text, nullable=True)
    candidate_groups: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Delegation (Camunda): the owner keeps the task, the assignee (delegate) resolves it
    # and it goes back to the owner; delegation is "pending" then "resolved".
    owner: Mapped[str | None] = mapped_column(String(200), nullable=True)
    delegation: Mapped[str | None] = mapped_column(String(16), nullable=True)
    draft: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # the delegate's data
    follow_up: Mapped[_dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    zone: Mapped[str | None] = mapped_column(String(64), nullable=True)  # the office's zone


class AuditRow(Base):
    __tablename__ = "bpe_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(36), index=True)
    task_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    element_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    action: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[_dt.datetime] = mapped_column(DateTime(timezone=True))
    data_before: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    data_after: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    detail: Mapped[str] = mapped_column(Text, default="")


class MessageRow(Base):
    __tablename__ = "bpe_messages"
    __table_args__ = (Index("ix_bpe_messages_pending", "state", "kind", "name"),)

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "message" or "signal"
    name: Mapped[str] = mapped_column(String(200))
    business_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    correlation: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    data: Mapped[dict] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16))  # delivered / pending / outbound
    source_case_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    targets: Mapped[list] = mapped_column(JSON)  # [[case id, element id, started?], ...]
    actor: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[_dt.datetime] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[_dt.datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    detail: Mapped[str] = mapped_column(Text, default="")


class ScheduleRow(Base):
    __tablename__ = "bpe_schedules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("bpe_definitions.id"))
    element_id: Mapped[str] = mapped_column(String(200))
    expression: Mapped[str] = mapped_column(String(200))
    due: Mapped[_dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    every_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    remaining: Mapped[int] = mapped_column(Integer)  # -1: for ever


class IncidentRow(Base):
    __tablename__ = "bpe_incidents"
    __table_args__ = (Index("ix_bpe_incidents_case", "case_id", "state"),)

    # One row per task: two workers failing one job at once cannot open two incidents.
    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("bpe_cases.id"))
    element_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # the job: "timer" or "service"
    state: Mapped[str] = mapped_column(String(16))  # "open" or "resolved"
    error: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer)
    retries_left: Mapped[int] = mapped_column(Integer)
    # None: no automatic retry left (the case is failed until retry()).
    next_retry: Mapped[_dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[_dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[_dt.datetime] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[_dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(String(200), nullable=True)


class MembershipRow(Base):
    __tablename__ = "bpe_memberships"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(200), index=True)
    group_name: Mapped[str] = mapped_column(String(200), index=True)
    action: Mapped[str] = mapped_column(String(8))  # "add" or "remove"
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[_dt.datetime] = mapped_column(DateTime(timezone=True))
