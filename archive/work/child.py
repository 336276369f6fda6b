"""Running a long archive job in a child process, with progress and Cancel.

Why: Python runs one thread at a time per process (the GIL). Bulk saving and
importing keep several threads busy with HTML, files and the index; in the
GUI's process they take turns with the UI thread, and the window stalls for
tens of milliseconds at a time while a big batch is saved. In a child process
they use the other core instead, and the GUI process stays free to paint.

The child opens the same archive (as a CLI command beside the GUI would: the
catalog is SQLite, index writes wait for the one Whoosh writer), runs a
top-level function `fn(archive, progress=…, cancel=…, **kwargs)` and sends
back its progress reports and its (picklable) result. The GUI's own Archive
sees the new articles at its next read: catalog reads are fresh and the
searcher is reopened after another process's commit.
"""
from __future__ import annotations

import multiprocessing
import os
import pickle
import queue as queuemod
import threading
from pathlib import Path
from typing import Any, Callable

from archive.base.errors import ArchiveError, QuireError
from archive.base.models import ProgressFn

#: From this many items (articles, URLs, files) a task started from the window runs
#: in a child process; below it, starting one (about a second) costs more than it frees.
CHILD_FROM = 8
#: How often the parent looks at Cancel and at the child's health (seconds).
POLL = 0.2
#: The child (and the extraction processes it starts, which inherit it) runs at
#: a lower CPU priority: background work yields the cores to the window.
NICENESS = 10


def _transportable(exc: BaseException) -> BaseException:
    """The exception itself if it pickles (QuireError and kin do), else a QuireError
    saying what it was."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return QuireError(f"{type(exc).__name__}: {exc}")


def _child_main(root: str, archive_options: dict[str, Any], fn: Callable[..., Any],
                kwargs: dict[str, Any], out: Any, cancel: Any) -> None:
    """Child process entry point: open the archive, run fn, report, close."""
    try:
        os.nice(NICENESS)
    except (AttributeError, OSError):  # not on this platform / not allowed: run as is
        pass
    # Imported after the nice() above: the archive's imports (~0.5 s of CPU, python
    # -X importtime) then run at the child's low priority, not beside the window's.
    from archive.library.store import Archive

    parent = os.getppid()

    def orphaned() -> bool:
        """The window is gone (killed). Nobody reads `out` any more, and this process
        holds the pipe's other end too, so a full pipe would block the exit for ever:
        stop sending and let the exit drop what is unsent."""
        if os.getppid() == parent:
            return False
        cancel.set()
        out.cancel_join_thread()
        return True

    def progress(done: int, total: int, message: str = "") -> None:
        if not orphaned():  # an orphan stops at this item (cancel)
            out.put(("progress", done, total, message))

    try:
        archive = Archive(Path(root), seed=False, recover=False, **archive_options)
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises
        out.put(("error", _transportable(exc)))
        return
    try:
        result = fn(archive, progress=progress, cancel=cancel, **kwargs)
    except BaseException as exc:  # noqa: BLE001
        archive.close()
        out.put(("error", _transportable(exc)))
        return
    archive.close()  # every index write committed before the parent hears "done"
    if not orphaned():
        out.put(("done", result))


def run_in_child(archive: Any, fn: Callable[..., Any], *, progress: ProgressFn | None = None,
                 cancel: threading.Event | None = None, **kwargs: Any) -> Any:
    """Run `fn(archive, progress=…, cancel=…, **kwargs)` in a child process on a second
    handle of `archive` (same folder, same fetch settings) and return its result;
    its exceptions are raised here.

    `fn` must be a module-level function (it is sent by name) and its result
    picklable. Setting `cancel` passes Cancel on to the child's own cancel Event.
    A child that dies without answering (killed, out of memory) raises
    ArchiveError; whatever it saved before is in the archive, as after a crash.
    """
    root = str(archive.root)
    archive_options = {"fetch": archive.fetch_enabled, "fetch_options": dict(archive.fetch_options)}
    ctx = multiprocessing.get_context("spawn")  # no fork: the GUI process runs threads
    out = ctx.Queue()
    child_cancel = ctx.Event()
    child = ctx.Process(
        target=_child_main,
        args=(root, archive_options, fn, kwargs, out, child_cancel),
        name=f"quire-{getattr(fn, '__name__', 'job')}",
        # not a daemon: daemons may not start processes, and save_many extracts on a pool;
        # should the GUI die, the child finishes its saves (nothing half-done is lost)
        daemon=False,
    )
    child.start()
    try:
        while True:
            if cancel is not None and cancel.is_set() and not child_cancel.is_set():
                child_cancel.set()
            try:
                message = out.get(timeout=POLL)
            except queuemod.Empty:
                if not child.is_alive():
                    try:  # it may have answered just before exiting
                        message = out.get(timeout=POLL)
                    except queuemod.Empty:
                        raise ArchiveError(
                            f"the worker process stopped unexpectedly (exit code {child.exitcode}); "
                            "what it saved before is kept") from None
                else:
                    continue
            kind = message[0]
            if kind == "progress":
                if progress is not None:
                    progress(*message[1:])
            elif kind == "done":
                return message[1]
            else:
                raise message[1]
    finally:
        child.join(timeout=30)
        if child.is_alive():
            child.kill()
            child.join(timeout=5)
        out.close()


def run_job(archive: Any, fn: Callable[..., Any], *, size: int | None = None,
            progress: ProgressFn | None = None, cancel: threading.Event | None = None,
            **kwargs: Any) -> Any:
    """`fn(archive, progress=…, cancel=…, **kwargs)` here for a task of fewer than
    CHILD_FROM items (`size`), else (and when the size is unknown) in a child process."""
    if size is not None and size < CHILD_FROM:
        return fn(archive, progress=progress, cancel=cancel, **kwargs)
    return run_in_child(archive, fn, progress=progress, cancel=cancel, **kwargs)


# -- jobs in the shape run_in_child calls: fn(archive, progress=…, cancel=…, **kwargs) --
def reindex_job(archive: Any, *, progress: ProgressFn | None = None, cancel: Any = None) -> int:
    """Archive.reindex (not cancellable: a half-built index serves no one)."""
    return archive.reindex(progress)


def reextract_job(archive: Any, *, ids: list[str], progress: ProgressFn | None = None,
                  cancel: Any = None, highlights: bool = False) -> tuple:
    """Archive.reextract of `ids`: (done, failures), and with `highlights` a third item,
    what became of their highlights (a summary line, then one line per highlight that
    could not be placed; nothing when they had none)."""
    # in the child process, like Archive in _child_main: imported after nice()
    from archive.library.highlights import ReanchorReport

    anchors = ReanchorReport()
    done, failures = archive.reextract(ids, progress=progress, cancel=cancel, anchors=anchors)
    if not highlights:
        return done, failures
    lines = [anchors.summary(), *anchors.unplaced] if anchors.placed or anchors.unplaced else []
    return done, failures, lines
