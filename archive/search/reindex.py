"""Rebuilding the whole index from the archive's files, on every core.

Whoosh's own multiprocessing writer pickles each document to its workers and
leaves the HTML → text step in the parent. Here the parent only lists work
items (catalog row + article.html path); each worker process reads the HTML,
extracts the text, analyses it into its own Whoosh segment and stores the
text, and hands the finished segment back. The parent, holding the index's
write lock throughout (so no other process's writer can interleave), then
commits a table of contents listing just the new segments: the old index stays
searchable until that moment, and a failed rebuild leaves it untouched.
"""
from __future__ import annotations

import os
import queue as queuemod
import time
from collections import deque
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from whoosh import index as windex

from archive.base.errors import ArchiveError
from archive.base.models import Article, ProgressFn
from archive.extraction.pages import html_to_text
from archive.search.whoosh_internals import FastSegmentWriter
from archive.search import index as index_module  # make_document looked up per call (tests replace it)
from archive.search.textstore import TextStore

#: Below this many articles, worker start-up costs more than it saves.
MIN_PARALLEL = 400
#: Worker → parent progress message every this many documents.
REPORT_EVERY = 100
#: article.html files read ahead of the indexing, and the threads reading them
READ_AHEAD = 32
READ_THREADS = 4


@dataclass
class WorkItem:
    """One document to index: the article's catalog data and where its text comes from."""

    article: Article  # the dataclass itself: asdict() cost more than the rest of listing
    html_path: str | None = None  # read and converted to text in the worker
    text: str | None = None  # or the text itself (the bench, pending articles)
    collections: list[str] = field(default_factory=list)


def _read_html(item: WorkItem) -> str | None:
    """The item's article.html, or None when it has none or it cannot be read
    (`check` reports those; the row is still indexed, without text)."""
    if item.text is not None or not item.html_path:
        return None
    try:
        return Path(item.html_path).read_text(encoding="utf-8")
    except (OSError, ValueError):
        return None


def _texts(items: Sequence[WorkItem]) -> Iterator[str]:
    """Each item's text, in order. The files are read READ_AHEAD items ahead on
    threads: on a cold disk the reads overlapped the CPU work instead of adding
    to it (file reads release the GIL)."""
    from concurrent.futures import ThreadPoolExecutor  # (only a rebuild reads ahead: see _run_workers)

    with ThreadPoolExecutor(max_workers=READ_THREADS) as pool:
        pending: deque = deque()
        ahead = iter(items)
        for item in islice(ahead, READ_AHEAD):
            pending.append((item, pool.submit(_read_html, item)))
        while pending:
            item, html = pending.popleft()
            following = next(ahead, None)
            if following is not None:
                pending.append((following, pool.submit(_read_html, following)))
            if item.text is not None:
                yield item.text
            else:
                raw = html.result()
                yield html_to_text(raw) if raw else ""


def _build_segment(index_dir: str, items: Sequence[WorkItem], part: int,
                   report: Callable[[tuple], None]) -> Any:
    """Index `items` into one new segment of the index at index_dir (no lock:
    the parent holds it) and store their texts; returns the segment."""
    ix = windex.open_dir(index_dir)
    writer = FastSegmentWriter(ix, _lk=False)
    texts = TextStore(Path(index_dir))
    pending: list[tuple[str, str]] = []
    try:
        for n, (item, text) in enumerate(zip(items, _texts(items)), 1):
            article = item.article
            writer.add_document(**index_module.make_document(article, text, item.collections))
            pending.append((article.id, text))
            if n % REPORT_EVERY == 0:
                texts.put_many(pending)
                pending = []
                report(("progress", part, REPORT_EVERY, article.title))
        texts.put_many(pending)
        report(("progress", part, len(items) % REPORT_EVERY, ""))
        if not items:
            writer.abandon_segment()
            return None
        return writer.finish_segment()
    except BaseException:
        writer.abandon_segment()
        raise
    finally:
        texts.close()


def _worker(index_dir: str, items: Sequence[WorkItem], part: int, out: Any) -> None:
    """Process entry point: build one segment, send it (or the error) back."""
    try:
        segment = _build_segment(index_dir, items, part, out.put)
        out.put(("done", part, segment))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises
        out.put(("error", part, f"{type(exc).__name__}: {exc}"))


def default_procs() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def rebuild(index: Any, items: Sequence[WorkItem], progress: ProgressFn | None = None,
            procs: int | None = None) -> int:
    """Replace the whole content of `index` (a SearchIndex) by `items`; returns how many.

    Parallel over `procs` worker processes (default: the machine's cores) when
    there are enough items to pay for starting them.
    """
    procs = procs or default_procs()
    if len(items) < MIN_PARALLEL:
        procs = 1
    total = len(items)
    done = 0

    def tick(message: str, n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(min(done, total), total, message)

    with index.write_lock:
        index.flush()
        writer = index.writer()  # other processes wait until the new index is in place
        try:
            # texts are replaced article by article, not cleared first: a rebuild that
            # fails leaves the old index in place, and its snippets need the old texts
            segments = []
            if procs == 1:
                seg = _build_segment(str(index.path), items, 0,
                                     lambda msg: tick(msg[3], msg[2]) if msg[0] == "progress" else None)
                segments = [seg] if seg is not None else []
            else:
                segments = _run_workers(str(index.path), items, procs, tick)
            writer.commit_segments(segments)
        except BaseException:
            # a rebuild that failed (a full disk, a worker gone) leaves no segment
            # files behind: they filled the disk more with every attempt
            # (closed first: closing writes the last of its files; then removed while
            # the lock is still held; then the lock let go)
            writer.abandon_segment()
            index.remove_unlisted_segments()
            writer.release_lock()
            raise
        index.refresh()
        index.texts.keep_only(item.article.id for item in items)  # articles gone since
    return total


def _run_workers(index_dir: str, items: Sequence[WorkItem], procs: int,
                 tick: Callable[[str, int], None]) -> list[Any]:
    # spawn, not fork: the GUI process has threads (Qt, the job pool)
    # here, not at the top: only a rebuild starts workers; the store imports this module
    # at every start
    # (with the lazy imports in charset, images and reindex together: a window start
    # 2.462 G -> 2.414 G instructions under cachegrind, peak RSS 125 -> 122 MB)
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    parts = [list(items[k::procs]) for k in range(procs)]
    workers = [ctx.Process(target=_worker, args=(index_dir, part, k, out), daemon=True)
               for k, part in enumerate(parts)]
    for w in workers:
        w.start()
    segments: dict[int, Any] = {}
    try:
        while len(segments) < len(workers):
            try:
                msg = out.get(timeout=1.0)
            except queuemod.Empty:
                dead = [k for k, w in enumerate(workers) if not w.is_alive() and k not in segments]
                if dead:
                    # a worker may have sent its last message just before exiting
                    time.sleep(0.2)
                    if out.empty():
                        raise ArchiveError(f"reindex: worker {dead[0]} stopped unexpectedly "
                                           f"(exit code {workers[dead[0]].exitcode})")
                continue
            kind, part = msg[0], msg[1]
            if kind == "progress":
                tick(msg[3], msg[2])
            elif kind == "done":
                segments[part] = msg[2]
            else:
                raise ArchiveError(f"reindex failed: {msg[2]}")
    finally:
        for w in workers:
            w.join(timeout=5)
            if w.is_alive():
                w.kill()
    return [segments[k] for k in sorted(segments) if segments[k] is not None]


def archive_items(archive: Any, articles: Iterable[Article] | None = None) -> list[WorkItem]:
    """What `Archive.reindex` indexes: every catalog row, text from its article.html."""
    items = []
    for article in (archive.articles() if articles is None else articles):
        path = archive.layout.article_file(article.id)  # archive.library.layout
        items.append(WorkItem(article=article,
                              html_path=str(path) if article.status == "saved" else None,
                              text=None if article.status == "saved" else ""))
    return items


def rebuild_archive(archive: Any, articles: Iterable[Article] | None = None,
                    progress: ProgressFn | None = None, procs: int | None = None) -> int:
    """Rebuild `archive`'s index from its catalog rows and article files."""
    return rebuild(archive.index, archive_items(archive, articles), progress, procs)
