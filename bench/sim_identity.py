"""Does this checkout simulate exactly as another revision does? Same seed, same bytes.

Run: python bench/sim_identity.py [REF] [--cases 3000] [--shared PATH]

A speed-up of the simulator must not change a single result: for a given seed the figures
and the event log are the same, bit for bit. This script checks that against REF (default
``main``), its package exported with ``git archive`` into a temporary directory, by running
``bpengine simulate`` in both trees on the shared permit model with its Prosimos parameters
and on every ``processes/*.bpmn`` with its scenario, two replications each, with the event
log written. It compares the ``--format json`` output (``elapsed_seconds`` left out: a
time, not a result), the text table (the log file's name left out) and the CSV event log
byte for byte, prints one line per model and exits 1 if anything differs. A revision that
means to change results (a fix, a new modelling rule) fails it on purpose: the printout
says which models moved.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
_CLI = "import sys; from bpengine.cli import main; sys.exit(main())"


def export(ref: str, into: Path) -> Path:
    """The package of ``ref`` written under ``into`` (nothing in this checkout changes)."""
    archive = into / "ref.tar"
    with open(archive, "wb") as fh:
        subprocess.run(["git", "-C", str(ROOT), "archive", ref, "bpengine"], stdout=fh, check=True)
    tree = into / "ref"
    with tarfile.open(archive) as tar:
        tar.extractall(tree, filter="data")
    return tree


def outputs(tree: Path, model: Path, source: list[str], cases: int, tmp: Path) -> dict:
    """What ``bpengine simulate`` prints and logs in ``tree``: JSON, text, CSV bytes."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    where = subprocess.run(
        [sys.executable, "-c", "import bpengine; print(bpengine.__file__)"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp,
    ).stdout.strip()
    if not where.startswith(str(tree)):  # the comparison would be of one tree with itself
        raise SystemExit(f"bpengine imported from {where!r}, not from {tree}")
    base = [sys.executable, "-c", _CLI, "simulate", str(model), *source, "--cases", str(cases)]
    base += ["--replications", "2", "--seed", "11"]
    log = tmp / f"{tree.name}-{model.stem}.csv"
    found = {}
    for fmt in ("json", "text"):
        proc = subprocess.run(  # run in tmp: ``-c`` puts the working directory on the path
            [*base, "--format", fmt, "--log", str(log)],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp,
        )
        if proc.returncode != 0:
            return {"error": proc.stderr.strip().splitlines()[-1:]}
        if fmt == "json":
            data = json.loads(proc.stdout)
            data.pop("elapsed_seconds", None)
            found["json"] = data
        else:
            found["text"] = [ln for ln in proc.stdout.splitlines() if str(log) not in ln]
        found[f"log ({fmt} run)"] = log.read_bytes()
    return found


def models(shared: Path) -> list[tuple[Path, list[str]]]:
    """Permit with its Prosimos parameters (when ../shared is there), every shipped process."""
    out = []
    permit = shared / "bench" / "permit.bpmn"
    if permit.exists():
        out.append((permit, ["--prosimos", str(shared / "bench" / "permit.json")]))
    for bpmn in sorted((ROOT / "processes").glob("*.bpmn")):
        sidecar = bpmn.with_suffix(".scenario.yaml")
        out.append((bpmn, ["--scenario", str(sidecar)] if sidecar.exists() else []))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("ref", nargs="?", default="main", help="revision to compare with (main)")
    ap.add_argument("--cases", type=int, default=3000, help="cases per replication (3000)")
    ap.add_argument(
        "--shared", default=os.environ.get("BPENGINE_SHARED", str(ROOT.parent / "shared"))
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        ref = export(args.ref, tmp)
        differ = 0
        for model, source in models(Path(args.shared)):
            # the processes of this checkout, run by both trees: the code is what is compared
            mine = outputs(ROOT, model, source, args.cases, tmp)
            theirs = outputs(ref, model, source, args.cases, tmp)
            moved = sorted(k for k in mine.keys() | theirs.keys() if mine.get(k) != theirs.get(k))
            differ += bool(moved)
            print(f"{model.stem:28s} {'differs: ' + ', '.join(moved) if moved else 'identical'}")
        print(f"{differ} model(s) differ from {args.ref}" if differ else f"identical to {args.ref}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
