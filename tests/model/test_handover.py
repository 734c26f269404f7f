"""Message flows resolved to the steps they join, and classified paper or data."""

from pathlib import Path

import pytest

from bpengine import ModelError, load
from tests.conftest import shared_path

COLLAB = Path(__file__).resolve().parents[1] / "data" / "collab" / "tiga-instansi.bpmn"


@pytest.fixture(scope="module")
def model():
    return load(COLLAB)


def test_a_collaboration_is_one_procedure(model):
    assert model.is_collaboration
    assert model.pooled_processes == ("Proc_kelurahan", "Proc_kecamatan", "Proc_dinas")
    assert [p.id for p in model.executable_pools] == ["Pool_kelurahan", "Pool_kecamatan"]
    assert model.pool_of("Task_ttd").name == "Kecamatan"


def test_message_flows_resolve_to_elements(model):
    h = {x.flow: x for x in model.handovers}
    # drawn to a pool shape: received by its start event; from a black box: no sender
    assert (h["Msg_permohonan"].sender, h["Msg_permohonan"].receiver) == (None, "Start_kel")
    assert (h["Msg_berkas"].sender, h["Msg_berkas"].receiver) == ("Throw_serahkan", "Start_terima")
    assert (h["Msg_data"].sender_pool, h["Msg_data"].receiver_pool) == (
        "Pool_kecamatan",
        "Pool_dinas",
    )
    assert h["Msg_izin"].receiver is None
    assert h["Msg_izin"].receiver_pool == "Pool_pemohon"
    assert model.message_fed["Receive_terima"] == ("Msg_data",)
    assert all(x.between_pools for x in model.handovers)


def test_paper_and_data_say_why(model):
    berkas, data, izin = (model.handover(f) for f in ("Msg_berkas", "Msg_data", "Msg_izin"))
    assert (berkas.kind, berkas.reason) == ("paper", "vocabulary")
    assert "berkas" in berkas.evidence
    assert (data.kind, data.reason, data.evidence) == ("data", "structure", "sendTask Send_kirim")
    assert (izin.kind, izin.reason) == ("paper", "attribute")


def _variant(*pairs: bytes):
    data = COLLAB.read_bytes()
    for old, new in zip(pairs[::2], pairs[1::2], strict=True):
        assert old in data
        data = data.replace(old, new)
    return load(data)


def test_the_attribute_beats_the_structure():
    m = _variant(
        b'id="Msg_data" name="Rekomendasi"',
        b'id="Msg_data" name="Rekomendasi" bpe:handover="paper"',
    )
    assert (m.handover("Msg_data").kind, m.handover("Msg_data").reason) == ("paper", "attribute")


def test_a_system_lane_or_data_word_means_data():
    m = _variant(b'name="Camat"', b'name="Sistem Informasi Kecamatan"')
    h = m.handover("Msg_berkas")  # received in a system lane: data, whatever the names say
    assert (h.kind, h.reason) == ("data", "structure")
    assert "Sistem Informasi" in h.evidence
    m = _variant(b'id="Msg_berkas"', b'id="Msg_berkas" name="Data berkas via aplikasi"')
    assert (m.handover("Msg_berkas").kind, m.handover("Msg_berkas").reason) == (
        "data",
        "vocabulary",
    )


def test_nothing_said_is_assumed_paper():
    m = _variant(
        b'name="Menyerahkan berkas ke kecamatan"',
        b'name="Lanjut"',
        b'name="Menerima berkas"',
        b'name="Mulai"',
    )
    h = m.handover("Msg_berkas")
    assert (h.kind, h.reason) == ("paper", "structure")  # a throw event: a person passes it


def test_a_bad_handover_value_names_the_flow():
    with pytest.raises(ModelError, match=r"Msg_izin.*bpe:handover must be 'paper' or 'data'"):
        _variant(b'bpe:handover="paper"', b'bpe:handover="fax"')


def test_corpus_collaborations_resolve_every_flow():
    m = load(shared_path("corpus", "exec", "bpmnjs__pizza-collaboration.bpmn"))
    assert m.is_collaboration
    assert len(m.handovers) == 6
    assert all(h.sender and h.receiver for h in m.handovers)
    assert m.handover("_6-640").kind == "paper"  # "Deliver the pizza": carried
    b2 = load(shared_path("corpus", "miwg", "B.2.0.bpmn"))
    kinds = {h.flow: (h.kind, h.reason) for h in b2.handovers}
    assert kinds["_09e7cb23-4a1b-4165-b93a-cf635c223ee5"] == ("data", "structure")  # sendTask
    single = load(shared_path("corpus", "miwg", "A.4.0.bpmn"))
    assert not single.is_collaboration
