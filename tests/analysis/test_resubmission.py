"""resubmission: the applicant hands the same papers to the same office again."""

from __future__ import annotations

from bpengine import analyze, load
from bpengine.analysis.resubmission import check_resubmission

_DOCS = ("KTP", "Akta pendirian", "Berkas permohonan", "Izin A", "Izin B", "Sertifikat tanah")


def _ref(name: str) -> str:
    return f"r{_DOCS.index(name)}"


def licensing(
    tmp_path,
    *,
    second_reads=("KTP", "Akta pendirian"),
    second_office="L2",
    second_attrs="",
    recheck_reads=("Berkas permohonan", "KTP", "Akta pendirian"),
    rework=False,
):
    """Two permits in a row: the applicant files, the officer verifies, the head signs.

    a1 -> v1 -> k1 -> a2 -> v2 -> k2, the applicant (lane L1, rank 0) filing each time;
    ``rework`` sends an incomplete first file back to a1.
    """

    def task(tid, name, reads=(), writes=(), attrs=""):
        ins = "".join(
            f'<dataInputAssociation id="{tid}i{k}"><sourceRef>{_ref(r)}'
            f"</sourceRef></dataInputAssociation>"
            for k, r in enumerate(reads)
        )
        outs = "".join(
            f'<dataOutputAssociation id="{tid}o{k}"><targetRef>{_ref(w)}'
            f"</targetRef></dataOutputAssociation>"
            for k, w in enumerate(writes)
        )
        return f'<userTask id="{tid}" name="{name}"{attrs}>{ins}{outs}</userTask>'

    ok = ' bpe:approval="true"'
    objs = "".join(
        f'<dataObject id="DO{i}"/><dataObjectReference id="r{i}" name="{d}" dataObjectRef="DO{i}"/>'
        for i, d in enumerate(_DOCS)
    )
    check = ("Berkas permohonan", "KTP", "Akta pendirian")
    body = (
        objs
        + '<startEvent id="s"/>'
        + task("a1", "Ajukan izin A di loket", ("KTP", "Akta pendirian"), ("Berkas permohonan",))
        + task("v1", "Verifikasi berkas izin A", check, (), ok)
        + '<exclusiveGateway id="g"/>'
        + task("k1", "Tanda tangani izin A", ("Berkas permohonan",), ("Izin A",), ok)
        + task("a2", "Ajukan izin B di loket", second_reads, ("Berkas permohonan",), second_attrs)
        + task("v2", "Verifikasi berkas izin B", recheck_reads, (), ok)
        + task("k2", "Tanda tangani izin B", ("Berkas permohonan",), ("Izin B",), ok)
        + '<endEvent id="e"/><endEvent id="x"/>'
    )
    flows = [
        ("s", "a1", ""),
        ("a1", "v1", ""),
        ("v1", "g", ""),
        ("g", "k1", ' name="lengkap"'),
        ("g", "a1" if rework else "x", ' name="tidak lengkap"'),
        ("k1", "a2", ""),
        ("a2", "v2", ""),
        ("v2", "k2", ""),
        ("k2", "e", ""),
    ]
    body += "".join(
        f'<sequenceFlow id="q{i}" sourceRef="{a}" targetRef="{b}"{n}/>'
        for i, (a, b, n) in enumerate(flows)
    )
    lanes = {
        "L1": ("Pelaku Usaha", 0, ["s", "a1", "a2", "e", "x"]),
        "L2": ("Petugas DPMPTSP", 1, ["v1", "g"]),
        "L3": ("Kepala DPMPTSP", 3, ["k1", "k2"]),
        "L4": ("Dinas Perdagangan", 1, []),
    }
    lanes[second_office][2].append("v2")
    lane_xml = "".join(
        f'<lane id="{lid}" name="{name}" bpe:rank="{rank}">'
        + "".join(f"<flowNodeRef>{n}</flowNodeRef>" for n in refs)
        + "</lane>"
        for lid, (name, rank, refs) in lanes.items()
    )
    path = tmp_path / "licensing.bpmn"
    path.write_text(
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:bpe="http://bpengine.org/schema/bpmn/1.0" id="d" targetNamespace="x">'
        f'<process id="p" isExecutable="true"><laneSet id="ls">{lane_xml}</laneSet>{body}'
        "</process></definitions>"
    )
    return load(path)


def test_the_same_papers_filed_again_with_the_same_office(tmp_path):
    found = check_resubmission(licensing(tmp_path))
    assert [(f.elements, f.suggestion, f.targets) for f in found] == [
        (("a1", "a2", "v2"), "eliminate", ("a2", "v2"))
    ]
    f = found[0]
    assert f.data == ("Akta pendirian", "KTP")
    assert f.data_source == "data associations"
    assert "Petugas DPMPTSP" in f.explanation
    assert f.saving.staff_hours > 0


def test_found_by_analyze_and_left_unguarded(tmp_path):
    found = [f for f in analyze(licensing(tmp_path)) if f.rule == "resubmission"]
    assert len(found) == 1
    assert found[0].guard is None


def test_a_rework_loop_is_not_a_resubmission(tmp_path):
    # the first file sent back to the counter is the rework-loop rule's business; the
    # second permit is still filed again
    found = check_resubmission(licensing(tmp_path, rework=True))
    assert [f.targets for f in found] == [("a2", "v2")]


def test_new_papers_are_not_a_resubmission(tmp_path):
    assert (
        check_resubmission(
            licensing(tmp_path, second_reads=("KTP", "Akta pendirian", "Sertifikat tanah"))
        )
        == []
    )


def test_another_office_is_not_a_resubmission(tmp_path):
    assert check_resubmission(licensing(tmp_path, second_office="L4")) == []


def test_a_filing_the_law_requires_is_not_flagged(tmp_path):
    assert check_resubmission(licensing(tmp_path, second_attrs=' bpe:mandatory="true"')) == []


def test_a_check_of_something_new_stays(tmp_path):
    # the officer checks the first permit too: new to it, so only the trip goes
    found = check_resubmission(
        licensing(tmp_path, recheck_reads=("Berkas permohonan", "KTP", "Akta pendirian", "Izin A"))
    )
    assert [f.targets for f in found] == [("a2",)]
