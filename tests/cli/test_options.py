"""One vocabulary of options: every command spells and means the shared options alike.

The commands are found by walking the click group, so a new command cannot escape the check.
"""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from bpengine.cli import main
from bpengine.cli.options import FORMATS, SHARED, OutputPath
from tests.conftest import PROCESSES

OLD_SPELLINGS = {"--json", "--workers"}


def all_commands(group=main, prefix=()):
    """(path, command) for every leaf command of the CLI, subgroups included."""
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        if isinstance(cmd, click.Group):
            yield from all_commands(cmd, (*prefix, name))
        else:
            yield (*prefix, name), cmd


COMMANDS = dict(all_commands())


def test_the_walk_finds_every_command():
    assert {
        ("simulate",),
        ("compare",),
        ("sweep",),
        ("reengineer",),
        ("report",),
        ("analyze",),
        ("case", "complete"),
        ("db", "upgrade"),
    } <= set(COMMANDS)


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_shared_options_are_spelled_the_same_everywhere(path):
    cmd = COMMANDS[path]
    for param in cmd.params:
        if not isinstance(param, click.Option):
            continue
        decls = set(param.opts) | set(param.secondary_opts)
        for dest, canonical in SHARED.items():
            if param.name == dest or decls & set(canonical):
                if param.hidden and decls & OLD_SPELLINGS:
                    continue  # an old spelling (case's --json is case data, kept hidden)
                assert sorted(param.opts) == sorted(canonical), (path, param.opts, canonical)
                assert param.name == dest, (path, param.name, dest)
        if decls & OLD_SPELLINGS:
            assert param.hidden, f"{' '.join(path)}: {param.opts} is an old spelling, hide it"
        if param.name == "fmt":
            assert set(param.type.choices) <= set(FORMATS), path
            assert param.default == "text", path
        if param.name == "output":
            assert isinstance(param.type, OutputPath), f"{path}: -o must create its folders"


def test_each_spelling_has_one_meaning_across_commands():
    meaning: dict[str, set] = {}
    for _path, cmd in COMMANDS.items():
        for param in cmd.params:
            if isinstance(param, click.Option) and not param.hidden:
                for decl in param.opts:
                    meaning.setdefault(decl, set()).add(param.name)
    clashes = {d: names for d, names in meaning.items() if len(names) > 1}
    assert not clashes


def test_every_simulating_command_takes_jobs_quiet_and_what_if():
    for path, cmd in COMMANDS.items():
        names = {p.name for p in cmd.params}
        if "replications" in names:
            assert {"cases", "seed", "jobs", "quiet", "overrides"} <= names, path


def _json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.output[result.output.index("{") :])


SHARED_ARGS = ["-n", "20", "-r", "2", "--seed", "3", "-j", "1", "-q", "--format", "json"]


def test_the_shared_options_mean_the_same_on_every_simulating_command(tmp_path):
    runner = CliRunner()
    model = str(PROCESSES / "surat-keterangan-domisili.bpmn")
    runs = {
        "simulate": ["simulate", model],
        "compare": ["compare", model, model],
        "sweep": ["sweep", model, "--vary", "lanes.Lurah.staff=1,2"],
    }
    seen = {}
    for name, args in runs.items():
        doc = _json(runner.invoke(main, [*args, *SHARED_ARGS]))
        seen[name] = (doc["cases"], doc["replications"], doc["seed"])
    assert set(seen.values()) == {(20, 2, 3)}, seen
    out = tmp_path / "new" / "folder"
    res = runner.invoke(
        main,
        [
            "reengineer",
            model,
            "-o",
            str(out),
            "-n",
            "20",
            "-r",
            "2",
            "--seed",
            "3",
            "-j",
            "1",
            "-q",
            "--candidates",
            "2",
        ],
    )
    assert res.exit_code == 0, res.output
    doc = json.loads((out / "comparison.json").read_text())
    assert (doc["cases"], doc["seed"]) == (20, 3)
    # every command that can simulate lists exactly these shared options in its help
    for path, cmd in COMMANDS.items():
        if "replications" in {p.name for p in cmd.params}:
            text = runner.invoke(main, [*path, "--help"]).output
            for flag in (
                "-n, --cases",
                "-r, --replications",
                "-j, --jobs",
                "-q, --quiet",
                "--set PATH=VALUE",
            ):
                assert flag in text, (path, flag)


def test_old_spellings_still_work_and_mean_the_same():
    runner = CliRunner()
    model = str(PROCESSES / "surat-keterangan-domisili.bpmn")
    new = _json(
        runner.invoke(
            main, ["simulate", model, "-n", "20", "-r", "2", "--format", "json", "-j", "2"]
        )
    )
    old = _json(
        runner.invoke(
            main,
            ["simulate", model, "--cases", "20", "--replications", "2", "--json", "--workers", "2"],
        )
    )
    new.pop("elapsed_seconds"), old.pop("elapsed_seconds")
    assert new == old
    help_text = runner.invoke(main, ["simulate", "--help"]).output
    assert "--json" not in help_text
    assert "--workers" not in help_text
    table = runner.invoke(main, ["analyze", model, "--format", "table", "--no-soundness"])
    text = runner.invoke(main, ["analyze", model, "--format", "text", "--no-soundness"])
    assert table.exit_code == 0
    assert table.output == text.output
    both = runner.invoke(main, ["simulate", model, "-n", "5", "--json", "--format", "csv"])
    assert both.exit_code == 2
    assert "--json is the old spelling of --format" in both.output


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["simulate", "{model}", "-n", "10", "-r", "1"], "t.txt"),
        (["compare", "{model}", "{model}", "-n", "10", "-r", "2"], "t.csv"),
        (["analyze", "{model}", "--no-soundness"], "t.json"),
        (["redesign", "{model}"], "t.bpmn"),
        (["report", "{model}", "--no-simulation"], "t.html"),
        (["sweep", "{model}", "--vary", "lanes.Lurah.staff=1", "-n", "10", "-r", "1"], "t.xlsx"),
    ],
)
def test_output_creates_missing_folders(tmp_path, args, name):
    model = str(PROCESSES / "surat-keterangan-domisili.bpmn")
    target = tmp_path / "a" / "b" / name
    args = [a.format(model=model) for a in args]
    res = CliRunner().invoke(main, [*args, "-o", str(target)])
    assert res.exit_code == 0, res.output
    assert target.is_file()
    assert target.stat().st_size > 0


def test_an_output_folder_that_cannot_be_made_is_one_error_line(tmp_path):
    (tmp_path / "file").write_text("x")
    model = str(PROCESSES / "surat-keterangan-domisili.bpmn")
    res = CliRunner().invoke(main, ["redesign", model, "-o", str(tmp_path / "file" / "x.bpmn")])
    assert res.exit_code == 2
    assert res.output.startswith("error: ")
    assert "'-o' / '--output'" in res.output
    assert f"{tmp_path / 'file'} is a file" in res.output
    assert len(res.output.strip().splitlines()) == 1
    assert "Traceback" not in res.output
