"""`bpengine group add|remove|list`: who works in which group, kept by the engine.

A group is a lane name or a Camunda candidate group. ``case inbox``, ``claim`` and
``complete`` without ``--group`` then use the actor's groups from here
(:mod:`bpengine.engine.membership`)::

    bpengine group add ani Sekretariat arsip --actor admin --db sqlite:///try.db
    bpengine group list --db sqlite:///try.db
    bpengine group remove ani arsip --actor admin --db sqlite:///try.db
"""

from __future__ import annotations

import click

from ..i18n import N_, _
from .case import _actor_option, _db_option, _open, _when
from .help import group as command_group

__all__ = ["group"]


@command_group(
    N_("Who works in which group (lane or candidate group): the engine's audited store.")
)
def group():
    pass


@group.command(help=N_("Add USER to each GROUP (audited)."))
@click.argument("user")
@click.argument("groups", metavar="GROUP...", nargs=-1, required=True)
@_db_option
@_actor_option
def add(user, groups, url, actor):
    engine = _open(url, create=True)
    for name in groups:
        done = engine.add_member(user, name, actor=actor)
        line = _("{user} added to {group}") if done else _("{user} is already in {group}")
        click.echo(line.format(user=user, group=name))


@group.command(help=N_("Remove USER from each GROUP (audited)."))
@click.argument("user")
@click.argument("groups", metavar="GROUP...", nargs=-1, required=True)
@_db_option
@_actor_option
def remove(user, groups, url, actor):
    engine = _open(url)
    for name in groups:
        done = engine.remove_member(user, name, actor=actor)
        line = _("{user} removed from {group}") if done else _("{user} is not in {group}")
        click.echo(line.format(user=user, group=name))


@group.command("list", help=N_("List groups and their members, or one user's groups."))
@_db_option
@click.option("--user", help=N_("Only this user's groups."))
@click.option(
    "--group",
    "groups",
    multiple=True,
    metavar="GROUP",
    help=N_("Only this group's members (repeat for several)."),
)
@click.option(
    "--history", is_flag=True, help=N_("The log of changes: who added or removed whom, when.")
)
def list_groups(url, user, groups, history):
    engine = _open(url)
    if history:
        changes = [
            c for c in engine.membership_history(user=user) if not groups or c.group in groups
        ]
        # columns line up whatever the length of the names
        users_w = max((len(c.user) for c in changes), default=0)
        named = max((len(c.group) for c in changes), default=0)
        acts = max(len(_("add")), len(_("remove")))  # 'keluarkan' in Indonesian
        for change in changes:
            click.echo(
                f"{_when(change.at)}  {_(change.action):{acts}}  {change.user:{users_w}}  "
                f"{change.group:{named}}  {change.actor or '-'}"
            )
        return
    if user is not None:
        found = ", ".join(engine.groups_of(user)) or _("(no group)")
        click.echo(f"{user}  {found}")
        return
    members = {
        name: users for name, users in engine.members().items() if not groups or name in groups
    }
    if not members:
        click.echo(_("no members"))
    width = max((len(g) for g in members), default=0)
    for found, users in members.items():
        click.echo(f"{found:{width}}  {', '.join(users)}")
