"""Table, JSON and SARIF 2.1.0 output of findings."""

from __future__ import annotations

import json

from bpengine import analyze
from bpengine.analysis import findings_json, findings_sarif, findings_table, soundness


def test_json_round_trips(domisili_model):
    found = analyze(domisili_model)
    doc = json.loads(findings_json(found, domisili_model, soundness=soundness(domisili_model)))
    assert [f["id"] for f in doc["findings"]] == [f.id for f in found]
    first = doc["findings"][0]
    assert set(first) >= {
        "id",
        "rule",
        "severity",
        "elements",
        "names",
        "lanes",
        "explanation",
        "suggestion",
        "targets",
        "saving",
        "guard",
        "data",
        "data_source",
    }
    assert first["saving"]["label"] == "estimate"
    assert doc["soundness"]["sound"] is True


def test_sarif_structure(domisili_model):
    found = analyze(domisili_model)
    log = json.loads(findings_sarif(found, domisili_model))
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    rule_ids = {r["id"] for r in run["tool"]["driver"]["rules"]}
    assert {"signoff-chain", "rubber-stamp", "knockout-order"} <= rule_ids
    assert len(run["results"]) == len(found)
    res = run["results"][0]
    assert res["ruleId"] == found[0].rule
    assert res["level"] in ("error", "warning", "note")
    assert res["partialFingerprints"]["bpengineFindingId"] == found[0].id
    loc = res["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"]["uri"].endswith("domisili.bpmn")
    assert loc["physicalLocation"]["region"]["startLine"] >= 1
    assert [ll["name"] for ll in loc["logicalLocations"]] == list(found[0].elements)


def test_table_lists_every_finding(domisili_model):
    found = analyze(domisili_model)
    text = findings_table(found, domisili_model)
    for f in found:
        assert f.id in text
    assert "estimate" in text
    assert "guard:" in text
    assert findings_table([], domisili_model).endswith("no findings.")
