"""The result list's item model: search hits, loaded a page at a time.

The model holds only the rows fetched so far plus the total count; when the
view scrolls near the end, Qt calls `fetchMore`, which asks the search pane
(through `more_wanted`) to fetch the next page on a worker thread. That keeps
100,000 hits cheap: nothing beyond what is on screen is ever built.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from app.gui.plaintext import as_plain
from archive.base.models import Article, SearchHit

TitleRole = Qt.ItemDataRole.UserRole + 1
SiteRole = TitleRole + 1
DateRole = TitleRole + 2
SnippetRole = TitleRole + 3
TagsRole = TitleRole + 4
UnreadRole = TitleRole + 5
IdRole = TitleRole + 6
RowRole = TitleRole + 7  # the whole ResultRow, for the delegate

Index = QModelIndex | QPersistentModelIndex


@dataclass
class ResultRow:
    """What one line of the result list shows: a hit plus the article's state."""

    id: str
    title: str
    site: str = ""
    saved: str = ""
    snippet: str = ""  # HTML, matched terms in <b class="match">
    tags: list[str] = field(default_factory=list)
    url: str | None = None
    is_read: bool = False
    is_favorite: bool = False
    is_archived: bool = False
    reading_minutes: int = 0
    progress: float = 0.0
    pending: bool = False

    @classmethod
    def from_hit(cls, hit: SearchHit, article: Article | None = None) -> ResultRow:
        row = cls(
            id=hit.id,
            title=hit.title,
            site=hit.site,
            saved=hit.saved,
            snippet=hit.snippet,
            tags=list(hit.tags),
            url=hit.url,
        )
        return row.with_article(article) if article is not None else row

    def with_article(self, article: Article) -> ResultRow:
        """The same row with the state fields taken from a fresher Article."""
        return replace(
            self,
            title=article.title or self.title,
            site=article.site or self.site,
            saved=article.saved or self.saved,
            tags=list(article.tags),
            url=article.url,
            is_read=article.is_read,
            is_favorite=article.is_favorite,
            is_archived=article.is_archived,
            reading_minutes=article.reading_minutes,
            progress=article.progress,
            pending=article.status == "pending",
        )


class ResultsModel(QAbstractListModel):
    """Rows of the current search, fetched lazily page by page."""

    more_wanted = Signal(int)  # offset of the next page the view wants

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ResultRow] = []
        self._total = 0
        self._fetching = False

    # -- filling ---------------------------------------------------------
    def reset(self, rows: list[ResultRow], total: int) -> None:
        """Replace all rows with the first page of a new search."""
        self.beginResetModel()
        self._rows = list(rows)
        self._total = max(total, len(rows))
        self._fetching = False
        self.endResetModel()

    def append(self, offset: int, rows: list[ResultRow]) -> None:
        """Add a further page; ignored unless it continues where we are."""
        self._fetching = False
        if offset != len(self._rows):
            return
        fresh = [r for r in rows if r.id not in self._ids()]
        if not fresh:
            self._total = len(self._rows)  # the index shrank under us: stop asking
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
        self._rows.extend(fresh)
        self.endInsertRows()

    def page_failed(self) -> None:
        self._fetching = False
        self._total = len(self._rows)

    def update_article(self, article: Article) -> None:
        """Refresh the row of one article after its tags or state changed."""
        for i, row in enumerate(self._rows):
            if row.id == article.id:
                self._rows[i] = row.with_article(article)
                idx = self.index(i)
                self.dataChanged.emit(idx, idx)

    def remove_ids(self, ids: set[str]) -> None:
        for i in range(len(self._rows) - 1, -1, -1):
            if self._rows[i].id in ids:
                self.beginRemoveRows(QModelIndex(), i, i)
                del self._rows[i]
                self._total -= 1
                self.endRemoveRows()

    def _ids(self) -> set[str]:
        return {r.id for r in self._rows}

    # -- queries ---------------------------------------------------------
    @property
    def total(self) -> int:
        return self._total

    def row_at(self, row: int) -> ResultRow:
        return self._rows[row]

    def row_of(self, article_id: str) -> int:
        for i, row in enumerate(self._rows):
            if row.id == article_id:
                return i
        return -1

    # -- QAbstractListModel ---------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, TitleRole):
            return row.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return as_plain(row.url or row.title or "")
        if role == Qt.ItemDataRole.AccessibleTextRole:
            state = "unread" if not row.is_read else "read"
            return f"{row.title}, {row.site}, {row.saved[:10]}, {state}"
        if role == SiteRole:
            return row.site
        if role == DateRole:
            return row.saved
        if role == SnippetRole:
            return row.snippet
        if role == TagsRole:
            return list(row.tags)
        if role == UnreadRole:
            return not row.is_read
        if role == IdRole:
            return row.id
        if role == RowRole:
            return row
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def canFetchMore(self, parent: Index) -> bool:
        if parent.isValid():
            return False
        return not self._fetching and len(self._rows) < self._total

    def fetchMore(self, parent: Index) -> None:
        if parent.isValid() or not self.canFetchMore(parent):
            return
        self._fetching = True
        self.more_wanted.emit(len(self._rows))
