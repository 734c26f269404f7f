"""bpengine/engine/store.py: audit rows hold what a step changed, history() the whole data."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import text

from bpengine import Engine


def _audit_bytes(engine: Engine, case_id: str) -> int:
    with engine.db.connect() as conn:
        rows = conn.execute(
            text("SELECT data_before, data_after FROM bpe_audit WHERE case_id = :c"), {"c": case_id}
        ).all()
    return sum(len(b or "") + len(a or "") for b, a in rows)


def test_a_large_value_is_audited_once_not_once_per_step(engine, data_dir):
    engine.deploy(data_dir / "cuti.bpmn")
    engine.register("S_catat", lambda data: {"nomor": "SK-1"})
    big = "x" * 1_000_000
    case = engine.start("cuti", {"hari": 2, "revisi": 0, "lampiran": big})
    answers = {
        "T_isi": [{}],
        "T_revisi": [{"revisi": 1}, {"revisi": 2}],
        "T_setuju": [{"approved": False}, {"approved": False}, {"approved": True}],
    }
    while engine.get(case.id).status == "running":  # refused twice, then approved
        [task] = [t for t in engine.get(case.id).tasks if t.kind == "user"]
        engine.complete(task.id, answers[task.element_id].pop(0))
    assert engine.get(case.id).status == "completed"
    history = engine.history(case.id)
    assert len(history) >= 8
    # Whole copies would write the megabyte twice per row that has data.
    assert _audit_bytes(engine, case.id) < 1_100_000
    for entry in history:  # and yet every entry shows the whole data, as before
        for data in (entry.data_before, entry.data_after):
            assert data is None or data["lampiran"] == big
    assert history[-1].action == "end"
    assert history[-1].data_after == engine.get(case.id).data


def test_history_replays_changes_and_removals_exactly(engine, data_dir, clock):
    engine.deploy(data_dir / "cuti.bpmn")
    case = engine.start("cuti", {"hari": 2, "revisi": 0, "a": {"b": [1, 2]}})
    [task] = engine.get(case.id).tasks
    engine.complete(task.id, {"a": {"b": [1, 2, 3]}, "c": None})
    history = engine.history(case.id)
    assert [h.action for h in history] == ["start", "complete"]
    assert history[0].data_before is None
    assert history[0].data_after == {"hari": 2, "revisi": 0, "a": {"b": [1, 2]}}
    assert history[1].data_before == history[0].data_after
    assert history[1].data_after == {"hari": 2, "revisi": 0, "a": {"b": [1, 2, 3]}, "c": None}
    with engine.db.connect() as conn:
        stored = conn.execute(
            text("SELECT data_before, data_after FROM bpe_audit WHERE action = 'complete'")
        ).one()
    assert [json.loads(v) for v in stored] == [
        {"a": {"b": [1, 2]}},
        {"a": {"b": [1, 2, 3]}, "c": None},
    ]
    cancelled = engine.cancel(case.id, reason="salah isi")
    last = engine.history(case.id)[-1]
    assert last.action == "cancel"
    assert last.data_before == cancelled.data
    assert last.data_after is None


def test_rows_written_as_whole_copies_still_read(engine, data_dir, clock):
    # Databases audited before deltas hold whole copies; a history mixing both replays.
    engine.deploy(data_dir / "cuti.bpmn")
    case = engine.start("cuti", {"hari": 2, "revisi": 0})
    at = clock.now + dt.timedelta(minutes=1)
    with engine.db.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO bpe_audit (case_id, action, actor, at, data_before, data_after, detail)"
                " VALUES (:c, 'complete', 'ani', :at, :b, :a, '')"
            ),
            {
                "c": case.id,
                "at": at,
                "b": json.dumps({"hari": 2, "revisi": 0}),
                "a": json.dumps({"hari": 3}),
            },
        )
    [_, old] = engine.history(case.id)
    assert old.data_before == {"hari": 2, "revisi": 0}
    assert old.data_after == {"hari": 3}


def test_a_delegates_draft_is_shown_as_such_and_not_replayed_as_case_data(engine, data_dir):
    # resolve() audits the delegate's draft, which joins the case data only on complete.
    engine.deploy(data_dir / "cuti.bpmn")
    case = engine.start("cuti", {"hari": 2, "revisi": 0})
    [task] = engine.inbox()
    engine.claim(task.id, "ani")
    engine.delegate(task.id, "budi", actor="ani")
    engine.resolve(task.id, {"alasan": "menikah"}, actor="budi")
    engine.complete(task.id, {"tanggal": "2025-02-03"}, actor="ani")
    history = {h.action: h for h in engine.history(case.id)}
    assert history["resolve"].data_after == {"alasan": "menikah"}
    assert history["complete"].data_before == {"hari": 2, "revisi": 0}
    assert history["complete"].data_after == engine.get(case.id).data
