"""`EngineCore`: what the engine's operation groups need from the engine they belong to.

:class:`~bpengine.Engine` is assembled from groups of operations, one module each (tasks,
jobs, messages and schedules, migration, queries, forms). Every group runs inside the
engine's transactions and reads its runtimes, so each is declared as a subclass of this
protocol: the type checker then knows every name a group may use, and refuses an engine
that does not provide one of them (an abstract member left unimplemented).

Members defined by one group and used by another (``_task_row``, ``_advance_case``, ...)
are declared here too: the protocol comes last in the engine's method order, so the real
definitions always win over these declarations.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sqlalchemy import Engine as Database
    from sqlalchemy.orm import Session

    from ..limits import EngineLimits
    from .jobs import JobPolicy
    from .records import Case
    from .runtime import Runtime
    from .schema import CaseRow, DefinitionRow

__all__ = ["EngineCore"]


class EngineCore(Protocol):
    """The state and plumbing the operation groups share (implemented by ``Engine``)."""

    db: Database
    limits: EngineLimits
    _handlers: dict[str, Callable[..., Any]]
    _job_handlers: set[str]
    _default_policy: JobPolicy
    _policies: dict[str, JobPolicy]

    # --- plumbing (engine.py) ---------------------------------------------------------------
    def _now(self) -> _dt.datetime: ...

    def _transaction(self, now: _dt.datetime) -> AbstractContextManager[Session]: ...

    def _runtime(self, session: Session, definition_id: int) -> Runtime: ...

    def _case_row(self, session: Session, case_id: str) -> CaseRow: ...

    def _workflow(self, runtime: Runtime, case: CaseRow) -> Any: ...

    def _definition_row(
        self, session: Session, key: Any, version: int | None = None
    ) -> DefinitionRow: ...

    def _new_case(
        self,
        session: Session,
        definition: DefinitionRow,
        data: dict[str, Any],
        actor: str,
        now: _dt.datetime,
        business_key: str | None,
        *,
        trigger: Any = None,
        fired_start: str | None = None,
    ) -> tuple[Case, list[str]]: ...

    def _save(
        self,
        session: Session,
        row: CaseRow,
        runtime: Runtime,
        workflow: Any,
        finished: set[str],
        actor: str,
        now: _dt.datetime,
    ) -> list[SimpleNamespace]: ...

    def get(self, case_id: str) -> Case: ...

    # --- defined by one group, used by another ------------------------------------------------
    def _task_row(self, session: Session, task_id: str) -> SimpleNamespace: ...  # tasks.py

    def _advance_case(
        self, session: Session, case: CaseRow, step: Any, actor: str, now: _dt.datetime
    ) -> Case: ...  # tasks.py

    def set_retries(
        self, element: str, retries: int, backoff: _dt.timedelta | None = None
    ) -> None: ...  # jobs.py

    def _sweep_messages(
        self, session: Session, now: _dt.datetime, limit: int
    ) -> list[str]: ...  # messages.py

    def _fire_schedules(
        self, session: Session, now: _dt.datetime, limit: int
    ) -> list[str]: ...  # schedules.py
