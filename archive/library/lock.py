"""One window per archive.

A second GUI on the same archive is refused with a clear message (rather than
attached read-only): two windows editing the same articles would fight over
tags and states, and a person rarely means to open the same archive twice.
CLI commands are not refused: they share the index writer safely.
The lock is an OS advisory lock (flock), so it disappears with the process,
even after SIGKILL — no stale lock files to clean up.
"""
from __future__ import annotations

import fcntl
import os
from pathlib import Path

from archive.base import media
from archive.base.errors import ArchiveError

LOCK_NAME = "window.lock"


class _FileLock:
    """An flock on a file in the archive folder, held through an open handle."""

    NAME = ""

    def __init__(self, root: Path | str) -> None:
        self.path = Path(root) / self.NAME
        self._fh = None

    @property
    def held(self) -> bool:
        return self._fh is not None

    def release(self) -> None:
        if self._fh is not None:
            try:
                fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
            finally:
                self._fh.close()
                self._fh = None


class WindowLock(_FileLock):
    NAME = LOCK_NAME

    def acquire(self) -> None:
        """Take the lock. On an archive that cannot be written (read-only media, a
        folder of another user) there is no lock to take, and none is needed: the
        window opens it for reading only, changing nothing another window could."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fh = open(self.path, "a+", encoding="utf-8")
        except OSError as exc:
            if media.is_read_only_error(exc) and self.path.parent.is_dir():
                return
            raise
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            fh.close()
            raise ArchiveError(
                f"the archive {self.path.parent} is already open in another Quire window "
                f"(process {holder}); switch to that window, or close it first") from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        self._fh = fh

    def __enter__(self) -> "WindowLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


OPEN_LOCK_NAME = "open.lock"


class OpenLock(_FileLock):
    """Held, shared, by every open Archive in any process while it is open.

    A folder another process is building (``.tmp-<id>``) or swapping looks exactly
    like what a crash leaves behind. Recovery therefore runs only when this lock
    can be had exclusively, that is when no other process has the archive open;
    otherwise the leftovers, if any, wait for the next open that is alone.
    """

    NAME = OPEN_LOCK_NAME

    def open_alone(self) -> bool:
        """Take the lock; True (holding it exclusively until `share`) when no other
        handle has the archive open. False, holding nothing, when the lock file cannot
        be written (a read-only archive: there is nothing to recover into either)."""
        try:
            self._fh = open(self.path, "a+", encoding="utf-8")
        except OSError:
            return False
        try:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_SH)
            return False
        return True

    def try_exclusive(self) -> bool:
        """From shared to exclusive, without waiting: True when no other process has
        the archive open (call `share` afterwards). False when another does, or
        when the lock is not held (a read-only archive)."""
        if self._fh is None:
            return False
        try:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def share(self) -> None:
        """From exclusive to shared, once recovery is done (waits while another
        process recovers)."""
        if self._fh is not None:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_SH)
