"""Collections: named sets of articles, manual (articles put in) or smart (a saved query).

They live in two tables of the catalog (defined, and added to older archives,
by archive.library.catalog's schema and migrations). Membership rows cascade
away when an article is deleted (the catalog turns foreign keys on). A smart collection stores only its query and resolves it
through the search index each time, so it is never stale.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Iterable

from archive.base.errors import NotFoundError, QuireError
from archive.library import userdata

if TYPE_CHECKING:
    from archive.library.store import Archive

MAX_NAME = 100


@dataclass
class Collection:
    name: str
    query: str | None  # None: a manual collection
    count: int  # members now

    @property
    def is_smart(self) -> bool:
        return self.query is not None


def _db(archive: "Archive") -> sqlite3.Connection:
    """The catalog's connection (hold its lock around each use)."""
    return archive.catalog.connection


def _clean_name(name: str) -> str:
    cleaned = " ".join(str(name or "").split())
    if not cleaned:
        raise QuireError("a collection needs a name")
    if len(cleaned) > MAX_NAME:
        raise QuireError(f"collection name {cleaned[:40]!r}… is longer than {MAX_NAME} characters")
    return cleaned


def _row(archive: "Archive", name: str) -> sqlite3.Row:
    db = _db(archive)
    with archive.catalog.lock:
        row = db.execute("SELECT id, name, query FROM collections WHERE name = ?",
                         (_clean_name(name),)).fetchone()
    if row is None:
        raise NotFoundError(f"no collection named {name!r}")
    return row


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def create(archive: "Archive", name: str, query: str | None = None) -> Collection:
    """A new manual collection, or a smart one when `query` is given."""
    name = _clean_name(name)
    query = query.strip() if query is not None else None
    if query == "":
        raise QuireError(f"smart collection {name!r} needs a query")
    try:
        with archive.catalog.transaction() as db:
            db.execute("INSERT INTO collections (name, query, created) VALUES (?, ?, ?)",
                       (name, query, _now()))
            userdata.write(archive.root, db)  # a rebuilt catalog gets it back
    except sqlite3.IntegrityError:
        raise QuireError(f"a collection named {name!r} exists already") from None
    return get(archive, name)


def rename(archive: "Archive", old: str, new: str) -> Collection:
    row = _row(archive, old)
    new = _clean_name(new)
    try:
        with archive.catalog.transaction() as db:
            db.execute("UPDATE collections SET name = ? WHERE id = ?", (new, row["id"]))
            userdata.write(archive.root, db)
    except sqlite3.IntegrityError:
        raise QuireError(
            f"cannot rename {old!r}: a collection named {new!r} exists already") from None
    if row["query"] is None:
        _reindex(archive, members(archive, new))
    return get(archive, new)


def set_query(archive: "Archive", name: str, query: str) -> Collection:
    """Change a smart collection's query."""
    row = _row(archive, name)
    if row["query"] is None:
        raise QuireError(f"{row['name']!r} is a manual collection; it has no query")
    if not query.strip():
        raise QuireError(f"smart collection {row['name']!r} needs a query")
    with archive.catalog.transaction() as db:
        db.execute("UPDATE collections SET query = ? WHERE id = ?", (query.strip(), row["id"]))
        userdata.write(archive.root, db)
    return get(archive, name)


def delete(archive: "Archive", name: str) -> None:
    """Delete the collection (its articles stay in the archive)."""
    row = _row(archive, name)
    former = members(archive, name) if row["query"] is None else []
    with archive.catalog.transaction() as db:
        db.execute("DELETE FROM collection_members WHERE collection_id = ?", (row["id"],))
        db.execute("DELETE FROM collections WHERE id = ?", (row["id"],))
        userdata.write(archive.root, db)
    _reindex(archive, former)


def _manual(archive: "Archive", name: str) -> sqlite3.Row:
    row = _row(archive, name)
    if row["query"] is not None:
        raise QuireError(f"{row['name']!r} is a smart collection (query {row['query']!r}); "
                         "articles cannot be put in it by hand")
    return row


def add(archive: "Archive", name: str, article_ids: Iterable[str]) -> int:
    """Put articles in a manual collection; returns how many were not in it yet."""
    row = _manual(archive, name)
    ids = list(dict.fromkeys(article_ids))
    for aid in ids:
        archive.get(aid)  # NotFoundError naming the id
    with archive.catalog.transaction() as db:
        before = db.total_changes
        db.executemany(
            "INSERT OR IGNORE INTO collection_members (collection_id, article_id, added) "
            "VALUES (?, ?, ?)", [(row["id"], aid, _now()) for aid in ids])
        added = db.total_changes - before
        userdata.write(archive.root, db)
    _reindex(archive, ids)
    return added


def remove(archive: "Archive", name: str, article_ids: Iterable[str]) -> int:
    """Take articles out of a manual collection; returns how many were in it."""
    row = _manual(archive, name)
    ids = list(dict.fromkeys(article_ids))
    with archive.catalog.transaction() as db:
        before = db.total_changes
        db.executemany("DELETE FROM collection_members WHERE collection_id = ? AND article_id = ?",
                       [(row["id"], aid) for aid in ids])
        removed = db.total_changes - before
        userdata.write(archive.root, db)
    _reindex(archive, ids)
    return removed


def _reindex(archive: "Archive", article_ids: Iterable[str]) -> None:
    """Refresh meta.json and the index documents of articles whose manual collections
    changed, so `collection:NAME` finds them and the files alone keep membership."""
    with archive.batch():  # one index commit for the lot, not one per article
        for aid in dict.fromkeys(article_ids):
            try:
                archive.refresh(aid)
            except NotFoundError:
                continue


def _smart_members(archive: "Archive", query: str) -> list[str]:
    total = archive.catalog.count()
    if total == 0:
        return []
    result = archive.search_full(query, limit=total, sort="newest", snippets=False)
    return [hit.id for hit in result.hits]


def members(archive: "Archive", name: str) -> list[str]:
    """Article ids in the collection, newest saved first."""
    row = _row(archive, name)
    if row["query"] is not None:
        return _smart_members(archive, row["query"])
    db = _db(archive)
    with archive.catalog.lock:
        return [r[0] for r in db.execute(
            "SELECT m.article_id FROM collection_members m JOIN articles a ON a.id = m.article_id "
            "WHERE m.collection_id = ? ORDER BY a.saved DESC, a.id", (row["id"],))]


def search_filter(archive: "Archive", name: str) -> str | list[str]:
    """What `collection:NAME` in a query stands for, read now (membership is never
    stale): a smart collection's query text, or a manual one's member ids, newest
    first. NotFoundError when there is no such collection."""
    row = _row(archive, name)
    if row["query"] is not None:
        return row["query"]
    return members(archive, row["name"])


def _smart_count(archive: "Archive", query: str) -> int:
    """How many articles a saved query matches (the index counts; nothing is loaded)."""
    return archive.count(query) if archive.catalog.count() else 0


def get(archive: "Archive", name: str) -> Collection:
    row = _row(archive, name)
    if row["query"] is not None:
        return Collection(row["name"], row["query"], _smart_count(archive, row["query"]))
    return Collection(row["name"], None, len(members(archive, row["name"])))


def list_collections(archive: "Archive") -> list[Collection]:
    """Every collection with its member count, by name."""
    db = _db(archive)
    with archive.catalog.lock:
        rows = db.execute(
            "SELECT c.name, c.query, COUNT(m.article_id) FROM collections c "
            "LEFT JOIN collection_members m ON m.collection_id = c.id "
            "GROUP BY c.id ORDER BY c.name COLLATE NOCASE").fetchall()
    return [Collection(name, query, _smart_count(archive, query) if query is not None else count)
            for name, query, count in rows]


def collections_of(archive: "Archive", article_id: str) -> list[str]:
    """Names of the manual collections an article was put in (smart ones are not listed)."""
    db = _db(archive)
    with archive.catalog.lock:
        return [r[0] for r in db.execute(
            "SELECT c.name FROM collections c JOIN collection_members m ON m.collection_id = c.id "
            "WHERE m.article_id = ? ORDER BY c.name COLLATE NOCASE", (article_id,))]
