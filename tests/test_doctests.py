"""The Examples sections of the package's docstrings run, once each, so they stay true.

This is the one place docstring examples run (pytest is not given ``--doctest-modules``). Only
modules that have examples to run become test cases, so every case runs at least one example; a
docstring with an ``Examples`` heading and nothing to run under it is an error of its own.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import re

import pytest

import bpengine

ALL_MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(bpengine.__path__, "bpengine.")
    if ".migrations" not in m.name  # Alembic scripts run only inside Alembic
)
_FINDER = doctest.DocTestFinder(exclude_empty=False)
_EXAMPLES_HEADING = re.compile(r"^\s*Examples\s*\n\s*-{3,}\s*$", re.MULTILINE)


def _docstrings(name: str) -> list[doctest.DocTest]:
    # the module's own docstrings (the finder skips objects imported from elsewhere)
    return _FINDER.find(importlib.import_module(name))


def _runnable(test: doctest.DocTest) -> list[doctest.Example]:
    return [e for e in test.examples if not e.options.get(doctest.SKIP)]


# modules whose examples are all marked +SKIP (illustrations needing a working directory) are
# not cases: they would pass having run nothing
WITH_EXAMPLES = [name for name in ALL_MODULES if any(_runnable(t) for t in _docstrings(name))]


def test_the_package_has_examples_to_run():
    assert len(WITH_EXAMPLES) >= 30


@pytest.mark.parametrize("name", WITH_EXAMPLES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"


def test_a_docstring_that_announces_examples_has_them():
    empty = [
        t.name
        for name in ALL_MODULES
        for t in _docstrings(name)
        if t.docstring and _EXAMPLES_HEADING.search(t.docstring) and not t.examples
    ]
    assert empty == []
