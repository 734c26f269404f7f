"""The analyst's loop in the Python API: analyze, apply the findings, simulate, compare.

    python examples/analyst.py                                   # the residence certificate
    python examples/analyst.py processes/cuti-asn.bpmn --cases 500 --out /tmp/cuti-new.bpmn

Every call takes the model first and the rest by keyword; the scenario is the sidecar
``x.scenario.yaml`` beside the model (or the stated defaults), found the same way by each.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bpengine import (
    analyze,
    apply_findings,
    compare,
    load,
    load_scenario,
    simulate,
    transform_scenario,
)

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Print what changed and the before/after cycle time; return the two means (days)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "model", nargs="?", default=str(ROOT / "processes" / "surat-keterangan-domisili.bpmn")
    )
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--replications", type=int, default=5)
    parser.add_argument("--out", help="write the redesigned model here (BPMN with diagram)")
    args = parser.parse_args(argv)

    model = load(args.model)
    scenario = load_scenario(model=model)
    findings = analyze(model, scenario=scenario)
    redesign = apply_findings(model, findings)
    print(
        f"{len(findings)} findings, {len(redesign.changes)} changes applied, "
        f"{len(redesign.skipped)} skipped"
    )
    for change in redesign.changes:
        print(f"  changed: {change.description}")

    # the scenario follows the model across each change (removed steps lose their durations)
    raw = dict(scenario.raw)
    for change in redesign.changes:
        raw = transform_scenario(raw, change)
    table = compare(
        model,
        redesign.model,
        scenario=scenario,
        after_scenario=raw,
        cases=args.cases,
        replications=args.replications,
        seed=7,
    )
    cycle = table.get("cycle_days_mean")
    print(f"cycle time: {cycle.before:.2f} -> {cycle.after:.2f} working days")
    if args.out:
        redesign.model.write(args.out)
        print(f"wrote {args.out}")
    before = simulate(
        model, scenario=scenario, cases=args.cases, replications=args.replications, seed=7
    )
    return {
        "before": cycle.before,
        "after": cycle.after,
        "simulated_before": before["cycle_time_working_days"].mean,
    }


if __name__ == "__main__":
    main()
