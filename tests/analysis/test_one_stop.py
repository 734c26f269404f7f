"""one-stop: counters of different agencies the applicant visits one after another."""

from pathlib import Path

from bpengine import analyze, load, load_scenario
from bpengine.analysis.one_stop import check_one_stop, counter_visits
from bpengine.i18n import language, set_language
from bpengine.redesign.one_stop import one_stop

ROOT = Path(__file__).resolve().parents[2]
PRE_OSS = ROOT / "processes" / "izin-usaha-sebelum-oss.bpmn"


def test_the_founders_trips_from_counter_to_counter_are_found_before_oss():
    model = load(PRE_OSS)
    visits = [(a.flow, ans.flow, b.flow) for a, ans, b in counter_visits(model)]
    # RT/RW (kelurahan) -> KPP, then KPP -> DPMPTSP counter
    assert visits == [
        ("Msg_permohonan_pengantar", "Msg_skdu", "Msg_berkas_npwp"),
        ("Msg_berkas_npwp", "Msg_npwp", "Msg_berkas_loket"),
    ]
    sc = load_scenario(str(PRE_OSS.with_name("izin-usaha-sebelum-oss.scenario.yaml")), model=model)
    found = [f for f in analyze(model, scenario=sc) if f.rule == "one-stop"]
    assert {f.suggestion for f in found} == {"one-stop"}
    assert {f.elements for f in found} == {
        ("Throw_minta_pengantar", "Catch_skdu", "Throw_daftar_npwp"),
        ("Throw_daftar_npwp", "Catch_npwp", "Throw_ke_dpmptsp"),
    }
    assert all(f.saving.working_days > 0 for f in found)
    assert "KPP Pratama" in found[-1].explanation


def test_no_counter_visits_where_agencies_pass_the_file_among_themselves():
    # PBG: the applicant hands in once at the DPMPTSP; Dinas PUPR and Bapenda get it from there
    assert check_one_stop(load(ROOT / "processes" / "pbg.bpmn")) == []
    # tiga-instansi: the applicant is a black box, the kelurahan passes the file on
    assert check_one_stop(load(ROOT / "tests" / "data" / "collab" / "tiga-instansi.bpmn")) == []
    # single-pool procedures have no counters of other agencies
    assert check_one_stop(load(ROOT / "processes" / "surat-keterangan-domisili.bpmn")) == []


def test_once_merged_the_visit_is_no_longer_found():
    model = load(PRE_OSS)
    new = one_stop(model, ["Throw_minta_pengantar", "Catch_skdu", "Throw_daftar_npwp"]).model
    assert [(a.flow, b.flow) for a, _ans, b in counter_visits(new)] == [
        ("Msg_permohonan_pengantar", "Msg_berkas_loket")
    ]  # the counter forwards to KPP now


def test_the_finding_speaks_indonesian():
    before = language()
    set_language("id")
    try:
        found = check_one_stop(load(PRE_OSS))
    finally:
        set_language(before)
    assert "loket" in found[0].explanation
