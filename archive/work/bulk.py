"""Saving many items at once: one bad item never stops the others.

Three stages overlap: pages are fetched concurrently (bounded, on the fetcher's
event loop) or read from disk; decoding and extraction — the CPU-heavy part —
run in a process pool on every core; the store step (images, files, catalog,
index) runs on a few threads. Results are yielded as each item finishes.
"""
from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Iterable, Iterator, Literal
from urllib.parse import unquote, urlparse

from archive.base.errors import QuireError
from archive.base.models import Article, ProgressFn
from archive.capture.urls import check_scheme
from archive.extraction.pages import HTML_SUFFIXES, check_page_file, prepare_page, read_page_file
from archive.library.store import Archive, SaveResult

#: Below this many items a process pool costs more to start than it saves.
POOL_THRESHOLD = 8

Outcome = SaveResult | Exception
Answer = tuple[str, Outcome]


#: What the user may type before an address to name a scheme that is not a web page's
#: (refused with the fetcher's message, not taken for a file name).
_OTHER_SCHEMES = ("javascript:", "data:", "mailto:", "file:")
#: Names that are files, not hosts, when typed bare ('notes.txt' is no web site).
_FILE_SUFFIXES = (".txt", ".md", ".pdf", ".csv", ".json", ".zip", ".epub", ".mht", ".mhtml",
                  ".png", ".jpg", ".jpeg", ".gif", ".webp", ".doc", ".docx", ".odt")


def classify_input(text: str) -> tuple[Literal["url", "file"], str]:
    """('url', address) or ('file', path): what one thing a user asked to save names.

    The one rule of every front end (`quire add`, the window's Save box, drops and
    pastes), so an item means the same wherever it is typed. An address keeps its
    scheme (a refused one, javascript:, is refused by the fetcher with its reason);
    `www.x/p` and `example.org/page` typed without one are https; a file:// URL is
    its path; an existing file, or text that reads as a path or a page file's name
    (pages.HTML_SUFFIXES), is a file, checked when saved (pages.check_page_file).
    Raises QuireError when the text is neither."""
    item = text.strip().strip("<>").strip()
    lower = item.lower()
    if lower.startswith("file://"):
        return "file", unquote(urlparse(item).path)
    if "://" in item or lower.startswith(_OTHER_SCHEMES):
        return "url", item
    if lower.startswith("www."):
        return "url", f"https://{item}"
    if "\x00" in item:
        return "file", item  # check_page_file names the problem
    path = Path(item).expanduser()
    try:
        exists = path.exists()
    except (OSError, ValueError):
        exists = False
    if exists or item.startswith(("/", "~", ".", "\\")) or path.suffix.lower() in HTML_SUFFIXES:
        return "file", item
    host = item.split("/")[0]
    if "." in host and " " not in item and ":" not in host and (
            "/" in item or path.suffix.lower() not in _FILE_SUFFIXES):
        return "url", f"https://{item}"  # 'example.org/page' typed without a scheme
    raise QuireError(f"{text}: no such file, and not a web address (http:// or https://)")


def _page_file(item: str) -> Path:
    """The saved page `item` names, after the checks every file save makes
    (pages.check_page_file)."""
    return check_page_file(item)


def _key(item: str) -> str:
    """What makes two items the same work: the URL fetched (``www.x/p`` is
    ``https://www.x/p``), or the file read."""
    try:
        kind, target = classify_input(item)
    except QuireError:
        return item
    if kind == "url":
        return target
    try:
        return f"file:{Path(target).expanduser().resolve()}"
    except (OSError, ValueError):
        return target


def save_one(archive: Archive, item: str, tags: Iterable[str] = ()) -> SaveResult:
    """Save a URL or a local file, whichever `item` names."""
    kind, target = classify_input(item)
    if kind == "url":
        return archive.save_url(target, tags=tags)
    return archive.save_file(_page_file(target), tags=tags)


def _wrap(item: str, exc: BaseException) -> QuireError:
    if isinstance(exc, QuireError):
        return exc
    return QuireError(f"{item}: unexpected error ({type(exc).__name__}: {exc})")


def _saved_before(archive: Archive, item: str, tags: list[str],
                  existing: Article | None) -> Outcome | None:
    """The answer for an item the archive already has (`existing`, found by its URL or its
    file's source key): a pending article is filled by saving it again, a saved one is
    "already saved" (given the new tags). None for a new item, which goes to the pool."""
    if existing is None:
        return None
    if existing.status == "pending":
        return save_one(archive, item, tags)  # fills it
    return archive.already_saved(existing, tags)


def save_many(archive: Archive, items: list[str], *, tags: Iterable[str] = (), concurrency: int = 8,
              workers: int | None = None, progress: ProgressFn | None = None,
              cancel: threading.Event | None = None) -> Iterator[Answer]:
    """Yield (item, SaveResult or the error) for each item, as each finishes.

    Every item is answered exactly once. Items that name the same work (the same
    item twice, ``www.x/p`` beside ``https://www.x/p``) are done once and the
    later ones get the first one's result."""
    tags = list(tags)
    total = len(items)
    done = 0
    answered: dict[str, Outcome] = {}

    def report(item: str, outcome: Outcome) -> Answer:
        nonlocal done
        done += 1
        answered.setdefault(item, outcome)
        if progress:
            progress(done, total, item)
        return item, outcome

    if total < POOL_THRESHOLD:
        for item in items:
            if cancel is not None and cancel.is_set():
                yield report(item, QuireError(f"{item}: cancelled"))
                continue
            try:
                yield report(item, save_one(archive, item, tags))
            except Exception as exc:
                yield report(item, _wrap(item, exc))
        return

    # Stage 0: what needs no work (duplicates, bad items) is answered at once.
    urls: list[str] = []
    files: list[tuple[str, Path, str]] = []  # (item, page file, its source key)
    repeats: list[tuple[str, str]] = []  # (item, the earlier item doing the same work)
    first_of: dict[str, str] = {}
    for item in items:
        key = _key(item)
        if key in first_of:
            repeats.append((item, first_of[key]))
            continue
        first_of[key] = item
        try:
            kind, target = classify_input(item)
            if kind == "url":
                url = target
                check_scheme(url)
                known = _saved_before(archive, item, tags, archive.find_duplicate(url=url))
                if known is None:
                    urls.append(item)
            else:
                path = _page_file(target)
                source = f"file:{path.resolve()}"
                known = _saved_before(archive, item, tags, archive.find_duplicate(source=source))
                if known is None:
                    files.append((item, path, source))
            if known is not None:
                yield report(item, known)
        except Exception as exc:
            yield report(item, _wrap(item, exc))

    yield from _save_in_stages(archive, urls, files, tags, concurrency, workers, cancel, report)

    for item, first in repeats:
        outcome = answered.get(first)
        if isinstance(outcome, SaveResult):
            outcome = SaveResult(outcome.article, False)
        yield report(item, outcome if outcome is not None else QuireError(f"{item}: listed twice"))


def _save_in_stages(archive: Archive, urls: list[str], files: list[tuple[str, Path, str]],
                    tags: list[str], concurrency: int, workers: int | None,
                    cancel: threading.Event | None,
                    report: Callable[[str, Outcome], Answer]) -> Iterator[Answer]:
    """Fetch, extract (process pool) and store (threads) `urls` and `files`, each
    item once; yields report(item, outcome) for every one of them.

    When it is done is read from the work itself, not from a count: it ends once
    every item is answered, and if no worker holds an item any more and none is
    waiting to be reported, the items still unanswered are answered with an error
    instead of being waited for forever."""
    pending = set(urls) | {item for item, _path, _source in files}  # not answered yet
    live: set[str] = set()  # items an extraction or store worker still holds
    workers = workers or max(1, os.cpu_count() or 1)
    ctx = multiprocessing.get_context("spawn")  # no fork: the GUI and the fetcher run threads
    lock = threading.Lock()
    finished: list[Answer] = []
    wake = threading.Event()

    def deliver(item: str, outcome: Outcome) -> None:
        with lock:
            finished.append((item, outcome))
        wake.set()

    def release(item: str) -> None:
        """The worker holding `item` is done with it (it delivered first)."""
        with lock:
            live.discard(item)
        wake.set()

    def drain() -> tuple[list[Answer], bool]:
        """Outcomes delivered since last time, and whether any worker still holds an item."""
        with lock:
            ready, finished[:] = list(finished), []
            return ready, bool(live)

    def answer(ready: list[Answer]) -> Iterator[Answer]:
        for item, outcome in ready:
            if item in pending:  # once only, whatever a worker does twice
                pending.discard(item)
                yield report(item, outcome)

    with archive.batch(), ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as procs, \
            ThreadPoolExecutor(max_workers=max(2, concurrency)) as stores:
        def after_prepare(item: str, url: str | None, final_url: str | None, source: str | None,
                          fut: Future) -> None:
            handed_on = False
            try:
                if cancel is not None and cancel.is_set():  # extracted, but nothing stored yet
                    deliver(item, QuireError(f"{item}: cancelled"))
                    return
                try:
                    prepared = fut.result()
                except Exception as exc:
                    deliver(item, _wrap(item, exc))
                    return

                def store() -> None:
                    try:
                        if cancel is not None and cancel.is_set():  # queued behind other stores
                            deliver(item, QuireError(f"{item}: cancelled"))
                            return
                        if url is not None:
                            res = archive.save_html(b"", url, final_url=final_url, tags=tags,
                                                    prepared=prepared)
                        else:
                            res = archive.save_html(b"", None, tags=tags, source=source,
                                                    prepared=prepared, download_images=False)
                        deliver(item, res)
                    except Exception as exc:
                        deliver(item, _wrap(item, exc))
                    finally:
                        release(item)

                try:
                    stores.submit(store)
                    handed_on = True
                except RuntimeError:  # the caller stopped iterating: the pools are shutting down
                    deliver(item, QuireError(f"{item}: cancelled"))
            finally:
                if not handed_on:
                    release(item)

        preparing: list[Future] = []

        def submit_prepare(item: str, data: bytes, page_url: str | None, declared: str | None,
                           url: str | None, final_url: str | None, source: str | None,
                           page_file: str | None = None) -> None:
            with lock:
                live.add(item)
            try:
                fut = procs.submit(prepare_page, data, page_url, declared_encoding=declared,
                                   page_file=page_file)
            except Exception as exc:  # a broken pool: this item fails, the loop goes on
                deliver(item, _wrap(item, exc))
                release(item)
                return
            preparing.append(fut)
            fut.add_done_callback(lambda f: after_prepare(item, url, final_url, source, f))

        for item, path, source in files:
            if cancel is not None and cancel.is_set():
                deliver(item, QuireError(f"{item}: cancelled"))
                continue
            try:
                path, data = read_page_file(path)
            except QuireError as exc:
                deliver(item, exc)
                continue
            submit_prepare(item, data, None, None, None, None, source, str(path))

        if urls:
            fetcher = archive.fetcher
            if fetcher is None:
                for item in urls:
                    deliver(item, QuireError(f"{item}: fetching is turned off for this archive"))
            else:
                unanswered = {classify_input(i)[1]: i for i in urls}  # one item per URL (save_many's stage 0)
                # decoded in the extraction processes, from the header's charset
                fetches = fetcher.fetch_many(list(unanswered), concurrency=concurrency, decode=False)
                for url, result in fetches:
                    item = unanswered.pop(url)  # fetch_many answers each URL once
                    if cancel is not None and cancel.is_set():
                        fetches.close()  # cancels the fetches still queued
                        deliver(item, QuireError(f"{item}: cancelled"))
                        for rest in unanswered.values():
                            deliver(rest, QuireError(f"{rest}: cancelled"))
                        break
                    if isinstance(result, Exception):
                        deliver(item, result)
                    else:
                        submit_prepare(item, result.body, result.url, result.declared_charset, url,
                                       result.url, None)
                    yield from answer(drain()[0])  # hand finished items back while fetching goes on

        dropped_queue = False
        while pending:
            ready, busy = drain()
            yield from answer(ready)
            if not pending:
                break
            if not busy and not ready:
                # No worker holds the items left and nothing is on its way: they were
                # lost (a bug). Answer them rather than wait for ever.
                for item in sorted(pending):
                    deliver(item, QuireError(f"{item}: no result came back (an internal error); "
                                             "try adding it again"))
                continue
            if cancel is not None and cancel.is_set() and not dropped_queue:
                # Extractions not started yet are dropped, so Cancel does not wait for a
                # thousand pages to be parsed; their callbacks report them as cancelled.
                dropped_queue = True
                for fut in preparing:
                    fut.cancel()
            wake.wait(0.5)
            wake.clear()


def save_all(archive: Archive, items: list[str], *, tags: Iterable[str] = (),
             progress: ProgressFn | None = None, cancel: threading.Event | None = None,
             concurrency: int = 8) -> list[Answer]:
    """`save_many` as one list, for running in a child process (archive.child)."""
    return list(save_many(archive, items, tags=tags, concurrency=concurrency,
                          progress=progress, cancel=cancel))
