"""Turn parsed import items into articles: save content, fetch the rest, keep failures pending.

The order of checks is what makes a re-import free and a big import safe:
1. parse the whole file (pure, fast) and collect every bad row as a message;
2. fold items repeated within the file (the same page saved twice, the
   addresses differing by a tracking parameter or a #fragment) into one that
   keeps what both say (items.merge_items); then, *before* any network work,
   merge each item the archive already has into that article (its tags,
   states, title over an address-only title, description: archive.merge_in,
   nothing removed) -- except that an item carrying content fills an article
   that is still pending (as `retry` would), merging the same way, and counts
   as updated;
3. save items that carry their content without fetching;
4. fetch the others on a bounded thread pool; a failed fetch becomes a
   pending article holding the reason, so a dead link loses nothing.
Progress is reported from the calling thread; cancel stops new work, lets the
running items finish, and whatever was not reached is simply imported by
running the same import again.
"""
from __future__ import annotations

import threading
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from archive.library import collections as collections_mod
from archive.base.errors import ImportFileError, QuireError
from archive.base.models import Article, Extracted, Highlight, ProgressFn
from archive.library.check import how_to_refill
from archive.library.highlights import check_color
from archive.capture.urls import normalize_url
from archive.extraction.pages import normalize_tags, prepare_page
from archive.interchange.importers import htmlpages
from archive.interchange.importers import instapaper
from archive.interchange.importers import netscape
from archive.interchange.importers import omnivore
from archive.interchange.importers import pocket
from archive.interchange.importers import quire_json
from archive.interchange.importers import urls
from archive.interchange.importers import wallabag
from archive.interchange.importers import chrome, firefox, karakeep, linkwarden, pinboard
from archive.interchange.importers import raindrop, readeck, readwise
from archive.interchange.importers.detect import FORMATS, detect_format
from archive.interchange.importers.items import (
    ImportCollection,
    ImportItem,
    ImportProblem,
    ParseResult,
    merge_items,
)

if TYPE_CHECKING:
    from archive.library.store import Archive

PARSERS: dict[str, Callable[[Path], ParseResult]] = {
    "netscape": netscape.parse,
    "pocket": pocket.parse,
    "instapaper": instapaper.parse,
    "wallabag": wallabag.parse,
    "omnivore": omnivore.parse,
    "urls": urls.parse,
    "folder": htmlpages.parse,
    "json": quire_json.parse,
    "pinboard": pinboard.parse,
    "linkwarden": linkwarden.parse,
    "karakeep": karakeep.parse,
    "readwise": readwise.parse,
    "raindrop": raindrop.parse,
    "readeck": readeck.parse,
    "chrome": chrome.parse,
    "firefox": firefox.parse,
}
ALIASES = {"pocket-csv": "pocket", "pocket_csv": "pocket", "html": "folder",
           "bookmarks": "netscape", "hoarder": "karakeep", "reader": "readwise",
           "readwise-reader": "readwise", "chromium": "chrome", "edge": "chrome",
           "places": "firefox", "places.sqlite": "firefox", "raindrop.io": "raindrop",
           "quire": "json", "txt": "urls"}
NOT_FETCHED = "not fetched (imported without fetching)"
#: Formats that read a folder (or a zip) as well as a file; the others read one file.
FOLDER_FORMATS = {"pocket", "omnivore", "folder", "readeck", "chrome", "firefox"}


@dataclass
class ImportReport:
    added: int = 0  # new saved articles
    updated: int = 0  # pending articles the import filled with content
    merged: int = 0  # already in the archive, and the file added tags, states or a description
    duplicates: int = 0  # already in the archive, with nothing new in the file
    combined: int = 0  # entries repeated within the file, folded into their first copy
    pending: int = 0  # kept without content (fetch failed or not attempted)
    #: why each pending article is pending: "address: reason"
    pending_why: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # "file line 7: reason", not imported
    warnings: list[str] = field(default_factory=list)  # imported, but something was dropped
    cancelled: bool = False
    not_reached: int = 0  # items left when cancelled
    format: str = ""
    article_ids: list[str] = field(default_factory=list)  # articles added (saved or pending) or filled

    @property
    def total(self) -> int:
        """The entries the file holds (every repeat and every refused row counted)."""
        return (self.added + self.updated + self.merged + self.duplicates + self.combined
                + self.pending + len(self.failed) + self.not_reached)

    @property
    def found(self) -> int:
        return self.total

    def counts_text(self) -> str:
        """One line of counts: "found 9: 3 added, 2 merged into existing, 1 already saved,
        1 repeated in the file, 1 pending, 1 failed" (zero counts of the rarer kinds left out)."""
        parts = [f"{self.added} added"]
        if self.updated:
            parts.append(f"{self.updated} updated")
        if self.merged:
            parts.append(f"{self.merged} merged into existing")
        parts.append(f"{self.duplicates} already saved")
        if self.combined:
            parts.append(f"{self.combined} repeated in the file (merged into their first copy)")
        parts.append(f"{self.pending} pending")
        parts.append(f"{len(self.failed)} failed")
        if self.cancelled:
            parts.append(f"cancelled with {self.not_reached} not reached")
        return f"found {self.found}: " + ", ".join(parts)

    def pending_lines(self) -> list[str]:
        """Why articles were kept pending: one line per reason shared by several
        ("12 pending: not fetched (imported without fetching)"), else the article's own."""
        counts = self.pending_reasons()
        lines = [f"{n} pending: {reason}" for reason, n in counts.items() if n > 1]
        lines += [f"pending {line}" for line in self.pending_why
                  if counts.get(line.split(": ", 1)[1] if ": " in line else line, 0) == 1]
        return lines

    def pending_reasons(self) -> dict[str, int]:
        """How many articles are pending for each reason (the address left out)."""
        counts: dict[str, int] = {}
        for line in self.pending_why:
            reason = line.split(": ", 1)[1] if ": " in line else line
            counts[reason] = counts.get(reason, 0) + 1
        return counts


def resolve_format(path: Path, fmt: str) -> str:
    fmt = (fmt or "auto").strip().lower()
    fmt = ALIASES.get(fmt, fmt)
    if fmt == "auto":
        return detect_format(path)
    if fmt not in PARSERS:
        raise ImportFileError(
            f"unknown import format {fmt!r}; use one of auto, {', '.join(FORMATS)}")
    if path.is_dir() and fmt not in FOLDER_FORMATS:
        raise ImportFileError(
            f"{path.name or path}: is a folder, and the {fmt} format reads one file; name the "
            f"file inside it, or use --format auto")
    return fmt


def parse_file(path: Path | str,
               fmt: str = "auto") -> list[ImportItem | ImportProblem | ImportCollection]:
    """Every record the parser finds (for previews and tests)."""
    path = Path(path)
    return list(PARSERS[resolve_format(path, fmt)](path))


def _dedupe_key(item: ImportItem) -> str | None:
    if item.url:
        try:
            return "url:" + normalize_url(item.url)
        except QuireError:
            return "url:" + item.url.strip()
    return "source:" + item.source_key if item.source_key else None


@dataclass
class _Outcome:
    kind: str  # "added" | "updated" | "merged" | "duplicate" | "pending" | "failed"
    article: Article | None = None
    message: str = ""  # why it failed; for another kind, a warning to show


def _label(item: ImportItem) -> str:
    return item.url or item.source_key or item.title or "an item"


def _pending(archive: "Archive", item: ImportItem, error: str) -> _Outcome:
    if not item.url:
        return _Outcome("failed", message=f"{_label(item)}: {error}")
    result = archive.add_pending(
        item.url, title=item.title, tags=item.tags, saved=item.saved, error=error,
        is_read=item.is_read, is_favorite=item.is_favorite, is_archived=item.is_archived,
        source=item.source_key, description=item.description)
    if not result.created:
        return _merge_existing(archive, result.article, item)
    return _Outcome("pending", result.article)


def _merge_existing(archive: "Archive", existing: Article, item: ImportItem) -> _Outcome:
    """An item the archive has already: what it adds is merged in (archive.merge_in)."""
    article, changed = archive.merge_in(
        existing.id, title=item.title, tags=item.tags, is_read=item.is_read,
        is_favorite=item.is_favorite, is_archived=item.is_archived,
        description=item.description)
    if item.highlights:  # only those the article lacks are added (_record), none twice
        have = {" ".join(str(h.quote).split()) for h in archive.highlights.list(article.id)}
        item.highlights = [h for h in item.highlights
                           if " ".join(str(h.get("quote") or "").split()) not in have]
        changed = changed or bool(item.highlights)
    return _Outcome("merged" if changed else "duplicate", article)


def _prepare(item: ImportItem) -> tuple[bytes, Extracted]:
    """Decode/extract an item's content, then lay the export's own metadata over what the
    extractor found, so the save writes and indexes the article once, complete."""
    raw, ex = prepare_page(item.html or "", item.url, extract=not item.extracted,
                           title=(item.title or None) if item.extracted else None)
    if item.text:  # the text the source archive indexed: same search hits, same word count
        if item.restore.get("uncertain"):
            ex.fulltext = item.text  # an uncertain article indexes the page's whole text
        else:
            ex.text = item.text
    if item.authors:
        ex.authors = list(item.authors)
    if item.published:
        ex.published = item.published
    if item.site:
        ex.site_name = item.site
    for name, value in item.restore.items():
        target = {"lang": "lang", "description": "description", "lead_image": "lead_image",
                  "uncertain": "uncertain"}.get(name)
        if target is not None:
            setattr(ex, target, value)
    return raw, ex


def _fills(existing: Article | None, item: ImportItem) -> bool:
    """True when `item` brings the content an already-known pending article lacks."""
    return existing is not None and existing.status == "pending" and item.html is not None


def _fill_pending(archive: "Archive", pending: Article, item: ImportItem) -> _Outcome:
    """Give a pending article the item's content, as `retry` does with a fetched page, and
    merge what the item says about it: its tags are added, a state set on either side
    stays set, and the content's own title and metadata replace the placeholders."""
    try:
        article = archive.replace_content(pending.id, item.html or "", extract=not item.extracted)
    except QuireError as exc:
        return _Outcome("duplicate", pending,
                        f"{_label(item)}: already in the archive, still pending: its content "
                        f"could not be saved ({exc})")
    article.tags = normalize_tags([*article.tags, *item.tags])
    article.description = item.description or article.description or ""
    article.is_read = article.is_read or item.is_read
    article.is_archived = article.is_archived or item.is_archived
    article.is_favorite = article.is_favorite or item.is_favorite
    article.title = item.title or article.title
    article.authors = list(item.authors) or article.authors
    article.published = item.published or article.published
    article.site = item.site or article.site
    article = archive.update(article)
    if item.progress:
        article = archive.set_state(article.id, progress=item.progress)
    return _Outcome("updated", article)


def _import_one(archive: "Archive", item: ImportItem, fetch: bool) -> _Outcome:
    """Save one item; never raises for a bad item (the outcome says what happened)."""
    try:
        existing = archive.find_duplicate(url=item.url, source=item.source_key)
        if _fills(existing, item):
            return _fill_pending(archive, existing, item)  # type: ignore[arg-type]
        if item.html is not None:
            try:
                prepared = _prepare(item)
                result = archive.save_html(
                    prepared[0], item.url, tags=item.tags, saved=item.saved,
                    source=item.source_key, is_read=item.is_read, is_favorite=item.is_favorite,
                    is_archived=item.is_archived, download_images=None if fetch else False,
                    prepared=prepared, description=item.description)
            except QuireError as exc:
                return _pending(archive, item, f"its content could not be saved: {exc}")
            if _fills(result.article if not result.created else None, item):
                return _fill_pending(archive, result.article, item)  # found by its canonical URL
            if not result.created:
                return _merge_existing(archive, result.article, item)
            outcome = _Outcome("added", result.article)
        elif item.pending_error is not None:
            outcome = _pending(archive, item, item.pending_error)
            if outcome.article is not None and outcome.kind == "pending":
                outcome.article = _restore_pending(archive, outcome.article, item)
        elif not fetch or item.url is None:
            return _pending(archive, item, NOT_FETCHED)
        else:
            try:
                result = archive.save_url(
                    item.url, tags=item.tags, saved=item.saved, is_read=item.is_read,
                    is_favorite=item.is_favorite, is_archived=item.is_archived,
                    description=item.description)
            except QuireError as exc:
                return _pending(archive, item, str(exc))
            if not result.created:
                return _merge_existing(archive, result.article, item)
            outcome = _Outcome("added", result.article)
        if outcome.kind == "added" and item.progress and outcome.article is not None:
            outcome.article = archive.set_state(outcome.article.id, progress=item.progress)
        return outcome
    except QuireError as exc:  # the archive itself refused (disk full, catalog error)
        return _Outcome("failed", message=f"{_label(item)}: {exc}")
    except Exception as exc:  # a bug on one odd page must not end a 5,000-item import
        try:
            return _pending(archive, item, f"unexpected error: {type(exc).__name__}: {exc}")
        except Exception as exc2:
            return _Outcome("failed", message=f"{_label(item)}: {type(exc2).__name__}: {exc2}")


def _restore_pending(archive: "Archive", article: Article, item: ImportItem) -> Article:
    """A pending article from a Quire export gets back what add_pending cannot take."""
    changed = False
    for name, value in (("authors", item.authors or None), ("published", item.published),
                        ("site", item.site), *item.restore.items()):
        if value is not None and name in Article.__dataclass_fields__ \
                and getattr(article, name) != value:
            setattr(article, name, value)
            changed = True
    if changed:
        article = archive.update(article)  # catalog + meta.json + index in one step
    if item.progress:
        article = archive.set_state(article.id, progress=item.progress)
    return article


def _restore_highlights(archive: "Archive", article: Article, item: ImportItem) -> list[str]:
    """The item's highlights as Quire highlights. A Quire export's come back exactly
    (ids, offsets, times); another service's are anchored by their quote. Returns a
    warning per highlight whose quote is not in the article's text."""
    warnings: list[str] = []
    exact: list[Highlight] = []
    for data in item.highlights:
        try:
            color = check_color(data.get("color")) if data.get("color") else None
        except QuireError:
            color = None
        if {"id", "start", "end"} <= set(data):
            try:
                mark = Highlight.from_dict({**data, "article_id": article.id})
                mark.start, mark.end = int(mark.start), int(mark.end)
                if not 0 <= mark.start <= mark.end:
                    raise ValueError("a range that ends before it starts")
                mark.color = color or "yellow"
                # a hand-edited file may hold numbers or nulls where text belongs
                mark.id, mark.quote = str(mark.id), str(mark.quote)
                mark.prefix, mark.suffix = str(mark.prefix or ""), str(mark.suffix or "")
                mark.note, mark.unplaced = str(mark.note or ""), bool(mark.unplaced)
                mark.created, mark.updated = str(mark.created or ""), str(mark.updated or "")
                exact.append(mark)
                continue
            except (TypeError, ValueError):
                pass  # placed by its quote below
        try:
            note, created = data.get("note"), data.get("created")
            archive.highlights.add_quote(article.id, data["quote"], color=color,
                                         note=note if isinstance(note, str) else "",
                                         created=created if isinstance(created, str) and created else None)
        except QuireError as exc:
            warnings.append(f"{_label(item)}: a highlight was not kept: {exc}")
    if exact:
        archive.highlights.put_exact(article.id, exact)
    return warnings


def _record(report: ImportReport, outcome: _Outcome, item: ImportItem,
            memberships: list[tuple[str, str]], archive: "Archive | None" = None) -> None:
    if outcome.kind == "failed":
        report.failed.append(outcome.message)
        return
    if outcome.message:
        report.warnings.append(outcome.message)
    if item.highlights and archive is not None and outcome.article is not None and outcome.kind != "duplicate":
        try:
            report.warnings.extend(_restore_highlights(archive, outcome.article, item))
        except QuireError as exc:
            report.warnings.append(f"{_label(item)}: its highlights were not kept: {exc}")
    if outcome.kind == "duplicate":
        report.duplicates += 1
        return
    if outcome.kind == "merged":
        report.merged += 1
        if outcome.article is not None:
            memberships.extend((name, outcome.article.id) for name in item.collections)
        return
    if outcome.kind == "added":
        report.added += 1
    elif outcome.kind == "updated":
        report.updated += 1
    else:
        report.pending += 1
        if outcome.article is not None:
            report.pending_why.append(f"{_label(item)}: {outcome.article.error or 'pending'}")
    if outcome.article is not None:
        report.article_ids.append(outcome.article.id)
        memberships.extend((name, outcome.article.id) for name in item.collections)


def _restore_collections(archive: "Archive", defs: list[ImportCollection],
                         memberships: list[tuple[str, str]], report: ImportReport) -> None:
    existing = {c.name.lower() for c in collections_mod.list_collections(archive)}
    for definition in defs:
        if definition.name.lower() in existing:
            continue
        try:
            collections_mod.create(archive, definition.name, definition.query)
            existing.add(definition.name.lower())
        except QuireError as exc:
            report.warnings.append(f"collection {definition.name!r}: {exc}")
    by_name: dict[str, list[str]] = {}
    for name, aid in memberships:
        by_name.setdefault(name, []).append(aid)
    for name, ids in by_name.items():
        try:
            if name.lower() not in existing:
                collections_mod.create(archive, name)
                existing.add(name.lower())
            collections_mod.add(archive, name, ids)
        except QuireError as exc:
            report.warnings.append(f"collection {name!r}: {exc}")


def import_file(archive: "Archive", path: Path | str, fmt: str = "auto", *, fetch: bool = True,
                concurrency: int = 8, progress: ProgressFn | None = None,
                cancel: threading.Event | None = None) -> ImportReport:
    """Import an export file (or folder) into `archive`; see the module docstring.

    Raises ImportFileError only when the file as a whole is unusable (unknown
    format, not found, zip bomb); bad rows are listed in report.failed.
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise ImportFileError(f"{path}: no such file or folder")
    report = ImportReport(format=resolve_format(path, fmt))
    items: list[ImportItem] = []
    collection_defs: list[ImportCollection] = []
    if progress:
        progress(0, 0, f"reading {path.name}")
    try:
        for record in PARSERS[report.format](path):
            if isinstance(record, ImportProblem):
                (report.failed if record.skipped else report.warnings).append(str(record))
            elif isinstance(record, ImportCollection):
                collection_defs.append(record)
            else:
                items.append(record)
    except OSError as exc:
        raise ImportFileError(f"{path.name or path}: cannot be read "
                              f"({exc.strerror or exc})") from exc
    total = len(items)
    memberships: list[tuple[str, str]] = []
    unique = _fold_repeats(items, report)
    todo: list[ImportItem] = []
    with archive.batch():
        for item in unique:  # already in the archive: no network, no extraction
            existing = archive.find_duplicate(url=item.url, source=item.source_key)
            if existing is None or _fills(existing, item):
                todo.append(item)
                continue
            try:
                outcome = _merge_existing(archive, existing, item)
            except QuireError as exc:
                outcome = _Outcome("failed", message=f"{_label(item)}: {exc}")
            _record(report, outcome, item, memberships, archive)
    done = total - len(todo)
    if progress:
        progress(done, total, f"{done} already in the archive" if done else "importing")
    _run(archive, todo, fetch, max(1, concurrency), report, memberships, progress, cancel,
         done, total)
    if collection_defs or memberships:
        _restore_collections(archive, collection_defs, memberships, report)
    return report


def _fold_repeats(items: list[ImportItem], report: ImportReport) -> list[ImportItem]:
    """The file's items with each page once: a repeat (the same normalized address, or
    source) is merged into the page's first item (items.merge_items) and counted as
    combined. Items with neither an address nor a source are all kept."""
    first_of: dict[str, ImportItem] = {}
    unique: list[ImportItem] = []
    for item in items:
        key = _dedupe_key(item)
        if key is None:
            unique.append(item)
        elif key in first_of:
            merge_items(first_of[key], item)
            report.combined += 1
        else:
            first_of[key] = item
            unique.append(item)
    return unique


def _run(archive: "Archive", todo: list[ImportItem], fetch: bool, concurrency: int,
         report: ImportReport, memberships: list[tuple[str, str]], progress: ProgressFn | None,
         cancel: threading.Event | None, done: int, total: int) -> None:
    """Work through `todo` on a pool, at most 2×concurrency items queued at once."""
    queue: Iterable[ImportItem] = iter(todo)
    running: dict[Future[_Outcome], ImportItem] = {}
    with archive.batch(), ThreadPoolExecutor(max_workers=concurrency,
                                             thread_name_prefix="quire-import") as pool:
        while True:
            while len(running) < concurrency * 2 and not (cancel and cancel.is_set()):
                item = next(queue, None)  # type: ignore[call-overload]
                if item is None:
                    break
                running[pool.submit(_import_one, archive, item, fetch)] = item
            if not running:
                break
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                item = running.pop(future)
                _record(report, future.result(), item, memberships, archive)
                done += 1
                if progress:
                    progress(done, total, item.title or _label(item))
    if cancel is not None and cancel.is_set():
        report.cancelled = True
        report.not_reached = sum(1 for _ in queue)


def retry_pending(archive: "Archive", progress: ProgressFn | None = None,
                  cancel: threading.Event | None = None, *, concurrency: int = 8,
                  ids: Iterable[str] | None = None) -> ImportReport:
    """Fetch pending articles again (all, or `ids`); each success fills the article in place,
    keeping its tags, states and saved date; each failure keeps it pending with the new reason."""
    pending = [a for a in archive.articles(status="pending")
               if ids is None or a.id in set(ids)]
    report = ImportReport(format="retry")
    total = len(pending)
    done = 0

    def retry_one(article: Article) -> _Outcome:
        try:
            fetcher = archive.fetcher
            if fetcher is None:
                raise QuireError(f"{article.url}: fetching is turned off for this archive")
            if not article.url:
                raise QuireError(f"{article.id}: a pending article without a URL cannot be fetched; "
                                 f"{how_to_refill(article)}")
            result = fetcher.fetch(article.url)
            return _Outcome("added", archive.replace_content(
                article.id, result.body, final_url=result.url,
                declared_encoding=getattr(result, "encoding", None)))
        except Exception as exc:  # keep it pending, with the newest reason
            reason = str(exc) if isinstance(exc, QuireError) else f"{type(exc).__name__}: {exc}"
            try:
                current = archive.get(article.id)
                if current.status == "pending" and current.error != reason:
                    current.error = reason
                    archive.update(current)
            except QuireError:
                pass
            return _Outcome("pending", article, f"{article.url}: {reason}")

    with archive.batch(), ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        queue = iter(pending)
        running: dict[Future[_Outcome], Article] = {}
        while True:
            while len(running) < concurrency * 2 and not (cancel and cancel.is_set()):
                article = next(queue, None)
                if article is None:
                    break
                running[pool.submit(retry_one, article)] = article
            if not running:
                break
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                article = running.pop(future)
                outcome = future.result()
                if outcome.kind == "added":
                    report.added += 1
                    report.article_ids.append(article.id)
                else:  # still pending, with its new reason: counted once, as pending
                    report.pending += 1
                    report.pending_why.append(outcome.message)
                done += 1
                if progress:
                    progress(done, total, article.title or article.url or article.id)
        if cancel is not None and cancel.is_set():
            report.cancelled = True
            report.not_reached = sum(1 for _ in queue)
    return report
