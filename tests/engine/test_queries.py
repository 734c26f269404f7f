"""Queries for apps: pages with totals, business keys, case data, outcomes, history rows."""

from __future__ import annotations

import pytest

from bpengine import BpengineError, Engine


@pytest.fixture(params=["sqlite", "postgresql"])
def any_engine(request, clock, tmp_path):
    if request.param == "sqlite":
        engine = Engine(f"sqlite:///{tmp_path / 'q.db'}", clock=clock)
    else:
        engine = Engine(request.getfixturevalue("pg_url"), clock=clock)
    yield engine
    engine.close()


def _receive(engine, case_id):
    [task] = [t for t in engine.get(case_id).tasks if t.element_id == "T_terima"]
    return engine.complete(task.id, {}, actor="ani")


def test_pages_come_with_the_total_and_data_queries_use_values_and_types(
    any_engine, data_dir, clock
):
    engine = any_engine
    engine.deploy(data_dir / "jobs.bpmn")
    engine.register("S_kirim", lambda data: {"nomor": 0 if data["nik"] == "0" else 5})
    ids = []
    for i in range(30):
        clock.advance(seconds=1)
        ids.append(
            engine.start(
                "jobs",
                {"nik": str(i % 10), "urut": i, "mendesak": i < 3, "prioritas": "biasa"},
                business_key=f"REG-{i:03d}",
            ).id
        )
    page = engine.find_cases(offset=25, limit=10)
    assert (page.total, page.offset, [c.id for c in page.items]) == (30, 25, ids[25:])
    assert engine.find_cases(newest_first=True, limit=2).items[0].id == ids[-1]
    [one] = engine.find_cases(business_key="REG-007").items
    assert one.id == ids[7]
    assert {t.element_id for t in one.tasks} == {"T_terima", "B_lambat"}
    assert engine.find_cases(data={"nik": "3"}).total == 3
    assert engine.find_cases(data={"nik": 3}).total == 0  # "3" is text, 3 a number
    assert engine.find_cases(data={"urut": 12}).items[0].id == ids[12]
    assert engine.find_cases(data={"mendesak": True}).total == 3
    assert engine.find_cases(data={"mendesak": True, "nik": "1"}).total == 1

    for case_id in ids[:4]:
        _receive(engine, case_id)  # nik 0 -> nomor 0 -> Perbaiki data; others end well
    done = engine.find_cases(status="completed")
    assert done.total == 3
    assert {c.outcome for c in done.items} == {"E_selesai"}
    assert engine.find_cases(outcome="E_selesai").total == 3
    assert engine.history(ids[1])[-1].detail == "E_selesai"
    tasks = engine.find_tasks(lane="Petugas", offset=20, limit=5)
    assert tasks.total == 27
    assert len(tasks.items) == 5
    assert [t.element_id for t in engine.find_tasks(business_key="REG-000").items] == ["T_perbaiki"]
    # Receiving; the service task ran in the same call, so it never waited as a row.
    assert engine.find_tasks(state="completed", data={"nik": "2"}).total == 1
    assert engine.find_tasks(state=None, kind="timer", data={"mendesak": True}).total == 3
    assert engine.find_tasks(state="waiting", kind="timer").total == 26


def test_an_interrupting_timer_leaves_a_history_row_for_the_task_it_cancelled(
    engine, data_dir, clock
):
    engine.deploy(data_dir / "jobs.bpmn")
    case = engine.start("jobs", {"nik": "1", "prioritas": "tinggi"})
    clock.advance(hours=2)
    engine.tick()
    history = engine.history(case.id)
    assert [(h.action, h.element_id) for h in history[1:]] == [
        ("timer", "B_lambat"),
        ("cancelled", "T_terima"),
    ]
    assert engine.find_tasks(state="cancelled", case_id=case.id).items[0].element_id == "T_terima"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda e: e.find_cases(offset=-1), "offset must be a whole number >= 0"),
        (lambda e: e.find_cases(limit=0), "limit must be a whole number >= 1"),
        (lambda e: e.find_cases(data={"x": [1]}), "only text, numbers"),
        (lambda e: e.find_cases(data={}), "give a mapping"),
        (lambda e: e.find_tasks(state="done"), "state must be one of"),
    ],
)
def test_bad_queries_name_what_is_wrong(engine, call, message):
    with pytest.raises(BpengineError, match=message):
        call(engine)
