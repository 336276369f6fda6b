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
from typing import Iterable, Iterator

from .errors import QuireError
from .models import ProgressFn
from .pages import prepare_page
from .store import Archive, SaveResult

#: Below this many items a process pool costs more to start than it saves.
POOL_THRESHOLD = 8


def looks_like_url(item: str) -> bool:
    return "://" in item or item.lower().startswith(("www.", "javascript:", "data:", "mailto:", "file:"))


def _as_url(item: str) -> str:
    return f"https://{item}" if item.lower().startswith("www.") else item


def save_one(archive: Archive, item: str, tags: Iterable[str] = ()) -> SaveResult:
    """Save a URL or a local file, whichever `item` names."""
    if looks_like_url(item):
        return archive.save_url(_as_url(item), tags=tags)
    path = Path(item).expanduser()
    if not path.exists():
        raise QuireError(f"{item}: no such file, and not a URL")
    if path.is_dir():
        raise QuireError(f"{item}: is a folder; use `import` for a folder of saved pages")
    return archive.save_file(path, tags=tags)


def _wrap(item: str, exc: BaseException) -> QuireError:
    if isinstance(exc, QuireError):
        return exc
    return QuireError(f"{item}: unexpected error ({type(exc).__name__}: {exc})")


def save_many(archive: Archive, items: list[str], *, tags: Iterable[str] = (), concurrency: int = 8,
              workers: int | None = None, progress: ProgressFn | None = None,
              cancel: threading.Event | None = None) -> Iterator[tuple[str, SaveResult | Exception]]:
    """Yield (item, SaveResult or the error) for each item, as each finishes."""
    tags = list(tags)
    total = len(items)
    done = 0
    first_outcome: dict[str, SaveResult | Exception] = {}

    def report(item: str, outcome):
        nonlocal done
        done += 1
        first_outcome.setdefault(item, outcome)
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
    files: list[str] = []
    repeats: list[str] = []  # the same item twice in the list: answered once the first is done
    seen: set[str] = set()
    for item in items:
        if item in seen:
            repeats.append(item)
            continue
        seen.add(item)
        try:
            if looks_like_url(item):
                from .urls import check_scheme

                url = _as_url(item)
                check_scheme(url)
                existing = archive.find_duplicate(url=url)
                if existing is not None:
                    yield report(item, SaveResult(existing, False))
                else:
                    urls.append(item)
            else:
                path = Path(item).expanduser()
                if not path.is_file():
                    raise QuireError(f"{item}: no such file, and not a URL")
                existing = archive.find_duplicate(source=f"file:{path.resolve()}")
                if existing is not None:
                    yield report(item, SaveResult(existing, False))
                else:
                    files.append(item)
        except Exception as exc:
            yield report(item, _wrap(item, exc))

    workers = workers or max(1, os.cpu_count() or 1)
    ctx = multiprocessing.get_context("spawn")  # no fork: the GUI and the fetcher run threads
    lock = threading.Lock()
    finished: list[tuple[str, SaveResult | Exception]] = []
    wake = threading.Event()

    def deliver(item: str, outcome) -> None:
        with lock:
            finished.append((item, outcome))
        wake.set()

    with archive.batch(), ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as procs, \
            ThreadPoolExecutor(max_workers=max(2, concurrency)) as stores:
        def after_prepare(item: str, url: str | None, final_url: str | None, source: str | None,
                          fut: Future) -> None:
            if cancel is not None and cancel.is_set():  # extracted, but nothing stored yet
                deliver(item, QuireError(f"{item}: cancelled"))
                return
            try:
                prepared = fut.result()
            except Exception as exc:
                deliver(item, _wrap(item, exc))
                return

            def store() -> None:
                if cancel is not None and cancel.is_set():  # queued behind other stores
                    deliver(item, QuireError(f"{item}: cancelled"))
                    return
                try:
                    if url is not None:
                        res = archive.save_html(b"", url, final_url=final_url, tags=tags, prepared=prepared)
                    else:
                        res = archive.save_html(b"", None, tags=tags, source=source, prepared=prepared,
                                                download_images=False)
                    deliver(item, res)
                except Exception as exc:
                    deliver(item, _wrap(item, exc))

            try:
                stores.submit(store)
            except RuntimeError:  # the caller stopped iterating: the pools are shutting down
                deliver(item, QuireError(f"{item}: cancelled"))

        preparing: list[Future] = []

        def submit_prepare(item: str, data: bytes, page_url: str | None, declared: str | None,
                           url: str | None, final_url: str | None, source: str | None) -> None:
            fut = procs.submit(prepare_page, data, page_url, declared_encoding=declared)
            preparing.append(fut)
            fut.add_done_callback(lambda f: after_prepare(item, url, final_url, source, f))

        expected = len(urls) + len(files)
        for item in files:
            if cancel is not None and cancel.is_set():
                deliver(item, QuireError(f"{item}: cancelled"))
                continue
            path = Path(item).expanduser()
            try:
                data = path.read_bytes()
            except OSError as exc:
                deliver(item, QuireError(f"{item}: cannot read the file ({exc.strerror or exc})"))
                continue
            submit_prepare(item, data, None, None, None, None, f"file:{path.resolve()}")

        if urls:
            fetcher = archive.fetcher
            if fetcher is None:
                for item in urls:
                    deliver(item, QuireError(f"{item}: fetching is turned off for this archive"))
            else:
                by_url = {_as_url(i): i for i in urls}
                unanswered = dict(by_url)
                # decoded in the extraction processes, from the header's charset
                fetches = fetcher.fetch_many(list(by_url), concurrency=concurrency, decode=False)
                for url, result in fetches:
                    item = unanswered.pop(url)
                    if cancel is not None and cancel.is_set():
                        fetches.close()  # cancels the fetches still queued
                        deliver(item, QuireError(f"{item}: cancelled"))
                        for rest in unanswered.values():
                            deliver(rest, QuireError(f"{rest}: cancelled"))
                        break
                    if isinstance(result, Exception):
                        deliver(item, result)
                        continue
                    submit_prepare(item, result.body, result.url, result.declared_charset, url,
                                   result.url, None)
                    # hand finished items back while fetching goes on
                    with lock:
                        ready, finished[:] = list(finished), []
                    for r in ready:
                        yield report(*r)
                        expected -= 1

        dropped_queue = False
        while expected > 0:
            if cancel is not None and cancel.is_set() and not dropped_queue:
                # Extractions not started yet are dropped, so Cancel does not wait for a
                # thousand pages to be parsed; their callbacks report them as cancelled.
                dropped_queue = True
                for fut in preparing:
                    fut.cancel()
            wake.wait(0.5)
            wake.clear()
            with lock:
                ready, finished[:] = list(finished), []
            for r in ready:
                yield report(*r)
                expected -= 1
    for item in repeats:
        outcome = first_outcome.get(item)
        if isinstance(outcome, SaveResult):
            outcome = SaveResult(outcome.article, False)
        yield report(item, outcome if outcome is not None else QuireError(f"{item}: listed twice"))


def save_all(archive: Archive, items: list[str], *, tags: Iterable[str] = (),
             progress: ProgressFn | None = None, cancel: threading.Event | None = None,
             concurrency: int = 8) -> list[tuple[str, SaveResult | Exception]]:
    """`save_many` as one list, for running in a child process (archive.child)."""
    return list(save_many(archive, items, tags=tags, concurrency=concurrency,
                          progress=progress, cancel=cancel))
