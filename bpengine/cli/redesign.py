"""`bpengine redesign IN.bpmn -o OUT.bpmn`: apply findings, write model, scenario, change log."""
from __future__ import annotations

from pathlib import Path

import click

from .. import analysis
from ..errors import BpengineError
from ..i18n import N_, _, language
from ..model import load
from ..redesign import apply_findings
from ..redesign.sidecars import write_outputs
from ..report.summary import change_sentence
from ..scenario.loading import read_yaml
from . import options
from .analyze import sidecar_scenario
from .help import command

__all__ = ["redesign", "select_findings"]


def select_findings(findings, apply: tuple[str, ...], file: str) -> list:
    """The findings named by ``--apply`` values: ``all``, rule ids or finding ids."""
    if not apply or "all" in apply:
        return list(findings)
    known_ids = {f.id for f in findings}
    for value in apply:
        if value not in analysis.RULE_IDS and value not in known_ids:
            ids = ", ".join(sorted(known_ids)) or _("none")
            raise BpengineError(_("--apply {value}: neither a rule id ({rules}) nor a finding of "
                                  "{file} (its findings: {ids})").format(
                value=value, rules=", ".join(analysis.RULE_IDS), file=file, ids=ids))
    return [f for f in findings if f.rule in apply or f.id in apply]


@command(N_("Rewrite a procedure without the steps its findings flag.\n\n"
            "Runs the analyzer, applies the selected findings' suggestions (eliminate, "
            "compose, parallelise, resequence, automate, integrate...: one transformation "
            "each), never removing a step marked mandatory, and writes OUT.bpmn with its "
            "diagram, OUT.scenario.yaml (removed steps dropped, composed durations summed) and "
            "OUT.changes.yaml (what changed and why)."))
@click.argument("file", type=click.Path(dir_okay=False))
@options.output(N_("Where to write the redesigned BPMN (its .scenario.yaml and .changes.yaml "
                   "go beside it; missing folders are created)."), required=True)
@click.option("--apply", "apply", multiple=True, metavar="all|RULE|FINDING-ID",
              help=N_("Which findings to apply (repeatable; default: all)."))
@click.option("--keep", multiple=True, metavar="ELEMENT-ID",
              help=N_("Never remove this element, whatever the findings say (repeatable)."))
@options.scenario()
def redesign(file, output, apply, keep, scenario):
    model = load(file)
    for ident in keep:
        if ident not in model.elements:
            raise BpengineError(_("--keep {id}: {file} has no element with that id").format(
                id=ident, file=file))
    scen_path = scenario or sidecar_scenario(file)
    if scen_path is not None and str(scen_path).endswith(".json"):
        raise BpengineError(_("--scenario {path}: only YAML scenarios can be carried across a "
                              "redesign").format(path=scen_path))
    raw = read_yaml(scen_path)
    from ..scenario import load_scenario

    scen = load_scenario(str(scen_path), model=model) if scen_path else None
    findings = analysis.analyze(model, scenario=scen)
    chosen = select_findings(findings, apply, file)
    done = apply_findings(model, chosen, keep=keep)
    new, applied, skipped = done.model, list(done.changes), list(done.skipped)
    written = write_outputs(new, raw, applied, skipped, Path(output), file)
    click.echo(f"{file}: " + _("{findings} findings, {chosen} selected, {applied} changes "
                               "applied, {skipped} skipped").format(
        findings=len(findings), chosen=len(chosen), applied=len(applied), skipped=len(skipped)))
    for c in applied:  # the change log's own words are English; other languages its sentence
        what = c.description if language() == "en" else change_sentence(c, model, new)
        click.echo("  " + _("changed:") + f" {what}" + (f" [{c.finding}]" if c.finding else ""))
    for s in skipped:
        click.echo("  " + _("skipped {finding}:").format(finding=s.finding) + f" {s.reason}")
    click.echo(_("wrote {files}").format(files=", ".join(str(p) for p in written)))
