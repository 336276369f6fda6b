"""Where the connector extracts pages: in the request's own thread for a save that
comes alone (no process to start: the quickest answer to a click), in a pool of
processes on every core while saves come together (extraction is CPU work in
Python, and threads of one process share one core). The pool is started by the second save running at once and let
go after a minute without saves.
"""
from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the extractor is imported by the first save, not by `quire --help`
    from archive.base.models import Extracted

IDLE_SECONDS = 60.0


class Preparer:
    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or max(1, os.cpu_count() or 1)
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._running = 0
        self._last_use = time.monotonic()
        self._closed = threading.Event()
        self._reaper: threading.Thread | None = None

    @property
    def pooled(self) -> bool:
        return self._pool is not None

    def prepare(self, page: str | bytes, url: str, encoding: str | None) -> tuple[bytes, Extracted]:
        """prepare_page(page, url): decoded and extracted, here or in the pool."""
        from archive.extraction.pages import prepare_page

        with self._lock:
            self._running += 1
            pool = self._pool
            if pool is None and self._running > 1 and not self._closed.is_set():
                # no fork: the server and the fetcher run threads
                pool = self._pool = ProcessPoolExecutor(
                    max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"))
                if self._reaper is None:
                    self._reaper = threading.Thread(target=self._reap, name="quire-connector-pool",
                                                    daemon=True)
                    self._reaper.start()
        try:
            if pool is not None:
                try:
                    return pool.submit(prepare_page, page, url, declared_encoding=encoding).result()
                except (BrokenProcessPool, RuntimeError):  # a worker died, or the pool was let go
                    self._drop(pool)
            return prepare_page(page, url, declared_encoding=encoding)
        finally:
            with self._lock:
                self._running -= 1
                self._last_use = time.monotonic()

    def _drop(self, pool: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        pool.shutdown(wait=False, cancel_futures=True)

    def _reap(self) -> None:
        """Let the pool go once no save has run for IDLE_SECONDS."""
        while not self._closed.wait(min(10.0, IDLE_SECONDS)):
            with self._lock:
                pool = self._pool
                idle = (pool is not None and self._running == 0
                        and time.monotonic() - self._last_use >= IDLE_SECONDS)
            if idle and pool is not None:
                self._drop(pool)

    def close(self) -> None:
        self._closed.set()
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
