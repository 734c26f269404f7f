"""Soundness of collaborations: a step a message flow feeds is reachable through it."""

from pathlib import Path

from bpengine import load
from bpengine.analysis.soundness import soundness

COLLAB = Path(__file__).resolve().parents[1] / "data" / "collab" / "tiga-instansi.bpmn"
UNLINKED = COLLAB.read_bytes().replace(
    b'<bpmn:sequenceFlow id="F_d2" sourceRef="Task_siapkan" targetRef="Receive_terima"/>',
    b'<bpmn:sequenceFlow id="F_d2" sourceRef="Task_siapkan" targetRef="End_din"/>',
)


def test_a_message_fed_step_without_incoming_flow_is_not_dead():
    report = soundness(load(UNLINKED))
    dead = [v.element for v in report.violations if v.kind == "dead-element"]
    assert "Receive_terima" not in dead
    assert "Task_catat" not in dead


def test_the_same_step_without_its_message_is_dead():
    # the check can fail: without the message flow nothing enters the receive task
    data = UNLINKED.replace(
        b'<bpmn:messageFlow id="Msg_data" name="Rekomendasi" '
        b'sourceRef="Send_kirim" targetRef="Receive_terima"/>',
        b"",
    )
    dead = [v.element for v in soundness(load(data)).violations if v.kind == "dead-element"]
    assert "Receive_terima" in dead
