"""Firefox keeps bookmarks in the profile's `places.sqlite` (no export step needed).

It is read strictly read-only: the file is copied first (Firefox may hold it open and
locked), and the copy opened with `file:…?mode=ro&immutable=1`, so nothing is written
to either. In it:
  moz_bookmarks (id, type 1=bookmark 2=folder 3=separator, fk -> moz_places.id, parent,
                 title, dateAdded in microseconds since 1970, guid)
  moz_places    (id, url, title)
The roots have fixed guids (root________, menu________, toolbar_____, unfiled_____,
mobile______, tags________). A tag is a folder under the tags root holding one entry
per tagged address; other folders become tags as in bookmark files (the roots are left
out). A bookmark's description, where an older Firefox stored one, is in
moz_items_annos under bookmarkProperties/description.
"""
from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path
from urllib.parse import quote

from archive.interchange.importers.items import (
    ImportItem,
    ImportProblem,
    ParseResult,
    check_url,
    folder_tag,
    iso_from_timestamp,
    lineage,
    link_title,
)

ROOT_GUIDS = {"root________", "menu________", "toolbar_____", "unfiled_____", "mobile______",
              "tags________"}
TAGS_ROOT = "tags________"
SQLITE_MAGIC = b"SQLite format 3\x00"


def is_places(path: Path) -> bool:
    """True when `path` is a SQLite file with Firefox's bookmark tables."""
    try:
        with open(path, "rb") as handle:
            if handle.read(16) != SQLITE_MAGIC:
                return False
        with _opened(path) as db:
            return db.execute("SELECT 1 FROM sqlite_master WHERE name = 'moz_bookmarks'").fetchone() \
                is not None
    except (OSError, sqlite3.Error):
        return False


class _opened:
    """A read-only connection to a private copy of the database."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tmp: tempfile.TemporaryDirectory | None = None
        self.db: sqlite3.Connection | None = None

    def __enter__(self) -> sqlite3.Connection:
        self.tmp = tempfile.TemporaryDirectory(prefix="quire-places-")
        copy = Path(self.tmp.name) / "places.sqlite"
        shutil.copyfile(self.path, copy)
        self.db = sqlite3.connect(f"file:{quote(str(copy))}?mode=ro&immutable=1", uri=True)
        return self.db

    def __exit__(self, *exc) -> None:
        if self.db is not None:
            self.db.close()
        if self.tmp is not None:
            self.tmp.cleanup()


def _descriptions(db: sqlite3.Connection) -> dict[int, str]:
    try:
        return {row[0]: row[1] for row in db.execute(
            "SELECT a.item_id, a.content FROM moz_items_annos a JOIN moz_anno_attributes n "
            "ON n.id = a.anno_attribute_id WHERE n.name = 'bookmarkProperties/description'")
            if isinstance(row[1], str)}
    except sqlite3.Error:
        return {}  # newer Firefox has no such tables


def _read(db: sqlite3.Connection, label: str) -> ParseResult:
    rows = db.execute("SELECT b.id, b.type, b.fk, b.parent, b.title, b.dateAdded, b.guid, p.url "
                      "FROM moz_bookmarks b LEFT JOIN moz_places p ON p.id = b.fk "
                      "ORDER BY b.parent, b.position, b.id").fetchall()
    nodes = {row[0]: row for row in rows}
    tags_root = next((row[0] for row in rows if row[6] == TAGS_ROOT), None)
    place_tags: dict[int, list[str]] = {}
    for row in rows:  # entries inside a tag folder: that place has the tag
        parent = nodes.get(row[3])
        if row[1] == 1 and parent is not None and parent[3] == tags_root and parent[4]:
            place_tags.setdefault(row[2], []).append(str(parent[4]))
    descriptions = _descriptions(db)

    def folders_of(node_id: int) -> list[str] | None:
        """Folder tags from the top down; None when the node is inside the tags root."""
        names: list[str] = []
        for node in lineage(nodes.get(node_id), lambda node: nodes.get(node[3]),
                            key=lambda node: node[0]):
            if node[0] == tags_root:
                return None
            if node[6] not in ROOT_GUIDS and node[4]:
                names.append(folder_tag(node[4]))
        return list(reversed(names))

    for row in rows:
        bid, kind, fk, parent, title, added, _guid, url = row
        if kind != 1:
            continue
        folders = folders_of(parent)
        if folders is None:
            continue  # a tag entry, not a bookmark
        url = str(url or "").strip()
        title = link_title(str(title or ""), url)
        where = f"{label} bookmark {bid}" + (f" ({title[:60]})" if title else "")
        problem = check_url(url)
        if problem:
            yield ImportProblem(where, problem)
            continue
        saved = None
        try:
            saved = iso_from_timestamp(added) if added else None
        except (ValueError, OverflowError, OSError, TypeError):
            yield ImportProblem(where, f"dateAdded {added!r} is not a time; imported without it",
                                skipped=False)
        yield ImportItem(url=url, title=title, saved=saved,
                         tags=folders + place_tags.get(fk, []),
                         description=descriptions.get(bid))


def parse(path: Path) -> ParseResult:
    """Yield an ImportItem per bookmark in places.sqlite (or in the places.sqlite of a
    profile folder); a problem for each bad one."""
    path = Path(path)
    if path.is_dir():
        if not (path / "places.sqlite").is_file():
            yield ImportProblem(path.name, "no places.sqlite in this folder (a Firefox profile "
                                           "folder holds one)")
            return
        path = path / "places.sqlite"
    try:
        with open(path, "rb") as handle:
            magic = handle.read(16)
    except OSError as exc:
        yield ImportProblem(path.name, f"cannot be read ({exc.strerror or exc})")
        return
    if magic != SQLITE_MAGIC:
        yield ImportProblem(path.name, "not a SQLite database (Firefox's places.sqlite)")
        return
    try:
        with _opened(path) as db:
            yield from list(_read(db, path.name))
    except sqlite3.Error as exc:
        yield ImportProblem(path.name, f"not a readable Firefox places.sqlite ({exc})")
