"""Fuzzing the model reader: mutated copies of the shipped BPMN files load, validate and
build their graph, or raise a ModelError (a BpengineError) naming what is wrong; nothing
else escapes, and each input is done within the deadline and the memory budget
(tests/conftest.py FUZZ_MEMORY).

Two kinds of mutation: on the bytes (cut, repeat, overwrite, insert, truncate: what a
damaged attachment looks like) and on the tree (drop an element, point a reference at
another or a missing id, blank or lengthen a name, duplicate an element: what a careless
modeler or a hand edit produces).
"""

from __future__ import annotations

import copy
import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from bpengine import BpengineError, load, validate
from tests.conftest import memory_budget

PROCESSES = sorted((Path(__file__).resolve().parents[2] / "processes").glob("*.bpmn"))
SOURCES = [p.read_bytes() for p in PROCESSES]
# BPENGINE_FUZZ_EXAMPLES=2000 for a long hunt; CI runs a fixed, quick sample
FUZZ = settings(
    max_examples=int(os.environ.get("BPENGINE_FUZZ_EXAMPLES", 40)),
    deadline=3000,
    derandomize="BPENGINE_FUZZ_EXAMPLES" not in os.environ,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
REFS = (
    "sourceRef",
    "targetRef",
    "attachedToRef",
    "default",
    "processRef",
    "calledElement",
    "messageRef",
    "id",
    "name",
)


def _survives(data: bytes) -> None:
    """Load, validate and walk ``data``; only bpengine's own errors may come out."""
    with memory_budget():
        _read(data)


def _read(data: bytes) -> None:
    try:
        model = load(data)
        model.graph  # noqa: B018 (built on first use)
        validate(data)
    except BpengineError as exc:
        assert str(exc).strip()  # a message, not an empty error


@st.composite
def byte_mutants(draw) -> bytes:
    data = bytearray(draw(st.sampled_from(SOURCES)))
    for _round in range(draw(st.integers(1, 4))):
        if not data:
            break
        a = draw(st.integers(0, len(data) - 1))
        b = min(len(data), a + draw(st.integers(0, 200)))
        action = draw(st.sampled_from(["cut", "repeat", "overwrite", "insert", "truncate"]))
        if action == "cut":
            del data[a:b]
        elif action == "repeat":
            data[a:a] = data[a:b] * draw(st.integers(1, 5))
        elif action == "overwrite":
            blob = draw(st.binary(min_size=1, max_size=20))
            data[a : a + len(blob)] = blob
        elif action == "insert":
            data[a:a] = draw(
                st.sampled_from(
                    [
                        b"<",
                        b"&",
                        b"\xff",
                        b"\x00",
                        b"]]>",
                        b'"',
                        b"<!DOCTYPE x>",
                        b"&amp;",
                        b"<task/>",
                    ]
                )
            )
        else:
            del data[a:]
    return bytes(data)


@st.composite
def tree_mutants(draw) -> bytes:
    root = etree.fromstring(draw(st.sampled_from(SOURCES)))
    elements = [el for el in root.iter() if isinstance(el.tag, str)]
    ids = [el.get("id") for el in elements if el.get("id")]
    for _round in range(draw(st.integers(1, 4))):
        elements = [el for el in root.iter() if isinstance(el.tag, str)]
        el = draw(st.sampled_from(elements))
        action = draw(st.sampled_from(["drop", "retarget", "blank", "long", "duplicate", "text"]))
        if action == "drop" and el.getparent() is not None:
            el.getparent().remove(el)
        elif action == "retarget":
            attr = draw(st.sampled_from(REFS))
            el.set(
                attr,
                draw(
                    st.one_of(
                        st.sampled_from(ids),
                        st.text(max_size=10).map(
                            lambda t: "".join(c for c in t if c.isprintable() and c not in "\x00")
                        ),
                    )
                ),
            )
        elif action == "blank":
            for attr in list(el.attrib):
                el.set(attr, "")
        elif action == "long":
            el.set("name", "Paraf " * draw(st.integers(100, 2000)))
        elif action == "duplicate" and el.getparent() is not None:
            el.getparent().append(copy.deepcopy(el))
        elif action == "text":
            el.text = draw(
                st.sampled_from(
                    [
                        "",
                        "x > ",
                        "${x}",
                        "__import__('os')",
                        "1/0",
                        "P99999999999D",
                        "R-1/P1D",
                        "[" * 200,
                    ]
                )
            )
    return etree.tostring(root)


@FUZZ
@given(byte_mutants())
def test_damaged_bytes_give_model_errors(data):
    _survives(data)


@FUZZ
@given(tree_mutants())
def test_mutated_models_give_model_errors(data):
    _survives(data)
