"""Create and upgrade the engine's schema with the Alembic migrations shipped in the package.

``bpengine db upgrade --db ...`` and :class:`~bpengine.engine.Engine` (for SQLite and the
in-memory database) call :func:`upgrade`; production PostgreSQL is upgraded explicitly, once,
before the workers start, so several workers never race to migrate.

Examples
--------
>>> from sqlalchemy import create_engine
>>> db = create_engine("sqlite://")
>>> upgrade(db) == head()
True
>>> current(db) == head()
True
"""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine as SqlEngine
from sqlalchemy.exc import SQLAlchemyError

from ..errors import BpengineError, hide_password
from ..i18n import _
from .store import normalise_url

__all__ = ["upgrade", "downgrade", "current", "head", "make_sql_engine", "app_role_sql"]

_MIGRATIONS = Path(__file__).with_name("migrations")
VERSION_TABLE = "bpe_alembic_version"
# Alembic keeps the running migration's context in a module global: threads that each open
# an Engine on one SQLite file (several workers in one process) must migrate one at a time.
_ONE_AT_A_TIME = threading.Lock()


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


def make_sql_engine(url: str) -> SqlEngine:
    """A SQLAlchemy engine for ``url``, with a clear error for a bad URL or missing driver."""
    try:
        return create_engine(normalise_url(url) or "")
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise BpengineError(
            hide_password(
                _("--url {url}: cannot use this database URL: {why}").format(url=repr(url), why=exc)
            )
        ) from None


def _engine(target) -> tuple[SqlEngine, bool]:
    if isinstance(target, SqlEngine):
        return target, False
    return make_sql_engine(str(target)), True


def head() -> str:
    """The newest revision shipped with this bpengine."""
    revision = ScriptDirectory.from_config(_config()).get_current_head()
    if revision is None:  # the shipped migrations directory is incomplete
        raise BpengineError(_("bpengine's schema migrations are missing from the installation"))
    return revision


def _failed(what: str, exc: SQLAlchemyError) -> BpengineError:
    """``what`` failed, with the driver's first line (any password in it hidden)."""
    return BpengineError(
        hide_password(f"{what}: {exc.__class__.__name__}: {str(exc).splitlines()[0]}")
    )


def current(target) -> str | None:
    """The revision a database is at (None for an empty database)."""
    engine, owned = _engine(target)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(
                conn, opts={"version_table": VERSION_TABLE}
            ).get_current_revision()
    except SQLAlchemyError as exc:
        raise _failed(_("cannot read the schema version"), exc) from None
    finally:
        if owned:
            engine.dispose()


def upgrade(target, revision: str = "head") -> str | None:
    """Upgrade the database at ``target`` (URL or SQLAlchemy engine) to ``revision``.

    Returns the revision the database is at afterwards.

    Raises
    ------
    BpengineError
        The database cannot be reached or the migration fails.
    """
    return _migrate(target, revision, command.upgrade)


def downgrade(target, revision: str) -> str | None:
    """Downgrade to ``revision`` (``"base"``: drop the engine's tables). Same errors."""
    return _migrate(target, revision, command.downgrade)


def _migrate(target, revision: str, step) -> str | None:
    engine, owned = _engine(target)
    config = _config()
    try:
        with _ONE_AT_A_TIME, engine.begin() as conn:
            config.attributes["connection"] = conn
            step(config, revision)
        return current(engine)
    except SQLAlchemyError as exc:
        raise _failed(_("cannot migrate the database"), exc) from None
    finally:
        if owned:
            engine.dispose()


_TABLES_WRITTEN = ("bpe_definitions", "bpe_cases", "bpe_tasks", "bpe_messages", "bpe_incidents")


def app_role_sql(role: str = "bpe_app") -> list[str]:
    """PostgreSQL statements giving the workers' login ``role`` what the engine needs and no
    more: it may add to the audit and read it, never change or delete it.

    The triggers of migrations 0002, 0006 and 0008 refuse UPDATE, DELETE and TRUNCATE on the
    audit and the group membership log to everyone, but the tables' owner can drop a
    trigger; the workers therefore connect as
    this role, which owns nothing, and the owner only runs ``bpengine db upgrade``. Run the
    statements as the owner after upgrading (and again after a later upgrade adds a table).
    Cases cannot be deleted either: the role has no DELETE on ``bpe_cases``.

    >>> app_role_sql("kasus_app")[0]
    'CREATE ROLE kasus_app LOGIN'
    """
    if not role.isidentifier():
        raise BpengineError(
            _("app role {role!r}: use a plain SQL name (letters, digits, _)").format(role=role)
        )
    return [
        f"CREATE ROLE {role} LOGIN",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT ON {VERSION_TABLE} TO {role}",
        f"GRANT SELECT, INSERT, UPDATE ON {', '.join(_TABLES_WRITTEN)} TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON bpe_schedules TO {role}",
        f"GRANT SELECT, INSERT ON bpe_audit, bpe_memberships TO {role}",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role}",
    ]
