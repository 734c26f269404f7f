"""The Examples sections of every module's docstrings run, so they stay true."""
from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import bpengine

MODULES = sorted(
    m.name for m in pkgutil.walk_packages(bpengine.__path__, "bpengine.")
    if ".migrations" not in m.name  # Alembic scripts run only inside Alembic
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
