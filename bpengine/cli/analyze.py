"""`bpengine analyze FILE`: findings, metrics and soundness of one model; with a folder or
several files, the portfolio view across procedures."""

from __future__ import annotations

from pathlib import Path

import click

from .. import analysis
from ..analysis import DEFAULT_MAX_STATES, RULE_IDS, findings_json, findings_sarif, findings_table
from ..analysis.output import metrics_table, portfolio_table, soundness_table
from ..analysis.portfolio import portfolio
from ..errors import BpengineError
from ..i18n import N_, _
from ..model import load
from ..report.tables import findings_tables, portfolio_tables
from ..scenario import load_scenario
from ..scenario.loading import sidecar_path
from . import options
from .help import command
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


def _model_files(paths) -> list[str]:
    """The BPMN files named, a folder standing for the ``*.bpmn`` files in it."""
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(str(f) for f in p.glob("*.bpmn"))
            if not found:
                raise BpengineError(_("{folder}: no .bpmn files in this folder").format(folder=p))
            out += found
        else:
            out.append(str(p))
    return out


def _portfolio(files, scenario, no_scenario, overrides, fmt, output):
    if scenario or overrides:
        raise BpengineError(
            _(
                "--scenario/--set: one scenario cannot serve several models; "
                "each model uses its own x.scenario.yaml (or --no-scenario)"
            )
        )
    if fmt == "sarif":
        raise BpengineError(
            _("--format sarif: is for one model; use text, json, csv or html for several")
        )
    models = [load(f) for f in files]
    scens = [_load_scenario(f, None, no_scenario, m)[0] for f, m in zip(files, models, strict=True)]
    view = portfolio(models, scens)
    if fmt == "html":
        from ..report.portfolio import render_portfolio

        text = render_portfolio(view)
    else:
        text = portfolio_table(view)
    emit(
        fmt, output, text=text, data=view.to_json, tables=lambda: portfolio_tables(view), quiet=True
    )


@command(
    N_(
        "Flag the approval steps that add nothing, with the redesign each suggests.\n\n"
        "PATHS is one BPMN file, several, or a folder. One file: findings (rule, steps, "
        "lanes, explanation, suggestion, estimated saving) as text, JSON, CSV, SARIF 2.1.0 "
        "or an HTML page; with --metrics also size, complexity and timing metrics. Several "
        "files or a folder: the portfolio view across procedures (documents each demands, "
        "offices they share, once-only and shared-service candidates, totals per office)."
    )
)
@click.argument("paths", metavar="FILE...", nargs=-1, required=True, type=click.Path())
@options.scenario(
    N_(
        "Scenario YAML for durations and probabilities (default: the "
        "x.scenario.yaml next to FILE, if any)."
    )
)
@click.option("--no-scenario", is_flag=True, help=N_("Ignore any sidecar; use stated defaults."))
@options.overrides()
@options.output_format("text", "json", "csv", "sarif", "html")
@click.option("--metrics", "with_metrics", is_flag=True, help=N_("Also compute model metrics."))
@click.option(
    "--soundness/--no-soundness",
    "with_soundness",
    default=True,
    show_default=True,
    help=N_("Check soundness by token-game exploration."),
)
@click.option(
    "--max-states",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_STATES,
    show_default=True,
    help=N_("State budget of the soundness check."),
)
@click.option(
    "--rule",
    "rules",
    multiple=True,
    type=click.Choice(RULE_IDS),
    help=N_("Run only this rule (repeatable)."),
)
@options.output(
    N_(
        "Write the report to FILE instead of standard output; .xlsx or .csv: the "
        "findings as a table."
    )
)
@options.quiet()
def analyze(
    paths,
    scenario,
    no_scenario,
    overrides,
    fmt,
    with_metrics,
    with_soundness,
    max_states,
    rules,
    output,
    quiet,
):
    if no_scenario and (scenario or overrides):
        raise click.UsageError(_("--no-scenario ignores every scenario; drop --scenario/--set"))
    files = _model_files(paths)
    if len(files) > 1 or Path(paths[0]).is_dir():
        _portfolio(files, scenario, no_scenario, overrides, fmt, output)
        return
    file = files[0]
    model = load(file)
    scen, scen_path = _load_scenario(file, scenario, no_scenario, model, overrides)
    given = scen if scen is not None else {}  # {}: none, not even a sidecar (--no-scenario)
    findings = analysis.analyze(model, scenario=given, rules=rules or None)
    found_metrics = analysis.metrics(model, scenario=given).to_dict() if with_metrics else None
    report = analysis.soundness(model, max_states=max_states) if with_soundness else None
    if fmt == "sarif":
        fmt, text = "text", findings_sarif(findings, model, report)
    elif fmt == "html":
        from ..report import render_report

        text = render_report(model, findings=findings, scenario=scen)
    else:
        parts = [
            _("scenario: {source}").format(source=scen_path or _("none (stated defaults)")),
            findings_table(findings, model),
        ]
        if found_metrics is not None:
            parts.append(metrics_table(found_metrics))
        if report is not None:
            parts.append(soundness_table(report))
        text = "\n\n".join(parts)
    emit(
        fmt,
        output,
        text=text,
        data=lambda: findings_json(findings, model, found_metrics, report),
        tables=lambda: findings_tables(findings),
        quiet=True,
    )
