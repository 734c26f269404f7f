"""Fixtures shared by the whole suite: where the shipped processes and ../shared live."""
from __future__ import annotations

import os
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
