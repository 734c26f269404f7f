"""Generate large, well-formed agency-like BPMN models for benchmarks.

A chain of blocks across ``lanes`` lanes: a user task, then every fourth block an XOR
decision with a rework loop back to the block's task, every seventh an AND split/join
around two tasks. Deterministic for a given size and seed.
"""

from __future__ import annotations

import random

__all__ = ["generate"]

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:bpe="http://bpengine.org/schema/bpmn/1.0" id="gen" targetNamespace="bench">\n'
)


def generate(n_elements: int, lanes: int = 5, seed: int = 0) -> bytes:
    """BPMN bytes with about ``n_elements`` flow nodes (tasks, gateways, events)."""
    rnd = random.Random(seed)
    nodes: list[str] = []
    flows: list[str] = []
    lane_nodes: dict[int, list[str]] = {i: [] for i in range(lanes)}
    fcount = 0

    def flow(src, tgt, cond=None):
        nonlocal fcount
        fcount += 1
        fid = f"F{fcount}"
        body = f"<conditionExpression>{cond}</conditionExpression>" if cond else ""
        flows.append(
            f'<sequenceFlow id="{fid}" sourceRef="{src}" targetRef="{tgt}">{body}</sequenceFlow>'
        )
        return fid

    def node(tag, nid, lane, name="", extra=""):
        nodes.append(f'<{tag} id="{nid}" name="{name}"{extra}/>')
        lane_nodes[lane].append(nid)
        return nid

    prev = node("startEvent", "S", 0, "Mulai")
    i = 0
    while len(nodes) < n_elements - 1:
        i += 1
        lane = rnd.randrange(lanes)
        verb = rnd.choice(["Periksa berkas", "Paraf", "Input data", "Tanda tangan", "Arsipkan"])
        task = node("userTask", f"T{i}", lane, f"{verb} {i}")
        flow(prev, task)
        prev = task
        if i % 4 == 0:
            gw = node("exclusiveGateway", f"G{i}", lane, f"Lengkap {i}?", f' default="D{i}"')
            flow(prev, gw)
            flow(gw, task, "not lengkap")
            fcount += 1
            flows.append(f'<sequenceFlow id="D{i}" sourceRef="{gw}" targetRef="M{i}"/>')
            prev = node("task", f"M{i}", lane, f"Catat {i}")
        if i % 7 == 0:
            split = node("parallelGateway", f"P{i}", lane)
            join = node("parallelGateway", f"J{i}", lane)
            a = node("userTask", f"A{i}", (lane + 1) % lanes, f"Telaah {i}")
            b = node("userTask", f"B{i}", (lane + 2) % lanes, f"Verifikasi {i}")
            flow(prev, split)
            for x in (a, b):
                flow(split, x)
                flow(x, join)
            prev = join
    end = node("endEvent", "E", 0, "Selesai")
    flow(prev, end)
    lane_xml = "".join(
        f'<lane id="L{k}" name="Bagian {k}" bpe:rank="{k}">'
        + "".join(f"<flowNodeRef>{n}</flowNodeRef>" for n in refs)
        + "</lane>"
        for k, refs in lane_nodes.items()
    )
    body = (
        f'<process id="P" name="Generated {n_elements}" isExecutable="true">'
        f'<laneSet id="LS">{lane_xml}</laneSet>\n'
        + "\n".join(nodes)
        + "\n"
        + "\n".join(flows)
        + "</process></definitions>\n"
    )
    return (HEAD + body).encode()
