"""Quire's core: the archive on disk, extraction, search. Free of Qt on purpose,
so the CLI, the tests and the GUI's worker threads all use the same code."""
from .errors import QuireError
from .models import Article, Extracted, SearchHit
from .store import Archive, SaveResult

__all__ = ["Archive", "Article", "Extracted", "QuireError", "SaveResult", "SearchHit"]
