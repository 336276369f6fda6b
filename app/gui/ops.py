"""Worker operations: run slow Archive calls off the UI thread.

Modelled on Anki's CollectionOp: each user action becomes a small `Op` that
runs a plain function on a QThreadPool and calls back on the main thread with
the result or the error. The UI thread never touches disk, network,
extraction or Whoosh; it only starts ops and reacts to their callbacks.

Why a bridge QObject: a signal emitted from a worker thread is delivered
queued to a *QObject slot* living in the main thread, so the callbacks always
run on the UI thread, whatever Python callables they are.
"""

from __future__ import annotations

import sys
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot


class Cancelled(Exception):
    """Raised inside an op's function when the user pressed Cancel."""


class OpContext:
    """Handed to the op's function: report progress, check for cancel."""

    def __init__(self, bridge: _Bridge) -> None:
        self._bridge = bridge
        self._cancel = threading.Event()

    def progress(self, done: int, total: int, message: str = "") -> None:
        """Report progress; raise Cancelled if the user asked to stop.

        Its signature matches archive.models.ProgressFn, so it can be passed
        straight to core functions that take a progress callback."""
        self._bridge.progressed.emit(int(done), int(total), str(message))
        if self._cancel.is_set():
            raise Cancelled()

    def report(self, done: int, total: int, message: str = "") -> None:
        """Report progress without raising: for core functions that take a
        cancel Event of their own and must finish their cleanup."""
        self._bridge.progressed.emit(int(done), int(total), str(message))

    @property
    def cancel_event(self) -> threading.Event:
        """The Event the core's long functions poll (their `cancel=` argument)."""
        return self._cancel

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()


class _Bridge(QObject):
    succeeded = Signal(object)
    failed = Signal(object, str)
    progressed = Signal(int, int, str)


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[OpContext], Any], ctx: OpContext, bridge: _Bridge) -> None:
        super().__init__()
        self._fn = fn
        self._ctx = ctx
        self._bridge = bridge
        self.setAutoDelete(True)

    def run(self) -> None:  # worker thread
        try:
            result = self._fn(self._ctx)
        except BaseException as exc:  # noqa: BLE001 - reported to the UI, never lost
            self._bridge.failed.emit(exc, traceback.format_exc())
        else:
            self._bridge.succeeded.emit(result)


class Op(QObject):
    """One background operation with success, failure and progress callbacks.

    Create it on the main thread, then `start()` it. The callbacks run on the
    main thread. `finished` fires after either callback.
    """

    finished = Signal()
    progressed = Signal(int, int, str)

    def __init__(
        self,
        fn: Callable[[OpContext], Any],
        *,
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        label: str = "",
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.label = label
        self._fn = fn
        self._on_success = on_success
        self._on_failure = on_failure
        self._bridge = _Bridge()
        self.context = OpContext(self._bridge)
        self.done = False
        self.error: BaseException | None = None
        self._bridge.succeeded.connect(self._succeeded)
        self._bridge.failed.connect(self._failed)
        self._bridge.progressed.connect(self.progressed)

    def start(self, pool: QThreadPool | None = None) -> Op:
        _live_ops.add(self)  # keep the Python object alive until it finishes
        (pool or QThreadPool.globalInstance()).start(
            _Runnable(self._fn, self.context, self._bridge)
        )
        return self

    def cancel(self) -> None:
        self.context.cancel()

    @Slot(object)
    def _succeeded(self, result: Any) -> None:
        try:
            if self._on_success is not None:
                self._on_success(result)
        finally:
            self._finish()

    @Slot(object, str)
    def _failed(self, exc: BaseException, tb: str) -> None:
        self.error = exc
        try:
            if self._on_failure is not None:
                self._on_failure(exc)
            elif not isinstance(exc, Cancelled):
                # An unexpected error with nobody listening must not vanish.
                print(f"Quire: background task {self.label!r} failed:\n{tb}", file=sys.stderr)
        finally:
            self._finish()

    def _finish(self) -> None:
        self.done = True
        self.finished.emit()
        _live_ops.discard(self)
        # A session starts thousands of ops (one per search): free each one.
        self._bridge.deleteLater()
        self.deleteLater()


_live_ops: set[Op] = set()


def active_ops() -> int:
    """How many ops have started and not finished (used to wait for idle)."""
    return len(_live_ops)
