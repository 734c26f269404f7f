"""The plain renderer of text output: byte for byte rich's, or it steps back to rich."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.markup import escape as rich_escape

import bpengine
from bpengine.cli import main
from bpengine.cli.output import render_plain, render_rich
from bpengine.cli.plaintext import _SINGLE, NeedsRich, Table, escape
from bpengine.cli.simulate import _table
from bpengine.i18n import set_language
from tests.conftest import PROCESSES, shared_path

ROOT = Path(__file__).resolve().parents[2]
MODELS = sorted(PROCESSES.glob("*.bpmn"))


@pytest.fixture
def lang():
    yield set_language
    set_language("en")


def _both(draw) -> tuple[str, str]:
    return render_plain(draw), render_rich(draw)


@pytest.mark.parametrize("language", ["en", "id"])
@pytest.mark.parametrize("model", MODELS, ids=lambda p: p.stem)
def test_every_process_is_drawn_as_rich_draws_it(model, language, lang):
    lang(language)
    result = bpengine.simulate(model, cases=120, replications=2, seed=3)
    plain, rich = _both(lambda console: _table(result, console))  # never steps back
    assert plain == rich


@pytest.mark.parametrize("language", ["en", "id"])
def test_permit_is_drawn_as_rich_draws_it(language, lang):
    """The benchmark's model, with its Prosimos parameters."""
    lang(language)
    result = bpengine.simulate(
        shared_path("bench", "permit.bpmn"),
        scenario=shared_path("bench", "permit.json"),
        cases=300,
        replications=1,
        warmup=0,
    )
    plain, rich = _both(lambda console: _table(result, console))
    assert plain == rich
    assert "┏━" in plain
    assert "│ Register application" in plain


def test_the_cli_prints_rich_bytes_off_a_terminal(lang):
    """Through the command: CliRunner's output is no terminal, so the plain renderer runs."""
    model = PROCESSES / "perjalanan-dinas.bpmn"
    res = CliRunner().invoke(
        main, ["--lang", "id", "simulate", str(model), "--cases", "100", "--replications", "2"]
    )
    assert res.exit_code == 0, res.output
    lang("id")
    result = bpengine.simulate(model, cases=100, replications=2)
    assert res.stdout == render_rich(lambda console: _table(result, console))


def test_simulate_off_a_terminal_does_not_load_rich():
    code = (
        "import sys; from bpengine.cli import main\n"
        "try: main(['simulate', sys.argv[1], '--cases', '50', '--replications', '2'])\n"
        "except SystemExit: pass\n"
        "print('rich' in sys.modules, file=sys.stderr)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(PROCESSES / "pbg.bpmn")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert out.stderr.strip().splitlines()[-1] == "False", out.stderr
    assert "┏" in out.stdout


def test_long_cells_and_notes_wrap_as_rich_wraps_them():
    wide = Table(title="a title longer than the narrow table it sits over " * 2)
    wide.add_column("name")
    wide.add_column("n", justify="right")
    wide.add_row("word " * 40 + "x" * 150, "1 2")
    wide.add_row("short", "y" * 200)

    def draw(console):
        console.print(wide)
        console.print("a long note, " * 20)

    plain, rich = _both(draw)
    assert plain == rich
    assert max(len(line) for line in plain.splitlines()) == 140


def test_it_steps_back_where_it_cannot_draw_as_rich_does():
    many = Table()
    for k in range(80):  # columns narrower than their padding
        many.add_column(f"c{k}")
    empty = Table()  # a column with nothing but a line break (rich draws one line of it)
    empty.add_column("")
    empty.add_row("\n")
    for draw in (
        lambda c: c.print(many),
        lambda c: c.print(empty),
        lambda c: c.print("done :thumbs_up:"),  # an emoji code
        lambda c: c.print("[link=https://x]x[/link]"),  # a tag it does not know
        lambda c: c.print("[dim]x[/bold]"),  # a closing tag rich refuses
        lambda c: c.print("漢字"),  # two cells each
        lambda c: c.print("a\tb"),
        lambda c: c.print("a", "b"),
        lambda c: c.print(many.__rich__()),
        lambda c: c.rule(),
    ):
        with pytest.raises(NeedsRich):
            render_plain(draw)


# mostly what the plain renderer draws (so most examples compare bytes), some of what it
# must step back for: wide characters, tabs, emoji codes, unbalanced tags
_SAFE = [*"ab Z09.,%()-/\\]\n–×é", "   ", "[dim]x[/dim]", "[bold red]y[/]", "\\[dim]"]
_LONG = ["w" * 45, "word " * 9]  # long enough to make rich shrink columns and wrap
_HOSTILE = ["漢", "\t", ":", "[", "[/dim]", "[/]", "[dim]"]
_ALPHABET = st.sampled_from(_SAFE * 4 + _LONG * 3 + _HOSTILE)
_TEXT = st.lists(_ALPHABET, max_size=14).map("".join)


@st.composite
def _tables(draw):
    t = Table(title=draw(_TEXT))
    n = draw(st.integers(1, 5))
    for _ in range(n):
        t.add_column(draw(_TEXT), justify=draw(st.sampled_from(["left", "right"])))
    for _ in range(draw(st.integers(0, 4))):
        t.add_row(*(draw(_TEXT) for _ in range(n)))
    return t


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_tables(), _TEXT), min_size=1, max_size=3))
def test_generated_output_is_rich_bytes_whenever_drawn_plainly(items):
    def draw(console):
        for item in items:
            console.print(item)

    try:
        plain = render_plain(draw)
    except NeedsRich:
        return
    assert plain == render_rich(draw)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("a b\\[]/:") + ["[dim]", "[/", "\\\\"]), max_size=12))
def test_escape_is_riches(parts):
    text = "".join(parts)
    assert escape(text) == rich_escape(text)
    # and both renderers read it back alike (rich keeps a trailing backslash doubled)
    try:
        plain = render_plain(lambda c: c.print(escape(text)))
    except NeedsRich:
        return
    assert plain == render_rich(lambda c: c.print(escape(text)))


def test_single_width_characters_are_so_for_rich():
    assert all(cell_len(ch) == 1 and (ch == " " or not ch.isspace()) for ch in _SINGLE)
