"""The browser connector in the window, a process of its own (`quire serve
--for-window`): it listens once the archive is open, a page saved through it shows
in the list at once, a taken port is said in the status bar and the settings, the
settings copy and replace the secret and move the port, a connector that dies is
said and started again from the settings, and the Help menu opens the extension's
instructions. (Closing the window stops it: tests/app/gui/test_closing.py.)"""
from __future__ import annotations

import os
import signal
import socket

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import httpx
import pytest
from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication

from app.connector.secret import read_secret
from app.gui.browser_connector import PORT_KEY
from app.gui.main_window import MainWindow
from tests.support.gui import WAIT, connector_settings, make_window, titles
from tests.support import make_page


@pytest.fixture
def connected(qtbot, filled, tmp_path):
    """A window whose connector listens (the GUI tests' windows start none)."""
    root, _ids = filled
    connector_settings(tmp_path, "connected.ini")
    w = make_window(qtbot, root, tmp_path, "connected.ini")
    qtbot.waitUntil(lambda: w.connector.listening, timeout=WAIT)
    yield w
    w.close()
    assert w.wait_closed(60)


def client(window) -> httpx.Client:
    secret = read_secret(window.archive_root)
    return httpx.Client(base_url=window.connector.url, timeout=60,
                        headers={"Authorization": f"Bearer {secret}"})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_page_saved_from_the_browser_shows_in_the_list_at_once(qtbot, connected):
    window = connected
    assert window.connector.url.startswith("http://127.0.0.1:")
    assert window.connector.pid != os.getpid()  # its own process
    with client(window) as http:
        with qtbot.waitSignal(window.changed, timeout=WAIT) as blocker:
            answer = http.post("/api/v1/save", json={
                "url": "https://news.example/otters", "tags": ["sea"],
                "html": make_page("Otters of the kelp forest", "Otters crack urchins on their bellies.")})
        assert answer.status_code == 201, answer.text
        aid = answer.json()["id"]
        assert blocker.args[0].added == {aid}
        qtbot.waitUntil(lambda: "Otters of the kelp forest" in titles(window), timeout=WAIT)
        assert "Saved from the browser: Otters of the kelp forest" in window.statusBar().currentMessage()
        qtbot.waitUntil(lambda: window.tags.tag_items().get("sea") == 1, timeout=WAIT)

        with qtbot.waitSignal(window.changed, timeout=WAIT) as blocker:
            assert http.post("/api/v1/tags", json={"id": aid, "add": ["otters"]}).status_code == 200
        assert blocker.args[0].articles == {aid}
        qtbot.waitUntil(lambda: window.tags.tag_items().get("otters") == 1, timeout=WAIT)
    assert not window.connector_label.isVisible()


def test_a_taken_port_is_said_in_the_status_bar_and_the_settings(qtbot, filled, tmp_path):
    root, _ids = filled
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = connector_settings(tmp_path, "taken.ini")
        settings.setValue(PORT_KEY, port)
        w = MainWindow(root, settings, seed=False, fetch=False)
        qtbot.addWidget(w)
        w.show()
        try:
            qtbot.waitUntil(lambda: w.connector_label.isVisible(), timeout=WAIT)
            assert f"port {port} on 127.0.0.1 is in use" in w.connector_label.text()
            assert f"Browser connector off: port {port} on 127.0.0.1 is in use" in \
                w.statusBar().currentMessage()
            assert not w.connector.listening and not w.connector.running
            dialog = w.connector_settings()
            assert f"Not listening: port {port}" in dialog.state.text()
            # another port in the settings: it listens there, says so, and the dialog closes
            other = free_port()
            dialog.port.setValue(other)
            with qtbot.waitSignal(dialog.accepted, timeout=WAIT):
                dialog.accept()
            assert w.connector.listening and w.connector.listening_port == other
            assert not w.connector_label.isVisible()
            assert int(settings.value(PORT_KEY)) == other
        finally:
            w.close()
            assert w.wait_closed(60)


def test_the_settings_copy_and_replace_the_secret(qtbot, connected):
    window = connected
    dialog = window.connector_settings()
    old = read_secret(window.archive_root)
    assert dialog.secret.text() == old
    assert "Listening on http://127.0.0.1:" in dialog.state.text()
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == old
    dialog.new_button.click()
    new = dialog.secret.text()
    assert new != old and read_secret(window.archive_root) == new
    with httpx.Client(base_url=window.connector.url) as http:  # the child reads the new one
        url = "/api/v1/status?url=https://news.example/x"
        assert http.get(url, headers={"Authorization": f"Bearer {old}"}).status_code == 403
        assert http.get(url, headers={"Authorization": f"Bearer {new}"}).status_code == 200
    dialog.enabled.setChecked(False)
    dialog.accept()
    assert not window.connector.listening
    qtbot.waitUntil(lambda: not window.connector.running, timeout=WAIT)  # its process is gone
    assert "Off:" in window.connector.describe()


def test_a_connector_that_dies_is_said_and_the_settings_start_it_again(qtbot, connected):
    window = connected
    os.kill(window.connector.pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: window.connector_label.isVisible(), timeout=WAIT)
    assert "stopped unexpectedly (killed by signal 9)" in window.connector_label.text()
    assert not window.connector.listening
    dialog = window.connector_settings()
    assert "Not listening: it stopped unexpectedly" in dialog.state.text()
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT):
        dialog.accept()  # the same settings: started again
    assert window.connector.listening and not window.connector_label.isVisible()
    with httpx.Client(base_url=window.connector.url) as http:
        assert http.get("/api/v1/ping").json()["name"] == "Quire"


class _Opened(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


def test_the_help_menu_opens_the_extensions_instructions(qtbot, window):
    opened = _Opened()
    QDesktopServices.setUrlHandler("file", opened, "open")
    try:
        help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
        entry = next(a for a in help_menu.actions() if "browser" in a.text().lower())
        entry.trigger()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert len(opened.urls) == 1
    path = opened.urls[0].toLocalFile()
    assert path.endswith("resources/extension/README.md") and os.path.isfile(path)


def test_a_read_only_archive_gets_no_connector_process(qtbot, filled, tmp_path):
    from archive import Archive
    from app.gui.browser_connector import BrowserConnector

    root, _ids = filled
    connector = BrowserConnector(connector_settings(tmp_path, "read-only.ini"))
    with Archive(root, seed=False, fetch=False, read_only=True) as archive:
        with qtbot.waitSignal(connector.state_changed, timeout=WAIT):
            assert connector.start(archive) is False
        assert not connector.running and not connector.listening
        assert "read-only" in connector.error and "Not listening" in connector.describe()
