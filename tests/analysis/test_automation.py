"""automate: rule-based steps a system can do, found by name, kept checked where money is set."""

from __future__ import annotations

import pytest

from bpengine import analyze, load
from bpengine.analysis.automation import rule_based

from ..conftest import PROCESSES


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("Hitung nilai retribusi PBG", "calculates"),
        ("Ketik ulang data OSS ke SIMBG", "retypes or enters data"),
        ("Verifikasi kelengkapan dokumen", "checks completeness against a list"),
        ("Catat SPJ di BKU", "numbers or records"),
        ("Cetak surat keterangan", "prints a standard letter"),
        ("Calculate the fee", "calculates"),
    ],
)
def test_rule_based_work_is_read_from_the_name(name, what):
    assert rule_based(name)[0] == what


@pytest.mark.parametrize(
    "name",
    [
        "Sidang konsultasi: kaji gambar arsitektur",
        "Rapat tim teknis dan tinjauan lapangan",
        "Beri nomor, cap dan serahkan surat",
        "Buat konsep surat balasan",
        "Arsip",
    ],
)
def test_judgement_and_paper_work_stay_with_people(name):
    assert rule_based(name) is None


def test_a_fee_calculation_is_automated_and_a_person_checks_it(procedure):
    steps = {
        "s": ("start", "", "Staf"),
        "h": ("task", "Hitung biaya retribusi", "Staf"),
        "t": ("task", "Terbitkan SKRD", "Kepala"),
        "e": ("end", "", "Staf"),
    }
    found = [
        f for f in analyze(load(procedure(steps, ["s>h", "h>t", "t>e"]))) if f.rule == "automate"
    ]
    assert [f.targets for f in found] == [("h",)]
    assert "a check of the result is added" in found[0].explanation
    assert found[0].saving.staff_hours > 0


def test_no_automation_of_a_signature_or_a_review(procedure):
    steps = {
        "s": ("start", "", "Staf"),
        "a": ("task", "Tanda tangani izin hitung", "Kepala"),
        "b": ("task", "Rapat kajian teknis", "Tim"),
        "e": ("end", "", "Staf"),
    }
    found = analyze(load(procedure(steps, ["s>a", "a>b", "b>e"])))
    assert not [f for f in found if f.rule == "automate"]


@pytest.mark.parametrize(
    ("name", "step"),
    [
        ("pbg", "Task_hitung_retribusi"),
        ("pbg", "Task_unggah_simbg"),
        ("cuti-asn", "Task_verifikasi_bkpsdm"),
        ("perjalanan-dinas", "Task_catat_lpj"),
    ],
)
def test_found_on_shipped_processes(name, step):
    model = load(PROCESSES / f"{name}.bpmn")
    found = analyze(model, scenario=PROCESSES / f"{name}.scenario.yaml", rules=["automate"])
    assert step in {t for f in found for t in f.targets}
