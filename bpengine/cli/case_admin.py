"""An administrator's case commands: failed jobs, running them again, moving cases to a new
version. Kept beside :mod:`bpengine.cli.case` (whose group they join) so each stays short::

    bpengine case incidents --db sqlite:///try.db
    bpengine case retry CASE_ID --data prioritas=biasa --actor admin --db sqlite:///try.db
    bpengine case migrate KEY --from 1 --to 2 --map OLD=NEW --dry-run --db sqlite:///try.db
    bpengine case delegate TASK_ID dodi --actor wati --db sqlite:///try.db
    bpengine case resolve TASK_ID --data catatan=lengkap --actor dodi --db sqlite:///try.db
"""
from __future__ import annotations

from dataclasses import asdict

import click

from ..errors import BpengineError
from ..i18n import _
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

__all__ = ["incidents", "retry", "migrate", "delegate", "resolve"]


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


@case.command()
@click.argument("key")
@click.option("--from", "old", type=int, required=True, metavar="VERSION",
              help="The version whose running cases move.")
@click.option("--to", "new", type=int, required=True, metavar="VERSION",
              help="The version they move to (deploy it first, e.g. with case start).")
@click.option("--to-key", default=None, help="The target's key, if it differs from KEY.")
@click.option("--map", "pairs", multiple=True, metavar="OLD=NEW",
              help="An element renamed in the new version (repeatable).")
@click.option("--case", "only", multiple=True, metavar="CASE_ID",
              help="Only this case (repeatable; a unique start of an id will do).")
@click.option("--dry-run", is_flag=True, help="Only say which cases can move and why not.")
@_db_option
@_actor_option
@_format_option
def migrate(key, old, new, to_key, pairs, only, dry_run, url, actor, fmt):
    """Move the running cases of process KEY from one version to another, where safe."""
    mapping = {}
    for pair in pairs:
        left, sep, right = pair.partition("=")
        if not sep or not left.strip() or not right.strip():
            raise BpengineError(f"--map {pair!r}: give OLD_ELEMENT_ID=NEW_ELEMENT_ID")
        mapping[left.strip()] = right.strip()
    engine = _open(url)
    source = next((d for d in engine.definitions(key) if d.version == old), None)
    target = next((d for d in engine.definitions(to_key or key) if d.version == new), None)
    for given, found, version in ((key, source, old), (to_key or key, target, new)):
        if found is None:
            raise BpengineError(f"case migrate: no deployed {given} v{version}")
    ids = [_full(engine, "case", c) for c in only] or None
    moves = engine.migrate(source, target, mapping=mapping, cases=ids, dry_run=dry_run,
                           actor=actor)
    if fmt == "json":
        click.echo(_json([asdict(m) for m in moves]))
        return
    verb = "can move" if dry_run else "moved"
    done = sum(m.moved for m in moves)
    click.echo(f"{done} of {len(moves)} running case{'' if len(moves) == 1 else 's'} of "
               f"{key} v{old} {verb} to v{new}")
    for m in moves:
        at = ", ".join(m.at) or "-"
        click.echo(f"  {m.case_id}  {verb if m.moved else 'stays':9} at {at}")
        for reason in m.reasons:
            click.echo(f"    {reason}")


def _print_task(task) -> None:
    click.echo(f"{task.id}  {task.element_id} {task.name!r}  "
               + _("assignee {who}, owner {owner}, delegation {state}").format(
                   who=task.assignee or "-", owner=task.owner or "-",
                   state=task.delegation or "-"))


@case.command()
@click.argument("task_id")
@click.argument("to", metavar="DELEGATE")
@_db_option
@_actor_option
def delegate(task_id, to, url, actor):
    """Delegate TASK_ID (or a unique start of it) to DELEGATE; it returns to --actor (its
    owner) when the delegate resolves it."""
    engine = _open(url)
    _print_task(engine.delegate(_full(engine, "task", task_id), to, actor=actor))


@case.command()
@click.argument("task_id")
@_db_option
@_data_options
@_actor_option
def resolve(task_id, url, pairs, json_text, actor):
    """Resolve the delegated TASK_ID with data: it goes back to its owner to complete."""
    engine = _open(url)
    _print_task(engine.resolve(_full(engine, "task", task_id), _parse_data(pairs, json_text),
                               actor=actor))
