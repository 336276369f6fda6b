"""The window learns what other processes changed in its archive.

A `quire add`, `import` or `tag` run beside the open window changes the catalog
and the index behind its back. A QTimer polls archive.library.watch's
ArchiveWatcher about every 0.7 s on a thread of its own (the UI thread only
starts the poll: a poll that waits for the catalog, busy with a long write, never
stalls the window) and announces what it found through the window's one
`changed` signal, so the panes refresh exactly as after the window's own ops.
The index needs nothing more: its searcher picks up other processes' commits on
its next search (SearchIndex.searcher).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal

from app.gui.ops import Op
from archive.base.changes import Changes

if TYPE_CHECKING:
    from archive.library.store import Archive
    from archive.library.watch import ArchiveWatcher

POLL_MS = 700


class ArchiveWatch(QObject):
    """Polls one open Archive for other processes' changes; `changed` tells them.

    What changed is worked out by SQLite on the watcher's own connection
    (archive.library.watch), which lets go of the GIL meanwhile: the UI thread
    keeps painting even while a big archive is compared."""

    changed = Signal(object)  # Changes

    def __init__(self, archive: Archive, parent: QObject | None = None,
                 interval_ms: int = POLL_MS) -> None:
        super().__init__(parent)
        self._archive = archive
        self._watcher: ArchiveWatcher | None = None
        self._busy = False
        self._stopped = False
        self._next_at = 0.0  # no look before this (time.monotonic)
        self._since: tuple[int, int] | None = None
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._timer = QTimer(self, interval=interval_ms)
        self._timer.timeout.connect(self.poll)

    def start(self, since: tuple[int, int] | None = None) -> None:
        """Take the first snapshot (off the UI thread), then poll. `since`: the
        archive's ArchiveWatcher.mark() when the window read what it shows."""
        from archive.library.watch import ArchiveWatcher  # with the archive (main_window._open_archive)

        archive = self._archive
        if since is not None:
            self._since = since
        since = self._since  # a retried start keeps the first mark

        def started(watcher: ArchiveWatcher) -> None:
            if self._stopped:  # the window closed while the first snapshot was taken
                watcher.close()
            else:
                self._watcher = watcher

        if not self._stopped:
            self._timer.start()
            self._run(lambda _ctx: ArchiveWatcher(archive, since=since), started,
                      "Watching the archive")

    def poll(self) -> None:
        """One look (skipped while the last one is still running)."""
        if self._busy or self._stopped or time.monotonic() < self._next_at:
            return
        watcher = self._watcher
        if watcher is None:  # the first snapshot failed (a busy catalog): again
            self.start()
            return
        self._run(lambda _ctx: watcher.poll(), self._polled, "Looking for changes")

    def _polled(self, changes: Changes) -> None:
        if changes and not self._stopped:
            self.changed.emit(changes)

    def _run(self, fn, on_success, label: str) -> None:
        self._busy = True
        began = time.monotonic()

        def finished() -> None:
            # a look that took long (another process saving thousands of articles into
            # a big archive) spaces the next ones out: watching never takes a core
            ended = time.monotonic()
            self._next_at = ended + 2 * (ended - began)
            self._busy = False

        def done(result) -> None:
            finished()
            on_success(result)

        def failed(_exc: BaseException) -> None:
            # the archive was closed under the poll, or the catalog was busy past its
            # timeout: the next poll looks again
            finished()

        Op(fn, on_success=done, on_failure=failed, label=label, parent=self).start(self.pool)

    def stop(self, wait: bool = True) -> None:
        """No more polls. With `wait`, waits for one that is running and closes
        the watcher's connection (before the archive closes); without, the
        window's closing thread calls finish() later, off the UI thread."""
        self._stopped = True
        self._timer.stop()
        if wait:
            self.finish()

    def finish(self, timeout_ms: int = 5000) -> None:
        """Wait for a running poll, then close the watcher (any thread)."""
        try:
            self.pool.waitForDone(timeout_ms)
        except RuntimeError:  # the pool went with the window: its poll is over
            pass
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.close()
