"""The `bpengine` command line: thin click commands over the library.

Each command lives in its own module and is registered explicitly in ``COMMANDS`` below;
a command parses options, calls the library and prints. A :class:`~bpengine.BpengineError`
becomes one ``error:`` line and exit status 1 (or the error's own ``exit_code``), never a
traceback.
"""

from __future__ import annotations

import importlib
import os

# A command is a short process with no linear algebra worth threads, so OpenBLAS's worker
# threads (started as numpy loads, before any command runs) only cost start-up CPU: about
# 0.05-0.1 s of a 1.3 s simulate. Set before numpy is imported; a user's own setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import click

from ..errors import BpengineError, ModelError, hide_password
from ..i18n import LANGUAGES, N_, _, set_language
from .help import Group, group

__all__ = ["main", "COMMANDS"]

# command name (= module name) -> command object in that module; one line per command.
COMMANDS = [
    ("validate", "validate"),
    ("analyze", "analyze"),
    ("simulate", "simulate"),
    ("redesign", "redesign"),
    ("compare", "compare"),
    ("report", "report"),
    ("reengineer", "reengineer"),
    ("sweep", "sweep"),
    ("calibrate", "calibrate"),
    ("conformance", "conformance"),
    ("case", "case"),
    ("group", "group"),
    ("db", "db"),
]


class _Group(Group):
    """Imports a command's module only when that command is used (or help lists it)."""

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | {name for name, _attr in COMMANDS})

    def get_command(self, ctx, name):
        if name not in self.commands:
            attr = dict(COMMANDS).get(name)
            if attr is None:
                return None
            self.add_command(getattr(importlib.import_module(f"{__name__}.{name}"), attr), name)
        return self.commands.get(name)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ModelError as exc:  # one line per problem, "error:" said once
            for problem in exc.problems:
                click.echo(_("error: {text}").format(text=problem.brief()), err=True)
            ctx.exit(exc.exit_code)
        except BpengineError as exc:  # a URL from --db or the environment loses its password
            click.echo(_("error: {text}").format(text=hide_password(exc)), err=True)
            ctx.exit(exc.exit_code)
        except click.UsageError as exc:  # one line naming the option, not click's usage block
            where = exc.ctx.command_path if exc.ctx else ctx.command_path
            line = _("{message} (see '{command} --help')").format(
                message=exc.format_message(), command=where
            )
            click.echo(_("error: {text}").format(text=line), err=True)
            ctx.exit(exc.exit_code)


def _version(ctx, param, value):
    """click's version option, its sentence looked up when printed (after --lang)."""
    if not value or ctx.resilient_parsing:
        return
    from importlib.metadata import version

    click.echo(
        _("%(prog)s, version %(version)s")
        % {"prog": ctx.find_root().info_name, "version": version("bpengine")}
    )
    ctx.exit()


def _language(ctx, param, value):
    try:
        return set_language(value)
    except BpengineError as exc:  # a bad BPENGINE_LANG is named, and English used
        click.echo(f"warning: {exc}; using en", err=True)
        return set_language("en")


@group(
    N_("bpengine: load, run, simulate, analyse and redesign BPMN models of agency procedures."),
    "bpengine",
    cls=_Group,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--version",
    is_flag=True,
    is_eager=True,
    expose_value=False,
    callback=_version,
    help=N_("Show the version and exit."),
)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    callback=_language,
    is_eager=True,
    expose_value=False,
    help=N_(
        "Language of messages, tables and reports: id "
        "(Bahasa Indonesia) or en. Default: $BPENGINE_LANG, "
        "else the locale, else en."
    ),
)
def main():
    pass
