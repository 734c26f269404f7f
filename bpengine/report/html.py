"""One self-contained HTML report: diagrams, findings, changes, comparison, plots.

Everything is inline — CSS, the diagrams as SVG drawn from the models' DI, the plots as
base64 PNG — so the file can be mailed to a decision maker and opened offline. No
JavaScript, no fonts, images or styles fetched from the network.
"""
from __future__ import annotations

import base64
import datetime as dt
import io
import os
from html import escape
from pathlib import Path

from ..errors import BpengineError
from ..model import ProcessModel
from .diagram import DIAGRAM_CSS, HIGHLIGHTS, render_svg

__all__ = ["write_report", "render_report", "figure_png", "page_css"]

_CSS = """
body { font-family: Arial, Helvetica, sans-serif; margin: 24px auto; max-width: 1300px;
  color: #1b1b1b; padding: 0 16px; }
h1 { font-size: 24px; margin-bottom: 4px; } h2 { font-size: 19px; margin-top: 32px;
  border-bottom: 2px solid #ddd; padding-bottom: 4px; } h3 { font-size: 16px; }
.meta { color: #555; font-size: 13px; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; width: 100%; }
th, td { border: 1px solid #ccc; padding: 4px 7px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } td.num { text-align: right; white-space: nowrap; }
.better { color: #1b5e20; font-weight: bold; } .worse { color: #b71c1c; font-weight: bold; }
.diagram { border: 1px solid #ccc; padding: 6px; overflow-x: auto; margin: 8px 0 18px; }
.legend span { display: inline-block; margin-right: 18px; font-size: 13px; }
.legend i { display: inline-block; width: 14px; height: 14px; border: 3px solid; margin-right:
  5px; vertical-align: middle; }
.plots img { max-width: 100%; border: 1px solid #ddd; margin: 6px 0; }
.headline { background: #f1f8e9; border-left: 5px solid #2e7d32; padding: 10px 14px;
  font-size: 15px; }
.guard { color: #1a237e; font-size: 12px; }
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
    what = {"flagged": "flagged by a finding", "changed": "added or changed by the redesign",
            "removed": "removed by the redesign"}
    items = "".join(f'<span><i style="border-color:{s};background:{f}"></i>{what[k]}</span>'
                    for k, (s, f) in HIGHLIGHTS.items())
    return (f'<p class="legend">{items}<span><i style="border-color:#1a237e"></i>'
            "mandatory step (never removed)</span></p>")


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


def _findings_table(findings) -> str:
    if not findings:
        return "<p>No findings.</p>"
    rows = []
    for f in findings:
        saving = getattr(f, "saving", None)
        guard = f'<div class="guard">{escape(f.guard)}</div>' if getattr(f, "guard", None) else ""
        rows.append(
            f"<tr><td>{escape(f.id)}</td><td>{escape(f.rule)}</td>"
            f"<td>{escape(', '.join(f.names))}</td><td>{escape(', '.join(f.lanes))}</td>"
            f"<td>{escape(f.explanation)}{guard}</td><td>{escape(f.suggestion)}</td>"
            f"<td>{escape(str(saving)) if saving is not None else ''}</td></tr>")
    return ("<table><tr><th>Finding</th><th>Rule</th><th>Steps</th><th>Lanes</th>"
            "<th>Why</th><th>Suggested change</th><th>Estimated saving</th></tr>"
            + "".join(rows) + "</table>")


def _changes_list(changes) -> str:
    if not changes:
        return ""
    items = "".join(
        f"<li>{escape(c.description)}"
        + (f" <em>(finding {escape(c.finding)})</em>" if c.finding else "") + "</li>"
        for c in changes)
    return f"<h2>Changes made</h2><ol>{items}</ol>"


def _comparison_table(comparison) -> str:
    if comparison is None:
        return ""
    rows = []
    for m in comparison.metrics:
        cls = ""
        if m.change and (m.significant or m.kind == "structure"):
            good = (m.change < 0) == (m.better == "lower")
            cls = "better" if good else "worse"
        rows.append(
            f"<tr><td>{escape(m.label)}</td><td>{escape(m.unit)}</td>"
            f"<td class=num>{m.format(m.before, m.ci_before)}</td>"
            f"<td class=num>{m.format(m.after, m.ci_after)}</td>"
            f'<td class="num {cls}">{m.format_change()}</td>'
            f"<td>{escape(m.statement())}</td></tr>")
    head = escape(comparison.headline()) if hasattr(comparison, "headline") else ""
    return ("<h2>Before and after</h2>"
            + (f'<p class="headline">{head}</p>' if head else "")
            + f'<p class="meta">{escape(comparison.basis())}</p>'
            "<table><tr><th>Measure</th><th>Unit</th><th>Before (95% CI)</th>"
            "<th>After (95% CI)</th><th>Change</th><th>Is it real?</th></tr>"
            + "".join(rows) + "</table>")


def _plots(plots) -> str:
    if not plots:
        return ""
    imgs = []
    for title, png in plots.items():
        if not isinstance(png, (bytes, bytearray)):
            png = figure_png(png)
        data = base64.b64encode(png).decode("ascii")
        imgs.append(f"<h3>{escape(title)}</h3><img alt=\"{escape(title)}\" "
                    f"src=\"data:image/png;base64,{data}\">")
    return '<h2>Plots</h2><div class="plots">' + "".join(imgs) + "</div>"


def render_report(before: ProcessModel, after: ProcessModel | None = None, *, findings=(),
                  comparison=None, plots=None, changes=(), title: str | None = None) -> str:
    """The report as one HTML string (see :func:`write_report`)."""
    hb, ha = _highlights(before, after, findings, changes)
    title = title or (f"{before.name}: redesign report" if after is not None
                      else f"{before.name}: analysis report")
    parts = [f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
             f"<title>{escape(title)}</title><style>{_CSS}{DIAGRAM_CSS}</style></head><body>",
             f"<h1>{escape(title)}</h1>",
             f'<p class="meta">Before: {escape(str(before.file))}'
             + (f" &middot; After: {escape(str(after.file))}" if after is not None else "")
             + f" &middot; generated {dt.date.today().isoformat()} by bpengine</p>",
             _comparison_table(comparison),
             "<h2>Diagrams</h2>", _legend(),
             f"<h3>Before: {escape(before.name)}</h3>",
             f'<div class="diagram" id="before">{render_svg(before, hb, "before")}</div>']
    if after is not None:
        # a redesign keeps the process name ("... before reform"): say which file it is
        title = after.name if after.name != before.name else (
            f"{after.name}, redesigned ({Path(str(after.file)).name})")
        parts += [f"<h3>After: {escape(title)}</h3>",
                  f'<div class="diagram" id="after">{render_svg(after, ha, "after")}</div>']
    parts += [_plots(plots), _changes_list(changes), f"<h2>Findings ({len(findings)})</h2>",
              _findings_table(findings), "</body></html>"]
    return "\n".join(p for p in parts if p)


def write_report(before: ProcessModel, after: ProcessModel | None = None, *, findings=(),
                 comparison=None, plots=None, changes=(), path: str | os.PathLike,
                 title: str | None = None) -> Path:
    """Write ONE self-contained HTML file: diagrams, findings, changes, comparison, plots.

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

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    html = render_report(before, after, findings=findings, comparison=comparison, plots=plots,
                         changes=changes, title=title)
    target = Path(path)
    try:
        target.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise BpengineError(f"{target}: cannot write the report: {exc.strerror or exc}") from None
    return target
