"""The engine keeps to its layer: it imports the model, scenario-free helpers and nothing above."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bpengine import BpengineError, Engine

PACKAGE = Path(__file__).resolve().parents[2] / "bpengine"


def _bpengine_imports(path: Path) -> set[str]:
    """Top-level bpengine packages a module imports (relative imports resolved)."""
    found = set()
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = parts[: len(parts) - node.level]
            target = [*base, *(node.module.split(".") if node.module else [])]
            found.add(target[1] if len(target) > 1 else "")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bpengine."):
            found.add(node.module.split(".")[1])
    return found


@pytest.mark.parametrize("path", sorted((PACKAGE / "engine").rglob("*.py")),
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_engine_imports_only_lower_layers(path):
    assert _bpengine_imports(path) <= {"engine", "model", "expressions", "errors", "limits", ""}


def test_expressions_import_only_the_errors():
    assert _bpengine_imports(PACKAGE / "expressions.py") <= {"errors"}


def test_limits_import_only_the_errors_and_messages():
    # Every layer reads its limits from there (engine and simulator alike).
    assert _bpengine_imports(PACKAGE / "limits.py") <= {"errors", "i18n"}


def test_a_url_that_is_not_text_is_a_clear_error():
    with pytest.raises(BpengineError, match="must be text"):
        Engine(42)
