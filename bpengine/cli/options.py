"""The options every command spells the same way: one vocabulary for the whole CLI.

A command that takes a number of cases, replications, a seed, worker processes, an output
format, an output path, a scenario, what-if overrides or a quiet switch takes it from here,
so ``-r`` is the replications and ``--format json`` is JSON on every command.
``tests/cli/test_vocabulary.py`` walks the click group and fails when a command spells one
of these differently.

Old spellings (``--json``, ``--workers``, ``--format table``) still work as hidden aliases:
scripts written against earlier versions keep running, help shows one spelling.
"""

from __future__ import annotations

import functools
from pathlib import Path

import click

from ..i18n import N_, _
from .help import filled

__all__ = [
    "cases",
    "replications",
    "warmup",
    "seed",
    "jobs",
    "output_format",
    "output",
    "quiet",
    "scenario",
    "overrides",
    "database",
    "alias",
    "OutputPath",
    "SHARED",
    "FORMATS",
]

# canonical spelling of each shared option: (declarations, destination name)
SHARED = {
    "cases": ("-n", "--cases"),
    "replications": ("-r", "--replications"),
    "warmup": ("--warmup",),
    "seed": ("--seed",),
    "jobs": ("-j", "--jobs"),
    "fmt": ("--format",),
    "output": ("-o", "--output"),
    "quiet": ("-q", "--quiet"),
    "scenario": ("-s", "--scenario"),
    "overrides": ("--set",),
    "url": ("--db",),
}
# every --format choice any command offers; each command offers the ones it can print
FORMATS = ("text", "json", "csv", "sarif", "html")


def alias(target: str, *decls: str, value=None, canonical: str | None = None, **attrs):
    """A hidden old spelling of the option whose parameter is ``target``.

    ``value`` is what the alias stands for when it is a flag (``--json`` -> ``"json"``);
    otherwise the alias's own value is passed on. Both spellings given with different
    values is an error, not a silent choice. ``canonical`` is the spelling named in that
    error (default: the shared option's, from :data:`SHARED`).
    """
    name = "alias_" + decls[0].lstrip("-").replace("-", "_")
    if value is not None:
        attrs.setdefault("is_flag", True)

    def decorate(f):
        @functools.wraps(f)  # keeps click's __click_params__ list: options stack as usual
        def wrapper(*args, **kwargs):
            given = kwargs.pop(name, None)
            if given is not None and given is not False:
                new = value if value is not None else given
                ctx = click.get_current_context()
                source = ctx.get_parameter_source(target)
                if source is click.core.ParameterSource.COMMANDLINE and kwargs.get(target) != new:
                    now = canonical or "/".join(SHARED.get(target, (target,)))
                    raise click.UsageError(
                        _("{old} is the old spelling of {now}; give one of them").format(
                            old=decls[0], now=now
                        )
                    )
                kwargs[target] = new
            return f(*args, **kwargs)

        return click.option(*decls, name, hidden=True, **attrs)(wrapper)

    return decorate


def cases(default: int = 1000, help: str = N_("Measured cases per replication.")):
    """``-n/--cases N``."""
    return click.option(
        *SHARED["cases"],
        "cases",
        type=click.IntRange(min=1),
        default=default,
        show_default=True,
        help=help,
    )


def replications(
    default: int = 10,
    minimum: int = 1,
    help: str = N_("Independent runs; the 95% intervals are over them."),
):
    """``-r/--replications N`` (at least ``minimum``: 2 where a test needs a variance)."""
    return click.option(
        *SHARED["replications"],
        "replications",
        type=click.IntRange(min=minimum),
        default=default,
        show_default=True,
        help=help,
    )


def warmup():
    """``--warmup N``: unmeasured cases first, a count (>= 1) or a fraction of --cases."""
    return click.option(
        *SHARED["warmup"],
        "warmup",
        default=0.1,
        show_default=True,
        type=click.FloatRange(min=0),
        callback=lambda ctx, param, value: int(value) if value >= 1 else float(value),
        help=N_("Unmeasured cases first: a count, or a fraction of --cases below 1."),
    )


def seed(help: str = N_("The same seed gives the same numbers.")):
    """``--seed N``."""
    return click.option(*SHARED["seed"], "seed", type=int, default=7, show_default=True, help=help)


def jobs(default: int | None = 1):
    """``-j/--jobs N`` worker processes (0: one per core); ``--workers`` is its old spelling."""
    help_ = (
        N_("Worker processes side by side (0: one per core).")
        if default is not None
        else N_("Worker processes side by side (0: one per core).  [default: one per core]")
    )

    def decorate(f):
        f = alias("jobs", "--workers", type=click.IntRange(min=0))(f)
        return click.option(
            *SHARED["jobs"],
            "jobs",
            type=click.IntRange(min=0),
            default=default,
            show_default=default is not None,
            help=help_,
        )(f)

    return decorate


class _Format(click.Choice):
    """A --format choice that still reads the old ``table`` as ``text``."""

    def convert(self, value, param, ctx):
        return super().convert(
            "text" if value == "table" and "text" in self.choices else value, param, ctx
        )


def output_format(*choices: str, default: str = "text", json_alias: bool = True):
    """``--format CHOICE`` out of :data:`FORMATS`; ``--json`` is the old spelling of json.

    ``json_alias=False`` where ``--json`` already meant something else (case data).
    """
    unknown = set(choices) - set(FORMATS)
    assert not unknown, f"--format {unknown}: add it to FORMATS so every command means the same"

    def decorate(f):
        if "json" in choices and json_alias:
            f = alias("fmt", "--json", value="json")(f)
        return click.option(
            *SHARED["fmt"],
            "fmt",
            type=_Format(list(choices)),
            default=default,
            show_default=True,
            help=filled(N_("How to print: {choices}."), choices=", ".join(choices)),
        )(f)

    return decorate


class OutputPath(click.Path):
    """A path to write; missing folders on the way are created (a folder too, for DIR)."""

    def convert(self, value, param, ctx):
        value = super().convert(value, param, ctx)
        path = Path(value)
        folder = path if not self.file_okay else path.parent
        blocker = next(
            (p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None
        )
        if blocker is not None:
            self.fail(
                _("cannot create the folder {folder}: {blocker} is a file").format(
                    folder=folder, blocker=blocker
                ),
                param,
                ctx,
            )
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self.fail(
                _("cannot create the folder {folder}: {why}").format(
                    folder=folder, why=exc.strerror or exc
                ),
                param,
                ctx,
            )
        return value


def output(help: str, required: bool = False, folder: bool = False):
    """``-o/--output PATH``: a file (or a folder with ``folder=True``), folders created."""
    return click.option(
        *SHARED["output"],
        "output",
        required=required,
        type=OutputPath(dir_okay=folder, file_okay=not folder),
        metavar="DIR" if folder else "FILE",
        help=help,
    )


def quiet(help: str = N_("No progress bar (it is off anyway when not on a terminal).")):
    """``-q/--quiet``: no progress bar and no chatter."""
    return click.option(*SHARED["quiet"], "quiet", is_flag=True, help=help)


def scenario(
    help: str = N_("Scenario YAML (default: the x.scenario.yaml next to the model, if any)."),
):
    """``-s/--scenario FILE``."""
    return click.option(*SHARED["scenario"], "scenario", type=click.Path(dir_okay=False), help=help)


def overrides():
    """``--set PATH=VALUE`` (repeatable): what-if changes to the scenario, see SCENARIO.md."""
    return click.option(
        *SHARED["overrides"],
        "overrides",
        multiple=True,
        metavar="PATH=VALUE",
        help=N_(
            'Change one scenario value, e.g. --set lanes."Kepala OPD".staff=2 '
            "(repeatable; see SCENARIO.md, What-if)."
        ),
    )


def database():
    """``--db URL`` (or $BPENGINE_DB); ``--url`` is its old spelling on ``db`` commands."""

    def decorate(f):
        f = alias("url", "--url")(f)
        return click.option(
            *SHARED["url"],
            "url",
            envvar="BPENGINE_DB",
            show_envvar=True,
            help=N_("Database URL: sqlite:///file.db or postgresql+psycopg://user@host/db."),
        )(f)

    return decorate
