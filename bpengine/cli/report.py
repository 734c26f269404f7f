"""`bpengine report BEFORE [AFTER] -o report.html`: one self-contained HTML report."""

from __future__ import annotations

import click

from .. import analysis
from ..i18n import N_, _
from ..model import load
from ..redesign.sidecars import read_change_log
from ..reengineer.before_after import scenarios_for, simulate_and_compare
from ..report import Comparison, structure, write_report
from ..report.plots import plots_for
from . import options
from .compare import SIM_OPTIONS
from .help import command
from .progress import progress_bar

__all__ = ["report"]


@command(
    N_(
        "Write one self-contained HTML report (no network needed to open it).\n\n"
        "BEFORE alone: its diagram with the flagged steps highlighted and the findings. "
        "With AFTER: both diagrams (changes highlighted), the change log, the before/after "
        "table with CIs and significance, and plots of cycle time and waiting by lane."
    )
)
@click.argument("before", type=click.Path(dir_okay=False))
@click.argument("after", required=False, type=click.Path(dir_okay=False))
@options.output(N_("The HTML file to write (missing folders are created)."), required=True)
@SIM_OPTIONS
@click.option(
    "--no-simulation",
    is_flag=True,
    help=N_("Skip the simulation: diagrams, findings and structural metrics only."),
)
@click.option(
    "--log",
    "log_file",
    metavar="LOG",
    help=N_(
        "The agency's records of BEFORE (XES, CSV or an engine database URL): "
        "adds a section on how the cases follow the model (see conformance)."
    ),
)
@click.option(
    "--mapping",
    type=click.Path(dir_okay=False),
    help=N_("With --log: YAML 'log activity: task id or name'."),
)
def report(
    before,
    after,
    output,
    scenario,
    after_scenario,
    overrides,
    cases,
    replications,
    seed,
    jobs,
    quiet,
    no_simulation,
    log_file,
    mapping,
):
    mb = load(before)
    ma = load(after) if after else None
    sb, sa = scenarios_for(
        mb, ma, scenario=scenario, after_scenario=after_scenario, overrides=overrides
    )
    from ..scenario import load_scenario

    scen = load_scenario(sb, model=mb) if sb or overrides else None
    findings = analysis.analyze(mb, scenario=scen)
    comparison = plots = None
    changes = []
    if ma is not None:
        changes = read_change_log(after)
        if no_simulation:
            comparison = Comparison(mb.name, ma.name, tuple(structure(mb, ma)))
        else:
            with progress_bar("simulating before and after", "cases", quiet) as update:
                comparison, rb, ra = simulate_and_compare(
                    mb,
                    ma,
                    scenario=sb,
                    after_scenario=sa,
                    cases=cases,
                    replications=replications,
                    seed=seed,
                    progress=update,
                    workers=jobs,
                )
            plots = plots_for(rb, ra)
    fit = None
    if log_file:
        from ..records.conformance import conformance
        from .logs import mapping_of, open_log

        fit = conformance(
            mb,
            open_log(mb, log_file, {}, None, "+07:00"),
            mapping_of(mapping),
            mapping or "mapping",
        )
    path = write_report(
        mb,
        ma,
        findings=findings,
        comparison=comparison,
        plots=plots,
        changes=changes,
        path=output,
        scenario=scen,
        conformance=fit,
    )
    click.echo(_("wrote {files}").format(files=path))
