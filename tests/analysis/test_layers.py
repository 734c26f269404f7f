"""The analysis layer stays a layer: its imports, its docstring examples, its module sizes."""
from __future__ import annotations

import doctest
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import bpengine.analysis

MODULES = sorted(m.name for m in pkgutil.iter_modules(bpengine.analysis.__path__))


def test_analysis_imports_no_cli_database_or_engine():
    code = ("import sys, bpengine.analysis.rules, bpengine.analysis.soundness, "
            "bpengine.analysis.metrics; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('click', 'sqlalchemy', 'SpiffWorkflow') or m.startswith(('bpengine.cli', "
            "'bpengine.engine', 'bpengine.sim', 'bpengine.redesign', 'bpengine.report'))))")
    # bpengine/__init__ imports every layer, so load the analysis package on its own
    out = subprocess.run([sys.executable, "-c", "import importlib.util, sys, types; "
                          "pkg = types.ModuleType('bpengine'); "
                          f"pkg.__path__ = [{str(Path(bpengine.analysis.__file__).parents[1])!r}]; "
                          "sys.modules['bpengine'] = pkg; " + code],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(f"bpengine.analysis.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


@pytest.mark.parametrize("name", MODULES)
def test_module_has_all_and_reasonable_size(name):
    module = importlib.import_module(f"bpengine.analysis.{name}")
    assert module.__all__ and module.__doc__
    lines = Path(module.__file__).read_text().count("\n")
    assert lines <= 420, f"{name} has {lines} lines: split it by topic"
