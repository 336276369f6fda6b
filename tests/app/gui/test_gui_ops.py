"""The worker-op layer: work off the UI thread, callbacks on it, cancel, cleanup."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import threading

from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QWidget

from app.gui.ops import Cancelled, Op


def test_work_runs_off_the_ui_thread_and_callbacks_on_it(qtbot):
    ui_thread = threading.get_ident()
    seen: dict[str, int] = {}

    def work(_ctx):
        seen["work"] = threading.get_ident()
        return 42

    def success(value):
        seen["callback"] = threading.get_ident()
        seen["value"] = value

    op = Op(work, on_success=success)
    with qtbot.waitSignal(op.finished, timeout=5000):
        op.start()
    assert seen["value"] == 42
    assert seen["work"] != ui_thread and seen["callback"] == ui_thread


def test_failure_and_cancel_reach_the_failure_callback(qtbot):
    errors: list[BaseException] = []
    op = Op(lambda _ctx: 1 / 0, on_failure=errors.append)
    with qtbot.waitSignal(op.finished, timeout=5000):
        op.start()
    assert isinstance(errors[0], ZeroDivisionError) and op.error is errors[0]

    started = threading.Event()
    progress: list[tuple[int, int]] = []

    def long_work(ctx):
        for n in range(1000):
            started.set()
            ctx.progress(n, 1000, "step")
            threading.Event().wait(0.005)
        return "finished"

    op = Op(long_work, on_failure=errors.append)
    op.progressed.connect(lambda d, t, _m: progress.append((d, t)))
    with qtbot.waitSignal(op.finished, timeout=10000):
        op.start(QThreadPool.globalInstance())
        started.wait(5)
        op.cancel()
    assert isinstance(errors[-1], Cancelled)
    assert progress and progress[-1][0] < 999  # stopped early


def test_finished_ops_free_themselves(qtbot):
    owner = QWidget()
    qtbot.addWidget(owner)
    ops = [Op(lambda _ctx, i=i: i, parent=owner).start() for i in range(50)]
    qtbot.waitUntil(lambda: all(op.done for op in ops), timeout=5000)
    qtbot.waitUntil(lambda: not owner.children(), timeout=5000)


def test_emitting_signals_keeps_reference_counts(qtbot):
    """PySide6 6.12.0 lost a reference to True on every Signal.emit(), so a
    long session crashed ("bool_dealloc"); pyproject pins a version without it."""
    import sys

    from PySide6.QtCore import QObject, Signal

    class Emitter(QObject):
        fired = Signal(object)

    emitter = Emitter()
    got: list[object] = []
    emitter.fired.connect(got.append)
    before_true, before_none = sys.getrefcount(True), sys.getrefcount(None)
    for _ in range(200):
        emitter.fired.emit(None)
    assert len(got) == 200
    got.clear()
    assert sys.getrefcount(True) >= before_true
    assert sys.getrefcount(None) >= before_none - 5


def test_bulk_tagging_and_tag_rename_commit_the_index_once(qtbot, tmp_path):
    """Many articles changed by one action make one index commit, not one each
    (an unbatched commit costs ~0.1-0.2 s per article)."""
    from app.gui import jobs
    from app.gui.ops import _Bridge, OpContext
    from archive import Archive
    from tests.support import make_page

    with Archive(tmp_path / "a", seed=False, fetch=False) as archive:
        ids = [archive.save_html(make_page(f"Tern colony {i}", "Terns nest on the shingle."), None).article.id
               for i in range(6)]
        ctx = OpContext(_Bridge())
        generation = archive.index.ix.latest_generation()
        result = jobs.bulk(archive, ids, ctx, add=["seabirds"], is_read=True)
        assert len(result.articles) == 6
        assert archive.index.ix.latest_generation() == generation + 1
        assert archive.count("tag:seabirds is:read") == 6
        generation = archive.index.ix.latest_generation()
        change = jobs.rename_tag(archive, "seabirds", "birds/sea", ctx)
        assert len(change.articles) == 6
        assert archive.index.ix.latest_generation() == generation + 1
        assert archive.count("tag:birds/sea") == 6 and archive.count("tag:seabirds") == 0
