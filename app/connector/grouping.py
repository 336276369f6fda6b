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
"""
from __future__ import annotations

import threading
import time
from typing import Any

#: How long a commit waits for saves still running to join it: a little latency
#: for one save, many fewer commits for a burst of them.
GATHER_SECONDS = 0.5


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
                batch.__exit__(None, None, None)

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
            self.archive.index.flush()
        finally:
            with self._cond:
                self._committing = False
                self._done_round = this_round
                self._cond.notify_all()
