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

A payload that reaches the engine (its command has ``--db``) is also checked for "no other
case affected": before it, a healthy ``cuti`` case (tests/engine/data/cuti.bpmn) is started
in the same database and waits at a task with a 3-day SLA timer; after it, the clock moves 3
days on, ``tick`` must fire that timer, and the case must complete. Column ``others``: ``ok``,
``FAIL``, or ``-`` (the payload never reaches a database).

Payload layout (directories add up: each class is a directory, found by listing):

- ``<class>/run``: the CLI arguments for that class's payloads, with ``{payload}`` (the
  file), ``{dir}`` (the class directory), ``{root}`` (tests/data/hostile) and ``{tmp}``
  (a fresh temporary directory per run, e.g. for a database), ``{data}`` (the text of the
  class's ``_data.json``: case data too long for the command line of ``run``).
- ``<class>/NAME``: a payload; files starting with ``_`` are helpers (a model the payload
  is run against), not payloads. A symbolic link is kept as one (``dev-zero.bpmn`` ->
  ``/dev/zero``).
- ``<class>/NAME.fifo``: a named pipe ``NAME`` is made in ``{tmp}`` and given as payload
  (git cannot store one); nothing ever writes to it.
- ``<class>/NAME.args``: the payload is the argument line itself (an option value).
- ``<class>/NAME.lines``: one payload per line (``#`` comments; a line ``a<TAB>b`` uses ``b``):
  the line, XML-escaped, replaces ``{line}`` in the class's ``_model.bpmn``, written to
  ``{tmp}/NAME-N.bpmn`` and given as payload (e.g. an expression as a gateway condition).
- A ``run`` file of several lines runs them in order in the same ``{tmp}``: the earlier ones
  set up (they must succeed), the last one is the payload's step, measured. ``{task}`` is the
  id of the newest ready task in the step's database at that moment.
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
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ROOT / "tests" / "data" / "hostile"
if str(ROOT) not in sys.path:  # the healthy case runs in this process: this checkout's engine
    sys.path.insert(0, str(ROOT))
BUDGET_S = 1.0  # refused within this many seconds of work
_MARK = "hostile-bench-seconds"
# imported before the clock starts: their import is start-up, not work on the payload
_PACKAGES = (
    "bpengine.cli",
    "bpengine.model",
    "bpengine.scenario",
    "bpengine.sim",
    "bpengine.engine",
    "bpengine.records",
    "bpengine.analysis",
    "bpengine.redesign",
    "bpengine.report",
)
TIMEOUT_S = 60.0
HEALTHY = ROOT / "tests" / "engine" / "data" / "cuti.bpmn"  # the other case: a 3-day SLA timer


@dataclass(frozen=True)
class Payload:
    """One hostile input and how to feed it to the CLI."""

    kind: str  # the class directory
    name: str
    path: Path  # the payload file (or .fifo / .args / .lines marker)
    template: str  # CLI arguments with {payload} {dir} {root} {tmp} {task}; lines are steps
    line: str | None = None  # the payload line of a ``.lines`` file

    @property
    def accepted(self) -> bool:
        """``ok-`` payloads are regressions that must now be accepted."""
        return self.name.startswith("ok-")

    @property
    def id(self) -> str:
        return f"{self.kind}/{self.name}"

    @property
    def file_name(self) -> str:
        """The name of the file given to the CLI (the one a refusal names)."""
        if self.line is not None:
            return self.name.replace(":", "-") + ".bpmn"
        return self.path.name.removesuffix(".fifo")

    @property
    def reaches_engine(self) -> bool:
        return "--db" in self.template

    def steps(self) -> int:
        return len(self.template.splitlines())

    def argv(self, tmp: Path, step: int = -1, db: str | None = None) -> list[str]:
        """The CLI arguments of ``step`` (the last: the payload's own), making the named pipe
        of a ``.fifo`` payload or the model of a ``.lines`` payload in ``tmp``; ``db`` in place
        of the ``--db`` URL of ``run`` (e.g. a PostgreSQL one)."""
        payload = self.path
        if self.path.suffix == ".fifo":
            payload = tmp / self.file_name
            if not payload.exists():
                os.mkfifo(payload)
        elif self.line is not None:
            payload = tmp / self.file_name
            model = (self.path.parent / "_model.bpmn").read_text(encoding="utf-8")
            payload.write_text(model.replace("{line}", escape(self.line)), encoding="utf-8")
        template = self.template.splitlines()[step]
        values = {
            "payload": str(payload),
            "dir": str(self.path.parent),
            "root": str(HOSTILE),
            "tmp": str(tmp),
        }
        if "{data}" in template:
            values["data"] = (self.path.parent / "_data.json").read_text(encoding="utf-8")
        args = [_fill(part, values) for part in shlex.split(template)]
        if db is not None and "--db" in args:
            args[args.index("--db") + 1] = db
        if "{task}" in args:
            args[args.index("{task}")] = _ready_task(db or f"sqlite:///{tmp / 'engine.db'}")
        return args

    def database(self, tmp: Path) -> str | None:
        """The ``--db`` URL the payload's command uses, if any."""
        args = self.argv(tmp, 0)
        return args[args.index("--db") + 1] if "--db" in args else None


def _fill(part: str, values: dict[str, str]) -> str:
    """``part`` with each ``{name}`` of ``values`` put in, ``{{`` and ``}}`` read as braces
    (as str.format does), other braces kept, and nothing in a value read again."""
    part = part.replace("{{", "\0").replace("}}", "\1")
    for name, value in values.items():
        part = part.replace("{" + name + "}", value.replace("{", "\0").replace("}", "\1"))
    return part.replace("\0", "{").replace("\1", "}")


def _ready_task(url: str) -> str:
    from bpengine import Engine

    with Engine(url) as engine:
        tasks = engine.inbox()
    return tasks[-1].id if tasks else "no-ready-task"  # the newest: the healthy case's is older


class _Clock:
    def __init__(self) -> None:
        import datetime as dt

        self.now = dt.datetime(2025, 1, 6, 1, tzinfo=dt.timezone.utc)  # Monday 08:00 WIB

    def __call__(self):
        return self.now


def healthy_case(url: str) -> str:
    """Start a ``cuti`` case in ``url`` and bring it to its task with the SLA timer."""
    from bpengine import Engine

    with Engine(url, clock=_Clock()) as engine:
        engine.deploy(HEALTHY)
        case = engine.start("cuti", {"hari": 2, "revisi": 0})
        engine.complete(case.tasks[0].id, {})
    return case.id


def healthy_case_goes_on(url: str, case_id: str) -> bool:
    """After a payload: the healthy case's timer fires 3 days on, and the case completes."""
    import datetime as dt

    from bpengine import BpengineError, Engine

    clock = _Clock()
    clock.now += dt.timedelta(days=3, minutes=1)
    try:
        with Engine(url, clock=clock) as engine:
            if case_id not in engine.tick():
                return False
            [task] = engine.get(case_id).tasks
            if task.element_id != "T_eskalasi":
                return False
            # refused for good after three revisions: the case ends without a service handler
            return engine.complete(task.id, {"approved": False, "revisi": 3}).status == "completed"
    except BpengineError:
        return False


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
                found.append(
                    Payload(kind.name, path.stem, path, path.read_text(encoding="utf-8").strip())
                )
            elif path.suffix == ".lines" and template is not None:
                for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                    if text.strip() and not text.startswith("#"):
                        found.append(
                            Payload(
                                kind.name,
                                f"{path.stem}:{number}",
                                path,
                                template,
                                text.split("\t")[-1],
                            )
                        )
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
        proc = subprocess.run(
            [sys.executable, __file__, "--child", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=TIMEOUT_S,
            preexec_fn=_cap(megabytes),
            stdin=subprocess.DEVNULL,
        )
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


def run_payload(p: Payload, megabytes: int) -> tuple[float, float | None, int, str, bool | None]:
    """One run of ``p`` in a fresh directory: (wall s, work s, exit code, stderr, whether the
    healthy case in the same database went on; None when the payload uses no database)."""
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        url = p.database(tmp)
        healthy = healthy_case(url) if url else None
        for step in range(p.steps() - 1):
            _, _, code, stderr = run_cli(p.argv(tmp, step), megabytes)
            if code != 0:
                return 0.0, None, -1, "setup step failed: " + stderr, None
        seconds, work, code, stderr = run_cli(p.argv(tmp), megabytes)
        other = healthy_case_goes_on(url, healthy) if url and healthy else None
    return seconds, work, code, stderr, other


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
    print(
        f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
        f"{os.cpu_count()} CPUs; memory cap {opts.memory_mb} MB; median of {opts.repeat}"
    )
    base = statistics.median(
        run_cli(["--version"], opts.memory_mb)[0] for _ in range(max(opts.repeat, 3))
    )
    print(f"baseline (bpengine --version, imports included): {base:.3f} s wall\n")
    print(
        f"{'payload':<46} {'wall s':>7} {'x base':>7} {'work s':>7} {'exit':>5} "
        f"{'others':>6}  result"
    )
    failed = []
    for p in payloads():
        if opts.only not in p.id:
            continue
        times, works, codes, tracebacks, last, others = [], [], set(), False, "", set()
        for _ in range(opts.repeat):
            seconds, work, code, stderr, other = run_payload(p, opts.memory_mb)
            times.append(seconds)
            works.append(TIMEOUT_S if work is None else work)
            codes.add(code)
            others.add(other)
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
        if False in others:
            problems.append("other case affected")
        verdict = "FAIL " + ", ".join(problems) if problems else "ok"
        if problems:
            failed.append(p.id)
        code = "/".join(str(c) for c in sorted(codes))
        other = "-" if others == {None} else "FAIL" if False in others else "ok"
        print(
            f"{p.id:<46} {wall:>7.3f} {wall / base:>7.2f} {work:>7.3f} {code:>5} {other:>6}  "
            f"{verdict}"
        )
        if problems and last:
            print(f"{'':<46} {last[:160]}")
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{len(failed)} failed" + (": " + ", ".join(failed) if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
