"""`bpengine db upgrade|current --db URL`: the engine's schema, by Alembic migrations."""

from __future__ import annotations

import contextlib
from pathlib import Path

import click

from ..engine.migrate import current as current_revision
from ..engine.migrate import head
from ..engine.migrate import upgrade as upgrade_schema
from ..errors import BpengineError, hide_password
from ..i18n import N_, _
from . import options
from .help import group

__all__ = ["db"]

_url_option = options.database()


@contextlib.contextmanager
def _naming(url):
    """A database error names the --db it is about, and a missing SQLite folder says so."""
    if not url:
        raise BpengineError(_("--db: which database? give --db URL or set BPENGINE_DB"))
    try:
        yield
    except BpengineError as exc:
        if str(exc).startswith("--url"):  # the library names the URL; say it as we spell it
            raise BpengineError("--db" + str(exc)[len("--url") :]) from None
        hint = ""
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            folder = Path(url.removeprefix("sqlite:///")).parent
            if not folder.is_dir():
                hint = " " + _("(the folder {folder} does not exist)").format(folder=folder)
        raise BpengineError(f"--db {hide_password(url)}: {exc}{hint}") from None


@group(N_("Create or upgrade the engine's tables in a database."))
def db():
    pass


@db.command(help=N_("Create or upgrade the engine's schema (run once before starting workers)."))
@_url_option
@click.option("--revision", default="head", show_default=True, help=N_("Target revision."))
def upgrade(url, revision):
    with _naming(url):
        before = current_revision(url)
        after = upgrade_schema(url, revision)
    if before == after:
        click.echo(_("database already at {version}").format(version=after))
    else:
        click.echo(
            _("upgraded {before} -> {after}").format(
                before=before or _("empty database"), after=after
            )
        )


@db.command(help=N_("Print the schema revision of the database and the newest one shipped."))
@_url_option
def current(url):
    with _naming(url):
        at = current_revision(url)
    click.echo(
        _("database: {version}  newest: {head}").format(version=at or _("empty"), head=head())
    )
