"""The archive's folder layout, named once.

An archive is a folder::

    catalog.sqlite            the catalog (state; archive.library.catalog)
    collections.json          the collections, mirrored (archive.library.userdata)
    index/                    the search index (derived; archive.search.index)
    articles/<id>/            one folder per article:
        article.html          the readable article (a whole page: it opens without Quire)
        meta.json             the catalog row, mirrored (the files alone rebuild the catalog)
        source.html.gz        the page as fetched (re-extraction, `check`)
        images/               its pictures
    articles/.tmp-<id>…       a folder being built (renamed into place when complete)
    articles/.old-<id>        the old folder during a swap (re-extraction, restore)
    articles/.del-<id>        a folder being deleted

This module is the only code that knows these names: the store, check, backup,
reindex and the reader ask it. A name starting with a dot is never an article.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from archive.base import atomic

ARTICLES_DIR = "articles"
CATALOG_FILE = "catalog.sqlite"
COLLECTIONS_FILE = "collections.json"
INDEX_DIR = "index"
ARTICLE_FILE = "article.html"
META_FILE = "meta.json"
SOURCE_FILE = "source.html.gz"
IMAGES_DIR = "images"
#: Folders beside the articles that are not articles (yet, or any more).
BUILDING_PREFIX = ".tmp-"
SWAPPED_PREFIX = ".old-"
DELETING_PREFIX = ".del-"
LEFTOVER_PREFIXES = (BUILDING_PREFIX, SWAPPED_PREFIX, DELETING_PREFIX)
#: The suffixes SQLite's WAL mode adds to the catalog's name.
CATALOG_SIDE_FILES = ("-wal", "-shm")


def is_article_name(name: str) -> bool:
    """Whether a name in articles/ is an article's folder (not a dot-name in the making)."""
    return not name.startswith(".")


def article_file(folder: Path) -> Path:
    """article.html inside an article's folder (or one being built)."""
    return folder / ARTICLE_FILE


def meta_file(folder: Path) -> Path:
    return folder / META_FILE


def source_file(folder: Path) -> Path:
    return folder / SOURCE_FILE


def images_dir(folder: Path) -> Path:
    return folder / IMAGES_DIR


def is_unfinished_file(name: str) -> bool:
    """A file an interrupted atomic write left behind (not part of the article)."""
    return name.startswith(atomic.TEMP_PREFIX)


class Layout:
    """The paths of one archive folder."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    @property
    def articles(self) -> Path:
        return self.root / ARTICLES_DIR

    @property
    def catalog(self) -> Path:
        return self.root / CATALOG_FILE

    @property
    def collections(self) -> Path:
        return self.root / COLLECTIONS_FILE

    @property
    def index(self) -> Path:
        return self.root / INDEX_DIR

    def damaged_catalog(self, stamp: str, n: int = 1) -> Path:
        """Where a damaged catalog is set aside (never deleted: smart collections live only there)."""
        return self.catalog.with_name(f"{CATALOG_FILE}.damaged-{stamp}" + (f"-{n}" if n > 1 else ""))

    def folder(self, article_id: str) -> Path:
        return self.articles / article_id

    def article_file(self, article_id: str) -> Path:
        return article_file(self.folder(article_id))

    def meta_file(self, article_id: str) -> Path:
        return meta_file(self.folder(article_id))

    def source_file(self, article_id: str) -> Path:
        return source_file(self.folder(article_id))

    def building(self, article_id: str, suffix: str = "") -> Path:
        """The dot-folder a new article folder is built in before it is renamed into place."""
        return self.articles / f"{BUILDING_PREFIX}{article_id}{'-' + suffix if suffix else ''}"

    def swapped(self, article_id: str) -> Path:
        """Where the old folder waits while a new one takes its place."""
        return self.articles / f"{SWAPPED_PREFIX}{article_id}"

    def deleting(self, article_id: str) -> Path:
        """Where a folder is moved while its article is deleted."""
        return self.articles / f"{DELETING_PREFIX}{article_id}"

    def article_folders(self) -> Iterator[Path]:
        """Every article's folder (dot-folders in the making are left out)."""
        for p in self.articles.iterdir():
            if p.is_dir() and is_article_name(p.name):
                yield p

    def folder_ids(self) -> set[str]:
        return {p.name for p in self.article_folders()}

    def leftovers(self) -> Iterator[tuple[str, str, Path]]:
        """(prefix, article id, path) of each dot-folder a crash may have left:
        one being built (BUILDING_PREFIX), swapped out or being deleted."""
        for p in self.articles.iterdir():
            if not p.is_dir():
                continue
            for prefix in LEFTOVER_PREFIXES:
                if p.name.startswith(prefix):
                    yield prefix, p.name[len(prefix):], p
                    break

    def set_aside(self, article_id: str) -> Path | None:
        """The whole folder an interrupted swap or delete left under another name, if any."""
        for path in (self.swapped(article_id), self.deleting(article_id)):
            if path.is_dir():
                return path
        return None
