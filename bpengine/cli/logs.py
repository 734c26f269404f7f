"""The options and glue every command that reads an event log shares (calibrate, conformance,
compare): a log file (XES, CSV with its columns) or an engine database URL, a mapping file."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import click

from ..errors import LogError
from ..i18n import N_, _
from ..records import history_log, read_log, read_mapping

__all__ = ["LOG_OPTIONS", "open_log", "is_url", "columns_of", "parse_offset", "mapping_of"]

_COLUMNS = ("case", "activity", "start", "end", "enabled", "resource", "lane")
# one whole sentence per column: a translation needs the noun inside it, not pasted in
_COLUMN_HELP = {
    "case": N_("CSV column of the case (default: detected)."),
    "activity": N_("CSV column of the activity (default: detected)."),
    "start": N_("CSV column of the start (default: detected)."),
    "end": N_("CSV column of the end (default: detected)."),
    "enabled": N_("CSV column of the enabled time (default: detected)."),
    "resource": N_("CSV column of the resource (default: detected)."),
    "lane": N_("CSV column of the lane (default: detected)."),
}


def is_url(text: str) -> bool:
    """A database URL (``sqlite:///x.db``, ``postgresql+psycopg://...``), not a file."""
    return "://" in str(text)


def parse_offset(text: str) -> dt.tzinfo:
    """``+07:00`` -> a fixed offset (the office's time zone)."""
    m = re.fullmatch(r"([+-])(\d{1,2}):?(\d{2})?", text.strip())
    if not m:
        raise click.BadParameter(
            _("{text} is not a UTC offset like +07:00").format(text=repr(text)), param_hint="--tz"
        )
    sign = -1 if m.group(1) == "-" else 1
    delta = dt.timedelta(hours=int(m.group(2)), minutes=int(m.group(3) or 0))
    return dt.timezone(sign * delta)


def LOG_OPTIONS(f):
    """--case-column/--activity-column/... column names, --mapping, --key, --tz.

    The column options end in ``-column``: a bare ``--lane`` means "this lane" on the case
    commands (one spelling, one meaning); ``--case``, ``--lane``, ... are kept as hidden
    aliases.
    """
    from .options import alias

    decorators = []
    for c in _COLUMNS:
        decorators.append(
            click.option(f"--{c}-column", f"col_{c}", metavar="COLUMN", help=_COLUMN_HELP[c])
        )
        decorators.append(alias(f"col_{c}", f"--{c}", canonical=f"--{c}-column", metavar="COLUMN"))
    decorators += [
        click.option(
            "--mapping",
            type=click.Path(dir_okay=False),
            help=N_("YAML 'log activity: task id or name', where the log's names differ."),
        ),
        click.option(
            "--definition",
            "key",
            metavar="KEY",
            help=N_(
                "With a database URL: the deployed definition's key (default: the "
                "model's process id)."
            ),
        ),
        alias("key", "--key", canonical="--definition", metavar="KEY"),  # old spelling
        click.option(
            "--tz",
            default="+07:00",
            show_default=True,
            help=N_("Office time zone: timestamps with an offset are converted to it."),
        ),
    ]
    for d in reversed(decorators):
        f = d(f)
    return f


def columns_of(kwargs: dict) -> dict:
    """Pop the --case/--activity/... options out of a command's keyword arguments."""
    out = {}
    for c in _COLUMNS:
        value = kwargs.pop(f"col_{c}", None)
        if value:
            out[c] = value
    return out


def open_log(model, source: str, columns: dict, key: str | None, tz: str):
    """The log at ``source``: a file, or the history in the engine database at that URL."""
    zone = parse_offset(tz)
    if is_url(source):
        if columns:
            raise LogError(
                _("{source}: column options apply to CSV logs, not a database").format(
                    source=source
                )
            )
        from ..engine import Engine

        if source.startswith("sqlite:///") and not Path(source[len("sqlite:///") :]).is_file():
            raise LogError(_("{source}: no such database file").format(source=source))
        with Engine(source) as engine:
            return history_log(engine, model, key, tz=zone)
    return read_log(source, columns=columns or None, tz=zone)


def mapping_of(path: str | None) -> dict:
    return read_mapping(path)
