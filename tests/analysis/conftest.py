"""A small BPMN writer for the analyzer's fixtures: each test draws the procedure it needs.

``procedure(tmp_path, steps, flows, ...)`` writes a real ``.bpmn`` file (lanes, flows,
conditions, ``bpe:`` attributes and DI-free) and returns its path; tests then load it
through the public API or pass it to the CLI, exactly as a user would.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import quoteattr

import pytest
import yaml

from bpengine import load

_KINDS = {
    "start": "startEvent",
    "end": "endEvent",
    "xor": "exclusiveGateway",
    "and": "parallelGateway",
    "or": "inclusiveGateway",
    "task": "userTask",
    "terminate": "endEvent",
}


def write_procedure(path: Path, steps: dict, flows: list, ranks: dict | None = None) -> Path:
    """Write a one-process BPMN file.

    ``steps``: id -> (kind, name, lane) or (kind, name, lane, {bpe attrs}); kind is a key
    of ``_KINDS`` or a BPMN tag. ``flows``: ``"a>b"`` or ``("a>b", name)`` or
    ``("a>b", name, condition)``; flow ids are ``a_b``.
    """
    ranks = ranks or {}
    lanes: dict[str, list[str]] = {}
    body = []
    for sid, spec in steps.items():
        kind, name, lane = spec[:3]
        attrs = spec[3] if len(spec) > 3 else {}
        tag = _KINDS.get(kind, kind)
        extra = "".join(f" bpe:{k}={quoteattr(str(v).lower())}" for k, v in attrs.items())
        inner = "<terminateEventDefinition/>" if kind == "terminate" else ""
        body.append(f"<{tag} id={quoteattr(sid)} name={quoteattr(name)}{extra}>{inner}</{tag}>")
        if lane:
            lanes.setdefault(lane, []).append(sid)
    for spec in flows:
        spec = (spec,) if isinstance(spec, str) else spec
        src, tgt = spec[0].split(">")
        name = spec[1] if len(spec) > 1 else ""
        cond = spec[2] if len(spec) > 2 else None
        inner = (
            f'<conditionExpression xsi:type="tFormalExpression">{cond}</conditionExpression>'
            if cond
            else ""
        )
        body.append(
            f'<sequenceFlow id="{src}_{tgt}" name={quoteattr(name)} '
            f'sourceRef="{src}" targetRef="{tgt}">{inner}</sequenceFlow>'
        )
    lane_xml = "".join(
        f'<lane id="L{i}" name={quoteattr(name)}'
        + (f' bpe:rank="{ranks[name]}"' if name in ranks else "")
        + ">"
        + "".join(f"<flowNodeRef>{n}</flowNodeRef>" for n in nodes)
        + "</lane>"
        for i, (name, nodes) in enumerate(lanes.items())
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xmlns:bpe="http://bpengine.org/schema/bpmn/1.0" id="defs" '
        'targetNamespace="http://example.org">\n'
        f'<process id="proc" name={quoteattr(path.stem)} isExecutable="true">'
        + (f'<laneSet id="ls">{lane_xml}</laneSet>' if lanes else "")
        + "\n".join(body)
        + "</process></definitions>\n"
    )
    path.write_text(xml, encoding="utf-8")
    return path


@pytest.fixture
def procedure(tmp_path):
    """Factory: ``procedure(steps, flows, ranks=None, scenario=None, name="p")`` -> path.

    With ``scenario`` (a dict in the SCENARIO.md shape) the sidecar ``p.scenario.yaml``
    is written too.
    """

    def make(steps, flows, ranks=None, scenario=None, name="p"):
        path = write_procedure(tmp_path / f"{name}.bpmn", steps, flows, ranks)
        if scenario is not None:
            (tmp_path / f"{name}.scenario.yaml").write_text(
                yaml.safe_dump(scenario), encoding="utf-8"
            )
        return path

    return make


def rules_of(findings) -> dict:
    """rule id -> list of element-id tuples, for compact assertions."""
    out: dict[str, list] = {}
    for f in findings:
        out.setdefault(f.rule, []).append(f.elements)
    return out


@pytest.fixture
def domisili(procedure):
    """A residence certificate procedure as practised: RT and RW sign, kelurahan checks."""
    steps = {
        "s": ("start", "Permohonan", "Pemohon"),
        "isi": ("task", "Isi formulir dan lampirkan KTP dan KK", "Pemohon"),
        "rt_buat": ("task", "Buat surat pengantar", "Ketua RT"),
        "rt_ttd": ("task", "Periksa KTP dan KK, tanda tangan surat pengantar RT", "Ketua RT"),
        "rw_ttd": ("task", "Tanda tangan surat pengantar RW", "Ketua RW"),
        "ver": ("task", "Verifikasi surat pengantar, KTP, KK dan pas foto", "Petugas Kelurahan"),
        "g_ver": ("xor", "Lengkap?", "Petugas Kelurahan"),
        "draft": ("task", "Input data dan buat konsep surat keterangan", "Petugas Kelurahan"),
        "paraf": ("task", "Periksa dan paraf konsep surat keterangan", "Kasi Pemerintahan"),
        "g_paraf": ("xor", "Benar?", "Kasi Pemerintahan"),
        "ttd": ("task", "Periksa dan tanda tangan surat keterangan", "Lurah", {"mandatory": True}),
        "arsip": ("task", "Beri nomor, cap dan arsipkan", "Petugas Kelurahan"),
        "e": ("end", "Surat diterima", "Pemohon"),
        "e_tolak": ("end", "Dikembalikan", "Pemohon"),
    }
    flows = [
        "s>isi",
        "isi>rt_buat",
        "rt_buat>rt_ttd",
        "rt_ttd>rw_ttd",
        "rw_ttd>ver",
        "ver>g_ver",
        ("g_ver>draft", "lengkap"),
        ("g_ver>e_tolak", "tidak lengkap"),
        "draft>paraf",
        "paraf>g_paraf",
        ("g_paraf>ttd", "benar"),
        ("g_paraf>draft", "salah, perbaiki"),
        "ttd>arsip",
        "arsip>e",
    ]
    return procedure(steps, flows, name="domisili")


@pytest.fixture
def domisili_model(domisili):
    return load(domisili)
