"""Two agencies, one case: the kelurahan hands a residence-transfer file to the kecamatan.

The model is a collaboration of two executable pools. The engine delivers the message flows
between them itself (one case spans both pools, each pool's tasks land in its own lanes'
inboxes); the applicant's original documents come from outside, found by business key.

Run: python examples/messages.py [--db sqlite:///pindah.db]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bpengine import Engine

__all__ = ["main"]

MODEL = Path(__file__).resolve().parents[1] / "tests" / "engine" / "data" / "pindah.bpmn"


def main(argv=None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=None, help="database URL (default: in memory)")
    args = parser.parse_args(argv)

    engine = Engine(args.db)
    engine.register("Catat di SIAK", lambda data: {"siak": "tercatat"})  # the registry call
    definition = engine.deploy(MODEL)
    print(f"deployed {definition.key} v{definition.version}: {definition.name}")
    case = engine.start(
        definition.key, {"nik": "3273010101900001"}, actor="loket", business_key="PND-2025-0042"
    )

    def work(lane: str) -> None:
        for task in engine.inbox(lane=lane):
            engine.complete(task.id, {}, actor=f"petugas {lane}")
            print(f"  {lane:18} {task.name}")

    work("Petugas Kelurahan")
    # The applicant brings the originals: the front office's app says which file they are for.
    sent = engine.correlate(
        "Dokumen asli",
        business_key="PND-2025-0042",
        data={"dokumen_asli": True},
        message_id="loket-0042-asli",
    )
    print(f"  message {sent.name!r} -> {sent.element_ids[0]} of case {sent.case_id[:8]}")
    for lane in ("Lurah", "Petugas Kecamatan", "Camat"):  # the file crosses to the kecamatan
        work(lane)
    case = engine.get(case.id)
    print(f"case {case.business_key}: {case.status}")
    for entry in engine.history(case.id):
        if entry.action in ("message", "throw"):
            print(f"  audit: {entry.action:7} {entry.element_id:10} {entry.detail}")
    for message in engine.messages("outbound"):
        print(f"  for the applicant: {message.name!r} (case {message.business_key})")
    return case.status


if __name__ == "__main__":
    main()
