"""The model's classification of steps a redesign must keep: attribute, legal act, guard."""

from __future__ import annotations

import pytest

from bpengine import load
from bpengine.model import classify_mandate, legal_act

NS = 'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpe="http://bpengine.org/schema/bpmn/1.0"'


def chain(*steps):
    """A straight procedure of ``(id, kind, name, extra attributes)`` steps."""
    nodes = "".join(f'<{k} id="{i}" name="{n}" {x}/>' for i, k, n, x in steps)
    ids = ["s", *[s[0] for s in steps], "e"]
    flows = "".join(
        f'<sequenceFlow id="f{j}" sourceRef="{a}" targetRef="{b}"/>'
        for j, (a, b) in enumerate(zip(ids, ids[1:], strict=False))
    )
    return load(
        f'<definitions {NS} id="d"><process id="p"><startEvent id="s"/>{nodes}'
        f'<endEvent id="e"/>{flows}</process></definitions>'.encode()
    )


@pytest.mark.parametrize(
    ("name", "what", "word"),
    [
        ("Tanda tangani izin lokasi", "signs", "Tanda tangani"),
        ("Periksa dan sahkan badan hukum PT", "ratifies", "sahkan"),
        ("Menerbitkan NIB", "issues", "Menerbitkan"),
        ("Daftarkan NPWP badan", "registers", "Daftarkan"),
        ("Menetapkan besaran tunjangan", "records a decision", "Menetapkan"),
        ("Terima pembayaran retribusi", "collects or makes a payment", "Terima pembayaran"),
        ("Memungut retribusi pasar", "collects or makes a payment", "Memungut"),
        ("Sign the permit", "signs", "Sign"),
        ("Levy the fee", "collects or makes a payment", "Levy"),
        ("Register the company", "registers", "Register"),
    ],
)
def test_legal_acts_are_read_from_the_name_and_the_word_is_named(name, what, word):
    assert legal_act(name) == (what, word)


@pytest.mark.parametrize(
    "name",
    [
        "Hitung nilai retribusi",
        "Verifikasi bukti pembayaran retribusi",
        "Periksa pengantar RT, tanda tangani 'mengetahui'",
        "Ajukan pendaftaran perusahaan",
        "Verifikasi saldo cuti dan semua tanda tangan",
        "Assign the case",
        "Arsipkan surat",
    ],
)
def test_checks_requests_and_acknowledgements_are_no_legal_acts(name):
    assert legal_act(name) is None


def test_a_legal_act_is_mandatory_unless_the_model_says_false():
    m = chain(
        ("a", "userTask", "Tanda tangani SIUP", ""),
        ("b", "userTask", "Tanda tangani TDP", 'bpe:mandatory="false"'),
        ("c", "userTask", "Arsipkan", 'bpe:mandatory="true"'),
    )
    assert m.mandate("a").required
    assert m.mandate("a").reason == "legal act"
    assert "'Tanda tangani'" in m.mandate("a").explanation
    assert not m.mandate("b").required
    assert m.mandate("b").reason == "attribute"
    assert m.mandate("c").required
    assert m.mandate("c").evidence == "bpe:mandatory=true"
    assert classify_mandate(m, m.elements["s"]).required is False


def test_the_last_check_before_a_system_step_or_a_payment_is_kept():
    m = chain(
        ("a", "userTask", "Verifikasi kelengkapan berkas", ""),
        ("b", "serviceTask", "Kirim data ke OSS", ""),
        ("c", "userTask", "Periksa nilai tagihan", ""),
        ("t", "userTask", "Terbitkan SKRD", ""),
    )
    assert m.mandate("a").reason == "guard"
    assert m.mandate("a").evidence == "b"
    assert "system step" in m.mandate("a").explanation
    assert m.mandate("c").reason == "guard"
    assert "cannot be undone" in m.mandate("c").explanation


def test_a_check_followed_by_another_look_is_no_guard():
    m = chain(
        ("a", "userTask", "Verifikasi SPJ", ""),
        ("b", "userTask", "Periksa SPJ, bayar kekurangan", ""),
    )
    assert not m.mandate("a").required  # the paying step looks at the case itself
    assert m.mandate("b").reason == "legal act"
