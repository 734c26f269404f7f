"""The bounded YAML loader: aliases, depth, long integers, impossible dates and self-loops are
refused with line and column, in milliseconds; ordinary YAML reads as PyYAML reads it."""

from __future__ import annotations

import pytest
import yaml

from bpengine import LogError, ScenarioError
from bpengine.scenario.safe_yaml import parse_yaml

BOMB = "".join(
    f"{c}: &{c} [" + ",".join([f"*{p}"] * 9 if p else ['"lol"'] * 9) + "]\n"
    for p, c in zip([None, *"abcdefg"], "abcdefgh", strict=True)
)
MERGES = "a: &a {x0: 1, x1: 1, x2: 1, x3: 1, x4: 1, x5: 1, x6: 1, x7: 1, x8: 1}\n" + "".join(
    f"{c}: &{c} {{<<: [" + ", ".join([f"*{p}"] * 9) + "]}\n"
    for p, c in zip("abcdefg", "bcdefgh", strict=True)
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (BOMB, r"s.yaml:5:4: expands to more than 20000 values .*MAX_YAML_NODES"),
        (MERGES, "MAX_YAML_NODES"),
        ("a: " + "[" * 100_000, r"s.yaml:1:\d+: nested more than 50 levels deep"),
        ("".join(" " * i + "a:\n" for i in range(200)), "MAX_YAML_DEPTH"),
        ("staff: " + "7" * 5000, r"s.yaml:1:8: a whole number of 5000 digits \(at most 30\)"),
        ("start: 0000-01-01", r"s.yaml:1:8: .* is not a date that exists"),
        ("tasks: &t\n  A: *t\n", r"s.yaml:2:6: the alias \*t refers to the collection it is in"),
        ("a: !!python/object/apply:os.system ['true']", "not valid YAML"),
    ],
    ids=[
        "alias-bomb",
        "merge-bomb",
        "flow-depth",
        "block-depth",
        "digits",
        "year-0",
        "self-alias",
        "python-tag",
    ],
)
def test_hostile_yaml_is_refused_where_it_is(text, message):
    # the message names the counter that stopped the reading (values built, nesting depth,
    # digits), so the refusal came from the bound, not from running out of memory or time
    with pytest.raises(ScenarioError, match=message) as info:
        parse_yaml(text, "s.yaml")
    assert len(str(info.value)) < 300


def test_ordinary_yaml_reads_as_pyyaml_reads_it():
    text = (
        "base: &base {staff: 2, cost_per_hour: 45000}\nlanes:\n  Lurah: *base\n"
        "  Camat: {<<: *base, staff: 1}\nstart: 2025-01-06 07:30\nat: [10:00, '14:00']\n"
    )
    assert parse_yaml(text, "s.yaml") == yaml.safe_load(text)


def test_the_caller_chooses_the_error():
    with pytest.raises(LogError, match="mapping.yaml:1:"):
        parse_yaml("[" * 100, "mapping.yaml", LogError)


def test_a_long_plain_document_under_the_byte_limit_is_refused_by_the_node_limit():
    # QA (issue #16): 40,000 task entries (0.9 MB) passed the old 1 MiB limit and took 6.6 s
    # of pure-Python parsing at load 15 before being refused. The byte limit now keeps any
    # document to what parses in about a second, and the node limit refuses one that fits in
    # it but holds more values than any real scenario (counted per collection as it closes).
    from bpengine.scenario import limits

    text = "tasks:\n" + "".join(f"  T{i}: 5 min\n" for i in range(15_000))
    assert len(text.encode()) < limits.MAX_SCENARIO_BYTES
    with pytest.raises(ScenarioError, match="MAX_YAML_NODES"):
        parse_yaml(text, "s.yaml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "tasks:\n  A: 5 min\ntasks:\n  A: 6 min\n",
            r"s.yaml:3:1: duplicate key 'tasks' \(first on line 1\)",
        ),
        ("lanes: {Lurah: {staff: 1, staff: 3}}", r"s.yaml:1:27: duplicate key 'staff'"),
    ],
)
def test_a_key_given_twice_is_refused(text, message):
    # PyYAML keeps the last one: the first section (a whole tasks: block) was dropped silently
    with pytest.raises(ScenarioError, match=message):
        parse_yaml(text, "s.yaml")
