"""Layers import one way: records reads model and scenario (and the shared errors and safe
expressions), never the engine, the simulator, the report or the CLI; no click, no database."""
import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[2] / "bpengine"
ALLOWED = {"errors", "i18n", "model", "scenario", "expressions", "records"}  # i18n: a base module
NEVER = {"click", "sqlalchemy", "alembic", "psycopg", "SpiffWorkflow", "pm4py"}


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                parts = ["records"] if node.level == 1 else []
                yield "bpengine." + ".".join(parts + ([node.module] if node.module else []))
            else:
                yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def test_records_imports_go_one_way():
    files = sorted((PKG / "records").rglob("*.py"))
    assert len(files) >= 10
    for path in files:
        for name in _imports(path):
            top = name.split(".")[0]
            assert top not in NEVER, f"{path.name} imports {name}"
            if top == "bpengine" and "." in name:
                assert name.split(".")[1] in ALLOWED, f"{path.name} imports {name}"
