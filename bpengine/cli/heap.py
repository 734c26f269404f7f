"""The memory of a short-lived command that allocates much: a roomy heap, a quick end.

A simulation makes and drops many large numpy arrays (the event-log table, the per-row
figures of ``tally``, the CSV chunks). glibc's allocator gives freed memory back to the
system at once and takes it again for the next array, so each array costs its pages'
faults anew: for 10,000 permit cases about 13,000 of the process' 35,000 minor page
faults and some 0.05 s of its 0.9 s (bench/sim_vs_prosimos.py). Asking the allocator to
grow the heap by 64 MB at a time keeps those pages. Results do not change: only where
memory comes from. The CLI asks for it; the library never does, because a process that
embeds bpengine (a server) keeps its own memory policy.

At its end the interpreter runs the cyclic collector once more over every object still
alive (every loaded module's functions and classes, the model, the results), only to free
memory the process is handing back to the system: about 0.015 s of a 0.8 s ``simulate``.
:func:`quick_exit_collection` freezes the objects out of that pass (``gc.freeze``) once the
command is done; everything else of the interpreter's exit happens as before.
"""

from __future__ import annotations

import atexit
import gc
import sys

__all__ = ["quick_exit_collection", "roomy_heap"]

_M_TOP_PAD = -2  # glibc's mallopt parameter numbers (malloc.h)
_M_MMAP_THRESHOLD = -3
_PAD = 64 << 20  # bytes the heap grows beyond each request, kept when freed
_MMAP = 256 << 20  # arrays below this come from the heap, not a fresh mapping each time


def roomy_heap() -> bool:
    """Ask glibc's allocator to keep freed memory for the next arrays of this process.

    Returns
    -------
    bool
        True where it was applied (Linux with glibc); elsewhere nothing changes (other C
        libraries and systems have no ``mallopt`` or other defaults), and False.
    """
    if not sys.platform.startswith("linux"):
        return False
    import ctypes  # numpy has imported it already: no start-up cost

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # a C library without mallopt
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    # mallopt returns 1 on success; musl's stub returns 0 and changes nothing
    return bool(mallopt(_M_TOP_PAD, _PAD)) and bool(mallopt(_M_MMAP_THRESHOLD, _MMAP))


_FREEZE_REGISTERED: list[bool] = []


def quick_exit_collection() -> None:
    """Skip the cyclic collector's last pass over everything when this process exits.

    Registers ``gc.freeze`` to run at exit (once per process), so it runs only when the
    interpreter is really ending, never under a test runner invoking the command in-process
    mid-session. Exit handlers registered earlier still run after it, standard streams are
    flushed and objects still referenced are released as always; what is skipped is only
    the search for unreachable cycles, which a command's files never rely on (each is
    written and closed before the command returns).
    """
    if not _FREEZE_REGISTERED:
        atexit.register(gc.freeze)
        _FREEZE_REGISTERED.append(True)
