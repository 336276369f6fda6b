"""The browser connector in the window: started once the archive is open, on the
port the settings name (127.0.0.1 only; a taken port is said in the status bar
and in the settings, never replaced by another), stopped when the window closes.

Requests are answered on the connector's own threads (app/connector), never on
the UI thread; a save or a tag change made through it comes back here as a
queued signal and is announced like any operation's (MainWindow.changed), so
the list shows a saved article at once.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

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

from app.connector import ports
from archive.base.changes import Changes

if TYPE_CHECKING:
    from app.connector import ConnectorServer
    from archive.library.store import Archive
from resources import resource_path

PORT_KEY = "connector/port"
ENABLED_KEY = "connector/enabled"
EXTENSION_README = resource_path("extension", "README.md")


def default_port() -> int:
    """$QUIRE_CONNECTOR_PORT, else the connector's default (ports.py imports nothing:
    the server package, 110-420 ms to import, is loaded when the connector starts)."""
    return ports.default_port()


def open_extension_help() -> QUrl:
    """Open the extension's install instructions (resources/extension/README.md)."""
    url = QUrl.fromLocalFile(str(EXTENSION_README))
    QDesktopServices.openUrl(url)
    return url


class BrowserConnector(QObject):
    """The window's connector: start, stop, restart on a new port, and what it did."""

    #: (article id, "saved" | "tagged", title), from a request's thread, delivered queued
    browser_changed = Signal(str, str, str)
    #: the connector started or failed: its state's text for the status bar and settings
    state_changed = Signal()

    def __init__(self, settings: QSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.server: ConnectorServer | None = None
        self.error: str = ""
        self._archive: Archive | None = None

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
        return str(self.settings.value(ENABLED_KEY, "true")).lower() not in ("false", "0")

    @property
    def listening(self) -> bool:
        return self.server is not None

    def describe(self) -> str:
        if self.server is not None:
            return f"Listening on {self.server.url} (127.0.0.1 only)"
        if self.error:
            return f"Not listening: {self.error}"
        return "Off: the browser extension cannot save into Quire while the window is open"

    # -- lifecycle ----------------------------------------------------------------
    def start(self, archive: Archive | None) -> bool:
        """Listen for the extension on the configured port, if enabled. False (and
        `error` says why) when the port is taken."""
        from app.connector import ConnectorAPI, ConnectorServer, PortInUseError

        self.stop()
        self._archive = archive
        self.error = ""
        if archive is None or not self.enabled:
            self.state_changed.emit()
            return False
        if getattr(archive, "read_only", False):  # nothing could be saved into it
            self.error = archive.read_only_reason or "the archive is read-only"
            self.state_changed.emit()
            return False

        def told(article_id: str, what: str) -> None:  # on a request's thread
            try:
                title = archive.get(article_id).title
            except Exception:  # noqa: BLE001 - deleted meanwhile: the signal still refreshes
                title = ""
            self.browser_changed.emit(article_id, what, title)

        server = ConnectorServer(ConnectorAPI(archive, on_changed=told), port=self.port)
        try:
            server.start()
        except PortInUseError:
            self.error = (f"port {self.port} on 127.0.0.1 is in use (another Quire, or another "
                          "program); choose another port in File → Browser connector")
            server.stop(wait=0)
            self.state_changed.emit()
            return False
        self.server = server
        self.state_changed.emit()
        return True

    def restart(self) -> bool:
        return self.start(self._archive)

    def stop(self, wait: float = 10.0) -> None:
        server, self.server = self.server, None
        if server is not None:
            server.stop(wait=wait)

    # -- the secret ----------------------------------------------------------------
    def secret(self) -> str:
        from app.connector.secret import read_secret

        return read_secret(self._archive.root) if self._archive is not None else ""

    def new_secret(self) -> str:
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

    def _show_state(self) -> None:
        self.state.setText(self.connector.describe())

    def copy_secret(self) -> None:
        QGuiApplication.clipboard().setText(self.secret.text())

    def replace_secret(self) -> None:
        self.secret.setText(self.connector.new_secret())

    def accept(self) -> None:
        """Store the settings; restart the connector when they changed."""
        settings = self.connector.settings
        changed = (self.enabled.isChecked() != self.connector.enabled
                   or self.port.value() != self.connector.port
                   or (self.enabled.isChecked() and not self.connector.listening))
        settings.setValue(ENABLED_KEY, self.enabled.isChecked())
        settings.setValue(PORT_KEY, self.port.value())
        if changed:
            self.connector.restart()
        if self.connector.enabled and not self.connector.listening:
            self._show_state()  # the port is taken: stay open and say so
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
