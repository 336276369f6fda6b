"""The Add dialog (Ctrl+L): web addresses or saved .html files, plus tags.

It only collects input; the window saves on a worker thread. The box is
pre-filled with a URL from the clipboard, the usual reason for opening it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.gui.jobs import is_written_address, split_items
from archive.extraction.pages import HTML_SUFFIXES


class ItemsEdit(QPlainTextEdit):
    """The box of addresses: Enter (or Ctrl+Enter) saves, as the welcome article
    promises; Shift+Enter starts another line for several links. A pasted list
    keeps its lines. Enter with nothing in the box does nothing."""

    submitted = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            if mods & Qt.KeyboardModifier.ShiftModifier:
                self.insertPlainText("\n")
                return
            if mods in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ControlModifier):
                if self.toPlainText().strip():
                    self.submitted.emit()
                return
        super().keyPressEvent(event)


class AddDialog(QDialog):
    def __init__(self, tag_names: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Save articles")
        self.setMinimumWidth(520)
        intro = QLabel(
            "Paste a web address and press Enter, or choose saved .html pages. "
            "Shift+Enter starts another line for several addresses."
        )
        intro.setWordWrap(True)
        self.items = ItemsEdit()
        self.items.setPlaceholderText(
            "https://example.org/an-article\n/home/me/Downloads/saved-page.html"
        )
        self.items.setAccessibleName("Addresses or files to save, one per line")
        self.items.setTabChangesFocus(True)
        self.items.setFixedHeight(96)
        browse = QPushButton("Choose files…")
        browse.setAccessibleName("Choose saved HTML files")
        browse.clicked.connect(self._browse)
        browse.setAutoDefault(False)  # Enter in the tags box saves, it does not browse
        self.tags = QLineEdit()
        self.tags.setPlaceholderText("optional, comma-separated")
        self.tags.setAccessibleName("Tags for the saved articles")
        completer = QCompleter(tag_names, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.tags.setCompleter(completer)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        save = buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setDefault(True)
        self.items.submitted.connect(save.click)

        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Tags", self.tags)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.items)
        layout.addLayout(row)
        layout.addLayout(form)
        layout.addWidget(buttons)

        clip = QGuiApplication.clipboard().text().strip()
        if is_written_address(clip) and "\n" not in clip:
            self.items.setPlainText(clip)
            self.items.selectAll()

    def _browse(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Choose saved pages", "",
            f"Web pages ({' '.join('*' + suffix for suffix in HTML_SUFFIXES)})",
        )
        if paths:
            existing = self.items.toPlainText().strip()
            self.items.setPlainText("\n".join(([existing] if existing else []) + paths))

    def item_list(self) -> list[str]:
        return split_items(self.items.toPlainText())

    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.text().split(",") if t.strip()]
