"""The main window: search | reader | tags in splitters, menus, toolbar,
status bar with long work, drag and drop, and settings remembered.

The window owns the Archive but never calls it on the UI thread: every call
goes through an `Op` on one of three pools — searches (one thread, in the
search pane), reading (one thread: opening articles, tag and state changes,
so they never wait behind a long import) and work (saves, imports, bulk).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Qt, QThreadPool, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QIcon,
    QKeyEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app import jobs
from app.add_dialog import AddDialog
from app.ops import Op
from app.reader import ArticleContent, ReaderView, load_article_content, query_terms
from app.search_pane import SearchPane
from app.tag_pane import TagPane, tag_query
from app.taskbar import TaskBar
from app.themes import (
    LINE_SPACINGS,
    LINE_WIDTHS,
    THEME_CHOICES,
    ReadingSettings,
    app_palette,
    load_theme,
    reader_palette,
    window_stylesheet,
)
from archive.errors import QuireError
from archive.models import Article

ICON_PATH = Path(__file__).resolve().parent.parent / "resources" / "icons" / "quire.svg"


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


class MainWindow(QMainWindow):
    """Quire's window. `archive_ready` fires once the archive is open."""

    archive_ready = Signal()
    article_shown = Signal(str)
    library_refreshed = Signal()
    saved = Signal(object)  # jobs.SaveSummary
    imported = Signal(object)  # archive.importers.ImportReport
    exported = Signal(object)  # archive.exporters.ExportReport

    def __init__(
        self,
        archive_root: Path,
        settings: QSettings | None = None,
        *,
        seed: bool = True,
        fetch: bool = True,
        archive: Any = None,
    ) -> None:
        super().__init__()
        self.archive_root = Path(archive_root)
        self.settings = settings or QSettings()
        self.archive: Any = archive
        self.last_error: str = ""
        self.reading = ReadingSettings.load(self.settings)
        self.work_pool = QThreadPool(self)
        self.work_pool.setMaxThreadCount(2)
        self.read_pool = QThreadPool(self)
        self.read_pool.setMaxThreadCount(1)
        self._open_generation = 0
        self._distraction_free = False
        self._fetch = fetch
        self._lock: Any = None

        self.setWindowTitle("Quire")
        self.setAcceptDrops(True)
        if ICON_PATH.exists():
            self.setWindowIcon(QIcon(str(ICON_PATH)))

        self.search = SearchPane(lambda: self.archive)
        self.reader = ReaderView()
        self.find_bar = FindBar(self.reader)
        self.tags = TagPane()
        reader_box = QWidget()
        reader_box.setObjectName("readerBox")
        box = QVBoxLayout(reader_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.reader, 1)
        box.addWidget(self.find_bar)
        for pane, name in ((self.search, "searchPane"), (self.tags, "tagPane")):
            pane.setObjectName(name)
            pane.layout().setContentsMargins(10, 10, 10, 10)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.search)
        self.splitter.addWidget(reader_box)
        self.splitter.addWidget(self.tags)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.splitter.setChildrenCollapsible(False)
        self.search.setMinimumWidth(260)
        self.tags.setMinimumWidth(180)
        self.splitter.setSizes([380, 760, 240])
        self.setCentralWidget(self.splitter)

        self.taskbar = TaskBar()
        self.statusBar().addPermanentWidget(self.taskbar)
        self.statusBar().setAccessibleName("Status")

        self._build_actions()
        self._connect()
        self.apply_reading_settings()
        self._restore_window()
        self.reader.show_placeholder("Opening the archive…")
        if self.archive is None:
            self._open_archive(seed, fetch)
        else:
            QTimer.singleShot(0, self._archive_opened_now)

    # -- archive lifecycle -------------------------------------------------
    def _open_archive(self, seed: bool, fetch: bool) -> None:
        from archive import Archive
        from archive.lock import WindowLock

        root = self.archive_root

        def open_locked(_ctx: Any) -> tuple[Any, WindowLock]:
            # One window per archive: a second one is refused with a clear message.
            lock = WindowLock(root)
            lock.acquire()
            try:
                return Archive(root, seed=seed, fetch=fetch), lock
            except BaseException:
                lock.release()
                raise

        Op(
            open_locked,
            on_success=self._archive_opened,
            on_failure=self._archive_failed,
            label="Opening the archive",
            parent=self,
        ).start(self.work_pool)

    def _archive_opened(self, opened: tuple[Any, Any]) -> None:
        self.archive, self._lock = opened
        if self._closed:  # closed while opening: let go at once
            self._release_archive()
            return
        self._archive_opened_now()

    _closed = False

    def _release_archive(self) -> None:
        if self.archive is not None:
            self.archive.close()
            self.archive = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def _archive_opened_now(self) -> None:
        self.statusBar().showMessage(f"Archive: {self.archive_root}", 4000)
        self.reader.show_placeholder("Choose an article to read it here.")
        self.search.search_now()
        self.refresh_library()
        self.archive_ready.emit()

    def _archive_failed(self, exc: BaseException) -> None:
        self.show_error(f"Cannot open the archive at {self.archive_root}", exc)
        self.reader.show_placeholder(f"Cannot open the archive: {exc}")

    def run_op(
        self,
        fn: Callable[[Any], Any],
        on_success: Callable[[Any], None] | None = None,
        *,
        label: str,
        pool: QThreadPool | None = None,
        track: bool = False,
        cancellable: bool = False,
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> Op | None:
        """Run fn(ctx) off the UI thread; errors become a clear message."""
        if self.archive is None:
            return None
        op = Op(
            fn,
            on_success=on_success,
            on_failure=on_failure or (lambda exc: self.show_error(label, exc)),
            label=label,
            parent=self,
        )
        if track:
            self.taskbar.track(op, cancellable=cancellable)
        return op.start(pool or self.read_pool)

    # -- actions, menus, toolbar --------------------------------------------
    def _action(
        self,
        text: str,
        slot: Callable[[], None],
        shortcut: Any = None,
        *,
        tip: str = "",
        checkable: bool = False,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(
            f"{tip or text.replace('&', '').rstrip('…')}"
            + (
                f" ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
                if shortcut is not None
                else ""
            )
        )
        action.setCheckable(checkable)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)  # shortcuts work even when menus are hidden (F11)
        return action

    def _build_actions(self) -> None:
        a = self._action
        self.act_add = a(
            "&Save link or page…", self.add_dialog, "Ctrl+L", tip="Save a link or a saved page"
        )
        self.act_import = a(
            "&Import…", self.import_dialog, "Ctrl+O", tip="Import from Pocket, Wallabag, Omnivore…"
        )
        self.act_export = a(
            "&Export…", self.export_dialog, "Ctrl+E", tip="Export the current results"
        )
        self.act_quit = a("&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.act_search = a(
            "&Search", self.search.focus_query, "Ctrl+F", tip="Jump to the search box"
        )
        self.act_tag = a(
            "&Tag article…", self.tags.focus_tag_input, "Ctrl+T", tip="Tag the open article"
        )
        self.act_delete = a(
            "&Delete…",
            self.delete_selected,
            QKeySequence.StandardKey.Delete,
            tip="Delete the selected articles",
        )
        self.act_read = a("Mark &read", lambda: self.set_selected_state(is_read=True), "Ctrl+R")
        self.act_unread = a(
            "Mark &unread", lambda: self.set_selected_state(is_read=False), "Ctrl+U"
        )
        self.act_fav = a(
            "&Favourite", self.toggle_favorite, "Ctrl+D", tip="Favourite / unfavourite"
        )
        self.act_archive = a(
            "&Archive", self.toggle_archived, "Ctrl+Shift+A", tip="Archive / unarchive"
        )
        self.act_find = a("&Find in article…", self.find_bar.open_bar, "Ctrl+Shift+F")
        self.act_find_next = a("Find next", lambda: self.find_bar.find(False), "F3")
        self.act_find_prev = a("Find previous", lambda: self.find_bar.find(True), "Shift+F3")
        self.act_focus = a(
            "&Distraction-free reading", self.toggle_distraction_free, "F11", checkable=True
        )
        self.act_bigger = a(
            "&Larger text", lambda: self.change_font_size(1), QKeySequence.StandardKey.ZoomIn
        )
        self.act_smaller = a(
            "S&maller text", lambda: self.change_font_size(-1), QKeySequence.StandardKey.ZoomOut
        )
        self.act_reindex = a("Re&build search index", self.reindex)
        self.act_font = a("Reading &font…", self.choose_font)
        self.act_import_folder = a("Import a &folder of saved pages…", self.import_folder_dialog)
        self.act_retry = a("&Fetch pending articles again", lambda: self.retry_pending())
        self.act_open_original = a("Open &original", self.open_original, "Ctrl+Shift+O")
        self.act_focus_results = a("Go to &results", lambda: self.search.view.setFocus(), "Ctrl+1")
        self.act_focus_reader = a("Go to the &reader", lambda: self.reader.setFocus(), "Ctrl+2")
        self.act_focus_tags = a("Go to the &tags", lambda: self.tags.tree.setFocus(), "Ctrl+3")
        self.act_help = a(
            "Search &syntax", self.search.show_help, QKeySequence.StandardKey.HelpContents
        )

        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        for act in (self.act_add, self.act_import, self.act_import_folder, self.act_export):
            file_menu.addAction(act)
        file_menu.addAction(self.act_retry)
        file_menu.addSeparator()
        file_menu.addAction(self.act_reindex)
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)
        article_menu = menu.addMenu("&Article")
        for act in (
            self.act_tag,
            self.act_read,
            self.act_unread,
            self.act_fav,
            self.act_archive,
            self.act_open_original,
            self.act_find,
        ):
            article_menu.addAction(act)
        article_menu.addSeparator()
        article_menu.addAction(self.act_delete)
        view_menu = menu.addMenu("&View")
        view_menu.addAction(self.act_search)
        for act in (self.act_focus_results, self.act_focus_reader, self.act_focus_tags):
            view_menu.addAction(act)
        view_menu.addAction(self.act_focus)
        view_menu.addSeparator()
        theme_menu = view_menu.addMenu("Reader &theme")
        self.theme_group = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        for name in THEME_CHOICES:
            act = QAction(
                "Follow the system" if name == "system" else name.capitalize(), self, checkable=True
            )
            act.setData(name)
            act.triggered.connect(lambda _c=False, n=name: self.set_theme(n))
            self.theme_group.addAction(act)
            theme_menu.addAction(act)
            self.theme_actions[name] = act
        width_menu = view_menu.addMenu("Line &width")
        self.width_group = QActionGroup(self)
        for label, px in LINE_WIDTHS.items():
            act = QAction(label, self, checkable=True)
            act.setData(px)
            act.triggered.connect(lambda _c=False, w=px: self.set_line_width(w))
            self.width_group.addAction(act)
            width_menu.addAction(act)
        spacing_menu = view_menu.addMenu("Line &spacing")
        self.spacing_group = QActionGroup(self)
        for label, pct in LINE_SPACINGS.items():
            act = QAction(label, self, checkable=True)
            act.setData(pct)
            act.triggered.connect(lambda _c=False, p=pct: self.set_line_spacing(p))
            self.spacing_group.addAction(act)
            spacing_menu.addAction(act)
        view_menu.addAction(self.act_font)
        view_menu.addAction(self.act_bigger)
        view_menu.addAction(self.act_smaller)

        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.setAccessibleName("Main toolbar")
        self.act_add.setIconText("+ Save")
        self.act_fav.setIconText("☆ Favourite")
        self.act_archive.setIconText("Archive")
        self.act_read.setIconText("✓ Read")
        self.act_focus.setIconText("Focus")
        for act in (self.act_add, self.act_import):
            toolbar.addAction(act)
        toolbar.addSeparator()
        for act in (self.act_read, self.act_fav, self.act_archive, self.act_delete):
            toolbar.addAction(act)
        toolbar.addSeparator()
        toolbar.addAction(self.act_focus)
        self.toolbar = toolbar
        self._update_article_actions()

    def _connect(self) -> None:
        self.search.article_selected.connect(self.open_article)
        self.search.searched.connect(self._rehighlight)
        self.search.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.search.view.customContextMenuRequested.connect(self.results_menu)
        self.tags.query_requested.connect(self.search.set_query)
        self.tags.add_tag_requested.connect(lambda name: self.tag_open_article(add=[name]))
        self.tags.remove_tag_requested.connect(lambda name: self.tag_open_article(remove=[name]))
        self.tags.rename_requested.connect(self.rename_tag)
        self.tags.delete_requested.connect(self.confirm_delete_tag)
        self.reader.tag_clicked.connect(lambda name: self.search.set_query(tag_query(name)))
        self.reader.retry_clicked.connect(lambda article_id: self.retry_pending([article_id]))
        self.reader.progress_changed.connect(self._save_progress)
        self.reader.reached_end.connect(self._reached_end)

    # -- reading settings ----------------------------------------------------
    def apply_reading_settings(self) -> None:
        theme = load_theme(self.reading.effective_theme(), self.reading)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.setPalette(app_palette(theme.is_dark))
            app.setStyleSheet(window_stylesheet(theme.is_dark))
        self.reader.setPalette(reader_palette(self.reader.palette(), theme))
        self.reader.setAutoFillBackground(True)
        self.reader.viewport().setAutoFillBackground(True)
        self.reader.set_line_width(self.reading.line_width)
        self.reader.set_stylesheet(
            theme.css, self.reading.font(), theme.highlight_bg, theme.highlight_fg
        )
        self.search.view.viewport().update()
        if self.reading.theme in self.theme_actions:
            self.theme_actions[self.reading.theme].setChecked(True)
        for act in self.width_group.actions():
            act.setChecked(act.data() == self.reading.line_width)
        for act in self.spacing_group.actions():
            act.setChecked(act.data() == self.reading.line_spacing)
        self.reading.save(self.settings)

    def set_theme(self, name: str) -> None:
        self.reading.theme = name
        self.apply_reading_settings()

    def set_line_width(self, px: int) -> None:
        self.reading.line_width = px
        self.apply_reading_settings()

    def set_line_spacing(self, percent: int) -> None:
        self.reading.line_spacing = percent
        self.apply_reading_settings()

    def choose_font(self) -> None:
        from PySide6.QtWidgets import QFontDialog

        dialog = QFontDialog(self.reading.font(), self)
        dialog.setObjectName("fontDialog")
        dialog.setWindowTitle("Reading font")

        def chosen() -> None:
            font = dialog.selectedFont()
            self.reading.font_family = font.family()
            if font.pointSizeF() > 0:
                self.reading.font_size = font.pointSizeF()
            self.apply_reading_settings()

        dialog.accepted.connect(chosen)
        dialog.open()

    def change_font_size(self, step: int) -> None:
        self.reading.font_size = min(32.0, max(8.0, self.reading.font_size + step))
        self.apply_reading_settings()

    # -- opening and reading -------------------------------------------------
    def open_article(self, article_id: str | None) -> None:
        """Load an article on the reading pool and show it when ready."""
        if not article_id or self.archive is None:
            return
        self._open_generation += 1
        generation = self._open_generation
        archive = self.archive

        def shown(content: ArticleContent) -> None:
            if generation != self._open_generation:
                return  # the user moved on: drop this one
            self.reader.show_content(content)
            terms = query_terms(self.search.query_text)
            if terms:
                self.reader.highlight_terms(terms)
            self.tags.set_article_tags(content.article.tags)
            self.setWindowTitle(f"{content.article.title} — Quire")
            self._update_article_actions()
            self.article_shown.emit(content.article.id)

        self.run_op(
            lambda _ctx: load_article_content(archive, article_id), shown, label="Opening article"
        )

    def _rehighlight(self, query: str, _total: int) -> None:
        """A new search marks its terms in the article already open."""
        if self.reader.content is not None:
            self.reader.highlight_terms(query_terms(query), scroll=False)

    @property
    def open_article_id(self) -> str | None:
        return self.reader.article_id

    def _save_progress(self, article_id: str, progress: float) -> None:
        archive = self.archive
        self.run_op(
            lambda _ctx: archive.set_state(article_id, progress=progress),
            self._article_changed,
            label="Saving reading position",
        )

    def _reached_end(self, article_id: str) -> None:
        content = self.reader.content
        if content is None or content.article.id != article_id or content.article.is_read:
            return
        archive = self.archive
        self.run_op(
            lambda _ctx: archive.set_state(article_id, is_read=True, progress=1.0),
            lambda art: (self._article_changed(art), self.refresh_library()),
            label="Marking read",
        )

    def _article_changed(self, article: Article) -> None:
        """One article's catalog row changed: update the row, header and tags."""
        self.search.model.update_article(article)
        if self.reader.article_id == article.id:
            self.reader.content.article = article  # type: ignore[union-attr]
            self.tags.set_article_tags(article.tags)
            self._update_article_actions()

    def _update_article_actions(self) -> None:
        content = self.reader.content
        has = content is not None
        for act in (
            self.act_tag,
            self.act_fav,
            self.act_archive,
            self.act_open_original,
            self.act_find,
        ):
            act.setEnabled(has)
        if content is not None:
            self.act_fav.setIconText(
                "★ Favourite" if content.article.is_favorite else "☆ Favourite"
            )
            self.act_archive.setIconText("Unarchive" if content.article.is_archived else "Archive")

    # -- tags and states ----------------------------------------------------
    def tag_open_article(self, add: list[str] = (), remove: list[str] = ()) -> None:  # type: ignore[assignment]
        article_id = self.reader.article_id
        if article_id is None:
            return
        archive = self.archive

        def done(article: Article) -> None:
            self._article_changed(article)
            self.reader.update_article(article)
            self.refresh_library()

        self.run_op(
            lambda _ctx: archive.tag(article_id, add=list(add), remove=list(remove)),
            done,
            label="Tagging",
        )

    def set_selected_state(self, **state: bool) -> None:
        ids = [t[0] for t in self._targets()]
        self._bulk(ids, "Updating", **state)

    def _targets(self) -> list[tuple[str, bool, bool]]:
        """(id, is_favorite, is_archived) of the selected rows, else the open article."""
        rows = [
            self.search.model.row_at(i.row())
            for i in self.search.view.selectionModel().selectedRows()
        ]
        if len(rows) > 1:
            return [(r.id, r.is_favorite, r.is_archived) for r in rows]
        content = self.reader.content
        if content is not None:
            return [(content.article.id, content.article.is_favorite, content.article.is_archived)]
        return [(r.id, r.is_favorite, r.is_archived) for r in rows]

    def toggle_favorite(self) -> None:
        targets = self._targets()
        if targets:
            on = not all(fav for _id, fav, _arch in targets)
            self._bulk([t[0] for t in targets], "Favourite", is_favorite=on)

    def toggle_archived(self) -> None:
        targets = self._targets()
        if targets:
            on = not all(arch for _id, _fav, arch in targets)
            self._bulk([t[0] for t in targets], "Archive", is_archived=on)

    def tag_selected_dialog(self, remove: bool = False) -> None:
        """Add (or remove) tags on every selected article."""
        from PySide6.QtWidgets import QInputDialog

        ids = self.search.selected_ids()
        if not ids:
            return
        dialog = QInputDialog(self)
        dialog.setObjectName("bulkTagDialog")
        dialog.setWindowTitle("Remove tags" if remove else "Add tags")
        dialog.setLabelText(
            f"{'Remove' if remove else 'Add'} tags (comma-separated) "
            f"{'from' if remove else 'to'} {len(ids)} article{'s' if len(ids) != 1 else ''}:"
        )
        if remove:
            present = sorted(
                {
                    t
                    for r in range(self.search.model.rowCount())
                    for t in self.search.model.row_at(r).tags
                    if self.search.model.row_at(r).id in ids
                },
                key=str.casefold,
            )
            dialog.setComboBoxItems(present)
            dialog.setComboBoxEditable(True)

        def accepted() -> None:
            names = [n.strip() for n in dialog.textValue().split(",") if n.strip()]
            if names:
                self._bulk(ids, "Tagging", **({"remove": names} if remove else {"add": names}))

        dialog.accepted.connect(accepted)
        dialog.open()

    def rename_tag(self, old: str, new: str) -> Op | None:
        """Rename (or merge, or with new='' delete) a tag on every article."""
        archive = self.archive

        def done(change: jobs.TagChange) -> None:
            for article in change.articles:
                self._article_changed(article)
                self.reader.update_article(article)
            what = "Deleted" if not new else "Renamed"
            self.statusBar().showMessage(
                f"{what} tag {old} on {len(change.articles)} articles", 6000
            )
            query = self.search.query_text
            if any(tag_query(name) in query for name in change.renamed):
                self.search.set_query(tag_query(new) if new else "")
            self.refresh_library()

        label = f"Deleting tag {old}" if not new else f"Renaming tag {old}"
        return self.run_op(
            lambda ctx: jobs.rename_tag(archive, old, new, ctx),
            done,
            label=label,
            pool=self.work_pool,
            track=True,
        )

    def confirm_delete_tag(self, name: str, count: int) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Delete tag",
            f"Remove the tag “{name}” from {count} article{'s' if count != 1 else ''}? "
            "The articles stay in the archive.",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("confirmDeleteTag")
        remove = box.addButton("Remove tag", QMessageBox.ButtonRole.DestructiveRole)
        box.finished.connect(lambda _r: box.clickedButton() is remove and self.rename_tag(name, ""))
        box.open()

    def results_menu(self, pos: Any) -> None:
        from PySide6.QtWidgets import QMenu

        if not self.search.selected_ids():
            return
        menu = QMenu(self)
        menu.addAction("Mark read", lambda: self.set_selected_state(is_read=True))
        menu.addAction("Mark unread", lambda: self.set_selected_state(is_read=False))
        menu.addSeparator()
        menu.addAction("Favourite", lambda: self.set_selected_state(is_favorite=True))
        menu.addAction("Unfavourite", lambda: self.set_selected_state(is_favorite=False))
        menu.addAction("Archive", lambda: self.set_selected_state(is_archived=True))
        menu.addAction("Unarchive", lambda: self.set_selected_state(is_archived=False))
        menu.addSeparator()
        menu.addAction("Add tags…", self.tag_selected_dialog)
        menu.addAction("Remove tags…", lambda: self.tag_selected_dialog(remove=True))
        menu.addSeparator()
        menu.addAction("Delete…", self.delete_selected)
        menu.popup(self.search.view.viewport().mapToGlobal(pos))

    def _bulk(self, ids: list[str], label: str, **kwargs: Any) -> None:
        if not ids:
            return
        archive = self.archive

        def done(result: jobs.BulkResult) -> None:
            for article in result.articles:
                self._article_changed(article)
                self.reader.update_article(article)
            if result.deleted:
                self.search.model.remove_ids(set(result.deleted))
                if self.reader.article_id in result.deleted:
                    self.reader.show_placeholder("The article was deleted.")
                    self.tags.set_article_tags(None)
                    self._update_article_actions()
            if result.failed:
                self.show_error(
                    label, QuireError("\n".join(f"{i}: {why}" for i, why in result.failed))
                )
            self.refresh_library()

        pool = self.work_pool if len(ids) > 1 else self.read_pool
        self.run_op(
            lambda ctx: jobs.bulk(archive, ids, ctx, **kwargs),
            done,
            label=label,
            pool=pool,
            track=len(ids) > 1,
        )

    def delete_selected(self) -> None:
        ids = self.search.selected_ids()
        if not ids:
            return
        what = "this article" if len(ids) == 1 else f"these {len(ids)} articles"
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Delete articles",
            f"Delete {what} from the archive? Its saved text and images are removed.",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        delete_btn = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setObjectName("confirmDelete")
        box.finished.connect(
            lambda _r: (
                box.clickedButton() is delete_btn and self._bulk(ids, "Deleting", delete=True)
            )
        )
        box.open()

    def open_original(self) -> None:
        from PySide6.QtGui import QDesktopServices

        content = self.reader.content
        if (
            content
            and content.article.url
            and content.article.url.startswith(("http://", "https://"))
        ):
            QDesktopServices.openUrl(QUrl(content.article.url))

    def refresh_library(self) -> None:
        """Refresh state counts and the tag tree (after anything changed them)."""
        archive = self.archive

        def done(counts: jobs.LibraryCounts) -> None:
            self.tags.set_state_counts(counts.states)
            self.tags.set_collections(counts.collections)
            self.tags.set_tags(counts.tags)
            self.library_refreshed.emit()

        self.run_op(lambda _ctx: jobs.library_counts(archive), done, label="Counting")

    # -- saving --------------------------------------------------------------
    def add_dialog(self) -> None:
        dialog = AddDialog(self.tags.tag_names(), self)
        dialog.setObjectName("addDialog")
        dialog.accepted.connect(lambda: self.save_items(dialog.item_list(), dialog.tag_list()))
        dialog.open()

    def save_items(self, items: list[str], tags: list[str] | None = None) -> Op | None:
        """Save URLs or files on the work pool, with progress and Cancel."""
        if not items or self.archive is None:
            return None
        archive = self.archive
        label = "Saving" if len(items) > 1 else f"Saving {items[0][:60]}"
        return self.run_op(
            lambda ctx: jobs.save_items(archive, items, list(tags or []), ctx),
            self._saved,
            label=label,
            pool=self.work_pool,
            track=True,
            cancellable=True,
        )

    def _saved(self, summary: jobs.SaveSummary) -> None:
        self.statusBar().showMessage(summary.message(), 8000)
        if summary.saved or summary.duplicates:
            self.search.refresh()
            self.refresh_library()
            first = (summary.saved or summary.duplicates)[0]
            self.open_article(first.id)
        if summary.failed:
            details = "\n".join(f"• {why}" for _item, why in summary.failed)
            box = self.show_error(summary.message(), QuireError(details))
            failed = [item for item, _why in summary.failed]
            retry = box.addButton("Retry", QMessageBox.ButtonRole.ActionRole)
            retry.clicked.connect(lambda: self.save_items(failed, summary.tags))
        self.saved.emit(summary)

    def import_dialog(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        dialog = QFileDialog(self, "Import from Pocket, Instapaper, wallabag, Omnivore, bookmarks…")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilters(["Exports (*.csv *.html *.htm *.json *.zip *.txt)", "All files (*)"])
        dialog.setObjectName("importDialog")
        dialog.fileSelected.connect(self.import_path)
        dialog.open()

    def import_folder_dialog(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        dialog = QFileDialog(self, "Import a folder of saved pages")
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.fileSelected.connect(self.import_path)
        dialog.open()

    def import_path(self, path: str) -> Op | None:
        """Import a file or folder (format detected) with progress and Cancel."""
        from app import transfer

        archive, fetch = self.archive, self._fetch

        def done(report: Any) -> None:
            self._transfer_done(
                transfer.import_summary(report),
                report.failed + report.warnings,
                changed=bool(report.added or report.pending),
            )
            self.imported.emit(report)

        return self.run_op(
            lambda ctx: transfer.run_import(archive, path, fetch, ctx),
            done,
            label=f"Importing {Path(path).name}",
            pool=self.work_pool,
            track=True,
            cancellable=True,
        )

    def retry_pending(self, ids: list[str] | None = None) -> Op | None:
        """Fetch pending articles again (all, or just `ids`)."""
        from app import transfer

        archive = self.archive

        def done(report: Any) -> None:
            self._transfer_done(
                transfer.import_summary(report).replace("Imported", "Fetched", 1),
                report.failed,
                changed=True,
            )
            if self.reader.article_id and (ids is None or self.reader.article_id in ids):
                self.open_article(self.reader.article_id)  # show what was fetched

        return self.run_op(
            lambda ctx: transfer.run_retry(archive, ctx, ids),
            done,
            label="Fetching pending articles",
            pool=self.work_pool,
            track=True,
            cancellable=True,
        )

    def export_dialog(self) -> None:
        from app.transfer import ExportDialog

        dialog = ExportDialog(self.search.selected_ids(), self.search.query_text, self)
        dialog.setObjectName("exportDialog")
        dialog.accepted.connect(lambda: self.export(dialog.request()))
        dialog.open()

    def export(self, request: Any) -> Op | None:
        from app import transfer

        archive = self.archive

        def done(report: Any) -> None:
            self._transfer_done(
                f"Exported {report.exported} to {report.path}", report.skipped, changed=False
            )
            self.exported.emit(report)

        return self.run_op(
            lambda ctx: transfer.run_export(archive, request, ctx),
            done,
            label=f"Exporting to {Path(request.path).name}",
            pool=self.work_pool,
            track=True,
            cancellable=True,
        )

    def _transfer_done(self, summary: str, problems: list[str], *, changed: bool) -> None:
        self.statusBar().showMessage(summary, 10000)
        if changed:
            self.search.refresh()
            self.refresh_library()
        if problems:
            shown = problems[:30] + (
                [f"… and {len(problems) - 30} more"] if len(problems) > 30 else []
            )
            self.show_error(summary, QuireError("\n".join(f"• {p}" for p in shown)))

    def reindex(self) -> None:
        archive = self.archive
        self.run_op(
            lambda ctx: archive.reindex(ctx.progress),
            lambda n: (
                self.statusBar().showMessage(f"Re-indexed {n} articles", 6000),
                self.search.refresh(),
            ),
            label="Rebuilding the index",
            pool=self.work_pool,
            track=True,
            cancellable=True,
        )

    # -- errors --------------------------------------------------------------
    def show_error(self, what: str, exc: BaseException) -> QMessageBox | None:
        """Tell the user what failed and why, without blocking the window."""
        from app.ops import Cancelled

        if isinstance(exc, Cancelled):
            self.statusBar().showMessage(f"{what}: cancelled", 5000)
            return None
        reason = str(exc) if isinstance(exc, QuireError) else f"{type(exc).__name__}: {exc}"
        self.last_error = f"{what}\n{reason}"
        self.statusBar().showMessage(f"{what}: {reason.splitlines()[0] if reason else ''}", 10000)
        box = QMessageBox(
            QMessageBox.Icon.Warning, "Quire", what, QMessageBox.StandardButton.Ok, self
        )
        box.setObjectName("errorBox")
        box.setInformativeText(reason)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    # -- drag and drop, paste ----------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped_items(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        items = self._dropped_items(event.mimeData())
        if items:
            event.acceptProposedAction()
            self.save_items(items)

    @staticmethod
    def _dropped_items(mime: Any) -> list[str]:
        items: list[str] = []
        if mime.hasUrls():
            for url in mime.urls():
                if url.isLocalFile():
                    if url.toLocalFile().lower().endswith(jobs.HTML_SUFFIXES):
                        items.append(url.toLocalFile())
                elif url.scheme() in ("http", "https"):
                    items.append(url.toString())
        elif mime.hasText():
            items = [
                t
                for t in jobs.split_items(mime.text())
                if t.lower().startswith(("http://", "https://"))
            ]
        return items

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Ctrl+V outside a text box saves a pasted web address."""
        if event.matches(QKeySequence.StandardKey.Paste):
            text = QGuiApplication.clipboard().text().strip()
            urls = [
                t for t in jobs.split_items(text) if t.lower().startswith(("http://", "https://"))
            ]
            if urls:
                self.save_items(urls)
                return
        super().keyPressEvent(event)

    # -- distraction-free ----------------------------------------------------
    def toggle_distraction_free(self) -> None:
        self._distraction_free = not self._distraction_free
        on = self._distraction_free
        self.act_focus.setChecked(on)
        for widget in (self.search, self.tags, self.toolbar, self.menuBar(), self.statusBar()):
            widget.setVisible(not on)
        if on:
            self._was_maximized = self.isMaximized()
            self.showFullScreen()
            self.reader.setFocus()
        elif getattr(self, "_was_maximized", False):
            self.showMaximized()
        else:
            self.showNormal()

    # -- settings ------------------------------------------------------------
    def _restore_window(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1360, 860)
        state = self.settings.value("window/splitter")
        if isinstance(state, QByteArray):
            self.splitter.restoreState(state)

    def save_settings(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/splitter", self.splitter.saveState())
        self.reading.save(self.settings)
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._distraction_free:
            self.toggle_distraction_free()
        self.save_settings()
        self.taskbar.cancel_current()
        self.work_pool.waitForDone(5000)
        self.read_pool.waitForDone(2000)
        self.search.pool.waitForDone(2000)
        self._closed = True
        self._release_archive()
        super().closeEvent(event)
