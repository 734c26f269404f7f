"""Bahasa Indonesia and English (bpengine/i18n.py): the catalogue is complete and current, and
commands run with --lang id print no English sentence."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys

import pytest
from babel.messages.checkers import checkers
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from click.testing import CliRunner

from bpengine.cli import main
from bpengine.i18n import (
    LOCALE_DIR,
    _,
    default_language,
    format_date,
    format_number,
    language,
    ngettext,
    set_language,
)

from .conftest import PROCESSES, ROOT, shared_path

PO = LOCALE_DIR / "id" / "LC_MESSAGES" / "bpengine.po"
MO = LOCALE_DIR / "id" / "LC_MESSAGES" / "bpengine.mo"
# Words an Indonesian text never contains but nearly every English sentence does.
ENGLISH = {
    "the",
    "and",
    "of",
    "is",
    "are",
    "with",
    "for",
    "this",
    "that",
    "which",
    "would",
    "from",
    "after",
    "before",
    "working",
    "days",
    "hours",
    "steps",
    "step",
    "case",
    "cases",
    "findings",
    "saving",
    "none",
    "office",
    "offices",
    "not",
    "no",
    "per-case",
    "wrote",
    "states",
    "explored",
    "procedures",
    "documents",
    "demands",
}


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    set_language("en")


def _catalogue():
    with PO.open("rb") as f:
        return read_po(f, locale="id")


def test_every_message_has_an_indonesian_translation_with_the_same_placeholders():
    cat = _catalogue()
    ids = [m for m in cat if m.id]
    assert len(ids) > 300
    untranslated = [
        m.id for m in ids if not (m.string if isinstance(m.string, str) else all(m.string))
    ]
    assert not untranslated, untranslated[:5]
    for m in ids:  # Babel's own checks: {placeholders} and plural forms agree
        for check in checkers:
            check(cat, m)
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        text = m.string if isinstance(m.string, str) else m.string[0]
        placeholders = {p for i in ids for p in re.findall(r"{\w+}", i)}
        # Indonesian has one form for every count: it may say the plural's {n} where the
        # English singular spells "1" or names one item, but nothing the code does not fill
        if len(ids) == 1:
            assert placeholders == set(re.findall(r"{\w+}", text)), ids[0]
        else:
            assert set(re.findall(r"{\w+}", text)) <= placeholders, ids[0]


def test_the_catalogue_holds_every_message_of_the_code(tmp_path):
    pot = tmp_path / "now.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "N_",
            "--no-location",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as f:
        now = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in read_po(f) if m.id}
    have = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in _catalogue() if m.id}
    missing = now - have
    assert not missing, f"run the pybabel update/compile of bpengine/i18n.py: {sorted(missing)[:5]}"


def test_the_compiled_catalogue_matches_the_po_file():
    with MO.open("rb") as f:
        mo = {
            (m.context, m.id if isinstance(m.id, str) else m.id[0]): tuple(
                [m.string] if isinstance(m.string, str) else m.string
            )
            for m in read_mo(f)
            if m.id
        }
    po = {
        (m.context, m.id if isinstance(m.id, str) else m.id[0]): tuple(
            [m.string] if isinstance(m.string, str) else m.string
        )
        for m in _catalogue()
        if m.id
    }
    assert mo == po, "recompile: pybabel compile -d bpengine/locale -D bpengine"


def test_language_comes_from_the_option_then_bpengine_lang_then_the_locale(monkeypatch):
    monkeypatch.delenv("BPENGINE_LANG", raising=False)
    for var in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "id_ID.UTF-8")
    assert default_language() == "id"
    monkeypatch.setenv("BPENGINE_LANG", "en")
    assert default_language() == "en"
    assert set_language("id") == "id"
    assert language() == "id"
    assert _("Summary") == "Ringkasan"
    assert ngettext("{n} finding", "{n} findings", 3).format(n=3) == "3 temuan"


def test_numbers_and_dates_follow_the_language():
    set_language("id")
    assert format_number(1234.5, 1) == "1.234,5"
    assert format_date(dt.date(2026, 11, 30)) == "30 Nov 2026"
    set_language("en")
    assert format_number(1234.5, 1) == "1,234.5"
    assert format_date(dt.date(2026, 11, 30)) == "Nov 30, 2026"


@pytest.mark.parametrize("lang", ["en", "id"])
def test_numbers_are_babels_for_every_value_and_precision(lang):
    # format_number spares babel's locale data below 1e15; babel is the reference
    import random

    from babel.numbers import format_decimal

    set_language(lang)
    locale = "id_ID" if lang == "id" else "en_US"
    rng = random.Random(5)
    values = [0.0, -0.0, 0.5, 1.5, 2.5, -2.5, 0.125, 0.005, 0.015, -0.005, 9.995, 5e-324]
    values += [999_999_999_999_999.9, 1e15, 1e22, float("nan"), float("inf")]
    for _round in range(1500):
        v = rng.choice([1, -1]) * 10 ** rng.uniform(-9, 15)
        values += [v, round(v, rng.randint(0, 4))]
    try:
        for v in values:
            for digits in range(6):
                pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
                want = format_decimal(round(v, digits) + 0.0, format=pattern, locale=locale)
                assert format_number(v, digits) == want, (v, digits)
    finally:
        set_language("en")


def test_a_bad_bpengine_lang_is_named_and_english_used(monkeypatch):
    monkeypatch.setenv("BPENGINE_LANG", "fr")
    r = CliRunner().invoke(main, ["analyze", str(PROCESSES / "cuti-asn.bpmn")])
    assert r.exit_code == 0
    assert "warning: BPENGINE_LANG: unknown language 'fr'" in r.output
    assert "findings" in r.output


def english_words(text: str) -> set:
    """English words outside ids, rule names, quoted element names and file paths."""
    text = re.sub(r"'[^'\n]*'|\"[^\"\n]*\"|“[^”]*”", " ", text)  # quoted names of steps
    text = re.sub(r"\S*[/_.\\-]\S*", " ", text)  # paths, ids, rule names, numbers
    return {
        w for w in re.findall(r"[A-Za-z]+", text) if w.lower() in ENGLISH and not w.isupper()
    }  # AND, XOR: BPMN terms


def _plain(html: str) -> str:
    html = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<svg\b.*?</svg>", " ", html, flags=re.S)  # the models' own labels
    html = re.sub(r'src="data:[^"]*"', " ", html)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize(
    "args",
    [
        ["analyze", "processes/surat-keterangan-domisili.bpmn", "--metrics"],
        ["analyze", "processes/pbg.bpmn", "--no-scenario"],
        ["analyze", "processes/"],
        ["validate", "--summary", "processes/"],
        ["simulate", "processes/surat-keterangan-domisili.bpmn", "-n", "60", "-r", "2", "-q"],
        [
            "compare",
            "processes/izin-usaha-sebelum-oss.bpmn",
            "processes/izin-usaha-oss-rba.bpmn",
            "-n",
            "40",
            "-r",
            "2",
            "-q",
        ],
    ],
    ids=["analyze-metrics", "analyze-defaults", "portfolio", "validate", "simulate", "compare"],
)
def test_commands_with_lang_id_print_no_english_sentence(args, monkeypatch):
    monkeypatch.chdir(ROOT)
    r = CliRunner().invoke(main, ["--lang", "id", *args])
    assert r.exit_code == 0, r.output
    found = english_words(r.output)
    assert not found, f"English in: {sorted(found)}"
    r_en = CliRunner().invoke(main, ["--lang", "en", *args])
    assert english_words(r_en.output), "the detector must see English when it is there"


def test_redesign_in_indonesian_has_no_english_sentence(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    for name in ("surat-keterangan-domisili", "pbg", "cuti-asn"):
        r = CliRunner().invoke(
            main,
            [
                "--lang",
                "id",
                "redesign",
                f"processes/{name}.bpmn",
                "-o",
                str(tmp_path / f"{name}.bpmn"),
            ],
        )
        assert r.exit_code == 0, r.output
        assert "diubah:" in r.output, r.output
        assert not english_words(r.output), r.output


def test_compare_of_two_logs_in_indonesian_has_no_english_sentence(tmp_path, monkeypatch):
    # its header, the waiting and the service-standard rows were printed in English
    from bpengine import simulate
    from bpengine.sim.eventlog import write_event_log

    monkeypatch.chdir(ROOT)
    model = "processes/surat-keterangan-domisili.bpmn"
    for name, seed in (("before", 1), ("after", 2)):
        rows = simulate(model, cases=30, replications=1, warmup=0, seed=seed).event_log
        write_event_log(rows, tmp_path / f"{name}.csv")
    args = ["compare", str(tmp_path / "before.csv"), str(tmp_path / "after.csv"), "--model", model]
    r = CliRunner().invoke(main, ["--lang", "id", *args])
    assert r.exit_code == 0, r.output
    assert "Kasus teramati: 30 sebelum, 30 sesudah" in r.output
    found = english_words(r.output)
    assert not found, f"English in: {sorted(found)}"
    assert english_words(CliRunner().invoke(main, ["--lang", "en", *args]).output)


def test_the_report_in_indonesian_has_no_english_sentence(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    out, after = tmp_path / "laporan.html", tmp_path / "sesudah.bpmn"
    r = CliRunner().invoke(main, ["redesign", "processes/cuti-asn.bpmn", "-o", str(after)])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(
        main,
        [
            "--lang",
            "id",
            "report",
            "processes/cuti-asn.bpmn",
            str(after),
            "-o",
            str(out),
            "-n",
            "60",
            "-r",
            "2",
        ],
    )
    assert r.exit_code == 0, r.output
    html = out.read_text("utf-8")
    assert '<html lang="id">' in html
    assert "Ringkasan" in html
    # the scenario file's comments are the analyst's own notes, quoted as they are
    text = re.sub(
        r'<td( class="guess")?>[^<]*</td></tr>',
        " ",
        _plain(html.split('id="assumptions"')[0] + html.split('id="appendix"')[1]),
    )
    found = english_words(text)
    assert not found, f"English in the report: {sorted(found)}"


def test_case_and_db_commands_in_indonesian(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    url = f"sqlite:///{tmp_path / 'kantor.db'}"
    out = []
    for args in (
        ["db", "upgrade", "--url", url],
        [
            "case",
            "start",
            "processes/surat-keterangan-domisili.bpmn",
            "--data",
            "lengkap=true",
            "--actor",
            "ani",
            "--url",
            url,
        ],
        ["case", "inbox", "--lane", "Pemohon", "--url", url],
        ["case", "list", "--url", url],
    ):
        r = CliRunner().invoke(main, ["--lang", "id", *args])
        assert r.exit_code == 0, r.output
        out.append(r.output)
    text = "\n".join(out)
    assert "dipasang" in text
    assert "kasus" in text
    assert "berjalan" in text
    assert not english_words(text), sorted(english_words(text))


def test_no_message_hides_inside_an_f_string():
    """pybabel cannot see _("...") written inside an f-string: such a text is never translated."""
    import io
    import tokenize

    hidden = []
    for path in sorted((ROOT / "bpengine").rglob("*.py")):
        for tok in tokenize.generate_tokens(io.StringIO(path.read_text("utf-8")).readline):
            prefix = re.match(r"[A-Za-z]*", tok.string).group(0).lower()
            if (
                tok.type == tokenize.STRING
                and "f" in prefix
                and re.search(r"\b(_|ngettext|pgettext)\(\s*['\"]", tok.string)
            ):
                hidden.append(f"{path.relative_to(ROOT)}:{tok.start[0]}")
    assert not hidden, hidden


# the scenario and Prosimos files the bad-input cases read, written into each test's tmp_path
_BAD_FILES = {
    "lane.yaml": "lanes:\n  Nope: {staff: 2}\n",
    "staff.yaml": "lanes:\n  Petugas DPMPTSP: {staff: 0}\n",
    "counting.yaml": "arrivals:\n  rate: 2\n  counting: hourly\n",
    "multitask.json": '{"multitask": {"type": "global", "values": []}}',
    "list.json": "[1, 2]",
    "calendars.json": '{"resource_calendars": ['
    + ", ".join(
        [
            '{"id": "c", "time_periods": [{"from": "MONDAY", "to": "FRIDAY", '
            '"beginTime": "08:00:00", "endTime": "16:00:00"}]}'
        ]
        * 2
    )
    + "]}",
}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["validate", "--no-schema", "tests/data/hostile/model/not-xml.bpmn"],
            "bukan berkas BPMN: sama sekali bukan XML",
        ),
        (
            ["validate", "--no-schema", "tests/data/sim/deadlock.bpmn"],
            "tanpa syarat dan bukan alur bawaannya: mesin tidak dapat memilihnya",
        ),
        (["simulate", "processes/tidak-ada.bpmn"], "berkas tidak ada"),
        (["simulate", "-r", "0", "processes/pbg.bpmn"], "tidak berada dalam rentang x>=1"),
        (["simulate", "--bogus", "processes/pbg.bpmn"], "Opsi '--bogus' tidak ada."),
        (
            ["simulate", "--log", "{tmp}/x.txt", "processes/pbg.bpmn"],
            "format log peristiwa '.txt' tidak dikenal",
        ),
        (["analyze", "{tmp}"], "tidak ada berkas .bpmn dalam folder ini"),
        (
            ["redesign", "processes/pbg.bpmn", "--keep", "Nope", "-o", "{tmp}/x.bpmn"],
            "tidak memiliki elemen dengan id tersebut",
        ),
        (["sweep", "processes/pbg.bpmn", "--vary", "lanes"], "diharapkan PATH=VALUES"),
        (["case", "list"], "basis data yang mana?"),
        (
            ["simulate", "processes/pbg.bpmn", "-s", "{tmp}/lane.yaml"],
            "lanes.Nope: tidak ada lajur bernama 'Nope' dalam processes/pbg.bpmn (lajur yang ada: ",
        ),
        (
            ["simulate", "processes/pbg.bpmn", "-s", "{tmp}/staff.yaml"],
            "lanes.Petugas DPMPTSP.staff: satu lajur memerlukan bilangan bulat orang dari 1 sampai 10000 (pengaturan bpengine.scenario.limits.MAX_STAFF), didapat 0",
        ),
        (
            ["simulate", "processes/pbg.bpmn", "-s", "{tmp}/counting.yaml"],
            "arrivals.counting: 'hourly' bukan 'working' atau 'calendar'",
        ),
        (
            ["simulate", "processes/pbg.bpmn", "--prosimos", "{tmp}/multitask.json"],
            "multitask: tidak didukung: Prosimos 2.1.0 sendiri berhenti dengan KeyError",
        ),
        (
            ["simulate", "processes/pbg.bpmn", "--prosimos", "{tmp}/list.json"],
            "list.json: diharapkan objek JSON berisi parameter Prosimos",
        ),
        (
            ["simulate", "processes/pbg.bpmn", "--prosimos", "{tmp}/calendars.json"],
            "resource_calendars[1].id: kalender 'c' didefinisikan dua kali",
        ),
        (
            ["case", "complete", "nope", "--url", "sqlite:///{tmp}/kantor.db"],
            "tidak ada tugas 'nope' (tidak ada id tugas yang diawali dengannya)",
        ),
        (
            ["case", "message", "Nobody", "--url", "sqlite:///{tmp}/kantor.db"],
            "tidak ada kasus yang menantikan pesan 'Nobody' dan tidak ada proses terpasang",
        ),
    ],
    ids=[
        "not-xml",
        "validate-problems",
        "no-file",
        "bad-number",
        "unknown-option",
        "log-format",
        "empty-folder",
        "keep",
        "vary",
        "no-database",
        "scenario-lane",
        "scenario-staff",
        "scenario-counting",
        "prosimos-refused",
        "prosimos-not-object",
        "prosimos-calendar-twice",
        "engine-no-task",
        "engine-no-waiting-case",
    ],
)
def test_errors_for_bad_input_are_indonesian(args, expected, tmp_path, monkeypatch):
    """A user's mistake is told in the user's language: one line, no English sentence."""
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("BPENGINE_DB", raising=False)
    for name, text in _BAD_FILES.items():
        (tmp_path / name).write_text(text, "utf-8")
    if "sqlite:///{tmp}/kantor.db" in args:
        assert (
            CliRunner()
            .invoke(main, ["db", "upgrade", "--url", f"sqlite:///{tmp_path / 'kantor.db'}"])
            .exit_code
            == 0
        )
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    r = CliRunner().invoke(main, ["--lang", "id", *args])
    assert expected in r.output, r.output
    assert not english_words(r.output), r.output
    assert "Traceback" not in r.output


def test_engine_refusals_on_a_running_case_are_indonesian(tmp_path, monkeypatch):
    """The engine's refusals (wrong lane, a case no longer running, a task no longer ready) reach
    the user as one Indonesian line, with the recorded states translated too."""
    monkeypatch.chdir(ROOT)
    url = f"sqlite:///{tmp_path / 'kantor.db'}"

    def run(*args):
        return CliRunner().invoke(main, ["--lang", "id", *args, "--url", url])

    started = run(
        "case",
        "start",
        "processes/surat-keterangan-domisili.bpmn",
        "--data",
        "lengkap=true",
        "--actor",
        "ani",
    )
    assert started.exit_code == 0, started.output
    case_id = re.search(r"kasus (\S+)", started.output).group(1)
    task_id = re.search(r"siap\s+pengguna (\S+)", started.output).group(1)
    refusals = [
        (
            run("case", "complete", task_id[:8], "--lane", "Lurah", "--actor", "budi"),
            "termasuk lajur 'Pemohon', bukan 'Lurah'",
        ),
        (run("case", "cancel", case_id[:8]), None),
        (
            run("case", "cancel", case_id[:8]),
            f"kasus {case_id} berstatus dibatalkan; hanya kasus yang sedang berjalan atau gagal "
            "yang dapat dibatalkan",
        ),
        (
            run("case", "complete", task_id[:8], "--actor", "budi"),
            f"tugas {task_id} (Task_siapkan_berkas 'Siapkan fotokopi KTP, KK dan bukti tempat "
            "tinggal') sudah berstatus dibatalkan",
        ),
    ]
    for r, expected in refusals:
        assert "Traceback" not in r.output
        assert not english_words(r.output), r.output
        if expected is not None:
            assert r.exit_code != 0
            assert expected in r.output, r.output


def test_redesign_skip_reasons_are_indonesian(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    r = CliRunner().invoke(
        main,
        [
            "--lang",
            "id",
            "redesign",
            "processes/izin-usaha-sebelum-oss.bpmn",
            "-o",
            str(tmp_path / "iu.bpmn"),
        ],
    )
    assert r.exit_code == 0, r.output
    skipped = [line for line in r.output.splitlines() if line.strip().startswith("dilewati")]
    assert skipped, r.output
    assert any("tidak ada dua loket yang didatangi pemohon" in line for line in skipped)
    assert not english_words("\n".join(skipped)), skipped


def test_the_simulators_notes_are_indonesian(monkeypatch):
    pizza = shared_path("corpus", "exec", "bpmnjs__pizza-collaboration.bpmn")
    r = CliRunner().invoke(
        main, ["--lang", "id", "simulate", str(pizza), "-n", "20", "-r", "2", "-q"]
    )
    assert r.exit_code == 0, r.output
    notes = [line for line in r.output.splitlines() if line.startswith("catatan:")]
    assert any("gerbang berbasis peristiwa" in line for line in notes), r.output
    assert any("menjawab dalam putaran pesan" in line for line in notes), r.output
    # the model's own (English) step names follow their ids in brackets: "_6-304 (Pay the pizza)"
    text = re.sub(r"\([^)]*\)", " ", "\n".join(notes))
    assert not english_words(text), notes
