"""Findings as a readable table, as JSON for scripts, and as SARIF 2.1.0 for CI tools.

SARIF places each finding at the line of its first element in the BPMN file and names
every element as a logical location, so code-scanning dashboards show it next to the
model; the finding id goes into ``partialFingerprints`` so a dashboard tracks it across
runs.
"""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

from .rules import RULES

__all__ = ["RULE_DESCRIPTIONS", "findings_table", "findings_json", "findings_sarif",
           "metrics_table", "soundness_table", "saving_text", "portfolio_table"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
#: Short description of each rule (the first line of its docstring).
RULE_DESCRIPTIONS = {rule_id: (check.__doc__ or rule_id).strip().splitlines()[0]
                     for rule_id, check in RULES}


def _count(n: int, noun: str, plural: str | None = None) -> str:
    """``1 finding``, ``2 findings``."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def saving_text(saving) -> str:
    """``~1.02 working days per case (estimate, scenario)``: the parts that are not zero."""
    parts = []
    if round(saving.working_days, 2):
        parts.append(f"~{saving.working_days:.2f} working days")
    if round(saving.staff_hours, 2):
        parts.append(f"~{saving.staff_hours:.2f} staff hours")
    what = ", ".join(parts) + " per case" if parts else "none measurable per case"
    return f"{what} ({saving.label}, {saving.basis})"


def findings_table(findings, model=None, width: int = 100) -> str:
    """A plain-text report: one block per finding, then a total of the savings."""
    if not findings:
        return "No findings." if model is None else f"{model.name}: no findings."
    lines = [] if model is None else [f"{model.name}: {_count(len(findings), 'finding')}", ""]
    for f in findings:
        lines.append(f"{f.id}  [{f.severity}] {f.rule} -> {f.suggestion}")
        lines.extend(textwrap.wrap("steps: " + "; ".join(
            f"{e} ({n})" if n != e else e for e, n in zip(f.elements, f.names, strict=True)),
            width, initial_indent="  ", subsequent_indent="    "))
        if f.lanes:
            lines.extend(textwrap.wrap(f"lanes: {', '.join(f.lanes)}", width,
                                       initial_indent="  ", subsequent_indent="    "))
        lines.extend(textwrap.wrap(f.explanation, width, initial_indent="  ",
                                   subsequent_indent="  "))
        if f.guard:
            lines.extend(textwrap.wrap("guard: " + f.guard, width, initial_indent="  ",
                                       subsequent_indent="    "))
        if f.data:
            lines.append(f"  data: {', '.join(f.data)} (from {f.data_source})")
        lines.extend(textwrap.wrap(f"saving: {saving_text(f.saving)}", width,
                                   initial_indent="  ", subsequent_indent="    "))
        lines.append("")
    days = sum(f.saving.working_days for f in findings)
    hours = sum(f.saving.staff_hours for f in findings)
    lines.extend(textwrap.wrap(
        f"Total if every suggestion were applied (overlapping, {findings[0].saving.label}): "
        f"~{days:.1f} working days, ~{hours:.1f} staff hours per case.", width))
    return "\n".join(lines)


def _clean(value):
    """Metrics for JSON: -0.0 (floating-point residue) becomes 0.0, recursively."""
    if isinstance(value, float):
        return 0.0 if value == 0 else value
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


# metric key -> label where the key alone does not say what it is or in which unit
_METRIC_LABELS = {
    "cfc": "control-flow complexity (CFC)",
    "cnc": "coefficient of connectivity (CNC)",
    "expected_days": "expected work time, working days (no waiting)",
    "critical_path_days": "critical path work time, working days",
    "service_standard_days": "service standard, working days",
    "working_time_exceeds_standard": "working time alone exceeds the standard",
}


def _metric_value(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "–"
    if isinstance(value, float):
        value = 0.0 if value == 0 else value
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}" if abs(value) < 1 \
            else f"{value:.2f}".rstrip("0").rstrip(".")
    if isinstance(value, (list, tuple)):
        return " -> ".join(map(str, value))
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def metrics_table(metrics: dict, width: int = 100) -> str:
    """Metrics as aligned ``label  value`` lines, one group (size, complexity, ...) each."""
    groups = {g: v for g, v in metrics.items() if isinstance(v, dict)}
    labels = [_METRIC_LABELS.get(k, k.replace("_", " ")) for v in groups.values() for k in v
              if k not in ("note", "basis", "critical_path")]
    pad = max(map(len, labels), default=0)
    basis = metrics.get("basis")
    lines = ["metrics" + (f" (durations from: {basis})" if basis else "") + ":"]
    for group, values in groups.items():
        lines.append(f"  {group}")
        tail = []
        for key, value in values.items():
            if key == "basis":
                continue
            if key in ("note", "critical_path"):
                label = "note" if key == "note" else "critical path"
                tail.extend(textwrap.wrap(f"{label}: {_metric_value(value)}", width,
                                          initial_indent="    ", subsequent_indent="      "))
                continue
            label = _METRIC_LABELS.get(key, key.replace("_", " "))
            lines.append(f"    {label:<{pad}}  {_metric_value(value)}")
        lines.extend(tail)
    return "\n".join(lines)


def soundness_table(report, width: int = 100) -> str:
    """The soundness verdict and each violation with the firing sequence that shows it."""
    n = len(report.violations)
    head = ("sound" if report.sound else _count(n, "violation") if n else "no violation found")
    if not report.complete:
        head += f"; state space exceeded {report.max_states:,} states, result incomplete"
    lines = [f"soundness: {head} ({report.states:,} states explored)"]
    for v in report.violations:
        lines.extend(textwrap.wrap(f"{v.kind}: {v.message}", width, initial_indent="  ",
                                   subsequent_indent="    "))
        if v.path:
            lines.extend(textwrap.wrap("path: " + " -> ".join(v.path), width,
                                       initial_indent="    ", subsequent_indent="      "))
    return "\n".join(lines)


def findings_json(findings, model=None, metrics=None, soundness=None) -> str:
    """JSON: ``{"model", "file", "findings": [...], "metrics"?, "soundness"?}``."""
    out = {"model": getattr(model, "name", None), "file": getattr(model, "file", None),
           "findings": [f.to_dict() for f in findings]}
    if metrics is not None:
        out["metrics"] = _clean(metrics)
    if soundness is not None:
        out["soundness"] = soundness.to_dict()
    return json.dumps(out, indent=2, ensure_ascii=False)


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("bpengine")
    except Exception:  # noqa: BLE001 - not installed: still a valid report
        return "0"


def findings_sarif(findings, model, soundness=None) -> str:
    """A SARIF 2.1.0 log with one run of tool ``bpengine``.

    Soundness violations, when given, are reported as results of rule
    ``soundness/<kind>`` at level ``error``.
    """
    uri = model.file if model.file != "<bytes>" else "model.bpmn"
    if Path(uri).is_absolute():  # SARIF wants a URI: file:///..., not a bare absolute path
        uri = Path(uri).as_uri()
    rules = [{"id": rid, "name": rid.title().replace("-", ""),
              "shortDescription": {"text": RULE_DESCRIPTIONS[rid]},
              "defaultConfiguration": {"level": "warning"}} for rid, _ in RULES]
    results = []
    for f in findings:
        first = model.elements.get(f.elements[0]) if f.elements else None
        location = {"physicalLocation": {"artifactLocation": {"uri": uri}},
                    "logicalLocations": [{"name": e, "fullyQualifiedName": e, "kind": "element"}
                                         for e in f.elements]}
        if first is not None and first.line:
            location["physicalLocation"]["region"] = {"startLine": first.line}
        results.append({
            "ruleId": f.rule, "level": f.severity,
            "message": {"text": f.explanation + (f" Guard: {f.guard}" if f.guard else "")},
            "locations": [location],
            "partialFingerprints": {"bpengineFindingId": f.id},
            "properties": {"suggestion": f.suggestion, "targets": list(f.targets),
                           "lanes": list(f.lanes),
                           "saving": {"working_days": f.saving.working_days,
                                      "staff_hours": f.saving.staff_hours,
                                      "basis": f.saving.basis, "label": f.saving.label}},
        })
    if soundness is not None:
        kinds = sorted({v.kind for v in soundness.violations})
        rules += [{"id": f"soundness/{k}", "shortDescription": {"text": f"Soundness: {k}"},
                   "defaultConfiguration": {"level": "error"}} for k in kinds]
        for v in soundness.violations:
            el = model.elements.get(v.element) if v.element else None
            loc = {"physicalLocation": {"artifactLocation": {"uri": uri}}}
            if el is not None and el.line:
                loc["physicalLocation"]["region"] = {"startLine": el.line}
            if v.element:
                loc["logicalLocations"] = [{"name": v.element, "kind": "element"}]
            results.append({"ruleId": f"soundness/{v.kind}", "level": "error",
                            "message": {"text": v.message + (
                                f" Path: {' -> '.join(v.path)}" if v.path else "")},
                            "locations": [loc]})
    log = {
        "$schema": SARIF_SCHEMA, "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "bpengine", "version": _version(),
                                "informationUri": "https://github.com/bpengine/bpengine",
                                "rules": rules}},
            "artifacts": [{"location": {"uri": uri}}],
            "results": results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False)


def _columns(head, rows) -> list[str]:
    """Rows as left-aligned columns under a header (the last column is not padded)."""
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head) - 1)]
    return ["  ".join([*(str(c).ljust(w) for c, w in zip(r, widths, strict=False)),
                       str(r[-1])]).rstrip() for r in [head, *rows]]


def portfolio_table(portfolio, width: int = 100) -> str:
    """The view across procedures as plain text: documents, candidates, offices."""
    p, lines = portfolio, []
    short = {d["name"]: f"P{i + 1}" for i, d in enumerate(p.procedures)}
    lines.append(f"{_count(len(p.procedures), 'procedure')}:")
    for d in p.procedures:
        lines.append(f"  {short[d['name']]}  {d['name']} ({d['steps']} steps, "
                     f"{d['approvals']} approvals)")
        lines.extend(textwrap.wrap("demands: " + (", ".join(d["documents"]) or "none"), width,
                                   initial_indent="      ", subsequent_indent="        "))
    for group in p.versions:
        lines.extend(textwrap.wrap(
            "versions of one procedure (counted once below): "
            + ", ".join(short[n] for n in group), width, initial_indent="  ",
            subsequent_indent="    "))
    lines += ["", "Documents demanded by more than one procedure:"]
    rows = [(d.document, " ".join(short[n] for n in d.procedures), d.submissions, d.checks,
             len(d.offices)) for d in p.repeated_documents]
    lines += ["  " + r for r in _columns(
        ("document", "procedures", "hand-ins", "checks", "offices"), rows)] if rows else \
        ["  none"]
    once = [c for c in p.candidates if c.kind == "once-only"]
    shared = [c for c in p.candidates if c.kind == "shared-service"]
    for title, group in (("Once-only candidates (submit once, share the record):", once),
                         ("Shared-service candidates (one desk for several procedures):",
                          shared)):
        lines += ["", title]
        for c in group or ():
            lines.extend(textwrap.wrap(c.explanation, width,
                                       initial_indent="  ", subsequent_indent="    "))
        if not group:
            lines.append("  none")
    if p.shared_steps:
        lines += ["", "Steps the procedures share (same office, same act, same documents):"]
        for s in p.shared_steps:
            lines.extend(textwrap.wrap(
                f"{s.office}: " + "; ".join(f"{short[n]} {e} ({name})" for n, e, name in s.steps),
                width, initial_indent="  ", subsequent_indent="    "))
    lines += ["", "Totals per office (each step once per case):"]
    rows = [(o.office + (" (applicant)" if o.applicant else ""),
             " ".join(short[n] for n in o.procedures), o.steps, o.approvals, o.checks,
             f"{o.minutes_per_case / 60:.1f}") for o in p.offices]
    lines += ["  " + r for r in _columns(
        ("office", "procedures", "steps", "approvals", "checks", "hours/case"), rows)]
    return "\n".join(lines)
