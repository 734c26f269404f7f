"""`bpengine case ...`: walk cases through a procedure by hand, against a database.

Every subcommand is one :class:`bpengine.Engine` call plus printing::

    bpengine case start processes/cuti-asn.bpmn --db sqlite:///try.db --data hari=3 --actor ani
    bpengine case inbox --db sqlite:///try.db --lane "Atasan Langsung"
    bpengine case complete TASK_ID --db sqlite:///try.db --data approved=true --actor budi
    bpengine case show CASE_ID --db sqlite:///try.db
    bpengine case history CASE_ID --db sqlite:///try.db
    bpengine case message "Dokumen asli" --business-key PND-1 --data asli=true --db sqlite:///t.db
    bpengine case signal "SIAK pulih" --db sqlite:///try.db
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from pathlib import Path

import click

from ..engine import Engine
from ..errors import BpengineError, hide_password
from ..i18n import N_, _, ngettext
from ..model import load
from . import options
from .engine_config import engine_options, engine_settings, label_lane_zones
from .help import group

__all__ = ["case"]

_db_option = options.database()
# --json is case data here (its old meaning), so the format takes no --json alias
_format_option = options.output_format("text", "json", json_alias=False)
_actor_option = click.option("--actor", default="", help=N_("Who does this (kept in the audit)."))
_group_option = click.option(
    "--group",
    "groups",
    multiple=True,
    metavar="GROUP",
    help=N_(
        "A group the actor belongs to (repeat for several): tasks "
        "offered to it (a candidate group, or the lane of a task "
        "without candidates)."
    ),
)


def _open(url: str | None, create: bool = False) -> Engine:
    """The engine on ``url``; a SQLite file that does not exist is a typo, not a new database.

    Only ``case start`` may create one (it deploys and starts in one go): any other
    subcommand on a missing file would silently make an empty database and report an empty
    inbox or "no case", hiding the mistake.
    """
    if not url:
        raise BpengineError(_("--db: which database? give --db URL or set BPENGINE_DB"))
    if not create and url.startswith("sqlite:///") and ":memory:" not in url:
        path = Path(url.removeprefix("sqlite:///").split("?", 1)[0])
        if not path.exists():
            raise BpengineError(
                _(
                    "--db {url}: no database at {path} (start a case there first, "
                    "or run bpengine db upgrade --db ...)"
                ).format(url=hide_password(url), path=path)
            )
    engine = Engine(url, **engine_settings())
    label_lane_zones(engine)  # a refused lane zone names --lane-tz
    # released when the command ends, error or not: in-process callers (tests, an app
    # calling main) would otherwise keep a PostgreSQL connection open per call
    click.get_current_context().call_on_close(engine.close)
    return engine


def _when(moment) -> str:
    """A timestamp with its zone: UTC as the engine stores it, a due date in its office's
    zone (WIB, WITA, WIT) as the engine returns it."""
    if moment is None:
        return "-"
    return f"{moment:%Y-%m-%d %H:%M} {moment.tzname() or 'UTC'}"


def _data_options(f):
    f = click.option(
        "--json",
        "json_text",
        metavar="OBJECT",
        hidden=True,
        help=N_("Case data as a JSON object (old spelling of --data OBJECT)."),
    )(f)
    return click.option(
        "--data",
        "pairs",
        multiple=True,
        metavar="NAME=VALUE|OBJECT",
        help=N_("One data value (JSON literal or text), or a JSON object of values; repeatable."),
    )(f)


def _object(text: str, option: str) -> dict:
    try:
        data = json.loads(text)
    except RecursionError:
        raise click.BadParameter(
            _("not JSON this program can read: nested too deeply"), param_hint=option
        ) from None
    except ValueError as exc:
        raise click.BadParameter(_("not JSON: {why}").format(why=exc), param_hint=option) from None
    if not isinstance(data, dict):
        raise click.BadParameter(_("must be a JSON object"), param_hint=option)
    return data


def _parse_data(pairs, json_text, hint: str = "--data") -> dict:
    data = _object(json_text, "--json") if json_text else {}
    for pair in pairs:
        if pair.lstrip().startswith("{"):  # a JSON object of several values
            data.update(_object(pair, hint))
            continue
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(
                _("{pair} is not NAME=VALUE or a JSON object").format(pair=repr(pair)),
                param_hint=hint,
            )
        try:
            data[name.strip()] = json.loads(value)
        except (ValueError, RecursionError):
            data[name.strip()] = value  # plain text needs no quotes
    return data


def _json(value) -> str:
    def default(obj):
        if isinstance(obj, dt.datetime):
            return obj.isoformat()
        raise TypeError(type(obj).__name__)

    return json.dumps(value, default=default, ensure_ascii=False, indent=2)


# states, kinds and actions the engine records, as the listings show them
_WORDS = (
    N_("running"),
    N_("completed"),
    N_("cancelled"),
    N_("failed"),
    N_("ready"),
    N_("waiting"),
    N_("user"),
    N_("service"),
    N_("receive"),
    N_("start"),
    N_("end"),
    N_("complete"),
    N_("claim"),
    N_("cancel"),
    N_("message"),
    N_("signal"),
    N_("deploy"),
    N_("timer"),
    N_("migrate"),
    N_("error"),
    N_("add"),
    N_("remove"),
)


def _print_case(case, fmt: str) -> None:
    if fmt == "json":
        click.echo(_json(asdict(case)))
        return
    key = "  " + _("key {key}").format(key=case.business_key) if case.business_key else ""
    click.echo(
        _("case {id}").format(id=case.id)
        + f"  {case.key} v{case.definition_version}  {_(case.status)}{key}"
    )
    if case.error:
        click.echo("  " + _("error: {text}").format(text=case.error))
    click.echo("  " + _("data: {json}").format(json=json.dumps(case.data, ensure_ascii=False)))
    for task in case.tasks:
        extra = " " + _("due {when}").format(when=_when(task.due)) if task.due else ""
        who = " " + _("claimed by {actor}").format(actor=task.assignee) if task.assignee else ""
        extra += " " + _("for {message}").format(message=repr(task.message)) if task.message else ""
        click.echo(
            f"  {_(task.state):8} {_(task.kind):7} {task.id}  {task.element_id} "
            f"{task.name!r} [{task.lane or '-'}]{extra}{who}"
        )


def _full(engine: Engine, kind: str, given: str) -> str:
    """The id the user means: the full id, or a unique prefix of one (as listings show)."""
    return engine.expand_id(kind, given)


@group(N_("Start, inspect and complete cases in a database (by hand, for analysts)."))
def case():
    pass


@case.command(help=N_("Start a case of PROCESS: a deployed key, or a .bpmn file (deployed first)."))
@click.argument("process")
@_db_option
@_data_options
@_actor_option
@click.option("--version", type=int, help=N_("Start this version instead of the newest."))
@click.option("--trust-scripts", is_flag=True, help=N_("Allow script tasks in a deployed file."))
@click.option(
    "--business-key",
    "business_key",
    metavar="KEY",
    help=N_("The application's reference for the case; messages find it by this."),
)
@_format_option
@engine_options
def start(process, url, pairs, json_text, actor, version, trust_scripts, business_key, fmt):
    data = _parse_data(pairs, json_text)
    engine = _open(url, create=True)
    key, waiting = process, None
    if process.endswith(".bpmn") or Path(process).is_file():
        model = load(process)
        engine.check_lane_zones(model)  # a misspelt --lane-tz lane: refused before deploying
        engine.check_start_data(model, data)  # and data start would refuse
        definition = engine.deploy(model, trust_scripts=trust_scripts, actor=actor)
        key = definition.key
        if fmt == "text" and definition.new:  # an unchanged file: nothing to announce
            click.echo(
                _("deployed {key} v{version}").format(
                    key=definition.key, version=definition.version
                )
            )
        # but a step where every case waits for a handler is said each time
        waiting = definition.notes if definition.new else definition.unhandled
    elif fmt == "text":  # started by key: the stored model says where cases would wait
        waiting = engine.unhandled(key, version)
    for note in (waiting or ()) * (fmt == "text"):  # json and csv: the case alone, for programs
        click.echo("  " + _("note:") + f" {note}")
    _print_case(
        engine.start(key, data, actor=actor, version=version, business_key=business_key), fmt
    )


@case.command(help=N_("List ready tasks, oldest first."))
@_db_option
@click.option("--lane", help=N_("Only tasks of this lane (role)."))
@click.option("--actor", help=N_("Only tasks claimed by this actor or offered to them."))
@_group_option
@click.option("--overdue", is_flag=True, help=N_("Only tasks past their due date."))
@_format_option
def inbox(url, lane, actor, groups, overdue, fmt):
    tasks = _open(url).inbox(lane=lane, actor=actor, groups=groups or None, overdue=overdue)
    if fmt == "json":
        click.echo(_json([asdict(t) for t in tasks]))
        return
    if not tasks:
        click.echo(
            _("inbox empty for lane {lane}").format(lane=repr(lane)) if lane else _("inbox empty")
        )
    for task in tasks:
        who = (
            " (" + _("claimed by {actor}").format(actor=task.assignee) + ")"
            if task.assignee
            else ""
        )
        offered = [*task.candidate_users, *task.candidate_groups]
        if offered and not task.assignee:
            who += " (" + _("offered to {names}").format(names=", ".join(offered)) + ")"
        if task.due is not None:
            who += "  " + _("due {when}").format(when=f"{task.due:%Y-%m-%d %H:%M %Z}")
        click.echo(
            f"{task.id}  {task.element_id} {task.name!r} [{task.lane or '-'}]  "
            + _("case {id}").format(id=task.case_id)
            + "  "
            + _("since {when}").format(when=_when(task.created_at))
            + who
        )


@case.command(help=N_("Complete the ready task TASK_ID (or a unique start of it) with data."))
@click.argument("task_id")
@_db_option
@_data_options
@_actor_option
@click.option("--lane", help=N_("Refuse unless the task belongs to this lane."))
@_group_option
@_format_option
@engine_options
def complete(task_id, url, pairs, json_text, actor, lane, groups, fmt):
    data = _parse_data(pairs, json_text)
    engine = _open(url)
    _print_case(
        engine.complete(
            _full(engine, "task", task_id), data, actor=actor, lane=lane, groups=groups or None
        ),
        fmt,
    )


def _print_message(engine, message, fmt: str) -> None:
    if fmt == "json":
        click.echo(_json({**asdict(message), "case_id": message.case_id}))
        return
    what = f"{_(message.kind)} {message.name!r}"
    if message.duplicate:
        click.echo(
            what + ": " + _("id {id} was already handled; nothing done again").format(id=message.id)
        )
        what = "  " + _("earlier:")
    elif message.state == "pending":
        click.echo(
            what
            + " "
            + _("kept (pending): it is delivered when a case waits for it (bpengine case tick)")
        )
    elif not message.case_ids:
        click.echo(what + ": " + _("no case waits for it"))
    for case_id, element in zip(message.case_ids, message.element_ids, strict=True):
        how = (
            _("started case {id} at {element}")
            if case_id in message.started
            else _("delivered to case {id} at {element}")
        )
        click.echo(f"{what} " + how.format(id=case_id, element=element))
    if len(message.case_ids) == 1 and not message.duplicate:
        _print_case(engine.get(message.case_ids[0]), "text")


@case.command(
    help=N_("Deliver message NAME to the case waiting for it (or start one with a message start).")
)
@click.argument("name")
@_db_option
@click.option(
    "--business-key",
    "business_key",
    metavar="KEY",
    help=N_("Deliver to the case with this business key."),
)
@click.option(
    "--where",
    "where",
    multiple=True,
    metavar="NAME=VALUE",
    help=N_("Deliver to the case whose data has this value; repeatable."),
)
@_data_options
@click.option("--id", "message_id", help=N_("The sender's message id: sent twice, delivered once."))
@click.option(
    "--keep", is_flag=True, help=N_("If no case waits yet, keep the message until one does.")
)
@_actor_option
@_format_option
@engine_options
def message(name, url, business_key, where, pairs, json_text, message_id, keep, actor, fmt):
    data = _parse_data(pairs, json_text)
    correlation = _parse_data(where, None, "--where") if where else None
    engine = _open(url)
    sent = engine.correlate(
        name,
        business_key=business_key,
        correlation=correlation,
        data=data,
        message_id=message_id,
        keep=keep,
        actor=actor,
    )
    _print_message(engine, sent, fmt)


@case.command(help=N_("Broadcast signal NAME to every case waiting for it."))
@click.argument("name")
@_db_option
@_data_options
@click.option("--id", "message_id", help=N_("The sender's id: sent twice, broadcast once."))
@_actor_option
@_format_option
@engine_options
def signal(name, url, pairs, json_text, message_id, actor, fmt):
    engine = _open(url)
    sent = engine.signal(name, _parse_data(pairs, json_text), message_id=message_id, actor=actor)
    _print_message(engine, sent, fmt)


@case.command(help=N_("Claim TASK_ID (or a unique start of it) for --actor."))
@click.argument("task_id")
@_db_option
@click.option("--actor", default="", help=N_("Who claims the task (required)."))
@_group_option
def claim(task_id, url, actor, groups):
    if not actor.strip():
        raise BpengineError(_("case claim: --actor is required: who claims the task"))
    engine = _open(url)
    task = engine.claim(_full(engine, "task", task_id), actor, groups=groups or None)
    click.echo(f"{task.id} " + _("claimed by {actor}").format(actor=task.assignee))


@case.command(help=N_("Show a case (CASE_ID or a unique start of it): status, data, open tasks."))
@click.argument("case_id")
@_db_option
@_format_option
def show(case_id, url, fmt):
    engine = _open(url)
    _print_case(engine.get(_full(engine, "case", case_id)), fmt)


@case.command(
    help=N_("The audit trail of a case (CASE_ID or a unique start of it): who did what, when.")
)
@click.argument("case_id")
@_db_option
@_format_option
def history(case_id, url, fmt):
    engine = _open(url)
    entries = engine.history(_full(engine, "case", case_id))
    if fmt == "json":
        click.echo(_json([asdict(e) for e in entries]))
        return
    head = (_("time (UTC)"), _("action"), _("actor"), _("element"))
    # a column is as wide as its heading too, or the heading runs into the next column
    width = max((len(e.actor or "-") for e in entries), default=1)
    width = max(width, len(head[2]))
    element = max(max((len(e.element_id or "") for e in entries), default=0), len(head[3]))
    # in the user's language ('selesaikan' is longer than 'complete')
    action = max(max((len(_(e.action)) for e in entries), default=0), len(head[1]), 8)
    click.echo(
        f"{head[0]:19}  {head[1]:{action}}  {head[2]:{width}}  {head[3]:{element}}  "
        + _("data set / detail")
    )
    for e in entries:
        if e.action == "start" or e.data_before is not None:
            before = e.data_before or {}
            changed = {
                k: v for k, v in (e.data_after or {}).items() if before.get(k, object()) != v
            }
        else:  # e.g. end: the final data, not a change; `case show` prints it
            changed = {}
        what = (json.dumps(changed, ensure_ascii=False) if changed else "") + (
            f"  ({e.detail})" if e.detail else ""
        )
        click.echo(
            f"{e.at:%Y-%m-%d %H:%M:%S}  {_(e.action):{action}}  {e.actor or '-':{width}}  "
            f"{e.element_id or '':{element}}  {what}".rstrip()
        )


@case.command(help=N_("Cancel a running case (CASE_ID or a unique start of it)."))
@click.argument("case_id")
@_db_option
@click.option("--reason", default="", help=N_("Why (kept in the audit)."))
@_actor_option
def cancel(case_id, url, reason, actor):
    engine = _open(url)
    _print_case(engine.cancel(_full(engine, "case", case_id), reason, actor=actor), "text")


@case.command(
    help=N_(
        "Fire due timers (SLA escalations), deliver messages and signals cases "
        "threw for each other, start the cases of timer start events whose time "
        "has come."
    )
)
@_db_option
@click.option(
    "--now",
    "now",
    type=click.DateTime(["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"]),
    help=N_("Fire timers due at this UTC time (default: now)."),
)
@engine_options
def tick(url, now):
    when = now.replace(tzinfo=dt.timezone.utc) if now else None
    advanced = _open(url).tick(when)
    n = len(advanced)
    click.echo(
        ngettext("{n} case advanced", "{n} cases advanced", n).format(n=n)
        + "".join(f"\n  {c}" for c in advanced)
    )


@case.command("list", help=N_("List cases, oldest first."))
@_db_option
@click.option("--status", type=click.Choice(["running", "completed", "cancelled", "failed"]))
@click.option("--process", "key", help=N_("Only cases of this process key."))
def list_cases(url, status, key):
    for c in _open(url).cases(status=status, definition=key):
        key = "  " + _("key {key}").format(key=c.business_key) if c.business_key else ""
        click.echo(
            f"{c.id}  {c.key} v{c.definition_version}  {_(c.status):9} "
            + _("started {when} by {actor}").format(
                when=_when(c.started_at), actor=c.started_by or "-"
            )
            + key
        )


from . import case_admin  # noqa: E402,F401 - adds `case incidents`, `retry`, `migrate`
