"""Help in the user's language (bpengine/cli/help.py): every command's --help, nested ones too,
and click's own words ("Usage:", "No such option") under --lang id.

The commands are found by walking the click group, so a new command or option whose help is
not marked for the catalogue, or not translated, fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from babel.messages.extract import extract_from_dir
from click.testing import CliRunner

from bpengine.cli import main
from bpengine.cli.click_texts import DEVELOPER_TEXTS
from bpengine.cli.help import Command, translate
from bpengine.i18n import _, set_language
from tests.test_i18n import _catalogue, english_words


def all_groups_and_commands(group=main, prefix=()):
    """(path, command) for the group itself and everything under it, subgroups included."""
    yield prefix, group
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        if isinstance(cmd, click.Group):
            yield from all_groups_and_commands(cmd, (*prefix, name))
        else:
            yield (*prefix, name), cmd


COMMANDS = dict(all_groups_and_commands())
# Words of English help texts that an Indonesian one never has (beyond test_i18n's list):
# click's headings and the verbs and nouns bpengine's help is written with.
HELP_ENGLISH = {
    "usage",
    "options",
    "commands",
    "show",
    "message",
    "exit",
    "default",
    "write",
    "instead",
    "output",
    "file",
    "only",
    "run",
    "runs",
    "each",
    "every",
    "when",
    "whose",
    "where",
    "its",
    "their",
    "unless",
    "also",
    "print",
    "prints",
    "list",
    "lists",
    "repeatable",
    "standard",
    "scenario",
    "database",
    "task",
    "tasks",
    "version",
    "replication",
    "replications",
    "else",
    "if",
    "any",
    "or",
    "to",
    "in",
    "a",
    "an",
    "by",
    "as",
    "on",
    "it",
}
# command names are typed as they are ("case start"), in any language
TYPED = {word for path in COMMANDS for word in path}


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    set_language("en")


def help_english(text: str) -> set:
    """English words in a help page, outside option names, metavars and choices."""
    text = re.sub(r"\[[^\]]*\|[^\]]*\]", " ", text)  # [text|json|csv]: values typed as they are
    text = re.sub(r"^\S+:.*\n", " ", text)  # the usage line: program and command names
    text = re.sub(r"\n\s+", " ", text)  # wrapped lines joined: a quoted example is one piece
    text = re.sub(r"(?<![\w-])-{1,2}[\w-]+", " ", text)  # -n, --cases, --service-standard
    words = {
        w.lower()
        for w in re.findall(
            r"[A-Za-z]+", re.sub(r"'[^'\n]*'|\"[^\"\n]*\"|\S*[/_.\\]\S*", " ", text)
        )
        if not w.isupper()
    }
    return ((words & HELP_ENGLISH) | {w.lower() for w in english_words(text)}) - TYPED


def test_the_walk_finds_every_command_and_group():
    assert {
        (),
        ("simulate",),
        ("case",),
        ("case", "complete"),
        ("db",),
        ("db", "upgrade"),
        ("case", "incidents"),
    } <= set(COMMANDS)


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=lambda p: " ".join(p) or "bpengine")
def test_every_help_text_has_an_indonesian_translation(path):
    """The command's help and each parameter's help is a catalogue msgid, translated."""
    cmd = COMMANDS[path]
    assert isinstance(cmd, Command), f"{path}: use bpengine.cli.help.command/group"
    ctx = click.Context(cmd, info_name=path[-1] if path else "bpengine")
    texts = [cmd.help] + [
        p.help
        for p in cmd.get_params(ctx)
        if getattr(p, "help", None) and not getattr(p, "hidden", False)
    ]
    set_language("id")
    for text in texts:
        assert text, f"{path}: a command without help"
        assert translate(text) != text, f"{path}: not in the catalogue: {text!r}"


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=lambda p: " ".join(p) or "bpengine")
def test_every_help_page_in_indonesian_has_no_english_sentence(path):
    r = CliRunner().invoke(main, ["--lang", "id", *path, "--help"])
    assert r.exit_code == 0, r.output
    assert r.output.startswith("Penggunaan:"), r.output
    assert "\nOpsi:\n" in r.output
    assert "Tampilkan pesan ini lalu keluar." in r.output
    found = help_english(r.output)
    assert not found, f"English in {' '.join(path)} --help: {sorted(found)}\n{r.output}"
    r_en = CliRunner().invoke(main, ["--lang", "en", *path, "--help"])
    assert help_english(r_en.output), "the detector must see English when it is there"


def test_help_follows_the_language_of_each_run_in_one_process():
    """Help is translated when printed, not when the command is imported."""
    first = CliRunner().invoke(main, ["--lang", "en", "simulate", "--help"]).output
    indonesian = CliRunner().invoke(main, ["--lang", "id", "simulate", "--help"]).output
    again = CliRunner().invoke(main, ["--lang", "en", "simulate", "--help"]).output
    assert "Simulasikan MODEL" in indonesian
    assert "Jumlah kasus yang diukur per replikasi." in indonesian
    assert again == first
    assert "Measured cases per replication." in again
    assert "Penggunaan" not in again
    assert "Show this message and exit." in again  # click's --help, made once per command


def test_the_commands_list_is_in_indonesian():
    r = CliRunner().invoke(main, ["--lang", "id", "case", "--help"])
    assert "\nPerintah:\n" in r.output
    assert "Tampilkan daftar kasus, yang terlama lebih dahulu." in r.output


def test_usage_errors_are_one_indonesian_line(tmp_path):
    r = CliRunner().invoke(main, ["--lang", "id", "simulate", "--bogus"])
    assert r.exit_code == 2
    assert r.output.startswith("galat: Opsi '--bogus' tidak ada."), r.output
    assert "(lihat 'bpengine simulate --help')" in r.output
    r = CliRunner().invoke(main, ["--lang", "id", "simulate"])
    assert r.output.startswith("galat: Argumen belum diberikan 'MODEL_FILE'."), r.output
    r = CliRunner().invoke(main, ["--lang", "id", "validate", "--format", "xml", "x.bpmn"])
    assert "bukan salah satu dari 'text', 'json'" in r.output, r.output
    r = CliRunner().invoke(main, ["--lang", "id", "simulate", "-n", "0", "x.bpmn"])
    assert "tidak berada dalam rentang x>=1" in r.output, r.output
    for lang in ("en", "id"):  # and the English run afterwards is English again
        r = CliRunner().invoke(main, ["--lang", lang, "simulate", "--bogus"])
    assert r.output.startswith("galat:")
    r = CliRunner().invoke(main, ["--lang", "en", "simulate", "--bogus"])
    assert r.output.startswith("error: No such option '--bogus'."), r.output


def test_every_message_of_the_installed_click_is_translated_or_known_to_be_internal():
    """A click upgrade with a new user-facing message fails here until it is translated."""
    folder = Path(click.__file__).parent
    found = {
        m[2] if isinstance(m[2], str) else m[2][0]
        for m in extract_from_dir(str(folder), method_map=[("**.py", "python")])
    }
    catalogue = {(m.id if isinstance(m.id, str) else m.id[0]): m for m in _catalogue() if m.id}
    missing = sorted(t for t in found if t not in catalogue and t not in DEVELOPER_TEXTS)
    assert not missing, f"add to bpengine/cli/click_texts.py and translate: {missing}"
    set_language("id")
    assert _("Show this message and exit.") == "Tampilkan pesan ini lalu keluar."


def test_the_version_line_follows_the_language():
    from importlib.metadata import version

    r = CliRunner().invoke(main, ["--lang", "id", "--version"])
    assert r.output == f"bpengine, versi {version('bpengine')}\n"
    r = CliRunner().invoke(main, ["--lang", "en", "--version"])
    assert r.output == f"bpengine, version {version('bpengine')}\n"
