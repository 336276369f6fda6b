"""Quire's core: the archive on disk, extraction, search. Free of Qt on purpose,
so the CLI, the tests and the GUI's worker threads all use the same code.

`Archive` and `SaveResult` are loaded on first use: an extraction worker process
imports only `archive.extraction.pages` and should not pay for the index and its numpy.
"""
from typing import Any

from archive.base.errors import QuireError
from archive.base.models import Article, Extracted, SearchHit

__all__ = ["Archive", "Article", "Extracted", "QuireError", "SaveResult", "SearchHit"]


def __getattr__(name: str) -> Any:
    if name in ("Archive", "SaveResult"):
        from archive.library import store

        return getattr(store, name)
    raise AttributeError(f"module 'archive' has no attribute {name!r}")
