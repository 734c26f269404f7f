"""analyze(): the rule list, stable ids, inputs, and every corpus file without an exception."""

from __future__ import annotations

import pytest

from bpengine import BpengineError, ModelError, analyze, load
from bpengine.analysis import RULE_IDS, RULES, finding_id, soundness

from ..conftest import SHARED, corpus_files


def test_rule_ids_are_the_documented_ones():
    assert RULE_IDS == (
        "same-role-approvals",
        "signoff-chain",
        "rubber-stamp",
        "dominated-approval",
        "reverification",
        "resubmission",
        "ping-pong",
        "rework-loop",
        "knockout-order",
        "paper-handover",
        "once-only",
        "one-stop",
        "automate",
        "bottleneck",
        "fast-lane",
    )
    for check in RULES:
        assert "Graph pattern" in check.__doc__


def test_ids_are_stable_and_findings_frozen(domisili, domisili_model):
    first = analyze(domisili_model)
    again = analyze(load(domisili))
    assert [f.id for f in first] == [f.id for f in again]
    assert len({f.id for f in first}) == len(first)
    f = first[0]
    assert f.id == finding_id(f.rule, f.elements)
    with pytest.raises(AttributeError):
        f.rule = "x"
    assert f.to_dict()["elements"] == list(f.elements)


def test_path_input_rule_subset_and_errors(domisili):
    assert {f.rule for f in analyze(str(domisili), rules=["rework-loop"])} == {"rework-loop"}
    with pytest.raises(BpengineError, match="unknown rule 'nope'"):
        analyze(str(domisili), rules=["nope"])
    with pytest.raises(BpengineError, match="ProcessModel"):
        analyze(42)


def test_every_saving_is_labelled(domisili_model):
    for f in analyze(domisili_model):
        assert f.saving.label == "estimate"
        assert f.saving.working_days >= 0
        assert f.explanation.endswith((".", ")"))
        assert len(f.explanation) > 60


CORPUS = corpus_files()


@pytest.mark.skipif(not CORPUS, reason=f"no corpus at {SHARED / 'corpus'} (../shared absent)")
@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_corpus_file_analyses_without_exception(path):
    try:
        model = load(path)
    except ModelError:
        pytest.skip("file is meant not to load (see MANIFEST.tsv)")
    for f in analyze(model):
        assert f.rule in RULE_IDS
        assert set(f.elements) <= set(model.elements)
    report = soundness(model, max_states=20_000)
    assert report.states > 0 or not model.elements


@pytest.mark.parametrize("name", ["surat-keterangan-domisili", "izin-usaha-sebelum-oss", "pbg"])
def test_each_rule_names_its_findings_with_the_id_it_declares(name):
    from ..conftest import PROCESSES

    model = load(PROCESSES / f"{name}.bpmn")
    made = {check.id: {f.rule for f in check(model, None)} for check in RULES}
    strays = {rule_id: rules - {rule_id} for rule_id, rules in made.items()}
    assert strays == {rule_id: set() for rule_id in made}
    assert len(set().union(*made.values())) >= 3  # the shipped processes give several rules work
