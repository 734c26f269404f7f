"""The portfolio view across procedures (bpengine.analysis.portfolio) and `analyze FOLDER`."""

from __future__ import annotations

import json

from click.testing import CliRunner

from bpengine import load
from bpengine.analysis.portfolio import demanded_documents, portfolio
from bpengine.cli import main

from ..conftest import PROCESSES, process_files


def _shipped():
    return [load(f) for f in process_files()]


def test_shipped_processes_list_the_ktp_as_demanded_by_several_procedures():
    view = portfolio(_shipped())
    repeated = {d.document: d for d in view.repeated_documents}
    assert "KTP" in repeated
    ktp = repeated["KTP"]
    names = set(ktp.procedures)
    # residence certificate, building approval and the business licence all want the KTP
    assert any("Domisili" in n for n in names)
    assert any("PBG" in n for n in names)
    assert ktp.submissions >= 3
    assert ktp.checks > ktp.submissions
    assert "Fotokopi KTP" in ktp.names
    assert "KTP pemohon" in ktp.names
    once = [c for c in view.candidates if c.kind == "once-only"]
    assert once
    assert once[0].subject == "KTP"
    assert once[0].steps_saved > 0


def test_before_and_after_of_one_reform_count_as_one_procedure():
    view = portfolio(_shipped())
    assert any(
        {
            "Perizinan Berusaha sebelum OSS (s.d. 2018)",
            "Perizinan Berusaha Berbasis Risiko melalui OSS-RBA (PP 5/2021)",
        }
        <= set(v)
        for v in view.versions
    )
    # the two versions share their steps, but that is not a saving across procedures
    assert all(view.distinct(s.procedures) > 1 for s in view.shared_steps)
    ktp = next(d for d in view.repeated_documents if d.document == "KTP")
    assert view.distinct(ktp.procedures) == len(ktp.procedures) - 1


def test_offices_shared_by_procedures_are_totalled():
    view = portfolio(_shipped())
    office = {o.office: o for o in view.offices}
    kepala = office["Kepala DPMPTSP"]
    assert len(kepala.procedures) == 3
    assert kepala.approvals == kepala.steps > 0
    assert kepala.minutes_per_case > 0
    assert office["Pemohon"].applicant
    assert not kepala.applicant
    assert any(
        c.kind == "shared-service" and c.subject == "Kepala DPMPTSP" for c in view.candidates
    )
    # the applicant is served, never a shared service
    assert not any(
        c.kind == "shared-service" and office[c.subject].applicant for c in view.candidates
    )


def test_what_the_procedure_itself_produces_is_not_demanded():
    demanded = demanded_documents(load(PROCESSES / "surat-keterangan-domisili.bpmn"))
    assert {"KTP", "KK"} <= set(demanded)
    assert "surat pengantar" not in demanded  # the RT writes it inside the procedure
    assert "surat keterangan" not in demanded


def test_documents_are_matched_across_procedures_by_kind(procedure):
    a = procedure(
        {
            "s": ("start", "", "Pemohon"),
            "t": ("task", "Serahkan fotokopi KK", "Pemohon"),
            "u": ("task", "Verifikasi kartu keluarga", "Petugas"),
            "e": ("end", "", "Petugas"),
        },
        ["s>t", "t>u", "u>e"],
        name="a",
    )
    b = procedure(
        {
            "s": ("start", "", "Pemohon"),
            "x": ("task", "Unggah KK dan KKPR", "Pemohon"),
            "y": ("task", "Periksa KK", "Petugas Dinas"),
            "e": ("end", "", "Petugas Dinas"),
        },
        ["s>x", "x>y", "y>e"],
        name="b",
    )
    view = portfolio([load(a), load(b)])
    kk = next(d for d in view.repeated_documents if d.document == "KK")
    assert kk.submissions == 2
    assert kk.checks == 2
    assert set(kk.offices) == {"Petugas", "Petugas Dinas"}
    assert "KKPR" not in [d.document for d in view.repeated_documents]


def test_cli_folder_gives_the_portfolio_in_text_json_and_html(tmp_path):
    r = CliRunner().invoke(main, ["analyze", str(PROCESSES)])
    assert r.exit_code == 0, r.output
    assert "Documents demanded by more than one procedure:" in r.output
    assert "KTP" in r.output
    assert "Totals per office" in r.output
    r = CliRunner().invoke(main, ["analyze", str(PROCESSES), "--format", "json"])
    doc = json.loads(r.output)
    assert "KTP" in [d["document"] for d in doc["documents"] if len(d["procedures"]) > 1]
    out = tmp_path / "p.html"
    r = CliRunner().invoke(
        main, ["analyze", *map(str, process_files()[:3]), "--format", "html", "-o", str(out)]
    )
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "Totals per office" in html


def test_cli_portfolio_refuses_one_scenario_for_many_and_sarif():
    r = CliRunner().invoke(
        main, ["analyze", str(PROCESSES), "--scenario", str(PROCESSES / "pbg.scenario.yaml")]
    )
    assert r.exit_code != 0
    assert r.output.count("\n") == 1
    assert "--scenario" in r.output
    r = CliRunner().invoke(main, ["analyze", str(PROCESSES), "--format", "sarif"])
    assert r.exit_code != 0
    assert "sarif" in r.output


def test_cli_empty_folder_is_one_line(tmp_path):
    r = CliRunner().invoke(main, ["analyze", str(tmp_path)])
    assert r.exit_code != 0
    assert "no .bpmn files" in r.output
    assert r.output.count("\n") == 1
