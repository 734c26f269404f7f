"""Alembic environment for the engine's tables (run through bpengine.engine.migrate)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from bpengine.engine.schema import Base

__all__: list[str] = []

VERSION_TABLE = "bpe_alembic_version"  # apart from the embedding app's own alembic_version


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        version_table=VERSION_TABLE,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _main() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


# Alembic runs this file with its context set up; imported any other way (pytest
# --doctest-modules), the context has no config and there is nothing to do.
if hasattr(context, "config"):
    _main()
