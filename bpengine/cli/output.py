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
from .plaintext import NeedsRich, PlainConsole

__all__ = ["emit", "render_plain", "render_rich"]


def _table_suffixes() -> tuple[str, ...]:
    """The suffixes ``-o`` writes tables to (the table writers load only then)."""
    from ..report.tables import TABLE_SUFFIXES

    return tuple(TABLE_SUFFIXES)


def emit(fmt: str, output: str | None, *, text, data, tables, quiet: bool = False) -> None:
    """Print or write one result.

    Parameters
    ----------
    fmt : {"text", "json", "csv"}
    output : str or None
        ``-o``: a file; ``.xlsx``/``.csv`` write ``tables()``, anything else the ``fmt``.
    text : str or callable
        The text form; a callable is given a console to print on (rich's, or off a terminal
        :class:`~.plaintext.PlainConsole` where it can draw the output), and must only print.
    data : callable
        Returns the JSON-able form (or JSON text).
    tables : callable
        Returns the list of :class:`~bpengine.report.tables.Table`; CSV on standard output
        is the first of them (the main table).
    quiet : bool
        Do not say which files were written.
    """
    if output and Path(output).suffix.lower() in _table_suffixes():
        from ..report.tables import write_tables

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
        from ..report.tables import csv_text

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
    """What ``draw(console)`` prints, at the terminal's width (140 columns off a terminal).

    Off a terminal the plain renderer draws it when it can (the same bytes, without loading
    rich), else rich; ``draw`` must do nothing but print, since it may run twice.
    """
    import sys

    if not to_file and sys.stdout.isatty():
        from rich.console import Console

        draw(Console())
        return ""
    try:
        return render_plain(draw)
    except NeedsRich:
        return render_rich(draw)


def render_plain(draw, width: int = 140) -> str:
    """What ``draw(console)`` prints, drawn by :class:`~.plaintext.PlainConsole`; raises
    :class:`~.plaintext.NeedsRich` for anything it does not draw exactly as rich does."""
    console = PlainConsole(width)
    draw(console)
    return console.text()


def render_rich(draw, width: int = 140) -> str:
    """What ``draw(console)`` prints on a recording rich console ``width`` columns wide."""
    from rich.console import Console

    console = Console(width=width, record=True, file=_Null())
    draw(console)
    return console.export_text()


class _Null(io.StringIO):
    """A file that forgets: the recording console keeps what was printed."""

    def write(self, text):
        return len(text)

    def flush(self):
        pass
