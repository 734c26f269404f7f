"""Candidate users and groups, delegation, due and follow-up dates in the offices' zones
(bpengine.engine.assignment), through the API on SQLite and PostgreSQL and the CLI."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from bpengine import BpengineError, Engine, ExpressionError, Forbidden, ModelError, TaskNotReady
from bpengine.scenario.calendar import Calendar

MONDAY_14_WIB = dt.datetime(2025, 1, 6, 7, 0, tzinfo=dt.timezone.utc)
ZONES = {"Kantor Wilayah Makassar": "Asia/Makassar"}
DATA = {"unit": "arsip", "verifikator": "wati", "batas": "2025-01-10"}


def _engine(clock, url=None) -> Engine:
    clock.now = MONDAY_14_WIB
    # the default zone is WIB (Asia/Jakarta): only Makassar is named
    return Engine(
        url, clock=clock, calendar=Calendar.indonesia(), lane_timezones=ZONES, migrate=True
    )


@pytest.fixture
def offices(clock, data_dir):
    engine = _engine(clock)
    engine.deploy(data_dir / "penugasan.bpmn")
    yield engine
    engine.close()


def _walk_candidates(engine):
    case = engine.start("penugasan", DATA, actor="loket")
    [terima] = case.tasks
    assert (terima.candidate_users, terima.candidate_groups) == ((), ("loket", "arsip"))
    # offered to the groups, not to whoever asks without them
    assert engine.inbox(actor="ani") == []
    assert [t.id for t in engine.inbox(actor="ani", groups=["arsip"])] == [terima.id]
    assert engine.find_tasks(candidate_group="loket").total == 1
    assert engine.find_tasks(candidate_group="keuangan").total == 0
    with pytest.raises(
        Forbidden,
        match=re.escape("is offered to group 'loket', group 'arsip'; 'ani' is not one of them"),
    ):
        engine.claim(terima.id, "ani", groups=["keuangan"])
    engine.claim(terima.id, "ani", groups=["arsip"])
    verifikasi = engine.complete(terima.id, {}, actor="ani").tasks[0]
    assert verifikasi.candidate_users == ("wati",)  # ${verifikator} from the case data
    assert [t.id for t in engine.inbox(actor="wati")] == [verifikasi.id]
    assert engine.find_tasks(candidate_user="wati").total == 1
    assert engine.find_tasks(candidate_user="ani").total == 0
    with pytest.raises(Forbidden, match="'wati'; 'ani' is not one of them"):
        engine.complete(verifikasi.id, {"lengkap": True}, actor="ani")
    tanda = engine.complete(verifikasi.id, {"lengkap": True}, actor="wati").tasks[0]
    # no candidates: offered to its lane, as a group
    assert tanda.candidate_users == tanda.candidate_groups == ()
    assert engine.find_tasks(candidate_group="Kepala").total == 1
    assert engine.inbox(actor="budi", groups=["loket"]) == []
    assert [t.id for t in engine.inbox(actor="budi", groups=["Kepala"])] == [tanda.id]
    with pytest.raises(Forbidden, match="offered to lane 'Kepala'"):
        engine.claim(tanda.id, "budi", groups=["loket"])
    assert engine.complete(tanda.id, {}, actor="budi", groups=["Kepala"]).status == "completed"


def test_tasks_are_offered_to_their_candidates_and_claimed_only_by_them(offices):
    _walk_candidates(offices)


def test_candidates_on_postgres(pg_url, clock, data_dir):
    engine = _engine(clock, pg_url)
    try:
        engine.deploy(data_dir / "penugasan.bpmn")
        _walk_candidates(engine)
    finally:
        engine.close()


def test_due_dates_count_working_time_in_each_office_zone(offices, clock):
    case = offices.start("penugasan", DATA)
    [terima] = case.tasks
    # Monday 14:00 WIB + 4 working hours: 2 on Monday (to 16:00), 2 on Tuesday from 07:30
    assert terima.due == dt.datetime(2025, 1, 7, 9, 30, tzinfo=ZoneInfo("Asia/Jakarta"))
    assert terima.due.tzinfo == ZoneInfo("Asia/Jakarta")
    assert terima.follow_up == dt.datetime(2025, 1, 6, 16, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
    utc = dt.timezone.utc  # 16:00 WIB is 09:00 UTC
    assert offices.find_tasks(follow_up_before=dt.datetime(2025, 1, 6, 9, 1, tzinfo=utc)).total == 1
    assert offices.find_tasks(follow_up_before=dt.datetime(2025, 1, 6, 9, 0, tzinfo=utc)).total == 0
    verifikasi = offices.complete(terima.id, {}, actor="ani", groups=["loket"]).tasks[0]
    # 15:00 WITA on Monday + 2 working days of 450 minutes (break 12:00-13:00) in Makassar
    assert verifikasi.due == dt.datetime(2025, 1, 8, 15, 0, tzinfo=ZoneInfo("Asia/Makassar"))
    tanda = offices.complete(verifikasi.id, {"lengkap": True}, actor="wati").tasks[0]
    # a date from the case data: due by the end of that day in the office's zone
    assert tanda.due == dt.datetime(2025, 1, 11, tzinfo=ZoneInfo("Asia/Jakarta"))
    assert offices.find_tasks(overdue=True).total == 0
    clock.advance(days=5)
    assert [t.id for t in offices.find_tasks(overdue=True).items] == [tanda.id]
    later = dt.datetime(2025, 1, 9, tzinfo=dt.timezone.utc)
    assert offices.find_tasks(due_before=later).total == 0
    with pytest.raises(BpengineError, match="due_before must be an aware datetime"):
        offices.find_tasks(due_before=dt.datetime(2025, 1, 9))


def test_a_delegated_task_is_resolved_by_the_delegate_and_returns_to_its_owner(offices):
    case = offices.start("penugasan", DATA)
    verifikasi = offices.complete(case.tasks[0].id, {}, actor="ani", groups=["loket"]).tasks[0]
    offices.claim(verifikasi.id, "wati")
    with pytest.raises(Forbidden, match="is with 'wati'; 'ani' cannot delegate it"):
        offices.delegate(verifikasi.id, "ani", actor="ani")
    task = offices.delegate(verifikasi.id, "dodi", actor="wati")
    assert (task.owner, task.assignee, task.delegation) == ("wati", "dodi", "pending")
    with pytest.raises(
        TaskNotReady, match="is delegated: 'dodi' resolves it and it returns to 'wati'"
    ):
        offices.complete(verifikasi.id, {"lengkap": True}, actor="dodi")
    with pytest.raises(Forbidden, match="is delegated to 'dodi', not 'wati'"):
        offices.resolve(verifikasi.id, {}, actor="wati")
    task = offices.resolve(verifikasi.id, {"catatan": "berkas lengkap"}, actor="dodi")
    assert (task.owner, task.assignee, task.delegation) == ("wati", "wati", "resolved")
    with pytest.raises(TaskNotReady, match="is not delegated"):
        offices.resolve(verifikasi.id, {}, actor="dodi")
    done = offices.complete(verifikasi.id, {"lengkap": True}, actor="wati")
    assert done.data["catatan"] == "berkas lengkap"  # the delegate's part, kept
    actions = [
        (h.action, h.actor, h.detail)
        for h in offices.history(case.id)
        if h.action in ("delegate", "resolve")
    ]
    assert actions == [
        ("delegate", "wati", "owner wati, delegated to dodi"),
        ("resolve", "dodi", "back to wati"),
    ]


def test_a_candidate_the_case_data_lacks_is_a_clear_error_and_nothing_is_written(offices):
    case = offices.start("penugasan", {"unit": "arsip", "batas": "2025-01-10"})
    before = offices.history(case.id)
    with pytest.raises(ExpressionError, match="T_verifikasi: camunda:candidateUsers: "):
        offices.complete(case.tasks[0].id, {}, actor="ani", groups=["loket"])
    assert offices.history(case.id) == before


@pytest.mark.parametrize(
    ("attribute", "value", "message"),
    [
        # validate's check runs first at deploy (the same check `bpengine validate` makes)
        (
            "camunda:candidateUsers",
            "${import os}",
            "T_verifikasi ('Verifikasi'): camunda:candidateUsers can never be evaluated",
        ),
        ("camunda:dueDate", "besok", "T_verifikasi: camunda:dueDate: 'besok' is not an ISO date"),
        ("camunda:dueDate", "P1Y", "camunda:dueDate can never be evaluated: timer value 'P1Y'"),
    ],
)
def test_an_assignment_the_engine_cannot_read_is_refused_at_deploy(
    offices, data_dir, tmp_path, attribute, value, message
):
    text = (data_dir / "penugasan.bpmn").read_text()
    old = re.search(rf'id="T_verifikasi"[^>]*?{attribute}="([^"]*)"', text).group(1)
    bad = tmp_path / "bad.bpmn"
    bad.write_text(text.replace(f'{attribute}="{old}"', f'{attribute}="{value}"', 1))
    with pytest.raises(ModelError, match=re.escape(message)):
        offices.deploy(bad)


def test_an_unknown_time_zone_is_refused_naming_it():
    with pytest.raises(BpengineError, match="time zone 'Asia/Bandung' is not an IANA name"):
        Engine(lane_timezones={"Kantor": "Asia/Bandung"})


def test_an_officer_works_offered_and_delegated_tasks_from_the_cli(tmp_path, data_dir):
    from click.testing import CliRunner

    from bpengine.cli import main

    url = f"sqlite:///{tmp_path / 'cases.db'}"

    def run(*args, code=0):
        result = CliRunner().invoke(main, [*args, "--db", url])
        assert result.exit_code == code, result.output
        return result.output

    run(
        "case",
        "start",
        str(data_dir / "penugasan.bpmn"),
        "--data",
        "unit=arsip",
        "--data",
        "verifikator=wati",
        "--data",
        "batas=2025-01-10",
    )
    assert run("case", "inbox", "--actor", "ani").startswith("inbox empty")
    line = run("case", "inbox", "--actor", "ani", "--group", "arsip")
    assert "(offered to loket, arsip)" in line
    assert "due " in line
    terima = line.split()[0]
    refused = run("case", "claim", terima, "--actor", "ani", "--group", "keuangan", code=1)
    assert "'ani' is not one of them" in refused
    assert "Traceback" not in refused
    run("case", "complete", terima, "--actor", "ani", "--group", "loket")
    verifikasi = run("case", "inbox", "--actor", "wati").split()[0]
    assert "owner wati, delegation pending" in run(
        "case", "delegate", verifikasi, "dodi", "--actor", "wati"
    )
    assert "assignee wati, owner wati, delegation resolved" in run(
        "case", "resolve", verifikasi, "--data", "catatan=lengkap", "--actor", "dodi"
    )
    shown = run("case", "complete", verifikasi, "--data", "lengkap=true", "--actor", "wati")
    assert "Tanda tangan" in shown


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    """A SQLite file, or a fresh PostgreSQL database (skipped without the server)."""
    if request.param == "postgresql":
        return request.getfixturevalue("pg_url")
    return f"sqlite:///{tmp_path / 'cases.db'}"


def test_each_reviewer_gets_one_task_and_their_opinions_are_collected_in_panel_order(
    database, clock, data_dir
):
    engine = Engine(database, clock=clock, migrate=True)
    try:
        engine.deploy(data_dir / "tinjau.bpmn")
        case = engine.start("tinjau", {"panel": ["ani", "budi", "citra"]})
        tasks = {t.assignee: t for t in case.tasks}
        assert sorted(tasks) == ["ani", "budi", "citra"]  # one each, assigned
        assert [t.assignee for t in engine.inbox(actor="budi")] == ["budi"]
        with pytest.raises(Forbidden, match="is claimed by 'citra'"):
            engine.complete(tasks["citra"].id, {"pendapat": "setuju"}, actor="ani")
        # finished out of panel order: the list keeps each opinion in its member's place
        engine.complete(tasks["citra"].id, {"pendapat": "setuju"}, actor="citra")
        half = engine.complete(tasks["ani"].id, {"pendapat": "setuju"}, actor="ani")
        assert half.data["pendapat_panel"] == ["setuju", None, "setuju"]
        assert "pendapat" not in half.data  # no opinion overwrote another's
        done = engine.complete(tasks["budi"].id, {"pendapat": "setuju"}, actor="budi")
        assert done.data["pendapat_panel"] == ["setuju", "setuju", "setuju"]
        # sequential, without an output item: one initial each, whole forms collected
        for member in ("ani", "budi", "citra"):
            [task] = engine.get(case.id).tasks
            assert task.assignee == member
            done = engine.complete(task.id, {"paraf": member[0].upper()}, actor=member)
        assert done.data["T_paraf"] == [{"paraf": "A"}, {"paraf": "B"}, {"paraf": "C"}]
        assert (done.status, done.outcome) == ("completed", "E_setuju")
        other = engine.start("tinjau", {"panel": ["ani", "budi"]})
        for task in other.tasks:
            last = engine.complete(
                task.id,
                {"pendapat": "tolak" if task.assignee == "budi" else "setuju"},
                actor=task.assignee,
            )
        assert (last.data["pendapat_panel"], last.outcome) == (["setuju", "tolak"], "E_tolak")
    finally:
        engine.close()


@pytest.mark.parametrize(
    "database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_an_assignee_too_long_to_store_is_refused_naming_it_on_both_databases(
    request, clock, data_dir, tmp_path, database
):
    # SQLite stored a 300-character assignee; PostgreSQL raised a driver DataError (a
    # StorageError, as if the database were down) on every try, so the case was stuck there
    text = (data_dir / "penugasan.bpmn").read_text()
    model = tmp_path / "penugasan.bpmn"
    model.write_text(
        text.replace(
            'camunda:candidateUsers="${verifikator}"', 'camunda:assignee="${verifikator}"', 1
        )
    )
    url = request.getfixturevalue("pg_url") if database == "postgres" else None
    engine = _engine(clock, url)
    try:
        engine.deploy(model)
        case = engine.start("penugasan", {**DATA, "verifikator": "w" * 300})
        before = engine.history(case.id)
        with pytest.raises(
            BpengineError,
            match=re.escape(
                "T_verifikasi: camunda:assignee: the assignee 'wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww'"
                "... is 300 characters long; the engine stores at most 200"
            ),
        ) as info:
            engine.complete(case.tasks[0].id, {}, actor="ani", groups=["loket"])
        assert type(info.value) is BpengineError
        assert engine.history(case.id) == before
        # the caller can put it right with the same call
        after = engine.complete(
            case.tasks[0].id, {"verifikator": "wati"}, actor="ani", groups=["loket"]
        )
        assert after.tasks[0].assignee == "wati"
    finally:
        engine.close()


def test_a_scenarios_time_zones_give_the_due_dates_their_offices_zone(clock, data_dir):
    from bpengine.scenario import load_scenario

    scenario = load_scenario(data_dir / "penugasan.scenario.yaml")
    assert scenario.lane_timezones == ZONES  # lanes.X.timezone, WIB for the others
    clock.now = MONDAY_14_WIB
    with Engine(clock=clock, calendar=scenario) as engine:
        engine.deploy(data_dir / "penugasan.bpmn")
        [terima] = engine.start("penugasan", DATA).tasks
        assert terima.due == dt.datetime(2025, 1, 7, 9, 30, tzinfo=ZoneInfo("Asia/Jakarta"))
        verifikasi = engine.complete(terima.id, {}, actor="ani", groups=["loket"]).tasks[0]
        # the regional office: 15:00 WITA + 2 working days of Makassar's own hours
        assert verifikasi.due == dt.datetime(2025, 1, 8, 15, 0, tzinfo=ZoneInfo("Asia/Makassar"))
    # the engine's own arguments win over the scenario's zones
    scenario.timezone = "Asia/Makassar"  # as calendar.timezone: Asia/Makassar
    with Engine(clock=clock, calendar=scenario, lane_timezones={ZONE_LANE: "Asia/Jayapura"}) as e:
        e.deploy(data_dir / "penugasan.bpmn")
        [terima] = e.start("penugasan", DATA).tasks
        # 15:00 WITA on Monday + 4 working hours: 1 on Monday, 3 on Tuesday from 07:30
        assert terima.due == dt.datetime(2025, 1, 7, 10, 30, tzinfo=ZoneInfo("Asia/Makassar"))
        verifikasi = e.complete(terima.id, {}, actor="ani", groups=["loket"]).tasks[0]
        assert verifikasi.due.tzinfo == ZoneInfo("Asia/Jayapura")
    with Engine(clock=clock, calendar=scenario, timezone="Asia/Jakarta") as e:
        assert e.timezone == ZoneInfo("Asia/Jakarta")


ZONE_LANE = "Kantor Wilayah Makassar"


def test_a_lane_zone_for_a_lane_no_process_has_is_refused_at_start(clock, data_dir):
    with Engine(clock=clock, lane_timezones={"Kantor Wilayah Makasar": "Asia/Makassar"}) as e:
        e.deploy(data_dir / "penugasan.bpmn")
        with pytest.raises(BpengineError) as err:
            e.start("penugasan", DATA)
        assert str(err.value) == (
            "lane_timezones: no lane 'Kantor Wilayah Makasar' in penugasan nor in any other "
            "deployed process (lanes of penugasan: Kantor Wilayah Makassar, Kepala, Sekretariat)"
        )
        assert e.find_cases().total == 0  # nothing was written
    # refused before deploying too, for a program that deploys and starts in one go
    with Engine(clock=clock, lane_timezones={"Kantor Wilayah Makasar": "Asia/Makassar"}) as e:
        with pytest.raises(BpengineError, match="lane_timezones: no lane 'Kantor Wilayah Makasar'"):
            e.check_lane_zones(data_dir / "penugasan.bpmn")
        assert e.definitions() == []
        e.deploy(data_dir / "cuti.bpmn")
        with pytest.raises(BpengineError, match="in cuti nor in any other deployed"):
            e.check_lane_zones(data_dir / "cuti.bpmn")
    # a lane of another deployed process is fine: one engine serves several processes
    with Engine(
        clock=clock, lane_timezones={ZONE_LANE: "Asia/Makassar", "Pegawai": "Asia/Jayapura"}
    ) as e:
        e.deploy(data_dir / "penugasan.bpmn")
        e.check_lane_zones(data_dir / "cuti.bpmn")  # Pegawai is cuti's, Kantor penugasan's
        e.deploy(data_dir / "cuti.bpmn")
        assert e.start("penugasan", DATA).status == "running"


def test_a_scenario_lane_zone_that_names_no_lane_is_refused_naming_the_file(
    clock, data_dir, tmp_path
):
    from bpengine.scenario import load_scenario

    text = (data_dir / "penugasan.scenario.yaml").read_text("utf-8")
    path = tmp_path / "salah.scenario.yaml"
    path.write_text(text.replace("Kantor Wilayah Makassar:", "Kanwil Makassar:"), "utf-8")
    with Engine(clock=clock, calendar=load_scenario(path)) as e:
        e.deploy(data_dir / "penugasan.bpmn")
        with pytest.raises(
            BpengineError,
            match=r"salah.scenario.yaml: lanes.Kanwil Makassar.timezone: no lane 'Kanwil Makassar' in penugasan",
        ):
            e.start("penugasan", DATA)


def test_a_scenario_may_name_the_lane_of_a_zone_by_its_id(clock, data_dir):
    from bpengine.scenario import load_scenario

    clock.now = MONDAY_14_WIB
    scenario = load_scenario({"lanes": {"L_wilayah": {"timezone": "Asia/Makassar"}}})
    with Engine(clock=clock, calendar=scenario) as engine:
        engine.deploy(data_dir / "penugasan.bpmn")
        [terima] = engine.start("penugasan", DATA).tasks
        verifikasi = engine.complete(terima.id, {}, actor="ani", groups=["loket"]).tasks[0]
        assert verifikasi.due == dt.datetime(2025, 1, 8, 15, 0, tzinfo=ZoneInfo("Asia/Makassar"))
