"""The engine on a real PostgreSQL server: schema, a walk-through, several worker processes,
and a worker killed with SIGKILL in the middle of a step."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter

import pytest
from sqlalchemy import create_engine, text

from bpengine import BpengineError, Engine
from bpengine.engine.migrate import current, head

pytestmark = pytest.mark.postgres


def test_schema_is_created_by_migrations(pg_url):
    assert current(pg_url) == head()
    assert current(pg_url.replace("+psycopg", "")) == head()  # plain postgresql:// works too
    db = create_engine(pg_url)
    with pytest.raises(Exception, match="append-only"), db.begin() as conn:
        conn.execute(text("DELETE FROM bpe_audit"))
    with db.connect() as conn:
        tables = set(
            conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ).scalars()
        )
    db.dispose()
    assert {
        "bpe_definitions",
        "bpe_cases",
        "bpe_tasks",
        "bpe_audit",
        "bpe_alembic_version",
    } <= tables


def test_an_unmigrated_database_is_refused_with_the_fix(pg_server):
    with pytest.raises(BpengineError, match="bpengine db upgrade"):
        Engine(pg_server.url)


def test_walk_through_and_timers_on_postgres(pg_url, data_dir, clock):
    engine = Engine(pg_url, clock=clock)
    engine.deploy(data_dir / "cuti.bpmn")
    case = engine.start("cuti", {"hari": 2, "revisi": 0}, actor="ani")
    [task] = engine.inbox(lane="Pegawai")
    engine.complete(task.id, {}, actor="ani")
    assert engine.tick(clock.advance(days=1)) == []
    assert engine.tick(clock.advance(days=2, minutes=1)) == [case.id]
    [escalation] = engine.inbox(lane="Kepala")
    engine.register("S_catat", lambda data: {"ok": True})
    done = engine.complete(escalation.id, {"approved": True}, actor="kepala")
    assert done.status == "completed"
    assert done.data["ok"] is True
    assert [h.action for h in engine.history(case.id)] == [
        "start",
        "complete",
        "timer",
        "cancelled",
        "complete",
        "service",
        "end",
    ]
    engine.db.dispose()


def _worker(url: str, lanes: list[str], seed: int, cases: int) -> Counter:
    """Start this worker's share of the cases, then complete whatever the inbox offers
    (any worker, any case) until every case is done."""
    import random

    from bpengine import ConflictError, Engine

    rng = random.Random(seed)
    engine = Engine(url)
    engine.register("Kirim notifikasi", lambda data: None)
    counts = Counter()
    for i in range(cases):
        engine.start("disposisi", {"no": f"{seed}-{i}"}, actor=f"loket{seed}")
    idle = 0
    while idle < 50:
        tasks = engine.inbox(lane=rng.choice(lanes), limit=40)
        if not tasks:
            idle += 1
            if not engine.cases(status="running", limit=1):
                break
            time.sleep(0.02)
            continue
        idle = 0
        for task in rng.sample(tasks, min(8, len(tasks))):  # several per inbox read
            try:
                engine.complete(task.id, {f"by_{task.element_id}": seed}, actor=f"w{seed}")
                counts["completed"] += 1
            except ConflictError:  # a lost race is always a ConflictError (never TaskNotReady)
                counts["conflict"] += 1
    engine.db.dispose()
    return counts


@pytest.mark.slow
def test_four_worker_processes_x_500_cases_complete_exactly_once(pg_url, data_dir):
    engine = Engine(pg_url)
    engine.deploy(data_dir / "disposisi.bpmn")
    lanes = ["Sekretariat", "Bidang A", "Bidang B"]
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(4) as pool:
        results = pool.starmap(_worker, [(pg_url, lanes, seed, 500) for seed in range(4)])
    total = sum(results, Counter())
    cases = engine.cases()
    assert len(cases) == 4 * 500
    assert {c.status for c in cases} == {"completed"}
    # Four user tasks per case (receive, two reviews, archive), each completed exactly once.
    assert total["completed"] == 4 * len(cases)
    with engine.db.connect() as conn:
        per_task = conn.execute(
            text(
                "SELECT task_id, count(*) FROM bpe_audit WHERE action = 'complete' GROUP BY task_id"
            )
        ).all()
        open_rows = conn.execute(
            text("SELECT count(*) FROM bpe_tasks WHERE state IN ('ready','pending','waiting')")
        ).scalar_one()
        services = conn.execute(
            text("SELECT count(*) FROM bpe_audit WHERE action = 'service'")
        ).scalar_one()
        ends = conn.execute(
            text("SELECT count(*) FROM bpe_audit WHERE action = 'end'")
        ).scalar_one()
    assert len(per_task) == 4 * len(cases)
    assert {n for _, n in per_task} == {1}
    assert open_rows == 0
    assert services == 2 * len(cases)
    assert ends == len(cases)
    engine.db.dispose()


_KILLED_WORKER = textwrap.dedent("""
    import os, sys, time
    from bpengine import Engine
    engine = Engine(sys.argv[1])
    def hang(data):
        print("in-step", flush=True)
        time.sleep(60)          # killed here, in the middle of the transaction
    engine.register("Kirim notifikasi", hang)
    engine.complete(sys.argv[2], {"catatan": "worker"}, actor="worker")
""")


def test_a_worker_killed_mid_step_leaves_the_case_before_the_step(pg_url, data_dir):
    engine = Engine(pg_url)
    engine.deploy(data_dir / "disposisi.bpmn")
    case = engine.start("disposisi", {}, actor="loket")
    engine.complete(engine.inbox()[0].id, {}, actor="sekretaris")
    [task_a] = engine.inbox(lane="Bidang A")
    before = (engine.get(case.id), engine.history(case.id))
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLED_WORKER, pg_url, task_a.id], stdout=subprocess.PIPE, text=True
    )
    with proc.stdout:
        assert proc.stdout.readline().strip() == "in-step"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    assert (engine.get(case.id), engine.history(case.id)) == before
    # After restart a worker completes the step normally, exactly once.
    engine.register("Kirim notifikasi", lambda data: None)
    engine.complete(task_a.id, {"catatan": "restart"}, actor="worker")
    completes = [h for h in engine.history(case.id) if h.element_id == "T_a"]
    assert [(h.action, h.actor) for h in completes] == [("complete", "worker")]
    engine.db.dispose()


def _ticker(url: str, now_iso: str) -> int:
    import datetime as dt

    from bpengine import ConflictError, Engine

    engine = Engine(url)
    fired, now = 0, dt.datetime.fromisoformat(now_iso)
    while True:
        try:
            advanced = engine.tick(now, limit=3)
        except ConflictError:
            continue
        if not advanced and not engine.tick(now, limit=1):
            break
        fired += len(advanced)
    engine.db.dispose()
    return fired


def test_two_workers_ticking_fire_each_timer_exactly_once(pg_url, data_dir, clock):
    engine = Engine(pg_url, clock=clock)
    engine.deploy(data_dir / "cuti.bpmn")
    cases = [engine.start("cuti", {"hari": 1, "revisi": 0}).id for _ in range(12)]
    for task in engine.inbox(lane="Pegawai"):
        engine.complete(task.id, {})
    due = (clock.now + dt.timedelta(days=4)).isoformat()
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        fired = pool.starmap(_ticker, [(pg_url, due), (pg_url, due)])
    assert sum(fired) == len(cases)
    assert len(engine.inbox(lane="Kepala")) == len(cases)
    timers = Counter(h.action for c in cases for h in engine.history(c) if h.action == "timer")
    assert timers == {"timer": len(cases)}
    engine.db.dispose()


def _service_worker(url: str) -> int:
    from bpengine import ConflictError, Engine

    engine = Engine(url)
    engine.register("Kirim notifikasi", lambda data: {"terkirim": True})
    done = 0
    while True:
        try:
            advanced = engine.work(limit=3)
        except ConflictError:
            continue
        if not advanced:
            break
        done += len(advanced)
    engine.db.dispose()
    return done


def test_two_workers_share_pending_service_tasks_exactly_once(pg_url, data_dir):
    front = Engine(pg_url)  # the front office has no handler: services stay pending
    front.deploy(data_dir / "disposisi.bpmn")
    cases = [front.start("disposisi", {}).id for _ in range(10)]
    for lane in ("Sekretariat", "Bidang A"):
        for task in front.inbox(lane=lane):
            front.complete(task.id, {})
    assert len([t for c in cases for t in front.get(c).tasks if t.kind == "service"]) == 10
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        pool.map(_service_worker, [pg_url, pg_url])
    services = Counter(h.task_id for c in cases for h in front.history(c) if h.action == "service")
    assert len(services) == 10
    assert set(services.values()) == {1}
    assert all(front.get(c).data["terkirim"] is True for c in cases)
    front.db.dispose()


def test_ids_by_their_start_on_postgres(pg_url, data_dir, clock):
    """LIKE with an escape clause behaves on PostgreSQL as on SQLite."""
    from bpengine.errors import NotFound

    with Engine(pg_url, clock=clock) as engine:
        engine.deploy(data_dir / "cuti.bpmn")
        case = engine.start("cuti", {"hari": 2, "revisi": 0})
        [task] = [t for t in engine.inbox() if t.case_id == case.id]
        assert engine.expand_id("case", case.id[:8]) == case.id
        assert engine.expand_id("task", task.id[:8]) == task.id
        assert engine.expand_id("case", case.id) == case.id
        with pytest.raises(NotFound, match="no case '%'"):
            engine.expand_id("case", "%")  # a wildcard is a character here, not "anything"


@pytest.mark.parametrize("value", ["scan\x00.pdf", "\ud800"])
def test_text_postgres_cannot_hold_is_refused_naming_the_key_not_a_driver_error(
    pg_url, data_dir, value
):
    # SQLite stored these and PostgreSQL raised a DataError as StorageError (an outage)
    with Engine(pg_url) as engine:
        engine.deploy(data_dir / "cuti.bpmn")
        before = len(engine.cases())
        with pytest.raises(BpengineError, match="start cuti: lampiran holds a NUL") as info:
            engine.start("cuti", {"hari": 2, "revisi": 0, "lampiran": value})
        assert type(info.value) is BpengineError  # not a StorageError: the db is fine
        assert len(engine.cases()) == before
