"""Mutated real files: whatever we break, only bpengine's own error type comes out."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from bpengine import BpengineError, load, validate
from tests.conftest import SHARED, process_files

# Without ../shared (a user's clone) only the small built-in model below is mutated.
SEEDS = sorted((SHARED / "corpus").glob("*/*.bpmn"))[:12] + process_files()[:3]
SMALL = b"""<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
<process id="p" isExecutable="true"><startEvent id="s"/>
<sequenceFlow id="f1" sourceRef="s" targetRef="t"/><userTask id="t" name="Paraf"/>
<sequenceFlow id="f2" sourceRef="t" targetRef="g"/><exclusiveGateway id="g" default="f3"/>
<sequenceFlow id="f3" sourceRef="g" targetRef="e"/>
<sequenceFlow id="f4" sourceRef="g" targetRef="t"><conditionExpression>x</conditionExpression>
</sequenceFlow><endEvent id="e"/></process></definitions>"""


def _sources():
    out = [SMALL]
    out += [p.read_bytes() for p in SEEDS]
    return out


SOURCES = _sources()


def _mutate(data: bytes, kind: str, rnd: random.Random) -> bytes:
    if kind == "truncate":
        return data[: rnd.randrange(len(data))]
    if kind == "bytes":
        b = bytearray(data)
        for _ in range(rnd.randint(1, 20)):
            b[rnd.randrange(len(b))] = rnd.randrange(256)
        return bytes(b)
    root = etree.fromstring(data)
    nodes = [n for n in root.iter() if isinstance(n.tag, str)]
    node = rnd.choice(nodes)
    if kind == "drop-attribute" and node.attrib:
        del node.attrib[rnd.choice(list(node.attrib))]
    elif kind == "break-reference":
        refs = [
            n
            for n in nodes
            if any(
                a in n.attrib
                for a in (
                    "sourceRef",
                    "targetRef",
                    "attachedToRef",
                    "default",
                    "bpmnElement",
                    "processRef",
                )
            )
        ]
        if refs:
            n = rnd.choice(refs)
            attr = next(
                a
                for a in (
                    "sourceRef",
                    "targetRef",
                    "attachedToRef",
                    "default",
                    "bpmnElement",
                    "processRef",
                )
                if a in n.attrib
            )
            n.set(attr, rnd.choice(["", "missing_" + str(rnd.random()), nodes[0].get("id", "")]))
    elif kind == "drop-element" and node.getparent() is not None:
        node.getparent().remove(node)
    elif kind == "duplicate-id":
        with_id = [n for n in nodes if n.get("id")]
        if len(with_id) > 1:
            a, b = rnd.sample(with_id, 2)
            b.set("id", a.get("id"))
    return etree.tostring(root)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(range(len(SOURCES))),
    st.sampled_from(
        ["truncate", "bytes", "drop-attribute", "break-reference", "drop-element", "duplicate-id"]
    ),
    st.integers(0, 2**32 - 1),
)
def test_mutations_only_raise_our_errors(index, kind, seed):
    data = _mutate(SOURCES[index], kind, random.Random(seed))
    try:
        model = load(data)
    except BpengineError:
        return
    # a model that loads must also validate and build its graph without surprises
    validate(model)
    _ = model.graph
    _ = model.approvals
