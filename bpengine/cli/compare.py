"""`bpengine compare BEFORE AFTER`: structure and simulated KPIs side by side, with significance."""
from __future__ import annotations

import json
from pathlib import Path

import click

from ..model import load
from ..report.before_after import compare as compare_models
from .analyze import sidecar_scenario

__all__ = ["compare", "scenarios_for", "SIM_OPTIONS"]


def scenarios_for(before_file: str, after_file: str | None, scenario, after_scenario):
    """The scenario of each side: given, else the sidecar; AFTER falls back to BEFORE's."""
    sb = scenario or sidecar_scenario(before_file)
    sa = after_scenario or (sidecar_scenario(after_file) if after_file else None) or sb
    return (str(sb) if sb else None), (str(sa) if sa else None)


def SIM_OPTIONS(f):
    """The simulation options shared by compare, report and reengineer."""
    for opt in reversed([
        click.option("--scenario", "-s", type=click.Path(dir_okay=False),
                     help="Scenario of BEFORE (default: its x.scenario.yaml, if any)."),
        click.option("--after-scenario", type=click.Path(dir_okay=False),
                     help="Scenario of AFTER (default: its sidecar, else BEFORE's)."),
        click.option("--cases", type=click.IntRange(min=1), default=1000, show_default=True,
                     help="Measured cases per replication."),
        click.option("--replications", "-r", type=click.IntRange(min=2), default=10,
                     show_default=True, help="Replications per side (for CIs and tests)."),
        click.option("--seed", type=int, default=7, show_default=True,
                     help="Same seed on both sides: common random numbers."),
    ]):
        f = opt(f)
    return f


@click.command()
@click.argument("before", type=click.Path(dir_okay=False))
@click.argument("after", type=click.Path(dir_okay=False))
@SIM_OPTIONS
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write the table (or JSON) to this file instead of standard output.")
@click.option("--service-standard", metavar="DAYS",
              help="Judge both sides against this service standard (working days, or a "
                   "duration such as '5 working days'); default: BEFORE's scenario's.")
def compare(before, after, scenario, after_scenario, cases, replications, seed, fmt, output,
            service_standard):
    """Compare two models: structure, cycle time, waiting, handoffs, cost, SLA.

    Both are simulated on their scenarios with the same seed (common random numbers);
    every difference comes with its 95% CI and whether it is statistically significant
    (Welch's t-test over replication means). Both sides are judged against one service
    standard: BEFORE's, unless --service-standard gives another.
    """
    mb, ma = load(before), load(after)
    sb, sa = scenarios_for(before, after, scenario, after_scenario)
    result = compare_models(mb, ma, sb, cases, replications, seed, after_scenario=sa,
                            service_standard=service_standard)
    text = (json.dumps(result.to_dict(), indent=2, ensure_ascii=False) if fmt == "json"
            else f"{before} -> {after}\n{result.table()}\n{result.headline()}".rstrip())
    if output:
        Path(output).write_text(text + "\n", encoding="utf-8")
        click.echo(f"wrote {output}")
    else:
        click.echo(text)
