"""Find in the open article: a box, next and previous, close (Esc)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from app.gui.reader import ReaderView


class FindBar(QWidget):
    """Find in the open article: a box, next, previous, close."""

    def __init__(self, reader: ReaderView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reader = reader
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("Find in article")
        self.edit.setAccessibleName("Find in article")
        self.edit.returnPressed.connect(lambda: self.find(False))
        self.status = QLabel("")
        prev_btn = QToolButton(text="▲", toolTip="Previous match (Shift+F3)")
        prev_btn.setAccessibleName("Previous match")
        prev_btn.clicked.connect(lambda: self.find(True))
        next_btn = QToolButton(text="▼", toolTip="Next match (F3)")
        next_btn.setAccessibleName("Next match")
        next_btn.clicked.connect(lambda: self.find(False))
        close_btn = QToolButton(text="✕", toolTip="Close (Esc)")
        close_btn.setAccessibleName("Close find")
        close_btn.clicked.connect(self.close_bar)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.status)
        layout.addWidget(prev_btn)
        layout.addWidget(next_btn)
        layout.addWidget(close_btn)
        self.hide()

    def open_bar(self) -> None:
        self.show()
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()

    def close_bar(self) -> None:
        self.hide()
        self.reader.setFocus()

    def article_changed(self) -> None:
        """Another article opened: 'Not found' was about the one before."""
        self.status.setText("")

    def find(self, backward: bool) -> bool:
        text = self.edit.text()
        if not text:
            return False
        found = self.reader.find_text(text, backward)
        self.status.setText("" if found else "Not found")
        return found

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close_bar()
            return
        super().keyPressEvent(event)
