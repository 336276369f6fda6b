"""The browser connector in the window: it listens once the archive is open, a page
saved through it shows in the list at once, a taken port is said in the status bar
and the settings, the settings copy and replace the secret and move the port, the
Help menu opens the extension's instructions, and closing the window stops it."""
from __future__ import annotations

import os
import socket

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import httpx
from PySide6.QtCore import QObject, QSettings, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication

from app.connector.secret import read_secret
from app.gui.main_window import MainWindow
from tests.support.gui import WAIT, make_window, titles
from tests.support import make_page


def client(window) -> httpx.Client:
    secret = read_secret(window.archive_root)
    return httpx.Client(base_url=window.connector.server.url, timeout=60,
                        headers={"Authorization": f"Bearer {secret}"})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_page_saved_from_the_browser_shows_in_the_list_at_once(qtbot, window):
    qtbot.waitUntil(lambda: window.connector.listening, timeout=WAIT)
    assert window.connector.server.url.startswith("http://127.0.0.1:")
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
        settings = QSettings(str(tmp_path / "taken.ini"), QSettings.Format.IniFormat)
        settings.setValue("connector/port", port)
        w = MainWindow(root, settings, seed=False, fetch=False)
        qtbot.addWidget(w)
        w.show()
        try:
            qtbot.waitUntil(lambda: w.connector_label.isVisible(), timeout=WAIT)
            assert f"port {port} on 127.0.0.1 is in use" in w.connector_label.text()
            assert not w.connector.listening
            dialog = w.connector_settings()
            assert f"Not listening: port {port}" in dialog.state.text()
            # another port in the settings: it listens there, and says so
            other = free_port()
            dialog.port.setValue(other)
            dialog.accept()
            assert w.connector.listening and w.connector.server.port == other
            assert not w.connector_label.isVisible()
            assert int(settings.value("connector/port")) == other
        finally:
            w.close()


def test_the_settings_copy_and_replace_the_secret(qtbot, window):
    qtbot.waitUntil(lambda: window.connector.listening, timeout=WAIT)
    dialog = window.connector_settings()
    old = read_secret(window.archive_root)
    assert dialog.secret.text() == old
    assert "Listening on http://127.0.0.1:" in dialog.state.text()
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == old
    dialog.new_button.click()
    new = dialog.secret.text()
    assert new != old and read_secret(window.archive_root) == new
    with httpx.Client(base_url=window.connector.server.url) as http:
        url = "/api/v1/status?url=https://news.example/x"
        assert http.get(url, headers={"Authorization": f"Bearer {old}"}).status_code == 403
        assert http.get(url, headers={"Authorization": f"Bearer {new}"}).status_code == 200
    dialog.enabled.setChecked(False)
    dialog.accept()
    assert not window.connector.listening


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


def test_closing_the_window_stops_the_connector(qtbot, filled, tmp_path):
    root, _ids = filled
    w = make_window(qtbot, root, tmp_path, "close.ini")
    qtbot.waitUntil(lambda: w.connector.listening, timeout=WAIT)
    port = w.connector.server.port
    w.close()
    assert w.wait_closed(60)  # stopped on the closing thread, before the archive closes
    assert not w.connector.listening
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0
