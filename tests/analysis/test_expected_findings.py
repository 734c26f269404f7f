"""Every shipped process against what an expert flags (processes/x.expected-findings.yaml).

Each expected finding must be matched by a finding of that rule whose elements include all
the listed ids; a ``must_not_remove`` step is never removed by a finding (the steps its
suggestion's declaration says it removes); a ``must_not_flag`` step is in no
finding at all. The format is described in SCENARIO.md.
"""

from __future__ import annotations

import pytest
import yaml

from bpengine import analyze, load, load_scenario
from bpengine.analysis.suggestions import removed_steps

from ..conftest import PROCESSES

EXPECTATIONS = sorted(PROCESSES.glob("*.expected-findings.yaml"))


def _check(path):
    spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    bpmn = path.with_name(path.name.replace(".expected-findings.yaml", ".bpmn"))
    model = load(bpmn)
    findings = analyze(model, scenario=load_scenario(None, model=model))
    problems = []
    for exp in spec.get("expected") or []:
        want = set(exp["elements"])
        if not any(f.rule == exp["rule"] and want <= set(f.elements) for f in findings):
            same_rule = [f.elements for f in findings if f.rule == exp["rule"]]
            problems.append(
                f"missing {exp['rule']} over {sorted(want)} ({exp.get('why', '')}); "
                f"found for that rule: {same_rule}"
            )
    for item in spec.get("must_not_remove") or []:
        for f in findings:
            if item["element"] in removed_steps(f):
                problems.append(
                    f"{f.id} ({f.suggestion}) removes {item['element']} ({item.get('why', '')})"
                )
    for item in spec.get("must_not_flag") or []:
        for f in findings:
            if item["element"] in f.elements:
                problems.append(f"{f.id} flags {item['element']} ({item.get('why', '')})")
    return problems


@pytest.mark.skipif(not EXPECTATIONS, reason="no processes/*.expected-findings.yaml yet")
@pytest.mark.parametrize("path", EXPECTATIONS, ids=lambda p: p.name.split(".")[0])
def test_expert_findings(path):
    problems = _check(path)
    assert not problems, "\n".join(problems)
