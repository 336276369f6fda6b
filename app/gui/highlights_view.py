"""The Highlights view: every highlight of the archive, grouped by article (a heading
row per article) or in date order, filtered by colour and by what is typed (as you type); activating one opens
its article at it.

HighlightsModel is a QAbstractItemModel over plain rows (no item objects), so
10,000 highlights load and filter in a few milliseconds; the rows are read off the
UI thread by the window (app/gui/highlight_ops.py). Typed words filter in memory
(quote, note, title, site); a query with a field (note:idea, tag:birds) is run
through the search engine by the window, off the UI thread, and narrows the rows
to what it found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QHeaderView,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.gui.highlight_paint import COLOR_LABELS
from app.gui.highlight_widgets import swatch
from archive.base.models import HIGHLIGHT_COLORS, Highlight

ID_ROLE = Qt.ItemDataRole.UserRole + 11  # (article id, highlight id) of a row; (article id, "") of a group
_FIELD = re.compile(r"(?<![\w])[A-Za-z]+:")
COLUMNS = ("Highlight", "Note", "Article", "Site", "Date")


@dataclass(frozen=True)
class Row:
    """One highlight with what the view shows of its article."""

    mark: Highlight
    title: str
    site: str
    saved: str


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


class HighlightsModel(QAbstractItemModel):
    """A flat list of rows: grouped by article, each article's heading row is followed
    by its highlights in text order (articles ordered by their newest highlight); by
    date, the highlights newest first. Flat on purpose: nothing to expand, and with
    one-line rows the view asks only for the rows on screen, so 10,000 highlights
    show and filter at once. An entry >= 0 is a row of _rows; -1 - g is heading g."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[Row] = []
        self._haystacks: list[str] = []
        self._articles: list[tuple[str, list[int]]] = []  # (article id, rows in text order)
        self._entries: list[int] = []
        self._headings: list[tuple[str, int, int]] = []  # (article id, highlights shown, a row of it)
        self._count = 0
        self.grouped = True
        self._words: list[str] = []
        self._color: str | None = None
        self._allowed: set[str] | None = None  # highlight ids a field query found

    # -- what is shown ------------------------------------------------------
    def set_rows(self, rows: list[Row]) -> None:
        self.beginResetModel()
        self._rows = sorted(rows, key=lambda r: (r.mark.created, r.mark.id), reverse=True)
        self._haystacks = [" ".join((r.mark.quote, r.mark.note, r.title, r.site)).casefold()
                           for r in self._rows]
        groups: dict[str, list[int]] = {}
        for i, row in enumerate(self._rows):  # newest first: an article sits where its newest is
            groups.setdefault(row.mark.article_id, []).append(i)
        rows_ = self._rows
        self._articles = [(aid, sorted(members, key=lambda i: rows_[i].mark.start))
                          for aid, members in groups.items()]
        self._refilter()
        self.endResetModel()

    def set_filter(self, text: str = "", color: str | None = None,
                   allowed: set[str] | None = None) -> None:
        self.beginResetModel()
        self._words = [w.casefold() for w in text.split()] if not _FIELD.search(text) else []
        self._color = color or None
        self._allowed = allowed
        self._refilter()
        self.endResetModel()

    def set_grouped(self, grouped: bool) -> None:
        self.beginResetModel()
        self.grouped = grouped
        self._refilter()
        self.endResetModel()

    def _keep(self) -> list[bool]:
        words, color, allowed = self._words, self._color, self._allowed
        if not (words or color or allowed is not None):
            return [True] * len(self._rows)
        keep = []
        for row, hay in zip(self._rows, self._haystacks):
            keep.append((not color or row.mark.color == color)
                        and (allowed is None or row.mark.id in allowed)
                        and all(w in hay for w in words))
        return keep

    def _refilter(self) -> None:
        keep = self._keep()
        self._count = sum(keep)
        entries: list[int] = []
        headings: list[tuple[str, int, int]] = []
        if self.grouped:
            for aid, members in self._articles:
                shown = [i for i in members if keep[i]]
                if shown:
                    entries.append(-1 - len(headings))
                    headings.append((aid, len(shown), shown[0]))
                    entries.extend(shown)
        else:
            entries = [i for i, k in enumerate(keep) if k]
        self._entries, self._headings = entries, headings

    def shown_count(self) -> int:
        """How many highlights are shown (headings not counted)."""
        return self._count

    def row_at(self, index: QModelIndex) -> Row | None:
        """The highlight of an index (None for an article heading)."""
        if not index.isValid() or index.row() >= len(self._entries):
            return None
        entry = self._entries[index.row()]
        return self._rows[entry] if entry >= 0 else None

    def index_of(self, highlight_id: str) -> QModelIndex:
        """The index showing a highlight (invalid when filtered out)."""
        for r, entry in enumerate(self._entries):
            if entry >= 0 and self._rows[entry].mark.id == highlight_id:
                return self.createIndex(r, 0)
        return QModelIndex()

    # -- QAbstractItemModel ---------------------------------------------------
    def index(self, row: int, column: int, parent: QModelIndex | QPersistentModelIndex = QModelIndex()
              ) -> QModelIndex:
        if parent.isValid() or not (0 <= row < len(self._entries)) or not 0 <= column < len(COLUMNS):
            return QModelIndex()
        return self.createIndex(row, column)

    def parent(self, index: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        return QModelIndex()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if self.row_at(index) is None:  # a heading: not a highlight to choose
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._entries):
            return None
        entry = self._entries[index.row()]
        if entry < 0:  # an article heading
            aid, count, some = self._headings[-1 - entry]
            if role == Qt.ItemDataRole.DisplayRole:
                first = self._rows[some]
                return {0: f"{first.title or '(untitled)'}  ({count})", 1: "", 2: "",
                        3: first.site, 4: first.saved[:10]}[index.column()]
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            if role == ID_ROLE:
                return (aid, "")
            return None
        row = self._rows[entry]
        mark = row.mark
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 0:
                text = _one_line(mark.quote)
                return "could not be placed: " + text if mark.unplaced else text
            return {1: _one_line(mark.note, 120), 2: row.title, 3: row.site,
                    4: mark.created[:10]}[index.column()]
        if role == Qt.ItemDataRole.DecorationRole and index.column() == 0:
            return swatch(mark.color)
        if role == Qt.ItemDataRole.ToolTipRole:
            return mark.note or mark.quote
        if role == ID_ROLE:
            return (mark.article_id, mark.id)
        return None


class HighlightsWindow(QWidget):
    """The Highlights view (a window of its own, Ctrl+Shift+H)."""

    open_requested = Signal(str, str)  # article id, highlight id
    query_wanted = Signal(str)  # a query with a field: the window runs it

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("highlightsWindow")
        self.setWindowTitle("Highlights — Quire")
        self.resize(900, 600)
        box = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Filter: words of a highlight, note, title or site; "
                                       "or a search (note:idea, tag:birds)")
        self.filter.setClearButtonEnabled(True)
        self.filter.setAccessibleName("Filter highlights")
        bar.addWidget(self.filter, 1)
        self.color = QComboBox(self)
        self.color.setAccessibleName("Colour")
        self.color.addItem("All colours", None)
        for name in HIGHLIGHT_COLORS:
            self.color.addItem(swatch(name), COLOR_LABELS[name], name)
        bar.addWidget(self.color)
        self.grouping = QComboBox(self)
        self.grouping.setAccessibleName("Group")
        self.grouping.addItem("By article", True)
        self.grouping.addItem("By date", False)
        bar.addWidget(self.grouping)
        box.addLayout(bar)
        self.model = HighlightsModel(self)
        # a table of one-line rows of one height: the view asks only for the rows on
        # screen (a QTreeView lays out every row, 10,000 calls into Python)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setShowGrid(False)
        self.view.setWordWrap(False)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        rows = self.view.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.setAlternatingRowColors(True)
        self.view.setAccessibleName("Highlights")
        for column, width in enumerate((360, 170, 200, 110)):
            self.view.setColumnWidth(column, width)
        self.view.setColumnHidden(2, True)  # grouped: the heading row names the article
        self.view.activated.connect(self._activated)
        self.view.doubleClicked.connect(self._activated)
        box.addWidget(self.view, 1)
        self.count = QLabel("", self)
        box.addWidget(self.count)
        self._allowed: set[str] | None = None
        self._typing = QTimer(self, singleShot=True, interval=150)
        self._typing.timeout.connect(self._apply_filter)
        self.filter.textChanged.connect(lambda _t: self._typing.start())
        self.color.currentIndexChanged.connect(lambda _i: self._apply_filter())
        self.grouping.currentIndexChanged.connect(self._regroup)

    def set_rows(self, rows: list[Row]) -> None:
        self.model.set_rows(rows)
        self._after_change()

    def set_query_result(self, text: str, highlight_ids: set[str]) -> None:
        """What a field query found (run by the window); ignored if the text moved on."""
        if text.strip() == self.filter.text().strip():
            self._allowed = highlight_ids
            self.model.set_filter(text, self.color.currentData(), self._allowed)
            self._after_change()

    def _apply_filter(self) -> None:
        text = self.filter.text()
        if _FIELD.search(text):
            self.query_wanted.emit(text.strip())  # answered by set_query_result
            return
        self._allowed = None
        self.model.set_filter(text, self.color.currentData())
        self._after_change()

    def _regroup(self) -> None:
        self.model.set_grouped(bool(self.grouping.currentData()))
        self.view.setColumnHidden(2, self.model.grouped)
        self._after_change()

    def _after_change(self) -> None:
        n = self.model.shown_count()
        self.count.setText(f"{n} highlight{'s' if n != 1 else ''}")

    def _activated(self, index: QModelIndex) -> None:
        ids = self.model.data(index, ID_ROLE)
        if ids is None:
            return
        article_id, mark_id = ids
        self.open_requested.emit(article_id, mark_id)
