"""Quire's core: the archive on disk, extraction, search. Free of Qt on purpose,
so the CLI, the tests and the GUI's worker threads all use the same code.

`Archive` and `SaveResult` are loaded on first use: an extraction worker process
imports only `archive.extraction.pages` and should not pay for the index and its numpy.
"""
from typing import Any

#: Quire's version: pyproject.toml reads it from here (one place to change it)
__version__ = "0.1.0"
#: the same marker in app, archive and resources: app.launcher checks that all
#: three top-level packages are Quire's own, from one installation
QUIRE_PACKAGE = "quire"

from archive.base.errors import QuireError
from archive.base.models import Article, Extracted, SearchHit

__all__ = ["QUIRE_PACKAGE", "__version__", "Archive", "Article", "Extracted", "QuireError", "SaveResult", "SearchHit"]


def __getattr__(name: str) -> Any:
    if name in ("Archive", "SaveResult"):
        from archive.library import store

        return getattr(store, name)
    raise AttributeError(f"module 'archive' has no attribute {name!r}")
