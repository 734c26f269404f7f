"""`bpengine redesign IN.bpmn -o OUT.bpmn`: apply findings, write model, scenario, change log."""

from __future__ import annotations

import click

from ..i18n import N_, _, language
from ..redesign.pipeline import redesign_to
from ..report.summary import change_sentence
from . import options
from .help import command

__all__ = ["redesign"]


@command(
    N_(
        "Rewrite a procedure without the steps its findings flag.\n\n"
        "Runs the analyzer, applies the selected findings' suggestions (eliminate, "
        "compose, parallelise, resequence, automate, integrate...: one transformation "
        "each), never removing a step marked mandatory, and writes OUT.bpmn with its "
        "diagram, OUT.scenario.yaml (removed steps dropped, composed durations summed) and "
        "OUT.changes.yaml (what changed and why)."
    )
)
@click.argument("file", type=click.Path(dir_okay=False))
@options.output(
    N_(
        "Where to write the redesigned BPMN (its .scenario.yaml and .changes.yaml "
        "go beside it; missing folders are created)."
    ),
    required=True,
)
@click.option(
    "--apply",
    "apply",
    multiple=True,
    metavar="all|RULE|FINDING-ID",
    help=N_("Which findings to apply (repeatable; default: all)."),
)
@click.option(
    "--keep",
    multiple=True,
    metavar="ELEMENT-ID",
    help=N_("Never remove this element, whatever the findings say (repeatable)."),
)
@options.scenario()
@options.quiet(N_("Print only the count of changes and the files written."))
def redesign(file, output, apply, keep, scenario, quiet):
    done = redesign_to(file, output, scenario=scenario, apply=apply, keep=keep)
    click.echo(
        f"{file}: "
        + _(
            "{findings} findings, {chosen} selected, {applied} changes applied, {skipped} skipped"
        ).format(
            findings=len(done.findings),
            chosen=len(done.chosen),
            applied=len(done.applied),
            skipped=len(done.skipped),
        )
    )
    for c in () if quiet else done.applied:  # the change log's words are English; else its sentence
        what = c.description if language() == "en" else change_sentence(c, done.before, done.after)
        click.echo("  " + _("changed:") + f" {what}" + (f" [{c.finding}]" if c.finding else ""))
    for s in () if quiet else done.skipped:  # both are in OUT.changes.yaml
        click.echo("  " + _("skipped {finding}:").format(finding=s.finding) + f" {s.reason}")
    click.echo(_("wrote {files}").format(files=", ".join(str(p) for p in done.written)))
