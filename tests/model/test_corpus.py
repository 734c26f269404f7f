"""Every real BPMN file we know of loads, or fails with our own error naming the element.

The third-party files live in ../shared/corpus (MIWG reference models, Camunda engine
tests, bpmn.io examples); the shipped agency procedures live in processes/.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bpengine import BpengineError, ModelError, load, validate
from tests.conftest import SHARED, corpus_files, process_files, shared_path

CORPUS = corpus_files()
PROCESSES = process_files()


def _manifest() -> dict[str, dict]:
    path = shared_path("corpus", "MANIFEST.tsv")
    with open(path, newline="") as fh:
        return {row["path"]: row for row in csv.DictReader(fh, delimiter="\t")}


def _ids(paths):
    return [p.parent.name + "/" + p.name for p in paths]


@pytest.mark.parametrize("path", CORPUS, ids=_ids(CORPUS))
def test_corpus_file_loads_or_fails_cleanly(path):
    try:
        model = load(path)
    except ModelError as exc:
        assert exc.problems
        assert all(p.file == str(path) for p in exc.problems)
        return
    model2, problems = validate(model)
    assert model2 is model
    for p in problems:
        assert p.file == str(path)
        assert p.message
        assert p.severity in ("error", "warning")


def test_corpus_manifest_verdicts_hold():
    """Files the manifest marks unparsable are refused; parsable ones load."""
    manifest = _manifest()
    assert CORPUS, f"no corpus files under {SHARED}/corpus"
    for rel, row in manifest.items():
        path = SHARED / "corpus" / rel
        if row["parse_ok"] == "1":
            load(path)
        else:
            with pytest.raises(ModelError):
                load(path)
        if row["note"].startswith("invalid"):
            _, problems = validate(path)
            assert any(p.severity == "error" for p in problems), rel


@pytest.mark.parametrize("path", CORPUS + PROCESSES, ids=_ids(CORPUS + PROCESSES))
def test_round_trip_gives_an_equal_model(path, tmp_path):
    try:
        model = load(path)
    except ModelError:
        pytest.skip("file is refused on load (covered above)")
    out = tmp_path / path.name
    model.write(out)
    again = load(out)
    assert again == model
    assert again.digest == model.digest


def test_manifest_element_counts_match_what_we_read():
    manifest = _manifest()
    for rel, row in manifest.items():
        if row["parse_ok"] != "1":
            continue
        try:
            m = load(SHARED / "corpus" / rel)
        except BpengineError:
            continue
        els = m.elements.values()
        ours = {
            "processes": len(m.processes),
            "pools": len(m.pools),
            "lanes": len(m.lanes),
            "tasks": sum(e.is_task for e in els),
            "gateways": sum(e.is_gateway for e in els),
            "events": sum(e.is_event for e in els),
            "flows": len(m.flows),
            "boundary": sum(e.kind == "boundaryEvent" for e in els),
            "subproc": sum(e.is_subprocess for e in els),
            "call_act": sum(e.kind == "callActivity" for e in els),
        }
        theirs = {k: int(row[k]) for k in ours}
        assert ours == theirs, rel


@pytest.mark.skipif(not PROCESSES, reason="no processes shipped yet")
@pytest.mark.parametrize("path", PROCESSES, ids=_ids(PROCESSES))
def test_shipped_process_is_valid_with_lanes_di_and_scenario(path):
    model, problems = validate(path)
    assert model is not None
    errors = [str(p) for p in problems if p.severity == "error"]
    assert not errors, "\n".join(errors)
    assert model.lanes, "agency procedures have a lane per office/role"
    assert all(e.lane for e in model.elements.values() if e.is_activity)
    assert model.processes[model.main_process.id].documentation, "sources are documented"
    di = model.tree().xpath("//*[local-name()='BPMNShape']/@bpmnElement")
    assert set(model.elements) <= set(di), "every flow node has a shape in the diagram"
    assert path.with_suffix(".scenario.yaml").exists()


def _bytes_read() -> int:
    """Bytes this process has read through system calls so far (Linux's rchar counter)."""
    with open("/proc/self/io") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("rchar:"))


def _load_all(paths):
    for p in paths:
        try:
            load(p)
        except ModelError:
            pass


def test_loading_reads_each_file_once():
    """Loading costs one read of the file, nothing more (speed itself: bench/load.py)."""
    shared_path("corpus")
    if not Path("/proc/self/io").exists():
        pytest.skip("the bytes-read counter is Linux's /proc/self/io")
    _load_all(CORPUS)  # first pass: whatever modules loading imports lazily are imported now
    before = _bytes_read()
    _load_all(CORPUS)
    read = _bytes_read() - before
    size = sum(p.stat().st_size for p in CORPUS)
    assert size <= read < 1.05 * size + 16_384, f"read {read:,} bytes to load {size:,}"
