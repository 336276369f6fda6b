"""The Archive: one folder holding the catalog, the article folders and the index.

Every save runs fetch → extract → sanitize → images → files → catalog → index,
and is atomic: the article's folder is built under a temporary name and renamed
into place only when complete, the catalog row is written in a transaction,
and if any later step fails the earlier ones are undone. A crash between steps
leaves at worst a complete folder the catalog does not know yet, which `check
--repair` adopts from its meta.json.
"""
from __future__ import annotations

import gzip
import html as htmlmod
import re
import secrets
import shutil
import sqlite3
import threading
from contextlib import contextmanager
from datetime import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from archive.base import atomic
from archive.base.errors import ArchiveError, NotFoundError, QuireError
from archive.base.models import WELCOME_SOURCE, Article, Extracted, ProgressFn, SearchHit
from archive.capture.charset import decode_html
from archive.capture.image_sources import LocalFirstFetcher, RecordingFetcher
from archive.capture.images import localize_images
from archive.capture.urls import check_scheme, normalize_url, other_address
from archive.extraction.htmlparse import element_text, parse_page
from archive.extraction.metadata import reading_stats
from archive.extraction.pages import (  # noqa: F401  (prepare_page, html_to_text: re-exported for callers)
    article_document,
    host_of,
    html_to_text,
    normalize_tags,
    now_iso,
    prepare_page,
    read_page_file,
    title_of_page,
)
from archive.base import media
from archive.library import collections, layout, userdata
from archive.library import tags as tags_ops
from archive.library.catalog import Catalog, CatalogDamagedError, DuplicateURLError, ReadOnlyError
from archive.library.check import adopt_orphans
from archive.library.highlights import Highlights, ReanchorReport
from archive.library.lock import OpenLock
from archive.library.tags import TagChange
from archive.search import reindex as index_rebuild
from archive.search.index import SearchIndex, make_document
from resources import resource_path

if TYPE_CHECKING:
    from archive.search.engine import SearchResult


WELCOME_SITE = "Quire"  # the site the welcome articles show


def _reason(exc: BaseException) -> str:
    """What SQLite said, without the path the message repeats."""
    text = str(exc)
    return text[text.rfind("(") + 1:text.rfind(")")] if text.endswith(")") and "(" in text else text


#: What re-extraction or filling a pending article changes; everything else of the
#: row (tags, states, progress, collections) is the user's and is kept.
_CONTENT_FIELDS = ("site", "authors", "published", "lang", "description", "lead_image", "uncertain",
                   "status", "error", "canonical_url", "final_url", "word_count", "reading_minutes")
#: A queue of articles to index this long, and half the archive or more, left on
#: open (a rebuild cut short) is redone as a full rebuild.
REBUILD_QUEUE_FROM = 1000


@dataclass
class SaveResult:
    article: Article
    created: bool  # False: the item was already in the archive, nothing was added
    #: one line per picture that could not be kept (its address and why); the article
    #: shows a placeholder naming it instead
    picture_problems: list[str] = field(default_factory=list)
    #: the item was in the archive as a pending article (its files lost, or an import's
    #: failed fetch) and this save gave it its content
    filled: bool = False
    #: the item was in the archive already, and these tags it was given were added to it
    tags_added: list[str] = field(default_factory=list)


class Archive:
    """A Quire archive on disk. Thread-safe: the GUI calls it from worker threads."""

    def __init__(self, root: Path | str, *, seed: bool = True, fetch: bool = True,
                 fetch_options: dict | None = None, progress: ProgressFn | None = None,
                 recover: bool = True, read_only: bool | None = None) -> None:
        """Open (or create) the archive at `root`.

        Leftovers of a crash (half-built or half-swapped folders) are recovered
        only when no other process has the archive open (lock.OpenLock): another
        process's folders in the making look the same. recover=False skips it in
        any case (a child process doing bulk work for the GUI).

        A catalog damaged inside (found by its quick_check on open) or lost is moved
        aside, never deleted, and rebuilt from the article folders and
        collections.json; `notices` then says so. An archive that cannot be written
        (read-only media, another user's folder, a full disk: `read_only` None
        detects it, also when opening for writing fails so) is opened for reading
        only: nothing is written, every reading works, writes raise ReadOnlyError
        with one sentence saying why.
        """
        self.root = Path(root).expanduser()
        self.layout = layout.Layout(self.root)
        #: what opening the archive did that the user should be told (a rebuilt catalog)
        self.notices: list[str] = []
        self.read_only = media.is_read_only(self.root, self.layout.catalog) if read_only is None else read_only
        #: the sentence a refused write says (None while the archive can be written)
        self.read_only_reason: str | None = media.read_only_sentence(self.root) if self.read_only else None
        self.fetch_enabled = fetch
        self.fetch_options = dict(fetch_options or {})  # Fetcher(**options): timeouts, size cap
        self._fetcher = None
        self._fetcher_lock = threading.Lock()
        self._commit_lock = threading.RLock()
        self._unflushed: list[str] = []
        #: highlights and notes (archive.library.highlights)
        self.highlights = Highlights(self)
        try:
            self._open(seed=seed, progress=progress, recover=recover)
        except BaseException as exc:
            if self.read_only or read_only is False or not media.cannot_write(exc, self.root):
                raise
            # a full disk (or read-only media statvfs did not tell) met while opening
            # for writing: everything that only reads still works
            self.read_only = True
            self.read_only_reason = (media.disk_full_message(self.root)
                                     if media.full_disk_behind(exc, self.root)
                                     else media.read_only_sentence(self.root))
            self._open(seed=seed, progress=progress, recover=recover)
        if self.read_only:
            self.notices.append(f"{self.read_only_reason}; opened for reading only")

    def _open(self, *, seed: bool, progress: ProgressFn | None, recover: bool) -> None:
        """Open the catalog, the index and the lock (for writing unless read_only),
        recover and index what a crash left; on failure nothing stays open."""
        if not self.read_only:
            try:
                self.root.mkdir(parents=True, exist_ok=True)
                self.layout.articles.mkdir(exist_ok=True)
            except OSError as exc:
                if media.cannot_write(exc) and self.layout.catalog.exists():
                    raise  # read instead (see __init__)
                raise ArchiveError(f"cannot create the archive folder {self.root}: "
                                   f"{exc.strerror or exc}") from exc
        elif not self.layout.catalog.exists():
            raise ArchiveError(f"{self.read_only_reason}, and it holds no Quire archive")
        self._open_lock = OpenLock(self.root)
        rebuilt: str | None = None  # why the catalog is rebuilt from the folders, if it is
        try:
            self.catalog = Catalog(self.layout.catalog, read_only=self.read_only,
                                   reason=self.read_only_reason)
            lost = self.catalog.created and any(self._article_folders())
            alone = False if self.read_only else self._open_lock.open_alone()
            if lost:
                rebuilt = "the catalog was missing"
        except CatalogDamagedError as exc:
            if self.read_only:
                raise ArchiveError(f"{exc}; this archive is read-only, so the catalog cannot be "
                                   "rebuilt here: copy the archive to a writable folder and open "
                                   "the copy") from exc
            alone = self._open_lock.open_alone()
            if not alone:
                self._open_lock.release()
                raise ArchiveError(f"{exc}; close every other Quire window or command on this archive "
                                   "and open it again to rebuild the catalog from the article folders") from exc
            try:
                saved_collections = userdata.load(self.root)
                aside = self._set_aside_catalog()
                self.catalog = Catalog(self.layout.catalog)
            except BaseException:
                self._open_lock.release()
                raise
            rebuilt = f"the catalog was damaged ({_reason(exc)}); it was moved aside to {aside.name}"
        else:
            saved_collections = userdata.load(self.root) if rebuilt else None
        try:
            self.index = self._open_index(alone)
            if recover and alone:
                try:
                    self._recover_folders()
                except OSError:
                    pass  # nothing to recover into (a full disk): the next open tries again
                if rebuilt and recover:
                    self.notices.append(self._rebuild_from_folders(rebuilt, saved_collections))
        except BaseException:
            self.catalog.close()
            self._open_lock.release()
            raise
        self._open_lock.share()
        if self.read_only:
            return  # nothing is indexed, drained or seeded: it would all be writing
        try:
            if self.index.was_rebuilt and self.catalog.count():
                self.reindex(progress)
            if recover:
                self._rewrite_queued_meta()
                self._drain_index_queue(progress)
            if seed and self.catalog.count() == 0 and not any(self._article_folders()):
                self.seed_welcome()
            if alone and not userdata.path_of(self.root).exists() and self._has_collections():
                userdata.save(self)  # an archive from before collections.json
        except BaseException:  # nothing stays open (a failed open in the window is retried)
            self.close()
            raise

    def _has_collections(self) -> bool:
        with self.catalog.lock:
            return self.catalog.connection.execute("SELECT 1 FROM collections LIMIT 1").fetchone() is not None

    def _rebuild_from_folders(self, why: str, saved_collections: list[dict] | None) -> str:
        """Fill a new, empty catalog from the article folders' meta.json and the
        collections collections.json kept; the sentence that tells the user so."""
        known = set(self.catalog.ids())
        problems = adopt_orphans(self, sorted(p.name for p in self._article_folders() if p.name not in known),
                                 index=False)  # indexed from the index queue
        userdata.restore(self, saved_collections)
        with self.catalog.lock:
            kinds = [q for (q,) in self.catalog.connection.execute("SELECT query FROM collections")]
        smart = sum(q is not None for q in kinds)
        articles = self.catalog.count()
        told = (f"{why}, and was rebuilt from the article folders: {articles} article"
                f"{'' if articles == 1 else 's'} and {len(kinds)} collection{'' if len(kinds) == 1 else 's'}"
                f"{f' ({smart} smart)' if smart else ''} restored")
        unreadable = [p for p in problems if p.kind == "bad-meta"]
        if unreadable:
            told += (f"; {len(unreadable)} folder{'' if len(unreadable) == 1 else 's'} could not be read "
                     "and were left in place (`quire check` lists them)")
        return told

    def rebuild_catalog(self, why: str) -> str:
        """Move a damaged catalog aside and rebuild it from the folders while the archive
        is open (check --repair). Needs the archive to itself: another process would
        keep using the old file."""
        if self.read_only:
            raise ReadOnlyError(f"this archive is read-only: {self.root} cannot be changed, so the "
                                "damaged catalog cannot be rebuilt here; copy the archive to a "
                                "writable folder and run `quire check --repair` on the copy")
        if not self._open_lock.try_exclusive():
            raise ArchiveError(f"{why}; close every other Quire window or command on this archive "
                               "and run `quire check --repair` again to rebuild the catalog")
        try:
            with self._commit_lock:
                saved_collections = userdata.load(self.root)
                self.catalog.close()
                aside = self._set_aside_catalog()
                self.catalog = Catalog(self.layout.catalog)
                told = self._rebuild_from_folders(f"{why}; it was moved aside to {aside.name}",
                                                  saved_collections)
        finally:
            self._open_lock.share()
        self._drain_index_queue()
        self.notices.append(told)
        return told

    def _open_index(self, alone: bool) -> SearchIndex:
        """The search index; one too damaged to open (a torn texts.sqlite or segment
        file) is derived data: emptied and rebuilt, when no other process uses it.
        An I/O error that is not damage (a full disk, read-only media) wipes nothing:
        it is raised, and the archive is opened for reading instead."""
        path = self.layout.index
        try:
            return SearchIndex(path, read_only=self.read_only)
        except ArchiveError:
            raise
        except Exception as exc:  # noqa: BLE001 - sqlite3, Whoosh and OS errors alike
            if media.is_io_trouble(exc):
                raise
            if not alone:
                raise ArchiveError(f"the search index {path} is damaged ({exc}); close every other "
                                   "Quire window or command on this archive and open it again to "
                                   "rebuild it") from exc
            for child in path.iterdir():
                if child.is_dir():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink(missing_ok=True)
            return SearchIndex(path)  # a new, empty index: was_rebuilt, so it is reindexed

    def _failed(self, where: str, what: str, exc: BaseException) -> ArchiveError:
        """The error a failed write raises: "the disk is full" when it is (a SQLite
        'database or disk is full', an ENOSPC, an I/O error with no space left), else
        what failed and why."""
        reason = getattr(exc, "strerror", None) or str(exc)
        if media.full_disk_behind(exc, self.root):
            return ArchiveError(f"{where}: the disk is full: {what} "
                                f"({reason}); free some space and try again (reading still works)")
        return ArchiveError(f"{where}: {what} ({reason})")

    def _check_writable(self) -> None:
        """ReadOnlyError, saying why, when this archive was opened for reading only."""
        if self.read_only:
            raise ReadOnlyError(f"{self.read_only_reason}; nothing was changed")

    def _set_aside_catalog(self) -> Path:
        """Move a damaged catalog.sqlite (and its -wal/-shm files) aside, never deleting
        it: smart collections live only there, and a tool may salvage more of it."""
        path = self.layout.catalog
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        aside = self.layout.damaged_catalog(stamp)
        n = 1
        while aside.exists():
            n += 1
            aside = self.layout.damaged_catalog(stamp, n)
        try:
            for suffix in layout.CATALOG_SIDE_FILES:
                extra = path.with_name(path.name + suffix)
                if extra.exists():
                    extra.rename(aside.with_name(aside.name + suffix))
            path.rename(aside)
            atomic.fsync_dir(self.root)
        except OSError as exc:
            raise ArchiveError(f"the catalog {path} is damaged and cannot be moved aside to rebuild it "
                               f"({exc.strerror or exc})") from exc
        return aside

    # -- lifecycle ---------------------------------------------------------------
    def close(self) -> None:
        """Close everything, even when the last index commit fails (a full disk): what
        it held stays in the catalog's index queue and is indexed on the next open."""
        try:
            self.index.close()
        except (OSError, sqlite3.Error, QuireError) as exc:
            if not media.is_io_trouble(exc) and not media.cannot_write(exc):
                raise
        finally:
            try:
                self.catalog.close()
            finally:
                if self._fetcher is not None:
                    self._fetcher.close()
                self._open_lock.release()

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def fetcher(self):
        """The shared HTTP client, created on first use."""
        if not self.fetch_enabled:
            return None
        with self._fetcher_lock:
            if self._fetcher is None:
                # httpx costs 80-400 ms to import (python -X importtime): only commands
                # that fetch pay for it
                from archive.capture.fetch import Fetcher

                self._fetcher = Fetcher(**self.fetch_options)
            return self._fetcher

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group the index commits of many saves into few (bulk work).

        Each article stays in the catalog's index queue until its index entry is
        committed, so a crash mid-batch loses no index entry: the next open
        re-indexes whatever is still queued.
        """
        try:
            with self.index.batch():
                yield
        except (OSError, sqlite3.Error) as exc:  # the last commit (a full disk)
            raise self._index_failed(exc) from exc
        self._dequeue_flushed()

    def _index_failed(self, exc: BaseException) -> ArchiveError:
        """An index commit failed: what was saved stays saved, and in the catalog's index
        queue, so the next open indexes it; the message says so (and "the disk is full")."""
        reason = getattr(exc, "strerror", None) or str(exc)
        what = ("the disk is full: the search index could not be updated"
                if media.full_disk_behind(exc, self.root) else "the search index could not be updated")
        return ArchiveError(f"{what} ({reason}); what was saved is kept and will be searchable after "
                            "the archive is next opened with free space")

    def _dequeue_flushed(self) -> None:
        with self.index.write_lock:
            if self.index.in_batch:
                return
            try:
                self.index.flush()
            except (OSError, sqlite3.Error) as exc:
                raise self._index_failed(exc) from exc
            ids, self._unflushed = self._unflushed, []
        try:
            self.catalog.dequeue_indexed(ids)
        except (sqlite3.Error, QuireError) as exc:
            if not media.is_io_trouble(exc) and not media.cannot_write(exc, self.root):
                raise
            # still queued: indexed once more on the next open, which is harmless

    def _index_add(self, article: Article, text: str) -> None:
        try:
            with self.index.write_lock:
                self.index.add(make_document(article, text, article.collections))
                self._unflushed.append(article.id)
            self.index.flush_if_due()  # outside the lock: other saves go on adding meanwhile
        except (OSError, sqlite3.Error) as exc:
            raise self._index_failed(exc) from exc
        self._dequeue_flushed()

    def _index_delete(self, article_id: str) -> None:
        try:
            with self.index.write_lock:
                self.index.delete(article_id)
                self._unflushed.append(article_id)
        except (OSError, sqlite3.Error) as exc:
            raise self._index_failed(exc) from exc
        self._dequeue_flushed()

    def _rewrite_queued_meta(self) -> None:
        """Write meta.json again for the articles a catalog migration changed (tags merged
        by case), so the files keep agreeing with the catalog; the queue is emptied only
        once written, so a crash meanwhile redoes it on the next open."""
        queued = self.catalog.meta_queue()
        if not queued:
            return
        done: list[str] = []
        with self._commit_lock:
            for article in self.catalog.get_many(queued).values():
                try:
                    self.mirror(article, searchable=False)
                except OSError:
                    continue  # read-only media: tried again next time
                done.append(article.id)
        gone = set(queued) - set(self.catalog.get_many(queued))
        try:
            self.catalog.done_meta(done + sorted(gone))
        except sqlite3.OperationalError:
            pass

    def _drain_index_queue(self, progress: ProgressFn | None = None) -> int:
        """Index (or un-index) whatever a crash or an older version left queued.

        A rebuild cut short leaves every article queued: then a full rebuild (on
        every core) is far quicker than indexing them one by one."""
        queued = self.catalog.index_queue()
        if not queued:
            return 0
        if len(queued) >= REBUILD_QUEUE_FROM and 2 * len(queued) >= self.catalog.count():
            self.reindex(progress)
            return len(queued)
        known = self.catalog.get_many(queued)
        with self.batch():
            for aid in queued:
                article = known.get(aid)
                if article is None:
                    self._index_delete(aid)
                else:
                    self.index_from_files(article)
        return len(queued)

    # -- repair (check --repair) and recovery ----------------------------------------
    def index_from_files(self, article: Article) -> None:
        """(Re-)index an article from its stored article.html."""
        text = html_to_text(self.article_html(article.id)) if article.status == "saved" else ""
        self._index_add(article, text)

    def unindex(self, article_id: str) -> None:
        """Drop an index entry whose article is gone."""
        self._index_delete(article_id)

    def adopt(self, article: Article) -> None:
        """Record an article whose complete folder the catalog does not know (a crash
        between placing the folder and the catalog row). Index it afterwards."""
        self._check_writable()
        with self._commit_lock:
            norm = self._norm_of(article)
            with self.catalog.transaction() as db:
                self.catalog.insert(article, norm, db, allow_duplicate=True, aliases=self._aliases(article, norm))
                for mark in article.highlights:  # meta.json carries them: the files alone rebuild them
                    mark.article_id = article.id
                    self.catalog.put_highlight(mark, db)

    def _recover_folders(self) -> None:
        """Finish or undo what a crash interrupted: half-built folders are dropped,
        an interrupted swap or delete is rolled back to the whole old folder."""
        for prefix, aid, p in list(self.layout.leftovers()):
            target = self.layout.folder(aid)
            if prefix == layout.BUILDING_PREFIX or target.exists() or not self.catalog.exists(aid):
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.rename(target)  # the catalog still has it: bring the files back

    # -- paths -------------------------------------------------------------------
    def _article_folders(self) -> Iterator[Path]:
        return self.layout.article_folders()

    def article_dir(self, article_id: str) -> Path:
        return self.layout.folder(article_id)

    def _new_id(self) -> str:
        while True:
            aid = secrets.token_hex(5)
            if not self.catalog.exists(aid) and not self.article_dir(aid).exists():
                return aid

    def resolve_id(self, prefix: str) -> str:
        """An id from a unique prefix of it (as typed at the command line)."""
        prefix = prefix.strip().lower()
        if self.catalog.exists(prefix):
            return prefix
        matches = self.catalog.ids_with_prefix(prefix) if prefix else []
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise NotFoundError(f"no article with id {prefix!r}")
        raise NotFoundError(f"id {prefix!r} is ambiguous: {', '.join(matches)}")

    # -- reading -----------------------------------------------------------------
    def get(self, article_id: str) -> Article:
        return self.catalog.get(article_id)

    def get_many(self, ids: list[str]) -> dict[str, Article]:
        """Articles by id (unknown ids are left out), in a few queries rather than one each."""
        return self.catalog.get_many(list(ids))

    def articles(self, status: str | None = None) -> list[Article]:
        return self.catalog.all(status)

    def article_html(self, article_id: str) -> str:
        path = self.layout.article_file(article_id)
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            self.get(article_id)  # NotFoundError for an unknown id
            return ""

    def article_text(self, article_id: str) -> str:
        stored = self.index.stored_text(article_id)
        if stored:
            return stored
        return html_to_text(self.article_html(article_id))

    def source_html(self, article_id: str) -> bytes:
        path = self.layout.source_file(article_id)
        try:
            return gzip.decompress(path.read_bytes())
        except FileNotFoundError:
            return b""

    def extraction_story(self, article_id: str) -> list[str]:
        """How the current extractor reads the article's stored original, step by step
        (`quire show ID --why`): what a user reporting a bad page can quote."""
        article = self.get(article_id)
        raw = self.source_html(article_id)
        if not raw:
            return [f"{article_id}: no stored original (source.html.gz): it was never fetched"
                    if article.status == "pending" else f"{article_id}: its stored original is missing"]
        if article.is_welcome:
            return ["a welcome article: its text is Quire's own, shipped as it is, not extracted"]
        _raw, ex = prepare_page(raw, article.final_url or article.url)
        return ex.why

    def article_fulltext(self, article_id: str) -> str:
        """The whole visible text of the original page (offered for uncertain articles)."""
        raw = self.source_html(article_id)
        if not raw:
            return ""
        text, _ = decode_html(raw)
        try:
            doc, _ = parse_page(text, None)
        except QuireError:
            return ""
        return element_text(doc, skip_invisible=True)

    def find_duplicate(self, url: str | None = None, source: str | None = None) -> Article | None:
        norm = self._norm(url)
        aid = self.catalog.find_by_url(norm) if norm else None
        if aid is None and source:
            aid = self.catalog.find_by_source(source)
        return self.catalog.get(aid) if aid else None

    # -- saving ------------------------------------------------------------------
    def save_url(self, url: str, *, tags: Iterable[str] = (), saved: str | None = None,
                 is_read: bool = False, is_favorite: bool = False, is_archived: bool = False,
                 description: str | None = None) -> SaveResult:
        """Fetch a page and save it (or return the copy already saved). `description`
        (a bookmark's note) replaces the page's own summary."""
        self._check_writable()
        url = url.strip()
        check_scheme(url)
        existing = self.find_duplicate(url=url)
        if existing is not None and existing.status != "pending":
            return self.already_saved(existing, tags)
        fetcher = self.fetcher
        if fetcher is None:
            raise QuireError(f"{url}: fetching is turned off for this archive")
        result = fetcher.fetch(url)
        if existing is not None:  # adding a pending article's page again fills it
            return self._fill(existing, tags, result.body, final_url=result.url,
                              declared_encoding=result.encoding)
        return self.save_html(result.body, url, final_url=result.url, tags=tags, saved=saved,
                              is_read=is_read, is_favorite=is_favorite, is_archived=is_archived,
                              declared_encoding=result.encoding, description=description)

    def save_file(self, path: Path | str, *, tags: Iterable[str] = ()) -> SaveResult:
        """Save a local .html/.htm file (charset from BOM, <meta>, else detection), with
        the pictures a browser saved beside it (archive.localfiles). Nothing is fetched:
        pictures named by web address become placeholders naming it."""
        self._check_writable()
        path, data = read_page_file(path)
        source = f"file:{path.resolve()}"
        existing = self.find_duplicate(source=source)
        if existing is not None and existing.status != "pending":
            return self.already_saved(existing, tags)
        prepared = prepare_page(data, None, page_file=str(path))
        if existing is not None:  # its files were lost (check --repair made it pending)
            return self._fill(existing, tags, b"", prepared=prepared)
        return self.save_html(b"", None, tags=tags, source=source, download_images=False,
                              prepared=prepared)

    def save_html(self, html: str | bytes, url: str | None = None, *, tags: Iterable[str] = (),
                  saved: str | None = None, source: str | None = None, is_read: bool = False,
                  is_favorite: bool = False, is_archived: bool = False, title: str | None = None,
                  extract: bool = True, download_images: bool | None = None,
                  final_url: str | None = None, declared_encoding: str | None = None,
                  prepared: "tuple[bytes, Extracted] | None" = None,
                  image_fetcher=None, description: str | None = None) -> SaveResult:
        """Save a page given as text or bytes. `extract=False` keeps the given HTML as the
        article body (content that was extracted already, e.g. a wallabag export).
        `prepared` is prepare_page()'s result when it already ran (in a worker process).
        `image_fetcher` downloads the pictures instead of the archive's own fetcher (the
        browser connector's refuses local and private addresses)."""
        self._check_writable()
        where = url or source or "the page"
        page_url = final_url or url
        raw, ex = prepared or prepare_page(html, page_url, extract=extract, title=title,
                                           declared_encoding=declared_encoding)
        canonical = other_address(ex.canonical_url)
        final_url = final_url if final_url != url else None
        norm = self._first_norm(url, canonical, final_url)
        existing = self._existing(url, final_url, canonical, source)
        if existing is not None:
            return self.already_saved(existing, tags)

        words, minutes = reading_stats(ex.text or ex.fulltext)
        article = Article(
            id=self._new_id(), title=" ".join((ex.title or "").split())[:1000] or (url or source or "Untitled"),
            url=url, canonical_url=canonical, final_url=final_url,
            site=ex.site_name or host_of(page_url), authors=ex.authors,
            published=ex.published, saved=saved or now_iso(), lang=ex.lang,
            description=(description or ex.description or "")[:2000], lead_image=ex.lead_image,
            word_count=words, reading_minutes=minutes,
            tags=self.catalog.canonical_tags(normalize_tags(tags)), is_read=is_read,
            is_favorite=is_favorite, is_archived=is_archived, uncertain=ex.uncertain, source=source,
        )
        if download_images is None:
            download_images = ((self.fetch_enabled or image_fetcher is not None) and bool(page_url)
                               and page_url.startswith(("http:", "https:")))
        # The folder is built outside the commit lock (image downloads take time),
        # under a dot-name that nothing lists; only the commit is serialized.
        tmp = self.layout.building(article.id)
        problems = self._build_folder(tmp, article, ex, raw, page_url,
                                      (image_fetcher or self.fetcher) if download_images else None, where)
        result = self._commit_new(article, norm, tmp, ex.searchable_text, where)
        if result.created:
            result.picture_problems = problems
        return result

    def _build_folder(self, folder: Path, article: Article, ex: Extracted, raw: bytes,
                      page_url: str | None, fetcher, where: str) -> list[str]:
        """Write a complete article folder under a dot-name nothing lists yet: pictures
        (fetched through `fetcher`, None for none, their addresses recorded), article.html,
        source.html.gz, meta.json. Runs outside the commit lock: downloads take time.
        Removes the folder again on any failure. Returns the pictures not kept."""
        try:
            folder.mkdir(exist_ok=True)
            recorder = RecordingFetcher(fetcher) if fetcher is not None else None
            pictures = layout.images_dir(folder)
            body, problems = localize_images(ex.content_html, page_url, pictures, recorder)
            if recorder is not None:
                recorder.write_sources(pictures)
            atomic.write_text(layout.article_file(folder), article_document(article, body))
            atomic.write_gzip(layout.source_file(folder), raw)
            atomic.write_json(layout.meta_file(folder), article.to_dict())
            atomic.fsync_dir(folder)
        except OSError as exc:
            shutil.rmtree(folder, ignore_errors=True)
            raise self._failed(where, "could not write the article", exc) from exc
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return problems

    def _existing(self, url: str | None, final_url: str | None, canonical: str | None,
                  source: str | None) -> Article | None:
        """The article already saved under any of these addresses (a redirect, a
        canonical link, a share link with tracking parameters) or this source."""
        for u in (url, other_address(final_url), other_address(canonical)):
            if u:
                existing = self.find_duplicate(url=u)
                if existing is not None:
                    return existing
        return self.find_duplicate(source=source) if source else None

    def _commit_new(self, article: Article, norm: str | None, tmp: Path, text: str, where: str) -> SaveResult:
        """Move a complete folder into place and record it (under the commit lock, so
        duplicates are caught), then index it outside the lock; undo on failure. If the
        page was saved meanwhile (a thread of this process, or another process), its
        folder is dropped and that article returned."""
        with self._commit_lock:
            existing = self._existing_of(article)
            if existing is not None:
                shutil.rmtree(tmp, ignore_errors=True)
                return self.already_saved(existing, article.tags)
            try:
                self._place(article, norm, tmp, where)
            except DuplicateURLError:  # by another process, between the check and the insert
                return self._saved_meanwhile(article, where)
        return self._index_new(article, text, where)

    def _existing_of(self, article: Article) -> Article | None:
        return self._existing(article.url, article.final_url, article.canonical_url, article.source)

    def _saved_meanwhile(self, article: Article, where: str) -> SaveResult:
        """The article another process saved under this address while this one was
        building its folder (the catalog's unique index refused the second insert)."""
        existing = self._existing_of(article)
        if existing is None:
            raise ArchiveError(f"{where}: the catalog refused it as a duplicate address, "
                               "but no article has that address")
        return self.already_saved(existing, article.tags)

    def _index_new(self, article: Article, text: str, where: str) -> SaveResult:
        try:
            self._index_add(article, text)
        except BaseException as exc:
            with self._commit_lock:
                self.catalog.delete(article.id)
                shutil.rmtree(self.article_dir(article.id), ignore_errors=True)
            if isinstance(exc, Exception):
                raise self._failed(where, "could not index the article", exc) from exc
            raise
        return SaveResult(article, True)

    def _place(self, article: Article, norm: str | None, tmp: Path, where: str) -> None:
        final = self.article_dir(article.id)
        try:
            tmp.rename(final)
            atomic.fsync_dir(final.parent)
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise self._failed(where, "could not write the article", exc) from exc
        try:
            tags = list(article.tags)
            self.catalog.insert(article, norm, aliases=self._aliases(article, norm))
            if article.tags != tags:  # another save spelled a tag first meanwhile
                atomic.write_json(layout.meta_file(final), article.to_dict())
        except BaseException as exc:
            shutil.rmtree(final, ignore_errors=True)
            if isinstance(exc, DuplicateURLError):
                raise  # the caller returns the article saved first
            if isinstance(exc, Exception):
                raise self._failed(where, "could not record the article in the catalog", exc) from exc
            raise

    def add_pending(self, url: str, *, title: str = "", tags: Iterable[str] = (),
                    saved: str | None = None, error: str, is_read: bool = False,
                    is_favorite: bool = False, is_archived: bool = False,
                    source: str | None = None, description: str | None = None) -> SaveResult:
        """Keep an item whose content could not be had yet (a failed fetch during import),
        so nothing is lost: it is listed, searchable by title/URL and retryable."""
        self._check_writable()
        existing = self.find_duplicate(url=url, source=source)
        if existing is not None:
            return SaveResult(existing, False)
        norm = self._norm(url)
        article = Article(id="", title=title or url, url=url, site=host_of(url), saved=saved or now_iso(),
                          tags=self.catalog.canonical_tags(normalize_tags(tags)), is_read=is_read,
                          is_favorite=is_favorite, is_archived=is_archived, status="pending", error=error, source=source,
                          description=(description or "")[:2000])
        # The folder is written outside the commit lock (its fsync takes time, and an
        # import adds thousands of these on several threads); only placing it and the
        # catalog row are serialized (_commit_new), which also catches a duplicate saved
        # meanwhile. The dot-name is unique: mkdir refuses an id another thread drew.
        try:
            while True:
                article.id = self._new_id()
                tmp = self.layout.building(article.id)
                try:
                    tmp.mkdir()
                    break
                except FileExistsError:
                    continue
            atomic.write_json(layout.meta_file(tmp), article.to_dict())
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)  # nothing there when mkdir itself failed
            raise ArchiveError(f"{url}: could not write the pending article ({exc.strerror or exc})") from exc
        return self._commit_new(article, norm, tmp, "", url)

    def already_saved(self, existing: Article, tags: Iterable[str] = ()) -> SaveResult:
        """An item saved again: the tags it was given now are added to the article
        (`add PAGE --tag x` for a saved page tags it; it used to ignore them), and
        the result says which were new. Nothing else of the article changes."""
        tags = list(tags)
        if not tags:
            return SaveResult(existing, False)
        had = {t.lower() for t in existing.tags}
        article, _changed = self.merge_in(existing.id, tags=tags)
        return SaveResult(article, False, tags_added=[t for t in article.tags if t.lower() not in had])

    def _fill(self, pending: Article, tags: Iterable[str], html: str | bytes, **kwargs) -> SaveResult:
        """Give a pending article the content of a page saved again (`quire add` of its
        address or file), keeping its tags, states and collections, adding `tags`."""
        article = self.replace_content(pending.id, html, **kwargs)
        if list(tags):
            article = self.tag(article.id, add=tags)
        return SaveResult(article, False, filled=True)

    def replace_content(self, article_id: str, html: str | bytes, *, final_url: str | None = None,
                        declared_encoding: str | None = None, extract: bool = True,
                        anchors: "ReanchorReport | None" = None,
                        changed: list[str] | None = None,
                        prepared: "tuple[bytes, Extracted] | None" = None) -> Article:
        """Fill a pending article, or re-extract a saved one, keeping its tags and states.
        Its highlights are placed again in the new text (`anchors` adds up how many were
        and could not be). A saved article whose new reading is the one it has is left
        exactly as it is (nothing written); one that did change is added to `changed`.
        `prepared` is prepare_page()'s result when it already ran (a page file, with the
        pictures saved beside it)."""
        self._check_writable()
        old = self.get(article_id)
        where = old.url or article_id
        page_url = final_url or old.url
        raw, ex = prepared or prepare_page(html, page_url, extract=extract,
                                           title=None if extract else old.title,
                                           declared_encoding=declared_encoding)
        folder = self.article_dir(article_id)
        new = Article.from_dict(old.to_dict())
        if old.status == "pending" or not old.title or old.title == old.url:
            new.title = ex.title or old.title
        new.site = ex.site_name or new.site or host_of(page_url)
        new.authors = ex.authors or old.authors
        new.published = ex.published or old.published
        new.lang = ex.lang or old.lang
        new.description = ex.description or old.description
        new.lead_image = ex.lead_image or old.lead_image
        new.uncertain = ex.uncertain
        new.status, new.error = "saved", None
        new.canonical_url = other_address(ex.canonical_url) or old.canonical_url
        if final_url and final_url != old.url:
            new.final_url = final_url
        new.word_count, new.reading_minutes = reading_stats(ex.text or ex.fulltext)
        # The new folder is built beside the old one, outside the commit lock; only the
        # swap (the old folder stays whole until the new one is complete) is serialized.
        staging = self.layout.building(article_id, secrets.token_hex(3))
        try:
            staging.mkdir()
            if layout.images_dir(folder).is_dir():
                shutil.copytree(layout.images_dir(folder), layout.images_dir(staging))
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise self._failed(where, "could not write the article", exc) from exc
        network = self.fetcher if (page_url or "").startswith(("http:", "https:")) else None
        # pictures stored before are reused: re-extraction works offline
        self._build_folder(staging, new, ex, raw, page_url, LocalFirstFetcher(layout.images_dir(staging), network),
                           where)
        try:
            new_text = html_to_text(layout.article_file(staging).read_text(encoding="utf-8"))
        except OSError:
            new_text = ""
        if old.status == "saved" and self._same_reading(folder, staging, old, new):
            shutil.rmtree(staging, ignore_errors=True)
            if anchors is not None:  # the same text: each highlight stays where it is
                anchors.add(ReanchorReport.unchanged(old.highlights))
            return old
        if changed is not None:
            changed.append(article_id)
        with self._commit_lock:
            try:
                # The row is read again inside the write transaction: tags, states,
                # collections or progress changed while the folder was built (by this
                # process or another) are kept, only the content's fields are new.
                with self.catalog.transaction() as db:
                    current = self.catalog.get(article_id)
                    if current.title == old.title:  # not renamed meanwhile
                        current.title = new.title
                    for name in _CONTENT_FIELDS:
                        setattr(current, name, getattr(new, name))
                    new = current
                    placed = self.highlights.reanchor_in(db, article_id, new_text)
                    if anchors is not None:
                        anchors.add(placed)
                    new.highlights = self.catalog.highlights_of(article_id, db)
                    norm = self._norm_of(new)
                    self.catalog.update(new, norm, db, aliases=self._aliases(new, norm))
                    atomic.write_json(layout.meta_file(staging), new.to_dict())  # as the catalog has it
                    # last: a failure rolls the row back
                    atomic.replace_dir(folder, staging, self.layout.swapped(article_id))
            except BaseException as exc:
                shutil.rmtree(staging, ignore_errors=True)
                if isinstance(exc, OSError):
                    raise self._failed(where, "could not write the article", exc) from exc
                raise
            self._index_add(new, ex.searchable_text)
        return new

    @staticmethod
    def _same_reading(folder: Path, staging: Path, old: Article, new: Article) -> bool:
        """The re-extracted folder holds what the article has: the same article.html,
        the same pictures and the same facts read from the page."""
        try:
            if layout.article_file(folder).read_bytes() != layout.article_file(staging).read_bytes():
                return False
            pictures = lambda root: sorted(p.name for p in layout.images_dir(root).glob("*")) if layout.images_dir(root).is_dir() else []
            if pictures(folder) != pictures(staging):
                return False
        except OSError:
            return False
        return all(getattr(old, name) == getattr(new, name) for name in _CONTENT_FIELDS)

    def reextract(self, ids: Iterable[str] | None = None, progress: ProgressFn | None = None,
                  cancel: threading.Event | None = None,
                  anchors: "ReanchorReport | None" = None,
                  changed: list[str] | None = None) -> tuple[int, list[str]]:
        """Run the current extractor again on stored originals. Returns (done, failures);
        `anchors` adds up the highlights placed again and those that could not be;
        `changed` gets the ids whose article did change (the others are not written)."""
        self._check_writable()
        targets = list(ids) if ids is not None else [a.id for a in self.articles() if a.status == "saved"]
        failures: list[str] = []
        done = 0
        with self.batch():
            for n, aid in enumerate(targets, 1):
                if cancel is not None and cancel.is_set():
                    break
                try:
                    raw = self.source_html(aid)
                    if not raw:
                        raise QuireError(f"{aid}: no stored original (source.html.gz) to re-extract")
                    self.replace_content(aid, raw, extract=not self.get(aid).is_welcome, anchors=anchors, changed=changed)
                    done += 1
                except QuireError as exc:
                    failures.append(str(exc))
                if progress:
                    progress(n, len(targets), aid)
        return done, failures

    @staticmethod
    def _norm(url: str | None) -> str | None:
        if not url:
            return None
        try:
            return normalize_url(url)
        except QuireError:
            return None

    def _first_norm(self, url: str | None, canonical: str | None, final_url: str | None) -> str | None:
        """The address an article is known by: the one it was saved from, else its
        canonical, else where its redirects ended (a page saved from disk has only
        the canonical link it carries)."""
        for candidate in (url, other_address(canonical), other_address(final_url)):
            norm = self._norm(candidate)
            if norm:
                return norm
        return None

    def _norm_of(self, article: Article) -> str | None:
        """_first_norm of a stored article: every write of its row keeps it, so
        tagging it does not make it unrecognisable (a file's canonical address)."""
        return self._first_norm(article.url, article.canonical_url, article.final_url)

    def _aliases(self, article: Article, norm: str | None) -> list[str]:
        """The article's other normalized addresses (canonical, final), by which a later
        save of the same page is recognised."""
        out: list[str] = []
        for address in (article.canonical_url, article.final_url):
            alias = self._norm(other_address(address))
            if alias and alias != norm and alias not in out:
                out.append(alias)
        return out

    # -- tags and states -----------------------------------------------------------
    def _update(self, article: Article) -> Article:
        """Write a changed article to catalog, meta.json and index."""
        self._check_writable()
        with self._commit_lock:
            self.catalog.update(article, self._norm_of(article))
            self.mirror(article, searchable=True)
        return article

    @property
    def commit_lock(self) -> threading.RLock:
        """Held around a catalog write and its mirror (meta.json, the index), so that
        writes of this process land in both in the same order (archive.library.highlights
        and check take it for theirs)."""
        return self._commit_lock

    def mirror(self, article: Article, *, searchable: bool) -> None:
        """After the catalog row: meta.json mirrors it, and the index if it must know
        (hold commit_lock around the catalog write and this)."""
        folder = self.article_dir(article.id)
        # the catalog's highlights, not the caller's copy's: one added meanwhile (by
        # another process) is mirrored, not overwritten
        article.highlights = self.catalog.highlights_of(article.id)
        if folder.is_dir():
            try:
                atomic.write_json(layout.meta_file(folder), article.to_dict())
            except OSError as exc:
                # the catalog has the change; meta.json is written again on the next
                # open (a full disk would else leave the two disagreeing)
                try:
                    self.catalog.queue_meta([article.id])
                except (sqlite3.Error, QuireError):
                    pass  # check --repair rewrites it
                raise self._failed(article.id, "the change is kept, but its meta.json could not "
                                   "be written (it is written again when the archive next opens)",
                                   exc) from exc
        if searchable:
            self._index_add(article, self.article_text(article.id))

    def update(self, article: Article) -> Article:
        """Store changed metadata or state of an article (catalog, meta.json, index).
        Its content is untouched; for new content use replace_content()."""
        self.get(article.id)
        return self._update(article)

    def refresh(self, article_id: str) -> Article:
        """Re-write meta.json and the index entry from the catalog (after a change made
        in the catalog directly, such as collection membership)."""
        with self._commit_lock:
            return self._update(self.get(article_id))

    def _change(self, article_id: str, change: Callable[[Article], bool]) -> Article:
        """Read the article, `change` it and write it back in one write transaction,
        so a change another process made meanwhile (a CLI tagging beside the window)
        is not undone by an older copy. `change` says whether the index must know."""
        self._check_writable()
        with self._commit_lock:
            with self.catalog.transaction() as db:
                article = self.catalog.get(article_id)
                searchable = change(article)
                self.catalog.update(article, self._norm_of(article), db, reindex=searchable)
            self.mirror(article, searchable=searchable)
        return article

    def tag(self, article_id: str, add: Iterable[str] = (), remove: Iterable[str] = ()) -> Article:
        def change(article: Article) -> bool:
            drop = {t.lower() for t in normalize_tags(remove)}
            tags = [t for t in article.tags if t.lower() not in drop]
            for t in normalize_tags(add):
                if t.lower() not in {x.lower() for x in tags}:
                    tags.append(t)
            article.tags = normalize_tags(tags)
            return True

        return self._change(article_id, change)

    def tags(self) -> list[tuple[str, int]]:
        return self.catalog.tag_counts()

    def rename_tag(self, old: str, new: str, progress: ProgressFn | None = None) -> TagChange:
        """Rename the tag `old` on every article, its "old/…" children with it; when
        `new` already exists this merges the two. NotFoundError if no article has it."""
        return self._retag(lambda stored: tags_ops.rename_mapping(stored, old, new), progress)

    def merge_tags(self, target: str, sources: Iterable[str],
                   progress: ProgressFn | None = None) -> TagChange:
        """Every source tag (and its children) becomes `target` on every article."""
        sources = list(sources)
        return self._retag(lambda stored: tags_ops.merge_mapping(stored, target, sources), progress)

    def delete_tag(self, name: str, progress: ProgressFn | None = None) -> TagChange:
        """Remove the tag `name` and its "name/…" children from every article
        (the articles stay)."""
        return self._retag(lambda stored: tags_ops.rename_mapping(stored, name, ""), progress)

    def _retag(self, plan: Callable[[list[str]], dict[str, str]],
               progress: ProgressFn | None) -> TagChange:
        """One pass: the mapping is planned from the tags stored at that moment and
        every affected article rewritten in one catalog transaction (each stays
        queued for indexing until its entry is committed, so a crash loses nothing);
        then meta.json of each, and the index in one commit. `progress` only reports:
        the catalog is committed before it is first called, so the rest must run too."""
        with self._commit_lock:
            with self.catalog.transaction() as db:
                mapping = plan([name for name, _count in self.catalog.tag_counts()])
                change = tags_ops.TagChange(renamed=mapping)
                ids = self.catalog.ids_tagged(list(mapping))
                for article in self.catalog.get_many(ids).values():
                    article.tags = tags_ops.apply_mapping(article.tags, mapping)
                    self.catalog.update(article, self._norm_of(article), db)
                    change.articles.append(article)
            with self.batch():  # one index commit for all, not one per article
                for n, article in enumerate(change.articles):
                    if progress:
                        progress(n, len(change.articles), article.title)
                    self.mirror(article, searchable=True)
        if progress:
            progress(len(change.articles), len(change.articles), "")
        return change

    def merge_in(self, article_id: str, *, title: str = "", tags: Iterable[str] = (),
                 is_read: bool = False, is_favorite: bool = False,
                 is_archived: bool = False, description: str | None = None) -> tuple[Article, bool]:
        """Add what another copy of the article says (an import meeting it again) without
        removing anything: its tags are added, a state it sets is set, its title replaces
        only a missing or address-only one, its description only a missing one. The saved
        date stays the archive's (when it was first saved). Returns the article and whether anything changed (an
        unchanged article is not written at all)."""
        with self._commit_lock:
            with self.catalog.transaction() as db:
                article = self.catalog.get(article_id)
                before = article.to_dict()
                article.tags = normalize_tags([*article.tags, *tags])
                article.is_read = article.is_read or is_read
                article.is_favorite = article.is_favorite or is_favorite
                article.is_archived = article.is_archived or is_archived
                old_title = article.title.strip()
                if title.strip() and (not old_title or old_title in (article.url, article.source)
                                      or re.match(r"^[a-z][a-z0-9+.-]*://\S+$", old_title, re.I)):
                    article.title = " ".join(title.split())[:1000]
                if description and not article.description.strip():
                    article.description = description[:2000]
                changed = article.to_dict() != before
                if changed:
                    self.catalog.update(article, self._norm_of(article), db)
            if changed:
                self.mirror(article, searchable=True)
        return article, changed


    def set_state(self, article_id: str, *, is_read: bool | None = None, is_favorite: bool | None = None,
                  is_archived: bool | None = None, progress: float | None = None) -> Article:
        def change(article: Article) -> bool:
            searchable = False
            for name, value in (("is_read", is_read), ("is_favorite", is_favorite),
                                ("is_archived", is_archived)):
                if value is not None and getattr(article, name) != bool(value):
                    setattr(article, name, bool(value))
                    searchable = True
            if progress is not None:
                article.progress = min(1.0, max(0.0, float(progress)))
            return searchable

        return self._change(article_id, change)

    def delete(self, article_id: str) -> None:
        self._check_writable()
        with self._commit_lock:
            self.get(article_id)
            folder = self.article_dir(article_id)
            trash = self.layout.deleting(article_id)
            moved = False
            try:
                if folder.exists():
                    shutil.rmtree(trash, ignore_errors=True)  # a stale one: the folder is whole
                    folder.rename(trash)
                    moved = True
                self.catalog.delete(article_id)
            except BaseException as exc:
                # the row stays, so the folder must too: left as .del-<id>, the article
                # showed empty, check --repair made it pending and the next open removed it
                if moved:
                    trash.rename(folder)
                if isinstance(exc, (OSError, sqlite3.Error)):
                    raise ArchiveError(f"{article_id}: could not delete the article ({exc})") from exc
                raise
            self._index_delete(article_id)
            shutil.rmtree(trash, ignore_errors=True)

    # -- search --------------------------------------------------------------------
    def search(self, query: str, *, limit: int = 20, offset: int = 0, sort: str = "relevance") -> list[SearchHit]:
        return self.search_full(query, limit=limit, offset=offset, sort=sort).hits

    def search_full(self, query: str, *, limit: int = 20, offset: int = 0, sort: str = "relevance",
                    facets: bool = False, snippets: bool = True, suggest: bool = True) -> "SearchResult":
        """Hits plus the total count, a note on how the query was read, a "did you
        mean" suggestion when nothing matched, and (facets=True) tag/site counts."""
        # Imported on the first search: the query language, snippets and the block
        # scorer cost 60-160 ms to import (python -X importtime main.py list), which
        # `quire list`, `add` and the window's first paint do not need.
        from archive.search.engine import run_search

        return run_search(self, query, limit=limit, offset=offset, sort=sort, facets=facets,
                          snippets=snippets, suggest=suggest)

    def count(self, query: str) -> int:
        """How many articles a query matches (no snippets, no spelling suggestions)."""
        return self.search_full(query, limit=1, snippets=False, suggest=False).total

    def collection_filter(self, name: str) -> str | list[str]:
        """What `collection:NAME` in a query stands for (the search engine asks, so it
        needs to know nothing of collections): a smart collection's query text, or a
        manual one's member ids. NotFoundError when there is no such collection."""
        return collections.search_filter(self, name)

    # -- index maintenance ---------------------------------------------------------
    def reindex(self, progress: ProgressFn | None = None) -> int:
        """Rebuild the index from the catalog and the article files, on every core."""
        self._check_writable()
        articles = self.articles()
        self._check_room_for_index(articles)
        ids = [a.id for a in articles]
        # queued first: a rebuild cut short is finished on the next open
        self.catalog.queue_for_index(ids)
        try:
            index_rebuild.rebuild_archive(self, articles, progress)
        except (OSError, sqlite3.Error) as exc:
            raise self._index_failed(exc) from exc
        self.catalog.dequeue_indexed(ids)
        return len(articles)

    def _check_room_for_index(self, articles: list[Article]) -> None:
        """Refuse a rebuild the disk has no room for: it failed half-way and left its
        segment files filling the disk. The new index takes about what the old one
        does (the old stays until the new is complete), or, without one, about half
        the articles' HTML; plus a margin."""
        free = media.free_bytes(self.root)
        if free is None:
            return
        html = 0
        for article in articles:
            try:
                html += self.layout.article_file(article.id).stat().st_size
            except OSError:
                pass
        needed = max(self.index.size_on_disk(), html // 2) + media.LOW_SPACE
        if free < needed:
            raise ArchiveError(f"the disk is full: rebuilding the search index needs about "
                               f"{-(-needed // (1 << 20))} MB and {free >> 20} MB are free at {self.root}; "
                               "free some space and try again (reading still works)")

    # -- welcome -------------------------------------------------------------------
    def seed_welcome(self) -> list[Article]:
        """Fill a new, empty archive with the welcome articles from resources/."""
        out: list[Article] = []
        folder = resource_path("welcome")
        if not folder.is_dir():
            return out
        with self.batch():
            for path in sorted(folder.glob("*.html")):
                page = path.read_text(encoding="utf-8", errors="replace")
                title = title_of_page(page)
                # the heading repeats the title, which the reader and the list show
                # already (it stays in the file, for reading it in a browser)
                page = re.sub(r"<h1>\s*" + re.escape(htmlmod.escape(title, quote=False)) + r"\s*</h1>",
                              "", page, count=1)
                raw, ex = prepare_page(page, None, extract=False, title=title)
                ex.site_name = WELCOME_SITE  # Quire's own pages: not "" (shown as "— -")
                result = self.save_html(b"", None, source=f"{WELCOME_SOURCE}{path.name}", title=title,
                                        extract=False, download_images=False, tags=["quire"],
                                        prepared=(raw, ex))
                out.append(result.article)
        return out

