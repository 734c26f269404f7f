"""The README's Quick start and .ci/run must not drift apart."""

from __future__ import annotations

import re
import shlex

from tests.conftest import ROOT


def quick_start_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Quick start", 1)[1]
    block = re.search(r"```[a-z]*\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.strip() and not line.startswith("#")]


def test_quick_start_has_exactly_two_commands():
    assert len(quick_start_commands()) == 2


def test_ci_runs_the_readme_test_command_verbatim():
    ci = (ROOT / ".ci" / "run").read_text()
    test_command = quick_start_commands()[1]
    assert "pytest" in test_command
    assert test_command in ci.splitlines()


def test_first_command_runs_on_a_shipped_process():
    words = shlex.split(quick_start_commands()[0].replace("&&", " "))
    shipped = [w for w in words if w.startswith("processes/")]
    assert shipped, "the main job runs on a process shipped in processes/"
    for w in shipped:
        assert (ROOT / w).exists(), f"{w} is named in the README but not shipped"
