"""Where a command's result goes: standard output or ``-o FILE``, as text, JSON, CSV or XLSX.

One function for every command that prints tables (simulate, compare, sweep, analyze):
``--format text|json|csv`` chooses what is printed; ``-o FILE`` writes it to FILE instead,
and a ``.xlsx`` or ``.csv`` suffix writes the tables themselves (every table of the result:
one sheet each, or one CSV file each) whatever ``--format`` says.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import click

from ..errors import BpengineError
from ..i18n import _
from ..report.tables import TABLE_SUFFIXES, csv_text, write_tables

__all__ = ["emit"]


def emit(fmt: str, output: str | None, *, text, data, tables, quiet: bool = False) -> None:
    """Print or write one result.

    Parameters
    ----------
    fmt : {"text", "json", "csv"}
    output : str or None
        ``-o``: a file; ``.xlsx``/``.csv`` write ``tables()``, anything else the ``fmt``.
    text : str or callable
        The text form; a callable is given a rich Console to print on.
    data : callable
        Returns the JSON-able form (or JSON text).
    tables : callable
        Returns the list of :class:`~bpengine.report.tables.Table`; CSV on standard output
        is the first of them (the main table).
    quiet : bool
        Do not say which files were written.
    """
    if output and Path(output).suffix.lower() in TABLE_SUFFIXES:
        written = write_tables(tables(), output)
        if not quiet:
            click.echo(
                _("wrote {files}").format(files=", ".join(str(p) for p in written)), err=True
            )
        return
    if fmt == "json":
        body = data()  # an object, or JSON text already written by the library
        if not isinstance(body, str):
            body = json.dumps(body, indent=2, ensure_ascii=False, default=str)
        body = body.rstrip("\n") + "\n"
    elif fmt == "csv":
        body = csv_text(tables()[0])
    elif callable(text):
        body = _render(text, to_file=bool(output))
    else:
        body = text.rstrip("\n") + "\n"
    if not output:
        click.echo(body, nl=False)
        return
    try:
        Path(output).write_text(body, encoding="utf-8")
    except OSError as exc:
        raise BpengineError(
            _("--output {output}: cannot write: {reason}").format(
                output=output, reason=exc.strerror or exc
            )
        ) from None
    if not quiet:
        click.echo(_("wrote {files}").format(files=output), err=True)


def _render(draw, to_file: bool) -> str:
    """What ``draw(console)`` prints, at the terminal's width (140 columns off a terminal)."""
    import sys

    from rich.console import Console

    if not to_file and sys.stdout.isatty():
        draw(Console())
        return ""
    console = Console(width=140, record=True, file=_Null())
    draw(console)
    return console.export_text()


class _Null(io.StringIO):
    """A file that forgets: the recording console keeps what was printed."""

    def write(self, text):
        return len(text)

    def flush(self):
        pass
