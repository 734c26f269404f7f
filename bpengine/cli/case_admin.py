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
from ..i18n import N_, _, ngettext
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
from .engine_config import engine_options

__all__ = ["incidents", "retry", "migrate", "delegate", "resolve"]


@case.command(
    help=N_(
        "Failed jobs (timers, service handlers): of one case (CASE_ID or a "
        "unique start of it) or of all, open ones unless --all."
    )
)
@click.argument("case_id", required=False)
@_db_option
@click.option("--all", "every", is_flag=True, help=N_("Resolved incidents too."))
@_format_option
def incidents(case_id, url, every, fmt):
    engine = _open(url)
    found = engine.incidents(
        _full(engine, "case", case_id) if case_id else None, state=None if every else "open"
    )
    if fmt == "json":
        click.echo(_json([asdict(i) for i in found]))
        return
    if not found:
        click.echo(_("no open incidents") if not every else _("no incidents"))
    for i in found:
        when = (
            _("next try {when}").format(when=_when(i.next_retry))
            if i.next_retry
            else (
                _("no retry left: case failed")
                if i.state == "open"
                else _("resolved {when} by {who}").format(
                    when=_when(i.resolved_at), who=i.resolved_by or "-"
                )
            )
        )
        attempt = _("attempt {n}").format(n=i.attempts)
        click.echo(f"{i.case_id}  {i.kind:7} {i.element_id}  {attempt}  {when}\n  {i.error}")


@case.command(
    help=N_(
        "Run the failed jobs of a case (CASE_ID or a unique start of it) again "
        "now; --data is the fix, merged into the case data first (audited)."
    )
)
@click.argument("case_id")
@_db_option
@_data_options
@_actor_option
@_format_option
@engine_options
def retry(case_id, url, pairs, json_text, actor, fmt):
    engine = _open(url)
    data = _parse_data(pairs, json_text) or None
    _print_case(engine.retry(_full(engine, "case", case_id), actor, data=data), fmt)


@case.command(
    help=N_("Move the running cases of process KEY from one version to another, where safe.")
)
@click.argument("key")
@click.option(
    "--from",
    "old",
    type=int,
    required=True,
    metavar="VERSION",
    help=N_("The version whose running cases move."),
)
@click.option(
    "--to",
    "new",
    type=int,
    required=True,
    metavar="VERSION",
    help=N_("The version they move to (deploy it first, e.g. with case start)."),
)
@click.option("--to-key", default=None, help=N_("The target's key, if it differs from KEY."))
@click.option(
    "--map",
    "pairs",
    multiple=True,
    metavar="OLD=NEW",
    help=N_("An element renamed in the new version (repeatable)."),
)
@click.option(
    "--case",
    "only",
    multiple=True,
    metavar="CASE_ID",
    help=N_("Only this case (repeatable; a unique start of an id will do)."),
)
@click.option("--dry-run", is_flag=True, help=N_("Only say which cases can move and why not."))
@_db_option
@_actor_option
@_format_option
def migrate(key, old, new, to_key, pairs, only, dry_run, url, actor, fmt):
    mapping = {}
    for pair in pairs:
        left, sep, right = pair.partition("=")
        if not sep or not left.strip() or not right.strip():
            raise BpengineError(
                _("--map {pair}: give OLD_ELEMENT_ID=NEW_ELEMENT_ID").format(pair=repr(pair))
            )
        mapping[left.strip()] = right.strip()
    engine = _open(url)
    source = next((d for d in engine.definitions(key) if d.version == old), None)
    target = next((d for d in engine.definitions(to_key or key) if d.version == new), None)
    for given, found, version in ((key, source, old), (to_key or key, target, new)):
        if found is None:
            raise BpengineError(
                _("case migrate: no deployed {key} v{version}").format(key=given, version=version)
            )
    ids = [_full(engine, "case", c) for c in only] or None
    moves = engine.migrate(source, target, mapping=mapping, cases=ids, dry_run=dry_run, actor=actor)
    if fmt == "json":
        click.echo(_json([asdict(m) for m in moves]))
        return
    verb = _("can move") if dry_run else _("moved")
    done = sum(m.moved for m in moves)
    summary = (
        ngettext(
            "{done} of {n} running case of {key} v{old} can move to v{new}",
            "{done} of {n} running cases of {key} v{old} can move to v{new}",
            len(moves),
        )
        if dry_run
        else ngettext(
            "{done} of {n} running case of {key} v{old} moved to v{new}",
            "{done} of {n} running cases of {key} v{old} moved to v{new}",
            len(moves),
        )
    )
    click.echo(summary.format(done=done, n=len(moves), key=key, old=old, new=new))
    for m in moves:
        at = ", ".join(m.at) or "-"
        state = verb if m.moved else _("stays")
        click.echo(f"  {m.case_id}  {state:9} " + _("at {elements}").format(elements=at))
        for reason in m.reasons:
            click.echo(f"    {reason}")


def _print_task(task) -> None:
    click.echo(
        f"{task.id}  {task.element_id} {task.name!r}  "
        + _("assignee {who}, owner {owner}, delegation {state}").format(
            who=task.assignee or "-", owner=task.owner or "-", state=task.delegation or "-"
        )
    )


@case.command(
    help=N_(
        "Delegate TASK_ID (or a unique start of it) to DELEGATE; it returns "
        "to --actor (its owner) when the delegate resolves it."
    )
)
@click.argument("task_id")
@click.argument("to", metavar="DELEGATE")
@_db_option
@_actor_option
def delegate(task_id, to, url, actor):
    engine = _open(url)
    _print_task(engine.delegate(_full(engine, "task", task_id), to, actor=actor))


@case.command(
    help=N_("Resolve the delegated TASK_ID with data: it goes back to its owner to complete.")
)
@click.argument("task_id")
@_db_option
@_data_options
@_actor_option
def resolve(task_id, url, pairs, json_text, actor):
    engine = _open(url)
    _print_task(
        engine.resolve(_full(engine, "task", task_id), _parse_data(pairs, json_text), actor=actor)
    )
