"""Tables and notes as plain text, byte for byte what rich records off a terminal.

Off a terminal (a pipe, a file, ``-o out.txt``) a command's tables are printed without
colour, at 140 columns. rich renders them, but loading it and laying out its renderables
costs about 0.045 s, a twentieth of a 10,000-case ``simulate``. :class:`PlainConsole` draws
the simple case itself: tables in rich's ``HEAVY_HEAD`` box that fit the width, cells and
notes of single-width characters, the few markup tags the commands use (``[dim]``,
``[bold red]``, closed by name or by ``[/]``). Anything else (a table or line that rich
would wrap, a wide or control character, an emoji code such as ``:warning:``, another tag,
a rich renderable) raises :class:`NeedsRich`, and the caller draws the whole output again
with rich. ``tests/cli/test_plaintext.py`` holds both renderers to the same bytes on every
shipped process and on generated tables.

:class:`Table` records a table the way ``rich.table.Table`` is built (``title``,
``add_column(header, justify=...)``, ``add_row(*cells)``) and hands rich the real one
(``__rich__``) on a terminal or when the plain renderer steps back; :func:`escape` is rich's
``rich.markup.escape``, without importing rich.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["NeedsRich", "PlainConsole", "Table", "escape"]

# rich.markup: a tag, with the backslashes that may escape it; rich.markup.escape's pattern
_TAG = re.compile(r"((\\*)\[([a-z#/@][^[]*?)])")
_WORD = re.compile(r"\s*\S+\s*")  # rich._wrap: a word and the spaces after it
_ESCAPE = re.compile(r"(\\*)(\[[a-z#/@][^[]*?])")
# rich._emoji_replace: anything shaped like an emoji code may be replaced by rich
_EMOJI = re.compile(r"(:(\S*?)(?:(?:\-)(emoji|text))?:)")
# the styles the commands' markup uses; rich normalises each to itself
_STYLES = frozenset({"dim", "bold", "red", "bold red", "italic"})
# characters one cell wide for rich, whitespace only the plain space (tests/cli checks this
# against rich.cells.cell_len): printable ASCII, Latin-1's printable letters and signs
# (not the no-break space or the soft hyphen), and the typography the texts use
_SINGLE = frozenset(
    [chr(c) for c in range(0x20, 0x7F)]
    + [chr(c) for c in range(0xA1, 0x100) if c != 0xAD]
    + list("–—‘’“”…•→←≤≥")
)
# rich.box.HEAVY_HEAD: top, header, under the header, body, bottom (left, line, cross, right)
_TOP, _HEAD, _UNDER, _BODY, _BOTTOM = "┏━┳┓", "┃ ┃┃", "┡━╇┩", "│ ││", "└─┴┘"


class NeedsRich(Exception):
    """The output has something the plain renderer does not draw exactly as rich does."""


def escape(markup: str) -> str:
    """Text with its markup-like brackets escaped (``rich.markup.escape``, same result)."""
    markup = _ESCAPE.sub(lambda m: f"{m[1]}{m[1]}\\{m[2]}", markup)
    if markup.endswith("\\") and not markup.endswith("\\\\"):
        return markup + "\\"
    return markup


def _plain(markup: str) -> str:
    """What rich shows of ``markup`` (tags dropped, escapes undone), or NeedsRich."""
    if _EMOJI.search(markup):
        raise NeedsRich("emoji code")
    if "[" not in markup:
        return markup
    parts: list[str] = []
    open_styles: list[str] = []
    position = 0
    for match in _TAG.finditer(markup):  # as rich.markup._parse and render
        full, escapes, tag = match.groups()
        start, end = match.span()
        if start > position:
            parts.append(markup[position:start].replace("\\[", "["))
        if escapes:
            backslashes, escaped = divmod(len(escapes), 2)
            parts.append("\\" * backslashes)
            if escaped:  # an escaped tag is text
                parts.append(full[len(escapes) :])
                position = end
                continue
        if tag == "/":
            if not open_styles:
                raise NeedsRich("[/] closes nothing")  # rich raises its MarkupError
            open_styles.pop()
        elif tag.startswith("/"):
            if not open_styles or open_styles[-1] != tag[1:]:
                raise NeedsRich(f"closing tag [{tag}]")
            open_styles.pop()
        elif tag in _STYLES:
            open_styles.append(tag)
        else:
            raise NeedsRich(f"tag [{tag}]")
        position = end
    if position < len(markup):
        parts.append(markup[position:].replace("\\[", "["))
    return "".join(parts)


def _lines(markup: str) -> list[str]:
    """The lines of a cell or note as rich lays them out, each of single-width characters."""
    lines = _plain(markup).split("\n")
    for line in lines:
        if not _SINGLE.issuperset(line):
            raise NeedsRich("a character rich measures itself")
    return lines


class Table:
    """A table for :class:`PlainConsole` or rich: ``rich.table.Table``'s defaults.

    Parameters
    ----------
    title : str
        Markup, centred over the table (one line per line of the title).
    """

    def __init__(self, title: str = ""):
        self.title = title
        self.columns: list[tuple[str, str]] = []  # (header, justify)
        self.rows: list[tuple[str, ...]] = []

    def add_column(self, header: str = "", justify: str = "left") -> None:
        self.columns.append((header, justify))

    def add_row(self, *cells: str) -> None:
        self.rows.append(cells)

    def __rich__(self):
        """The same table as rich builds it (on a terminal, or when the plain one steps back)."""
        from rich.table import Table as RichTable

        table = RichTable(title=self.title or None)
        for header, justify in self.columns:
            table.add_column(header, justify=justify)  # type: ignore[arg-type]
        for row in self.rows:
            table.add_row(*row)
        return table

    def lines(self, width: int) -> list[str]:
        """The table in plain text, as rich renders it ``width`` columns wide."""
        if not self.columns or any(len(row) != len(self.columns) for row in self.rows):
            raise NeedsRich("an empty table or a short row")
        columns = [
            [_lines(header)] + [_lines(row[k]) for row in self.rows]
            for k, (header, _justify) in enumerate(self.columns)
        ]
        widths = _widths(columns, width - len(columns) - 1)
        table_width = sum(widths) + len(widths) + 1
        out = []
        if self.title:
            for line in _lines(self.title):
                out.extend(_wrap(line, table_width, "center"))
        out.append(_TOP[0] + _TOP[2].join(_TOP[1] * w for w in widths) + _TOP[3])
        for r in range(len(self.rows) + 1):
            drawn = []
            for cells, w, (_header, justify) in zip(columns, widths, self.columns, strict=True):
                if justify not in ("left", "right"):
                    raise NeedsRich(f"justify={justify}")
                drawn.append(
                    [text for line in cells[r] for text in _wrap(line, w - 2, justify, "ellipsis")]
                )
            height = max(len(text) for text in drawn)
            for k, (text, w) in enumerate(zip(drawn, widths, strict=True)):
                blank = [" " * (w - 2)] * (height - len(text))
                # rich aligns the header at the bottom of its row, other cells at the top
                drawn[k] = [f" {line} " for line in (blank + text if r == 0 else text + blank)]
            edge = _HEAD if r == 0 else _BODY
            for k in range(height):
                out.append(edge[0] + edge[2].join(cell[k] for cell in drawn) + edge[3])
            if r == 0:
                out.append(_UNDER[0] + _UNDER[2].join(_UNDER[1] * w for w in widths) + _UNDER[3])
        out.append(_BOTTOM[0] + _BOTTOM[2].join(_BOTTOM[1] * w for w in widths) + _BOTTOM[3])
        return out


def _widths(columns: list[list[list[str]]], room: int) -> list[int]:
    """Each column's width, a space either side included, in ``room`` cells (rich.table's
    ``_calculate_column_widths`` for columns that may all wrap: the widest give way first)."""
    widths = [min(max(len(line) for cell in cells for line in cell) + 2, room) for cells in columns]
    excess = sum(widths) - room
    while excess > 0:  # rich.table.Table._collapse_widths
        widest = max(widths)
        second = max((w for w in widths if w != widest), default=0)
        if not widest - second:
            break
        ratios = [1 if w == widest else 0 for w in widths]
        widths = _ratio_reduce(excess, ratios, [min(excess, widest - second)] * len(widths), widths)
        excess = sum(widths) - room
    if excess > 0:  # the last resort: every column gives way evenly
        widths = _ratio_reduce(excess, [1] * len(widths), widths, widths)
    if min(widths) < 3:  # no room inside the padding: rich lays such a cell out its own way
        raise NeedsRich("a column no wider than its padding")
    return widths


def _ratio_reduce(total: int, ratios: list[int], maximums: list[int], values: list[int]):
    """rich._ratio.ratio_reduce: take ``total`` off ``values`` in proportion to ``ratios``."""
    ratios = [ratio if most else 0 for ratio, most in zip(ratios, maximums, strict=True)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return values[:]
    out = []
    for ratio, most, value in zip(ratios, maximums, values, strict=True):
        if ratio and total_ratio > 0:
            taken = min(most, round(ratio * total / total_ratio))
            out.append(value - taken)
            total -= taken
            total_ratio -= ratio
        else:
            out.append(value)
    return out


def _wrap(line: str, width: int, justify: str, overflow: str = "fold") -> list[str]:
    """One line of single-width text wrapped and justified ``width`` cells wide, as rich's
    ``Text.wrap`` does it: ``_wrap.divide_line``, then ``Lines.justify``. A word longer than
    the line is folded (``overflow="fold"``: notes, titles) or cut with an ellipsis
    (``"ellipsis"``: table cells, rich's ``Column.overflow``)."""
    breaks, offset = [], 0
    for word in _WORD.finditer(line):
        start = word.start()
        text = word.group()
        length = len(text.rstrip())
        if width - offset >= length:
            offset += len(text)
        elif length > width and overflow == "fold":  # a word longer than the line: folded
            pieces = [text[k : k + width] for k in range(0, len(text), width)]
            for piece in pieces[:-1]:
                if start:
                    breaks.append(start)
                start += len(piece)
            if start:
                breaks.append(start)
            offset = len(pieces[-1])
        elif length > width:  # kept whole on a line of its own, and cut below
            if start:
                breaks.append(start)
            offset = len(text)
        elif offset and start:
            breaks.append(start)
            offset = len(text)
    bounds = [0, *breaks, len(line)]
    lines = [line[a:b] for a, b in zip(bounds, bounds[1:], strict=False)] if breaks else [line]
    out = []
    for text in lines:
        if len(text) > width:  # Text.rstrip_end: trailing space beyond the width goes
            room = len(text) - len(text.rstrip())
            text = text[: len(text) - min(room, len(text) - width)]
        if justify == "left":
            text = _cut(text, width, overflow).ljust(width)
        elif justify == "right":
            text = _cut(text.rstrip(), width, overflow)
            text = " " * (width - len(text)) + text
        elif justify == "center":
            text = _cut(text.rstrip(), width, overflow)
            left = (width - len(text)) // 2
            text = " " * left + text + " " * (width - len(text) - left)
        out.append(_cut(text, width, overflow))
    return out


def _cut(text: str, width: int, overflow: str) -> str:
    """Text.truncate: a line longer than ``width`` cut to it, ending in … for "ellipsis"."""
    if len(text) <= width:
        return text
    return text[: width - 1] + "…" if overflow == "ellipsis" else text[:width]


class PlainConsole:
    """The part of ``rich.console.Console`` a command's text output uses, drawn plainly.

    ``print(markup)`` and ``print(table)`` (a :class:`Table`); :meth:`text` is what a
    recording rich console ``width`` columns wide would export. Anything else raises
    :class:`NeedsRich`, including any other console method.
    """

    def __init__(self, width: int = 140):
        self.width = width
        self._out: list[str] = []

    def print(self, *objects: Any, **options: Any) -> None:
        if len(objects) != 1 or options:
            raise NeedsRich("print with options")
        (obj,) = objects
        if isinstance(obj, Table):
            self._out.extend(obj.lines(self.width))
        elif isinstance(obj, str):
            for line in _lines(obj):
                self._out.extend(_wrap(line, self.width, "default"))
        else:
            raise NeedsRich(type(obj).__name__)

    def __getattr__(self, name: str):
        raise NeedsRich(f"Console.{name}")

    def text(self) -> str:
        """Everything printed, one newline after each line."""
        return "".join(line + "\n" for line in self._out)
