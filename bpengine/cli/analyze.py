"""`bpengine analyze FILE`: findings, metrics and soundness of one model."""
from __future__ import annotations

import click

from .. import analysis
from ..analysis import DEFAULT_MAX_STATES, RULE_IDS, findings_json, findings_sarif, findings_table
from ..analysis.output import metrics_table, soundness_table
from ..model import load
from ..report.tables import findings_tables
from ..scenario import load_scenario
from ..scenario.loading import sidecar_path
from . import options
from .output import emit

__all__ = ["analyze", "sidecar_scenario"]


sidecar_scenario = sidecar_path  # the CLI commands' name for it


def _load_scenario(file, scenario, no_scenario, model, overrides=()):
    if no_scenario:
        return None, None
    source = scenario or sidecar_scenario(file)
    if source is None and not overrides:
        return None, None
    sc = load_scenario(str(source) if source else None, model=model, overrides=overrides)
    return sc, sc.source


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@options.scenario("Scenario YAML for durations and probabilities (default: the "
                  "x.scenario.yaml next to FILE, if any).")
@click.option("--no-scenario", is_flag=True, help="Ignore any sidecar; use stated defaults.")
@options.overrides()
@options.output_format("text", "json", "csv", "sarif")
@click.option("--metrics", "with_metrics", is_flag=True, help="Also compute model metrics.")
@click.option("--soundness/--no-soundness", "with_soundness", default=True, show_default=True,
              help="Check soundness by token-game exploration.")
@click.option("--max-states", type=click.IntRange(min=1), default=DEFAULT_MAX_STATES,
              show_default=True, help="State budget of the soundness check.")
@click.option("--rule", "rules", multiple=True, type=click.Choice(RULE_IDS),
              help="Run only this rule (repeatable).")
@options.output("Write the report to FILE instead of standard output; .xlsx or .csv: the "
                "findings as a table.")
@options.quiet()
def analyze(file, scenario, no_scenario, overrides, fmt, with_metrics, with_soundness,
            max_states, rules, output, quiet):
    """Flag the approval steps that add nothing, with the redesign each suggests.

    Prints findings (rule, steps, lanes, explanation, suggestion, estimated saving) as a
    table, JSON, CSV or SARIF 2.1.0; with --metrics also size, complexity and timing metrics.
    """
    if no_scenario and (scenario or overrides):
        raise click.UsageError("--no-scenario ignores every scenario; drop --scenario/--set")
    model = load(file)
    scen, scen_path = _load_scenario(file, scenario, no_scenario, model, overrides)
    findings = analysis.analyze(model, scen, rules=rules or None)
    found_metrics = analysis.metrics(model, scen) if with_metrics else None
    report = analysis.soundness(model, max_states=max_states) if with_soundness else None
    if fmt == "sarif":
        fmt, text = "text", findings_sarif(findings, model, report)
    else:
        parts = [f"scenario: {scen_path or 'none (stated defaults)'}",
                 findings_table(findings, model)]
        if found_metrics is not None:
            parts.append(metrics_table(found_metrics))
        if report is not None:
            parts.append(soundness_table(report))
        text = "\n\n".join(parts)
    emit(fmt, output, text=text,
         data=lambda: findings_json(findings, model, found_metrics, report),
         tables=lambda: findings_tables(findings), quiet=True)
