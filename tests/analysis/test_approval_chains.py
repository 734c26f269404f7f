"""same-role-approvals and signoff-chain: positive and negative fixtures."""

from __future__ import annotations

from bpengine import analyze, load
from bpengine.analysis.approval_chains import check_same_role_approvals, check_signoff_chain
from tests.conftest import ROOT

from .conftest import rules_of


def _two_checks(procedure, lane_a, lane_b, between=None, reject_to=("end", "end"), mid_lane=None):
    steps = {
        "s": ("start", "Masuk", "Pemohon"),
        "a": ("task", "Periksa berkas", lane_a),
        "ga": ("xor", "OK?", lane_a),
        "b": ("task", "Paraf berkas", lane_b),
        "gb": ("xor", "OK?", lane_b),
        "done": ("task", "Terbitkan izin", "Petugas"),
        "e": ("end", "Selesai", "Pemohon"),
        "x": ("end", "Ditolak", "Pemohon"),
        "fix": ("task", "Perbaiki berkas", "Pemohon"),
    }
    flows = [
        "s>a",
        "a>ga",
        ("ga>b", "ya"),
        "b>gb",
        ("gb>done", "ya"),
        "done>e",
        ("ga>x" if reject_to[0] == "end" else "ga>fix", "tidak"),
        ("gb>x" if reject_to[1] == "end" else "gb>fix", "tidak"),
        "fix>e",
    ]
    if between:
        steps["mid"] = ("task", between, mid_lane or lane_a)
        flows[2] = ("ga>mid", "ya")
        flows.append("mid>b")
    return load(procedure(steps, flows))


def test_same_role_approvals_in_a_row_are_composed(procedure):
    model = _two_checks(procedure, "Kasi", "Kasi")
    found = check_same_role_approvals(model)
    assert [f.elements for f in found] == [("a", "b")]
    assert found[0].suggestion == "compose"
    assert found[0].targets == ("a",)
    assert found[0].lanes == ("Kasi",)
    assert found[0].saving.staff_hours > 0


def test_different_roles_are_not_same_role(procedure):
    assert check_same_role_approvals(_two_checks(procedure, "Kasi", "Kabid")) == []


def test_work_between_breaks_same_role_pair(procedure):
    model = _two_checks(procedure, "Kasi", "Kasi", between="Input data permohonan")
    assert check_same_role_approvals(model) == []


def test_post_dominator_pair_counts(procedure):
    # a's approve branch forks to an optional event-only detour; b still post-dominates a
    steps = {
        "s": ("start", "", "P"),
        "a": ("task", "Periksa KTP", "Kasi"),
        "g": ("xor", "", "Kasi"),
        "j": ("xor", "", "Kasi"),
        "b": ("task", "Paraf KTP", "Kasi"),
        "e": ("end", "", "P"),
    }
    flows = ["s>a", "a>g", ("g>j", "ya"), ("g>j2", "lain"), "j>b", "b>e"]
    steps["j2"] = ("intermediateThrowEvent", "catat", "Kasi")
    flows.append("j2>j")
    found = check_same_role_approvals(load(procedure(steps, flows)))
    assert [f.elements for f in found] == [("a", "b")]


def test_signoff_chain_across_offices(domisili_model):
    chains = [f for f in check_signoff_chain(domisili_model)]
    assert ("rt_ttd", "rw_ttd", "ver") in [f.elements for f in chains]
    f = next(f for f in chains if f.elements[0] == "rt_ttd")
    assert f.suggestion == "parallelise"
    assert f.lanes == ("Ketua RT", "Ketua RW", "Petugas Kelurahan")
    assert f.saving.working_days > 0
    # the RT's signature on the cover letter is a legal act the guard keeps: the finding
    # must not offer to drop it (QA: it offered "keeping only the highest authority")
    assert domisili_model.mandate("rt_ttd").required
    assert "highest authority" not in f.explanation
    assert "none can be left out" in f.explanation
    assert "pengantar RT" in f.explanation


def test_signoff_chain_needs_the_same_reject_target(procedure):
    same = _two_checks(procedure, "Kasi", "Kabid", reject_to=("end", "end"))
    assert [f.elements for f in check_signoff_chain(same)] == [("a", "b")]
    differ = _two_checks(procedure, "Kasi", "Kabid", reject_to=("end", "fix"))
    assert check_signoff_chain(differ) == []


def test_signoff_chain_carries_work_but_not_the_same_lane(procedure):
    carried = check_signoff_chain(
        _two_checks(procedure, "Kasi", "Kabid", mid_lane="Staf", between="Buat konsep nota")
    )
    assert [(f.elements, f.targets) for f in carried] == [(("a", "mid", "b"), ("a", "b"))]
    assert "goes along with the sign-off" in carried[0].explanation
    # more work in the first office: the file has not left it, so no chain
    assert (
        check_signoff_chain(
            _two_checks(procedure, "Kasi", "Kabid", between="Input data permohonan")
        )
        == []
    )
    assert check_signoff_chain(_two_checks(procedure, "Kasi", "Kasi")) == []


def test_parallel_join_ends_a_chain(procedure):
    steps = {
        "s": ("start", "", "P"),
        "p": ("and", "", "P"),
        "a": ("task", "Periksa berkas", "Kasi"),
        "o": ("task", "Arsipkan", "TU"),
        "j": ("and", "", "P"),
        "b": ("task", "Paraf berkas", "Kabid"),
        "e": ("end", "", "P"),
    }
    flows = ["s>p", "p>a", "p>o", "a>j", "o>j", "j>b", "b>e"]
    assert check_signoff_chain(load(procedure(steps, flows))) == []


def test_applicant_work_ends_a_chain(procedure):
    steps = {
        "s": ("start", "", "Pemohon"),
        "a": ("task", "Periksa berkas", "Kasi"),
        "m": ("task", "Bayar retribusi", "Pemohon"),
        "b": ("task", "Paraf berkas", "Kabid"),
        "e": ("end", "", "Pemohon"),
    }
    model = load(procedure(steps, ["s>a", "a>m", "m>b", "b>e"]))
    assert check_signoff_chain(model) == []


def test_signoff_chain_broken_by_data_written(procedure, tmp_path):
    # the first approval (a check, not a signature) writes what the second reads
    path = procedure({"s": ("start", "", "P")}, [])
    xml = path.read_text().replace(
        '<startEvent id="s" name=""></startEvent>',
        """
      <dataObject id="DO"/><dataObjectReference id="doc" name="Nota" dataObjectRef="DO"/>
      <startEvent id="s"/>
      <userTask id="a" name="Periksa nota" bpe:approval="true">
        <dataOutputAssociation id="o1"><targetRef>doc</targetRef></dataOutputAssociation></userTask>
      <userTask id="b" name="Setujui nota" bpe:approval="true">
        <dataInputAssociation id="i1"><sourceRef>doc</sourceRef></dataInputAssociation></userTask>
      <endEvent id="e"/>
      <sequenceFlow id="f1" sourceRef="s" targetRef="a"/>
      <sequenceFlow id="f2" sourceRef="a" targetRef="b"/>
      <sequenceFlow id="f3" sourceRef="b" targetRef="e"/>""",
    )
    xml = xml.replace(
        '<lane id="L0" name="P"><flowNodeRef>s</flowNodeRef></lane>',
        '<lane id="L0" name="Kasi"><flowNodeRef>s</flowNodeRef>'
        '<flowNodeRef>a</flowNodeRef></lane><lane id="L1" name="Kabid">'
        "<flowNodeRef>b</flowNodeRef></lane>",
    )
    path.write_text(xml)
    model = load(path)
    assert model.elements["b"].reads == ("Nota",)
    assert check_signoff_chain(model) == []


def test_analyze_reports_both_families(domisili_model):
    found = rules_of(analyze(domisili_model))
    assert "signoff-chain" in found
    assert "same-role-approvals" not in found


def test_a_payer_needs_what_the_signer_produced(procedure):
    path = procedure({"s": ("start", "", "PPK")}, [])
    xml = path.read_text().replace(
        '<startEvent id="s" name=""></startEvent>',
        """
      <dataObject id="DO"/><dataObjectReference id="spd" name="SPD" dataObjectRef="DO"/>
      <startEvent id="s"/>
      <userTask id="a" name="Tanda tangani SPD">
        <dataOutputAssociation id="o1"><targetRef>spd</targetRef></dataOutputAssociation></userTask>
      <userTask id="b" name="Periksa dan paraf SPD">
        <dataInputAssociation id="i1"><sourceRef>spd</sourceRef></dataInputAssociation></userTask>
      <userTask id="c" name="Periksa SPD, bayar uang muka">
        <dataInputAssociation id="i2"><sourceRef>spd</sourceRef></dataInputAssociation></userTask>
      <endEvent id="e"/>
      <sequenceFlow id="f1" sourceRef="s" targetRef="a"/>
      <sequenceFlow id="f2" sourceRef="a" targetRef="b"/>
      <sequenceFlow id="f3" sourceRef="b" targetRef="c"/>
      <sequenceFlow id="f4" sourceRef="c" targetRef="e"/>""",
    )
    xml = xml.replace(
        '<lane id="L0" name="PPK"><flowNodeRef>s</flowNodeRef></lane>',
        '<lane id="L1" name="PPK"><flowNodeRef>s</flowNodeRef>'
        "<flowNodeRef>a</flowNodeRef></lane>"
        '<lane id="L2" name="Kabag"><flowNodeRef>b</flowNodeRef></lane>'
        '<lane id="L3" name="Bendahara"><flowNodeRef>c</flowNodeRef></lane>',
    )
    path.write_text(xml)
    model = load(path)
    assert model.elements["c"].lane == "Bendahara"
    # the paraf may run beside the signature (same letter); the payment may not
    assert [f.elements for f in check_signoff_chain(model)] == [("a", "b")]


def _permits(tmp_path, second_source="KTP"):
    """Two permits from one desk, each filed from the applicant's documents; a field
    review that can turn the second one down sits between the two signatures."""

    def obj(i, name):
        return (
            f'<dataObject id="DO{i}"/><dataObjectReference id="r{i}" name="{name}" '
            f'dataObjectRef="DO{i}"/>'
        )

    def task(tid, name, reads=(), writes=(), lane=""):
        ins = "".join(
            f'<dataInputAssociation id="{tid}i{k}"><sourceRef>{r}</sourceRef>'
            f"</dataInputAssociation>"
            for k, r in enumerate(reads)
        )
        outs = "".join(
            f'<dataOutputAssociation id="{tid}o{k}"><targetRef>{w}</targetRef>'
            f"</dataOutputAssociation>"
            for k, w in enumerate(writes)
        )
        return f'<userTask id="{tid}" name="{name}">{ins}{outs}</userTask>'

    src = {"KTP": ["r1"], "KTP+izin lokasi": ["r1", "r3"]}.get(second_source, ["r5"])
    body = (
        obj(1, "KTP")
        + obj(2, "Berkas izin")
        + obj(3, "Izin lokasi")
        + obj(4, "Izin HO")
        + obj(5, "Sertifikat tanah")
        + '<startEvent id="s"/>'
        + task("f1", "Ajukan izin lokasi", ["r1"], ["r2"])
        + task("k1", "Tanda tangani izin lokasi", ["r2"], ["r3"])
        + '<exclusiveGateway id="g"/>'
        + task("f2", "Ajukan izin HO", src, ["r2"])
        + task("t", "Tinjau lapangan izin HO", ["r2"])
        + task("k2", "Tanda tangani izin HO", ["r2"], ["r4"])
        + '<endEvent id="e"/><endEvent id="x"/>'
        + "".join(
            f'<sequenceFlow id="q{i}" sourceRef="{a}" targetRef="{b}"{n}/>'
            for i, (a, b, n) in enumerate(
                [
                    ("s", "f1", ""),
                    ("f1", "k1", ""),
                    ("k1", "f2", ""),
                    ("f2", "t", ""),
                    ("t", "g", ""),
                    ("g", "k2", ' name="layak"'),
                    ("g", "x", ' name="tidak layak"'),
                    ("k2", "e", ""),
                ]
            )
        )
    )
    lanes = (
        '<laneSet id="ls"><lane id="L1" name="Pelaku Usaha" bpe:rank="0">'
        "<flowNodeRef>s</flowNodeRef><flowNodeRef>f1</flowNodeRef>"
        "<flowNodeRef>f2</flowNodeRef><flowNodeRef>e</flowNodeRef>"
        "<flowNodeRef>x</flowNodeRef></lane>"
        '<lane id="L2" name="Kepala DPMPTSP"><flowNodeRef>k1</flowNodeRef>'
        '<flowNodeRef>k2</flowNodeRef></lane><lane id="L3" name="Tim Teknis">'
        "<flowNodeRef>t</flowNodeRef><flowNodeRef>g</flowNodeRef></lane></laneSet>"
    )
    path = tmp_path / "permits.bpmn"
    path.write_text(
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:bpe="http://bpengine.org/schema/bpmn/1.0" id="d" targetNamespace="x">'
        f'<process id="p" isExecutable="true">{lanes}{body}</process></definitions>'
    )
    return load(path)


def test_same_desk_issuing_twice_from_the_same_documents(tmp_path):
    model = _permits(tmp_path)
    found = [f for f in check_same_role_approvals(model)]
    assert [(f.elements, f.suggestion, f.targets) for f in found] == [
        (("k1", "k2"), "compose", ("k1",))
    ]
    assert found[0].data == ("KTP",)
    assert "same documents" in found[0].explanation


def test_the_next_permit_filed_with_the_previous_one_is_a_repeat(tmp_path):
    # the TDP filed with the SIUP: nothing the desk did not hold, besides its own decision
    found = check_same_role_approvals(_permits(tmp_path, second_source="KTP+izin lokasi"))
    assert [(f.elements, f.targets, f.data) for f in found] == [(("k1", "k2"), ("k1",), ("KTP",))]


def test_permits_from_different_documents_are_not_repeats(tmp_path):
    assert check_same_role_approvals(_permits(tmp_path, second_source="tanah")) == []


def test_every_repeat_of_one_desk_is_one_finding(tmp_path):
    # three permits filed from the same KTP, each signed by the head: the last signature
    # covers the two before it, whatever order a redesign applies findings in
    def task(tid, name, reads, writes):
        ins = "".join(
            f'<dataInputAssociation id="{tid}i{k}"><sourceRef>{r}</sourceRef>'
            f"</dataInputAssociation>"
            for k, r in enumerate(reads)
        )
        outs = "".join(
            f'<dataOutputAssociation id="{tid}o{k}"><targetRef>{w}</targetRef>'
            f"</dataOutputAssociation>"
            for k, w in enumerate(writes)
        )
        return f'<userTask id="{tid}" name="{name}">{ins}{outs}</userTask>'

    names = ["KTP", "Berkas izin", "Izin A", "Izin B", "Izin C"]
    body = "".join(
        f'<dataObject id="DO{i}"/><dataObjectReference id="r{i}" name="{n}" dataObjectRef="DO{i}"/>'
        for i, n in enumerate(names)
    )
    body += '<startEvent id="s"/><endEvent id="e"/>'
    order = ["s"]
    for i in (1, 2, 3):
        body += task(f"f{i}", f"Ajukan izin {i}", ["r0"], ["r1"])
        body += task(f"k{i}", f"Tanda tangani izin {i}", ["r1"], [f"r{i + 1}"])
        order += [f"f{i}", f"k{i}"]
    order.append("e")
    body += "".join(
        f'<sequenceFlow id="q{i}" sourceRef="{a}" targetRef="{b}"/>'
        for i, (a, b) in enumerate(zip(order, order[1:], strict=False))
    )
    lanes = (
        '<laneSet id="ls"><lane id="L1" name="Pelaku Usaha" bpe:rank="0">'
        + "".join(f"<flowNodeRef>{n}</flowNodeRef>" for n in order if n[0] != "k")
        + '</lane><lane id="L2" name="Kepala DPMPTSP" bpe:rank="3">'
        + "".join(f"<flowNodeRef>k{i}</flowNodeRef>" for i in (1, 2, 3))
        + "</lane></laneSet>"
    )
    path = tmp_path / "three.bpmn"
    path.write_text(
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:bpe="http://bpengine.org/schema/bpmn/1.0" id="d" targetNamespace="x">'
        f'<process id="p" isExecutable="true">{lanes}{body}</process></definitions>'
    )
    found = check_same_role_approvals(load(path))
    assert [(f.elements, f.targets) for f in found] == [(("k1", "k2", "k3"), ("k1", "k2"))]
    assert "all of them" in found[0].explanation


def test_a_chain_names_its_highest_authority_only_when_ranks_say_so():
    from bpengine import analyze, load
    from tests.conftest import PROCESSES, shared_path

    ranked = load(PROCESSES / "surat-keterangan-domisili.bpmn")  # lanes carry bpe:rank
    chains = [f for f in analyze(ranked) if f.rule == "signoff-chain"]
    assert chains
    for f in chains:  # the highest authority is named unless a lower sign-off must stay
        protected = any(ranked.mandate(a).required for a in f.targets[:-1])
        assert ("keeping only the highest authority" in f.explanation) != protected
        assert ("none can be left out" in f.explanation) == protected
    unranked = load(shared_path("bench", "permit.bpmn"))  # no bpe:rank, lane names unknown
    chains = [f for f in analyze(unranked) if f.rule == "signoff-chain"]
    assert chains
    assert all("their ranks are not known" in f.explanation for f in chains)


def test_a_small_chain_saving_is_said_to_two_decimals():
    # with the shipped scenario, parallelising the kasi's paraf and the lurah's signature
    # saves ~0.01 working days: the text said 'saves about 0.0 working days'
    path = "processes/surat-keterangan-domisili.bpmn"
    model = load(ROOT / path)
    found = [f for f in analyze(model) if f.rule == "signoff-chain"]
    small = [f for f in found if "Task_paraf_kasi" in f.elements]
    assert small
    for f in found:
        assert "about 0.0 working days" not in f.explanation, f.explanation
    assert "saves about 0.01 working days" in small[0].explanation
