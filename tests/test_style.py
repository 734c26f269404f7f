"""The house style is checked like behaviour: ``ruff check`` and ``ruff format --check``.

The house formatting is ``ruff format`` with the settings in ``pyproject.toml`` (line length
100); the lint rules selected there include pytest style (PT) and McCabe complexity (C90).
ruff is in the ``test`` extra; without it these tests skip, except in CI, where they fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TARGETS = ["bpengine", "tests", "bench", "examples"]


def _ruff() -> list[str]:
    found = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if found:
        return [found]
    if os.environ.get("CI") == "true":
        pytest.fail("ruff is missing in CI: it is in the test extra (pip install -e '.[test]')")
    pytest.skip("ruff is not installed (pip install -e '.[test]' brings it)")


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*_ruff(), *args, *TARGETS], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_ruff_check_is_clean():
    result = _run("check", "--no-cache", "--output-format", "concise")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_leaves_every_file_as_it_is():
    result = _run("format", "--check", "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr
