"""One self-contained HTML report: summary, diagrams, changes, assumptions, appendix.

Written for a head of office first: a paragraph in plain words, a table of what changes,
the diagrams (zoom and pan with a small inline script; without the script they scroll),
the changes by step name, the plots, the scenario's assumptions with their sources. The
statistics (confidence intervals, Welch's t-test, p-values) and the analyst's finding ids
are in a technical appendix at the end. Everything is inline - CSS, the script, the
diagrams as SVG drawn from the models' DI, the plots as base64 PNG - so the file can be
mailed and opened offline; nothing is fetched from the network. An A4 print stylesheet
puts the diagrams on landscape pages and the appendix on its own.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import os
from html import escape
from pathlib import Path

from ..errors import BpengineError
from ..i18n import _, format_date, format_number, language
from ..model import ProcessModel
from .assumptions import assumptions_html
from .diagram import DIAGRAM_CSS, DIAGRAM_SCRIPT, HIGHLIGHTS, render_svg, subprocess_planes
from .summary import change_sentence, format_value, plain_rows, summary_paragraph, verdict

__all__ = ["write_report", "render_report", "figure_png", "page_css"]

_CSS = """
body { font-family: Arial, Helvetica, sans-serif; margin: 24px auto; max-width: 1300px;
  color: #1b1b1b; padding: 0 16px; line-height: 1.4; }
h1 { font-size: 24px; margin-bottom: 4px; } h2 { font-size: 19px; margin-top: 32px;
  border-bottom: 2px solid #ddd; padding-bottom: 4px; } h3 { font-size: 16px; }
.meta { color: #555; font-size: 13px; overflow-wrap: anywhere; }
nav { font-size: 14px; margin: 8px 0 0; } nav a { margin-right: 14px; color: #0d47a1; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; width: 100%; }
th, td { border: 1px solid #ccc; padding: 4px 7px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } td.num { text-align: right; white-space: nowrap; }
tr.group th { background: #e8eaf6; }
td.guess { color: #8d6e00; }
.range { color: #666; font-size: 12px; display: block; }
.scroll { overflow-x: auto; max-width: 100%; }
.better { color: #1b5e20; font-weight: bold; } .worse { color: #b71c1c; font-weight: bold; }
.legend span { display: inline-block; margin-right: 18px; font-size: 13px; }
.legend i { display: inline-block; width: 14px; height: 14px; border: 3px solid; margin-right:
  5px; vertical-align: middle; }
.plots img { max-width: 100%; border: 1px solid #ddd; margin: 6px 0; }
.headline { background: #f1f8e9; border-left: 5px solid #2e7d32; padding: 10px 14px;
  font-size: 16px; }
.guard { color: #1a237e; font-size: 12px; }
.appendix { margin-top: 48px; border-top: 3px double #999; }
.appendix h2 { font-size: 17px; }
@page { size: A4; margin: 14mm 12mm; }
@page landscape { size: A4 landscape; margin: 10mm; }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 11pt; }
  nav, .zoom { display: none; }
  h2, h3 { break-after: avoid; }
  tr, .headline, img { break-inside: avoid; }
  .diagrams { page: landscape; }
  .diagram-block { break-inside: avoid; }
  .scroll { overflow: visible; }
  .appendix, .assumptions { break-before: page; }
  a { color: inherit; text-decoration: none; }
}
"""


def page_css() -> str:
    """The report's page style (without the diagrams'), for other bpengine pages."""
    return _CSS


def figure_png(figure) -> bytes:
    """PNG bytes of a matplotlib figure (closed afterwards, so figures do not pile up)."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    figure.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    return buf.getvalue()


def _legend() -> str:
    what = {
        "flagged": _("flagged by a finding"),
        "changed": _("added or changed by the redesign"),
        "removed": _("removed by the redesign"),
    }
    items = "".join(
        f'<span><i style="border-color:{s};background:{f}"></i>{escape(what[k])}</span>'
        for k, (s, f) in HIGHLIGHTS.items()
    )
    return (
        f'<p class="legend">{items}<span><i style="border-color:#1a237e"></i>'
        + escape(_("mandatory step (never removed)"))
        + "</span></p>"
    )


def _highlights(before: ProcessModel, after: ProcessModel | None, findings, changes):
    flagged = {e for f in findings for e in getattr(f, "elements", ())}
    hb = {e: "flagged" for e in flagged if e in before.elements}
    ha = {}
    if after is not None:
        for e in before.elements:
            if e not in after.elements:
                hb[e] = "removed"
        for e in after.elements:
            if e not in before.elements:
                ha[e] = "changed"
        for c in changes:
            for e in getattr(c, "elements", ()):
                if e in after.elements:
                    ha[e] = "changed"
        for fid, flow in after.flows.items():
            old = before.flows.get(fid)
            if old is None or (old.source, old.target) != (flow.source, flow.target):
                ha[fid] = "changed"
    return hb, ha


def _suggestion(word: str) -> str:
    return {
        "eliminate": _("remove the step"),
        "compose": _("merge the steps into one"),
        "parallelise": _("let them work side by side"),
        "resequence": _("check earlier"),
        "reassign": _("give the work to one office"),
        "relocate-check": _("move the check to the front"),
        "notify": _("inform the office instead of asking for its signature"),
    }.get(word, word)


def _saving_words(saving) -> str:
    parts = []
    if round(saving.working_days, 1):
        parts.append(_("about {n} working days").format(n=format_number(saving.working_days, 1)))
    if round(saving.staff_hours, 1):
        parts.append(_("about {n} hours of work").format(n=format_number(saving.staff_hours, 1)))
    return (
        _("{what} per request").format(what=_(" and ").join(parts))
        if parts
        else _("nothing measurable")
    )


def _findings_plain(findings) -> str:
    if not findings:
        return "<p>" + escape(_("No findings.")) + "</p>"
    rows = []
    for f in findings:
        guard = f'<div class="guard">{escape(f.guard)}</div>' if getattr(f, "guard", None) else ""
        saving = getattr(f, "saving", None)
        rows.append(
            f"<tr><td>{escape('; '.join(f.names))}</td><td>{escape(', '.join(f.lanes))}</td>"
            f"<td>{escape(f.explanation)}{guard}</td><td>{escape(_suggestion(f.suggestion))}</td>"
            f"<td>{escape(_saving_words(saving)) if saving is not None else ''}</td></tr>"
        )
    head = (_("Steps"), _("Offices"), _("Why"), _("Suggested change"), _("Estimated saving"))
    return (
        '<div class="scroll"><table><tr>'
        + "".join(f"<th>{escape(h)}</th>" for h in head)
        + "</tr>"
        + "".join(rows)
        + "</table></div>"
    )


def _findings_technical(findings) -> str:
    if not findings:
        return ""
    rows = "".join(
        f"<tr><td>{escape(f.id)}</td><td>{escape(f.rule)}</td><td>{escape(f.severity)}</td>"
        f"<td>{escape(', '.join(f.elements))}</td><td>{escape(f.suggestion)}</td>"
        f"<td>{escape(str(f.saving)) if getattr(f, 'saving', None) is not None else ''}</td>"
        "</tr>"
        for f in findings
    )
    head = (
        _("Finding"),
        _("Rule"),
        _("Severity"),
        _("Element ids"),
        _("Suggestion"),
        _("Estimate"),
    )
    return (
        "<h3>"
        + escape(_("Findings"))
        + '</h3><div class="scroll"><table><tr>'
        + "".join(f"<th>{escape(h)}</th>" for h in head)
        + "</tr>"
        + rows
        + "</table></div>"
    )


def _changes_list(changes, before, after) -> str:
    if not changes:
        return ""
    items = "".join(f"<li>{escape(change_sentence(c, before, after))}</li>" for c in changes)
    return '<h2 id="changes">' + escape(_("Changes made")) + f"</h2><ol>{items}</ol>"


def _changes_technical(changes, before, after) -> str:
    if not changes:
        return ""
    # the change log's own description is English: other languages get the translated sentence
    items = "".join(
        f"<li>{escape(c.kind)} {escape(', '.join(c.elements))}: "
        + escape(c.description if language() == "en" else change_sentence(c, before, after))
        + (" <em>(" + escape(_("finding")) + f" {escape(c.finding)})</em>" if c.finding else "")
        + "</li>"
        for c in changes
    )
    return "<h3>" + escape(_("Change log")) + f"</h3><ol>{items}</ol>"


def _value_cell(m, value, ci) -> str:
    text = escape(format_value(m, value))
    if ci and ci[0] != ci[1] and m.kind != "structure":
        text += (
            f'<span class="range">{escape(format_value(m, ci[0]))} &ndash; '
            f"{escape(format_value(m, ci[1]))}</span>"
        )
    return f"<td class=num>{text}</td>"


def _unit_words(unit: str) -> str:
    return {
        "working days": _("working days"),
        "hours": _("hours per request"),
        "IDR": _("rupiah per request"),
        "share": _("share of requests"),
        "handoffs": _("per request"),
        "approvals": _("per request"),
        "steps": _("in the diagram"),
    }.get(unit, "")


def _comparison_plain(comparison) -> str:
    if comparison is None:
        return ""
    rows = []
    for m in plain_rows(comparison):
        cls, words = verdict(m)
        sign = "+" if m.change > 0 else "\u2212" if m.change < 0 else "\u00b1"
        change = sign + (
            format_value(m, abs(m.change))
            if m.unit != "share"
            else _("{n} points").format(n=format_number(abs(100 * m.change), 0))
        )
        unit = _unit_words(m.unit)
        label = escape(_(m.label)) + (f' <span class="range">{escape(unit)}</span>' if unit else "")
        rows.append(
            f"<tr><td>{label}</td>{_value_cell(m, m.before, m.ci_before)}"
            f"{_value_cell(m, m.after, m.ci_after)}"
            f'<td class="num {cls}">{escape(change)}</td>'
            f'<td class="{cls}">{escape(words)}</td></tr>'
        )
    head = (_("Measure"), _("Before"), _("After"), _("Change"), _("Is the change real?"))
    note = (
        _("Grey ranges: where the average lies in 95 of 100 repetitions of this study.")
        if comparison.replications
        else ""
    )
    return (
        '<div class="scroll"><table><tr>'
        + "".join(f"<th>{escape(h)}</th>" for h in head)
        + "</tr>"
        + "".join(rows)
        + "</table></div>"
        + (f'<p class="meta">{escape(note)}</p>' if note else "")
    )


def _comparison_technical(comparison) -> str:
    if comparison is None:
        return ""
    rows = []
    for m in comparison.metrics:
        rows.append(
            f"<tr><td>{escape(_(m.label))}</td><td>{escape(_(m.unit))}</td>"
            f"<td class=num>{m.format(m.before, m.ci_before)}</td>"
            f"<td class=num>{m.format(m.after, m.ci_after)}</td>"
            f"<td class=num>{m.format_change()}</td>"
            f"<td>{escape(m.statement())}</td></tr>"
        )
    return (
        "<h3>" + escape(_("Before and after, with the statistics")) + "</h3>"
        f'<p class="meta">{escape(comparison.basis())}</p>'
        '<div class="scroll"><table><tr>'
        + "".join(
            f"<th>{escape(h)}</th>"
            for h in (
                _("Measure"),
                _("Unit"),
                _("Before (95% CI)"),
                _("After (95% CI)"),
                _("Change"),
                _("Test"),
            )
        )
        + "</tr>"
        + "".join(rows)
        + "</table></div>"
    )


def _plots(plots) -> str:
    if not plots:
        return ""
    imgs = []
    for title, png in plots.items():
        if not isinstance(png, (bytes, bytearray)):
            png = figure_png(png)
        data = base64.b64encode(png).decode("ascii")
        imgs.append(
            f'<h3>{escape(_(title))}</h3><img alt="{escape(_(title))}" '
            f'src="data:image/png;base64,{data}">'
        )
    return (
        '<h2 id="plots">'
        + escape(_("Plots"))
        + '</h2><div class="plots">'
        + "".join(imgs)
        + "</div>"
    )


def _diagram(model, highlight, ident, heading) -> str:
    zoom_out, zoom_in = escape(_("zoom out")), escape(_("zoom in"))
    fit, how = escape(_("fit to width")), escape(_("drag to move, Ctrl + wheel to zoom"))
    controls = (
        '<div class="zoom" aria-label="zoom">'
        f'<button type="button" data-zoom="out" title="{zoom_out}">&minus;</button>'
        f'<button type="button" data-zoom="in" title="{zoom_in}">+</button>'
        f'<button type="button" data-zoom="fit">{fit}</button>'
        '<button type="button" data-zoom="one">100%</button>'
        f"<span>{how}</span></div>"
    )
    # a subprocess drawn collapsed has its steps on a diagram of its own: drawn below, so a
    # change inside it is seen
    inside = _("Inside {name}")
    inner = "".join(
        f"<h4>{escape(inside.format(name=repr(name)))}</h4>"
        f'<div class="diagram" id="{ident}-{escape(sub)}">'
        f"{render_svg(model, highlight, name, plane=sub)}</div>"
        for sub, name in subprocess_planes(model)
    )
    return (
        f'<div class="diagram-block"><h3>{escape(heading)}</h3>{controls}'
        f'<div class="diagram" id="{ident}">{render_svg(model, highlight, heading)}</div>'
        f"{inner}</div>"
    )


def render_report(
    before: ProcessModel,
    after: ProcessModel | None = None,
    *,
    findings=(),
    comparison=None,
    plots=None,
    changes=(),
    title: str | None = None,
    scenario=None,
    conformance=None,
) -> str:
    """The report as one HTML string (see :func:`write_report`)."""
    hb, ha = _highlights(before, after, findings, changes)
    title = title or (
        _("{name}: redesign report").format(name=before.name)
        if after is not None
        else _("{name}: analysis report").format(name=before.name)
    )
    meta = (
        _("Before: {file}").format(file=before.file)
        + (" \u00b7 " + _("After: {file}").format(file=after.file) if after is not None else "")
        + " \u00b7 "
        + _("generated {date} by bpengine").format(date=format_date(dt.date.today()))
    )
    links = [
        ("summary", _("Summary")),
        ("diagrams", _("Diagrams")),
        ("changes", _("Changes made")) if changes else None,
        ("findings", _("Findings")),
        ("conformance", _("Records")) if conformance is not None else None,
        ("assumptions", _("Assumptions")),
        ("appendix", _("Technical appendix")),
    ]
    nav = " ".join(f'<a href="#{a}">{escape(t)}</a>' for a, t in filter(None, links))
    summary = summary_paragraph(comparison, changes, before, after)
    if not summary:
        n = len(findings)
        summary = (
            _(
                "The analysis flags {n} places where the procedure may ask for more "
                "approvals than it needs; they are listed below with what each would "
                "save."
            ).format(n=n)
            if n
            else _("The analysis flags nothing.")
        )
    parts = [
        f'<!DOCTYPE html><html lang="{language()}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_CSS}{DIAGRAM_CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">{escape(meta)}</p>',
        f"<nav>{nav}</nav>",
        '<section id="summary"><h2>' + escape(_("Summary")) + "</h2>"
        f'<p class="headline">{escape(summary)}</p>{_comparison_plain(comparison)}'
        "</section>",
        '<section class="diagrams" id="diagrams"><h2>'
        + escape(_("Diagrams"))
        + "</h2>"
        + _legend()
        + _diagram(before, hb, "before", _("Before: {name}").format(name=before.name)),
    ]
    if after is not None:
        # a redesign keeps the process name ("... before reform"): say which file it is
        name = (
            after.name
            if after.name != before.name
            else _("{name}, redesigned ({file})").format(
                name=after.name, file=Path(str(after.file)).name
            )
        )
        parts.append(_diagram(after, ha, "after", _("After: {name}").format(name=name)))
    parts.append("</section>")
    parts += [
        _changes_list(changes, before, after),
        _plots(plots),
        '<h2 id="findings">' + escape(_("Findings")) + f" ({len(findings)})</h2>",
        _findings_plain(findings),
        conformance.html_section(_) if conformance is not None else "",
        assumptions_html(_scenario(scenario, before), before),
        '<section class="appendix" id="appendix"><h2>'
        + escape(_("Technical appendix"))
        + '</h2><p class="meta">'
        + escape(
            _(
                "For the analyst: the statistical test behind each statement, the change "
                "log with element ids, and the findings by rule."
            )
        )
        + "</p>",
        _comparison_technical(comparison),
        _changes_technical(changes, before, after),
        _findings_technical(findings),
        "</section>",
        f"<script>{DIAGRAM_SCRIPT}</script></body></html>",
    ]
    return "\n".join(p for p in parts if p)


def _scenario(scenario, model):
    """A Scenario for the assumptions page: given, a path, a dict, or None."""
    if scenario is None:
        return None
    from ..scenario import Scenario, load_scenario

    if isinstance(scenario, Scenario):
        return scenario
    return load_scenario(scenario, model=model)


def write_report(
    before: ProcessModel,
    after: ProcessModel | None = None,
    *,
    findings=(),
    comparison=None,
    plots=None,
    changes=(),
    path: str | os.PathLike,
    title: str | None = None,
    scenario=None,
    conformance=None,
) -> Path:
    """Write ONE self-contained HTML file: summary, diagrams, changes, assumptions, appendix.

    Parameters
    ----------
    before, after : ProcessModel
        The model as it is and (optionally) as redesigned; both are drawn from their DI,
        flagged elements highlighted in ``before``, added or changed ones in ``after``.
    findings : sequence of Finding
        Listed with explanations; their elements are highlighted.
    comparison : Comparison, optional
        The before/after table (:func:`bpengine.report.compare`).
    plots : dict, optional
        Title -> PNG bytes or matplotlib figure; embedded as base64 PNG.
    changes : sequence of Change
        The redesign's change log.
    path : path-like
        Where to write the HTML.
    scenario : Scenario, path or dict, optional
        The scenario the numbers ran on: its assumptions page lists each value with the
        source its YAML file gives.
    conformance : ConformanceResult, optional
        How the agency's records follow ``before`` (:func:`bpengine.records.conformance`):
        a section with the cases that fit and the deviations.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    html = render_report(
        before,
        after,
        findings=findings,
        comparison=comparison,
        plots=plots,
        changes=changes,
        title=title,
        scenario=scenario,
        conformance=conformance,
    )
    target = Path(path)
    try:
        target.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise BpengineError(
            _("{target}: cannot write the report: {reason}").format(
                target=target, reason=exc.strerror or exc
            )
        ) from None
    return target
