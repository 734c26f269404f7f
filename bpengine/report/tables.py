"""Result tables as data: CSV (standard library) and Excel workbooks (openpyxl).

Every command's result becomes a list of :class:`Table` (a name, column headings, rows of
plain numbers and texts, no formatting), written by one exporter whatever the command:
:func:`csv_text` for standard output, :func:`write_tables` for a file chosen by its suffix
(``.xlsx``: one sheet per table; ``.csv``: one file per table, the first at the path given
and the others beside it as ``name.<table>.csv``). Numbers stay numbers, so a spreadsheet
can sort and chart them; confidence intervals are two columns, low and high.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BpengineError
from ..i18n import _

__all__ = [
    "Table",
    "simulation_tables",
    "comparison_tables",
    "sweep_tables",
    "findings_tables",
    "portfolio_tables",
    "csv_text",
    "write_tables",
    "TABLE_SUFFIXES",
]

TABLE_SUFFIXES = (".csv", ".xlsx")


@dataclass
class Table:
    """One table: ``name`` (sheet name), ``columns`` and ``rows`` of str/int/float/None."""

    name: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)


def _n(x):
    """A number for a cell: NaN and None become an empty cell, floats keep 6 digits."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return round(x, 6) if isinstance(x, float) else x


def simulation_tables(result) -> list[Table]:
    """KPIs (mean, 95% CI), lanes and tasks of a :class:`~bpengine.sim.SimulationResult`."""
    kpis = Table("kpis", ["kpi", "unit", "mean", "ci95_low", "ci95_high"])
    for name, k in result.kpis.items():
        kpis.rows.append([name, k.unit, _n(k.mean), _n(k.low), _n(k.high)])
    lane_cols = [
        "lane",
        "staff",
        "unlimited",
        "utilisation",
        "offered_load",
        "waiting_minutes_per_case",
        "cost_per_case",
    ]
    lanes = Table("lanes", lane_cols)
    for lane in result.lanes:
        lanes.rows.append(
            [_n(lane.get(c)) if c != "unlimited" else bool(lane.get(c)) for c in lane_cols]
        )
    task_cols = [
        "id",
        "name",
        "lane",
        "executions_per_case",
        "queueing_minutes",
        "batching_minutes",
        "off_hours_minutes",
        "processing_minutes",
        "paused_minutes",
    ]
    tasks = Table("tasks", task_cols)
    for task in result.tasks:
        tasks.rows.append([_n(task.get(c)) for c in task_cols])
    return [kpis, lanes, tasks]


def comparison_tables(comparison) -> list[Table]:
    """The before/after rows of a :class:`~bpengine.report.Comparison`."""
    t = Table(
        "comparison",
        [
            "key",
            "measure",
            "unit",
            "before",
            "before_ci95_low",
            "before_ci95_high",
            "after",
            "after_ci95_low",
            "after_ci95_high",
            "change",
            "pct_change",
            "p_value",
            "significant",
        ],
    )
    for m in comparison.metrics:
        cb, ca = m.ci_before or (None, None), m.ci_after or (None, None)
        t.rows.append(
            [
                m.key,
                m.label,
                m.unit,
                _n(m.before),
                _n(cb[0]),
                _n(cb[1]),
                _n(m.after),
                _n(ca[0]),
                _n(ca[1]),
                _n(m.change),
                _n(m.pct),
                _n(m.p_value),
                m.significant if m.p_value is not None else None,
            ]
        )
    return [t]


def sweep_tables(result) -> list[Table]:
    """One row per point of a :class:`~bpengine.sim.sweep.Sweep`: values, KPIs, utilisation."""
    from ..sim.sweep import SWEEP_KPIS

    names = [k for k in SWEEP_KPIS if result.points and k in result.points[0].result.kpis]
    lanes = result.lanes_varied()
    cols = list(result.paths)
    for k in names:
        cols += [k, f"{k}_ci95_low", f"{k}_ci95_high"]
    for lane in lanes:
        cols += [f"utilisation {lane}", f"offered_load {lane}"]
    t = Table("sweep", cols)
    for p in result.points:
        row = [
            p.values[path] if isinstance(p.values[path], (int, float)) else str(p.values[path])
            for path in result.paths
        ]
        for k in names:
            kpi = p.result.kpis[k]
            row += [_n(kpi.mean), _n(kpi.low), _n(kpi.high)]
        for lane in lanes:
            row += [_n(p.lane_utilisation(lane)), _n(p.lane_offered_load(lane))]
        t.rows.append(row)
    return [t]


def findings_tables(findings) -> list[Table]:
    """One row per finding of :func:`bpengine.analyze`."""
    t = Table(
        "findings",
        [
            "id",
            "rule",
            "severity",
            "suggestion",
            "elements",
            "names",
            "lanes",
            "saving_working_days",
            "saving_staff_hours",
            "saving_basis",
            "explanation",
        ],
    )
    for f in findings:
        t.rows.append(
            [
                f.id,
                f.rule,
                f.severity,
                f.suggestion,
                "; ".join(f.elements),
                "; ".join(f.names),
                "; ".join(f.lanes),
                _n(f.saving.working_days),
                _n(f.saving.staff_hours),
                f.saving.label,
                f.explanation,
            ]
        )
    return [t]


def portfolio_tables(portfolio) -> list[Table]:
    """Documents demanded, offices and candidates of a portfolio view across procedures."""
    docs = Table(
        "documents",
        ["document", "procedures", "distinct_procedures", "hand_ins", "checks", "checked_by"],
    )
    for d in portfolio.documents:
        docs.rows.append(
            [
                d.document,
                "; ".join(d.procedures),
                portfolio.distinct(d.procedures),
                d.submissions,
                d.checks,
                "; ".join(d.offices),
            ]
        )
    offices = Table(
        "offices",
        [
            "office",
            "applicant",
            "procedures",
            "steps",
            "approvals",
            "document_checks",
            "minutes_per_case",
        ],
    )
    for o in portfolio.offices:
        offices.rows.append(
            [
                o.office,
                o.applicant,
                "; ".join(o.procedures),
                o.steps,
                o.approvals,
                o.checks,
                _n(o.minutes_per_case),
            ]
        )
    cands = Table("candidates", ["kind", "subject", "procedures", "steps_saved", "explanation"])
    for c in portfolio.candidates:
        cands.rows.append(
            [c.kind, c.subject, "; ".join(c.procedures), c.steps_saved, c.explanation]
        )
    return [docs, offices, cands]


def csv_text(table: Table) -> str:
    """The table as CSV text (a header line, then one line per row)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows([["" if v is None else v for v in row] for row in table.rows])
    return buf.getvalue()


def write_tables(tables: list[Table], path) -> list[Path]:
    """Write ``tables`` to ``path`` by its suffix; returns the files written.

    Raises
    ------
    BpengineError
        An unknown suffix or a file that cannot be written, naming the path.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if not tables:
        raise BpengineError(
            _("{path}: this result has no table to write as {suffix}").format(
                path=path, suffix=suffix
            )
        )
    try:
        if suffix == ".xlsx":
            _write_xlsx(tables, path)
            return [path]
        if suffix == ".csv":
            written = []
            for i, table in enumerate(tables):
                target = path if i == 0 else path.with_name(f"{path.stem}.{table.name}.csv")
                target.write_text(csv_text(table), encoding="utf-8")
                written.append(target)
            return written
    except OSError as exc:
        raise BpengineError(
            _("{path}: cannot write: {why}").format(path=path, why=exc.strerror or exc)
        ) from None
    raise BpengineError(
        _("{path}: tables are written as {suffixes}, not {suffix}").format(
            path=path,
            suffixes=_(" or ").join(TABLE_SUFFIXES),
            suffix=repr(suffix) if suffix else _("a file without suffix"),
        )
    )


def _write_xlsx(tables: list[Table], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    if book.active is not None:  # a new workbook has one empty sheet: ours replace it
        book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(table.name[:31])  # Excel's limit on sheet names
        sheet.append(table.columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append(row)
        sheet.freeze_panes = "A2"
        for i, col in enumerate(table.columns, 1):  # wide enough for the heading and values
            width = max([len(str(col))] + [len(str(r[i - 1])) for r in table.rows[:200]])
            sheet.column_dimensions[sheet.cell(1, i).column_letter].width = min(width + 2, 60)
    book.save(path)
