"""The progress bar of long commands: the library reports, the CLI draws.

Library functions that take long (``simulate``, ``compare``, ``reengineer``, ``sweep``)
take a ``progress`` callback called as ``progress(done, total)``; :func:`progress_bar`
turns it into a rich bar on standard error with the count done and the time left. It
appears only after the first second (short runs stay silent), never with ``--quiet``, and
never when standard error is not a terminal (pipes, files, CI logs get no escape codes).
"""

from __future__ import annotations

import contextlib
import sys
import time
from typing import Any

from ..i18n import N_, _

__all__ = ["progress_bar"]

_DELAY = 1.0  # seconds before the bar appears: a run shorter than that needs none


# the labels the commands pass, for the catalogue (shown translated)
_LABELS = (
    N_("simulating"),
    N_("simulating before and after"),
    N_("simulating candidates"),
    N_("sweeping"),
    N_("cases"),
    N_("candidates"),
)


@contextlib.contextmanager
def progress_bar(label: str, unit: str, quiet: bool = False, console=None):
    """A ``progress(done, total)`` callback drawing a transient bar, stopped on exit.

    Parameters
    ----------
    label : str
        What is being done ("simulating", "candidates").
    unit : str
        What ``done`` and ``total`` count ("cases", "replications", "candidates").
    quiet : bool
        Draw nothing.
    console : rich.console.Console, optional
        Where to draw (default: standard error, if it is a terminal).

    Yields
    ------
    callable or None
        The callback to hand to the library; ``None`` when nothing is drawn, so the library
        skips the reporting altogether.
    """
    if quiet or (console is None and not sys.stderr.isatty()):
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    console = console or Console(stderr=True)
    state: dict[str, Any] = {"bar": None, "task": None, "t0": time.perf_counter()}

    def update(done, total):
        if state["bar"] is None:
            if time.perf_counter() - state["t0"] < _DELAY or done >= total:
                return
            bar = Progress(
                TextColumn(_(label)),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn(_(unit)),
                TimeElapsedColumn(),
                TextColumn(_("elapsed,")),
                TimeRemainingColumn(),
                TextColumn(_("left")),
                console=console,
                transient=True,
            )
            bar.start()
            state["bar"], state["task"] = bar, bar.add_task(_(label), total=total)
        state["bar"].update(state["task"], completed=min(done, total), total=total)

    try:
        yield update
    finally:
        if state["bar"] is not None:
            state["bar"].stop()
