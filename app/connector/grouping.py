"""Group commits for saves that arrive together (a person saving ten tabs, a
script posting many pages).

A search-index commit costs far more than adding one article to it (Whoosh
writes and merges segments), and outside a batch every save commits its own.
So while connector saves run, the archive is kept in one batch (their index
entries wait), and each save, once its entry is added, asks for a commit: one
commit at a time, and a commit started after a save asked includes its entry,
so every save that asks while a commit runs is served by the next one, and a
save is never answered before its article can be found. A crash in between
loses nothing: the catalog's index queue keeps every entry not yet committed.

These commits merge no index segments (merging is most of a commit's time, and
a save waits for its commit); once no save has run for MERGE_IDLE_SECONDS, a
thread of its own merges the small segments they left.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Any

log = logging.getLogger("quire.connector")

#: How long a commit waits for saves still running to join it: a little latency
#: for one save, many fewer commits for a burst of them.
GATHER_SECONDS = 0.5
#: Quiet time after the last save before the segments its commits left are merged.
MERGE_IDLE_SECONDS = 2.0


class GroupCommit:
    def __init__(self, archive: Any) -> None:
        self.archive = archive
        self._lock = threading.Lock()
        self._active = 0
        self._batch: Any = None
        self._cond = threading.Condition()
        self._committing = False
        self._next_round = 0
        self._done_round = -1
        self._asking = 0  # saves inside commit()
        self._merge_due = False  # quick commits left segments to merge
        self._idle_since = time.monotonic()
        self._closed = False
        self._merger: threading.Thread | None = None

    def enter(self) -> None:
        """A save begins: the archive is in a batch while any save runs."""
        with self._lock:
            self._active += 1
            if self._active == 1:
                self._batch = self.archive.batch()
                self._batch.__enter__()

    def leave(self) -> None:
        """A save ended: the last one out ends the batch (committing anything left)."""
        with self._lock:
            self._active -= 1
            if self._active == 0:
                batch, self._batch = self._batch, None
                self._idle_since = time.monotonic()
                batch.__exit__(None, None, None)
        with self._cond:
            self._cond.notify_all()  # the merger counts its quiet time from now

    def commit(self) -> None:
        """Return once everything added before the call is committed, sharing the
        commit with the saves that asked at the same time."""
        with self._cond:
            self._asking += 1
            self._cond.notify_all()
            try:
                wanted = self._next_round  # the first round that starts after now
                while True:
                    if self._done_round >= wanted:
                        return
                    if not self._committing:
                        break
                    self._cond.wait()
                self._committing = True
                # saves still running may ask in a moment: share this commit with them
                deadline = time.monotonic() + GATHER_SECONDS
                while self._asking < self._active and time.monotonic() < deadline:
                    self._cond.wait(max(0.0, deadline - time.monotonic()))
                this_round = self._next_round
                self._next_round += 1
            finally:
                self._asking -= 1
        try:
            self.archive.index.flush(quick=True)
        finally:
            with self._cond:
                self._committing = False
                self._done_round = this_round
                self._merge_due = True
                if self._merger is None and not self._closed:
                    self._merger = threading.Thread(target=self._merge_when_idle, daemon=True,
                                                    name="quire-connector-merge")
                    self._merger.start()
                self._cond.notify_all()

    def _quiet_for(self) -> float:
        """Seconds no save has run (0 while one runs); under self._cond."""
        with self._lock:
            return 0.0 if self._active else time.monotonic() - self._idle_since

    def _merge_when_idle(self) -> None:
        """Merge what quick commits left, once saves have stopped for a while."""
        while True:
            with self._cond:
                while not self._closed:
                    quiet = self._quiet_for()
                    if self._merge_due and quiet >= MERGE_IDLE_SECONDS:
                        break
                    self._cond.wait(MERGE_IDLE_SECONDS - quiet if self._merge_due else None)
                if self._closed:
                    return
                self._merge_due = False
            try:
                self.archive.index.merge_small()
            except Exception:  # noqa: BLE001 - the next save's commit asks again
                log.warning("connector: merging the search index's segments failed", exc_info=True)

    def close(self) -> None:
        """Stop the merger (waiting for a merge in progress: the archive closes next)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
            merger = self._merger
        if merger is not None:
            merger.join()
