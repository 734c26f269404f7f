"""`bpengine case ...` and `bpengine db ...` through click's CliRunner on real SQLite files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bpengine.cli import main


@pytest.fixture
def run(tmp_path):
    runner = CliRunner()
    url = f"sqlite:///{tmp_path / 'cases.db'}"

    def invoke(*args, ok=True):
        command = args[2] if args[0] == "--lang" else args[0]
        result = runner.invoke(main, [*args, "--db", url] if command == "case" else list(args))
        if ok:
            assert result.exit_code == 0, result.output
        return result

    invoke.url = url
    return invoke


def test_an_analyst_walks_a_case_by_hand(run, data_dir):
    started = json.loads(
        run(
            "case",
            "start",
            str(data_dir / "cuti.bpmn"),
            "--data",
            "hari=3",
            "--data",
            "revisi=0",
            "--actor",
            "ani",
            "--format",
            "json",
        ).output
    )
    assert started["status"] == "running"
    assert started["data"] == {"hari": 3, "revisi": 0}
    inbox = json.loads(run("case", "inbox", "--lane", "Pegawai", "--format", "json").output)
    assert [t["name"] for t in inbox] == ["Isi formulir cuti"]
    run("case", "complete", inbox[0]["id"], "--data", "alasan=menikah", "--actor", "ani")
    text = run("case", "inbox", "--lane", "Atasan Langsung").output
    assert "Setujui cuti" in text
    task_id = text.split()[0]
    run("case", "claim", task_id, "--actor", "budi")
    shown = run(
        "case", "complete", task_id, "--json", '{"approved": false}', "--actor", "budi"
    ).output
    assert "Revisi pengajuan" in shown
    show = run("case", "show", started["id"]).output
    assert "running" in show
    assert '"alasan": "menikah"' in show
    history = run("case", "history", started["id"]).output.splitlines()
    assert history[0].split()[:4] == ["time", "(UTC)", "action", "actor"]
    history = history[1:]
    assert [line.split()[2] for line in history] == ["start", "complete", "claim", "complete"]
    assert '{"approved": false}' in history[-1]
    listed = run("case", "list", "--status", "running").output
    assert started["id"] in listed
    cancelled = run("case", "cancel", started["id"], "--reason", "batal").output
    assert "cancelled" in cancelled


def test_timers_fire_from_the_command_line(run, data_dir):
    case = json.loads(
        run(
            "case",
            "start",
            str(data_dir / "cuti.bpmn"),
            "--data",
            "hari=1",
            "--data",
            "revisi=0",
            "--format",
            "json",
        ).output
    )
    task = json.loads(run("case", "inbox", "--format", "json").output)[0]
    run("case", "complete", task["id"])
    assert "0 cases advanced" in run("case", "tick", "--now", "2000-01-01").output
    fired = run("case", "tick", "--now", "2100-01-01").output
    assert "1 case advanced" in fired
    assert case["id"] in fired
    assert "Putuskan (eskalasi)" in run("case", "inbox", "--lane", "Kepala").output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("case", "complete", "nope"), "error: no task 'nope'"),
        (("case", "show", "nope"), "error: no case 'nope'"),
        (("case", "start", "unknown-key"), "no deployed definition 'unknown-key'"),
        (("case", "start", "x", "--data", "novalue"), "'novalue' is not NAME=VALUE"),
        (("case", "start", "x", "--json", "[1]"), "must be a JSON object"),
        (("case", "start", "x", "--json", "{"), "--json"),
    ],
)
def test_mistakes_give_one_clear_line(run, args, message):
    run("db", "upgrade", "--url", run.url)
    result = run(*args, ok=False)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_an_unknown_key_is_refused_in_the_users_language(run):
    run("db", "upgrade", "--url", run.url)
    result = CliRunner().invoke(
        main, ["--lang", "id", "case", "start", "tidak-ada", "--db", run.url]
    )
    assert result.exit_code != 0
    assert result.output.strip() == (
        "galat: tidak ada definisi terpasang 'tidak-ada' (yang terpasang: tidak ada)"
    )


def test_a_script_task_file_is_refused_with_the_element(run, data_dir):
    result = run("case", "start", str(data_dir / "script.bpmn"), ok=False)
    assert result.exit_code == 1
    assert "SC" in result.output
    assert "trust_scripts" in result.output
    assert (
        run(
            "case", "start", str(data_dir / "script.bpmn"), "--trust-scripts", "--data", "hari=2"
        ).exit_code
        == 0
    )


def test_db_upgrade_and_current(run, tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    from bpengine.engine.migrate import head

    latest = head()  # the newest migration, whichever branch added it
    assert f"upgraded empty database -> {latest}" in run("db", "upgrade", "--url", url).output
    assert f"already at {latest}" in run("db", "upgrade", "--url", url).output
    assert f"database: {latest}" in run("db", "current", "--db", url).output  # --url: old
    bad = run("db", "upgrade", "--url", "nonsense://x", ok=False)
    assert bad.exit_code == 1
    assert "--db 'nonsense://x'" in bad.output


def test_a_mistyped_database_is_refused_not_created(run, tmp_path):
    """Only `case start` creates a database; `inbox` on a typo must not say 'inbox empty'."""
    missing = tmp_path / "typo.db"
    result = CliRunner().invoke(main, ["case", "inbox", "--db", f"sqlite:///{missing}"])
    assert result.exit_code == 1
    assert not missing.exists()
    assert result.output.startswith("error: --db ")
    assert "no database at" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_history_columns_line_up_and_times_say_utc(run, data_dir):
    started = json.loads(
        run(
            "case",
            "start",
            str(data_dir / "cuti.bpmn"),
            "--data",
            "hari=3",
            "--data",
            "revisi=0",
            "--actor",
            "ani",
            "--format",
            "json",
        ).output
    )
    task = json.loads(run("case", "inbox", "--format", "json").output)[0]
    run("case", "claim", task["id"], "--actor", "ani")
    run("case", "complete", task["id"], "--data", "alasan=menikah", "--actor", "ani")
    lines = run("case", "history", started["id"]).output.splitlines()
    element_col = {
        line.find(task["element_id"]) for line in lines[1:] if task["element_id"] in line
    }
    assert len(element_col) == 1  # claim and complete put the element in the same column
    # under its heading, although 'ani' is shorter than 'actor'
    assert element_col == {lines[0].index("element")}
    # and in Indonesian, where 'selesaikan' is longer than the 8 characters 'complete' takes
    lines = run("--lang", "id", "case", "history", started["id"]).output.splitlines()
    element_col = {
        line.find(task["element_id"]) for line in lines[1:] if task["element_id"] in line
    }
    assert element_col == {lines[0].index("elemen")}
    assert "(UTC)" in lines[0]
    run("case", "start", str(data_dir / "cuti.bpmn"), "--data", "hari=3", "--data", "revisi=0")
    inbox = run("case", "inbox").output
    assert "UTC" in inbox
    assert "UTC" in run("case", "list").output
    assert json.loads(run("case", "inbox", "--format", "json").output)[0]["element_id"] in inbox


def test_claim_without_actor_names_the_option(run, data_dir):
    run("case", "start", str(data_dir / "cuti.bpmn"), "--data", "hari=3", "--data", "revisi=0")
    task = json.loads(run("case", "inbox", "--format", "json").output)[0]
    result = run("case", "claim", task["id"], ok=False)
    assert result.exit_code == 1
    assert "--actor" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_db_error_names_the_url_and_the_missing_folder(run, tmp_path):
    url = f"sqlite:///{tmp_path / 'no' / 'such' / 'x.db'}"
    result = run("db", "upgrade", "--url", url, ok=False)
    assert result.exit_code == 1
    assert result.output.startswith(f"error: --db {url}: ")
    assert "does not exist" in result.output


def test_case_commands_take_a_unique_start_of_an_id(run, data_dir):
    """The README shows ids cut short (`3ef37428-…`); what is unique is enough."""
    started = json.loads(
        run(
            "case",
            "start",
            str(data_dir / "cuti.bpmn"),
            "--data",
            "hari=3",
            "--data",
            "revisi=0",
            "--format",
            "json",
        ).output
    )
    task = json.loads(run("case", "inbox", "--format", "json").output)[0]
    shown = json.loads(run("case", "show", started["id"][:8], "--format", "json").output)
    assert shown["id"] == started["id"]
    done = run("case", "complete", task["id"][:8], "--data", "alasan=menikah").output
    assert started["id"] in done
    assert "start" in run("case", "history", started["id"][:10]).output
    # more cases until two ids share a first character (17 are always enough: 16 hex digits)
    ids = [started["id"]]
    while len({i[0] for i in ids}) == len(ids):
        ids.append(
            json.loads(
                run(
                    "case",
                    "start",
                    str(data_dir / "cuti.bpmn"),
                    "--data",
                    "hari=1",
                    "--data",
                    "revisi=0",
                    "--format",
                    "json",
                ).output
            )["id"]
        )
    first = next(i[0] for i in ids if sum(j[0] == i[0] for j in ids) > 1)
    result = run("case", "show", first, ok=False)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"error: case id '{first}' is ambiguous")
    assert all(i in line for i in ids if i[0] == first)
    missing = run("case", "cancel", "zzzz", ok=False)
    assert "error: no case 'zzzz'" in missing.output


def test_no_database_given_is_one_line_naming_db():
    runner = CliRunner(env={"BPENGINE_DB": None})
    for args in (["case", "inbox"], ["db", "current"]):
        result = runner.invoke(main, args)
        assert result.exit_code == 1, result.output
        assert result.output.strip() == (
            "error: --db: which database? give --db URL or set BPENGINE_DB"
        )


def test_messages_and_signals_from_the_command_line(run, data_dir):
    started = run(
        "case",
        "start",
        str(data_dir / "pindah.bpmn"),
        "--business-key",
        "PND-001",
        "--data",
        'nik="3273010101900001"',
        "--actor",
        "loket",
    ).output
    assert "pindah_domisili v1  running  key PND-001" in started
    assert "note: R_dokumen waits for 'Dokumen asli' from outside the engine" in started
    task = json.loads(run("case", "inbox", "--format", "json").output)[0]
    waiting = run("case", "complete", task["id"]).output
    assert "R_dokumen 'Terima dokumen asli' [Petugas Kelurahan] for 'Dokumen asli'" in waiting
    missing = run("case", "message", "Dokumen asli", "--business-key", "PND-009", ok=False)
    assert missing.exit_code == 1
    assert len(missing.output.strip().splitlines()) == 1
    assert "no case waits for message 'Dokumen asli' with business key 'PND-009'" in missing.output
    assert "'PND-001'" in missing.output
    assert "--keep" in missing.output
    sent = run(
        "case",
        "message",
        "Dokumen asli",
        "--business-key",
        "PND-001",
        "--data",
        "asli=true",
        "--id",
        "WA-1",
        "--actor",
        "pemohon",
    ).output
    assert "message 'Dokumen asli' delivered to case" in sent
    assert "at R_dokumen" in sent
    assert '"asli": true' in sent
    assert "A_siak 'Catat di SIAK'" in sent
    again = run(
        "case", "message", "Dokumen asli", "--business-key", "PND-001", "--id", "WA-1"
    ).output
    assert "already handled; nothing done again" in again
    by_data = run(
        "case",
        "message",
        "Dokumen asli",
        "--where",
        'nik="3273010101900001"',
        "--keep",
        "--format",
        "json",
    ).output
    assert json.loads(by_data)["state"] == "pending"  # the case no longer waits: kept
    bad = run("case", "message", "Dokumen asli", "--where", "nik", ok=False)
    assert bad.exit_code == 2
    assert "--where" in bad.output
    assert "no case waits for it" in run("case", "signal", "SIAK pulih").output
    case_id = next(line.split()[1] for line in started.splitlines() if line.startswith("case "))
    history = run("case", "history", case_id).output.splitlines()
    assert [line.split()[2:5] for line in history if " message " in line] == [
        ["message", "pemohon", "R_dokumen"]
    ]


def test_incidents_and_retry_from_the_command_line(run, data_dir):
    case = json.loads(
        run(
            "case", "start", str(data_dir / "jobs.bpmn"), "--data", "nik=1", "--format", "json"
        ).output
    )  # no `prioritas`: its timer will fail
    assert run("case", "incidents").output.strip() == "no open incidents"
    assert "0 cases advanced" in run("case", "tick", "--now", "2100-01-01").output
    listed = run("case", "incidents").output.splitlines()
    assert listed[0].split()[:5] == [case["id"], "timer", "B_lambat", "attempt", "1"]
    assert "next try 2100-01-01 00:01 UTC" in listed[0]
    assert "name 'prioritas' is not in the case data" in listed[1]
    retried = run(
        "case", "retry", case["id"][:8], "--data", "prioritas=tinggi", "--actor", "admin"
    ).output
    assert "running" in retried
    assert "T_eskalasi 'Tangani segera'" in retried
    assert run("case", "incidents").output.strip() == "no open incidents"
    resolved = json.loads(run("case", "incidents", "--all", "--format", "json").output)
    assert [(i["state"], i["resolved_by"]) for i in resolved] == [("resolved", "admin")]
    refused = run("case", "retry", case["id"], ok=False)
    assert refused.exit_code == 1
    assert "has no open incident" in refused.output


def test_case_start_says_deployed_only_when_a_new_version_is_stored(run, data_dir, tmp_path):
    model = tmp_path / "cuti.bpmn"
    model.write_bytes((data_dir / "cuti.bpmn").read_bytes())
    first = run("case", "start", str(model), "--data", "hari=3").output.splitlines()
    assert first[0] == "deployed cuti v1", first
    again = run("case", "start", str(model), "--data", "hari=2").output.splitlines()
    assert not [line for line in again if line.startswith("deployed ")], again
    # the same file edited: a new version, and the line says so
    model.write_text(
        model.read_text(encoding="utf-8").replace("Isi formulir cuti", "Isi formulir cuti ASN"),
        encoding="utf-8",
    )
    edited = run("case", "start", str(model), "--data", "hari=1").output.splitlines()
    assert edited[0] == "deployed cuti v2", edited


def test_a_nik_typed_on_the_command_line_fills_a_text_field(run):
    # --data nik=3273010101900001 reads as a number; the form's text field refused it
    # ("is not text"), so no NIK could be entered from the shell
    model = (
        Path(__file__).resolve().parents[1] / "data" / "qa" / "pindah-datang-antar-kabupaten.bpmn"
    )
    started = json.loads(run("case", "start", str(model), "--format", "json").output)
    [task] = started["tasks"]
    run(
        "case",
        "complete",
        task["id"],
        "--data",
        "nik=3273010101900001",
        "--data",
        "kabupaten_tujuan=Kota Bandung",
        "--actor",
        "warga",
    )
    shown = json.loads(run("case", "show", started["id"], "--format", "json").output)
    assert shown["data"]["nik"] == "3273010101900001"
    # a number that is not whole would change when written back as text: still refused
    refused = run("case", "start", str(model), "--format", "json")
    [task] = json.loads(refused.output)["tasks"]
    result = run(
        "case",
        "complete",
        task["id"],
        "--data",
        "nik=3.50",
        "--data",
        "kabupaten_tujuan=X",
        ok=False,
    )
    assert result.exit_code != 0
    assert "field 'nik': 3.5 is not text" in result.output


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ("case", "list", "--db", "foo://x"),
            "galat: URL basis data 'foo://x' tidak dapat dipakai: ",
        ),
        (
            ("db", "upgrade", "--db", "foo://x"),
            "galat: --db 'foo://x': URL basis data ini tidak dapat dipakai: ",
        ),
    ],
)
def test_a_database_url_that_cannot_be_used_is_refused_in_the_users_language(args, line):
    result = CliRunner().invoke(main, ["--lang", "id", *args])
    assert result.exit_code != 0
    assert result.output.startswith(line), result.output
    assert len(result.output.strip().splitlines()) == 1


def test_case_start_of_a_file_with_refused_data_stores_nothing(run, data_dir):
    # the README's limits example: the data is refused before the file is deployed, so
    # the database holds no definition afterwards, not only no case
    from bpengine import Engine

    deep = '{"isi": ' * 40 + "1" + "}" * 40
    result = run(
        "case", "start", str(data_dir / "cuti.bpmn"), "--data", f"lampiran={deep}", ok=False
    )
    assert result.exit_code != 0
    assert "nests deeper than 32 levels (limit EngineLimits.data_depth)" in result.output
    assert result.output.startswith("error: start ")
    assert Engine(run.url).definitions() == []
