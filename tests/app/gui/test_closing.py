"""Ctrl+Q closes the window at once (issue 19: it took 2–5 s). The UI thread
no longer waits for work still running: a closing thread waits for it, then
closes the archive, so nothing is cut short and the window does not freeze.
Tested by the mechanism (work held on a threading.Event we control), never by
the clock."""

from __future__ import annotations

import os
import threading

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.support.gui import WAIT, make_window


def test_close_hands_running_work_to_a_closing_thread(qtbot, filled, tmp_path):
    root, ids = filled
    w = make_window(qtbot, root, tmp_path)
    release = threading.Event()
    began = threading.Event()
    seen: list[str] = []

    def slow_work(_ctx):
        began.set()
        release.wait(120)  # as a save that has not yet noticed Cancel
        seen.append(w_archive.get(ids[0]).title)  # the archive is still open for it

    w_archive = w.archive
    w.run_task(slow_work, label="Slow work", cancellable=False)
    assert began.wait(30)

    w.act_quit.trigger()  # returns although the work is still held
    assert not w.isVisible()
    assert not release.is_set()
    assert w._closer is not None and w._closer.is_alive()  # handed off, not joined
    assert not w.wait_closed(0)  # the archive is not closed under the running work
    assert w.run_op(lambda _ctx: None, label="late") is None  # no new work after closing

    release.set()
    assert w.wait_closed(60)
    w._closer.join(60)
    assert len(seen) == 1 and seen[0]
    from archive import Archive

    with Archive(root, seed=False, fetch=False) as again:  # the lock was let go
        assert again.get(ids[0]).title == seen[0]


def test_an_idle_window_closes_on_the_spot(qtbot, filled, tmp_path):
    from PySide6.QtCore import QSettings

    from app.gui.browser_connector import ENABLED_KEY

    root, _ids = filled
    settings = QSettings(str(tmp_path / "idle.ini"), QSettings.Format.IniFormat)
    settings.setValue(ENABLED_KEY, "false")  # a listening connector is stopped on the closing thread
    settings.sync()
    w = make_window(qtbot, root, tmp_path, "idle.ini")
    qtbot.waitUntil(lambda: all(p.activeThreadCount() == 0
                                for p in (w.work_pool, w.read_pool, w.search.pool)), timeout=WAIT)
    w.close()
    assert w._closer is None and w.wait_closed(0)  # nothing to wait for: closed already


def test_closing_while_the_archive_opens_lets_it_go_when_it_is_open(qtbot, filled, tmp_path):
    from PySide6.QtCore import QSettings

    from app.gui.main_window import MainWindow

    root, _ids = filled
    settings = QSettings(str(tmp_path / "opening.ini"), QSettings.Format.IniFormat)
    w = MainWindow(root, settings, seed=False, fetch=False)
    qtbot.addWidget(w)
    w.show()
    w.close()  # at once, before the archive is open
    assert w.wait_closed(60)
    from archive import Archive

    with Archive(root, seed=False, fetch=False):
        pass
    from archive.library.lock import WindowLock

    lock = WindowLock(root)
    lock.acquire()  # no window holds it any more
    lock.release()


def test_an_open_that_begins_after_the_close_does_not_wait_for_its_own_closer(qtbot, filled, tmp_path,
                                                                               monkeypatch):
    """Under load the opening op may begin only after the window closed: it must not
    wait for the window's own closing thread, which is waiting for it (both waited out
    CLOSE_WAIT_MS, a minute)."""
    import threading

    from PySide6.QtCore import QSettings

    from app.gui import main_window

    closed = threading.Event()

    class OpenLooksLate(dict):
        def get(self, key, default=None):  # the opening op looks only after the close
            closed.wait(10)
            return super().get(key, default)

    monkeypatch.setattr(main_window, "_closing", OpenLooksLate())
    root, _ids = filled
    w = main_window.MainWindow(root, QSettings(str(tmp_path / "late.ini"), QSettings.Format.IniFormat),
                               seed=False, fetch=False)
    qtbot.addWidget(w)
    w.show()
    w.close()
    closed.set()
    assert w.wait_closed(20)


def test_closing_hands_the_connector_to_the_closing_thread_which_stops_it(qtbot, filled, tmp_path):
    """The browser connector is a child process (`quire serve --for-window`): closing the
    window does not wait for it on the UI thread; the closing thread stops it (its stdin
    closed), before the archive closes; then its port is free and its process gone.
    Held by the mechanism: the child is stopped (SIGSTOP) until the window has closed."""
    import signal
    import socket

    from tests.support.gui import connector_settings

    root, _ids = filled
    connector_settings(tmp_path, "connector.ini")
    w = make_window(qtbot, root, tmp_path, "connector.ini")
    qtbot.waitUntil(lambda: w.connector.listening, timeout=WAIT)
    port, pid = w.connector.listening_port, w.connector.pid
    os.kill(pid, signal.SIGSTOP)  # as a child busy finishing a save
    try:
        w.close()  # returns although the child cannot stop yet
        assert not w.isVisible()
        assert w._closer is not None and w._closer.is_alive()
        assert not w.wait_closed(0)  # the archive waits for the connector
    finally:
        os.kill(pid, signal.SIGCONT)
    assert w.wait_closed(60)
    assert not w.connector.running
    with pytest.raises(ProcessLookupError):  # exited, and reaped
        os.kill(pid, 0)
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0
