"""Queries for applications: pages of cases and tasks with total counts, by business key,
case data and outcome.

An agency app lists "page 19 of 20" and searches "the case of NIK 3273...": both are one
indexed query here, never a scan that loads every case. Case data is matched by equality of
top-level values: on PostgreSQL as JSONB containment (``data @> '{"nik": "3273..."}'``, which
the GIN index of migration 0005 answers), on SQLite with ``json_extract``.
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any

from sqlalchemy import and_, func, select, type_coerce
from sqlalchemy.dialects.postgresql import JSONB

from ..errors import BpengineError
from ..i18n import _
from .core import EngineCore
from .records import Definition, Page
from .schema import OPEN_TASK_STATES, CaseRow, DefinitionRow, TaskRow
from .store import to_case, to_task, utc
from .tasks import candidate_group as candidate_group_clause
from .tasks import offered_to

__all__ = ["QueryOperations"]

_TASK_STATES = (*OPEN_TASK_STATES, "completed", "cancelled")


def _page(offset, limit) -> tuple[int, int | None]:
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise BpengineError(
            _("offset must be a whole number >= 0, not {offset!r}").format(offset=offset)
        )
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
        raise BpengineError(
            _("limit must be a whole number >= 1 (or None), not {limit!r}").format(limit=limit)
        )
    return offset, limit


def _data_filter(dialect: str, data: dict) -> list:
    """Clauses matching cases whose data has these top-level values."""
    if not isinstance(data, dict) or not data:
        raise BpengineError(_("data: give a mapping of case data names to the values wanted"))
    for key, value in data.items():
        if not isinstance(key, str) or not key:
            raise BpengineError(_("data: names are non-empty text, not {key!r}").format(key=key))
        if not isinstance(value, (str, int, float, bool)) and value is not None:
            raise BpengineError(
                _(
                    "data: {key!r}: only text, numbers, true/false and null can "
                    "be searched, not {got}"
                ).format(key=key, got=type(value).__name__)
            )
    if dialect == "postgresql":
        return [type_coerce(CaseRow.data, JSONB).contains(data)]
    clauses = []
    for key, value in data.items():
        path = '$."' + key.replace('"', '\\"') + '"'
        if value is None or isinstance(value, bool):
            # json_type tells true from 1 and null from missing
            wanted = "null" if value is None else ("true" if value else "false")
            clauses.append(func.json_type(CaseRow.data, path) == wanted)
        else:
            clauses.append(func.json_extract(CaseRow.data, path) == value)
            clauses.append(
                func.json_type(CaseRow.data, path).in_(
                    ["text"] if isinstance(value, str) else ["integer", "real"]
                )
            )
    return clauses


class QueryOperations(EngineCore):
    """Query calls of :class:`~bpengine.engine.Engine`."""

    def _case_filters(self, status, definition, business_key, data, outcome) -> list:
        clauses = []
        if status is not None:
            clauses.append(CaseRow.status == status)
        if isinstance(definition, Definition):
            clauses.append(CaseRow.definition_id == definition.id)
        elif definition is not None:
            clauses.append(DefinitionRow.key == definition)
        if business_key is not None:
            clauses.append(CaseRow.business_key == str(business_key))
        if outcome is not None:
            clauses.append(CaseRow.outcome == outcome)
        if data is not None:
            json.dumps(data)  # a clear TypeError rather than a driver's
            clauses += _data_filter(self.db.dialect.name, data)
        return clauses

    def find_cases(
        self,
        *,
        status: str | None = None,
        definition=None,
        business_key: str | None = None,
        data: dict | None = None,
        outcome: str | None = None,
        offset: int = 0,
        limit: int | None = 50,
        newest_first: bool = False,
    ) -> Page:
        """A page of cases (with their open tasks) and how many match in all.

        Parameters
        ----------
        definition : str or Definition, optional
            A process key (any version) or one deployed version.
        data : dict, optional
            Top-level case data values the case must have (``{"nik": "3273..."}``).
        outcome : str, optional
            Completed cases that reached this end event.
        """
        offset, limit = _page(offset, limit)
        with self._transaction(self._now()) as session:
            where = self._case_filters(status, definition, business_key, data, outcome)
            base = (
                select(CaseRow.id)
                .join(DefinitionRow, CaseRow.definition_id == DefinitionRow.id)
                .where(*where)
            )
            total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
            order = (
                (CaseRow.started_at.desc(), CaseRow.id.desc())
                if newest_first
                else (CaseRow.started_at, CaseRow.id)
            )
            found = session.execute(
                select(CaseRow, DefinitionRow)
                .join(DefinitionRow, CaseRow.definition_id == DefinitionRow.id)
                .where(*where)
                .order_by(*order)
                .offset(offset)
                .limit(limit)
            ).all()
            open_rows: dict[str, list] = {c.id: [] for c, _ in found}
            if found:
                for task in session.scalars(
                    select(TaskRow).where(
                        TaskRow.case_id.in_(list(open_rows)), TaskRow.state.in_(OPEN_TASK_STATES)
                    )
                ):
                    open_rows[task.case_id].append(task)
            items = tuple(to_case(session, c, d, open_rows[c.id]) for c, d in found)
            return Page(items, total, offset, limit)

    def find_tasks(
        self,
        *,
        state: str | None = "ready",
        kind: str | None = None,
        lane: str | None = None,
        assignee: str | None = None,
        case_id: str | None = None,
        business_key: str | None = None,
        data: dict | None = None,
        definition=None,
        candidate_user: str | None = None,
        candidate_group: str | None = None,
        overdue: bool = False,
        due_before=None,
        follow_up_before=None,
        offset: int = 0,
        limit: int | None = 50,
    ) -> Page:
        """A page of tasks, oldest first, and how many match in all: by state (default
        ``ready``; None for any), kind, lane, assignee, or their case's id, business key,
        data or definition.

        Parameters
        ----------
        candidate_user : str, optional
            Unclaimed tasks offered to this user (a candidate user), or claimed by them.
        candidate_group : str, optional
            Unclaimed tasks offered to this group: a candidate group, or the lane of a task
            without candidates.
        overdue : bool
            Only tasks whose due date has passed (now, on the engine's clock).
        due_before, follow_up_before : datetime, optional
            Only tasks due (to be followed up) before this aware moment.
        """
        offset, limit = _page(offset, limit)
        for name, value in (("due_before", due_before), ("follow_up_before", follow_up_before)):
            if value is not None and (not isinstance(value, _dt.datetime) or value.tzinfo is None):
                raise BpengineError(
                    _("{name} must be an aware datetime, not {value!r}").format(
                        name=name, value=value
                    )
                )
        if state is not None and state not in _TASK_STATES:
            raise BpengineError(
                _("state must be one of {states}, not {state!r}").format(
                    states=", ".join(_TASK_STATES), state=state
                )
            )
        with self._transaction(self._now()) as session:
            where = self._case_filters(None, definition, business_key, data, None)
            if state is not None:
                where.append(TaskRow.state == state)
                if state in OPEN_TASK_STATES:
                    where.append(CaseRow.status == "running")
            for column, value in (
                (TaskRow.kind, kind),
                (TaskRow.lane, lane),
                (TaskRow.assignee, assignee),
                (TaskRow.case_id, case_id),
            ):
                if value is not None:
                    where.append(column == value)
            if candidate_user is not None:
                where.append(
                    offered_to(candidate_user, [] if candidate_group is None else [candidate_group])
                )
            elif candidate_group is not None:
                where.append(
                    and_(TaskRow.assignee.is_(None), candidate_group_clause(candidate_group))
                )
            moments: tuple[tuple[Any, _dt.datetime | None], ...] = (
                (TaskRow.due, self._now() if overdue else None),
                (TaskRow.due, due_before),
                (TaskRow.follow_up, follow_up_before),
            )
            for column, moment in moments:
                if moment is not None:
                    where += [TaskRow.kind == "user", column < utc(moment)]
            joined = (
                select(TaskRow)
                .join(CaseRow, TaskRow.case_id == CaseRow.id)
                .join(DefinitionRow, CaseRow.definition_id == DefinitionRow.id)
                .where(*where)
            )
            total = (
                session.scalar(
                    select(func.count()).select_from(
                        joined.with_only_columns(TaskRow.id).subquery()
                    )
                )
                or 0
            )
            rows = session.scalars(
                joined.order_by(TaskRow.created_at, TaskRow.id).offset(offset).limit(limit)
            )
            return Page(tuple(to_task(r) for r in rows), total, offset, limit)
