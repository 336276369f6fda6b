"""What the user made that the article folders do not hold, kept beside the catalog.

The catalog can be rebuilt from the folders' meta.json (each article's row, tags,
states and manual collections), but a smart collection is only a saved query and
an empty manual collection has no member to name it: both lived only in the
catalog, and a rebuilt catalog lost them silently. `collections.json` holds every
collection (name, query, when made, members) and is rewritten, atomically, inside
the catalog transaction of each change, so it never runs behind the catalog; the
rebuild reads it back.
"""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from archive.base import atomic
from archive.library import layout

if TYPE_CHECKING:
    from archive.library.store import Archive

FILENAME = layout.COLLECTIONS_FILE
FORMAT = "quire-collections"
VERSION = 1


def snapshot(db: sqlite3.Connection) -> dict:
    """The collections as the catalog holds them now (members of manual ones, by id)."""
    members: dict[int, list[dict]] = {}
    for cid, aid, added in db.execute("SELECT collection_id, article_id, added FROM collection_members "
                                      "ORDER BY collection_id, article_id"):
        members.setdefault(cid, []).append({"id": aid, "added": added})
    out = []
    for cid, name, query, created in db.execute(
            "SELECT id, name, query, created FROM collections ORDER BY name COLLATE NOCASE, id"):
        entry: dict = {"name": name, "query": query, "created": created}
        if query is None:
            entry["members"] = members.get(cid, [])
        out.append(entry)
    return {"format": FORMAT, "version": VERSION, "collections": out}


def path_of(root: Path) -> Path:
    return layout.Layout(root).collections


def write(root: Path, db: sqlite3.Connection) -> None:
    """Rewrite collections.json from the catalog (call inside the changing transaction:
    a failed write then rolls the change back, and two processes write in turn)."""
    atomic.write_json(path_of(root), snapshot(db))


def load(root: Path) -> list[dict] | None:
    """The collections the file lists, or None when there is no readable file."""
    try:
        data = json.loads(path_of(root).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("collections"), list):
        return None
    return [c for c in data["collections"] if isinstance(c, dict) and isinstance(c.get("name"), str)]


def in_step(archive: "Archive") -> bool:
    """True when collections.json says what the catalog says (members the catalog no
    longer has aside: restoring ignores them)."""
    saved = load(archive.root)
    with archive.catalog.lock:
        current = snapshot(archive.catalog.connection)["collections"]
    if saved is None:
        return not current
    known = set(archive.catalog.ids())

    def norm(entries: list[dict]) -> list[tuple]:
        return sorted((c.get("name"), c.get("query"),
                       tuple(sorted(m.get("id") for m in c.get("members") or [] if m.get("id") in known)))
                      for c in entries)

    return norm(saved) == norm(current)


def save(archive: "Archive") -> None:
    """Rewrite collections.json now (check --repair; after an article left collections)."""
    with archive.catalog.transaction() as db:
        write(archive.root, db)


def restore(archive: "Archive", saved: list[dict] | None) -> tuple[int, int]:
    """Put back, into a rebuilt catalog, the collections `saved` (collections.json as
    loaded before the rebuild began: adopting the folders rewrites the file) lists
    and the catalog lacks, with those of their members that exist. Returns how many
    collections were restored, and how many of them are smart."""
    if not saved:
        return 0, 0
    restored = smart = 0
    with archive.catalog.transaction() as db:
        for entry in saved:
            name, query = entry["name"], entry.get("query")
            query = query if isinstance(query, str) and query.strip() else None
            row = db.execute("SELECT id, query FROM collections WHERE name = ?", (name,)).fetchone()
            if row is None:
                cur = db.execute("INSERT INTO collections (name, query, created) VALUES (?, ?, ?)",
                                 (name, query, str(entry.get("created") or "")))
                cid = cur.lastrowid
                restored += 1
                smart += query is not None
            elif row[1] is None and query is not None:
                # made manual by the folders' meta.json (a member named it): the file knows better
                db.execute("UPDATE collections SET query = ? WHERE id = ?", (query, row[0]))
                db.execute("DELETE FROM collection_members WHERE collection_id = ?", (row[0],))
                cid = row[0]
                smart += 1
            else:
                cid = row[0]
            if query is None:
                db.executemany(
                    "INSERT OR IGNORE INTO collection_members (collection_id, article_id, added) "
                    "SELECT ?, id, ? FROM articles WHERE id = ?",
                    [(cid, str(m.get("added") or ""), m.get("id")) for m in entry.get("members") or []
                     if isinstance(m, dict)])
        write(archive.root, db)
    return restored, smart
