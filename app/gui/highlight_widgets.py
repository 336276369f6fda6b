"""The reader's highlight widgets: the little popup beside a selection, the note popup
of a clicked highlight, and the list of the open article's highlights.

They only show and ask: the window (app/gui/highlight_ops.py) does the work, off
the UI thread, and tells them what changed.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.gui.highlight_paint import COLOR_LABELS, PALETTES
from archive.base.models import HIGHLIGHT_COLORS, Highlight

MARK_ROLE = Qt.ItemDataRole.UserRole + 7  # a list item's highlight id


def swatch(color: str, size: int = 12) -> QIcon:
    """A small square of a highlight colour (as the light theme paints it)."""
    pix = QPixmap(size, size)
    pix.fill(QColor(PALETTES["light"].get(color, PALETTES["light"]["yellow"])))
    return QIcon(pix)


def _color_buttons(parent: QWidget, layout: QHBoxLayout, chosen) -> dict[str, QToolButton]:
    buttons: dict[str, QToolButton] = {}
    for name in HIGHLIGHT_COLORS:
        button = QToolButton(parent)
        button.setIcon(swatch(name, 16))
        button.setIconSize(QSize(16, 16))
        button.setToolTip(f"Highlight {COLOR_LABELS[name].lower()}")
        button.setAccessibleName(f"{COLOR_LABELS[name]} highlight")
        button.setObjectName(f"color-{name}")
        button.clicked.connect(lambda _c=False, n=name: chosen(n))
        layout.addWidget(button)
        buttons[name] = button
    return buttons


class _Popup(QFrame):
    """A small frame floating over the reader near a point; Esc closes it."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.hide()

    def show_near(self, global_pos: QPoint) -> None:
        parent = self.parentWidget()
        self.adjustSize()
        local = parent.mapFromGlobal(global_pos) + QPoint(0, 14)
        x = max(0, min(local.x() - self.width() // 2, parent.width() - self.width()))
        y = local.y() if local.y() + self.height() < parent.height() else local.y() - self.height() - 28
        self.move(x, max(0, y))
        self.show()
        self.raise_()

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if event.key() == Qt.Key.Key_Escape:
            self.hide()
            return
        super().keyPressEvent(event)


class SelectionPopup(_Popup):
    """Four colours and a note button, shown beside a fresh selection."""

    color_chosen = Signal(str)
    note_wanted = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("selectionPopup")
        self.setAccessibleName("Highlight the selection")
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 2, 4, 2)
        self.buttons = _color_buttons(self, row, self._chosen)
        self.note_button = QToolButton(self)
        self.note_button.setText("Note…")
        self.note_button.setAccessibleName("Highlight with a note")
        self.note_button.clicked.connect(self._note)
        row.addWidget(self.note_button)

    def _chosen(self, color: str) -> None:
        self.hide()
        self.color_chosen.emit(color)

    def _note(self) -> None:
        self.hide()
        self.note_wanted.emit()


class NotePopup(_Popup):
    """A highlight's note (multi-line plain text), its colour, and Delete."""

    saved = Signal(str, str)  # highlight id, note
    recolored = Signal(str, str)  # highlight id, colour
    deleted = Signal(str)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("notePopup")
        self.setAccessibleName("Highlight note")
        self.mark_id = ""
        box = QVBoxLayout(self)
        box.setContentsMargins(6, 6, 6, 6)
        self.quote = QLabel(self)
        self.quote.setWordWrap(True)
        self.quote.setTextFormat(Qt.TextFormat.PlainText)
        self.quote.setMaximumWidth(360)
        box.addWidget(self.quote)
        self.editor = QPlainTextEdit(self)
        self.editor.setPlaceholderText("A note on this highlight")
        self.editor.setAccessibleName("Note")
        self.editor.setFixedSize(360, 110)
        box.addWidget(self.editor)
        row = QHBoxLayout()
        self.buttons = _color_buttons(self, row, lambda c: self.recolored.emit(self.mark_id, c))
        row.addStretch(1)
        self.delete_button = QPushButton("Delete", self)
        self.delete_button.setAccessibleName("Delete the highlight")
        self.delete_button.clicked.connect(self._delete)
        self.save_button = QPushButton("Save", self)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self._save)
        row.addWidget(self.delete_button)
        row.addWidget(self.save_button)
        box.addLayout(row)

    def open_for(self, mark: Highlight, global_pos: QPoint) -> None:
        self.mark_id = mark.id
        quote = " ".join(mark.quote.split())
        self.quote.setText("“" + (quote if len(quote) < 160 else quote[:159] + "…") + "”")
        self.editor.setPlainText(mark.note)
        self.show_near(global_pos)
        self.editor.setFocus()

    def _save(self) -> None:
        self.hide()
        self.saved.emit(self.mark_id, self.editor.toPlainText())

    def _delete(self) -> None:
        self.hide()
        self.deleted.emit(self.mark_id)


class ArticleHighlightsPanel(QWidget):
    """The open article's highlights beside the text: click (or Enter) one to go to
    it; those that could not be placed after a re-extraction are listed, greyed."""

    activated = Signal(str)
    delete_requested = Signal(str)  # Delete on an item
    note_requested = Signal(str)  # F2 on an item

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("articleHighlights")
        box = QVBoxLayout(self)
        box.setContentsMargins(10, 10, 10, 10)
        self.summary = QLabel("No highlights yet: select text and press Ctrl+H.")
        self.summary.setWordWrap(True)
        box.addWidget(self.summary)
        self.list = QListWidget(self)
        self.list.setAccessibleName("Highlights of this article")
        self.list.setWordWrap(True)
        self.list.setUniformItemSizes(False)
        self.list.itemActivated.connect(self._activated)
        self.list.itemClicked.connect(self._activated)
        self.list.installEventFilter(self)
        box.addWidget(self.list, 1)

    def set_highlights(self, marks: list[Highlight]) -> None:
        self.list.clear()
        for mark in marks:
            quote = " ".join(mark.quote.split())
            text = quote if len(quote) <= 140 else quote[:139] + "…"
            if mark.unplaced:
                text = "could not be placed: " + text
            if mark.note:
                first = mark.note.splitlines()[0]
                text += "\n— " + (first if len(first) <= 80 else first[:79] + "…")
            item = QListWidgetItem(swatch(mark.color), text)
            item.setData(MARK_ROLE, mark.id)
            item.setToolTip(mark.note or quote)
            if mark.unplaced:
                item.setForeground(QColor("#888888"))
            self.list.addItem(item)
        placed = sum(1 for m in marks if not m.unplaced)
        if not marks:
            self.summary.setText("No highlights yet: select text and press Ctrl+H.")
        else:
            lost = len(marks) - placed
            self.summary.setText(f"{len(marks)} highlight{'s' if len(marks) != 1 else ''}"
                                 + (f", {lost} could not be placed" if lost else ""))

    def select_mark(self, mark_id: str) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).data(MARK_ROLE) == mark_id:
                self.list.setCurrentRow(row)
                return

    def _activated(self, item: QListWidgetItem) -> None:
        self.activated.emit(str(item.data(MARK_ROLE)))

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        """Delete removes the current highlight, F2 opens its note: the list is the
        keyboard's way to them."""
        if watched is self.list and event.type() == QEvent.Type.ShortcutOverride \
                and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_F2) and self.list.currentItem() is not None:
            event.accept()  # the key is the list's: Delete here is not "delete the article"
            return True
        if watched is self.list and event.type() == QEvent.Type.KeyPress:
            item = self.list.currentItem()
            if item is not None and event.key() == Qt.Key.Key_Delete:
                self.delete_requested.emit(str(item.data(MARK_ROLE)))
                return True
            if item is not None and event.key() == Qt.Key.Key_F2:
                self.note_requested.emit(str(item.data(MARK_ROLE)))
                return True
        return super().eventFilter(watched, event)
