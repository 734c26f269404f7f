"""`bpengine simulate MODEL`: KPIs with confidence intervals, event log, plot."""
from __future__ import annotations

import json
import math
import sys
import time

import click

from ..model import load
from ..scenario import load_scenario
from ..sim import simulate as run_simulation
from ..sim.eventlog import write_event_log
from ..sim.plot import plot_result

__all__ = ["simulate"]


def _progress_bar(console):
    """A rich progress bar that appears only once a run has taken more than a second."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    state = {"bar": None, "task": None, "t0": time.perf_counter()}

    def update(done, total):
        if state["bar"] is None:
            if time.perf_counter() - state["t0"] < 1.0 or done >= total:
                return
            state["bar"] = Progress(TextColumn("simulating"), BarColumn(),
                                    TextColumn("{task.completed}/{task.total} cases"),
                                    TimeRemainingColumn(), console=console, transient=True)
            state["bar"].start()
            state["task"] = state["bar"].add_task("sim", total=total)
        state["bar"].update(state["task"], completed=done)
        if done >= total:
            state["bar"].stop()

    def close():
        if state["bar"] is not None:
            state["bar"].stop()
    return update, close


def _num(x: float) -> str:
    """A number as an analyst reads it: 163,400 not 1.634e+05, 0.30 not 0.2996, never -0.0."""
    if x is None or math.isnan(x):
        return "–"
    if abs(x) < 5e-7:
        x = 0.0
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 100:
        return f"{x:.1f}"
    if abs(x) >= 0.01 or x == 0:
        return f"{x:.2f}"
    return f"{x:.2g}"


# KPI name -> (label, unit shown), in table order. Each kind of time appears once, in one
# unit; cycle_time_working_hours and queueing_minutes repeat other rows in another unit
# and stay in --json only.
_KPI_ROWS = {
    "cycle_time_calendar_days": ("cycle time", "calendar days"),
    "cycle_time_working_days": ("cycle time", "working days"),
    "processing_hours": ("work, all lanes", "hours per case"),
    "waiting_hours": ("waiting, all causes", "hours per case"),
    "queueing_hours": ("  for busy staff (queue)", "working hours per case"),
    "batching_hours": ("  for a batch (sign-off round)", "working hours per case"),
    "off_hours_hours": ("  while the office is closed", "hours per case"),
    "cost_per_case": ("cost of that work", "IDR per case"),
    "within_service_standard": ("within service standard", "% of cases"),
    "throughput_per_working_day": ("throughput", "cases per working day"),
    "arrival_rate_per_hour": ("arrivals", "cases per calendar day"),
    "work_in_progress": ("work in progress", "cases (mean)"),
}


def _kpi_cells(name: str, kpi) -> tuple[str, str]:
    """Mean and 95% interval of one KPI, in the unit its row shows."""
    scale = {"arrival_rate_per_hour": 24.0, "within_service_standard": 100.0}.get(name, 1.0)
    mean, low, high = kpi.mean * scale, kpi.low * scale, kpi.high * scale
    if name == "within_service_standard":
        mean, low, high = (min(v, 100.0) for v in (mean, low, high))
        fmt = (lambda v: "–" if math.isnan(v) else f"{v:.0f}%" if v in (0.0, 100.0)
               else f"{v:.1f}%")
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
        return f"{days:.3g} working day{'' if days == 1 else 's'}"
    if minutes >= 60:
        return f"{minutes / 60:.3g} working hour{'' if minutes == 60 else 's'}"
    return f"{minutes:.3g} working min"


def _task_label(task) -> str:
    name = (task.get("name") or "").strip()
    return f"{name}\n[dim]{task['id']}[/dim]" if name and name != task["id"] else task["id"]


def _table(result, console):
    from rich.markup import escape
    from rich.table import Table

    title = (f"{result.model_name}\n{result.cases} cases × {result.replications} "
             f"replication{'s' if result.replications != 1 else ''}, "
             + (f"{result.warmup} warm-up cases each" if result.warmup else "no warm-up")
             + f", seed {result.seed}")
    t = Table(title=escape(title))
    t.add_column("KPI")
    t.add_column("mean", justify="right")
    t.add_column("95% CI", justify="right")
    t.add_column("unit")
    for name, (label, unit) in _KPI_ROWS.items():
        kpi = result.kpis.get(name)
        if kpi is None:
            continue
        mean, ci = _kpi_cells(name, kpi)
        if name == "within_service_standard":
            sla = _standard(result.service_standard_days, result.working_minutes_per_day)
            label += f" ({sla})"
        t.add_row(escape(label), mean, ci, unit)
    console.print(t)
    if result.replications < 2:
        console.print("note: one replication gives no confidence interval; use "
                      "--replications 2 or more")
    lanes = Table(title="lanes")
    for col in ("lane", "staff", "utilisation", "waiting h/case", "cost IDR/case"):
        lanes.add_column(col, justify="left" if col == "lane" else "right")
    for lane in result.lanes:
        u = lane["utilisation"]
        unlimited = lane.get("unlimited")
        lanes.add_row(escape(lane["lane"]), "unlimited" if unlimited else str(lane["staff"]),
                      "–" if u is None or unlimited else f"{u:.1%}",
                      _num(lane["waiting_minutes_per_case"] / 60),
                      f"{lane['cost_per_case']:,.0f}")
    console.print(lanes)
    tasks = Table(title="tasks (minutes per execution)")
    for col in ("task", "lane", "runs/case", "queue", "batch", "office closed", "work"):
        tasks.add_column(col, justify="left" if col in ("task", "lane") else "right")
    for task in result.tasks:
        tasks.add_row(_task_label({**task, "name": escape(task["name"] or ""),
                                   "id": escape(task["id"])}),
                      escape(task["lane"]),
                      f"{task['executions_per_case']:.2f}",
                      *(f"{max(task[k], 0.0) + 0.0:.1f}" for k in (
                          "queueing_minutes", "batching_minutes", "off_hours_minutes",
                          "processing_minutes")))
    console.print(tasks)
    if any(lane.get("unlimited") for lane in result.lanes):
        console.print("unlimited: the lane never made a case wait for a free person "
                      "(its staff far exceeds the cases in the system at once).")
    if result.handovers:
        console.print(_handover_table(result))
    for note in result.notes:
        console.print(f"note: {escape(note)}")


def _handover_table(result):
    """Hand-overs between pools in the first replication: how often and how long."""
    from rich.markup import escape
    from rich.table import Table

    cases = len({row["case"] for row in result.event_log}) or 1
    per_flow: dict = {}
    for row in result.handovers:
        per_flow.setdefault(row["flow"], []).append(row)
    t = Table(title="hand-overs between pools (first replication)")
    for col in ("message flow", "kind", "per case", "transfer h (mean)"):
        t.add_column(col, justify="left" if col in ("message flow", "kind") else "right")
    for flow, rows in per_flow.items():
        name = rows[0]["name"]
        label = f"{escape(name)}\n[dim]{escape(flow)}[/dim]" if name else escape(flow)
        hours = sum((r["arrived"] - r["sent"]).total_seconds() for r in rows) / 3600 / len(rows)
        t.add_row(label, rows[0]["kind"], f"{len(rows) / cases:.2f}", f"{hours:.2f}")
    return t


def _check_outputs(log_file, plot_file):
    """Refuse a bad --log/--plot path before simulating, not after minutes of work."""
    from pathlib import Path

    from ..errors import BpengineError

    if log_file and Path(log_file).suffix.lower() not in (".csv", ".xes"):
        suffix = Path(log_file).suffix.lower() or "(none)"
        raise BpengineError(f"--log {log_file}: unknown event log format {suffix!r}; "
                            "use a .csv or .xes file")
    for option, path in (("--log", log_file), ("--plot", plot_file)):
        if path and not Path(path).resolve().parent.is_dir():
            raise BpengineError(f"{option} {path}: cannot write there: the folder "
                                f"{Path(path).parent} does not exist")


@click.command()
@click.argument("model_file", type=click.Path(dir_okay=False))
@click.option("--scenario", "scenario_file", type=click.Path(dir_okay=False),
              help="Scenario YAML (default: MODEL's .scenario.yaml sidecar, else defaults).")
@click.option("--prosimos", "prosimos_file", type=click.Path(dir_okay=False),
              help="Prosimos JSON simulation parameters, imported as they are.")
@click.option("--cases", default=1000, show_default=True, type=click.IntRange(min=1),
              help="Measured cases per replication.")
@click.option("--replications", default=10, show_default=True, type=click.IntRange(min=1),
              help="Independent runs; the 95% intervals are over them (needs 2 or more).")
@click.option("--warmup", default=0.1, show_default=True, type=click.FloatRange(min=0),
              help="Unmeasured cases first: a count, or a fraction of --cases below 1.")
@click.option("--seed", default=7, show_default=True, type=int,
              help="The same seed gives the same numbers.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=0),
              help="Processes running replications side by side (0: one per CPU).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON, for tools.")
@click.option("--log", "log_file", type=click.Path(dir_okay=False),
              help="Write the first replication's event log (.csv or .xes).")
@click.option("--plot", "plot_file", type=click.Path(dir_okay=False),
              help="Draw the cycle-time distribution and waiting by lane (e.g. out.png).")
def simulate(model_file, scenario_file, prosimos_file, cases, replications, warmup, seed,
             workers, as_json, log_file, plot_file):
    """Simulate MODEL under office conditions and print KPIs with 95% confidence intervals."""
    from rich.console import Console

    if scenario_file and prosimos_file:
        raise click.UsageError("give --scenario or --prosimos, not both")
    _check_outputs(log_file, plot_file)
    model = load(model_file)
    scenario = load_scenario(scenario_file or prosimos_file, model)
    warm = int(warmup) if warmup >= 1 else float(warmup)
    # a pipe or file gets full lines, not an 80-column wrap of the task table
    stream = sys.stderr if as_json else sys.stdout
    console = Console(stderr=as_json, width=None if stream.isatty() else 140)
    update, close = _progress_bar(Console(stderr=True))
    try:
        result = run_simulation(model, scenario, cases=cases, seed=seed,
                                replications=replications, warmup=warm,
                                event_log=bool(log_file) or model.is_collaboration,
                                progress=update, workers=workers)
    finally:
        close()
    if log_file:
        write_event_log(result.event_log, log_file, name=result.model_name)
    if plot_file:
        plot_result(result, plot_file)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        _table(result, console)
        if log_file:
            console.print(f"event log: {log_file} ({len(result.event_log)} task executions)")
        if plot_file:
            console.print(f"plot: {plot_file}")
