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


def _table(result, console):
    from rich.table import Table

    t = Table(title=f"{result.model_name}: {result.cases} cases x {result.replications} "
                    f"replications (warm-up {result.warmup})")
    t.add_column("KPI")
    t.add_column("mean", justify="right")
    t.add_column("95% CI", justify="right")
    t.add_column("unit")
    for k in result.kpis.values():
        ci = "" if math.isnan(k.low) else f"{k.low:.4g} – {k.high:.4g}"
        t.add_row(k.name.replace("_", " "), f"{k.mean:.4g}", ci, k.unit)
    console.print(t)
    lanes = Table(title="lanes")
    for col in ("lane", "staff", "utilisation", "waiting min/case", "cost/case"):
        lanes.add_column(col, justify="left" if col == "lane" else "right")
    for lane in result.lanes:
        u = lane["utilisation"]
        lanes.add_row(lane["lane"], str(lane["staff"]), "" if u is None else f"{u:.1%}",
                      f"{lane['waiting_minutes_per_case']:.1f}", f"{lane['cost_per_case']:,.0f}")
    console.print(lanes)
    tasks = Table(title="tasks")
    for col in ("task", "lane", "runs/case", "queue min", "batch min", "off-hours min",
                "work min"):
        tasks.add_column(col, justify="left" if col in ("task", "lane") else "right")
    for task in result.tasks:
        tasks.add_row(f"{task['id']} {task['name']}", task["lane"],
                      f"{task['executions_per_case']:.2f}", f"{task['queueing_minutes']:.1f}",
                      f"{task['batching_minutes']:.1f}", f"{task['off_hours_minutes']:.1f}",
                      f"{task['processing_minutes']:.1f}")
    console.print(tasks)
    for note in result.notes:
        console.print(f"note: {note}")


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
                                event_log=bool(log_file), progress=update, workers=workers)
    finally:
        close()
    if log_file:
        write_event_log(result.event_log, log_file)
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
