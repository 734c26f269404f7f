"""Every hostile input under tests/data/hostile/, run through the CLI with a 512 MB memory cap.

Run: python bench/hostile.py [--repeat 3] [--only TEXT] [--memory-mb 512]

For each payload, medians of ``--repeat`` runs: the wall time of the process; the work
time, measured inside the process from after every bpengine package is imported to the
exit (so it is what the command itself spent refusing, not interpreter start-up); the
ratio of the wall time to the baseline (``bpengine --version`` run the same way in the same
invocation); the exit code; whether stderr holds a Python traceback. A payload passes when
it is refused (exit code not 0; ``ok-`` payloads must be accepted with 0), with no
traceback, with its work done in under 1 s, and the process was not killed (no signal, no
timeout; the memory cap makes a runaway allocation a MemoryError traceback).

Payload layout (directories add up: each class is a directory, found by listing):

- ``<class>/run``: the CLI arguments for that class's payloads, with ``{payload}`` (the
  file), ``{dir}`` (the class directory), ``{root}`` (tests/data/hostile) and ``{tmp}``
  (a fresh temporary directory per run, e.g. for a database).
- ``<class>/NAME``: a payload; files starting with ``_`` are helpers (a model the payload
  is run against), not payloads. A symbolic link is kept as one (``dev-zero.bpmn`` ->
  ``/dev/zero``).
- ``<class>/NAME.fifo``: a named pipe ``NAME`` is made in ``{tmp}`` and given as payload
  (git cannot store one); nothing ever writes to it.
- ``<class>/NAME.args``: the payload is the argument line itself (an option value).
"""
from __future__ import annotations

import argparse
import os
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ROOT / "tests" / "data" / "hostile"
BUDGET_S = 1.0  # refused within this many seconds of work
_MARK = "hostile-bench-seconds"
# imported before the clock starts: their import is start-up, not work on the payload
_PACKAGES = ("bpengine.cli", "bpengine.model", "bpengine.scenario", "bpengine.sim",
             "bpengine.engine", "bpengine.records", "bpengine.analysis", "bpengine.redesign",
             "bpengine.report")
TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Payload:
    """One hostile input and how to feed it to the CLI."""

    kind: str  # the class directory
    name: str
    path: Path  # the payload file (or .fifo / .args marker)
    template: str  # CLI arguments with {payload} {dir} {root} {tmp}

    @property
    def accepted(self) -> bool:
        """``ok-`` payloads are regressions that must now be accepted."""
        return self.name.startswith("ok-")

    @property
    def id(self) -> str:
        return f"{self.kind}/{self.name}"

    def argv(self, tmp: Path) -> list[str]:
        """The CLI arguments, making the named pipe of a ``.fifo`` payload in ``tmp``."""
        payload = self.path
        if self.path.suffix == ".fifo":
            payload = tmp / self.path.name[: -len(".fifo")]
            if not payload.exists():
                os.mkfifo(payload)
        values = {"payload": str(payload), "dir": str(self.path.parent), "root": str(HOSTILE),
                  "tmp": str(tmp)}
        return [part.format(**values) for part in shlex.split(self.template)]


def payloads(root: Path = HOSTILE) -> list[Payload]:
    """Every payload under ``root``, class by class, sorted."""
    found = []
    for kind in sorted(p for p in root.iterdir() if p.is_dir()):
        run = kind / "run"
        template = run.read_text(encoding="utf-8").strip() if run.is_file() else None
        for path in sorted(kind.iterdir(), key=lambda p: p.name):
            if path.name in ("run", "README.md") or path.name.startswith(("_", ".")):
                continue
            if path.suffix == ".args":
                found.append(Payload(kind.name, path.stem, path,
                                     path.read_text(encoding="utf-8").strip()))
            elif template is not None:
                found.append(Payload(kind.name, path.name, path, template))
    return found


def _cap(megabytes: int):
    def limit():
        size = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (size, size))
    return limit


def child(args: list[str]) -> None:
    """Run the CLI with ``args`` in this process, writing its work time to stderr last."""
    import importlib

    for name in _PACKAGES:
        importlib.import_module(name)
    from bpengine.cli import main as cli

    t0 = time.perf_counter()
    try:
        cli.main(args, prog_name="bpengine")
    finally:
        sys.stderr.write(f"\n{_MARK} {time.perf_counter() - t0:.4f}\n")


def run_cli(args: list[str], megabytes: int) -> tuple[float, float | None, int, str]:
    """(wall s, work s, exit code, stderr) of the CLI run with ``args`` under the cap.

    A run past :data:`TIMEOUT_S` is killed and reported with exit code -9.
    """
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BPENGINE_LANG": "en"}
    t0 = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, __file__, "--child", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, errors="replace",
                              timeout=TIMEOUT_S, preexec_fn=_cap(megabytes),
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        stderr = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else ""
        return time.perf_counter() - t0, None, -9, stderr + "\n(timed out)"
    wall = time.perf_counter() - t0
    work, lines = None, []
    for line in proc.stderr.splitlines():
        if line.startswith(_MARK):
            work = float(line.split()[1])
        else:
            lines.append(line)
    return wall, work, proc.returncode, "\n".join(lines)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        child(argv[1:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per payload (median)")
    parser.add_argument("--only", default="", help="payloads whose id contains this text")
    parser.add_argument("--memory-mb", type=int, default=512)
    opts = parser.parse_args(argv)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"{os.cpu_count()} CPUs; memory cap {opts.memory_mb} MB; median of {opts.repeat}")
    base = statistics.median(run_cli(["--version"], opts.memory_mb)[0]
                             for _ in range(max(opts.repeat, 3)))
    print(f"baseline (bpengine --version, imports included): {base:.3f} s wall\n")
    print(f"{'payload':<46} {'wall s':>7} {'x base':>7} {'work s':>7} {'exit':>5}  result")
    failed = []
    for p in payloads():
        if opts.only not in p.id:
            continue
        times, works, codes, tracebacks, last = [], [], set(), False, ""
        for _ in range(opts.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                seconds, work, code, stderr = run_cli(p.argv(Path(tmp)), opts.memory_mb)
            times.append(seconds)
            works.append(TIMEOUT_S if work is None else work)
            codes.add(code)
            tracebacks |= "Traceback" in stderr
            last = stderr.strip().splitlines()[-1] if stderr.strip() else ""
        wall, work = statistics.median(times), statistics.median(works)
        problems = []
        if tracebacks:
            problems.append("traceback")
        if any(c < 0 for c in codes):
            problems.append("killed" if -9 not in codes else "timed out")
        elif p.accepted and codes != {0}:
            problems.append("not accepted")
        elif not p.accepted and 0 in codes:
            problems.append("accepted")
        if not p.accepted and work > BUDGET_S:
            problems.append(f"slow (> {BUDGET_S:g} s)")
        verdict = "FAIL " + ", ".join(problems) if problems else "ok"
        if problems:
            failed.append(p.id)
        code = "/".join(str(c) for c in sorted(codes))
        print(f"{p.id:<46} {wall:>7.3f} {wall / base:>7.2f} {work:>7.3f} {code:>5}  {verdict}")
        if problems and last:
            print(f"{'':<46} {last[:160]}")
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{len(failed)} failed" + (": " + ", ".join(failed) if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
