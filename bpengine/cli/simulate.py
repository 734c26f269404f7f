"""`bpengine simulate MODEL`: KPIs with confidence intervals, event log, plot."""

from __future__ import annotations

import math

import click

from ..i18n import N_, _, format_number, ngettext
from ..model import load
from ..scenario import load_scenario
from ..sim import simulate as run_simulation
from ..sim.eventlog import write_event_log
from ..sim.net import UNSTAFFED
from ..sim.plot import plot_result
from . import options
from .heap import quick_exit_collection, roomy_heap
from .help import command
from .output import emit
from .plaintext import Table, escape
from .progress import progress_bar

__all__ = ["simulate"]


def _num(x: float) -> str:
    """A number as an analyst reads it: 163,400 not 1.634e+05, 0.30 not 0.2996, never -0.0."""
    if x is None or math.isnan(x):
        return "–"
    if abs(x) < 5e-7:
        x = 0.0
    if abs(x) >= 1000:
        return format_number(x, 0)
    if abs(x) >= 100:
        return format_number(x, 1)
    if abs(x) >= 0.01 or x == 0:
        return format_number(x, 2)
    return format_number(x, 1 - math.floor(math.log10(abs(x))))  # two significant digits


# KPI name -> (label, unit shown), in table order. Each kind of time appears once, in one
# unit; cycle_time_working_hours and queueing_minutes repeat other rows in another unit
# and stay in --json only. Waiting is a union over parallel steps: the indented rows split
# it, they never add up to more than the case's life.
_KPI_ROWS = {
    "cycle_time_calendar_days": (N_("cycle time"), N_("calendar days")),
    "cycle_time_working_days": (N_("cycle time"), N_("working days")),
    "processing_hours": (N_("staff work, all lanes"), N_("person-hours per case")),
    "waiting_hours": (N_("waiting: a step ready, nobody on it yet"), N_("hours per case")),
    "waiting_working_hours": ("  " + N_("in working hours"), N_("working hours per case")),
    "queueing_hours": ("    " + N_("for a free person (queue)"), N_("working hours per case")),
    "batching_hours": ("    " + N_("for a sign-off round (batch)"), N_("working hours per case")),
    "waiting_off_hours": ("  " + N_("while the office is closed"), N_("hours per case")),
    "idle_time": (N_("work in hand, paused: office closed"), N_("hours per case")),
    "cost_per_case": (N_("cost of that work"), N_("IDR per case")),
    "within_service_standard": (N_("within service standard"), N_("cases (%)")),
    "throughput_per_working_day": (N_("throughput"), N_("cases per working day")),
    "arrival_rate_per_hour": (N_("arrivals"), N_("cases per calendar day")),
    "work_in_progress": (N_("work in progress"), N_("cases (mean)")),
    "offered_load_max": (N_("offered load, busiest lane"), N_("work in / staff time")),
}

# Prosimos' case KPIs under its own names (hours here, seconds there), as it defines them
_PROSIMOS_ROWS = {
    "idle_cycle_time": N_("arrival to end, wall clock"),
    "cycle_time": N_("idle_cycle_time minus idle_time"),
    "processing_time": N_("someone working on the case"),
    "idle_processing_time": N_("steps' start to end, closed hours included"),
    "idle_time": N_("steps paused while the office is closed"),
    "waiting_time": N_("steps ready, not yet taken up"),
}


def _kpi_cells(name: str, kpi) -> tuple[str, str]:
    """Mean and 95% interval of one KPI, in the unit its row shows."""
    scale = {"arrival_rate_per_hour": 24.0, "within_service_standard": 100.0}.get(name, 1.0)
    mean, low, high = kpi.mean * scale, kpi.low * scale, kpi.high * scale
    if name == "within_service_standard":
        mean, low, high = (min(v, 100.0) for v in (mean, low, high))
        fmt = lambda v: (
            "–"
            if math.isnan(v)
            else format_number(v, 0) + "%"
            if v in (0.0, 100.0)
            else format_number(v, 1) + "%"
        )
    else:
        fmt = _num
    # every KPI here is a time, cost, share, rate or count: an interval below zero is an
    # artefact of the t-interval on few replications, not a possible value
    low = max(low, 0.0) if not math.isnan(low) else low
    ci = "" if math.isnan(low) else f"{fmt(low)} – {fmt(high)}"
    return fmt(mean), ci


def _standard(days: float, minutes_per_day: float) -> str:
    """A service standard in the unit it was most likely given: days, hours or minutes."""
    minutes = days * minutes_per_day
    if days >= 1 or minutes_per_day <= 0:
        return ngettext("{n} working day", "{n} working days", 1 if days == 1 else 2).format(
            n=_g(days)
        )
    if minutes >= 60:
        return ngettext("{n} working hour", "{n} working hours", 1 if minutes == 60 else 2).format(
            n=_g(minutes / 60)
        )
    return _("{n} working min").format(n=_g(minutes))


def _g(x: float) -> str:
    """Three significant digits, trailing zeros dropped, in the current language."""
    digits = max(0, 2 - math.floor(math.log10(abs(x)))) if x else 0
    text = format_number(x, digits)
    sep = format_number(0.5, 1)[1]
    return text.rstrip("0").rstrip(sep) if sep in text else text


def _lane(name: str) -> str:
    """A lane's name; the simulator's stand-ins for no lane and the system, translated."""
    return _(name) if name in UNSTAFFED else name


def _task_label(task) -> str:
    name = (task.get("name") or "").strip()
    return f"{name}\n[dim]{task['id']}[/dim]" if name and name != task["id"] else task["id"]


def _lanes_table(result):
    lanes = Table(title=_("lanes"))
    for i, col in enumerate(
        (
            _("lane"),
            _("staff"),
            _("utilisation"),
            _("offered load"),
            _("waiting h/case"),
            _("cost IDR/case"),
        )
    ):
        lanes.add_column(col, justify="left" if i == 0 else "right")
    for lane in result.lanes:
        u, load = lane["utilisation"], lane.get("offered_load")
        unlimited = lane.get("unlimited")
        staff = (
            _("none")
            if lane["staff"] is None
            else _("unlimited")
            if unlimited
            else str(lane["staff"])
        )
        lanes.add_row(
            escape(_lane(lane["lane"])),
            staff,
            "–" if u is None or unlimited else format_number(100 * u, 1) + "%",
            "–"
            if load is None or unlimited
            else (
                f"[bold red]{format_number(load, 2)}[/]" if load >= 1 else format_number(load, 2)
            ),
            _num(lane["waiting_minutes_per_case"] / 60),
            format_number(lane["cost_per_case"], 0),
        )
    return lanes


def _shown_rows(result) -> list[tuple[str, tuple[str, str]]]:
    """The KPI rows the result has; around the clock a working day is a calendar day."""
    rows = []
    for name, (label, unit) in _KPI_ROWS.items():
        if name not in result.kpis:
            continue
        if result.around_the_clock and name == "cycle_time_working_days":
            continue  # the same figure as the calendar-days row above
        if result.around_the_clock and name == "throughput_per_working_day":
            unit = N_("cases per calendar day")
        rows.append((name, (label, unit)))
    return rows


def _table(result, console):
    title = (
        f"{result.model_name}\n"
        + ngettext(
            "{cases} cases × {n} replication",
            "{cases} cases × {n} replications",
            result.replications,
        ).format(cases=result.cases, n=result.replications)
        + ", "
        + (
            _("{n} warm-up cases each").format(n=result.warmup)
            if result.warmup
            else _("no warm-up")
        )
        + ", "
        + _("seed {seed}").format(seed=result.seed)
    )
    t = Table(title=escape(title))
    t.add_column(_("KPI"))
    t.add_column(_("mean"), justify="right")
    t.add_column(_("95% CI"), justify="right")
    t.add_column(_("unit"))
    for name, (label, unit) in _shown_rows(result):
        kpi = result.kpis[name]
        mean, ci = _kpi_cells(name, kpi)
        indent = label[: len(label) - len(label.lstrip())]
        label = indent + _(label.strip())
        if name == "within_service_standard":
            sla = _standard(result.service_standard_days, result.working_minutes_per_day)
            label += f" ({sla})"
        t.add_row(escape(label), mean, ci, _(unit))
    console.print(t)
    if result.around_the_clock:
        console.print(
            _(
                "note: the scenario has no office calendar (a Prosimos file gives each "
                "resource its own), so days are calendar days of 24 h, not working days; "
                "'working hours' and 'office closed' follow each lane's calendar"
            )
        )
    if result.replications < 2:
        console.print(
            _("note: one replication gives no confidence interval; use --replications 2 or more")
        )
    prosimos = Table(title=_("as Prosimos reports a case (same names; hours per case)"))
    for col, right in (
        (_("KPI"), False),
        (_("mean"), True),
        (_("95% CI"), True),
        (_("meaning"), False),
    ):
        prosimos.add_column(col, justify="right" if right else "left")
    for name, meaning in _PROSIMOS_ROWS.items():
        if name in result.kpis:
            prosimos.add_row(name, *_kpi_cells(name, result.kpis[name]), _(meaning))
    console.print(prosimos)
    console.print(_lanes_table(result))
    tasks = Table(title=_("tasks (minutes per execution)"))
    for i, col in enumerate(
        (
            _("task"),
            _("lane"),
            _("runs/case"),
            _("queue"),
            _("batch"),
            _("office closed"),
            _("work"),
            _("paused"),
        )
    ):
        tasks.add_column(col, justify="left" if i < 2 else "right")
    for task in result.tasks:
        tasks.add_row(
            _task_label({**task, "name": escape(task["name"] or ""), "id": escape(task["id"])}),
            escape(_lane(task["lane"])),
            format_number(task["executions_per_case"], 2),
            *(
                format_number(max(task[k], 0.0), 1)
                for k in (
                    "queueing_minutes",
                    "batching_minutes",
                    "off_hours_minutes",
                    "processing_minutes",
                    "paused_minutes",
                )
            ),
        )
    console.print(tasks)
    console.print(
        _(
            "queue, batch, office closed: waiting before the step is taken up; "
            "paused: taken up, waiting for the office to open again."
        )
    )
    if any(lane["staff"] is None for lane in result.lanes):
        console.print(
            _(
                "staff none: steps a system does (service, script, rule, send, "
                "receive tasks; around the clock) and steps on no lane take no "
                "staff."
            )
        )
    if any(lane.get("unlimited") and lane["staff"] is not None for lane in result.lanes):
        console.print(
            _(
                "unlimited: the lane never made a case wait for a free person "
                "(its staff far exceeds the cases in the system at once)."
            )
        )
    if result.handovers:
        console.print(_handover_table(result))
    for note in result.notes:
        console.print(_("note: {text}").format(text=escape(note)))
    _warn(result, console)


def _warn(result, console):
    for warning in result.warnings:
        console.print("[bold red]" + _("warning:") + f"[/] {escape(warning)}")


def _handover_table(result):
    """Hand-overs between pools in the first replication: how often and how long."""
    cases = len({row["case"] for row in result.event_log}) or 1
    per_flow: dict = {}
    for row in result.handovers:
        per_flow.setdefault(row["flow"], []).append(row)
    t = Table(title=_("hand-overs between pools (first replication)"))
    for i, col in enumerate((_("message flow"), _("kind"), _("per case"), _("transfer h (mean)"))):
        t.add_column(col, justify="left" if i < 2 else "right")
    for flow, rows in per_flow.items():
        name = rows[0]["name"]
        label = f"{escape(name)}\n[dim]{escape(flow)}[/dim]" if name else escape(flow)
        hours = sum((r["arrived"] - r["sent"]).total_seconds() for r in rows) / 3600 / len(rows)
        t.add_row(
            label, _(rows[0]["kind"]), format_number(len(rows) / cases, 2), format_number(hours, 2)
        )
    return t


def _tables(result):
    """The KPI, lane and task tables for -o x.xlsx/x.csv; ``report`` is imported only then,
    since it brings in networkx and the before/after machinery a plain run never uses."""
    from ..report.tables import simulation_tables

    return simulation_tables(result)


def _check_outputs(log_file, plot_file):
    """Refuse a bad --log format before simulating, not after minutes of work."""
    from pathlib import Path

    from ..errors import BpengineError

    if log_file and Path(log_file).suffix.lower() not in (".csv", ".xes"):
        suffix = Path(log_file).suffix.lower() or _("(none)")
        raise BpengineError(
            _("--log {file}: unknown event log format {suffix}; use a .csv or .xes file").format(
                file=log_file, suffix=repr(suffix)
            )
        )


@command(
    N_("Simulate MODEL under office conditions and print KPIs with confidence intervals (95%).")
)
@click.argument("model_file", type=click.Path(dir_okay=False))
@options.scenario(N_("Scenario YAML (default: MODEL's .scenario.yaml sidecar, else defaults)."))
@click.option(
    "--prosimos",
    "prosimos_file",
    type=click.Path(dir_okay=False),
    help=N_("Prosimos JSON simulation parameters, imported as they are."),
)
@options.overrides()
@options.cases(1000)
@options.replications(
    10, minimum=1, help=N_("Independent runs; the 95% intervals are over them (needs 2 or more).")
)
@options.warmup()
@options.seed()
@options.jobs(1)
@options.output_format("text", "json", "csv")
@options.output(
    N_(
        "Write the result to FILE instead of standard output; .xlsx or .csv: the "
        "KPI, lane and task tables."
    )
)
@click.option(
    "--log",
    "log_file",
    type=options.OutputPath(dir_okay=False),
    help=N_("Write the first replication's event log (.csv or .xes)."),
)
@click.option(
    "--plot",
    "plot_file",
    type=options.OutputPath(dir_okay=False),
    help=N_("Draw the cycle-time distribution and waiting by lane (e.g. out.png)."),
)
@options.quiet()
def simulate(
    model_file,
    scenario,
    prosimos_file,
    overrides,
    cases,
    replications,
    warmup,
    seed,
    jobs,
    fmt,
    output,
    log_file,
    plot_file,
    quiet,
):
    if scenario and prosimos_file:
        raise click.UsageError(_("give --scenario or --prosimos, not both"))
    _check_outputs(log_file, plot_file)
    roomy_heap()  # a process that ends with the command: its arrays keep their pages
    quick_exit_collection()  # and its objects are not searched for cycles at exit
    model = load(model_file)
    scen = load_scenario(scenario or prosimos_file, model=model, overrides=overrides)
    with progress_bar("simulating", "cases", quiet) as update:
        result = run_simulation(
            model,
            scenario=scen,
            cases=cases,
            seed=seed,
            replications=replications,
            warmup=warmup,
            event_log=bool(log_file) or model.is_collaboration,
            progress=update,
            workers=jobs,
        )
    if log_file:
        write_event_log(result.event_log, log_file, name=result.model_name)
    if plot_file:
        plot_result(result, plot_file)
    if fmt != "text" or output:
        for warning in result.warnings:  # on stderr: the JSON and tables carry them too
            click.echo(_("warning:") + f" {warning}", err=True)

    def text(console):
        _table(result, console)
        if log_file:
            console.print(f"event log: {log_file} ({len(result.event_log)} task executions)")
        if plot_file:
            console.print(f"plot: {plot_file}")

    emit(fmt, output, text=text, data=result.to_dict, tables=lambda: _tables(result), quiet=quiet)
