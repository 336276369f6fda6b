"""The reader pane: one article, offline, in a readable column.

Everything the view shows is prepared on a worker thread by
`load_article_content`: the sanitized HTML, a header, and the article's images
decoded into QImages. The view's `loadResource` then serves *only* those
pre-loaded images, so the reader never reads the disk on the UI thread and
can never reach the network, whatever the HTML asks for.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

import shiboken6
from PySide6.QtCore import QPoint, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QDesktopServices,
    QFont,
    QImage,
    QResizeEvent,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextImageFormat,
)
from PySide6.QtWidgets import QMenu, QTextBrowser, QTextEdit, QWidget

from app.gui import highlight_paint
from app.gui.book_html import book_html
from app.gui.result_delegate import format_date
from archive.base.models import HIGHLIGHT_COLORS, Article, Highlight
from archive.library import layout
from archive.library.textmap import OffsetMap

if TYPE_CHECKING:
    from archive.library.store import Archive

TAG_SCHEME = "quire-tag"
RETRY_SCHEME = "quire-retry"
FULLTEXT_SCHEME = "quire-fulltext"
BODY_ANCHOR = "quire-body"  # marks where the article text starts, after the header
MIN_SIDE = 12  # least margin beside the text column, px
DOC_MARGIN = 28  # space above the title and below the last line, px
MAX_IMAGE_PX = 1800  # decode big images smaller: memory, and nobody reads at 4000 px
_IMG_SRC = re.compile(
    r"""<img\b[^>]*?\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE
)


@dataclass
class ArticleContent:
    """An article ready to show: built off the UI thread, shown on it."""

    article: Article
    body_html: str
    images: dict[str, QImage] = field(default_factory=dict)  # relative path -> picture
    #: the canonical plain text highlight offsets count in (archive.library.highlights);
    #: empty for what is not the article's own text (a pending article, the page's full text)
    plain_text: str = ""


def _relative_key(src: str) -> str | None:
    """The article-folder-relative path an <img src> names, or None if remote."""
    url = QUrl(src)
    if url.scheme() and url.scheme() != "file":
        return None
    path = url.path() if url.scheme() == "file" else src.split("#")[0].split("?")[0]
    return path.lstrip("./") if not path.startswith("/") else path


_WRAPPERS = [
    re.compile(rf"<{tag}\b[^>]*>(.*)</{tag}\s*>", re.IGNORECASE | re.DOTALL)
    for tag in ("article", "body")
]
_LEADING_HEADING = re.compile(r"^\s*<h([12])\b[^>]*>(.*?)</h\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def article_body(document: str, title: str) -> str:
    """The body of article.html, without its page wrapper and without a first
    heading that only repeats the title (the reader's header shows it)."""
    body = document
    for wrapper in _WRAPPERS:
        match = wrapper.search(document)
        if match:
            body = match.group(1)
            break
    heading = _LEADING_HEADING.match(body)
    if heading:
        text = " ".join(html_lib.unescape(_TAG.sub("", heading.group(2))).split())
        if text.casefold() == " ".join(title.split()).casefold():
            body = body[heading.end() :]
    return body


def load_article_content(archive: Archive, article_id: str) -> ArticleContent:
    """Read an article and decode its local images (runs on a worker thread).

    Only files that resolve to a path inside archive.article_dir(id) are
    read; anything else (remote URLs, '../' escapes, symlinks out) is left out
    and the view shows nothing in its place."""

    article = archive.get(article_id)
    folder = Path(archive.article_dir(article_id)).resolve()
    if article.status == "pending":
        body = ""
    elif not layout.article_file(folder).is_file():
        body = missing_article_html(archive, article_id, folder)
    else:
        body = article_body(archive.article_html(article_id), article.title)
    images: dict[str, QImage] = {}
    for match in _IMG_SRC.finditer(body):
        src = html_lib.unescape(next(g for g in match.groups() if g is not None))
        key = _relative_key(src)
        if key is None or key in images:
            continue
        path = (folder / key).resolve() if not key.startswith("/") else Path(key).resolve()
        if not path.is_relative_to(folder) or not path.is_file():
            continue
        image = QImage(str(path))
        if image.isNull():
            continue
        if image.width() > MAX_IMAGE_PX:
            image = image.scaledToWidth(MAX_IMAGE_PX)
        images[src] = image
        images[key] = image
    plain = archive.highlights.text(article_id) if article.status == "saved" else ""
    return ArticleContent(article=article, body_html=book_html(body), images=images, plain_text=plain)


def missing_article_html(archive: Archive, article_id: str, folder: Path) -> str:
    """What the reader shows when article.html is gone from the article's folder
    (deleted by hand, a damaged disk): why the page is not the article, the
    text the search index kept, and how to get the article back."""
    if layout.source_file(folder).is_file():
        remedy = ("Article \N{RIGHTWARDS ARROW} Re-extract from the saved original "
                  "rebuilds it.")
    else:
        remedy = "Its saved original is missing too; save it again from its address."
    text = archive.article_text(article_id)
    kept = ("Below is the text the search index kept, without pictures or formatting."
            if text.strip() else "The search index kept no text of it either.")
    notice = (f'<p class="notice">The article\u2019s file ({layout.ARTICLE_FILE}) is missing from '
              f"{html_lib.escape(str(folder))}. {kept} {html_lib.escape(remedy)}</p>")
    return notice + text_to_html(text)


_IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_SIZE_ATTR = re.compile(r"\s(?:width|height)\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+)", re.IGNORECASE)


def sized_images(body: str, images: dict[str, QImage], column: int) -> str:
    """Give each local image a width that fits the column (and its height).

    Sized in the HTML, images need no second layout after the text is set."""
    if not images:
        return body

    def fix(match: re.Match[str]) -> str:
        tag = match.group(0)
        src = _IMG_SRC.match(tag)
        if src is None:
            return tag
        key = html_lib.unescape(next(g for g in src.groups() if g is not None))
        image = images.get(key)
        if image is None or image.width() <= 0:
            return tag
        width = min(image.width(), column)
        height = round(image.height() * width / image.width())
        tag = _SIZE_ATTR.sub("", tag)
        return tag[:4] + f' width="{width}" height="{height}"' + tag[4:]

    return _IMG_TAG.sub(fix, body)


def text_to_html(text: str) -> str:
    """Plain text (paragraphs separated by newlines) as escaped paragraphs."""
    return "\n".join(
        f"<p>{html_lib.escape(line)}</p>" for line in text.splitlines() if line.strip()
    )


def load_fulltext_content(archive: Archive, article_id: str) -> ArticleContent:
    """The whole visible text of the saved original, for a doubtful extraction."""
    article = archive.get(article_id)
    text = archive.article_fulltext(article_id)
    body = text_to_html(text) if text else "<p>The saved original has no text to show.</p>"
    return ArticleContent(article=article, body_html=body)


MAX_TITLE_CHARS = 300  # a title longer than this is cut (a page's whole text as its title)


def shown_title(title: str, limit: int = MAX_TITLE_CHARS) -> str:
    """The title as headers show it: '(untitled)' for none, and a runaway title
    cut at a word near `limit` characters with an ellipsis, so the article's
    text is not pushed off the screen."""
    title = " ".join((title or "").split())
    if not title:
        return "(untitled)"
    if len(title) <= limit:
        return title
    cut = title[:limit]
    space = cut.rfind(" ")
    if space > limit * 2 // 3:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + "\u2026"


def header_html(article: Article) -> str:
    """Title, byline, tags and a link to the original, above the text."""
    esc = html_lib.escape
    meta = [p for p in (article.site, ", ".join(article.authors)) if p]
    date = format_date(article.published or "") or format_date(article.saved)
    if date:
        meta.append(date)
    if article.reading_minutes:
        meta.append(f"{article.reading_minutes} min read")
    parts = [f'<h1 class="title">{esc(shown_title(article.title))}</h1>']
    if meta:
        parts.append(f'<p class="byline">{esc("  ·  ".join(meta))}</p>')
    links = []
    if article.tags:
        links.append(
            " ".join(
                f'<a class="tag" href="{TAG_SCHEME}:{quote(t, safe="")}">#{esc(t)}</a>'
                for t in article.tags
            )
        )
    if article.url and article.url.startswith(("http://", "https://")):
        links.append(
            f'<a class="original" href="{esc(article.url, quote=True)}">Open original ↗</a>'
        )
    if links:
        parts.append(f'<p class="links">{"  ·  ".join(links)}</p>')
    if article.uncertain and article.status != "pending":
        parts.append(
            '<p class="notice">Quire is not sure it found the whole article on this page.  '
            f'<a href="{FULLTEXT_SCHEME}:{esc(article.id, quote=True)}">Show all the page’s text</a></p>'
        )
    if article.status == "pending":
        parts.append(
            '<p class="notice">This article is not saved yet'
            + (f": {esc(article.error)}" if article.error else ".")
            + f'  <a href="{RETRY_SCHEME}:{esc(article.id, quote=True)}">Fetch it again</a></p>'
        )
    # A zero-width anchor closes the header: highlighting starts after it.
    anchor = f'<a name="{BODY_ANCHOR}">&#8203;</a>'
    parts[-1] = re.sub(r"</(h1|p)>$", lambda m: f"{anchor}</{m.group(1)}>", parts[-1])
    return "\n".join(parts)


class ReaderView(QTextBrowser):
    """QTextBrowser that shows one ArticleContent and nothing from outside it."""

    tag_clicked = Signal(str)
    retry_clicked = Signal(str)
    fulltext_clicked = Signal(str)
    progress_changed = Signal(str, float)  # article id, 0..1 (debounced)
    reached_end = Signal(str)
    #: highlights: a selection to highlight (canonical start, end, colour; "" = default)
    highlight_requested = Signal(int, int, str)
    #: a highlight clicked (its id, where on screen), or chosen in the context menu
    mark_clicked = Signal(str, QPoint)
    mark_recolor_requested = Signal(str, str)
    mark_delete_requested = Signal(str)
    #: text was selected with the mouse (where the little highlight popup goes)
    selection_finished = Signal(QPoint)
    #: the highlight stepped to with the keyboard (or None)
    current_mark_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(self._on_anchor)
        self.setAccessibleName("Article reader")
        self.setFrameShape(QTextBrowser.Shape.NoFrame)
        # Always there, so a long article arriving never resizes the viewport
        # (which would lay the document out a second time).
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.document().setDocumentMargin(DOC_MARGIN)
        self.content: ArticleContent | None = None
        #: Every resource the document asked for, for tests and audits.
        self.requested_resources: list[QUrl] = []
        self.line_width = 700
        self._stylesheet = ""
        self._highlights: list[QTextEdit.ExtraSelection] = []
        self._find: list[QTextEdit.ExtraSelection] = []
        self._highlight_color = QColor("#ffe28a")
        self._highlight_text = QColor("#1d1d1d")
        self._spans: list[tuple[int, int]] = []  # the marked matches, kept across re-renders
        self._restoring = False
        self._progress_timer = QTimer(self, singleShot=True, interval=700)
        self._progress_timer.timeout.connect(self._emit_progress)
        self.verticalScrollBar().valueChanged.connect(self._on_scroll)
        # highlights: painted as char formats into the document (highlight_paint)
        self.document().setUndoRedoEnabled(False)  # painting is no edit to undo
        self._marks: dict[str, Highlight] = {}
        self._mark_spans: dict[str, tuple[int, int]] = {}
        self._map: OffsetMap | None = None
        self._map_offset = 0
        self.current_mark: str | None = None
        self.mark_colors = highlight_paint.palette_for("light")
        self.mark_text: QColor | None = None
        self.show_placeholder()

    # -- content -----------------------------------------------------------
    def set_mark_theme(self, theme: str) -> None:
        """The colours highlights are painted in (set before set_stylesheet, which
        re-renders the article and paints them again)."""
        self.mark_colors = highlight_paint.palette_for(theme)
        text = highlight_paint.TEXT_ON.get(theme)
        self.mark_text = QColor(text) if text else None

    def set_stylesheet(
        self, css: str, font: QFont, highlight: QColor, highlight_text: QColor
    ) -> None:
        """Apply a theme (CSS) and the reading font; re-render what is shown."""
        self._stylesheet = css
        self._highlight_color = highlight
        self._highlight_text = highlight_text
        self.document().setDefaultFont(font)
        self.document().setDefaultStyleSheet(css)
        if self.content is not None:
            self.show_content(self.content, keep_position=True)
        else:
            self.show_placeholder()

    def show_placeholder(self, message: str = "Choose an article to read it here.") -> None:
        self._progress_timer.stop()  # nothing to save for an article that is gone
        self.content = None
        self._reset_marks()
        self.document().setDefaultStyleSheet(self._stylesheet)
        self.setHtml(
            f'<body><p class="placeholder">{html_lib.escape(message)}</p></body>'
        )

    def show_content(self, content: ArticleContent, *, keep_position: bool = False) -> None:
        old_value = self.verticalScrollBar().value()
        same = self.content is not None and self.content.article.id == content.article.id
        if not same:
            self.flush_progress()  # the position just scrolled to belongs to the old article
        self.content = content
        self._restoring = True
        self.document().setDefaultStyleSheet(self._stylesheet)
        # One layout per article: the column is set by viewport margins (not
        # document margins) and images arrive sized to it, so nothing changes
        # after setHtml that would lay the whole document out again.
        # No <html> element: Qt gives it, and so every paragraph, a left-to-right
        # direction; without it each paragraph takes its own (Arabic, Hebrew…).
        self.setHtml(
            "<body>"
            + header_html(content.article)
            + '<div class="article">'
            + sized_images(content.body_html, content.images, self.column_width())
            + "</div></body>"
        )
        self._find = []
        self._reset_marks()
        self.set_highlights(content.article.highlights)
        if keep_position and same:
            self.highlight_spans(self._spans, scroll=False)  # the body text is the same
        else:
            self._spans = []
            self._highlights = []
            self._apply_selections()
        if keep_position and same:
            QTimer.singleShot(0, self, lambda: self._restore(old_value, None))
        else:
            QTimer.singleShot(0, self, lambda: self._restore(None, content.article.progress))

    def update_article(self, article: Article) -> None:
        """The open article's row changed: redraw it (keeping the place and the marks)
        only when its header shows the difference (tags, title…); a reading position
        or a state is just kept."""
        if self.content is None or self.content.article.id != article.id:
            return
        redraw = header_html(self.content.article) != header_html(article)
        marks_changed = self.content.article.highlights != article.highlights
        self.content.article = article
        if redraw:
            self.show_content(self.content, keep_position=True)
        elif marks_changed:
            self.set_highlights(article.highlights)

    @property
    def article_id(self) -> str | None:
        return self.content.article.id if self.content else None

    def _restore(self, value: int | None, progress: float | None) -> None:
        if not shiboken6.isValid(self):  # the window closed before the queued call ran
            return
        bar = self.verticalScrollBar()
        if value is not None:
            bar.setValue(value)
        elif progress and progress < 0.98:
            bar.setValue(int(progress * bar.maximum()))
        else:
            bar.setValue(0)
        self._restoring = False

    # -- resources: local images only ------------------------------------
    def loadResource(self, type_: int, url: QUrl | str) -> Any:
        qurl = QUrl(url) if isinstance(url, str) else url
        self.requested_resources.append(QUrl(qurl))
        if self.content is None:
            return None
        text = qurl.toString()
        image = self.content.images.get(text)
        if image is None:
            key = _relative_key(text)
            image = self.content.images.get(key) if key else None
        return image  # None for anything not pre-loaded from the article's folder

    # -- layout --------------------------------------------------------------
    def set_line_width(self, px: int) -> None:
        self.line_width = px
        self._layout_column()
        self._fit_images(self.column_width())

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._layout_column()
        super().resizeEvent(event)
        self._fit_images(self.column_width())

    def column_width(self) -> int:
        """Width of the text column: the line width, or less in a narrow window."""
        return max(120, min(self.line_width, self._outer_width() - 2 * MIN_SIDE))

    def _outer_width(self) -> int:
        bar = self.verticalScrollBar().sizeHint().width()
        return max(
            0,
            self.width() - 2 * self.frameWidth() - bar - 2 * int(self.document().documentMargin()),
        )

    def _layout_column(self) -> None:
        """Centre the column with viewport margins; the page colour fills them."""
        side = max(MIN_SIDE, (self._outer_width() - self.line_width) // 2)
        margins = self.viewportMargins()
        if margins.left() != side or margins.right() != side:
            self.setViewportMargins(side, 0, side, 0)

    def _fit_images(self, column: int) -> None:
        if self.content is None or not self.content.images:
            return
        doc = self.document()
        block = doc.begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                frag = it.fragment()
                fmt = frag.charFormat()
                if fmt.isImageFormat():
                    img_fmt: QTextImageFormat = fmt.toImageFormat()
                    image = self.content.images.get(img_fmt.name())
                    if image is not None and image.width() > 0:
                        width = min(image.width(), column)
                        if abs(img_fmt.width() - width) > 0.5:
                            img_fmt.setWidth(width)
                            img_fmt.setHeight(image.height() * width / image.width())
                            cursor = QTextCursor(doc)
                            cursor.setPosition(frag.position())
                            cursor.setPosition(
                                frag.position() + frag.length(), QTextCursor.MoveMode.KeepAnchor
                            )
                            cursor.setCharFormat(img_fmt)
                it += 1
            block = block.next()

    # -- links -----------------------------------------------------------
    def _on_anchor(self, url: QUrl) -> None:
        if url.scheme() == TAG_SCHEME:
            # the name is percent-encoded whole: '#', '?' and '%' are part of it
            encoded = url.toString(QUrl.ComponentFormattingOption.FullyEncoded)
            self.tag_clicked.emit(unquote(encoded[len(TAG_SCHEME) + 1 :]))
        elif url.scheme() == RETRY_SCHEME:
            self.retry_clicked.emit(url.path())
        elif url.scheme() == FULLTEXT_SCHEME:
            self.fulltext_clicked.emit(url.path())
        elif url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)
        elif url.hasFragment() and not url.scheme():
            self.scrollToAnchor(url.fragment())

    # -- highlighting and find --------------------------------------------
    def body_text(self) -> str:
        """The article text after the header, exactly as the document holds it
        (positions in it map one to one onto document positions)."""
        raw = self.document().toRawText()
        return raw[self._body_start() :]

    def highlight_spans(self, spans: list[tuple[int, int]], *, scroll: bool = True) -> int:
        """Mark (start, end) spans of body_text(): the words the query matches, found
        by the core's analyser (archive.search.engine.word_match_spans, match_spans)."""
        self._spans = list(spans)
        self._highlights = []
        fmt = QTextCharFormat()
        fmt.setBackground(self._highlight_color)
        fmt.setForeground(self._highlight_text)
        start = self._body_start()
        end = self.document().characterCount() - 1
        first: QTextCursor | None = None
        for a, b in spans:
            if not 0 <= a < b or start + b > end:
                continue
            cursor = QTextCursor(self.document())
            cursor.setPosition(start + a)
            cursor.setPosition(start + b, QTextCursor.MoveMode.KeepAnchor)
            first = self._add_highlight(cursor, fmt, first)
        return self._show_highlights(first, scroll)

    def _add_highlight(self, cursor: QTextCursor, fmt: QTextCharFormat,
                       first: QTextCursor | None) -> QTextCursor:
        """Mark one match; returns the earliest match so far (scrolled to later)."""
        sel = QTextEdit.ExtraSelection()
        sel.cursor = cursor
        sel.format = fmt
        self._highlights.append(sel)
        if first is None or cursor.position() < first.position():
            return QTextCursor(cursor)
        return first

    def _show_highlights(self, first: QTextCursor | None, scroll: bool) -> int:
        self._apply_selections()
        if scroll and first is not None and not self._restoring_progress():
            QTimer.singleShot(0, self, lambda c=first: self._scroll_to(c))
        return len(self._highlights)

    def _restoring_progress(self) -> bool:
        return bool(self.content and 0.02 < self.content.article.progress < 0.98)

    def _scroll_to(self, cursor: QTextCursor) -> None:
        rect = self.cursorRect(cursor)
        bar = self.verticalScrollBar()
        bar.setValue(bar.value() + rect.top() - self.viewport().height() // 3)

    def _body_start(self) -> int:
        """Position where the article text begins (after the header)."""
        block = self.document().begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                if BODY_ANCHOR in it.fragment().charFormat().anchorNames():
                    following = block.next()
                    return following.position() if following.isValid() else it.fragment().position()
                it += 1
            block = block.next()
        return 0

    def find_text(self, text: str, backward: bool = False) -> bool:
        """Find in the article from the cursor, wrapping round once."""
        flags = QTextDocument.FindFlag.FindBackward if backward else QTextDocument.FindFlag(0)
        found = self.find(text, flags)
        if not found:
            cursor = self.textCursor()
            cursor.movePosition(
                QTextCursor.MoveOperation.End if backward else QTextCursor.MoveOperation.Start
            )
            self.setTextCursor(cursor)
            found = self.find(text, flags)
        self._find = []
        if found:
            sel = QTextEdit.ExtraSelection()
            sel.cursor = self.textCursor()
            fmt = QTextCharFormat()
            fmt.setBackground(QColor("#f59e0b"))
            fmt.setForeground(QColor("#111111"))
            sel.format = fmt
            self._find = [sel]
        self._apply_selections()
        return found

    def _apply_selections(self) -> None:
        self.setExtraSelections(self._highlights + self._find)

    # -- highlights and notes -------------------------------------------------
    def _reset_marks(self) -> None:
        self._marks, self._mark_spans, self._map = {}, {}, None
        self.current_mark = None

    def _mapping(self) -> OffsetMap | None:
        """The canonical text ↔ document map, built when first needed for this render."""
        if self.content is None or not self.content.plain_text:
            return None
        if self._map is None:
            self._map_offset = self._body_start()
            self._map = OffsetMap(self.content.plain_text, self.body_text())
        return self._map

    def set_highlights(self, marks: list[Highlight]) -> None:
        """Paint the article's highlights (taking off those painted before)."""
        doc = self.document()
        if self._mark_spans:
            highlight_paint.unpaint(doc, list(self._mark_spans.values()))
        self._marks = {m.id: m for m in marks}
        mapping = self._mapping() if marks else None
        self._mark_spans = (highlight_paint.document_spans(mapping, marks, self._map_offset)
                            if mapping is not None else {})
        if self._mark_spans:
            highlight_paint.paint(doc, self._mark_spans, self._marks, self.mark_colors, self.mark_text)
        if self.current_mark not in self._marks:
            self.current_mark = None

    @property
    def highlights(self) -> list[Highlight]:
        """The open article's highlights, in text order (those not placed last)."""
        return list(self._marks.values())

    def mark_span(self, mark_id: str) -> tuple[int, int] | None:
        """The document span a highlight is painted on."""
        return self._mark_spans.get(mark_id)

    def selected_range(self) -> tuple[int, int] | None:
        """The selection as offsets of the canonical plain text, or None (nothing
        selected, or only the header)."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        mapping = self._mapping()
        if mapping is None:
            return None
        start = max(cursor.selectionStart() - self._map_offset, 0)
        end = cursor.selectionEnd() - self._map_offset
        if end <= start:
            return None
        return mapping.back(start, end)

    def select_range(self, start: int, end: int) -> bool:
        """Select canonical text [start, end) in the document (tests, the Highlights view)."""
        mapping = self._mapping()
        span = mapping.span(start, end) if mapping is not None else None
        if span is None:
            return False
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._map_offset + span[0])
        cursor.setPosition(self._map_offset + span[1], QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        return True

    def mark_at(self, pos: QPoint) -> str | None:
        """The highlight under a viewport position."""
        if not self._mark_spans:
            return None
        return highlight_paint.mark_at(self.document(), self.cursorForPosition(pos).position())

    def scroll_to_mark(self, mark_id: str) -> bool:
        span = self._mark_spans.get(mark_id)
        if span is None:
            return False
        cursor = QTextCursor(self.document())
        cursor.setPosition(span[0])
        self._scroll_to(cursor)
        self.current_mark = mark_id
        return True

    def step_mark(self, step: int) -> str | None:
        """Go to the next (step=1) or previous (-1) highlight, wrapping round; the
        keyboard way through an article's highlights."""
        order = sorted(self._mark_spans, key=lambda i: self._mark_spans[i])
        if not order:
            return None
        if self.current_mark in order:
            index = (order.index(self.current_mark) + step) % len(order)
        else:
            index = 0 if step > 0 else len(order) - 1
        self.scroll_to_mark(order[index])
        self.current_mark_changed.emit(order[index])
        return order[index]

    def highlight_selection(self, color: str = "") -> bool:
        """Ask for the selection to be highlighted (the window does the work)."""
        chosen = self.selected_range()
        if chosen is None:
            return False
        self.highlight_requested.emit(chosen[0], chosen[1], color)
        return True

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().mouseReleaseEvent(event)
        if event.button() != Qt.MouseButton.LeftButton or self.content is None:
            return
        pos = event.position().toPoint()
        if self.textCursor().hasSelection():
            if self.selected_range() is not None:
                self.selection_finished.emit(self.viewport().mapToGlobal(pos))
            return
        mark_id = self.mark_at(pos)
        if mark_id is not None:
            self.current_mark = mark_id
            self.mark_clicked.emit(mark_id, self.viewport().mapToGlobal(pos))

    def contextMenuEvent(self, event) -> None:  # noqa: N802 - Qt's name
        menu = self.highlight_menu(event.pos())
        menu.exec(event.globalPos())

    def highlight_menu(self, pos: QPoint) -> QMenu:
        """The standard menu plus Highlight (with its colours) for a selection, and
        Note / colours / Remove for a highlight under the pointer."""
        menu = self.createStandardContextMenu(pos)
        menu.setObjectName("readerContextMenu")
        first = menu.actions()[0] if menu.actions() else None
        added = []
        if self.selected_range() is not None:
            act = QAction("&Highlight", menu)
            act.setShortcut("Ctrl+H")
            act.triggered.connect(lambda: self.highlight_selection())
            added.append(act)
            colors = QMenu("Highlight in colour", menu)
            for name in HIGHLIGHT_COLORS:
                colors.addAction(highlight_paint.COLOR_LABELS[name],
                                 lambda n=name: self.highlight_selection(n))
            added.append(colors.menuAction())
        mark_id = self.mark_at(pos)
        if mark_id is not None:
            note = QAction("Highlight &note…", menu)
            note.triggered.connect(lambda: self.mark_clicked.emit(mark_id, self.viewport().mapToGlobal(pos)))
            added.append(note)
            recolor = QMenu("Highlight colour", menu)
            for name in HIGHLIGHT_COLORS:
                recolor.addAction(highlight_paint.COLOR_LABELS[name],
                                  lambda n=name: self.mark_recolor_requested.emit(mark_id, n))
            added.append(recolor.menuAction())
            remove = QAction("&Remove highlight", menu)
            remove.triggered.connect(lambda: self.mark_delete_requested.emit(mark_id))
            added.append(remove)
        if added:
            menu.insertActions(first, added) if first is not None else menu.addActions(added)
            if first is not None:
                menu.insertSeparator(first)
        return menu

    # -- reading progress --------------------------------------------------
    def progress(self) -> float:
        bar = self.verticalScrollBar()
        if bar.maximum() <= 0:
            return 1.0
        return min(1.0, max(0.0, bar.value() / bar.maximum()))

    def _on_scroll(self, _value: int) -> None:
        if self.content is not None and not self._restoring:
            self._progress_timer.start()

    def flush_progress(self) -> None:
        """Report a reading position still waiting for its debounce, now (the
        article is about to be replaced, or the window closes)."""
        if self._progress_timer.isActive():
            self._progress_timer.stop()
            self._emit_progress()

    def _emit_progress(self) -> None:
        if self.content is None:
            return
        value = self.progress()
        self.progress_changed.emit(self.content.article.id, value)
        if value >= 0.98 and self.verticalScrollBar().maximum() > 0:
            self.reached_end.emit(self.content.article.id)
