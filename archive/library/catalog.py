"""The catalog: one SQLite database holding each article's metadata and state.

Files hold the content, the catalog holds the state (tags, read, favourite) and
is mirrored into each article's meta.json, so the files alone can rebuild it.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable, Iterator
from urllib.parse import quote

from archive.base.errors import ArchiveError, NotFoundError
from archive.base.models import SCHEMA_VERSION, Article, Highlight

_COLUMNS = (
    "id", "title", "url", "canonical_url", "final_url", "norm_url", "source", "site", "authors", "published", "saved", "lang",
    "description", "lead_image", "word_count", "reading_minutes", "is_read", "is_favorite",
    "is_archived", "uncertain", "status", "error", "progress",
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL DEFAULT '',
    url TEXT,
    canonical_url TEXT,
    final_url TEXT,
    norm_url TEXT,
    source TEXT,
    site TEXT NOT NULL DEFAULT '',
    authors TEXT NOT NULL DEFAULT '[]',
    published TEXT,
    saved TEXT NOT NULL,
    lang TEXT,
    description TEXT NOT NULL DEFAULT '',
    lead_image TEXT,
    word_count INTEGER NOT NULL DEFAULT 0,
    reading_minutes INTEGER NOT NULL DEFAULT 0,
    is_read INTEGER NOT NULL DEFAULT 0,
    is_favorite INTEGER NOT NULL DEFAULT 0,
    is_archived INTEGER NOT NULL DEFAULT 0,
    uncertain INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'saved',
    error TEXT,
    progress REAL NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS articles_norm_url ON articles(norm_url);
CREATE INDEX IF NOT EXISTS articles_source ON articles(source);
CREATE INDEX IF NOT EXISTS articles_saved ON articles(saved);
CREATE TABLE IF NOT EXISTS tags (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    fold TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (article_id, tag)
);
CREATE INDEX IF NOT EXISTS tags_tag ON tags(tag);
CREATE INDEX IF NOT EXISTS tags_fold ON tags(fold);
CREATE TABLE IF NOT EXISTS url_aliases (
    norm_url TEXT NOT NULL,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    PRIMARY KEY (norm_url, article_id)
);
CREATE INDEX IF NOT EXISTS url_aliases_article ON url_aliases(article_id);
CREATE TABLE IF NOT EXISTS index_queue (
    article_id TEXT PRIMARY KEY
);
CREATE TABLE IF NOT EXISTS meta_queue (
    article_id TEXT PRIMARY KEY
);
CREATE TABLE IF NOT EXISTS collections (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    query TEXT,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS collection_members (
    collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    added TEXT NOT NULL,
    PRIMARY KEY (collection_id, article_id)
);
CREATE INDEX IF NOT EXISTS collection_members_article ON collection_members(article_id);
CREATE TABLE IF NOT EXISTS highlights (
    id TEXT PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    quote TEXT NOT NULL,
    prefix TEXT NOT NULL DEFAULT '',
    suffix TEXT NOT NULL DEFAULT '',
    pos_start INTEGER NOT NULL,
    pos_end INTEGER NOT NULL,
    color TEXT NOT NULL DEFAULT 'yellow',
    note TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    unplaced INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS highlights_article ON highlights(article_id, pos_start);
CREATE INDEX IF NOT EXISTS highlights_created ON highlights(created);
"""

_SCHEMA_COLLECTIONS = [stmt.strip() for stmt in _SCHEMA.split(";")
                       if "collection" in stmt and stmt.strip()]
_SCHEMA_HIGHLIGHTS = [stmt.strip() for stmt in _SCHEMA.split(";")
                      if "highlights" in stmt and stmt.strip()]

def _merge_tag_cases(db: sqlite3.Connection) -> None:
    """Schema 5: tags are case-insensitive archive-wide. Each tag gets its case-folded
    key (`fold`), and tags that differ only by case ("Dev", "dev") become one, spelled as
    the earliest saved article spells it (the first spelling seen). Articles whose tags
    changed are queued for indexing and for a new meta.json (meta_queue), which the
    Archive writes on open."""
    if "fold" not in {row[1] for row in db.execute("PRAGMA table_info(tags)")}:
        db.execute("ALTER TABLE tags ADD COLUMN fold TEXT NOT NULL DEFAULT ''")
    rows = db.execute("SELECT t.article_id, t.tag FROM tags t JOIN articles a ON a.id = t.article_id "
                      "ORDER BY a.saved, a.id, t.tag").fetchall()
    first: dict[str, str] = {}
    for _aid, tag in rows:
        first.setdefault(tag.casefold(), tag)
    changed: set[str] = set()
    for aid, tag in rows:
        spelling = first[tag.casefold()]
        if spelling != tag:
            db.execute("DELETE FROM tags WHERE article_id = ? AND tag = ?", (aid, tag))
            db.execute("INSERT OR IGNORE INTO tags (article_id, tag) VALUES (?, ?)", (aid, spelling))
            changed.add(aid)
    db.executemany("UPDATE tags SET fold = ? WHERE tag = ?",
                   [(fold, tag) for fold, tag in first.items()])
    db.execute("DELETE FROM tags WHERE article_id NOT IN (SELECT id FROM articles)")
    db.execute("CREATE INDEX IF NOT EXISTS tags_fold ON tags(fold)")
    db.executemany("INSERT OR IGNORE INTO index_queue (article_id) VALUES (?)",
                   [(aid,) for aid in sorted(changed)])
    db.execute("CREATE TABLE IF NOT EXISTS meta_queue (article_id TEXT PRIMARY KEY)")
    db.executemany("INSERT OR IGNORE INTO meta_queue (article_id) VALUES (?)",
                   [(aid,) for aid in sorted(changed)])


#: Steps from each older schema version to the next; each runs in one transaction. A
#: step is SQL statements, or a function given the connection inside the transaction.
_MIGRATIONS: dict[int, list[str] | Callable[[sqlite3.Connection], None]] = {
    1: [
        "ALTER TABLE articles ADD COLUMN progress REAL NOT NULL DEFAULT 0",
        "CREATE TABLE IF NOT EXISTS index_queue (article_id TEXT PRIMARY KEY)",
        *[stmt for stmt in _SCHEMA_COLLECTIONS],
        # every article of a v1 archive is re-indexed once (the queue drains on open)
        "INSERT OR IGNORE INTO index_queue (article_id) SELECT id FROM articles",
    ],
    2: [
        "ALTER TABLE articles ADD COLUMN canonical_url TEXT",
        "ALTER TABLE articles ADD COLUMN final_url TEXT",
        "CREATE TABLE IF NOT EXISTS url_aliases (norm_url TEXT NOT NULL, article_id TEXT NOT NULL "
        "REFERENCES articles(id) ON DELETE CASCADE, PRIMARY KEY (norm_url, article_id))",
        "CREATE INDEX IF NOT EXISTS url_aliases_article ON url_aliases(article_id)",
    ],
    # highlights and notes: a new table; meta.json files gain "highlights" when next written
    3: _SCHEMA_HIGHLIGHTS,
    # tags case-insensitive archive-wide, the first spelling kept (Catalog.canonical_tags)
    4: _merge_tag_cases,
}


#: One article per normalized address, enforced by SQLite itself so that it holds across
#: processes (two imports of the same file at once): each checks find_by_url first, but
#: only the index makes the second insert of an address fail. Catalogs that already hold
#: duplicates (from before the index) keep them: the index is partial and leaves out
#: all but one of each such group, by id, so nothing is lost and the rest is guarded.
UNIQUE_URL_INDEX = "articles_norm_url_unique"
#: All but one (saved before pending, then the oldest) of each group of rows sharing a URL.
_EXTRA_DUPLICATES_SQL = """
SELECT id FROM (
    SELECT id, ROW_NUMBER() OVER (
        PARTITION BY norm_url ORDER BY status = 'pending', saved, id) AS n
    FROM articles WHERE norm_url IS NOT NULL)
WHERE n > 1 ORDER BY id
"""


class CatalogDamagedError(ArchiveError):
    """catalog.sqlite is not a readable SQLite database (torn, overwritten, truncated),
    or pages inside it are (garbage written over part of the file)."""


class ReadOnlyError(ArchiveError):
    """A write asked of an archive opened read-only (read-only media, no permission)."""


#: SQLite's result codes for a file that is not, or no longer, a whole database
#: (extended codes such as SQLITE_CORRUPT_INDEX start the same).
_DAMAGED = ("SQLITE_NOTADB", "SQLITE_CORRUPT")
#: A catalog up to this size is verified (PRAGMA quick_check) on every open: 20,000
#: articles make ~10 MB, checked in ~15 ms. A bigger one is verified by `quire check`,
#: and damage met by any query is reported as CatalogDamagedError all the same.
VERIFY_ON_OPEN_BYTES = 64 << 20


def is_damage(exc: BaseException) -> bool:
    """True when a SQLite error means the file itself is damaged (not locked, not full)."""
    return isinstance(exc, sqlite3.DatabaseError) and \
        str(getattr(exc, "sqlite_errorname", "") or "").startswith(_DAMAGED)


class _GuardedCursor(sqlite3.Cursor):
    """A cursor whose every step turns "database disk image is malformed" into
    CatalogDamagedError, which the archive and the command line explain (a bare
    sqlite3.DatabaseError ended every command in a traceback)."""

    def _damaged(self, exc: sqlite3.DatabaseError) -> CatalogDamagedError:
        return CatalogDamagedError(f"the catalog {getattr(self.connection, 'path', '')} "
                                   f"is damaged ({exc}); run `quire check --repair` to move it aside "
                                   "and rebuild it from the article folders")

    def execute(self, *args):  # type: ignore[override]
        try:
            return super().execute(*args)
        except sqlite3.DatabaseError as exc:
            if is_damage(exc):
                raise self._damaged(exc) from exc
            raise

    def executemany(self, *args):  # type: ignore[override]
        try:
            return super().executemany(*args)
        except sqlite3.DatabaseError as exc:
            if is_damage(exc):
                raise self._damaged(exc) from exc
            raise

    def fetchone(self):
        try:
            return super().fetchone()
        except sqlite3.DatabaseError as exc:
            if is_damage(exc):
                raise self._damaged(exc) from exc
            raise

    def fetchall(self):
        try:
            return super().fetchall()
        except sqlite3.DatabaseError as exc:
            if is_damage(exc):
                raise self._damaged(exc) from exc
            raise

    def __next__(self):
        try:
            return super().__next__()
        except sqlite3.DatabaseError as exc:
            if is_damage(exc):
                raise self._damaged(exc) from exc
            raise


class _GuardedConnection(sqlite3.Connection):
    """Connection.execute is a shortcut that bypasses cursor(): routed through it."""

    path = ""

    def cursor(self, factory=_GuardedCursor):  # type: ignore[override]
        return super().cursor(factory)

    def execute(self, sql, parameters=()):  # type: ignore[override]
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql, parameters):  # type: ignore[override]
        return self.cursor().executemany(sql, parameters)


def read_only_uri(path: Path, *, immutable: bool = False) -> str:
    """The SQLite URI that opens `path` without writing to it or beside it."""
    return f"file:{quote(str(Path(path).resolve()))}?mode=ro" + ("&immutable=1" if immutable else "")


class DuplicateURLError(ArchiveError):
    """An insert met the unique index: another writer saved the same address first."""

    def __init__(self, norm_url: str | None) -> None:
        super().__init__(f"{norm_url}: already in the archive")
        self.norm_url = norm_url


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


#: Manual collections an article is in (smart ones are queries, not memberships).
_MEMBER_SQL = ("SELECT m.article_id, c.name FROM collection_members m "
               "JOIN collections c ON c.id = m.collection_id")

_HIGHLIGHT_COLUMNS = ("id", "article_id", "quote", "prefix", "suffix", "pos_start", "pos_end",
                      "color", "note", "created", "updated", "unplaced")
#: An article's highlights in text order, the ones that could not be placed last.
_HIGHLIGHT_ORDER = "ORDER BY unplaced, pos_start, pos_end, id"


def highlight_of(row: sqlite3.Row | tuple) -> Highlight:
    """A Highlight from a row of the highlights table (columns as _HIGHLIGHT_COLUMNS)."""
    (hid, aid, quote, prefix, suffix, start, end, color, note, created, updated, unplaced) = tuple(row)
    return Highlight(id=hid, article_id=aid, quote=quote, prefix=prefix, suffix=suffix, start=start,
                     end=end, color=color, note=note, created=created, updated=updated,
                     unplaced=bool(unplaced))


class Catalog:
    """Thread-safe access to catalog.sqlite (one connection, one lock)."""

    def __init__(self, path: Path, *, read_only: bool = False, reason: str | None = None) -> None:
        """Open (or create) the catalog. `read_only` opens it without writing anything
        (read-only media, another user's folder): no WAL, no migration; writes raise
        ReadOnlyError. The file is verified (quick_check) when small enough
        (VERIFY_ON_OPEN_BYTES): damage inside it raises CatalogDamagedError here, not
        in the middle of a command."""
        self.path = Path(path)
        self.read_only = read_only
        #: what a refused write says (why the catalog is read-only)
        self.read_only_reason = reason or (f"this archive is read-only: {self.path.parent} cannot be "
                                           "changed (read-only media or no write permission)")
        self._lock = threading.RLock()
        self.migrated_from: int | None = None  # set when an older catalog was upgraded
        self.created = False  # True when this open made a new, empty catalog
        self._db = self._connect()
        try:
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA foreign_keys = ON")
            self._db.execute("PRAGMA busy_timeout = 30000")
            if read_only:
                self._check_readable()
            else:
                self._migrate()
            try:
                small = self.path.stat().st_size <= VERIFY_ON_OPEN_BYTES
            except OSError:
                small = False
            if small and not self.created:
                verdict = self.verify()
                if verdict != "ok":
                    raise CatalogDamagedError(f"the catalog {self.path} is damaged ({verdict})")
            if not read_only:
                self.guard_unique_urls()
        except BaseException as exc:
            self._db.close()
            if is_damage(exc):
                raise CatalogDamagedError(f"the catalog {self.path} is damaged ({exc})") from exc
            raise

    def _connect(self) -> sqlite3.Connection:
        try:
            if self.read_only:
                if not self.path.exists():
                    raise ArchiveError(f"this archive is read-only and has no catalog ({self.path})")
                try:
                    db = sqlite3.connect(read_only_uri(self.path), uri=True, check_same_thread=False,
                                         timeout=30, isolation_level=None, factory=_GuardedConnection)
                    db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
                except sqlite3.OperationalError:
                    # read-only media: a WAL database cannot make its -shm file there;
                    # immutable reads the file as it stands (nothing else can change it)
                    db = sqlite3.connect(read_only_uri(self.path, immutable=True), uri=True,
                                         check_same_thread=False, timeout=30, isolation_level=None,
                                         factory=_GuardedConnection)
            else:
                db = sqlite3.connect(self.path, check_same_thread=False, timeout=30,
                                     isolation_level=None, factory=_GuardedConnection)
        except sqlite3.Error as exc:
            if is_damage(exc):
                raise CatalogDamagedError(f"the catalog {self.path} is damaged ({exc})") from exc
            raise ArchiveError(f"cannot open the catalog {self.path}: {exc}") from exc
        db.path = str(self.path)  # type: ignore[attr-defined]
        return db

    def _check_readable(self) -> None:
        """A read-only catalog cannot be migrated: refuse one this version cannot read."""
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise ArchiveError(
                f"the archive at {self.path.parent} was written by a newer Quire "
                f"(catalog schema {version}, this version reads up to {SCHEMA_VERSION}); "
                "it was left untouched")
        if version < SCHEMA_VERSION:
            raise ArchiveError(f"this archive is read-only: it was written by an older Quire "
                               f"(catalog schema {version}) and must be upgraded, which needs "
                               "write access; copy it to a writable folder and open the copy")

    def verify(self) -> str:
        """'ok', or what SQLite's quick_check found wrong with the file (damage inside
        it: garbage over some pages). Reads the whole file once."""
        with self._lock:
            try:
                rows = [r[0] for r in self._db.execute("PRAGMA quick_check(5)").fetchall()]
            except (sqlite3.DatabaseError, CatalogDamagedError) as exc:
                return str(exc.__cause__ or exc) or "unreadable"
        return "ok" if rows == ["ok"] else "; ".join(str(r) for r in rows)

    # -- schema -----------------------------------------------------------------
    def _migrate(self) -> None:
        with self._lock:
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                self._db.close()
                raise ArchiveError(
                    f"the archive at {self.path.parent} was written by a newer Quire "
                    f"(catalog schema {version}, this version reads up to {SCHEMA_VERSION}); "
                    "it was left untouched")
            try:
                self._db.execute("PRAGMA journal_mode = WAL")
                # In WAL mode NORMAL stays consistent and loses nothing on a process
                # crash (SIGKILL); only a power cut can drop the last commits.
                self._db.execute("PRAGMA synchronous = NORMAL")
            except sqlite3.OperationalError:
                pass  # read-only media: keep the default journal
            if version == 0:
                self.created = True
                with self.transaction() as db:
                    for stmt in _SCHEMA.strip().split(";"):
                        if stmt.strip():
                            db.execute(stmt)
                    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                return
            has_collections = self._db.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'collection_members'").fetchone()
            if version == SCHEMA_VERSION and not has_collections:
                # catalogs from development builds of schema 2 may lack these tables
                with self.transaction() as db:
                    for stmt in _SCHEMA_COLLECTIONS:
                        db.execute(stmt)
            while version < SCHEMA_VERSION:
                with self.transaction() as db:
                    step = _MIGRATIONS[version]
                    if callable(step):
                        step(db)
                    else:
                        for stmt in step:
                            db.execute(stmt)
                    version += 1
                    db.execute(f"PRAGMA user_version = {version}")
                self.migrated_from = self.migrated_from or version - 1

    def guard_unique_urls(self, *, rebuild: bool = False) -> None:
        """Create the partial UNIQUE index on norm_url (see UNIQUE_URL_INDEX), leaving out
        the duplicates the catalog already holds. `rebuild` re-creates it, so that ids of
        duplicates since removed (check --repair) are no longer left out."""
        exists_sql = "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?"
        with self._lock:
            if not rebuild and self._db.execute(exists_sql, (UNIQUE_URL_INDEX,)).fetchone():
                return  # the usual case: no write lock taken on open
            try:
                with self.transaction() as db:
                    if not rebuild and db.execute(exists_sql, (UNIQUE_URL_INDEX,)).fetchone():
                        return  # another process made it meanwhile
                    self._create_unique_index(db)
            except sqlite3.OperationalError:
                pass  # a read-only catalog: nothing is written to it, nothing to guard

    @staticmethod
    def _create_unique_index(db: sqlite3.Connection) -> None:
        db.execute(f"DROP INDEX IF EXISTS {UNIQUE_URL_INDEX}")
        extra = [row[0] for row in db.execute(_EXTRA_DUPLICATES_SQL)]
        where = "norm_url IS NOT NULL"
        if extra:
            where += f" AND id NOT IN ({', '.join(map(_sql_text, extra))})"
        db.execute(f"CREATE UNIQUE INDEX {UNIQUE_URL_INDEX} ON articles(norm_url) WHERE {where}")

    def duplicate_urls(self) -> list[list[str]]:
        """Groups of article ids sharing a normalized address (each group oldest first)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT norm_url, id FROM articles WHERE norm_url IN ("
                "SELECT norm_url FROM articles WHERE norm_url IS NOT NULL "
                "GROUP BY norm_url HAVING COUNT(*) > 1) ORDER BY norm_url, saved, id").fetchall()
        groups: dict[str, list[str]] = {}
        for norm_url, aid in rows:
            groups.setdefault(norm_url, []).append(aid)
        return list(groups.values())

    @property
    def schema_version(self) -> int:
        with self._lock:
            return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT, rolled back on any error."""
        if self.read_only:
            raise ReadOnlyError(f"{self.read_only_reason}; nothing was changed")
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                try:
                    self._db.execute("ROLLBACK")
                except (sqlite3.Error, ArchiveError):
                    pass  # a failed COMMIT (disk full) may have ended it already
                raise
            try:
                self._db.execute("COMMIT")
            except BaseException:
                try:
                    self._db.execute("ROLLBACK")
                except (sqlite3.Error, ArchiveError):
                    pass
                raise

    @property
    def connection(self) -> sqlite3.Connection:
        """The raw connection, for modules that keep their own tables (collections).
        Hold `self.lock` around its use."""
        return self._db

    @property
    def lock(self) -> threading.RLock:
        return self._lock

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- articles ---------------------------------------------------------------
    def insert(self, article: Article, norm_url: str | None, db: sqlite3.Connection | None = None,
               *, allow_duplicate: bool = False, aliases: Iterable[str] = ()) -> None:
        """Add the article and queue it for indexing, in one transaction. DuplicateURLError
        when another article (perhaps saved by another process) has this address, unless
        `allow_duplicate` (adopting a folder found on disk: losing it would be worse; the
        index then leaves it out, and `check` lists the pair)."""
        row = self._row_of(article, norm_url)
        sql = (f"INSERT INTO articles ({', '.join(_COLUMNS)}) "
               f"VALUES ({', '.join('?' for _ in _COLUMNS)})")
        with self._maybe_tx(db) as conn:
            try:
                conn.execute(sql, [row[c] for c in _COLUMNS])
            except sqlite3.IntegrityError as exc:
                if "articles.norm_url" not in str(exc):
                    raise
                if not allow_duplicate:
                    raise DuplicateURLError(norm_url) from exc
                conn.execute(f"DROP INDEX {UNIQUE_URL_INDEX}")
                conn.execute(sql, [row[c] for c in _COLUMNS])
                self._create_unique_index(conn)
            conn.execute("INSERT OR IGNORE INTO index_queue (article_id) VALUES (?)", (article.id,))
            self._write_tags(conn, article)
            self._set_aliases(conn, article.id, aliases)

    def update(self, article: Article, norm_url: str | None, db: sqlite3.Connection | None = None,
               *, aliases: Iterable[str] | None = None, reindex: bool = True) -> None:
        """Write the article's row; `aliases` (if given) replace its other addresses.
        `reindex=False` for a change the index does not hold (reading progress): the
        article is not queued for indexing."""
        row = self._row_of(article, norm_url)
        cols = [c for c in _COLUMNS if c != "id"]
        sql = f"UPDATE articles SET {', '.join(c + ' = ?' for c in cols)} WHERE id = ?"
        with self._maybe_tx(db) as conn:
            conn.execute(sql, [row[c] for c in cols] + [article.id])
            if reindex:
                conn.execute("INSERT OR IGNORE INTO index_queue (article_id) VALUES (?)", (article.id,))
            self._write_tags(conn, article)
            if aliases is not None:
                conn.execute("DELETE FROM url_aliases WHERE article_id = ?", (article.id,))
                self._set_aliases(conn, article.id, aliases)

    def canonical_tags(self, tags: Iterable[str], article_id: str | None = None,
                       db: sqlite3.Connection | None = None) -> list[str]:
        """`tags` as the archive spells them. Tags are case-insensitive archive-wide: a tag
        the article does not carry yet (in any case) takes the spelling other articles
        already give it, so "dev" added beside an existing "Dev" is "Dev" (the first
        spelling seen). A tag the article carries keeps the spelling given, which is how
        a rename changes the case everywhere (every article in one transaction)."""
        conn = db or self._db
        with self._lock:
            own = {r[0] for r in conn.execute(
                "SELECT fold FROM tags WHERE article_id = ?", (article_id,))} if article_id else set()
            out: list[str] = []
            seen: set[str] = set()
            for tag in tags:
                fold = tag.casefold()
                if fold in seen:
                    continue
                seen.add(fold)
                if fold not in own:
                    row = conn.execute("SELECT tag FROM tags WHERE fold = ? AND article_id != ? LIMIT 1",
                                       (fold, article_id or "")).fetchone()
                    tag = row[0] if row else tag
                out.append(tag)
        return sorted(out, key=lambda t: (t.lower(), t))  # normalize_tags' order

    def _write_tags(self, conn: sqlite3.Connection, article: Article) -> None:
        """Replace the article's tag rows with its tags, spelled as the archive spells
        them (canonical_tags); `article.tags` is updated to match, so the meta.json
        written from it agrees with the catalog."""
        article.tags = self.canonical_tags(article.tags, article.id, conn)
        conn.execute("DELETE FROM tags WHERE article_id = ?", (article.id,))
        conn.executemany("INSERT OR IGNORE INTO tags (article_id, tag, fold) VALUES (?, ?, ?)",
                         [(article.id, t, t.casefold()) for t in article.tags])

    def meta_queue(self) -> list[str]:
        """Articles whose meta.json must be written again from the catalog (after a
        migration changed their rows); done_meta() once written."""
        with self._lock:
            try:
                return [r[0] for r in self._db.execute("SELECT article_id FROM meta_queue")]
            except (sqlite3.DatabaseError, CatalogDamagedError):  # no table; damage: check says so
                return []

    def queue_meta(self, ids: list[str]) -> None:
        """Ask for these articles' meta.json to be written again on the next open."""
        if ids:
            with self.transaction() as conn:
                conn.execute("CREATE TABLE IF NOT EXISTS meta_queue (article_id TEXT PRIMARY KEY)")
                conn.executemany("INSERT OR IGNORE INTO meta_queue (article_id) VALUES (?)", [(i,) for i in ids])

    def done_meta(self, ids: list[str]) -> None:
        if ids:
            with self.transaction() as conn:
                conn.executemany("DELETE FROM meta_queue WHERE article_id = ?", [(i,) for i in ids])

    @staticmethod
    def _set_aliases(conn: sqlite3.Connection, article_id: str, aliases: Iterable[str]) -> None:
        """Other normalized addresses of the article (its canonical and final URL), by
        which find_by_url recognises it too."""
        conn.executemany("INSERT OR IGNORE INTO url_aliases (norm_url, article_id) VALUES (?, ?)",
                         [(alias, article_id) for alias in aliases if alias])

    def delete(self, article_id: str, db: sqlite3.Connection | None = None) -> None:
        with self._maybe_tx(db) as conn:
            conn.execute("DELETE FROM tags WHERE article_id = ?", (article_id,))
            conn.execute("DELETE FROM highlights WHERE article_id = ?", (article_id,))
            conn.execute("DELETE FROM articles WHERE id = ?", (article_id,))
            conn.execute("INSERT OR IGNORE INTO index_queue (article_id) VALUES (?)", (article_id,))

    @contextmanager
    def _maybe_tx(self, db: sqlite3.Connection | None) -> Iterator[sqlite3.Connection]:
        if db is not None:
            yield db
        else:
            with self.transaction() as conn:
                yield conn

    @staticmethod
    def _row_of(article: Article, norm_url: str | None) -> dict:
        d = article.to_dict()
        d["authors"] = json.dumps(article.authors, ensure_ascii=False)
        d["norm_url"] = norm_url
        for flag in ("is_read", "is_favorite", "is_archived", "uncertain"):
            d[flag] = int(bool(d[flag]))
        return d

    def _article_of(self, row: sqlite3.Row, tags: list[str], collections: list[str] | None = None,
                    highlights: list[Highlight] | None = None) -> Article:
        d = dict(row)
        d["collections"] = collections or []
        d["highlights"] = highlights or []
        d.pop("norm_url", None)
        d["authors"] = json.loads(d["authors"] or "[]")
        for flag in ("is_read", "is_favorite", "is_archived", "uncertain"):
            d[flag] = bool(d[flag])
        d["tags"] = tags
        return Article.from_dict(d)

    def get(self, article_id: str) -> Article:
        with self._lock:
            row = self._db.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"no article with id {article_id!r}")
            tags = [r[0] for r in self._db.execute(
                "SELECT tag FROM tags WHERE article_id = ? ORDER BY tag COLLATE NOCASE, tag", (article_id,))]
            colls = [r[1] for r in self._db.execute(_MEMBER_SQL + " WHERE m.article_id = ? ORDER BY c.name",
                                                    (article_id,))]
            marks = self.highlights_of(article_id)
        return self._article_of(row, tags, colls, marks)

    def get_many(self, ids: list[str]) -> dict[str, Article]:
        """Articles by id in one query per 500 ids (used to decorate search hits)."""
        out: dict[str, Article] = {}
        with self._lock:
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                marks = ",".join("?" for _ in chunk)
                tags: dict[str, list[str]] = {}
                for aid, tag in self._db.execute(
                        f"SELECT article_id, tag FROM tags WHERE article_id IN ({marks}) "
                        "ORDER BY tag COLLATE NOCASE, tag", chunk):
                    tags.setdefault(aid, []).append(tag)
                colls: dict[str, list[str]] = {}
                for aid, name in self._db.execute(
                        _MEMBER_SQL + f" WHERE m.article_id IN ({marks}) ORDER BY c.name", chunk):
                    colls.setdefault(aid, []).append(name)
                lights: dict[str, list[Highlight]] = {}
                for hrow in self._db.execute(
                        f"SELECT {', '.join(_HIGHLIGHT_COLUMNS)} FROM highlights "
                        f"WHERE article_id IN ({marks}) {_HIGHLIGHT_ORDER}", chunk):
                    lights.setdefault(hrow[1], []).append(highlight_of(hrow))
                for row in self._db.execute(f"SELECT * FROM articles WHERE id IN ({marks})", chunk):
                    out[row["id"]] = self._article_of(row, tags.get(row["id"], []), colls.get(row["id"]),
                                                      lights.get(row["id"]))
        return out

    def all(self, status: str | None = None) -> list[Article]:
        with self._lock:
            tags: dict[str, list[str]] = {}
            for aid, tag in self._db.execute(
                    "SELECT article_id, tag FROM tags ORDER BY tag COLLATE NOCASE, tag"):
                tags.setdefault(aid, []).append(tag)
            colls: dict[str, list[str]] = {}
            for aid, name in self._db.execute(_MEMBER_SQL + " ORDER BY c.name"):
                colls.setdefault(aid, []).append(name)
            lights: dict[str, list[Highlight]] = {}
            for hrow in self._db.execute(
                    f"SELECT {', '.join(_HIGHLIGHT_COLUMNS)} FROM highlights {_HIGHLIGHT_ORDER}"):
                lights.setdefault(hrow[1], []).append(highlight_of(hrow))
            if status:
                rows = self._db.execute(
                    "SELECT * FROM articles WHERE status = ? ORDER BY saved DESC, id", (status,))
            else:
                rows = self._db.execute("SELECT * FROM articles ORDER BY saved DESC, id")
            return [self._article_of(r, tags.get(r["id"], []), colls.get(r["id"]), lights.get(r["id"]))
                    for r in rows]

    def page_ids(self, limit: int, offset: int = 0, *, newest_first: bool = True) -> list[str]:
        """One page of article ids by saved date (the unfiltered list)."""
        order = "DESC" if newest_first else "ASC"
        with self._lock:
            return [r[0] for r in self._db.execute(
                f"SELECT id FROM articles ORDER BY saved {order}, id {order} LIMIT ? OFFSET ?",
                (limit, offset))]

    def ids(self) -> list[str]:
        with self._lock:
            return [r[0] for r in self._db.execute("SELECT id FROM articles")]

    def exists(self, article_id: str) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is not None

    def ids_with_prefix(self, prefix: str) -> list[str]:
        with self._lock:
            return [r[0] for r in self._db.execute(
                "SELECT id FROM articles WHERE id LIKE ? ESCAPE '\\' LIMIT 5",
                (prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%",))]

    def find_by_url(self, norm_url: str) -> str | None:
        """The article saved from this (normalized) address, or whose canonical or
        final address it is."""
        with self._lock:
            row = self._db.execute("SELECT id FROM articles WHERE norm_url = ? LIMIT 1",
                                   (norm_url,)).fetchone()
            if row is None:
                row = self._db.execute("SELECT article_id FROM url_aliases WHERE norm_url = ? LIMIT 1",
                                       (norm_url,)).fetchone()
        return row[0] if row else None

    def find_by_source(self, source: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT id FROM articles WHERE source = ? LIMIT 1",
                                   (source,)).fetchone()
        return row[0] if row else None

    # -- index queue: articles whose index entry may not be committed yet ------------
    def queue_for_index(self, ids: list[str], db: sqlite3.Connection | None = None) -> None:
        with self._maybe_tx(db) as conn:
            conn.executemany("INSERT OR IGNORE INTO index_queue (article_id) VALUES (?)", [(i,) for i in ids])

    def dequeue_indexed(self, ids: list[str]) -> None:
        if not ids:
            return
        with self.transaction() as conn:
            conn.executemany("DELETE FROM index_queue WHERE article_id = ?", [(i,) for i in ids])

    def index_queue(self) -> list[str]:
        with self._lock:
            return [r[0] for r in self._db.execute("SELECT article_id FROM index_queue")]

    def ids_tagged(self, names: list[str]) -> list[str]:
        """Ids of the articles carrying any of these exact tag names."""
        out: list[str] = []
        with self._lock:
            for start in range(0, len(names), 500):
                chunk = names[start:start + 500]
                marks = ",".join("?" for _ in chunk)
                out += [r[0] for r in self._db.execute(
                    f"SELECT DISTINCT article_id FROM tags WHERE tag IN ({marks})", chunk)]
        return sorted(set(out))

    def tag_counts(self) -> list[tuple[str, int]]:
        with self._lock:
            return [(r[0], r[1]) for r in self._db.execute(
                "SELECT tag, COUNT(*) FROM tags GROUP BY tag ORDER BY tag COLLATE NOCASE")]

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    def data_version(self) -> int:
        """SQLite's data_version of this connection: it moves when another connection
        (another process: a `quire add` beside the window) commits, never on this
        one's own commits. A cheap read (archive.library.watch polls it)."""
        with self._lock:
            return int(self._db.execute("PRAGMA data_version").fetchone()[0])

    # -- highlights (archive.library.highlights is the manager; these are its rows) ----
    def highlights_of(self, article_id: str, db: sqlite3.Connection | None = None) -> list[Highlight]:
        """An article's highlights in text order (unplaced ones last)."""
        with self._lock:
            conn = db or self._db
            return [highlight_of(r) for r in conn.execute(
                f"SELECT {', '.join(_HIGHLIGHT_COLUMNS)} FROM highlights WHERE article_id = ? "
                f"{_HIGHLIGHT_ORDER}", (article_id,))]

    def highlight(self, highlight_id: str) -> Highlight:
        with self._lock:
            row = self._db.execute(f"SELECT {', '.join(_HIGHLIGHT_COLUMNS)} FROM highlights WHERE id = ?",
                                   (highlight_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no highlight with id {highlight_id!r}")
        return highlight_of(row)

    def all_highlights(self) -> list[Highlight]:
        """Every highlight, newest first (the Highlights view, the CLI, exports)."""
        with self._lock:
            return [highlight_of(r) for r in self._db.execute(
                f"SELECT {', '.join(_HIGHLIGHT_COLUMNS)} FROM highlights ORDER BY created DESC, id")]

    def put_highlight(self, mark: Highlight, db: sqlite3.Connection) -> None:
        """Insert or replace one highlight (inside the caller's transaction)."""
        db.execute(f"INSERT OR REPLACE INTO highlights ({', '.join(_HIGHLIGHT_COLUMNS)}) "
                   f"VALUES ({', '.join('?' for _ in _HIGHLIGHT_COLUMNS)})",
                   (mark.id, mark.article_id, mark.quote, mark.prefix, mark.suffix, mark.start, mark.end,
                    mark.color, mark.note, mark.created, mark.updated, int(mark.unplaced)))

    def drop_highlights(self, ids: Iterable[str], db: sqlite3.Connection) -> None:
        db.executemany("DELETE FROM highlights WHERE id = ?", [(i,) for i in ids])

    def orphan_highlights(self) -> list[Highlight]:
        """Highlights whose article is not in the catalog (a catalog edited with foreign
        keys off, or restored by hand): `check` lists them."""
        with self._lock:
            return [highlight_of(r) for r in self._db.execute(
                f"SELECT {', '.join('h.' + c for c in _HIGHLIGHT_COLUMNS)} FROM highlights h "
                "LEFT JOIN articles a ON a.id = h.article_id WHERE a.id IS NULL")]
