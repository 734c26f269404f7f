"""Conformance: every deviation injected into a clean log is found, and none on the clean log."""

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bpengine import load, simulate
from bpengine.cli import main
from bpengine.records import read_log
from bpengine.records.conformance import conformance
from bpengine.sim.eventlog import write_event_log

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "processes" / "surat-keterangan-domisili.bpmn"
MAIN = [
    "Task_siapkan_berkas",
    "Task_datang_ke_rt",
    "Task_ttd_rt",
    "Task_bawa_ke_rw",
    "Task_ttd_rw",
    "Task_ke_kelurahan",
    "Task_verifikasi_kelurahan",
    "Task_buat_konsep",
    "Task_paraf_kasi",
    "Task_ttd_lurah",
    "Task_nomor_kelurahan",
    "Task_bawa_ke_kecamatan",
    "Task_verifikasi_kecamatan",
    "Task_ttd_camat",
    "Task_register_kecamatan",
    "Task_terima_surat",
]


@pytest.fixture(scope="module")
def rows():
    return simulate(MODEL, cases=80, replications=1, warmup=0, seed=5).event_log


def _cases(rows):
    out: dict = {}
    for r in sorted(rows, key=lambda r: (r["case"], r["start"], r["end"])):
        out.setdefault(r["case"], []).append(r)
    return out


def _inject(rows):
    """A copy of the log with one skip, one swap, one unknown and one extra step."""
    cases = _cases([dict(r) for r in rows])
    plain = [c for c, rs in cases.items() if [r["activity"] for r in rs] == MAIN]
    skip, swap, unknown, extra = plain[:4]
    cases[skip] = [r for r in cases[skip] if r["activity"] != "Task_ttd_rw"]
    paraf, ttd = (
        next(r for r in cases[swap] if r["activity"] == a)
        for a in ("Task_paraf_kasi", "Task_ttd_lurah")
    )
    for key in ("enabled", "start", "end"):  # the lurah signed before the kasi's paraf
        paraf[key], ttd[key] = ttd[key], paraf[key]
    last = cases[unknown][5]
    cases[unknown].append(
        {
            **last,
            "activity": "Minta tanda tangan kepala dusun",
            "name": "Minta tanda tangan kepala dusun",
            "start": last["end"],
            "end": last["end"] + dt.timedelta(minutes=5),
        }
    )
    camat = next(r for r in cases[extra] if r["activity"] == "Task_ttd_camat")
    end = cases[extra][-1]["end"]
    cases[extra].append(
        {**camat, "enabled": end, "start": end, "end": end + dt.timedelta(minutes=5)}
    )
    injected = [r for rs in cases.values() for r in rs]
    expected = {
        ("skipped", "Task_ttd_rw", str(skip)),
        ("unknown", "Minta tanda tangan kepala dusun", str(unknown)),
        ("inserted", "Task_ttd_camat", str(extra)),
    }
    return injected, expected, str(swap)


@pytest.mark.parametrize("suffix", [".csv", ".xes"])
def test_clean_log_has_no_deviation(rows, tmp_path, suffix):
    path = tmp_path / f"clean{suffix}"
    write_event_log(rows, path)
    result = conformance(load(MODEL), read_log(path))
    assert result.deviations == []
    assert result.not_fitting == []
    assert result.fitting == result.cases == 80
    assert result.fitness == 1.0


def test_every_injected_deviation_is_found(rows, tmp_path):
    injected, expected, swapped = _inject(rows)
    path = tmp_path / "injected.csv"
    write_event_log(injected, path)
    result = conformance(load(MODEL), read_log(path))
    found = {(d.kind, d.activity, c) for d in result.deviations for c in d.cases}
    assert expected <= found
    reordered = {(a, c) for k, a, c in found if k == "reordered"}
    assert reordered
    assert {c for _, c in reordered} == {swapped}
    assert {a for a, _ in reordered} <= {"Task_paraf_kasi", "Task_ttd_lurah"}
    assert found - expected - {("reordered", a, c) for a, c in reordered} == set()
    assert sorted(result.not_fitting, key=int) == sorted({c for _, _, c in found}, key=int)
    assert result.fitting == 76
    assert 0.99 < result.fitness < 1.0


def test_cli_text_json_and_html(rows, tmp_path):
    injected, _, _ = _inject(rows)
    path = tmp_path / "injected.xes"
    write_event_log(injected, path)
    runner = CliRunner()
    r = runner.invoke(main, ["conformance", str(MODEL), str(path)])
    assert r.exit_code == 0, r.output
    assert "76 of 80 cases (95.0%) follow the model" in r.output
    assert any(
        line.startswith("skipped") and "Task_ttd_rw" in line for line in r.output.splitlines()
    )
    r = runner.invoke(main, ["conformance", str(MODEL), str(path), "--format", "json"])
    doc = json.loads(r.output)
    assert doc["cases"] == 80
    assert doc["fitting_cases"] == 76
    assert {d["kind"] for d in doc["deviations"]} == {"skipped", "inserted", "reordered", "unknown"}
    html = tmp_path / "c.html"
    r = runner.invoke(main, ["conformance", str(MODEL), str(path), "-o", str(html)])
    assert r.exit_code == 0
    text = html.read_text(encoding="utf-8")
    assert '<section id="conformance">' in text
    assert "Minta tanda tangan kepala dusun" in text


def test_names_and_a_mapping_file_match_activities(rows, tmp_path):
    model = load(MODEL)
    renamed = [{**r, "activity": model.elements[r["activity"]].name} for r in rows]
    renamed[0]["activity"] = renamed[0]["name"] = "Siapkan berkas (KTP, KK)"
    path = tmp_path / "names.csv"
    write_event_log(renamed, path)
    first = str(renamed[0]["case"])
    result = conformance(model, read_log(path))
    assert [(d.kind, d.activity, d.cases) for d in result.deviations] == [
        ("skipped", "Task_siapkan_berkas", [first]),
        ("unknown", "Siapkan berkas (KTP, KK)", [first]),
    ]
    mapping = {"Siapkan berkas (KTP, KK)": "Task_siapkan_berkas"}
    assert conformance(model, read_log(path), mapping).deviations == []


def test_the_html_report_has_the_records_section(rows, tmp_path):
    injected, _, _ = _inject(rows)
    path = tmp_path / "injected.csv"
    write_event_log(injected, path)
    out = tmp_path / "report.html"
    r = CliRunner().invoke(main, ["report", str(MODEL), "-o", str(out), "--log", str(path)])
    assert r.exit_code == 0, r.output
    text = out.read_text(encoding="utf-8")
    assert '<a href="#conformance">' in text
    section = text[text.index('<section id="conformance">') :]
    assert "76 of 80 cases (95.0%) follow the model" in section
    assert "Task_ttd_rw" in section
    assert "reordered" in section


def test_the_records_section_speaks_indonesian(rows, tmp_path):
    injected, _, _ = _inject(rows)
    path = tmp_path / "injected.csv"
    write_event_log(injected, path)
    out = tmp_path / "c.html"
    r = CliRunner().invoke(
        main, ["--lang", "id", "conformance", str(MODEL), str(path), "-o", str(out)]
    )
    assert r.exit_code == 0, r.output
    text = out.read_text(encoding="utf-8")
    assert "76 dari 80 kasus (95,0%) mengikuti model" in text
    assert "terlewati" in text
    assert "Penyimpangan" in text
    assert "follow the model" not in text


def test_the_text_table_cuts_with_an_ellipsis_and_names_whole_case_ids(rows, tmp_path):
    # engine case ids are UUIDs: three did not fit the column and the last was cut mid-id,
    # and a long step name was cut mid-word without a sign
    import uuid

    cases = _cases([dict(r) for r in rows])
    plain = [c for c, rs in cases.items() if [r["activity"] for r in rs] == MAIN][:5]
    ids = {c: str(uuid.UUID(int=k + 1)) for k, c in enumerate(plain)}
    log = [
        {**r, "case": ids.get(r["case"], r["case"])}
        for c, rs in cases.items()
        for r in rs
        if not (c in ids and r["activity"] == "Task_ttd_rw")
    ]
    path = tmp_path / "skipped.csv"
    write_event_log(log, path)
    text = conformance(load(MODEL), read_log(path)).table()
    line = next(x for x in text.splitlines() if x.startswith("skipped") and "Task_ttd_rw" in x)
    assert "Task_ttd_rw (Periksa pengantar RT dan KTP/KK, tanda tangani…  " in line
    examples = line.rsplit("  ", 1)[1].split(", ")
    assert examples[-1] == "…"
    assert examples[:-1]
    assert set(examples[:-1]) <= set(ids.values())
