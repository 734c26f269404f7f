"""The roomy heap of the CLI's simulate: freed arrays keep their pages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

_FAULTS = """
import resource, sys
import numpy as np
if sys.argv[1] == "roomy":
    from bpengine.cli.heap import roomy_heap
    assert roomy_heap()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    a = np.ones(5 << 20)  # 40 MB: by default above glibc's largest heap-served size
    del a
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults(mode: str) -> int:
    out = subprocess.run(
        [sys.executable, "-c", _FAULTS, mode],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": ""},
    )
    return int(out.stdout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt: Linux only")
def test_freed_arrays_keep_their_pages():
    # by default each 40 MB array is a fresh mapping whose pages fault in again (fewer
    # faults where huge pages serve it); from the roomy heap only the first array's do
    default, roomy = _faults("default"), _faults("roomy")
    assert roomy < default / 3


_EXIT = """
import gc, sys
if sys.argv[1] == "quick":
    from bpengine.cli.heap import quick_exit_collection
    quick_exit_collection()
    quick_exit_collection()  # registered once
class Cycle:
    def __del__(self):
        sys.stderr.write("collected at exit\\n")
gc.disable()  # so the cycle is still garbage when the interpreter ends
a = Cycle()
a.me = a
del a
print("printed before exit", end="")  # buffered: must still reach the pipe
"""


@pytest.mark.parametrize("mode", ["default", "quick"])
def test_the_last_collection_is_skipped_and_output_still_flushed(mode):
    out = subprocess.run(
        [sys.executable, "-c", _EXIT, mode],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": ""},
    )
    assert out.stdout == "printed before exit"
    # the interpreter's last pass finds the cycle, unless the command froze it out
    assert ("collected at exit" in out.stderr) == (mode == "default")
