"""`bpengine sweep MODEL --vary PATH=VALUES`: one simulation per what-if value, one table."""

from __future__ import annotations

import click

from ..errors import BpengineError
from ..i18n import N_, _, format_number, ngettext
from ..model import load
from ..report.tables import sweep_tables
from ..scenario.overrides import format_path, parse_path, parse_values
from ..sim.plot import plot_sweep
from ..sim.sweep import sweep as run_sweep
from . import options
from .help import command
from .output import emit
from .progress import progress_bar
from .simulate import _KPI_ROWS, _kpi_cells

__all__ = ["sweep"]

# the columns of the terminal table (the JSON, CSV and XLSX carry every SWEEP_KPIS)
_TEXT_KPIS = (
    "cycle_time_working_days",
    "waiting_hours",
    "cost_per_case",
    "within_service_standard",
)


def _vary(settings) -> dict:
    """``--vary PATH=VALUES`` options -> {path: [values]} (one path at most once)."""
    out: dict = {}
    for setting in settings:
        path, sep, values = setting.partition("=")
        while path.count('"') % 2 and sep:  # a quoted key holding "=": split further on
            more, sep, values = values.partition("=")
            path += "=" + more
        if not sep:
            raise BpengineError(
                _(
                    '--vary {setting}: expected PATH=VALUES, e.g. lanes."Kepala OPD".staff=1..4'
                ).format(setting=setting)
            )
        key = format_path(parse_path(path))
        if key in out:
            raise BpengineError(
                _("--vary {key}: given twice; give every value in one list").format(key=key)
            )
        out[key] = parse_values(values, f"--vary {key}")
    return out


def _table(result, console):
    from rich.markup import escape
    from rich.table import Table

    runs = ngettext(
        "{cases} cases × {n} replication per point, seed {seed} for all",
        "{cases} cases × {n} replications per point, seed {seed} for all",
        result.replications,
    ).format(cases=result.cases, n=result.replications, seed=result.seed)
    t = Table(title=escape(f"{result.model_name}\n{runs}"))
    for path in result.paths:
        t.add_column(escape(path), justify="right")
    names = [k for k in _TEXT_KPIS if result.points and k in result.points[0].result.kpis]
    for name in names:
        label, unit = _KPI_ROWS.get(name, (name, ""))
        t.add_column(escape(f"{_(label.strip())}\n{_(unit)}"), justify="right")
    lanes = result.lanes_varied()
    for lane in lanes:
        t.add_column(escape(lane + "\n" + _("utilisation")), justify="right")
        t.add_column(escape(lane + "\n" + _("offered load")), justify="right")
    for p in result.points:
        cells = [escape(str(p.values[path])) for path in result.paths]
        for name in names:
            mean, ci = _kpi_cells(name, p.result.kpis[name])
            cells.append(f"{mean}\n[dim]{ci}[/dim]" if ci else mean)
        for lane in lanes:
            u, load = p.lane_utilisation(lane), p.lane_offered_load(lane)
            cells.append("–" if u is None else format_number(100 * u, 1) + "%")
            cells.append(
                "–"
                if load is None
                else f"[bold red]{format_number(load, 2)}[/]"
                if load >= 1
                else format_number(load, 2)
            )
        t.add_row(*cells)
    console.print(t)
    console.print(
        _(
            "Every point runs on the same seed (common random numbers); under each "
            "mean, its interval over the replications (95%)."
        )
    )
    for where, warning in result.warnings():  # an overloaded lane is the answer: say it
        console.print("[bold red]" + _("warning") + f"[/] ({escape(where)}): {escape(warning)}")


@command(
    N_(
        "Simulate MODEL once for each value of a scenario setting; print one row per "
        "value.\n\n"
        '"How many officers does the kecamatan need?": --vary lanes."Kepala '
        'OPD".staff=1..4 runs four simulations that differ only in that number. Several '
        "--vary give every combination. Values: FIRST..LAST, FIRST..LAST..STEP (whole "
        "numbers) or a list a,b,c."
    )
)
@click.argument("model_file", type=click.Path(dir_okay=False))
@click.option(
    "--vary",
    "vary",
    multiple=True,
    required=True,
    metavar="PATH=VALUES",
    help=N_(
        'A scenario value and the values to try: lanes."Kepala OPD".staff=1..4, '
        "arrivals.rate=10,20,40 (repeatable: every combination)."
    ),
)
@options.scenario(N_("Scenario YAML (default: MODEL's .scenario.yaml sidecar, else defaults)."))
@options.overrides()
@options.cases(1000)
@options.replications(10, minimum=1, help=N_("Replications per point (2 or more for intervals)."))
@options.warmup()
@options.seed(N_("The same seed for every point: differences come from the values varied."))
@options.jobs(1)
@options.output_format("text", "json", "csv")
@options.output(
    N_(
        "Write the table to FILE instead of standard output (.xlsx, .csv, or text "
        "and JSON per --format)."
    )
)
@click.option(
    "--plot",
    "plot_file",
    type=options.OutputPath(dir_okay=False),
    help=N_("Draw cycle time (and the varied lanes' utilisation) against the values."),
)
@options.quiet()
def sweep(
    model_file,
    vary,
    scenario,
    overrides,
    cases,
    replications,
    warmup,
    seed,
    jobs,
    fmt,
    output,
    plot_file,
    quiet,
):
    grid = _vary(vary)
    model = load(model_file)
    with progress_bar("sweeping", "cases", quiet) as update:
        result = run_sweep(
            model,
            scenario=scenario,
            vary=grid,
            cases=cases,
            replications=replications,
            seed=seed,
            warmup=warmup,
            overrides=overrides,
            progress=update,
            workers=jobs,
        )
    if plot_file:
        plot_sweep(result, plot_file)
    if fmt != "text" or output:  # on stderr: the JSON and tables carry the numbers
        for where, warning in result.warnings():
            click.echo(_("warning ({where}):").format(where=where) + f" {warning}", err=True)

    def text(console):
        _table(result, console)
        if plot_file:
            console.print(f"plot: {plot_file}")

    emit(
        fmt,
        output,
        text=text,
        data=result.to_dict,
        tables=lambda: sweep_tables(result),
        quiet=quiet,
    )
