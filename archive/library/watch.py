"""What other processes changed in an archive: a `quire add`, `import` or `tag`
run beside an open window.

`ArchiveWatcher.poll()` is meant to be called every second or so (off the UI
thread). It costs two cheap reads while nothing happened: SQLite's data_version
of the catalog's own connection (it moves only when *another* connection
commits) and the index's newest generation. When the catalog moved it compares a
snapshot of what the window shows (each article's row, tags and highlights, the collections)
with the last one and says what changed as a `Changes`; when the index moved
after such a change (the other process commits the catalog first, the index
after), it says that searches find more.
"""
from __future__ import annotations

import sqlite3
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from archive.base.changes import Changes

if TYPE_CHECKING:
    from archive.library.store import Archive

#: The columns of an article a front end shows, and those that are its state.
_SHOWN = ("title", "site", "url", "status", "error", "word_count", "reading_minutes",
          "published", "uncertain", "is_read", "is_favorite", "is_archived", "progress")
_STATES = ("status", "is_read", "is_favorite", "is_archived")
#: After another process changed the catalog, its index commits (which follow)
#: are looked for this long: each one means searches may find more.
INDEX_FOLLOWS_S = 30.0


_SEP = "char(31)"  # between the columns of a row's signature (no title holds it)
#: One row per article: its id, what a front end shows of it as one string (the
#: columns and its tags, in order), and its state columns as another. Built by
#: SQLite (which lets go of the GIL meanwhile), so a snapshot of 20,000 articles
#: costs no Python object per article: ~0.15 s on one busy core, off the UI thread.
_CURRENT_SQL = f"""
INSERT INTO temp.current SELECT a.id AS id,
    {f" || {_SEP} || ".join(f"ifnull(a.{c}, '')" for c in _SHOWN)} || {_SEP} || ifnull(
        (SELECT group_concat(t.tag, {_SEP}) FROM tags t WHERE t.article_id = a.id), '')
        || {_SEP} || ifnull((SELECT group_concat(h.id || ':' || h.updated || ':' || h.pos_start || ':'
        || h.pos_end || ':' || h.unplaced, ',') FROM highlights h WHERE h.article_id = a.id), '') AS shown,
    {f" || {_SEP} || ".join(f"a.{c}" for c in _STATES)} AS states
FROM articles a
"""


class _Snapshots:
    """The last snapshot, kept in a TEMP table of the watcher's own connection (the
    catalog file is only read), and what differs from it now."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(path, check_same_thread=False, timeout=30, isolation_level=None)
        self._db.execute("PRAGMA busy_timeout = 30000")
        self._tags: Counter = Counter()
        self._collections: tuple = ()
        self._take()
        self._db.execute("ALTER TABLE temp.current RENAME TO last")

    def _take(self) -> None:
        """The current snapshot into temp.current, with tag counts and collections,
        in one consistent read of the catalog."""
        self._db.execute("BEGIN")
        try:
            self._read()
        finally:
            self._db.execute("COMMIT")

    def _read(self) -> None:
        self._db.execute("CREATE TEMP TABLE current (id TEXT PRIMARY KEY, shown TEXT, "
                         "states TEXT) WITHOUT ROWID")
        self._db.execute(_CURRENT_SQL)
        self._tags = Counter(dict(self._db.execute("SELECT tag, COUNT(*) FROM tags GROUP BY tag")))
        try:
            self._collections = tuple(tuple(r) for r in self._db.execute(
                "SELECT c.name, c.query, COUNT(m.article_id) FROM collections c "
                "LEFT JOIN collection_members m ON m.collection_id = c.id "
                "GROUP BY c.id ORDER BY c.name"))
        except sqlite3.OperationalError:  # a catalog without collection tables yet
            self._collections = ()

    def changes(self) -> Changes:
        """What differs from the last snapshot, which the current one replaces."""
        db = self._db
        tags, collections = self._tags, self._collections
        self._take()
        added = frozenset(r[0] for r in db.execute(
            "SELECT id FROM temp.current c WHERE NOT EXISTS "
            "(SELECT 1 FROM temp.last l WHERE l.id = c.id)"))
        deleted = frozenset(r[0] for r in db.execute(
            "SELECT id FROM temp.last l WHERE NOT EXISTS "
            "(SELECT 1 FROM temp.current c WHERE c.id = l.id)"))
        changed = db.execute(
            "SELECT c.id, c.states <> l.states FROM temp.current c JOIN temp.last l "
            "ON l.id = c.id WHERE c.shown <> l.shown").fetchall()
        db.execute("DROP TABLE temp.last")
        db.execute("ALTER TABLE temp.current RENAME TO last")
        return Changes(articles=frozenset(r[0] for r in changed), added=added, deleted=deleted,
                       tags=tags != self._tags,
                       states=bool(added or deleted) or any(r[1] for r in changed),
                       collections=collections != self._collections)

    def close(self) -> None:
        self._db.close()


class ArchiveWatcher:
    """Tells what other processes changed in one open Archive since it last looked.

    Not thread-safe by itself: poll it from one thread at a time."""

    def __init__(self, archive: "Archive", *, since: tuple[int, int] | None = None,
                 clock=time.monotonic) -> None:
        """`since`: the archive's mark() when the front end read what it shows. A
        change made between then and this first snapshot is in the snapshot, so it
        could not be told apart: the first poll then says that everything may have
        changed."""
        self._archive = archive
        self._clock = clock
        self._version, self._generation = self.mark(archive)
        self._snapshots = _Snapshots(archive.catalog.path)
        self._index_until = 0.0  # look for the index commits that follow a foreign change
        self._missed = Changes()
        if since is not None and since != (self._version, self._generation):
            self._missed = Changes(found=True, tags=True, states=True, collections=True)
            self._index_until = self._clock() + INDEX_FOLLOWS_S

    @staticmethod
    def mark(archive: "Archive") -> tuple[int, int]:
        """Where the archive is now (catalog data_version, index generation): two
        cheap reads, for `since`."""
        return archive.catalog.data_version(), archive.index.generation()

    def poll(self) -> Changes:
        """The changes since the last poll (empty when none): cheap when nothing moved."""
        version, generation = self.mark(self._archive)
        changes, self._missed = self._missed, Changes()
        if version != self._version:
            self._version = version
            changes = changes | self._snapshots.changes()
            if changes:
                self._index_until = self._clock() + INDEX_FOLLOWS_S
        if generation != self._generation:
            self._generation = generation
            if self._clock() < self._index_until:
                # the other process's index caught up: searches find what it saved
                changes = changes | Changes(found=True)
        return changes

    def close(self) -> None:
        self._snapshots.close()
