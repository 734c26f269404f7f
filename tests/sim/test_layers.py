"""Layers import one way: scenario imports model; sim imports model, scenario, expressions."""
import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[2] / "bpengine"
ALLOWED = {
    "scenario": {"errors", "model", "scenario"},
    # i18n, like errors, is a base module (it imports errors only): messages in the user's language
    "sim": {"errors", "i18n", "model", "scenario", "expressions", "timers", "sim"},
}
NEVER = {"click", "sqlalchemy", "alembic", "psycopg", "SpiffWorkflow"}


def imports(path: Path, package: str):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against bpengine.<package>
                parts = [package] if node.level == 1 else []
                yield "bpengine." + ".".join(parts + ([node.module] if node.module else []))
            else:
                yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_go_one_way(package):
    for path in sorted((PKG / package).rglob("*.py")):
        for name in imports(path, package):
            top = name.split(".")[0]
            assert top not in NEVER, f"{path.name} imports {name}"
            if top == "bpengine" and "." in name:
                assert name.split(".")[1] in ALLOWED[package], f"{path.name} imports {name}"
