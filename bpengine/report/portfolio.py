"""The portfolio view as one self-contained HTML page (no script, no network).

A head of office sees, across the procedures of the agency, which papers the citizen is
asked for again and again, which offices several procedures pass through, and what to
do about it (submit once, one desk), followed by the totals per office.
"""
from __future__ import annotations

import datetime as dt
from html import escape

from .html import page_css

__all__ = ["render_portfolio"]


def _table(head, rows, num=()) -> str:
    cells = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f'<td class="num">{escape(str(c))}</td>' if i in num
                         else f"<td>{escape(str(c))}</td>" for i, c in enumerate(r)) + "</tr>"
        for r in rows)
    return f"<table><tr>{cells}</tr>{body}</table>"


def render_portfolio(portfolio, title: str = "Portfolio of procedures") -> str:
    """The :class:`~bpengine.analysis.portfolio.Portfolio` as an HTML string."""
    p = portfolio
    short = {d["name"]: f"P{i + 1}" for i, d in enumerate(p.procedures)}
    parts = [f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
             f'<meta name="viewport" content="width=device-width, initial-scale=1">'
             f"<title>{escape(title)}</title><style>{page_css()}</style></head><body>",
             f"<h1>{escape(title)}</h1>",
             f'<p class="meta">{len(p.procedures)} models &middot; generated '
             f"{dt.date.today().isoformat()} by bpengine</p>"]
    repeated = p.repeated_documents
    if repeated:
        parts.append('<p class="headline">' + escape(
            "Asked for by more than one procedure: " + ", ".join(
                f"{d.document} ({p.distinct(d.procedures)} procedures, {d.submissions} "
                f"hand-ins, {d.checks} checks)" for d in repeated) + ".") + "</p>")
    parts.append("<h2>Procedures and the documents each demands</h2>")
    parts.append(_table(("", "Procedure", "Steps", "Approvals", "Documents demanded"),
                        [(short[d["name"]], d["name"], d["steps"], d["approvals"],
                          ", ".join(d["documents"]) or "–") for d in p.procedures], (2, 3)))
    for group in p.versions:
        parts.append('<p class="meta">' + escape(
            "Versions of one procedure, counted once in what procedures share: "
            + ", ".join(f"{short[n]} {n}" for n in group)) + "</p>")
    parts.append("<h2>Documents demanded by more than one procedure</h2>")
    parts.append(_table(
        ("Document", "Called in the models", "Procedures", "Hand-ins", "Checks", "Checked by"),
        [(d.document, "; ".join(d.names), " ".join(short[n] for n in d.procedures),
          d.submissions, d.checks, ", ".join(d.offices)) for d in repeated], (3, 4))
        if repeated else "<p>None.</p>")
    parts.append("<h2>Candidates</h2>")
    if p.candidates:
        kind = {"once-only": "Submit once", "shared-service": "One shared service"}
        parts.append("<ol>" + "".join(
            f"<li><b>{escape(kind[c.kind])}: {escape(c.subject)}</b> &mdash; "
            f"{escape(c.explanation)}</li>" for c in p.candidates) + "</ol>")
    else:
        parts.append("<p>None.</p>")
    if p.shared_steps:
        parts.append("<h2>Steps the procedures share</h2>")
        parts.append(_table(("Office", "Documents", "Steps"), [
            (s.office, ", ".join(s.documents),
             "; ".join(f"{short[n]}: {name}" for n, _e, name in s.steps))
            for s in p.shared_steps]))
    parts.append("<h2>Totals per office</h2>")
    parts.append('<p class="meta">Each step counted once per case; working time from each '
                 "model's scenario (or the stated defaults).</p>")
    parts.append(_table(
        ("Office", "Procedures", "Steps", "Approvals", "Document checks", "Hours per case"),
        [(o.office + (" (applicant)" if o.applicant else ""),
          " ".join(short[n] for n in o.procedures), o.steps, o.approvals, o.checks,
          f"{o.minutes_per_case / 60:.1f}") for o in p.offices], (2, 3, 4, 5)))
    parts.append("</body></html>")
    return "\n".join(parts)
