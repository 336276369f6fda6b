"""The Whoosh full-text index: derived data, rebuilt from the archive by `reindex`.

Whoosh allows one writer per index. Every write in this process goes through
`SearchIndex`'s lock, and the writer waits (rather than failing with LockError)
while another process — the GUI beside a CLI command — holds the lock.
Searchers are refreshed after each commit, so a save is searchable at once.
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator

from whoosh import index as windex
from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemmingAnalyzer
from whoosh.fields import DATETIME, ID, KEYWORD, TEXT, Schema
from whoosh.support.charset import accent_map

from .errors import ArchiveError

#: Words: stemmed, lower-cased, accent-folded.
TEXT_ANALYZER = StemmingAnalyzer(minsize=1, stoplist=None) | CharsetFilter(accent_map)
#: Names (sites, authors, URLs): split on anything but letters/digits, no stemming.
NAME_ANALYZER = RegexTokenizer(r"[\w.]+|\w+") | LowercaseFilter() | CharsetFilter(accent_map)
PLAIN_ANALYZER = RegexTokenizer(r"\w+") | LowercaseFilter() | CharsetFilter(accent_map)

INDEX_VERSION = 1
#: During bulk work, commit at least this often (documents, seconds).
BATCH_DOCS = 500
BATCH_SECONDS = 5.0


def make_schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=TEXT_ANALYZER, stored=True, field_boost=2.0),
        content=TEXT(analyzer=TEXT_ANALYZER, stored=True, spelling=True),
        author=TEXT(analyzer=PLAIN_ANALYZER),
        site=TEXT(analyzer=NAME_ANALYZER),
        url=TEXT(analyzer=NAME_ANALYZER),
        tag=KEYWORD(commas=True, lowercase=True),
        lang=ID(),
        saved=DATETIME(sortable=True),
        published=DATETIME(sortable=True),
        # `is:` states: read unread favorite archived uncertain pending
        **{"is": KEYWORD()},
        collection=KEYWORD(commas=True, lowercase=True),
    )


def parse_iso(value: str | None) -> datetime | None:
    """ISO 8601 to a naive UTC datetime, as Whoosh's DATETIME wants; None if unparseable."""
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is not None:
        dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
    return dt


class SearchIndex:
    """Owns the Whoosh index folder: writing (serialized) and a shared searcher."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._write_lock = threading.RLock()
        self._read_lock = threading.RLock()
        self._batch_depth = 0
        self._pending_docs: list[dict[str, Any]] = []
        self._pending_deletes: list[str] = []
        self.was_rebuilt = False
        self._last_flush = time.monotonic()
        self.path.mkdir(parents=True, exist_ok=True)
        try:
            if windex.exists_in(str(self.path)):
                self.ix = windex.open_dir(str(self.path))
                if set(self.ix.schema.names()) != set(make_schema().names()):
                    raise ValueError("index schema is out of date")
            else:
                self.ix = windex.create_in(str(self.path), make_schema())
                self.was_rebuilt = True
        except (OSError, ValueError, EOFError, KeyError, windex.IndexError) as exc:
            # A missing or corrupted index is derived data: start a fresh one;
            # the archive notices `was_rebuilt` and reindexes from its files.
            self._wipe()
            try:
                self.ix = windex.create_in(str(self.path), make_schema())
            except OSError as exc2:
                raise ArchiveError(f"cannot create the search index in {self.path}: {exc2}") from exc
            self.was_rebuilt = True
        self._searcher = self.ix.searcher()

    def _wipe(self) -> None:
        for child in self.path.iterdir():
            if child.is_file():
                try:
                    child.unlink()
                except OSError:
                    pass

    # -- writing -----------------------------------------------------------------
    @property
    def write_lock(self) -> threading.RLock:
        """Held around add/flush; the archive holds it to pair an add with its bookkeeping."""
        return self._write_lock

    @property
    def in_batch(self) -> bool:
        return self._batch_depth > 0

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group many writes into few commits (bulk saves, imports, reindex).

        The lock is not held while the batch runs: worker threads add documents
        to it concurrently, and they are committed every few hundred documents
        or seconds and when the outermost batch ends.
        """
        with self._write_lock:
            self._batch_depth += 1
        try:
            yield
        finally:
            with self._write_lock:
                self._batch_depth -= 1
                if self._batch_depth == 0:
                    self.flush()

    def add(self, doc: dict[str, Any]) -> None:
        with self._write_lock:
            self._pending_docs.append(doc)
            if (self._batch_depth == 0 or len(self._pending_docs) >= BATCH_DOCS
                    or time.monotonic() - self._last_flush > BATCH_SECONDS):
                self.flush()

    def delete(self, article_id: str) -> None:
        with self._write_lock:
            self._pending_docs = [d for d in self._pending_docs if d["id"] != article_id]
            self._pending_deletes.append(article_id)
            if self._batch_depth == 0:
                self.flush()

    def flush(self) -> None:
        """Commit what is pending, waiting for another process's writer if need be."""
        with self._write_lock:
            if not self._pending_docs and not self._pending_deletes:
                return
            docs, deletes = self._pending_docs, self._pending_deletes
            self._pending_docs, self._pending_deletes = [], []
            writer = self.ix.writer(timeout=120.0, delay=0.05)
            try:
                for aid in deletes:
                    writer.delete_by_term("id", aid)
                for doc in docs:
                    writer.update_document(**doc)
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            self._last_flush = time.monotonic()
            self._refresh()

    def clear(self) -> None:
        """Drop every document (before a full rebuild)."""
        with self._write_lock:
            self._pending_docs, self._pending_deletes = [], []
            writer = self.ix.writer(timeout=120.0, delay=0.05)
            from whoosh.writing import CLEAR
            writer.commit(mergetype=CLEAR)
            self._refresh()

    def optimize(self) -> None:
        with self._write_lock:
            self.ix.optimize()
            self._refresh()

    def _refresh(self) -> None:
        """Open a new searcher if the index changed.

        Not Searcher.refresh(): in Whoosh-Reloaded 2.7.5 it re-adds the old
        reader's segments to the new list (index.py `_reader(reuse=…)`), which
        fails on an empty index and resurrects merged-away segments.
        """
        with self._read_lock:
            if not self._searcher.up_to_date():
                old = self._searcher
                self._searcher = self.ix.searcher()
                old.close()

    # -- reading -----------------------------------------------------------------
    @contextmanager
    def searcher(self) -> Iterator[Any]:
        with self._read_lock:
            self._refresh()  # pick up other processes' commits
            yield self._searcher

    def stored_text(self, article_id: str) -> str | None:
        """The indexed plain text of an article, or None if it is not indexed."""
        with self.searcher() as s:
            fields = s.document(id=article_id)
        return None if fields is None else (fields.get("content") or "")

    def ids(self) -> set[str]:
        with self.searcher() as s:
            return {fields["id"] for fields in s.all_stored_fields()}

    def doc_count(self) -> int:
        with self.searcher() as s:
            return s.doc_count()

    def close(self) -> None:
        with self._write_lock:
            self.flush()
            with self._read_lock:
                self._searcher.close()
            self.ix.close()


def make_document(article: Any, text: str, collections: Iterable[str] = ()) -> dict[str, Any]:
    """The Whoosh document for an article (an archive.models.Article) and its text."""
    states = ["read" if article.is_read else "unread"]
    if article.is_favorite:
        states.append("favorite")
    if article.is_archived:
        states.append("archived")
    if article.uncertain:
        states.append("uncertain")
    if article.status == "pending":
        states.append("pending")
    doc: dict[str, Any] = {
        "id": article.id,
        "title": article.title or "",
        "content": text or "",
        "author": " ".join(article.authors),
        "site": _site_terms(article.site, article.url),
        "url": article.url or "",
        "tag": ",".join(article.tags),
        "lang": (article.lang or "").lower(),
        "is": " ".join(states),
        "collection": ",".join(collections),
    }
    saved = parse_iso(article.saved)
    if saved:
        doc["saved"] = saved
    published = parse_iso(article.published)
    if published:
        doc["published"] = published
    return doc


def _site_terms(site: str, url: str | None) -> str:
    """The site name, the host and the host's parts, so `site:nytimes`,
    `site:nytimes.com` and `site:"new york times"` all match."""
    from urllib.parse import urlsplit

    parts = [site or ""]
    if url:
        host = (urlsplit(url).hostname or "").lower()
        if host.startswith("www."):
            host = host[4:]
        if host:
            parts.append(host)
            parts.extend(host.split("."))
    return " ".join(parts)
