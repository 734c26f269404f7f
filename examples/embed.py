"""Embedding bpengine in an agency app: deploy, start, work the inbox per role, read the audit.

Run: python examples/embed.py [processes/cuti-asn.bpmn] [--db sqlite:///cuti.db]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bpengine import Engine

__all__ = ["main"]

HERE = Path(__file__).resolve().parent


def main(argv=None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "model", nargs="?", default=str(HERE.parent / "processes" / "cuti-asn.bpmn")
    )
    parser.add_argument("--db", default=None, help="database URL (default: in memory)")
    args = parser.parse_args(argv)

    engine = Engine(args.db)  # SQLite in memory by default
    engine.register("notify", lambda data: {"notified": True})  # service tasks named "notify"
    definition = engine.deploy(args.model)  # versioned by content
    # Case data feeds the gateways: here the decisions of the shipped leave procedure.
    data = {"lama_cuti": 3, "pertimbangan": "disetujui", "berkas_valid": True, "konsep_benar": True}
    case = engine.start(definition.key, data, actor="ani")
    print(f"started {definition.key} v{definition.version}: case {case.id}")

    # Each person works their own role's inbox; here one loop approves everything.
    steps = 0
    while case.status == "running" and steps < 200:
        ready = [t for t in case.tasks if t.kind == "user"]
        if not ready:
            break
        task = ready[0]
        case = engine.complete(task.id, {}, actor=f"petugas {task.lane}")
        print(f"  {task.lane}: {task.name}")
        steps += 1
    print(f"case {case.status} after {steps} steps")
    for entry in engine.history(case.id)[-3:]:
        print(f"  audit: {entry.at:%H:%M:%S} {entry.action} by {entry.actor}")
    return case.status


if __name__ == "__main__":
    main()
