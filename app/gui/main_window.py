"""The main window: search | reader | tags in splitters, menus, toolbar,
status bar with long work, drag and drop, and settings remembered.

The window owns the Archive but never calls it on the UI thread: every call
goes through an `Op` on one of three pools — searches (one thread, in the
search pane), reading (one thread: opening articles, tag and state changes,
so they never wait behind a long import) and work (saves, imports, bulk).

What an op changed is announced once, as an archive.base.changes.Changes, on
the window's `changed` signal; so is what another process changed (app/gui/
watch.py). The search pane, the tag pane and the open article each refresh from
it what the change touches: no op refreshes a pane itself.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QByteArray, QSettings, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import (
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
    QFontDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.gui import jobs
from app.gui.browser_connector import ConnectorMixin
from app.gui.find_bar import FindBar
from app.gui.highlight_ops import HighlightsMixin
from app.gui.library_ops import LibraryOpsMixin
from app.gui.menus import MenusMixin
from app.gui.ops import Cancelled, Op, OpContext
from app.gui.panes import PANE_MIN, READER, SEARCH, TAGS, PaneLayout
from app.gui.panes import SETTINGS_KEY as PANES_KEY
from app.gui.plaintext import as_plain
from app.gui.reader import (
    ArticleContent,
    ReaderView,
    load_article_content,
    load_fulltext_content,
    shown_title,
)
from app.gui.search_pane import SearchPane
from app.gui.tag_pane import TagPane, tag_query
from app.gui.taskbar import TaskBar
from app.gui.themes import (
    ReadingSettings,
    app_palette,
    load_theme,
    reader_palette,
    window_stylesheet,
)
from app.gui.transfer import TransferMixin
from app.gui.watch import ArchiveWatch
from archive.base.changes import Changes
from archive.base.errors import QuireError
from archive.base.models import Article
from archive.extraction.pages import HTML_SUFFIXES
from resources import resource_path

if TYPE_CHECKING:
    from PySide6.QtCore import QMimeData

    from archive.library.lock import WindowLock
    from archive.library.store import Archive

#: What an op's function returns, and its success callback takes.
T = TypeVar("T")

CLOSE_WAIT_MS = 60_000  # the closing thread waits this long for work still running
#: The closing threads of this process's windows, by archive (a new window on the
#: same archive waits for its closing thread before it takes the archive's lock).
_closing: dict[Path, threading.Thread] = {}
UNDO_SECONDS = 10  # how long a deletion can be undone
#: Longest article text whose search words are marked on the UI thread at once.
QUICK_MARK_CHARS = 60_000
ICON_PATH = resource_path("icons", "quire.svg")


class MainWindow(MenusMixin, LibraryOpsMixin, TransferMixin, ConnectorMixin, HighlightsMixin, QMainWindow):
    """Quire's window. `archive_ready` fires once the archive is open."""

    archive_ready = Signal()
    article_shown = Signal(str)
    library_refreshed = Signal()
    saved = Signal(object)  # jobs.SaveSummary
    imported = Signal(object)  # archive.importers.ImportReport
    exported = Signal(object)  # archive.exporters.ExportReport
    reextracted = Signal(int)
    highlighted = Signal(int)  # the open article's matches were marked (how many)
    #: What an op changed (archive.base.changes.Changes), announced once after it:
    #: each pane refreshes what it shows of it (none is refreshed by hand).
    changed = Signal(object)

    def __init__(
        self,
        archive_root: Path,
        settings: QSettings | None = None,
        *,
        seed: bool = True,
        fetch: bool = True,
        archive: Archive | None = None,
    ) -> None:
        super().__init__()
        self.archive_root = Path(archive_root)
        self.settings = settings or QSettings()
        self.archive: Archive | None = archive
        self.last_error: str = ""
        self.reading = ReadingSettings.load(self.settings)
        self.work_pool = QThreadPool(self)
        self.work_pool.setMaxThreadCount(2)
        self.read_pool = QThreadPool(self)
        self.read_pool.setMaxThreadCount(1)
        self._open_generation = 0
        self._fully_closed = threading.Event()
        self._distraction_free = False
        self._fetch = fetch
        self._lock: WindowLock | None = None
        self.watch: ArchiveWatch | None = None
        self._held_changes = Changes()  # changes made elsewhere, told after our own work
        self._held_timer = QTimer(self, singleShot=True, interval=500)
        self._held_timer.timeout.connect(lambda: self._changed_elsewhere(Changes()))

        self.setWindowTitle("Quire")
        self.setAcceptDrops(True)
        if ICON_PATH.exists():
            self.setWindowIcon(QIcon(str(ICON_PATH)))

        self.search = SearchPane(lambda: None if self._closed else self.archive)
        self.reader = ReaderView()
        self.find_bar = FindBar(self.reader)
        self.tags = TagPane()
        self._build_highlights()  # the side tabs: tags | the article's highlights
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
        self.splitter.addWidget(self.side_tabs)
        self.search.setMinimumWidth(PANE_MIN[SEARCH])
        self.tags.setMinimumWidth(PANE_MIN[TAGS])
        # The panes give way to the text in a small window (app/gui/panes.py).
        self.panes = PaneLayout(self.splitter, self.settings)
        self.setCentralWidget(self.splitter)

        self.taskbar = TaskBar()
        self.statusBar().addPermanentWidget(self.taskbar)
        self.undo_box = QWidget()
        undo_layout = QHBoxLayout(self.undo_box)
        undo_layout.setContentsMargins(0, 0, 0, 0)
        self.undo_label = QLabel("")
        self.undo_button = QPushButton("Undo")
        self.undo_button.setAccessibleName("Undo the deletion")
        self.undo_button.clicked.connect(self.undo_delete)
        undo_layout.addWidget(self.undo_label)
        undo_layout.addWidget(self.undo_button)
        self.undo_box.hide()
        self.statusBar().addPermanentWidget(self.undo_box)
        self._pending_delete: list[str] = []
        self._delete_timer = QTimer(self, singleShot=True, interval=UNDO_SECONDS * 1000)
        self._delete_timer.timeout.connect(self.commit_pending_delete)
        self.statusBar().setAccessibleName("Status")
        self._setup_connector()

        self._build_actions()
        self._build_highlight_actions()
        self._connect()
        self.panes.changed.connect(self._panes_changed)
        self.apply_reading_settings()
        self._restore_window()
        self.reader.show_placeholder("Opening the archive…")
        if self.archive is None:
            self._open_archive(seed, fetch)
        else:
            QTimer.singleShot(0, self._archive_opened_now)

    # -- archive lifecycle -------------------------------------------------
    def _open_archive(self, seed: bool, fetch: bool) -> None:
        # The store and its index cost 250-600 ms to import (python -X importtime main.py
        # list): loaded here, on the opening thread, after the window is painted.
        from archive import Archive
        from archive.library.lock import WindowLock

        root = self.archive_root

        def open_locked(ctx: OpContext) -> tuple[Archive, WindowLock]:
            closing = _closing.get(root)
            if closing is not None and closing is not self._closer:
                # another window of this process on it is still closing. Not this
                # window's own closer (closed before this op began): that one waits
                # for this op, and both would wait out CLOSE_WAIT_MS.
                closing.join(CLOSE_WAIT_MS / 1000)
            # One window per archive: a second one is refused with a clear message.
            lock = WindowLock(root)
            lock.acquire()
            try:
                # Progress shows when opening means rebuilding an outdated index.
                opened = Archive(root, seed=seed, fetch=fetch, progress=ctx.report), lock
                self._opened = opened  # for the closing thread, should the window close first
                return opened
            except BaseException:
                lock.release()
                raise

        op = Op(
            open_locked,
            on_success=self._archive_opened,
            on_failure=self._archive_failed,
            label="Opening the archive",
            parent=self,
        )
        self.taskbar.track(op, cancellable=False)
        op.start(self.work_pool)

    def _archive_opened(self, opened: tuple[Archive, WindowLock]) -> None:
        if self._closed:  # closed while opening: the closing thread lets it go
            return
        self.archive, self._lock = opened
        self._archive_opened_now()

    _closed = False

    def _archive_opened_now(self) -> None:
        notices = list(getattr(self.archive, "notices", None) or [])
        if notices:  # a rebuilt catalog, a read-only archive or a full disk: said, not hidden
            self.statusBar().showMessage(" · ".join(notices), 60000)
        else:
            self.statusBar().showMessage(f"Archive: {self.archive_root}", 4000)
        if getattr(self.archive, "read_only", False):
            self.setWindowTitle("Quire (read-only)")
        self.reader.show_placeholder("Choose an article to read it here.")
        # what a `quire add` or `tag` beside the window changes shows here too; the
        # mark is taken before the first search, so a change made before the watcher's
        # first snapshot is not lost (two cheap reads: data_version, a folder listing)
        from archive.library.watch import ArchiveWatcher  # 8-15 ms: with the archive, as above

        since = ArchiveWatcher.mark(self.archive)
        self.search.search_now()
        self.refresh_library()
        self.watch = ArchiveWatch(self.archive, self)
        self.watch.changed.connect(self._changed_elsewhere)
        self.watch.start(since)
        self.connector.start(self.archive)  # a process of its own, started off the UI thread
        self.archive_ready.emit()

    open_failed = False  # the archive could not be opened (see last_error)

    def _archive_failed(self, exc: BaseException) -> None:
        self.open_failed = True
        self.show_error(f"Cannot open the archive at {self.archive_root}", exc)
        self.reader.show_placeholder(f"Cannot open the archive: {exc}")

    def run_op(
        self,
        fn: Callable[[OpContext], T],
        on_success: Callable[[T], object] | None = None,
        *,
        label: str,
        pool: QThreadPool | None = None,
        track: bool = False,
        cancellable: bool = False,
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> Op | None:
        """Run fn(ctx) off the UI thread; errors become a clear message."""
        if self.archive is None or self._closed:
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

    def run_task(
        self,
        fn: Callable[[OpContext], T],
        on_success: Callable[[T], object] | None = None,
        *,
        label: str,
        cancellable: bool = True,
    ) -> Op | None:
        """Long work (saving, import, export, reindex…): on the work pool, with its
        progress (and Cancel) in the status bar."""
        return self.run_op(fn, on_success, label=label, pool=self.work_pool, track=True,
                           cancellable=cancellable)

    def _connect(self) -> None:
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._system_scheme_changed)
        self.search.article_selected.connect(self.open_article)
        self.search.searched.connect(self._rehighlight)
        self.search.facets_changed.connect(self.tags.set_facets)
        self.tags.refine_requested.connect(self.search.refine)
        self.search.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.search.view.customContextMenuRequested.connect(self.results_menu)
        self.tags.query_requested.connect(self.search.set_query)
        self.tags.add_tag_requested.connect(lambda name: self.tag_open_article(add=[name]))
        self.tags.remove_tag_requested.connect(lambda name: self.tag_open_article(remove=[name]))
        self.tags.rename_requested.connect(self.rename_tag)
        self.tags.delete_requested.connect(self.confirm_delete_tag)
        self.tags.colors_changed.connect(self.set_tag_colors)
        self.reader.tag_clicked.connect(lambda name: self.search.set_query(tag_query(name)))
        self.reader.retry_clicked.connect(lambda article_id: self.retry_pending([article_id]))
        self.reader.fulltext_clicked.connect(self.show_fulltext)
        self.reader.progress_changed.connect(self._save_progress)
        self.reader.reached_end.connect(self._reached_end)
        self.changed.connect(self.search.apply_changes)
        self.changed.connect(self.tags.apply_changes)
        self.changed.connect(self._open_article_changes)
        self.tags.counts_wanted.connect(self.refresh_library)

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
        self.reader.set_mark_theme(theme.name)
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

    def _system_scheme_changed(self, _scheme: Qt.ColorScheme) -> None:
        if self.reading.theme == "system":
            self.apply_reading_settings()

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

        def load(_ctx: OpContext) -> ArticleContent | None:
            if generation != self._open_generation:
                return None  # moved on before this load began (Down held): skip the disk
            return load_article_content(archive, article_id)

        def shown(content: ArticleContent | None) -> None:
            if content is None or generation != self._open_generation:
                return  # the user moved on: drop this one
            self.reader.show_content(content)
            self.find_bar.article_changed()
            self._highlight_query(self.search.query_text, scroll=True)
            self.tags.set_article_tags(content.article.tags)
            self.setWindowTitle(f"{shown_title(content.article.title, 120)} — Quire")
            self._update_article_actions()
            self.article_shown.emit(content.article.id)

        self.run_op(load, shown, label="Opening article")

    def show_fulltext(self, article_id: str) -> None:
        """Replace a doubtful extraction with the whole text of the saved page."""
        archive = self.archive
        self._open_generation += 1
        generation = self._open_generation

        def shown(content: ArticleContent) -> None:
            if generation == self._open_generation:
                self.reader.show_content(content)
                self.article_shown.emit(content.article.id)

        self.run_op(
            lambda _ctx: load_fulltext_content(archive, article_id), shown, label="Reading the page"
        )

    def _rehighlight(self, query: str, _total: int) -> None:
        """A new search marks its terms in the article already open."""
        if self.reader.content is not None:
            self._highlight_query(query, scroll=False)

    def _highlight_query(self, query: str, *, scroll: bool) -> None:
        """Mark the query's matches in the open article.

        At once with the query's words as the index analyses them (stems, accents:
        archive.search.engine.word_match_spans), then exactly as the index matched
        them (prefixes and fuzzy terms too) from match_spans on the reading pool."""
        # the query language and the block scorer cost 60-160 ms to import: on the
        # first search, as Archive.search_full does
        from archive.search.engine import match_spans, word_match_spans

        if self.reader.content is None:
            return
        text = self.reader.body_text()
        # on the UI thread only for an article of usual length (~5 ms); a book-length
        # one waits for match_spans (1 MB of text: ~0.1 s, a stall)
        quick = (word_match_spans(query, text)
                 if query.strip() and len(text) <= QUICK_MARK_CHARS else [])
        self.reader.highlight_spans(quick, scroll=False)
        if not query.strip():
            return
        archive, article_id = self.archive, self.reader.article_id

        def done(spans: list[tuple[int, int]]) -> None:
            if self.reader.article_id == article_id and self.search.query_text == query:
                self.reader.highlight_spans(spans, scroll=scroll)
                self.highlighted.emit(len(spans))

        def failed(_exc: BaseException) -> None:  # keep the quick marks
            if scroll and self.reader.article_id == article_id:
                self.reader.highlight_spans(quick, scroll=True)

        self.run_op(
            lambda _ctx: match_spans(archive, query, text),
            done,
            label="Highlighting",
            on_failure=failed,
        )

    @property
    def open_article_id(self) -> str | None:
        return self.reader.article_id

    def _save_progress(self, article_id: str, progress: float) -> None:
        archive = self.archive
        self.run_op(
            lambda _ctx: archive.set_state(article_id, progress=progress),
            lambda article: self.announce(Changes.of_articles([article])),
            label="Saving reading position",
        )

    def _reached_end(self, article_id: str) -> None:
        content = self.reader.content
        if content is None or content.article.id != article_id or content.article.is_read:
            return
        archive = self.archive
        self.run_op(
            lambda _ctx: archive.set_state(article_id, is_read=True, progress=1.0),
            lambda article: self.announce(Changes.of_articles([article], states=True)),
            label="Marking read",
        )

    def announce(self, changes: Changes) -> None:
        """Tell every pane what an op changed (nothing: no signal)."""
        if changes:
            self.changed.emit(changes)

    def _changed_elsewhere(self, changes: Changes) -> None:
        """Another process changed the archive (archive.library.watch). While this
        window's own long work runs (a save or an import, whose child process the
        watcher sees too) the changes are held and told once it ends, as before:
        the list does not start over under the user every second of an import."""
        self._held_changes = self._held_changes | changes
        if self.work_pool.activeThreadCount():
            self._held_timer.start()
            return
        held, self._held_changes = self._held_changes, Changes()
        self.announce(held)

    def _open_article_changes(self, changes: Changes) -> None:
        """The open article's part of a change: gone, or its row (header, tags, the
        state buttons) as written — read again when the change did not carry it."""
        article_id = self.reader.article_id
        if not changes.touches(article_id):
            return
        if article_id in changes.deleted:
            self.reader.show_placeholder("The article was deleted.")
            self.tags.set_article_tags(None)
            self._update_article_actions()
            return
        fresh = changes.fresh.get(article_id)
        if fresh is not None:
            self._open_article_row(fresh)
            return
        archive = self.archive
        self.run_op(
            lambda _ctx: archive.get(article_id),
            self._open_article_row,
            label="Reading the article's changes",
            on_failure=lambda _exc: None,  # deleted meanwhile: that change says so
        )

    def _open_article_row(self, article: Article) -> None:
        if self.reader.article_id != article.id:
            return
        self.reader.update_article(article)
        self.tags.set_article_tags(article.tags)
        if self.reader.content is not None and self.reader.content.plain_text:
            self.highlight_panel.set_highlights(article.highlights)  # another process's too
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

    # -- errors --------------------------------------------------------------
    def show_error(self, what: str, exc: BaseException) -> QMessageBox | None:
        """Tell the user what failed and why, without blocking the window."""
        if isinstance(exc, Cancelled):
            self.statusBar().showMessage(f"{what}: cancelled", 5000)
            return None
        reason = str(exc) if isinstance(exc, QuireError) else f"{type(exc).__name__}: {exc}"
        self.last_error = f"{what}\n{reason}"
        self.statusBar().showMessage(f"{what}: {reason.splitlines()[0] if reason else ''}", 10000)
        box = QMessageBox(
            QMessageBox.Icon.Warning, "Quire", as_plain(what), QMessageBox.StandardButton.Ok, self
        )
        box.setObjectName("errorBox")
        box.setInformativeText(as_plain(reason))
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
    def _dropped_items(mime: QMimeData) -> list[str]:
        items: list[str] = []
        if mime.hasUrls():
            for url in mime.urls():
                if url.isLocalFile():
                    if url.toLocalFile().lower().endswith(HTML_SUFFIXES):
                        items.append(url.toLocalFile())
                elif url.scheme() in ("http", "https"):
                    items.append(url.toString())
        elif mime.hasText():
            items = [
                t
                for t in jobs.split_items(mime.text())
                if jobs.is_written_address(t)
            ]
        return items

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Ctrl+V outside a text box saves a pasted web address."""
        if event.matches(QKeySequence.StandardKey.Paste):
            text = QGuiApplication.clipboard().text().strip()
            urls = [t for t in jobs.split_items(text) if jobs.is_written_address(t)]
            if urls:
                self.save_items(urls)
                return
        super().keyPressEvent(event)

    # -- side panes --------------------------------------------------------
    def show_pane(self, pane: int, shown: bool = True) -> None:
        """Fold or unfold the search or tags pane (View menu; going to a folded
        pane unfolds it)."""
        if self.panes.is_visible(pane) != shown:
            self.panes.set_shown(pane, shown)
        if shown and pane == TAGS:  # the tags, not the highlights tab beside them
            self.side_tabs.setCurrentWidget(self.tags)

    def _panes_changed(self) -> None:
        self.act_show_search.setChecked(self.panes.is_visible(SEARCH))
        self.act_show_tags.setChecked(self.panes.is_visible(TAGS))

    # -- distraction-free ----------------------------------------------------
    def toggle_distraction_free(self) -> None:
        self._distraction_free = not self._distraction_free
        on = self._distraction_free
        self.act_focus.setChecked(on)
        if on:
            self.panes.save()  # the widths to come back to
        self.panes.paused = on
        for widget in (self.search, self.side_tabs, self.toolbar, self.menuBar(), self.statusBar()):
            widget.setVisible(not on)
        if not on:
            self.panes.apply()
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
        state = self.settings.value("window/splitter")  # before window/panes: its widths
        if isinstance(state, QByteArray) and self.settings.value(PANES_KEY) is None:
            self.splitter.restoreState(state)
            self.panes.wanted.update(
                {i: w for i, w in enumerate(self.splitter.sizes()) if i != READER and w > 0}
            )
        self.panes.restore()
        try:
            colors = json.loads(str(self.settings.value("tags/colors", "{}")))
        except ValueError:
            colors = {}
        if isinstance(colors, dict):
            self.tags.set_colors(colors)
            self.search.view.itemDelegate().tag_colors = dict(self.tags.colors)

    def set_tag_colors(self, colors: dict) -> None:
        """Remember the tag colours and repaint the results with them."""
        self.settings.setValue("tags/colors", json.dumps(colors, sort_keys=True))
        self.search.view.itemDelegate().tag_colors = dict(colors)
        self.search.view.viewport().update()

    def save_settings(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.panes.save()
        self.reading.save(self.settings)
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Close at once; work still running finishes on the closing thread.

        Ctrl+Q used to wait here, on the UI thread, for every pool (up to 5 + 2 +
        2 s, plus the watcher's 5) before closing the archive: the window stayed
        on screen, frozen, while a save noticed its Cancel or the archive was
        still being opened. Now the UI thread only saves the settings, cancels,
        and queues the last writes (reading position, a deletion whose undo
        period ends); when any of that work is still running, a closing thread
        waits for it and then closes the archive. It is not a daemon, so the
        process ends only after the archive is closed (nothing is cut short)."""
        if self._distraction_free:
            self.toggle_distraction_free()
        self.save_settings()
        self.reader.flush_progress()  # a position scrolled to just before closing
        self.taskbar.cancel_all()
        self.commit_pending_delete()  # the undo period ends with the window
        self._closed = True  # no new work from here on
        watch, self.watch = self.watch, None
        if watch is not None:
            watch.stop(wait=False)
        pools = [self.work_pool, self.read_pool, self.search.pool]
        if watch is not None:
            pools.append(watch.pool)
        opening = self.archive is None and not self.open_failed
        connector = self.connector if self.connector.running else None
        if opening or connector is not None or any(p.activeThreadCount() for p in pools):
            for pool in pools:  # the closing thread owns them now: deleting the window
                pool.setParent(None)  # must not delete a pool it is waiting on
            self._closer = threading.Thread(
                target=self._finish_closing, args=(pools, watch, connector),
                name="quire-closing",
            )
            _closing[self.archive_root] = self._closer
            self._closer.start()
        else:  # nothing running: close now (tens of ms)
            self._finish_closing([], watch, None)
        super().closeEvent(event)

    _closer: threading.Thread | None = None
    _opened: tuple[Any, Any] | None = None  # set by the opening op, on its thread

    def _finish_closing(self, pools: list[QThreadPool], watch: ArchiveWatch | None,
                        connector: Any) -> None:
        """Wait for the work still running, then close the archive and let go of
        its lock (the closing thread; or the UI thread when nothing runs)."""
        if connector is not None:
            connector.stop()  # first: a save from the browser in progress finishes
        archive, lock = None, None
        try:
            for pool in pools:
                pool.waitForDone(CLOSE_WAIT_MS)
            if watch is not None:
                watch.finish(CLOSE_WAIT_MS)
        finally:  # whatever happened above, the archive is closed and its lock let go
            archive, lock = self._opened or (self.archive, self._lock)
            self.archive, self._lock, self._opened = None, None, None
        try:
            if archive is not None:
                archive.close()
        finally:
            if lock is not None:
                lock.release()
            self._fully_closed.set()
            if _closing.get(self.archive_root) is threading.current_thread():
                del _closing[self.archive_root]

    def wait_closed(self, timeout: float | None = None) -> bool:
        """Block until the archive is closed after the window closed (tests,
        screenshots; the process's exit waits for it by itself)."""
        return self._fully_closed.wait(timeout)
