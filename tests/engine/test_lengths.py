"""Texts too long for a column are refused at deploy, naming the element, on SQLite and on
PostgreSQL alike (SQLite would store them; PostgreSQL refused them only when a case reached
the task); a 490-step procedure deploys and runs (SpiffWorkflow recursed past Python's limit)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpengine import Engine, ModelError
from bpengine.model.spiff import MAX_ENGINE_NODES

SEQUENCE = (Path(__file__).resolve().parents[1] / "data" / "sim" / "sequence.bpmn").read_bytes()


def linear(n: int) -> bytes:
    """A procedure of ``n`` user tasks in a row."""
    ids = ["S", *(f"T{i}" for i in range(n)), "E"]
    tasks = "".join(f'<userTask id="T{i}" name="Langkah {i}"/>' for i in range(n))
    flows = "".join(
        f'<sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>'
        for i, (a, b) in enumerate(zip(ids, ids[1:], strict=False))
    )
    return (
        f'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" '
        f'targetNamespace="x"><process id="p" isExecutable="true"><startEvent id="S"/>'
        f'{tasks}<endEvent id="E"/>{flows}</process></definitions>'
    ).encode()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request):
    url = "sqlite://" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    engine = Engine(url)
    yield engine
    engine.db.dispose()


@pytest.mark.parametrize(
    ("old", "new", "what"),
    [
        (b'name="Periksa berkas"', b'name="' + b"x" * 600 + b'"', "the name is 600 characters"),
        (b'id="A"', b'id="' + b"A" * 250 + b'"', "the element id is 250 characters"),
        (b'name="Staf"', b'name="' + b"S" * 300 + b'"', "the lane name"),
    ],
    ids=["task-name", "element-id", "lane-name"],
)
def test_too_long_for_a_column_is_refused_at_deploy(db, old, new, what):
    source = SEQUENCE.replace(old, new)
    if old == b'id="A"':
        source = source.replace(b">A<", b">" + b"A" * 250 + b"<").replace(
            b'"A"', b'"' + b"A" * 250 + b'"'
        )
    with pytest.raises(ModelError, match=what) as info:
        db.deploy(source)
    assert "the engine stores at most" in str(info.value)
    assert len(str(info.value)) < 400  # the long text is measured, not printed
    assert db.definitions() == []


def test_the_longest_allowed_name_is_stored_and_runs(db):
    definition = db.deploy(
        SEQUENCE.replace(b'name="Periksa berkas"', b'name="' + b"x" * 500 + b'"')
    )
    case = db.start(definition.key)
    [task] = db.inbox()
    assert task.name == "x" * 500
    db.complete(task.id)
    assert db.get(case.id).status == "running"


def test_a_490_step_procedure_deploys_and_runs(db):
    definition = db.deploy(linear(490))
    case = db.start(definition.key)
    for step in range(3):
        [task] = db.inbox()
        assert task.element_id == f"T{step}"
        db.complete(task.id)
    assert db.get(case.id).status == "running"


@pytest.mark.slow
def test_a_490_step_procedure_runs_to_the_end():
    db = Engine()
    case = db.start(db.deploy(linear(490)).key)
    for _step in range(490):
        [task] = db.inbox()
        db.complete(task.id)
    assert db.get(case.id).status == "completed"


def test_a_model_over_the_engine_limit_is_refused_naming_the_setting():
    with pytest.raises(ModelError, match="MAX_ENGINE_NODES"):
        Engine().deploy(linear(MAX_ENGINE_NODES))
