"""Fixtures shared by the whole suite: where the shipped processes and ../shared live, and
a throw-away PostgreSQL server.

PostgreSQL: a server is started from the local binaries (initdb + pg_ctl under
/usr/lib/postgresql/*/bin) on a free loopback port in a temporary directory. PostgreSQL
refuses to run as root, so when we are root the server runs as the ``postgres`` system user
(created by Debian's package; ``.ci/run`` installs it) through ``runuser``. Without the
binaries the PostgreSQL tests skip with the reason, except under ``CI=true`` where they fail.
"""

from __future__ import annotations

import glob
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROCESSES = ROOT / "processes"
DATA = Path(__file__).resolve().parent / "data"
# ../shared sits beside the clone on developer machines and in CI, never in a user's clone.
SHARED = Path(os.environ.get("BPENGINE_SHARED", ROOT.parent / "shared")).resolve()


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test with the reason (never silently in CI)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} is missing in CI: ../shared must be beside the clone")
        pytest.skip(f"{path} not found: ../shared is only on developer and CI machines")
    return path


# How far one fuzz input may raise the process's peak resident memory (issue #16 item 7:
# "within a time and memory budget per input"; the time budget is each suite's Hypothesis
# deadline). The shipped inputs need a few MB; the bugs the fuzz suite guards against took
# 0.5 to 8 GB. Measured as the growth of the resident high-water mark (getrusage), which costs
# nothing per input; tracemalloc would measure each input's own peak exactly but made the
# model fuzz suite six times slower.
FUZZ_MEMORY = 64 * 1024 * 1024


def _peak_resident() -> int:
    """The process's resident high-water mark in bytes (Linux reports kB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


@contextmanager
def memory_budget(limit: int = FUZZ_MEMORY) -> Iterator[None]:
    """Fail if the block raises the process's peak resident memory by ``limit`` bytes or more."""
    before = _peak_resident()
    yield
    grown = _peak_resident() - before
    assert grown < limit, (
        f"one input raised peak memory by {grown / 2**20:.0f} MB, budget {limit / 2**20:.0f} MB"
    )


def corpus_files() -> list[Path]:
    return sorted((SHARED / "corpus").glob("*/*.bpmn"))


def process_files() -> list[Path]:
    return sorted(PROCESSES.glob("*.bpmn"))


@pytest.fixture
def shared():
    return shared_path()


@pytest.fixture(autouse=True)
def _english():
    """Every test starts in English (whatever BPENGINE_LANG or the locale says), and a test
    that switched language (a --lang id run sets it for the process) does not leak it."""
    from bpengine.i18n import set_language

    set_language("en")
    yield
    set_language("en")


# --- PostgreSQL ------------------------------------------------------------------------
def _pg_bin() -> Path | None:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL tests cannot run in CI: {reason}")
    pytest.skip(f"PostgreSQL not available: {reason}")


class _Server:
    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="bpengine-pg-"))
        self.datadir = self.root / "data"
        self.port = _free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            # initdb and postgres refuse to run as root: run them as the postgres user.
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.root, "postgres", "postgres")
        self.url = f"postgresql+psycopg://bpengine@127.0.0.1:{self.port}/bpengine"

    def run(self, *args: str) -> None:
        subprocess.run(
            [*self.as_user, *args], check=True, capture_output=True, text=True, timeout=120
        )

    def start(self) -> None:
        self.run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.datadir),
            "-U",
            "bpengine",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        self.run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.datadir),
            "-w",
            "-t",
            "60",
            "-l",
            str(self.root / "log"),
            "-o",
            f"-h 127.0.0.1 -p {self.port} -k {self.root} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60",
            "start",
        )
        self.run(
            str(self.bindir / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "bpengine",
            "bpengine",
        )

    def stop(self) -> None:
        try:
            self.run(
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.datadir),
                "-m",
                "immediate",
                "-w",
                "stop",
            )
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server():
    bindir = _pg_bin()
    if bindir is None:
        _unavailable(
            "no initdb under /usr/lib/postgresql/*/bin or on PATH (apt-get install -y postgresql)"
        )
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            _unavailable("running as root and there is no 'postgres' user to run the server")
        if shutil.which("runuser") is None:
            _unavailable("running as root and runuser is missing")
    server = _Server(bindir)
    try:
        server.start()
    except subprocess.CalledProcessError as exc:
        log = server.root / "log"
        detail = (exc.stderr or "") + (log.read_text() if log.exists() else "")
        server.stop()
        _unavailable(f"could not start a server: {detail.strip()[-800:]}")
    yield server
    server.stop()


@pytest.fixture
def pg_url(pg_server) -> str:
    """A fresh, migrated database on the session's server, dropped afterwards."""
    from sqlalchemy import create_engine, text

    from bpengine.engine import upgrade

    name = f"t{int(time.time() * 1000) % 10**9}_{os.getpid()}"
    admin = create_engine(pg_server.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = pg_server.url.rsplit("/", 1)[0] + "/" + name
    upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()
