"""The search pane: a query box, a sort switch, the result count and list.

Typing restarts a ~150 ms debounce timer; when it fires, the search runs on a
single-thread pool of its own (so a search never queues behind a page being
saved). Each search carries a generation number and a result whose number is
not the latest is dropped, so fast typing never shows stale hits.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QLabel,
    QLineEdit,
    QListView,
    QToolButton,
    QWidget,
)

from app.gui.layouts import pane_column, side_by_side
from app.gui.ops import Op
from app.gui.result_delegate import ResultDelegate
from app.gui.results_model import IdRole, ResultRow, ResultsModel
from archive.base.changes import Changes
from app.gui.search_help import SearchHelp

if TYPE_CHECKING:
    from archive.library.store import Archive

PAGE = 50
DEBOUNCE_MS = 150
SORTS = [("Relevance", "relevance"), ("Newest", "newest"), ("Oldest", "oldest")]


@dataclass
class SearchPage:
    """One page of results, as computed on the worker thread."""

    query: str
    offset: int
    rows: list[ResultRow]
    total: int
    note: str = ""
    suggestion: str | None = None  # "Did you mean …" when nothing matched
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


def run_search(
    archive: Archive, query: str, sort: str, offset: int, limit: int | None = None
) -> SearchPage:
    """Search and attach each hit's reading state (worker thread).

    An empty query lists everything, newest first. The first page of a real
    query also asks for facets (tag and site counts over all its hits)."""
    limit = limit or PAGE
    if not query.strip() and sort == "relevance":
        sort = "newest"
    want_facets = offset == 0 and bool(query.strip())
    result = archive.search_full(query, limit=limit, offset=offset, sort=sort, facets=want_facets)
    articles = archive.get_many([hit.id for hit in result.hits])
    # an article deleted under us is shown as the hit it was
    rows = [ResultRow.from_hit(hit, articles.get(hit.id)) for hit in result.hits]
    return SearchPage(
        query=query,
        offset=offset,
        rows=rows,
        total=int(result.total),
        note=result.note,
        suggestion=result.suggestion,
        facets=dict(result.facets),
    )


class ResultList(QListView):
    """The result view: Enter opens the current row, Esc goes back to the query."""

    open_requested = Signal(str)
    escape_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            index = self.currentIndex()
            if index.isValid():
                self.open_requested.emit(index.data(IdRole))
            return
        if event.key() == Qt.Key.Key_Escape:
            self.escape_pressed.emit()
            return
        super().keyPressEvent(event)


class QueryEdit(QLineEdit):
    """The query box: Down moves into the results, Esc clears."""

    down_pressed = Signal()
    enter_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Down:
            self.down_pressed.emit()
            return
        if event.key() == Qt.Key.Key_Escape:
            self.clear()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.enter_pressed.emit()
        super().keyPressEvent(event)


class SearchPane(QWidget):
    """Query box plus lazily loaded result list."""

    article_selected = Signal(str)  # the current row changed: show it
    searched = Signal(str, int)  # query, total (after a first page arrived)
    facets_changed = Signal(dict)  # {"tag": [(name, n)], "site": [...]} of the current query

    def __init__(self, archive_getter: Callable[[], Archive | None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._archive = archive_getter  # callable returning the Archive, or None before it opens
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.generation = 0
        self.query_text = ""
        self.last_page: SearchPage | None = None
        self._open_when_ready = False
        #: Ids not to show (deleted, waiting for the undo period to end).
        self.hidden_ids: set[str] = set()
        self._help: SearchHelp | None = None

        self.query = QueryEdit()
        self.query.setPlaceholderText('Search  (words, "phrases", tag:x, site:y, is:unread)')
        self.query.setClearButtonEnabled(True)
        self.query.setAccessibleName("Search query")
        self.query.setToolTip(
            "Words are stemmed: 'reading' finds 'read'.\n"
            '"exact phrase"   -word   prefix*   fuzzy~\n'
            "title:  site:  tag:  author:  url:  lang:\n"
            "is:unread  is:read  is:favorite  is:archived  is:pending"
        )
        self.help_button = QToolButton()
        self.help_button.setText("?")
        self.help_button.setToolTip("How to search (F1)")
        self.help_button.setAccessibleName("Search syntax help")
        self.help_button.clicked.connect(self.show_help)
        self.sort = QComboBox()
        for label, value in SORTS:
            self.sort.addItem(label, value)
        self.sort.setAccessibleName("Sort results by")
        self.sort.setToolTip("Sort results")
        self.count_label = QLabel("")
        self.count_label.setObjectName("resultCount")
        self.count_label.setAccessibleName("Number of results")
        self.note_label = QLabel("")
        self.note_label.setObjectName("queryNote")
        self.note_label.setWordWrap(True)
        self.note_label.setTextFormat(Qt.TextFormat.RichText)
        self.note_label.setAccessibleName("How the query was read")
        self.note_label.linkActivated.connect(self.set_query)
        self.note_label.hide()

        self.model = ResultsModel(self)
        self.model.more_wanted.connect(self._fetch_page)
        self.view = ResultList()
        self.view.setModel(self.model)
        self.view.setItemDelegate(ResultDelegate(self.view))
        self.view.setUniformItemSizes(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setAccessibleName("Search results")
        self.view.setObjectName("results")
        self.view.setAlternatingRowColors(False)
        self.view.selectionModel().currentChanged.connect(self._current_changed)
        self.view.clicked.connect(lambda idx: self.article_selected.emit(idx.data(IdRole)))
        self.view.open_requested.connect(self.article_selected)
        self.view.escape_pressed.connect(self.focus_query)

        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self.search_now)
        self._refresh_timer = QTimer(self, singleShot=True, interval=0)
        self._refresh_timer.timeout.connect(self.refresh)
        self.query.textChanged.connect(lambda _t: self._timer.start())
        self.query.down_pressed.connect(self._enter_results)
        self.query.enter_pressed.connect(self._open_first)
        self.sort.currentIndexChanged.connect(lambda _i: self.search_now())

        layout = pane_column(self)
        layout.addLayout(side_by_side(self.query, self.help_button))
        layout.addLayout(side_by_side(self.count_label, self.sort))
        layout.addWidget(self.note_label)
        layout.addWidget(self.view, 1)

    # -- searching -----------------------------------------------------------
    def refine(self, condition: str) -> None:
        """Add a filter (a facet click) to the current query and search."""
        current = self.query.text().strip()
        if condition not in current.split():
            self.set_query(f"{current} {condition}".strip())

    def set_query(self, text: str) -> None:
        """Replace the query and search at once (tag pane clicks, tests)."""
        self.query.blockSignals(True)
        self.query.setText(text)
        self.query.blockSignals(False)
        self.search_now()

    def search_now(self) -> None:
        """Start a search for the current text; older results will be dropped."""
        self._timer.stop()
        archive = self._archive()
        if archive is None:
            return
        self.generation += 1
        generation = self.generation
        query = self.query.text().strip()
        sort = self.sort.currentData()
        self.query_text = query
        Op(
            lambda _ctx: run_search(archive, query, sort, 0),
            on_success=lambda page: self._first_page(generation, page),
            on_failure=lambda exc: self._failed(generation, exc),
            label=f"search {query!r}",
            parent=self,
        ).start(self.pool)

    def refresh(self) -> None:
        """Re-run the current query (articles were added, deleted or changed)."""
        self.search_now()

    def apply_changes(self, changes: Changes) -> None:
        """Show what an operation (here or in another process) changed: the list is
        searched again when articles came or searches find something else; gone
        articles leave it; changed rows are redrawn from the articles as written
        (read on the search thread when the change did not carry them)."""
        if changes.added or changes.found:
            self._refresh_timer.start()  # several changes at once: one search
        if changes.deleted:
            self.model.remove_ids(set(changes.deleted))
        shown = [aid for aid in changes.articles if self.model.row_of(aid) >= 0]
        for aid in shown:
            if aid in changes.fresh:
                self.model.update_article(changes.fresh[aid])
        unread = [aid for aid in shown if aid not in changes.fresh]
        archive = self._archive()
        if unread and archive is not None and not self._refresh_timer.isActive():
            Op(
                lambda _ctx: archive.get_many(unread),
                on_success=lambda articles: [self.model.update_article(a)
                                             for a in articles.values()],
                on_failure=lambda _exc: None,  # gone meanwhile: the next change says so
                label="changed rows",
                parent=self,
            ).start(self.pool)

    def _first_page(self, generation: int, page: SearchPage) -> None:
        if generation != self.generation:
            return  # a newer search is on its way: drop this one
        current = self.current_id()
        self.last_page = page
        rows = [r for r in page.rows if r.id not in self.hidden_ids]
        self.model.reset(rows, page.total - (len(page.rows) - len(rows)))
        total = self.model.total
        self.count_label.setText(
            "No articles" if total == 0 else f"{total:,} article{'s' if total != 1 else ''}"
        )
        note = html.escape(page.note)
        if page.suggestion:
            link = f'<a href="{html.escape(page.suggestion, quote=True)}">{html.escape(page.suggestion)}</a>'
            note = (note + "<br>" if note else "") + f"Did you mean {link}?"
        self.note_label.setText(note)
        self.note_label.setVisible(bool(note))
        self.facets_changed.emit(page.facets)
        if current:
            row = self.model.row_of(current)
            if row >= 0:
                self.view.selectionModel().setCurrentIndex(
                    self.model.index(row), QItemSelectionModel.SelectionFlag.NoUpdate
                )
        self.searched.emit(page.query, total)
        if self._open_when_ready:
            self._open_when_ready = False
            self._open_first()

    def _fetch_page(self, offset: int) -> None:
        archive = self._archive()
        if archive is None:
            return
        generation = self.generation
        query = self.query_text
        sort = self.sort.currentData()

        def done(page: SearchPage) -> None:
            if generation == self.generation:
                self.model.append(offset, [r for r in page.rows if r.id not in self.hidden_ids])

        def failed(_exc: BaseException) -> None:
            if generation == self.generation:
                self.model.page_failed()

        Op(
            lambda _ctx: run_search(archive, query, sort, offset),
            on_success=done,
            on_failure=failed,
            label="more results",
            parent=self,
        ).start(self.pool)

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self.generation:
            return
        self.model.reset([], 0)
        self.count_label.setText("Search failed")
        self.note_label.setText(html.escape(str(exc)))
        self.note_label.show()

    def show_help(self) -> None:
        """Show the query language under the query box, or hide it if shown
        (F1, the ? button and View → Search syntax toggle it)."""
        window = self.window()
        if self._help is None or self._help.parentWidget() is not window:
            self._help = SearchHelp(window)
        self._help.toggle(self.query, self.help_button)

    # -- selection and keys ------------------------------------------------
    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and self.view.hasFocus():
            self.article_selected.emit(current.data(IdRole))

    def current_id(self) -> str | None:
        index = self.view.currentIndex()
        return index.data(IdRole) if index.isValid() else None

    def selected_ids(self) -> list[str]:
        """The ids of all selected rows (multi-select), in list order."""
        rows = sorted(i.row() for i in self.view.selectionModel().selectedRows())
        ids = [self.model.row_at(r).id for r in rows]
        if not ids and self.current_id():
            ids = [self.current_id()]
        return ids

    def focus_query(self) -> None:
        self.query.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.query.selectAll()

    def _enter_results(self) -> None:
        if self.model.rowCount() == 0:
            return
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)
        index = self.view.currentIndex()
        if not index.isValid():
            index = self.model.index(0)
        self.view.setCurrentIndex(index)
        self.article_selected.emit(index.data(IdRole))

    def _open_first(self) -> None:
        """Enter in the query box: open the first hit (of this query, not a stale one)."""
        if self._timer.isActive():
            self._open_when_ready = True
            self.search_now()
            return
        if self.model.rowCount():
            self.view.setCurrentIndex(self.model.index(0))
            self.article_selected.emit(self.model.index(0).data(IdRole))

