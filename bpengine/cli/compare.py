"""`bpengine compare BEFORE AFTER`: structure and simulated KPIs side by side, with significance."""

from __future__ import annotations

import click

from ..i18n import N_, _
from ..model import load
from ..reengineer.before_after import scenarios_for, simulate_and_compare
from ..report.observed import compare_logs
from ..report.tables import comparison_tables
from . import options
from .help import command
from .logs import LOG_OPTIONS, columns_of, is_url, mapping_of, open_log
from .output import emit
from .progress import progress_bar

__all__ = ["compare", "SIM_OPTIONS"]


def SIM_OPTIONS(f):
    """The simulation options shared by compare, report and reengineer."""
    for opt in reversed(
        [
            options.scenario(N_("Scenario of BEFORE (default: its x.scenario.yaml, if any).")),
            click.option(
                "--after-scenario",
                type=click.Path(dir_okay=False),
                help=N_("Scenario of AFTER (default: its sidecar, else BEFORE's)."),
            ),
            options.overrides(),
            options.cases(1000),
            options.replications(
                10, minimum=2, help=N_("Replications per side (for CIs and tests).")
            ),
            options.seed(N_("Same seed on both sides: common random numbers.")),
            options.jobs(1),
            options.quiet(),
        ]
    ):
        f = opt(f)
    return f


def _is_log(path: str) -> bool:
    return is_url(path) or str(path).lower().endswith((".xes", ".xes.gz", ".csv"))


@command(
    N_(
        "Compare two models, or two logs (the cases before and after a reform).\n\n"
        "Two models (BPMN): structure, cycle time, waiting, handoffs, cost, SLA. Both are "
        "simulated on their scenarios with the same seed (common random numbers); every "
        "difference comes with its 95% CI and whether it is statistically significant "
        "(Welch's t-test over replication means). Both sides are judged against one "
        "service standard: BEFORE's, unless --service-standard gives another.\n\n"
        "Two logs (XES, CSV or engine database URLs, with --model): the same table from "
        "the observed cases, with CIs and Welch's t-test over cases."
    )
)
@click.argument("before", type=click.Path(dir_okay=False))
@click.argument("after", type=click.Path(dir_okay=False))
@SIM_OPTIONS
@options.output_format("text", "json", "csv")
@options.output(
    N_(
        "Write the table (or JSON, CSV) to FILE instead of standard output; .xlsx "
        "or .csv: the table as a spreadsheet."
    )
)
@click.option(
    "--service-standard",
    metavar="DAYS",
    help=N_(
        "Judge both sides against this service standard (working days, or a "
        "duration such as '5 working days'); default: BEFORE's scenario's."
    ),
)
@click.option(
    "--model",
    "model_file",
    type=click.Path(dir_okay=False),
    help=N_(
        "With two logs: the model the BEFORE cases ran (approvals, lanes, its "
        "sidecar scenario for calendar, costs and service standard)."
    ),
)
@click.option(
    "--after-model",
    type=click.Path(dir_okay=False),
    help=N_("With two logs: the model the AFTER cases ran (default: --model)."),
)
@LOG_OPTIONS
def compare(
    before,
    after,
    scenario,
    after_scenario,
    overrides,
    cases,
    replications,
    seed,
    jobs,
    quiet,
    fmt,
    output,
    service_standard,
    model_file,
    after_model,
    mapping,
    key,
    tz,
    **kwargs,
):
    if _is_log(before) or _is_log(after):
        if not (_is_log(before) and _is_log(after)):
            raise click.UsageError(_("give two models or two logs, not one of each"))
        if not model_file:
            raise click.UsageError(
                _(
                    "--model is needed to compare two logs (which steps are "
                    "approvals, which lane does what)"
                )
            )
        if service_standard:
            raise click.UsageError(
                _("--service-standard applies to two models; with logs, the scenario (-s) gives it")
            )
        columns = columns_of(kwargs)
        mb = load(model_file)
        ma = load(after_model) if after_model else mb
        # one model for both logs unless --after-model: AFTER's scenario falls back to BEFORE's
        sb, sa = scenarios_for(
            model_file, after_model or model_file, scenario=scenario, after_scenario=after_scenario
        )
        result = compare_logs(
            mb,
            open_log(mb, before, columns, key, tz),
            ma,
            open_log(ma, after, columns, key, tz),
            scenario=sb,
            after_scenario=sa if after_model or after_scenario else None,
            mapping=mapping_of(mapping),
        )
        text = f"{before} -> {after}\n{result.table()}\n{result.headline()}".rstrip()
        emit(
            fmt,
            output,
            text=text,
            data=result.to_dict,
            tables=lambda: comparison_tables(result),
            quiet=quiet,
        )
        return
    mb, ma = load(before), load(after)
    sb, sa = scenarios_for(
        mb, ma, scenario=scenario, after_scenario=after_scenario, overrides=overrides
    )
    with progress_bar("simulating before and after", "cases", quiet) as update:
        result = simulate_and_compare(
            mb,
            ma,
            scenario=sb,
            after_scenario=sa,
            cases=cases,
            replications=replications,
            seed=seed,
            service_standard=service_standard,
            progress=update,
            workers=jobs,
        ).comparison
    text = f"{before} -> {after}\n{result.table()}\n{result.headline()}".rstrip()
    emit(
        fmt,
        output,
        text=text,
        data=result.to_dict,
        tables=lambda: comparison_tables(result),
        quiet=quiet,
    )
