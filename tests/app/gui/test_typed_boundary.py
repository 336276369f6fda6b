"""The GUI's calls into the core are typed against the core's classes (issue 13):
no `archive: Any`, and every annotation of the GUI's functions that take the
archive names a class that exists (a renamed core class fails here, not at run)."""

from __future__ import annotations

import ast
import importlib
import typing
from pathlib import Path

import archive.interchange.exporters.common as exporters_common
import archive.interchange.importers.driver as importers_driver
import archive.library.lock as lock
import archive.library.store as store
import archive.search.engine as engine

GUI = Path(__file__).resolve().parents[3] / "app" / "gui"
#: Names the GUI imports only for type checking (TYPE_CHECKING blocks).
CHECKED = {
    "Archive": store.Archive,
    "WindowLock": lock.WindowLock,
    "ImportReport": importers_driver.ImportReport,
    "ExportReport": exporters_common.ExportReport,
    "SearchResult": engine.SearchResult,
}


def _functions_taking_the_archive():
    for path in sorted(GUI.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for arg in node.args.args + node.args.kwonlyargs:
                    if arg.arg == "archive":
                        yield path, node, arg


def test_no_untyped_archive_in_the_gui():
    found = list(_functions_taking_the_archive())
    assert len(found) >= 10
    untyped = [f"{p.name}:{node.lineno} {node.name}" for p, node, arg in found
               if arg.annotation is None or ast.unparse(arg.annotation) in ("Any", "object")]
    assert untyped == []


def test_the_gui_annotations_name_the_core_classes():
    checked = 0
    for path, node, _arg in _functions_taking_the_archive():
        module = importlib.import_module(f"app.gui.{path.stem}")
        fn = vars(module).get(node.name)
        if getattr(fn, "__code__", None) is None or fn.__code__.co_firstlineno != node.lineno:
            continue  # a method or a nested function (the first test reads its annotation)
        hints = typing.get_type_hints(fn, globalns={**vars(module), **CHECKED})
        assert hints["archive"] in (store.Archive, store.Archive | None), (path.name, node.name)
        checked += 1
    assert checked >= 8
