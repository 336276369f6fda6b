"""The benchmarks import the names they use (bench/ is not run by the tests, so a
renamed function breaks a bench silently: bench/startup.py and bench/ui_latency.py
imported app.gui.main._make_app for weeks after it became make_app)."""
from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCHES = sorted((ROOT / "bench").glob("*.py"))


def _imports(tree: ast.AST) -> list[tuple[str, str]]:
    """(module, name) of every `from app…/archive… import name`, at any depth, and
    in any string constant that is Python code (a child process's source)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] in ("app", "archive"):
                found += [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "import" in node.value:
            try:
                # a str.format template: its fields become None, its doubled braces single
                code = re.sub(r"(?<!\{)\{\w+(![rs])?\}(?!\})", "None", node.value)
                inner = ast.parse(code.replace("{{", "{").replace("}}", "}"))
            except SyntaxError:
                continue
            found += _imports(inner)
    return found


@pytest.mark.parametrize("bench", BENCHES, ids=lambda p: p.name)
def test_every_name_a_bench_imports_exists(bench: Path) -> None:
    missing = []
    for module, name in _imports(ast.parse(bench.read_text(encoding="utf-8"))):
        imported = importlib.import_module(module)
        if not hasattr(imported, name):
            try:
                importlib.import_module(f"{module}.{name}")  # a submodule
            except ImportError:
                missing.append(f"{module}.{name}")
    assert not missing, f"{bench.name} imports names that do not exist: {missing}"


def test_the_check_sees_a_child_process_source() -> None:
    source = 'CHILD = r"""\nimport sys\nsys.path.insert(0, {root!r})\nfrom app.gui.main import no_such_name\napp = {{}}\n"""\n'
    assert ("app.gui.main", "no_such_name") in _imports(ast.parse(source))
