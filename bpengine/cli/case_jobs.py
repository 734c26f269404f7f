"""`bpengine case incidents` and `bpengine case retry`: failed jobs and running them again.

Kept beside :mod:`bpengine.cli.case` (whose group they join) so each module stays short::

    bpengine case incidents --db sqlite:///try.db
    bpengine case retry CASE_ID --data prioritas=biasa --actor admin --db sqlite:///try.db
"""
from __future__ import annotations

from dataclasses import asdict

import click

from .case import (
    _actor_option,
    _data_options,
    _db_option,
    _format_option,
    _full,
    _json,
    _open,
    _parse_data,
    _print_case,
    _when,
    case,
)

__all__ = ["incidents", "retry"]


@case.command()
@click.argument("case_id", required=False)
@_db_option
@click.option("--all", "every", is_flag=True, help="Resolved incidents too.")
@_format_option
def incidents(case_id, url, every, fmt):
    """Failed jobs (timers, service handlers): of one case (CASE_ID or a unique start of
    it) or of all, open ones unless --all."""
    engine = _open(url)
    found = engine.incidents(_full(engine, "case", case_id) if case_id else None,
                             state=None if every else "open")
    if fmt == "json":
        click.echo(_json([asdict(i) for i in found]))
        return
    if not found:
        click.echo("no open incidents" if not every else "no incidents")
    for i in found:
        when = f"next try {_when(i.next_retry)}" if i.next_retry else (
            "no retry left: case failed" if i.state == "open" else
            f"resolved {_when(i.resolved_at)} by {i.resolved_by or '-'}")
        click.echo(f"{i.case_id}  {i.kind:7} {i.element_id}  attempt {i.attempts}  {when}\n"
                   f"  {i.error}")


@case.command()
@click.argument("case_id")
@_db_option
@_data_options
@_actor_option
@_format_option
def retry(case_id, url, pairs, json_text, actor, fmt):
    """Run the failed jobs of a case (CASE_ID or a unique start of it) again now; --data is
    the fix, merged into the case data first (audited)."""
    engine = _open(url)
    data = _parse_data(pairs, json_text) or None
    _print_case(engine.retry(_full(engine, "case", case_id), actor, data=data), fmt)
