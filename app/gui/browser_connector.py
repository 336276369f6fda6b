"""The browser connector in the window: started once the archive is open, on the
port the settings name (127.0.0.1 only; a taken port is said in the status bar
and in the settings, never replaced by another), stopped when the window closes.

It runs in a child process, `quire serve --for-window` (app/connector/window_child.py),
as the window's bulk saves do: in the window's own process its threads (index
commits, storing, JSON, the merge after a burst) shared the window's GIL, and a
burst of saves from the browser stalled the event loop for up to 54-224 ms
(bench/ui_latency.py --via connector). The child is started and read from
threads of this module, never on the UI thread (no QProcess: stop() also runs on
the window's closing thread, and Popen.wait works from any thread). Each save
or tag change the child prints (after its index commit, so this window's
Archive finds it) comes back here as a queued signal and is announced like any
operation's (MainWindow.changed), so the list shows a saved article at once.
The child stops when its stdin closes, so it never outlives the window.
"""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSettings, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.connector import ports, window_child
from app.connector.window_child import REPLACED_WAIT, ConnectorChild, exit_status
from archive.base.changes import Changes

if TYPE_CHECKING:
    from archive.library.store import Archive
from resources import resource_path

PORT_KEY = "connector/port"
ENABLED_KEY = "connector/enabled"
#: whether the connector listens when the settings do not say (the GUI tests turn it
#: off: each child costs a process start, tests/app/gui/conftest.py)
ENABLED_BY_DEFAULT = True
EXTENSION_README = resource_path("extension", "README.md")


def default_port() -> int:
    """$QUIRE_CONNECTOR_PORT, else the connector's default (ports.py imports nothing)."""
    return ports.default_port()


def open_extension_help() -> QUrl:
    """Open the extension's install instructions (resources/extension/README.md)."""
    url = QUrl.fromLocalFile(str(EXTENSION_README))
    QDesktopServices.openUrl(url)
    return url


def port_in_use_message(port: int) -> str:
    return (f"port {port} on 127.0.0.1 is in use (another Quire, or another "
            "program); choose another port in File → Browser connector")


class BrowserConnector(QObject):
    """The window's connector: start, stop, restart on a new port, and what it did.

    States: off (disabled, or no archive) → starting (the child runs, not yet
    listening) → listening (`url`) — or `error` (it could not listen: the port is
    taken, it failed to start, or it stopped unexpectedly)."""

    #: (article id, "saved" | "tagged", title), from the child's reader thread, delivered queued
    browser_changed = Signal(str, str, str)
    #: the connector started or failed: its state's text for the status bar and settings
    state_changed = Signal()
    #: (child, what, value) from a child's thread, handled on the UI thread
    child_heard = Signal(object, str, object)

    def __init__(self, settings: QSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        #: the connector's address while it listens, else ""
        self.url: str = ""
        self.error: str = ""
        self._archive: Archive | None = None
        self._child: ConnectorChild | None = None
        self._replaced: list[ConnectorChild] = []
        self._wanted_port = 0
        self.child_heard.connect(self._heard, Qt.ConnectionType.QueuedConnection)

    # -- settings ----------------------------------------------------------------
    @property
    def port(self) -> int:
        value = self.settings.value(PORT_KEY)
        try:
            return int(value) if value is not None else default_port()
        except (TypeError, ValueError):
            return default_port()

    @property
    def enabled(self) -> bool:
        value = self.settings.value(ENABLED_KEY, "true" if ENABLED_BY_DEFAULT else "false")
        return str(value).lower() not in ("false", "0")

    @property
    def listening(self) -> bool:
        return bool(self.url)

    @property
    def starting(self) -> bool:
        return self._child is not None and not self.url

    @property
    def running(self) -> bool:
        """A child process is there (starting, listening, or being replaced): closing
        the window must stop it."""
        return self._child is not None or any(c.alive for c in self._replaced)

    @property
    def listening_port(self) -> int | None:
        return int(self.url.rsplit(":", 1)[1]) if self.url else None

    @property
    def pid(self) -> int | None:
        child = self._child
        return child.proc.pid if child is not None and child.proc is not None else None

    def describe(self) -> str:
        if self.url:
            return f"Listening on {self.url} (127.0.0.1 only)"
        if self.error:
            return f"Not listening: {self.error}"
        if self._child is not None:
            where = f"port {self._wanted_port}" if self._wanted_port else "a free port"
            return f"Starting on {where} (127.0.0.1 only)…"
        return "Off: the browser extension cannot save into Quire while the window is open"

    # -- lifecycle ----------------------------------------------------------------
    def start(self, archive: Archive | None) -> bool:
        """Start the connector's process on the configured port, if enabled; it says
        later whether it listens (state_changed: `listening`, or `error` says why).
        False when nothing was started. Never waits: a running child is told to stop
        and its successor starts once it has (it may hold the port)."""
        self._replace()
        self._archive = archive
        self.error = ""
        if archive is None or not self.enabled:
            self.state_changed.emit()
            return False
        if getattr(archive, "read_only", False):  # nothing could be saved into it
            self.error = archive.read_only_reason or "the archive is read-only"
            self.state_changed.emit()
            return False
        self._wanted_port = self.port
        child = ConnectorChild(window_child.serve_command(archive.root, self._wanted_port),
                               window_child.serve_environment(), self.child_heard.emit,
                               self._told, [c for c in self._replaced if c.alive])
        self._child = child
        child.thread.start()
        self.state_changed.emit()
        return True

    def restart(self) -> bool:
        return self.start(self._archive)

    def _replace(self) -> None:
        """Tell the current child to stop, on a thread of its own (never waiting here)."""
        child, self._child = self._child, None
        self.url = ""
        self._replaced = [c for c in self._replaced if c.alive]
        if child is not None:
            self._replaced.append(child)
            threading.Thread(target=child.stop, args=(REPLACED_WAIT,), daemon=True,
                             name="quire-connector-stop").start()

    def stop(self, wait: float = 10.0) -> None:
        """Stop the child (and any being replaced): stdin closed, up to `wait` seconds,
        then terminated, then killed. Blocks: the window's closing thread calls it."""
        child, self._child = self._child, None
        self.url = ""
        for c in ([child] if child is not None else []) + self._replaced:
            c.stop(wait)

    def _told(self, article_id: str, what: str, title: str) -> None:  # on a child's thread
        try:
            self.browser_changed.emit(article_id, what, title)
        except RuntimeError:  # the window (and this object) is gone
            pass

    def _heard(self, child: ConnectorChild, what: str, value: Any) -> None:
        """A child's news, on the UI thread; a replaced child's is old news."""
        if child is not self._child:
            return
        if what == "listening":
            self.url = str(value)
        elif what == "failed":
            self._child = None
            self.error = str(value)
        elif what == "exited":
            code, port_taken, words = value
            was_listening = bool(self.url)
            self._child, self.url = None, ""
            if port_taken is not None:
                self.error = port_in_use_message(port_taken)
            elif was_listening:
                self.error = (f"it stopped unexpectedly ({exit_status(code)}"
                              + (f": {words}" if words else "") + ")")
            else:
                self.error = words or f"it could not start ({exit_status(code)})"
        self.state_changed.emit()

    # -- the secret ----------------------------------------------------------------
    def secret(self) -> str:
        from app.connector.secret import read_secret

        return read_secret(self._archive.root) if self._archive is not None else ""

    def new_secret(self) -> str:
        """Replace the secret: the child reads the file again at its next request."""
        from app.connector.secret import new_secret

        return new_secret(self._archive.root) if self._archive is not None else ""


def changes_of(article_id: str, what: str) -> Changes:
    """What a save or a tag change through the connector changed, for the panes."""
    if what == "saved":
        return Changes(added=frozenset({article_id}), tags=True, states=True)
    return Changes(articles=frozenset({article_id}), tags=True)


class ConnectorDialog(QDialog):
    """Browser connector settings: on/off, the port, the secret (copy, new one),
    and the way to the extension's install instructions."""

    def __init__(self, connector: BrowserConnector, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.connector = connector
        self.setWindowTitle("Browser connector")
        self.setObjectName("connectorDialog")
        layout = QVBoxLayout(self)
        intro = QLabel("The Quire browser extension saves the page you are reading, as your "
                       "browser shows it, into this archive while the window is open.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.state = QLabel()
        self.state.setObjectName("connectorState")
        self.state.setWordWrap(True)
        self.state.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.state)

        form = QFormLayout()
        self.enabled = QCheckBox("Listen for the browser extension")
        self.enabled.setChecked(connector.enabled)
        form.addRow(self.enabled)
        self.port = QSpinBox()
        self.port.setRange(0, 65535)
        self.port.setSpecialValueText("any free port")  # 0: for trying things out
        self.port.setValue(connector.port)
        self.port.setAccessibleName("Port")
        form.addRow("Port (on 127.0.0.1):", self.port)
        secret_row = QHBoxLayout()
        self.secret = QLineEdit(connector.secret())
        self.secret.setReadOnly(True)
        self.secret.setAccessibleName("Secret")
        self.secret.setMinimumWidth(340)
        self.copy_button = QPushButton("Copy")
        self.copy_button.clicked.connect(self.copy_secret)
        self.new_button = QPushButton("New secret")
        self.new_button.setToolTip("Replace the secret: the extension must then be given the new one")
        self.new_button.clicked.connect(self.replace_secret)
        secret_row.addWidget(self.secret, 1)
        secret_row.addWidget(self.copy_button)
        secret_row.addWidget(self.new_button)
        form.addRow("Secret:", secret_row)
        layout.addLayout(form)
        note = QLabel("Paste the port and the secret into the extension's options. "
                      "Without the window, <code>quire serve</code> runs the same connector.")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.help_button = QPushButton("How to install the extension…")
        self.help_button.clicked.connect(open_extension_help)
        layout.addWidget(self.help_button, 0, Qt.AlignmentFlag.AlignLeft)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        connector.state_changed.connect(self._show_state)
        self._show_state()

    _accept_when_listening = False

    def _show_state(self) -> None:
        self.state.setText(self.connector.describe())
        if self._accept_when_listening and not self.connector.starting:
            self._accept_when_listening = False
            if self.connector.listening:
                super().accept()

    def copy_secret(self) -> None:
        QGuiApplication.clipboard().setText(self.secret.text())

    def replace_secret(self) -> None:
        self.secret.setText(self.connector.new_secret())

    def accept(self) -> None:
        """Store the settings; restart the connector when they changed."""
        settings = self.connector.settings
        changed = (self.enabled.isChecked() != self.connector.enabled
                   or self.port.value() != self.connector.port
                   or (self.enabled.isChecked() and not self.connector.listening
                       and not self.connector.starting))
        settings.setValue(ENABLED_KEY, self.enabled.isChecked())
        settings.setValue(PORT_KEY, self.port.value())
        if changed:
            self.connector.restart()
        if self.connector.enabled and not self.connector.listening:
            # starting: closes once it listens; the port is taken: stays open and says so
            self._accept_when_listening = self.connector.starting
            self._show_state()
            return
        super().accept()



class ConnectorMixin:
    """MainWindow's part: the connector's lifecycle, its state in the status bar,
    and saves from the browser announced as changes."""

    def _setup_connector(self) -> None:
        self.connector = BrowserConnector(self.settings, self)
        self.connector_label = QLabel()
        self.connector_label.setObjectName("connectorState")
        self.connector_label.setTextFormat(Qt.TextFormat.RichText)
        self.connector_label.linkActivated.connect(lambda _link: self.connector_settings())
        self.connector_label.hide()
        self.statusBar().addPermanentWidget(self.connector_label)
        self.connector.browser_changed.connect(self._changed_from_browser)
        self.connector.state_changed.connect(self._connector_state_changed)

    def _connector_state_changed(self) -> None:
        error = self.connector.error
        if error:
            self.connector_label.setText(f'<a href="#connector">Browser connector off</a>: {error}')
            self.statusBar().showMessage(f"Browser connector off: {error}", 15000)
        self.connector_label.setToolTip(self.connector.describe())
        self.connector_label.setVisible(bool(error))

    def _changed_from_browser(self, article_id: str, what: str, title: str) -> None:
        self.announce(changes_of(article_id, what))
        if what == "saved":
            self.statusBar().showMessage(f"Saved from the browser: {title}", 6000)

    def _open_extension_help(self) -> QUrl:
        return open_extension_help()

    def connector_settings(self) -> ConnectorDialog:
        dialog = ConnectorDialog(self.connector, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog
