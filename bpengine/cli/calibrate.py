"""`bpengine calibrate MODEL LOG -o x.scenario.yaml`: a scenario fitted from an event log."""

from __future__ import annotations

import click

from ..i18n import N_, _, format_number
from ..model import load
from ..records.calibrate import calibrate as fit_scenario
from . import options
from .analyze import sidecar_scenario
from .help import command
from .logs import LOG_OPTIONS, columns_of, mapping_of, open_log

__all__ = ["calibrate"]


@command(
    N_(
        "Fit a scenario for MODEL from LOG: XES, CSV, or an engine database URL.\n\n"
        "Arrivals, each task's processing time (the distribution family with the lowest "
        "AIC, fitted with scipy.stats), sign-off rounds, staff and hours per lane, and "
        "branch probabilities; each number carries a comment saying where it came from and "
        "how many observations support it."
    )
)
@click.argument("model_file", metavar="MODEL", type=click.Path(dir_okay=False))
@click.argument("log", metavar="LOG")
@options.output(N_("Write the scenario YAML to FILE (default: standard output)."))
@click.option(
    "--base",
    type=click.Path(dir_okay=False),
    help=N_(
        "Scenario whose calendar, costs, service standard, timers and case data "
        "are kept (default: MODEL's x.scenario.yaml, if any)."
    ),
)
@click.option("--no-base", is_flag=True, help=N_("Keep nothing: the scenario defaults stand in."))
@LOG_OPTIONS
@options.quiet()
def calibrate(model_file, log, output, base, no_base, mapping, key, tz, quiet, **kwargs):
    model = load(model_file)
    base = None if no_base else (base or sidecar_scenario(model_file))
    events = open_log(model, log, columns_of(kwargs), key, tz)
    result = fit_scenario(
        model,
        events,
        base=str(base) if base else None,
        mapping=mapping_of(mapping),
        mapping_source=mapping or "mapping",
    )
    for line in result.warnings:
        click.echo(_("warning:") + f" {line}", err=True)
    if output:
        result.write(output)
    else:
        click.echo(result.to_yaml(), nl=False)
    if not quiet and output:
        click.echo(
            _("wrote {files}").format(files=output)
            + ": "
            + _(
                "{cases} cases, {tasks} tasks fitted, {share} of cases do not fit the model"
            ).format(
                cases=result.cases,
                tasks=len(result.fits),
                share=format_number(100 * result.misfit_share, 1) + "%",
            ),
            err=True,
        )
