"""The portfolio view as one self-contained HTML page (no script, no network).

A head of office sees, across the procedures of the agency, which papers the citizen is
asked for again and again, which offices several procedures pass through, and what to
do about it (submit once, one desk), followed by the totals per office.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from ..i18n import _, format_date, format_number, language
from .html import page_css

__all__ = ["render_portfolio"]


def _table(head, rows, num=()) -> str:
    cells = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{escape(str(c))}</td>' if i in num else f"<td>{escape(str(c))}</td>"
            for i, c in enumerate(r)
        )
        + "</tr>"
        for r in rows
    )
    return f"<table><tr>{cells}</tr>{body}</table>"


def render_portfolio(portfolio, title: str | None = None) -> str:
    """The :class:`~bpengine.analysis.portfolio.Portfolio` as an HTML string."""
    p, title = portfolio, title or _("Portfolio of procedures")
    short = {d["name"]: f"P{i + 1}" for i, d in enumerate(p.procedures)}
    parts = [
        f'<!DOCTYPE html><html lang="{language()}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{page_css()}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        '<p class="meta">'
        + escape(
            _("{n} models \u00b7 generated {date} by bpengine").format(
                n=len(p.procedures), date=format_date(dt.date.today())
            )
        )
        + "</p>",
    ]
    repeated = p.repeated_documents
    if repeated:
        parts.append(
            '<p class="headline">'
            + escape(
                _("Asked for by more than one procedure: {documents}.").format(
                    documents=", ".join(
                        _(
                            "{document} ({n} procedures, {submissions} hand-ins, {checks} checks)"
                        ).format(
                            document=d.document,
                            n=p.distinct(d.procedures),
                            submissions=d.submissions,
                            checks=d.checks,
                        )
                        for d in repeated
                    )
                )
            )
            + "</p>"
        )
    parts.append("<h2>" + escape(_("Procedures and the documents each demands")) + "</h2>")
    parts.append(
        _table(
            ("", _("Procedure"), _("Steps"), _("Approvals"), _("Documents demanded")),
            [
                (
                    short[d["name"]],
                    d["name"],
                    d["steps"],
                    d["approvals"],
                    ", ".join(d["documents"]) or "–",
                )
                for d in p.procedures
            ],
            (2, 3),
        )
    )
    for group in p.versions:
        parts.append(
            '<p class="meta">'
            + escape(
                _("Versions of one procedure, counted once in what procedures share:")
                + " "
                + ", ".join(f"{short[n]} {n}" for n in group)
            )
            + "</p>"
        )
    parts.append("<h2>" + escape(_("Documents demanded by more than one procedure")) + "</h2>")
    parts.append(
        _table(
            (
                _("Document"),
                _("Called in the models"),
                _("Procedures"),
                _("Hand-ins"),
                _("Checks"),
                _("Checked by"),
            ),
            [
                (
                    d.document,
                    "; ".join(d.names),
                    " ".join(short[n] for n in d.procedures),
                    d.submissions,
                    d.checks,
                    ", ".join(d.offices),
                )
                for d in repeated
            ],
            (3, 4),
        )
        if repeated
        else "<p>" + escape(_("None.")) + "</p>"
    )
    parts.append("<h2>" + escape(_("Candidates")) + "</h2>")
    if p.candidates:
        kind = {"once-only": _("Submit once"), "shared-service": _("One shared service")}
        parts.append(
            "<ol>"
            + "".join(
                f"<li><b>{escape(kind[c.kind])}: {escape(c.subject)}</b> &mdash; "
                f"{escape(c.explanation)}</li>"
                for c in p.candidates
            )
            + "</ol>"
        )
    else:
        parts.append("<p>" + escape(_("None.")) + "</p>")
    if p.shared_steps:
        parts.append("<h2>" + escape(_("Steps the procedures share")) + "</h2>")
        parts.append(
            _table(
                (_("Office"), _("Documents"), _("Steps")),
                [
                    (
                        s.office,
                        ", ".join(s.documents),
                        "; ".join(f"{short[n]}: {name}" for n, _e, name in s.steps),
                    )
                    for s in p.shared_steps
                ],
            )
        )
    parts.append("<h2>" + escape(_("Totals per office")) + "</h2>")
    parts.append(
        '<p class="meta">'
        + escape(
            _(
                "Each step counted once per case; working time from each model's scenario (or the "
                "stated defaults)."
            )
        )
        + "</p>"
    )
    parts.append(
        _table(
            (
                _("Office"),
                _("Procedures"),
                _("Steps"),
                _("Approvals"),
                _("Document checks"),
                _("Hours per case"),
            ),
            [
                (
                    o.office + (" " + _("(applicant)") if o.applicant else ""),
                    " ".join(short[n] for n in o.procedures),
                    o.steps,
                    o.approvals,
                    o.checks,
                    format_number(o.minutes_per_case / 60, 1),
                )
                for o in p.offices
            ],
            (2, 3, 4, 5),
        )
    )
    parts.append("</body></html>")
    return "\n".join(parts)
