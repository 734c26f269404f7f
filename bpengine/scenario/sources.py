"""Where each number of a scenario came from: the comments beside it in the YAML file.

The shipped scenarios say, on the line of every number, where it comes from (a regulation,
a survey, an interview) or that it is an assumption::

    Petugas Kelurahan: {staff: 2, cost_per_hour: 45000}      # assumption: staff pay / 150 h

A YAML parser drops comments, so this module reads them from the text: each key's path
(``("lanes", "Petugas Kelurahan")``) maps to the comment on its line, or to the comment
lines right above it when its own line has none. The report prints them beside the values
so a reader can tell a measured number from a guess.
"""

from __future__ import annotations

import os
import re

from ..errors import ScenarioError
from .loading import read_scenario_text

__all__ = ["scenario_sources", "file_note"]

_KEY = re.compile(r"""^(?P<indent>\s*)(?:-\s+)?(?P<key>"[^"]*"|'[^']*'|[^\s:#][^:#]*?)\s*:(\s|$)""")


_SAME = {"idem", "ditto", "same", "sama", "id."}


def _comment(line: str) -> str | None:
    """The text after the first ``#`` outside quotes that starts a comment."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[i + 1 :].strip() or None
    return None


def scenario_sources(path: str | os.PathLike[str]) -> dict[tuple[str, ...], str]:
    """Key path -> the comment that says where its value came from.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "s.yaml").write_text("lanes:\\n  # ask the kelurahan\\n"
    ...                               "  Lurah: {staff: 1}   # one lurah (SOTK)\\n"
    ...                               "  Camat: {staff: 1}\\n")
    >>> scenario_sources(d / "s.yaml")
    {('lanes', 'Lurah'): 'one lurah (SOTK)'}
    """
    try:
        text = read_scenario_text(path)
    except ScenarioError:
        return {}
    out: dict[tuple[str, ...], str] = {}
    stack: list[tuple[int, str]] = []
    above: list[str] = []
    previous = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            above = []
            continue
        if stripped.startswith("#"):
            above.append(stripped.lstrip("#").strip())
            continue
        m = _KEY.match(line)
        if not m:
            above = []
            continue
        indent = len(m.group("indent"))
        key = m.group("key").strip().strip("\"'")
        while stack and stack[-1][0] >= indent:
            stack.pop()
        stack.append((indent, key))
        note = _comment(line) or (" ".join(above) if above and stack[:-1] else None)
        if note and note.lower().rstrip(".") in _SAME and previous:
            note = previous  # "idem": the source of the line above
        if note:
            out[tuple(k for _, k in stack)] = previous = note
        above = []
    return out


def file_note(path: str | os.PathLike[str]) -> str | None:
    """The comment lines at the top of a scenario file (its general statement of sources)."""
    try:
        lines = read_scenario_text(path).splitlines()
    except ScenarioError:
        return None
    head = []
    for line in lines:
        if not line.strip().startswith("#"):
            break
        head.append(line.strip().lstrip("#").strip())
    return " ".join(h for h in head if h) or None
