"""Task forms (Camunda formField) are shown on the task and enforced on complete."""

from __future__ import annotations

import re

import pytest

from bpengine import FormError, ModelError


def _to(engine, lane):
    [task] = engine.inbox(lane=lane)
    return task


def test_a_typo_in_a_decision_is_refused_naming_the_field(engine, data_dir):
    engine.deploy(data_dir / "formulir.bpmn")
    case = engine.start("formulir", {})
    isi = _to(engine, "Pegawai")
    fields = engine.form(isi.id)
    assert [(f.id, f.type, f.required) for f in fields] == [
        ("lama_cuti", "long", True),
        ("alasan", "string", False),
        ("mulai", "date", False),
        ("pengganti_ada", "boolean", False),
    ]
    assert fields[0].label == "Lama cuti (hari kerja)"
    assert fields[0].constraints == {"min": 1.0, "max": 12.0}
    before = engine.history(case.id)
    for data, message in [
        ({}, "field 'lama_cuti' ('Lama cuti (hari kerja)') is required"),
        ({"lama_cuti": 13}, "field 'lama_cuti': 13 is above the maximum 12"),
        ({"lama_cuti": "tiga"}, "field 'lama_cuti': 'tiga' is not a whole number"),
        ({"lama_cuti": 3, "alasan": "sakit"[:3]}, "field 'alasan': at least 5 characters"),
        ({"lama_cuti": 3, "mulai": "06/01/2025"}, "'06/01/2025' is not a date"),
        ({"lama_cuti": 3, "pengganti_ada": "ya"}, "'ya' is not true or false"),
    ]:
        with pytest.raises(FormError, match=re.escape(message)):
            engine.complete(isi.id, data, actor="ani")
    assert engine.history(case.id) == before  # nothing written
    done = engine.complete(isi.id, {"lama_cuti": "3", "mulai": "2025-01-06"}, actor="ani")
    assert done.data["lama_cuti"] == 3
    assert done.data["pengganti_ada"] is False

    keputusan = _to(engine, "Atasan Langsung")
    assert engine.form(keputusan.id)[0].values == (
        ("disetujui", "Disetujui"),
        ("ditolak", "Ditolak"),
    )
    with pytest.raises(
        FormError,
        match=re.escape(
            "(T_pertimbangan): field 'pertimbangan': 'disetujui ' is not one of 'disetujui', "
            "'ditolak'"
        ),
    ) as refused:
        engine.complete(keputusan.id, {"pertimbangan": "disetujui "}, actor="budi")
    assert refused.value.field == "pertimbangan"
    assert engine.get(case.id).status == "running"  # the typo did not take the reject path
    done = engine.complete(keputusan.id, {"pertimbangan": "disetujui"}, actor="budi")
    assert (done.status, done.outcome) == ("completed", "E_ok")


def test_a_task_without_a_form_has_none(engine, data_dir):
    engine.deploy(data_dir / "cuti.bpmn")
    engine.start("cuti", {"hari": 1, "revisi": 0})
    assert engine.form(engine.inbox()[0].id) == ()


def test_a_form_field_the_engine_cannot_enforce_is_refused_at_deploy(engine, data_dir, tmp_path):
    bad = tmp_path / "bad.bpmn"
    bad.write_text((data_dir / "formulir.bpmn").read_text().replace('type="date"', 'type="money"'))
    # refused by validation now (validate says it too), naming the file's line and the task
    with pytest.raises(
        ModelError,
        match=r"bad.bpmn:\d+: error: T_isi .*form field 'mulai': type 'money' is not one",
    ):
        engine.deploy(bad)


def test_camunda_assignee_gives_the_task_to_the_person_the_case_names(engine, data_dir):
    engine.deploy(data_dir / "formulir.bpmn")
    named = engine.start("formulir", {"atasan": "budi"})
    unnamed = engine.start("formulir", {})
    for case in (named, unnamed):
        [task] = [t for t in engine.get(case.id).tasks if t.element_id == "T_isi"]
        engine.complete(task.id, {"lama_cuti": 1}, actor="ani")
    decisions = {t.case_id: t for t in engine.inbox(lane="Atasan Langsung")}
    assert decisions[named.id].assignee == "budi"
    assert decisions[unnamed.id].assignee is None  # no value: the lane's inbox
    assert engine.inbox(lane="Atasan Langsung", actor="citra") == [decisions[unnamed.id]]
    assert [t.assignee for t in engine.get(named.id).tasks] == ["budi"]


def test_a_refused_value_is_named_in_the_users_language(data_dir, tmp_path):
    # --lang id printed "task ... (T_isi): field 'lama_cuti'" with the words in English
    from click.testing import CliRunner

    from bpengine.cli import main

    url = f"sqlite:///{tmp_path / 'cases.db'}"
    runner = CliRunner()
    started = runner.invoke(main, ["case", "start", str(data_dir / "formulir.bpmn"), "--db", url])
    assert started.exit_code == 0, started.output
    [task] = [line.split()[2] for line in started.output.splitlines() if "T_isi" in line]
    res = runner.invoke(
        main,
        ["--lang", "id", "case", "complete", task, "--data", "lama_cuti=banyak", "--db", url],
    )
    assert res.exit_code != 0
    assert f"galat: tugas {task} (T_isi): kolom 'lama_cuti'" in res.output, res.output
