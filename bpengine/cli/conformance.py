"""`bpengine conformance MODEL LOG`: which cases follow the model, and where the rest leave it."""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import N_, _
from ..model import load
from ..records.conformance import conformance as check
from . import options
from .help import command
from .logs import LOG_OPTIONS, columns_of, mapping_of, open_log
from .output import emit

__all__ = ["conformance"]


@command(
    N_(
        "Replay LOG (XES, CSV or an engine database URL) on MODEL.\n\n"
        "Says which cases the model replays, the deviations (skipped, inserted, reordered "
        "and unknown steps) with counts and example case ids, and the log's fitness."
    )
)
@click.argument("model_file", metavar="MODEL", type=click.Path(dir_okay=False))
@click.argument("log", metavar="LOG")
@options.output_format("text", "json")
@options.output(N_("Write to FILE instead of standard output; a .html FILE gets an HTML page."))
@LOG_OPTIONS
@options.quiet()
def conformance(model_file, log, fmt, output, mapping, key, tz, quiet, **kwargs):
    model = load(model_file)
    events = open_log(model, log, columns_of(kwargs), key, tz)
    result = check(model, events, mapping_of(mapping), mapping or "mapping")
    for line in result.warnings:
        click.echo(_("warning:") + f" {line}", err=True)
    if output and Path(output).suffix.lower() in (".html", ".htm"):
        from ..report.html import page_css

        Path(output).write_text(
            f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Conformance</title>"
            f"<style>{page_css()}</style></head><body>{result.html_section(_)}</body></html>\n",
            encoding="utf-8",
        )
        if not quiet:
            click.echo(_("wrote {files}").format(files=output), err=True)
        return
    emit(fmt, output, text=result.table(), data=result.to_dict, tables=lambda: [], quiet=quiet)
