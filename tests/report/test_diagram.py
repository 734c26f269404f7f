"""render_svg: every shape and edge of the DI is drawn, highlights are marked."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from bpengine import load
from bpengine.report import render_svg

SVG = "{http://www.w3.org/2000/svg}"


def _svg(model, highlight=None):
    return etree.fromstring(render_svg(model, highlight).encode())


def test_every_flow_node_and_flow_is_drawn(domisili):
    root = _svg(domisili)
    drawn = {n.get("data-element") for n in root.iter() if n.get("data-element")}
    assert set(domisili.elements) <= drawn
    assert set(domisili.flows) <= drawn
    assert {"Lane_pemohon", "Lane_lurah", "Participant_kelurahan"} <= drawn


def test_names_are_labels(domisili):
    text = " ".join(t for t in _svg(domisili).itertext())
    assert "Isi formulir" in text
    assert "Petugas Kelurahan" in text
    assert "Berkas lengkap?" in text


def test_flows_follow_their_waypoints_with_arrows(domisili):
    root = _svg(domisili)
    flow = next(p for p in root.iter(f"{SVG}path") if p.get("data-element") == "Flow_1")
    assert flow.get("marker-end") == "url(#arrow)"
    assert flow.get("d").startswith("M")
    assert " L" in flow.get("d")


def test_highlighted_elements_carry_their_mark(domisili):
    root = _svg(domisili, {"Task_ttd_rw": "flagged", "Task_ttd_lurah": "changed"})
    marks = {n.get("data-element"): n.get("data-hl") for n in root.iter() if n.get("data-hl")}
    assert marks == {"Task_ttd_rw": "flagged", "Task_ttd_lurah": "changed"}


def test_mandatory_steps_are_drawn_distinctly(domisili):
    root = _svg(domisili)
    lurah = next(n for n in root.iter(f"{SVG}rect") if n.get("data-element") == "Task_ttd_lurah")
    assert "mandatory" in lurah.get("class")


def test_the_drawing_marks_the_steps_the_table_counts_as_mandatory(domisili):
    # the RT's signature carries no bpe:mandatory but is a legal act the redesigner keeps:
    # drawn as mandatory, as the before/after table counts it (model.mandatory_steps)
    from bpengine.model import mandatory_steps

    marked = {
        n.get("data-element")
        for n in _svg(domisili).iter(f"{SVG}rect")
        if "mandatory" in (n.get("class") or "")
    }
    assert not domisili.elements["Task_ttd_rt"].mandatory
    assert marked == set(mandatory_steps(domisili)) == {"Task_ttd_rt", "Task_ttd_lurah"}


def test_gateway_is_a_diamond_and_events_are_circles(domisili):
    root = _svg(domisili)
    gw = next(n for n in root.iter() if n.get("data-element") == "Gateway_lengkap")
    assert gw.tag == f"{SVG}path"
    assert gw.get("class") == "gw"
    end = next(n for n in root.iter() if n.get("data-element") == "End_selesai")
    assert end.tag == f"{SVG}circle"


def test_text_is_escaped():
    model = load(b"""<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
      xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
      xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" id="d"><process id="p">
      <task id="t" name="A &lt;b&gt; &amp; &quot;c&quot;"/></process>
      <bpmndi:BPMNDiagram id="D"><bpmndi:BPMNPlane id="P" bpmnElement="p">
      <bpmndi:BPMNShape id="t_di" bpmnElement="t"><dc:Bounds x="0" y="0" width="100" height="80"/>
      </bpmndi:BPMNShape></bpmndi:BPMNPlane></bpmndi:BPMNDiagram></definitions>""")
    svg = render_svg(model)
    assert "<b>" not in svg
    assert "&lt;b&gt;" in svg
    etree.fromstring(svg.encode())  # well-formed


def test_model_without_diagram_says_so():
    model = load(b"""<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
      <process id="p"><task id="t"/></process></definitions>""")
    assert "no diagram" in render_svg(model)


QA = Path(__file__).resolve().parents[1] / "data" / "qa"


def _subprocess_drawing(root, ident):
    """The rect of subprocess ``ident`` and what follows it up to the next element's shape."""
    children = list(root)
    start = next(i for i, n in enumerate(children) if n.get("data-element") == ident)
    rest = []
    for node in children[start + 1 :]:
        if node.get("data-element"):
            break
        rest.append(node)
    return children[start], rest


def test_expanded_subprocess_is_a_frame_named_at_its_top():
    # an expanded subprocess holds its children: its name goes at the top, not across them,
    # and it has no collapsed "+" marker; it is drawn before what it holds
    model = load(QA / "pindah-datang-antar-kabupaten.bpmn")
    root = _svg(model)
    rect, rest = _subprocess_drawing(root, "Sub_ktp_el")
    assert not [n for n in rest if "mk" in (n.get("class") or "")]
    [label] = [n for n in rest if n.tag == f"{SVG}text"]
    first_line = float(next(label.iter(f"{SVG}tspan")).get("y"))
    assert first_line < float(rect.get("y")) + 25
    order = [n.get("data-element") for n in root if n.get("data-element")]
    assert order.index("Sub_ktp_el") < order.index("Task_rekam_biometrik")


def test_collapsed_subprocess_keeps_its_marker():
    model = load(QA / "pindah-datang-antar-kabupaten.bpmn")
    text = model.tree()
    for shape in text.iter("{http://www.omg.org/spec/BPMN/20100524/DI}BPMNShape"):
        if shape.get("bpmnElement") == "Sub_ktp_el":
            shape.set("isExpanded", "false")
    collapsed = load(etree.tostring(text))
    _rect, rest = _subprocess_drawing(_svg(collapsed), "Sub_ktp_el")
    assert [n for n in rest if "mk" in (n.get("class") or "")]


def test_a_subprocess_drawn_on_its_own_plane_is_drawn_too():
    # after a redesign the layout draws an embedded subprocess collapsed, its steps on a
    # diagram of their own: the report showed the box and none of the steps changed inside
    from bpengine.redesign import automate
    from bpengine.report import subprocess_planes

    model = load(QA / "pindah-datang-antar-kabupaten.bpmn")
    assert subprocess_planes(model) == []  # drawn expanded in the main diagram
    after = automate(model, "Task_cetak_ktp_el").model
    assert subprocess_planes(after) == [("Sub_ktp_el", "Rekam dan cetak KTP-el")]
    main = {n.get("data-element") for n in _svg(after).iter() if n.get("data-element")}
    assert "Sub_ktp_el" in main
    assert "Task_cetak_ktp_el" not in main
    inner = etree.fromstring(
        render_svg(after, {"Task_cetak_ktp_el": "changed"}, plane="Sub_ktp_el").encode()
    )
    marks = {n.get("data-element"): n.get("data-hl") for n in inner.iter() if n.get("data-element")}
    assert marks["Task_cetak_ktp_el"] == "changed"
    assert "Task_rekam_biometrik" in marks


def test_a_timer_event_has_a_clock():
    """QA 12: the 14-day wait for blanks was a plain double circle, like any other event."""
    root = _svg(load(QA / "pindah-datang-antar-kabupaten.bpmn"))
    clocks = [n for n in root.iter() if n.get("data-icon") == "timer"]
    [event] = [n for n in root.iter() if n.get("data-element") == "Timer_tunggu_blangko"]
    assert len(clocks) == 1
    assert (clocks[0].get("cx"), clocks[0].get("cy")) == (event.get("cx"), event.get("cy"))
