"""The SpiffWorkflow bridge follows the drawing: message flows pick the message, a
collaboration of executable pools is one procedure."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpengine import load
from bpengine.model.spiff import build_specs, engine_key, engine_name, message_names, task_senders

DATA = Path(__file__).resolve().parents[1]
PINDAH = DATA / "engine" / "data" / "pindah.bpmn"
TIGA = DATA / "data" / "collab" / "tiga-instansi.bpmn"


def test_message_flows_give_both_ends_one_message():
    names = message_names(load(PINDAH))
    # messageRef of the catch wins; else the flow's name; a flow to a black-box pool names
    # its thrower's message too.
    assert names["R_dokumen"] == "Dokumen asli"
    assert names["T_serahkan"] == names["S_kec"] == "Berkas pindah"
    assert names["T_kirim"] == names["C_skpwni"] == names["C_skpwni2"] == "SKPWNI"
    assert names["T_berikan"] == "SKPWNI untuk pemohon"
    # No flow name: the catch event's own name ("Menerima berkas") for both ends.
    tiga = message_names(load(TIGA))
    assert tiga["Throw_serahkan"] == tiga["Start_terima"] == "Menerima berkas"


def test_a_task_with_a_message_flow_out_is_a_sender_the_engine_throws_for():
    source = PINDAH.read_bytes().replace(
        b'<sendTask id="T_kirim" name="Kirim SKPWNI ke kelurahan"/>',
        b'<userTask id="T_kirim" name="Antar SKPWNI ke kelurahan"/>',
    )
    assert task_senders(load(source)) == {"T_kirim": "SKPWNI"}
    assert task_senders(load(PINDAH)) == {}


def test_a_collaboration_of_executable_pools_is_one_spec_named_after_it():
    model = load(PINDAH)
    assert (engine_key(model), engine_name(model)) == ("pindah_domisili", "Surat pindah domisili")
    spec, subprocesses = build_specs(model)
    assert sorted(subprocesses) == ["kecamatan", "kelurahan"]
    # The message-started pool is wired once, not connected to the start at run time.
    assert spec.start.trigger_specs == ["kecamatan"]
    assert "kecamatan" not in spec.start._outputs
    single = load(DATA.parent / "processes" / "cuti-asn.bpmn")
    assert engine_key(single) == single.main_process.id


def test_a_model_the_engine_cannot_use_is_refused_in_one_clean_line(tmp_path):
    # SpiffWorkflow's own text ends in "." and its __str__ adds ". ": the line read
    # "... is not executable.. "
    from bpengine import Engine
    from bpengine.errors import ModelError

    model = tmp_path / "not-executable.bpmn"
    model.write_text(
        (Path(__file__).resolve().parents[2] / "processes" / "cuti-asn.bpmn")
        .read_text(encoding="utf-8")
        .replace('isExecutable="true"', 'isExecutable="false"'),
        encoding="utf-8",
    )
    with pytest.raises(ModelError) as err:
        Engine().deploy(str(model))
    line = str(err.value)
    assert line.endswith(
        "the engine cannot use this model: Process Process_cuti_asn is not executable"
    )
