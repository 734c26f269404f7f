"""`bpengine reengineer IN.bpmn -o DIR`: analyze, search redesigns, simulate, keep the best."""

from __future__ import annotations

import functools

import click

from ..i18n import N_, _, format_number
from ..reengineer.pipeline import reengineer_to
from . import options
from .help import command
from .progress import progress_bar

__all__ = ["reengineer", "ranking_table"]


def ranking_table(result, limit: int = 10) -> list[str]:
    """The best candidates, one line each, with the baseline first."""

    def line(c, label):
        k = c.kpis
        days = format_number(k["cycle_days"], 3) + " " + _("wd")
        return (
            f"  {label:>8}  {days:>11}  {format_number(k['cost'], 0):>12}  "
            f"{format_number(k['handoffs'], 2):>6}  "
            + (", ".join(c.findings) or "(" + _("as is") + ")")
        )

    rank, cycle, cost, handoffs = _("rank"), _("cycle"), _("cost/case"), _("handoffs")
    head = f"  {rank:>8}  {cycle:>11}  {cost:>12}  {handoffs:>6}  " + _("findings applied")
    rows = [head, line(result.baseline, _("as is"))]
    rows += [line(c, f"#{i}") for i, c in enumerate(result.ranked[:limit], 1)]
    # a finding id `analyze FILE` does not show is explained, never cited unannounced
    cited = dict.fromkeys(f for c in result.ranked[:limit] for f in c.findings)
    rows += ["  " + result.origin(f) for f in cited if f in result.later]
    return rows


@command(
    N_(
        "Find the redesign that shortens the procedure most, prove it, report it.\n\n"
        "Analyzes FILE, builds candidate redesigns (each finding alone, then greedy and "
        "beam combinations; mandatory steps and legal acts are never removed), simulates "
        "every candidate in parallel, ranks them by cycle time then cost, and writes to "
        "DIR: the best redesign (BPMN + scenario + change log), the comparison (text and "
        "JSON) and report.html."
    )
)
@click.argument("file", type=click.Path(dir_okay=False))
@options.output(
    N_(
        "Directory for the best redesign, its scenario, comparison and report (created if missing)."
    ),
    required=True,
    folder=True,
)
@options.scenario(N_("Scenario YAML (default: the x.scenario.yaml next to FILE, if any)."))
@options.overrides()
@options.cases(500, help=N_("Cases per replication when evaluating each candidate."))
@options.replications(3, minimum=2, help=N_("Replications per candidate."))
@options.seed(N_("Same seed for every candidate: the same seed gives the same ranking."))
@click.option(
    "--candidates",
    "max_candidates",
    type=click.IntRange(min=1),
    default=60,
    show_default=True,
    help=N_("Budget of candidate redesigns to simulate."),
)
@click.option("--beam", type=click.IntRange(min=1), default=3, show_default=True)
@options.jobs(None)
@click.option(
    "--keep",
    multiple=True,
    metavar="ELEMENT-ID",
    help=N_("Never remove this element (repeatable)."),
)
@options.quiet()
def reengineer(
    file,
    output,
    scenario,
    overrides,
    cases,
    replications,
    seed,
    max_candidates,
    beam,
    jobs,
    keep,
    quiet,
):
    outcome = reengineer_to(
        file,
        output,
        scenario=scenario,
        overrides=overrides,
        cases=cases,
        replications=replications,
        seed=seed,
        max_candidates=max_candidates,
        beam=beam,
        jobs=jobs,
        keep=keep,
        progress=functools.partial(progress_bar, quiet=quiet),
    )
    result = outcome.search
    click.echo(
        f"{file}: "
        + _("{findings} findings, {candidates} candidates simulated").format(
            findings=len(result.findings), candidates=len(result.ranked)
        )
    )
    for row in ranking_table(result):
        click.echo(row)
    if outcome.comparison is None:
        click.echo(_("no candidate beats the procedure as it is; nothing written but the report"))
        return
    click.echo(outcome.comparison.headline() or _("no statistically significant change"))
    click.echo(_("wrote {files}").format(files=", ".join(str(p) for p in outcome.written)))
