"""The plain text of every indexed article, compressed, beside the Whoosh index.

Whoosh does not store the article text (storing it made every segment merge
copy hundreds of megabytes); snippets and `stored_text` read it from here
instead: one small SQLite table of zlib-compressed texts keyed by article id.
Like the index it is derived data, wiped and rebuilt by `reindex`. Several
processes may write it (SQLite serializes them; WAL keeps readers unblocked).
"""
from __future__ import annotations

import sqlite3
import threading
import zlib
from pathlib import Path
from typing import Iterable
from urllib.parse import quote

FILENAME = "texts.sqlite"


class TextStore:
    """id → text, compressed. Thread-safe (one connection, one lock)."""

    def __init__(self, folder: Path, *, read_only: bool = False) -> None:
        """`read_only`: read the store as it stands (read-only media, a full disk), or
        an empty one in memory when there is none; nothing is written."""
        self.path = Path(folder) / FILENAME
        self._lock = threading.RLock()
        if read_only:
            self._db = self._open_read_only()
            return
        self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=60,
                                   isolation_level=None)
        self._db.execute("PRAGMA busy_timeout = 60000")
        try:
            self._db.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError:
            pass
        self._db.execute("PRAGMA synchronous = NORMAL")  # derived data: a lost tail is rebuilt
        self._db.execute("CREATE TABLE IF NOT EXISTS texts (id TEXT PRIMARY KEY, body BLOB NOT NULL)")

    def _open_read_only(self) -> sqlite3.Connection:
        uri = f"file:{quote(str(self.path.resolve()))}?mode=ro"
        for suffix in ("", "&immutable=1"):  # immutable: a WAL file on read-only media
            try:
                db = sqlite3.connect(uri + suffix, uri=True, check_same_thread=False, timeout=60,
                                     isolation_level=None)
                db.execute("SELECT COUNT(*) FROM texts").fetchone()
                return db
            except sqlite3.Error:
                continue
        db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        db.execute("CREATE TABLE texts (id TEXT PRIMARY KEY, body BLOB NOT NULL)")
        return db

    def put_many(self, items: Iterable[tuple[str, str]]) -> None:
        rows = [(aid, zlib.compress((text or "").encode("utf-8"), 1)) for aid, text in items]
        if not rows:
            return
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany("INSERT OR REPLACE INTO texts (id, body) VALUES (?, ?)", rows)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def delete_many(self, ids: Iterable[str]) -> None:
        rows = [(aid,) for aid in ids]
        if not rows:
            return
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany("DELETE FROM texts WHERE id = ?", rows)
            self._db.execute("COMMIT")

    def get(self, article_id: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT body FROM texts WHERE id = ?", (article_id,)).fetchone()
        return None if row is None else zlib.decompress(row[0]).decode("utf-8")

    def get_many(self, ids: list[str]) -> dict[str, str]:
        """Texts of the given ids (one query; used for the snippets of one page)."""
        if not ids:
            return {}
        marks = ",".join("?" for _ in ids)
        with self._lock:
            rows = self._db.execute(f"SELECT id, body FROM texts WHERE id IN ({marks})", ids).fetchall()
        return {aid: zlib.decompress(body).decode("utf-8") for aid, body in rows}

    def keep_only(self, ids: Iterable[str]) -> None:
        """Delete the texts of every article not in `ids` (after a full rebuild)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute("CREATE TEMP TABLE IF NOT EXISTS keep (id TEXT PRIMARY KEY)")
                self._db.execute("DELETE FROM keep")
                self._db.executemany("INSERT OR IGNORE INTO keep (id) VALUES (?)", ((i,) for i in ids))
                self._db.execute("DELETE FROM texts WHERE id NOT IN (SELECT id FROM keep)")
                self._db.execute("DELETE FROM keep")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def verify(self) -> str:
        """'ok', or what SQLite's quick_check (and decompressing every text) found wrong."""
        with self._lock:
            rows = [r[0] for r in self._db.execute("PRAGMA quick_check(5)").fetchall()]
            if rows != ["ok"]:
                return "; ".join(str(r) for r in rows)
            for aid, body in self._db.execute("SELECT id, body FROM texts"):
                try:
                    zlib.decompress(body).decode("utf-8")
                except (zlib.error, UnicodeDecodeError, TypeError) as exc:
                    return f"the text of {aid} cannot be read ({exc})"
        return "ok"

    def clear(self) -> None:
        with self._lock:
            self._db.execute("DELETE FROM texts")

    def close(self) -> None:
        with self._lock:
            self._db.close()
