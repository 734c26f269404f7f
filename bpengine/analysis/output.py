"""Findings as a readable table, as JSON for scripts, and as SARIF 2.1.0 for CI tools.

SARIF places each finding at the line of its first element in the BPMN file and names
every element as a logical location, so code-scanning dashboards show it next to the
model; the finding id goes into ``partialFingerprints`` so a dashboard tracks it across
runs.
"""

from __future__ import annotations

import json
import math
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..i18n import N_, _, format_number, ngettext, pgettext
from .rules import RULE_IDS, RULES

__all__ = [
    "RULE_DESCRIPTIONS",
    "findings_table",
    "findings_json",
    "findings_sarif",
    "metrics_table",
    "soundness_table",
    "saving_text",
    "portfolio_table",
]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
#: Short description of each rule (the first line of its docstring).
RULE_DESCRIPTIONS = {
    check.id: (check.__doc__ or check.id).strip().splitlines()[0] for check in RULES
}


def saving_text(saving) -> str:
    """``~1.02 working days per case (estimate, scenario)``: the parts that are not zero."""
    parts = []
    if round(saving.working_days, 2):
        parts.append(_("~{n} working days").format(n=format_number(saving.working_days, 2)))
    if round(saving.staff_hours, 2):
        parts.append(_("~{n} staff hours").format(n=format_number(saving.staff_hours, 2)))
    what = (
        _("{parts} per case").format(parts=", ".join(parts))
        if parts
        else _("none measurable per case")
    )
    return f"{what} ({_(saving.label)}, {_(saving.basis)})"


def findings_table(findings, model=None, width: int = 100) -> str:
    """A plain-text report: one block per finding, then a total of the savings."""
    if not findings:
        return (
            _("No findings.")
            if model is None
            else _("{name}: no findings.").format(name=model.name)
        )
    lines = (
        []
        if model is None
        else [
            f"{model.name}: "
            + ngettext("{n} finding", "{n} findings", len(findings)).format(n=len(findings)),
            "",
        ]
    )
    for f in findings:
        lines.append(f"{f.id}  [{_(f.severity)}] {f.rule} -> {_(f.suggestion)}")
        lines.extend(
            textwrap.wrap(
                _("steps:")
                + " "
                + "; ".join(
                    f"{e} ({n})" if n != e else e for e, n in zip(f.elements, f.names, strict=True)
                ),
                width,
                initial_indent="  ",
                subsequent_indent="    ",
            )
        )
        if f.lanes:
            lines.extend(
                textwrap.wrap(
                    _("lanes:") + " " + ", ".join(f.lanes),
                    width,
                    initial_indent="  ",
                    subsequent_indent="    ",
                )
            )
        lines.extend(
            textwrap.wrap(f.explanation, width, initial_indent="  ", subsequent_indent="  ")
        )
        if f.guard:
            lines.extend(
                textwrap.wrap(
                    _("guard:") + " " + f.guard,
                    width,
                    initial_indent="  ",
                    subsequent_indent="    ",
                )
            )
        if f.data:
            lines.append(
                "  "
                + _("data: {documents} (from {source})").format(
                    documents=", ".join(f.data), source=_(f.data_source or "none")
                )
            )
        lines.extend(
            textwrap.wrap(
                _("saving:") + " " + saving_text(f.saving),
                width,
                initial_indent="  ",
                subsequent_indent="    ",
            )
        )
        lines.append("")
    total = getattr(findings, "total", None)
    if total is not None:  # from analyze(): steps several findings share counted once
        days, hours, how = total.working_days, total.staff_hours, N_("overlap counted once")
    else:
        days = sum(f.saving.working_days for f in findings)
        hours = sum(f.saving.staff_hours for f in findings)
        how = N_("overlapping")
    lines.extend(
        textwrap.wrap(
            _(
                "Total if every suggestion were applied ({how}, {label}): ~{days} working "
                "days, ~{hours} staff hours per case."
            ).format(
                how=_(how),
                label=_(findings[0].saving.label),
                days=format_number(days, 1),
                hours=format_number(hours, 1),
            ),
            width,
        )
    )
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
    "cfc": N_("control-flow complexity (CFC)"),
    "cnc": N_("coefficient of connectivity (CNC)"),
    "expected_days": N_("expected work time, working days (no waiting)"),
    "critical_path_days": N_("critical path work time, working days"),
    "service_standard_days": N_("service standard, working days"),
    "working_time_exceeds_standard": N_("working time alone exceeds the standard"),
    "size": N_("size"),
    "complexity": N_("complexity"),
    "domain": N_("domain"),
    "time": N_("time"),
    "nodes": N_("nodes"),
    "activities": N_("activities"),
    "gateways": N_("gateways"),
    "events": N_("events"),
    "flows": N_("flows"),
    "message_flows": N_("message flows"),
    "lanes": N_("lanes"),
    "pools": N_("pools"),
    "data_objects": N_("data objects"),
    "density": N_("density"),
    "connector_degree_avg": N_("connector degree avg"),
    "connector_degree_max": N_("connector degree max"),
    "sequentiality": N_("sequentiality"),
    "separability": N_("separability"),
    "depth": N_("depth"),
    "cyclicity": N_("cyclicity"),
    "diameter": N_("diameter"),
    "token_split": N_("token split"),
    "connector_mismatch": N_("connector mismatch"),
    "connector_heterogeneity": N_("connector heterogeneity"),
    "approvals": N_("approvals"),
    "approvals_on_critical_path": N_("approvals on critical path"),
    "mandatory_steps": N_("mandatory steps"),
    "handoffs": N_("handoffs"),
    "lanes_on_critical_path": N_("lanes on critical path"),
    "ping_pongs": N_("ping pongs"),
    "rework_loops": N_("rework loops"),
    "knockouts": N_("knockouts"),
    "handovers": N_("hand-overs between pools"),
    "paper_handovers": N_("paper hand-overs"),
    "data_handovers": N_("data hand-overs"),
    "handovers_between_agencies": N_("hand-overs between agencies"),
    "paper_handovers_between_agencies": N_("paper hand-overs between agencies"),
    "agencies_visited": N_("agencies the applicant visits"),
    "documents_to_several_agencies": N_("documents handed to several agencies"),
    "transfer_days": N_("transfer time, working days"),
    "transfer_share": N_("share of the lead time in transfer"),
    "note": N_("note"),
    "critical_path": N_("critical path"),
    "agencies": N_("agencies"),
}


# soundness violation kinds, as the table names them
_KINDS = (
    N_("lack-of-synchronisation"),
    N_("deadlock"),
    N_("improper-completion"),
    N_("no-option-to-complete"),
    N_("dead-element"),
    N_("livelock"),
)


def _metric_label(key: str) -> str:
    return _(_METRIC_LABELS.get(key, key.replace("_", " ")))


def _metric_value(value) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if value is None:
        return "–"
    if isinstance(value, float):
        value = 0.0 if value == 0 else value
        if abs(value) >= 1000:
            return format_number(value, 0)
        digits = (
            2
            if abs(value) >= 1
            # 3 significant digits below 1
            else (max(0, 2 - math.floor(math.log10(abs(value)))) if value else 0)
        )
        text = format_number(value, digits)
        sep = format_number(0.5, 1)[1]
        return text.rstrip("0").rstrip(sep) if sep in text else text
    if isinstance(value, (list, tuple)):
        return " -> ".join(map(str, value))
    if isinstance(value, int):
        return format_number(value)
    return _(str(value))


def metrics_table(metrics: dict, width: int = 100) -> str:
    """Metrics as aligned ``label  value`` lines, one group (size, complexity, ...) each."""
    groups = {g: v for g, v in metrics.items() if isinstance(v, dict)}
    labels = [
        _metric_label(k)
        for v in groups.values()
        for k in v
        if k not in ("note", "basis", "critical_path")
    ]
    pad = max(map(len, labels), default=0)
    basis = metrics.get("basis")
    lines = [
        (_("metrics (durations from: {basis}):").format(basis=_(basis)) if basis else _("metrics:"))
    ]
    for group, values in groups.items():
        lines.append(f"  {_metric_label(group)}")
        tail = []
        for key, value in values.items():
            if key == "basis":
                continue
            if key in ("note", "critical_path"):
                tail.extend(
                    textwrap.wrap(
                        f"{_metric_label(key)}: {_metric_value(value)}",
                        width,
                        initial_indent="    ",
                        subsequent_indent="      ",
                    )
                )
                continue
            label = _metric_label(key)
            lines.append(f"    {label:<{pad}}  {_metric_value(value)}")
        lines.extend(tail)
    return "\n".join(lines)


def soundness_table(report, width: int = 100) -> str:
    """The soundness verdict and each violation with the firing sequence that shows it."""
    n = len(report.violations)
    head = (
        _("sound")
        if report.sound
        else ngettext("{n} violation", "{n} violations", n).format(n=n)
        if n
        else _("no violation found")
    )
    if not report.complete:
        head += "; " + _("state space exceeded {n} states, result incomplete").format(
            n=format_number(report.max_states)
        )
    lines = [
        _("soundness: {verdict} ({n} states explored)").format(
            verdict=head, n=format_number(report.states)
        )
    ]
    for v in report.violations:
        lines.extend(
            textwrap.wrap(
                f"{_(v.kind)}: {v.message}", width, initial_indent="  ", subsequent_indent="    "
            )
        )
        if v.path:
            lines.extend(
                textwrap.wrap(
                    _("path:") + " " + " -> ".join(v.path),
                    width,
                    initial_indent="    ",
                    subsequent_indent="      ",
                )
            )
    return "\n".join(lines)


def findings_json(findings, model=None, metrics=None, soundness=None) -> str:
    """JSON: ``{"model", "file", "findings": [...], "metrics"?, "soundness"?}``."""
    out = {
        "model": getattr(model, "name", None),
        "file": getattr(model, "file", None),
        "findings": [f.to_dict() for f in findings],
    }
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
    rules = [
        {
            "id": rid,
            "name": rid.title().replace("-", ""),
            "shortDescription": {"text": RULE_DESCRIPTIONS[rid]},
            "defaultConfiguration": {"level": "warning"},
        }
        for rid in RULE_IDS
    ]
    results = []
    for f in findings:
        first = model.elements.get(f.elements[0]) if f.elements else None
        location: dict[str, Any] = {
            "physicalLocation": {"artifactLocation": {"uri": uri}},
            "logicalLocations": [
                {"name": e, "fullyQualifiedName": e, "kind": "element"} for e in f.elements
            ],
        }
        if first is not None and first.line:
            location["physicalLocation"]["region"] = {"startLine": first.line}
        results.append(
            {
                "ruleId": f.rule,
                "level": f.severity,
                "message": {"text": f.explanation + (f" Guard: {f.guard}" if f.guard else "")},
                "locations": [location],
                "partialFingerprints": {"bpengineFindingId": f.id},
                "properties": {
                    "suggestion": f.suggestion,
                    "targets": list(f.targets),
                    "lanes": list(f.lanes),
                    "saving": {
                        "working_days": f.saving.working_days,
                        "staff_hours": f.saving.staff_hours,
                        "basis": f.saving.basis,
                        "label": f.saving.label,
                    },
                },
            }
        )
    if soundness is not None:
        kinds = sorted({v.kind for v in soundness.violations})
        rules += [
            {
                "id": f"soundness/{k}",
                "shortDescription": {"text": f"Soundness: {k}"},
                "defaultConfiguration": {"level": "error"},
            }
            for k in kinds
        ]
        for v in soundness.violations:
            el = model.elements.get(v.element) if v.element else None
            loc: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": uri}}}
            if el is not None and el.line:
                loc["physicalLocation"]["region"] = {"startLine": el.line}
            if v.element:
                loc["logicalLocations"] = [{"name": v.element, "kind": "element"}]
            results.append(
                {
                    "ruleId": f"soundness/{v.kind}",
                    "level": "error",
                    "message": {
                        "text": v.message + (f" Path: {' -> '.join(v.path)}" if v.path else "")
                    },
                    "locations": [loc],
                }
            )
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "bpengine",
                        "version": _version(),
                        "informationUri": "https://github.com/bpengine/bpengine",
                        "rules": rules,
                    }
                },
                "artifacts": [{"location": {"uri": uri}}],
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False)


def _columns(head: tuple[str, ...], rows: Sequence[tuple[Any, ...]]) -> list[str]:
    """Rows as left-aligned columns under a header (the last column is not padded)."""
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head) - 1)]
    return [
        "  ".join(
            [*(str(c).ljust(w) for c, w in zip(r, widths, strict=False)), str(r[-1])]
        ).rstrip()
        for r in [head, *rows]
    ]


def portfolio_table(portfolio, width: int = 100) -> str:
    """The view across procedures as plain text: documents, candidates, offices."""
    p, lines = portfolio, []
    short = {d["name"]: f"P{i + 1}" for i, d in enumerate(p.procedures)}

    def wrap(text, first="  ", rest="    "):
        lines.extend(textwrap.wrap(text, width, initial_indent=first, subsequent_indent=rest))

    lines.append(
        ngettext("{n} procedure:", "{n} procedures:", len(p.procedures)).format(n=len(p.procedures))
    )
    for d in p.procedures:
        lines.append(
            f"  {short[d['name']]}  {d['name']} ("
            + _("{steps} steps, {approvals} approvals").format(
                steps=d["steps"], approvals=d["approvals"]
            )
            + ")"
        )
        wrap(
            _("demands: {documents}").format(documents=", ".join(d["documents"]) or _("none")),
            "      ",
            "        ",
        )
    for group in p.versions:
        wrap(
            _("versions of one procedure (counted once below): {procedures}").format(
                procedures=", ".join(short[n] for n in group)
            )
        )
    lines += ["", _("Documents demanded by more than one procedure:")]
    rows = [
        (
            d.document,
            " ".join(short[n] for n in d.procedures),
            d.submissions,
            d.checks,
            len(d.offices),
        )
        for d in p.repeated_documents
    ]
    lines += (
        [
            "  " + r
            for r in _columns(
                (
                    _("document"),
                    _("procedures"),
                    _("hand-ins"),
                    pgettext("column", "checks"),
                    _("offices"),
                ),
                rows,
            )
        ]
        if rows
        else ["  " + _("none")]
    )
    once = [c for c in p.candidates if c.kind == "once-only"]
    shared = [c for c in p.candidates if c.kind == "shared-service"]
    for title, group in (
        (_("Once-only candidates (submit once, share the record):"), once),
        (_("Shared-service candidates (one desk for several procedures):"), shared),
    ):
        lines += ["", title]
        for c in group:
            wrap(c.explanation)
        if not group:
            lines.append("  " + _("none"))
    if p.shared_steps:
        lines += ["", _("Steps the procedures share (same office, same act, same documents):")]
        for s in p.shared_steps:
            wrap(f"{s.office}: " + "; ".join(f"{short[n]} {e} ({name})" for n, e, name in s.steps))
    lines += ["", _("Totals per office (each step once per case):")]
    office_rows = [
        (
            o.office + (" " + _("(applicant)") if o.applicant else ""),
            " ".join(short[n] for n in o.procedures),
            o.steps,
            o.approvals,
            o.checks,
            format_number(o.minutes_per_case / 60, 1),
        )
        for o in p.offices
    ]
    lines += [
        "  " + r
        for r in _columns(
            (
                _("office"),
                _("procedures"),
                _("steps"),
                _("approvals"),
                pgettext("column", "checks"),
                _("hours/case"),
            ),
            office_rows,
        )
    ]
    return "\n".join(lines)
