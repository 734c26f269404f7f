"""Result tables exported as CSV and XLSX: numbers stay numbers, every table is there."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from bpengine import load, simulate
from bpengine.cli import main
from bpengine.errors import BpengineError
from bpengine.report.tables import csv_text, simulation_tables, write_tables
from tests.conftest import PROCESSES

DOMISILI = PROCESSES / "surat-keterangan-domisili.bpmn"


@pytest.fixture(scope="module")
def result():
    return simulate(load(DOMISILI), cases=40, replications=2)


def test_simulation_tables_carry_every_kpi_lane_and_task(result):
    kpis, lanes, tasks = simulation_tables(result)
    assert [r[0] for r in kpis.rows] == list(result.kpis)
    row = kpis.rows[[r[0] for r in kpis.rows].index("cycle_time_working_days")]
    k = result["cycle_time_working_days"]
    assert row[2:] == [round(k.mean, 6), round(k.low, 6), round(k.high, 6)]
    assert [r[0] for r in lanes.rows] == [lane["lane"] for lane in result.lanes]
    assert [r[0] for r in tasks.rows] == [t["id"] for t in result.tasks]


def test_csv_and_xlsx_hold_the_same_numbers(result, tmp_path):
    tables = simulation_tables(result)
    rows = list(csv.reader(io.StringIO(csv_text(tables[0]))))
    assert rows[0] == tables[0].columns
    assert len(rows) == len(tables[0].rows) + 1
    written = write_tables(tables, tmp_path / "sim.csv")
    assert [p.name for p in written] == ["sim.csv", "sim.lanes.csv", "sim.tasks.csv"]
    [book_path] = write_tables(tables, tmp_path / "sim.xlsx")
    book = load_workbook(book_path)
    assert book.sheetnames == ["kpis", "lanes", "tasks"]
    sheet = book["kpis"]
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == tables[0].columns
    assert [list(v) for v in values[1:]] == tables[0].rows  # numbers, not text
    assert isinstance(values[1][2], float)
    with pytest.raises(BpengineError, match=r"out\.txt: tables are written as \.csv or \.xlsx"):
        write_tables(tables, tmp_path / "out.txt")


@pytest.mark.parametrize(
    "args",
    [
        ["simulate", str(DOMISILI), "-n", "30", "-r", "2"],
        ["compare", str(DOMISILI), str(DOMISILI), "-n", "30", "-r", "2"],
        ["sweep", str(DOMISILI), "--vary", "lanes.Lurah.staff=1,2", "-n", "30", "-r", "2"],
        ["analyze", str(DOMISILI), "--no-soundness"],
        ["analyze", str(PROCESSES)],  # the portfolio: documents, offices, candidates
    ],
    ids=lambda a: a[0] + ("-portfolio" if a[1] == str(PROCESSES) else ""),
)
def test_every_table_command_prints_csv_and_writes_xlsx(tmp_path, args):
    runner = CliRunner()
    res = runner.invoke(main, [*args, "--format", "csv"])
    assert res.exit_code == 0, res.output
    rows = list(csv.reader(io.StringIO(res.output)))
    assert len(rows) >= 2
    assert len({len(r) for r in rows}) == 1
    out = tmp_path / "t.xlsx"
    res = runner.invoke(main, [*args, "-o", str(out)])
    assert res.exit_code == 0, res.output
    sheet = load_workbook(out).worksheets[0]
    assert [c.value for c in sheet[1]] == rows[0]
    assert sheet.max_row == len(rows)


def test_the_portfolio_workbook_has_its_three_tables(tmp_path):
    out = tmp_path / "portfolio.xlsx"
    res = CliRunner().invoke(main, ["analyze", str(PROCESSES), "-o", str(out)])
    assert res.exit_code == 0, res.output
    book = load_workbook(out)
    assert book.sheetnames == ["documents", "offices", "candidates"]
    head, *rows = book["documents"].iter_rows(values_only=True)
    ktp = [dict(zip(head, r, strict=True)) for r in rows if r[0] == "KTP"]
    assert ktp
    assert ktp[0]["distinct_procedures"] > 1
    assert "Surat Keterangan Domisili (sebelum reformasi)" in ktp[0]["procedures"]


def test_a_result_without_tables_is_refused_naming_the_file(tmp_path):
    with pytest.raises(BpengineError, match=r"x\.xlsx: this result has no table"):
        write_tables([], tmp_path / "x.xlsx")
