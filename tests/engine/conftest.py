"""Engine test fixtures: the small models in data/, an injectable clock, and databases.

PostgreSQL: a throw-away server is started from the local binaries (initdb + pg_ctl under
/usr/lib/postgresql/*/bin) on a free loopback port in a temporary directory. PostgreSQL
refuses to run as root, so when we are root the server runs as the ``postgres`` system user
(created by Debian's package; ``.ci/run`` installs it) through ``runuser``. Without the
binaries the PostgreSQL tests skip with the reason, except under ``CI=true`` where they fail.
"""
from __future__ import annotations

import datetime as dt
import glob
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from bpengine.expressions import compile_expression

DATA = Path(__file__).resolve().parent / "data"
SHARED = Path(os.environ.get("BPENGINE_SHARED")
              or Path(__file__).resolve().parents[2] / ".." / "shared").resolve()


class Clock:
    """A settable clock for Engine(clock=...)."""

    def __init__(self, start: dt.datetime):
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def clock() -> Clock:
    return Clock(dt.datetime(2025, 1, 6, 1, 0, tzinfo=dt.timezone.utc))  # Monday 08:00 WIB


@pytest.fixture(autouse=True)
def _check_kept_instances(monkeypatch):
    """Every instance an Engine reuses between calls must dump to the state it stands for."""
    from bpengine import Engine

    monkeypatch.setattr(Engine, "_check_cache", True)


@pytest.fixture
def engine(clock):
    from bpengine import Engine

    engine = Engine(clock=clock)
    yield engine
    engine.db.dispose()


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared test files not found at {SHARED} (set BPENGINE_SHARED)")
    return SHARED


# --- PostgreSQL ------------------------------------------------------------------------
def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
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
        subprocess.run([*self.as_user, *args], check=True, capture_output=True, text=True,
                       timeout=120)

    def start(self) -> None:
        self.run(str(self.bindir / "initdb"), "-D", str(self.datadir), "-U", "bpengine",
                 "--auth=trust", "-E", "UTF8", "--no-sync")
        self.run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-w", "-t", "60",
                 "-l", str(self.root / "log"),
                 "-o", f"-h 127.0.0.1 -p {self.port} -k {self.root} -c fsync=off "
                       "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60",
                 "start")
        self.run(str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                 "-U", "bpengine", "bpengine")

    def stop(self) -> None:
        try:
            self.run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate",
                     "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server():
    bindir = _pg_bin()
    if bindir is None:
        _unavailable("no initdb under /usr/lib/postgresql/*/bin or on PATH "
                     "(apt-get install -y postgresql)")
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


def happy_path_data(model) -> dict:
    """Case data that takes each decision's main branch: ``x == "value"`` -> value, else True."""
    data = {}
    for flow in model.flows.values():
        if flow.condition:
            for name in compile_expression(flow.condition).names:
                equal = re.search(rf'{name}\s*==\s*["\']([^"\']+)["\']', flow.condition)
                data.setdefault(name, equal.group(1) if equal else True)
    return data
