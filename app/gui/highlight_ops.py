"""The window's side of highlights and notes: actions, popups, the article's list, the
Highlights view, and the operations behind them (off the UI thread).

Shortcuts: Ctrl+H highlights the selection (yellow, or the colour chosen last in
the popup), F8 / Shift+F8 step to the next / previous highlight, Ctrl+Z puts
back the highlights removed (the last first), Ctrl+Shift+H opens the Highlights
view. Every change goes through archive.highlights in an op; when it is done the
open article's row is read again (with its highlights) and announced, so the
reader repaints, the list follows, and the other panes hear of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QTimer
from PySide6.QtGui import QCursor, QTextCursor
from PySide6.QtWidgets import QMenu, QTabWidget

from app.gui.highlight_widgets import ArticleHighlightsPanel, NotePopup, SelectionPopup
from app.gui.highlights_view import HighlightsWindow, Row
from archive.base.changes import Changes
from archive.base.models import Article, Highlight

if TYPE_CHECKING:
    from archive.library.store import Archive

#: How many removed highlights Ctrl+Z can put back.
UNDO_DEPTH = 20


def load_rows(archive: "Archive") -> list[Row]:
    """Every highlight with its article's title, site and date (a worker thread)."""
    marks = archive.highlights.list()
    articles = archive.get_many(sorted({m.article_id for m in marks}))
    rows = []
    for mark in marks:
        article = articles.get(mark.article_id)
        if article is not None:
            rows.append(Row(mark, article.title, article.site, article.saved))
    return rows


class HighlightsMixin:
    """Mixed into MainWindow: _build_highlights() once the reader and the tag pane
    exist (it makes the side tabs the splitter shows), _build_highlight_actions()
    after the other menus."""

    def _build_highlights(self) -> None:
        self.highlight_panel = ArticleHighlightsPanel()
        self.side_tabs = QTabWidget()
        self.side_tabs.setObjectName("sideTabs")
        self.side_tabs.setDocumentMode(True)
        self.side_tabs.addTab(self.tags, "Tags")
        self.side_tabs.addTab(self.highlight_panel, "Highlights")
        self.selection_popup = SelectionPopup(self.reader)
        self.note_popup = NotePopup(self.reader)
        self.highlights_window: HighlightsWindow | None = None
        self.removed_highlights: list[Highlight] = []
        self.last_highlight_color = ""
        self._open_at_mark: str | None = None

    def _build_highlight_actions(self) -> None:
        """The actions and the Highlights menu (after the other menus), and the wiring."""
        a = self._action
        self.act_highlight = a("&Highlight selection", self.highlight_selection, "Ctrl+H",
                               tip="Highlight the selected text")
        self.act_next_mark = a("&Next highlight", lambda: self._step_mark(1), "F8")
        self.act_prev_mark = a("&Previous highlight", lambda: self._step_mark(-1), "Shift+F8")
        self.act_undo_highlight = a("&Undo highlight removal", self.undo_highlight_removal, "Ctrl+Z")
        self.act_mark_note = a("Highlight &note…", self.open_current_note, "Ctrl+Shift+N",
                               tip="The note of the highlight stepped to or clicked")
        self.act_highlights_view = a("All &highlights…", self.show_highlights_view, "Ctrl+Shift+H",
                                     tip="Every highlight in the archive")
        bar = self.menuBar()
        marks_menu = QMenu("&Highlights", self)
        help_menu = next((act for act in bar.actions() if act.text().replace("&", "") == "Help"), None)
        if help_menu is not None:  # before Help, which stays last
            bar.insertMenu(help_menu, marks_menu)
        else:
            bar.addMenu(marks_menu)
        for act in (self.act_highlight, self.act_next_mark, self.act_prev_mark, self.act_mark_note,
                    self.act_undo_highlight):
            marks_menu.addAction(act)
        marks_menu.addSeparator()
        marks_menu.addAction(self.act_highlights_view)
        self.act_undo_highlight.setEnabled(False)

        reader = self.reader
        reader.highlight_requested.connect(self.add_highlight)
        reader.selection_finished.connect(self.selection_popup.show_near)
        reader.mark_clicked.connect(self._mark_clicked)
        reader.mark_recolor_requested.connect(lambda mid, color: self.update_highlight(mid, color=color))
        reader.mark_delete_requested.connect(self.delete_highlight)
        reader.current_mark_changed.connect(self.highlight_panel.select_mark)
        reader.verticalScrollBar().valueChanged.connect(lambda _v: self.selection_popup.hide())
        self.selection_popup.color_chosen.connect(self._popup_color)
        self.selection_popup.note_wanted.connect(self._popup_note)
        self.note_popup.saved.connect(lambda mid, note: self.update_highlight(mid, note=note))
        self.note_popup.recolored.connect(lambda mid, color: self.update_highlight(mid, color=color))
        self.note_popup.deleted.connect(self.delete_highlight)
        self.highlight_panel.activated.connect(self.go_to_highlight)
        self.highlight_panel.delete_requested.connect(self.delete_highlight)
        self.highlight_panel.note_requested.connect(lambda mid: (self.go_to_highlight(mid),
                                                                 self._open_note(mid, None)))
        self.article_shown.connect(self._article_shown_marks)

    # -- adding and changing ----------------------------------------------------
    def highlight_selection(self, color: str = "") -> bool:
        """Ctrl+H: highlight the reader's selection."""
        return self.reader.highlight_selection(color or self.last_highlight_color)

    def _popup_color(self, color: str) -> None:
        self.last_highlight_color = color
        self.reader.highlight_selection(color)

    def _popup_note(self) -> None:
        """Highlight the selection, then open its note."""
        chosen = self.reader.selected_range()
        if chosen is not None:
            self.add_highlight(chosen[0], chosen[1], self.last_highlight_color, open_note=True)

    def add_highlight(self, start: int, end: int, color: str = "", *, note: str = "",
                      open_note: bool = False) -> None:
        article_id, archive = self.reader.article_id, self.archive
        if article_id is None or archive is None:
            return

        def done(mark: Highlight) -> None:
            self._marks_changed(article_id, then=lambda: self._after_add(mark, open_note))

        self.run_op(lambda _ctx: archive.highlights.add(article_id, start, end, color=color or None,
                                                       note=note or None),
                    done, label="Highlighting")

    def _after_add(self, mark: Highlight, open_note: bool) -> None:
        self.reader.current_mark = mark.id
        self.highlight_panel.select_mark(mark.id)
        cursor = self.reader.textCursor()
        cursor.clearSelection()
        self.reader.setTextCursor(cursor)
        if open_note:
            self._open_note(mark.id, None)

    def update_highlight(self, mark_id: str, *, color: str | None = None, note: str | None = None) -> None:
        article_id, archive = self.reader.article_id, self.archive
        self.run_op(lambda _ctx: archive.highlights.update(mark_id, color=color, note=note),
                    lambda mark: self._marks_changed(mark.article_id), label="Changing the highlight")

    def delete_highlight(self, mark_id: str) -> None:
        archive = self.archive

        def done(mark: Highlight) -> None:
            self.removed_highlights = [*self.removed_highlights[-(UNDO_DEPTH - 1):], mark]
            self.act_undo_highlight.setEnabled(True)
            self.statusBar().showMessage("Highlight removed — Ctrl+Z puts it back", 8000)
            self._marks_changed(mark.article_id)

        self.run_op(lambda _ctx: archive.highlights.delete(mark_id), done, label="Removing the highlight")

    def undo_highlight_removal(self) -> bool:
        """Ctrl+Z: put back the last highlight removed."""
        if not self.removed_highlights or self.archive is None:
            return False
        mark = self.removed_highlights.pop()
        self.act_undo_highlight.setEnabled(bool(self.removed_highlights))
        archive = self.archive
        self.run_op(lambda _ctx: archive.highlights.restore(mark),
                    lambda back: self._marks_changed(back.article_id), label="Putting the highlight back")
        return True

    def _marks_changed(self, article_id: str, then=None) -> None:
        """Read the article again (with its highlights) and tell every pane."""
        archive = self.archive

        def fresh(article: Article) -> None:
            self.announce(Changes.of_articles([article]))
            if self.reader.article_id == article.id:
                self.reader.update_article(article)
                self.highlight_panel.set_highlights(article.highlights)
            if then is not None:
                then()
            if self.highlights_window is not None and self.highlights_window.isVisible():
                self._load_highlights_view()

        self.run_op(lambda _ctx: archive.get(article_id), fresh, label="Reading the highlights")

    # -- showing ------------------------------------------------------------------
    def _article_shown_marks(self, article_id: str) -> None:
        content = self.reader.content
        marks = content.article.highlights if content is not None and content.plain_text else []
        self.highlight_panel.set_highlights(marks)
        self.selection_popup.hide()
        self.note_popup.hide()
        if self._open_at_mark is not None:
            mark_id, self._open_at_mark = self._open_at_mark, None
            # after the first layout, as the restored reading position is
            QTimer.singleShot(0, self, lambda: self.go_to_highlight(mark_id))

    def go_to_highlight(self, mark_id: str) -> None:
        if self.reader.scroll_to_mark(mark_id):
            self.highlight_panel.select_mark(mark_id)
        elif any(m.id == mark_id and m.unplaced for m in self.reader.highlights):
            self.statusBar().showMessage(
                "This highlight could not be placed in the article's current text; "
                "it is kept with its note", 8000)

    def open_current_note(self) -> None:
        """Ctrl+Shift+N: the note of the highlight last stepped to or clicked."""
        if self.reader.current_mark is not None:
            self._open_note(self.reader.current_mark, None)

    def _step_mark(self, step: int) -> None:
        mark_id = self.reader.step_mark(step)
        if mark_id is not None:
            self.highlight_panel.select_mark(mark_id)

    def _mark_clicked(self, mark_id: str, where: QPoint) -> None:
        self._open_note(mark_id, where)

    def _open_note(self, mark_id: str, where: QPoint | None) -> None:
        mark = next((m for m in self.reader.highlights if m.id == mark_id), None)
        if mark is None:
            return
        self.selection_popup.hide()
        if where is None:
            span = self.reader.mark_span(mark_id)
            if span is not None:
                cursor = QTextCursor(self.reader.document())
                cursor.setPosition(span[1])
                rect = self.reader.cursorRect(cursor)
                where = self.reader.viewport().mapToGlobal(rect.bottomLeft())
            else:
                where = QCursor.pos()
        self.note_popup.open_for(mark, where)

    # -- the Highlights view ----------------------------------------------------------
    def show_highlights_view(self) -> HighlightsWindow:
        if self.highlights_window is None:
            self.highlights_window = HighlightsWindow(self)
            self.highlights_window.open_requested.connect(self.open_article_at)
            self.highlights_window.query_wanted.connect(self._run_highlights_query)
        self.highlights_window.show()
        self.highlights_window.raise_()
        self._load_highlights_view()
        return self.highlights_window

    def _load_highlights_view(self) -> None:
        archive = self.archive
        window = self.highlights_window
        self.run_op(lambda _ctx: load_rows(archive), lambda rows: window.set_rows(rows),
                    label="Reading the highlights")

    def _run_highlights_query(self, text: str) -> None:
        # with the store, which the window loads after its first paint (main_window._open_archive)
        from archive.library.highlights import matching

        archive = self.archive
        window = self.highlights_window
        self.run_op(lambda _ctx: {m.id for m in matching(archive, text)},
                    lambda ids: window.set_query_result(text, ids), label="Searching the highlights",
                    on_failure=lambda _exc: window.set_query_result(text, set()))

    def open_article_at(self, article_id: str, mark_id: str) -> None:
        """Open an article (from the Highlights view) and go to one of its highlights."""
        if mark_id and self.reader.article_id == article_id:
            self.go_to_highlight(mark_id)
            return
        self._open_at_mark = mark_id or None
        self.open_article(article_id)
