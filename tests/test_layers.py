"""Layers import one way, checked for every package from one table.

``model`` imports no other bpengine package but the base modules (``errors``, ``i18n``, the
safe ``expressions`` and ``timers``); engine, sim, analysis, records and scenario build on
``model``; ``redesign`` may also use ``analysis``; only ``report``, ``reengineer`` and ``cli``
import (nearly) everything, and only ``cli`` imports ``reengineer``. Imports are read from the
source with :mod:`ast` (relative imports resolved, imports inside functions included), so a lazy
import cannot hide a layer break. Heavy third-party libraries have homes too: the database only in
the engine, click and rich only in the CLI. A second table checks what importing a package alone
loads, because that is what an embedding app pays at start-up.
"""

from __future__ import annotations

import ast
import importlib
import io
import pkgutil
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "bpengine"
# base modules every layer may use (they import only each other)
BASE = {
    "errors",
    "i18n",
    "expressions",
    "expression_functions",
    "expression_limits",
    "expression_syntax",
    "timers",
    "limits",
    "lazy",
}
EVERYTHING = {
    p.stem if p.is_file() else p.name
    for p in PACKAGE.iterdir()
    if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").is_file()
}

# package (or base module) -> the bpengine packages its modules may import besides itself
LAYERS = {
    "errors": {"i18n"},  # a problem translates its severity word when shown (lazily)
    "i18n": {"errors"},
    # the evaluator, split by topic: what may be said, called, and what it may cost
    "expressions": {
        "errors",
        "i18n",
        "timers",
        "expression_functions",
        "expression_limits",
        "expression_syntax",
    },
    "expression_functions": {"timers"},  # duration() reads a timer's duration
    "expression_limits": {"errors", "i18n"},
    "expression_syntax": {"errors", "i18n", "expression_functions", "expression_limits"},
    "timers": {"errors", "i18n", "expressions", "expression_syntax"},
    "limits": {"errors", "i18n"},  # the engine's limits on case data (issue #16)
    "lazy": set(),  # the PEP 562 hook of the packages whose names load on use
    # model validates conditions and timers with the base evaluator and parser (issue #16)
    "model": {"errors", "i18n", "expressions", "timers", "lazy"},
    "scenario": BASE | {"model"},  # its limits speak the user's language (issue #16)
    "engine": BASE | {"model"},
    "sim": BASE | {"model", "scenario"},
    "records": BASE | {"model", "scenario"},
    "analysis": BASE | {"model", "scenario"},
    "redesign": BASE | {"model", "scenario", "analysis"},
    "report": EVERYTHING - {"cli", "reengineer"},
    "reengineer": EVERYTHING - {"cli"},  # compare and the search: simulate, redesign, report
    "cli": EVERYTHING,
}
# third-party library -> the only packages that may import it
HOMES = {
    "click": {"cli"},
    "rich": {"cli"},
    "sqlalchemy": {"engine"},
    "alembic": {"engine"},
    "psycopg": {"engine"},
    "SpiffWorkflow": {"engine", "model"},  # model.spiff builds specs for the engine, lazily
    "matplotlib": {"sim", "report"},  # plots, imported where drawn
    "pm4py": set(),
}
# package -> what importing it on its own must not load (bpengine packages above it, heavy libs)
IMPORT_LOADS_NOTHING_OF = {
    "bpengine.analysis": (
        "click",
        "sqlalchemy",
        "SpiffWorkflow",
        "matplotlib",
        "bpengine.cli",
        "bpengine.engine",
        "bpengine.sim",
        "bpengine.redesign",
        "bpengine.report",
    ),
    "bpengine.redesign": (
        "click",
        "sqlalchemy",
        "SpiffWorkflow",
        "matplotlib",
        "bpengine.cli",
        "bpengine.engine",
        "bpengine.sim",
        "bpengine.report",
    ),
}


def imported_names(path: Path) -> list[tuple[str, int]]:
    """Absolute names ``path`` imports, with line numbers (relative imports resolved)."""
    module = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = module[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - (node.level - 1)]
            if node.module:
                found.append((".".join([*base, node.module]), node.lineno))
            else:  # from . import x: x is a module of the base package
                found += [(".".join([*base, a.name]), node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.module, node.lineno))
        elif isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names]
    return found


def _files(layer: str) -> list[Path]:
    directory = PACKAGE / layer
    return sorted(directory.rglob("*.py")) if directory.is_dir() else [PACKAGE / f"{layer}.py"]


def test_the_table_names_every_package():
    assert set(LAYERS) == EVERYTHING


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_imports_go_one_way(layer):
    allowed = LAYERS[layer] | {layer}
    breaks = []
    for path in _files(layer):
        where = path.relative_to(PACKAGE.parent)
        for name, line in imported_names(path):
            parts = name.split(".")
            if parts[0] == "bpengine" and len(parts) > 1 and parts[1] not in allowed:
                breaks.append(f"{where}:{line} imports {name}")
            if parts[0] in HOMES and layer not in HOMES[parts[0]]:
                breaks.append(f"{where}:{line} imports {name}")
    assert breaks == []


def test_the_resolver_reads_relative_imports():
    # the rule is only as good as the resolver: ``from ..errors`` lands on a sibling of the
    # package, ``from .net`` on a module of the package itself
    names = {n for n, _ in imported_names(PACKAGE / "sim" / "kernel.py")}
    assert {"bpengine.errors", "bpengine.sim.net", "numpy", "heapq"} <= names


@pytest.mark.parametrize("package", sorted(IMPORT_LOADS_NOTHING_OF))
def test_importing_a_layer_alone_loads_nothing_above_it(package):
    # bpengine/__init__ is skipped (a bare package object stands in) so only the layer loads
    script = (
        "import sys, types; pkg = types.ModuleType('bpengine'); "
        f"pkg.__path__ = [{str(PACKAGE)!r}]; sys.modules['bpengine'] = pkg; "
        f"import {package}; "
        f"print(sorted(m for m in sys.modules if m.startswith({IMPORT_LOADS_NOTHING_OF[package]!r})))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


# Module size and surface, for the packages whose tests always checked them and for the base
# modules every layer reads (``None``: a module of bpengine itself). Size is counted in
# statements (logical lines), not physical ones: `ruff format` lays one call out over many
# lines, which says nothing about how much a reader has to hold (420 physical lines before
# formatting were about 260-300 statements).
SIZES = {"analysis": 300, "redesign": 300, "report": 300, "reengineer": 300, None: 300}
MODULES = [
    (layer, m.name)
    for layer in sorted(k for k in SIZES if k)
    for m in pkgutil.iter_modules([str(PACKAGE / layer)])
] + [(None, b) for b in sorted(BASE)]


@pytest.mark.parametrize(
    ("layer", "name"), MODULES, ids=[f"{a or 'bpengine'}.{b}" for a, b in MODULES]
)
def test_module_is_readable_in_one_sitting(layer, name):
    module = importlib.import_module(".".join(p for p in ("bpengine", layer, name) if p))
    source = Path(module.__file__).read_text(encoding="utf-8")
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    statements = sum(1 for t in tokens if t.type == tokenize.NEWLINE)
    assert statements <= SIZES[layer], f"{layer}.{name} has {statements} statements: split it"
    assert module.__doc__
    assert module.__all__
