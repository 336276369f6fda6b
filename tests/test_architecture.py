"""The shape of the code: layers, no cycles, no private names across modules, Whoosh
and readability internals in one place each. `make test` runs these, so a change
that breaks the architecture fails like any other bug."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Our own top-level packages: a private name of one of their modules is nobody else's.
PROJECT = ("archive", "app", "resources", "tests")
#: The two modules that reach into third-party internals on purpose, each checking the
#: installed version at import (see their docstrings).
THIRD_PARTY_SEAMS = {"archive/search/whoosh_internals.py", "archive/extraction/readability_clean.py"}
#: lxml's element class is named _Element; it is the type every lxml API documents.
THIRD_PARTY_TYPES = {"_Element"}


def test_import_linter_contracts_are_kept():
    """pyproject.toml's [tool.importlinter] contracts: archive never imports app or Qt,
    the CLI no Qt, the core's layers in order, no import cycles."""
    lint = Path(sys.executable).with_name("lint-imports")
    assert lint.exists(), "import-linter is a test dependency: pip install -e '.[test]'"
    done = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "BROKEN" not in done.stdout and "KEPT" in done.stdout


def _modules() -> list[Path]:
    return sorted(p for top in ("archive", "app") for p in (ROOT / top).rglob("*.py"))


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _defined_names(tree: ast.AST) -> set[str]:
    """Names a module defines itself: functions, classes, assigned names and the
    attributes it assigns (self._x = …), so `obj._x` of its own classes is its business."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return names


def private_uses(path: Path) -> list[str]:
    """Where a module uses another module's private names: `from x import _y`, `x._y`
    with x one of our modules, and `obj._y` where _y is not a name this module defines."""
    rel = path.relative_to(ROOT).as_posix()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    ours: set[str] = set()  # local names bound to our modules
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in PROJECT:
            for alias in node.names:
                if _is_private(alias.name):
                    found.append(f"{rel}:{node.lineno}: from {node.module} import {alias.name}")
                ours.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in PROJECT:
                    ours.add(alias.asname or alias.name.split(".")[0])
    defined = _defined_names(tree)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in ("getattr", "hasattr", "setattr") and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)):
            # getattr(obj, "_name") is obj._name spelled another way
            node = ast.Attribute(value=node.args[0], attr=node.args[1].value, lineno=node.lineno)
        if not isinstance(node, ast.Attribute) or not _is_private(node.attr):
            continue
        owner = node.value
        if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
            continue
        if isinstance(owner, ast.Name) and owner.id in ours:
            found.append(f"{rel}:{node.lineno}: {owner.id}.{node.attr}")
        elif (node.attr not in defined and rel not in THIRD_PARTY_SEAMS
              and node.attr not in THIRD_PARTY_TYPES):
            found.append(f"{rel}:{node.lineno}: {ast.unparse(owner)}.{node.attr}")
    return found


def test_no_module_uses_another_modules_private_names():
    """A name another module needs is public and documented; what is private stays in
    its module (and a third-party library's internals stay in the two seams)."""
    found = [use for path in _modules() for use in private_uses(path)]
    assert found == [], "\n".join(found)


def test_the_private_name_check_can_fail(tmp_path):
    bad = ROOT / "archive" / "_architecture_probe.py"
    try:
        bad.write_text("from archive.search.topn import _scores\nfrom archive.library import store\n"
                       "x = store._reason\ny = object()._hidden\nz = getattr(store, '_held')\n", encoding="utf-8")
        found = private_uses(bad)
    finally:
        bad.unlink()
    assert [f.split(": ", 1)[1] for f in found] == [
        "from archive.search.topn import _scores", "store._reason", "object()._hidden", "store._held"]


#: Whoosh's codec and storage internals (and the byte encodings of its codec): only the seam.
WHOOSH_INTERNAL_MODULES = ("whoosh.codec", "whoosh.filedb.compound", "whoosh.filedb.structfile", "whoosh.system",
                           "whoosh.util.numeric")


def test_whoosh_internals_are_imported_in_one_module_only():
    found = []
    for path in _modules():
        rel = path.relative_to(ROOT).as_posix()
        if rel == "archive/search/whoosh_internals.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                [a.name for a in node.names] if isinstance(node, ast.Import) else []
            found += [f"{rel}:{node.lineno}: {n}" for n in names if n.startswith(WHOOSH_INTERNAL_MODULES)]
    assert found == [], "\n".join(found)


def test_an_unexpected_whoosh_or_readability_version_is_refused_at_import():
    from archive.extraction import readability_clean
    from archive.search import whoosh_internals

    whoosh_internals.check_version(whoosh_internals.WRITTEN_FOR)
    readability_clean.check_version("0.9")
    with pytest.raises(ImportError, match=r"2\.7\.5.*2\.8\.0"):
        whoosh_internals.check_version((2, 8, 0))
    with pytest.raises(ImportError, match="readability-lxml.*0.10"):
        readability_clean.check_version("0.10")
