"""Draws one search result: unread mark, title, site · date · minutes · tags,
and a two-line snippet with the matched terms in bold.

Rows have one fixed height (the view uses uniform item sizes), so scrolling
through many thousands of hits costs nothing beyond the rows on screen.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPalette,
    QTextDocument,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.gui.results_model import ResultRow, RowRole

PAD = 10
MARK = 14  # left column for the unread dot
DEFAULT_TAG_COLOR = "#b0652b"
SNIPPET_LINES = 2
SNIPPET_CACHE = 300  # laid-out snippets kept (a few screens of rows)


def format_date(iso: str) -> str:
    """'2026-11-25T10:00:00+00:00' -> '25 Nov 2026' (unknown stays as given)."""
    if not iso:
        return ""
    try:
        return datetime.fromisoformat(iso).strftime("%-d %b %Y")
    except ValueError:
        return iso[:10]


def meta_line(row: ResultRow) -> str:
    parts = [p for p in (row.site, format_date(row.saved)) if p]
    if row.reading_minutes:
        parts.append(f"{row.reading_minutes} min")
    if row.pending:
        parts.append("not saved yet")
    elif row.progress > 0.02 and not row.is_read:
        parts.append(f"{round(row.progress * 100)}% read")
    return "  ·  ".join(parts)


class ResultDelegate(QStyledItemDelegate):
    """Paints ResultRow objects; the model supplies them through RowRole."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._cache: dict[tuple[str, str, str, int], QTextDocument] = {}
        self._font_cache: dict[str, tuple[QFont, QFont, QFont]] = {}
        self.tag_colors: dict[str, str] = {}  # tag (lower case) -> "#rrggbb", set by the window

    def _draw_tags(self, painter, metrics: QFontMetrics, tags: list[str], x: int, baseline: int,
                   width: int, override: QColor | None) -> None:
        """Each tag in its own colour (the default one unless the user chose one)."""
        right = x + width
        for i, tag in enumerate(tags):
            text = ("  " if i else "") + f"#{tag}"
            room = right - x
            if room <= 0:
                break
            shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)
            painter.setPen(override or QColor(self.tag_colors.get(tag.lower(), DEFAULT_TAG_COLOR)))
            painter.drawText(x, baseline, shown)
            x += metrics.horizontalAdvance(shown)

    def _snippet_doc(
        self, snippet: str, font: QFont, match_color: str, width: int
    ) -> QTextDocument:
        """A laid-out snippet, cached: scrolling and repaints reuse it."""
        key = (snippet, font.key(), match_color, width)
        doc = self._cache.get(key)
        if doc is None:
            doc = QTextDocument()
            doc.setDocumentMargin(0)
            doc.setDefaultFont(font)
            doc.setDefaultStyleSheet(f"b.match {{ color: {match_color}; font-weight: bold; }}")
            doc.setHtml(snippet)
            doc.setTextWidth(width)
            if len(self._cache) >= SNIPPET_CACHE:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = doc
        return doc

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont, QFont]:
        """Title, meta and snippet fonts for the view's font (made once per font:
        every row of every repaint asks)."""
        key = option.font.key()
        fonts = self._font_cache.get(key)
        if fonts is None:
            base = QFont(option.font)
            title = QFont(base)
            title.setPointSizeF(base.pointSizeF() * 1.08)
            title.setWeight(QFont.Weight.DemiBold)
            small = QFont(base)
            small.setPointSizeF(base.pointSizeF() * 0.88)
            fonts = self._font_cache[key] = (title, small, base)
        return fonts

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        title, small, base = self._fonts(option)
        height = (
            QFontMetrics(title).height()
            + QFontMetrics(small).height()
            + QFontMetrics(base).lineSpacing() * SNIPPET_LINES
            + PAD * 2
            + 8
        )
        return QSize(200, height)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        row: ResultRow | None = index.data(RowRole)
        if row is None:
            return super().paint(painter, option, index)
        painter.save()
        style = option.widget.style() if option.widget else None
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        if style is not None:
            style.drawPrimitive(
                QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, option.widget
            )
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        pal = option.palette
        text_color = pal.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        dim = QColor(text_color)
        dim.setAlphaF(0.62)
        title_font, small_font, base_font = self._fonts(option)
        rect = option.rect.adjusted(PAD, PAD, -PAD, -PAD)

        # Unread dot, favourite star.
        if not row.is_read and not row.pending:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(
                pal.color(QPalette.ColorRole.HighlightedText) if selected else QColor("#2f7de1")
            )
            cy = rect.top() + QFontMetrics(title_font).height() / 2
            painter.drawEllipse(QRectF(rect.left(), cy - 3.5, 7, 7))
        text_left = rect.left() + MARK
        width = rect.right() - text_left

        # Title (elided), with a star if favourite.
        painter.setFont(title_font)
        painter.setPen(text_color)
        fm = QFontMetrics(title_font)
        title = ("★ " if row.is_favorite else "") + (row.title or "(untitled)")
        painter.drawText(
            text_left,
            rect.top() + fm.ascent(),
            fm.elidedText(title, Qt.TextElideMode.ElideRight, width),
        )
        y = rect.top() + fm.height() + 2

        # Meta line on the left, tags on the right.
        painter.setFont(small_font)
        sfm = QFontMetrics(small_font)
        tags = "  ".join(f"#{t}" for t in row.tags)
        tag_width = min(sfm.horizontalAdvance(tags) + 4, width // 2) if tags else 0
        painter.setPen(dim)
        meta = sfm.elidedText(meta_line(row), Qt.TextElideMode.ElideRight, width - tag_width - 12)
        painter.drawText(text_left, y + sfm.ascent(), meta)
        if tags:
            self._draw_tags(painter, sfm, row.tags, text_left + width - tag_width, y + sfm.ascent(),
                            tag_width, QColor(text_color) if selected else None)
        y += sfm.height() + 4

        # Snippet: rich text, clipped to its lines.
        lines_h = QFontMetrics(base_font).lineSpacing() * SNIPPET_LINES
        doc = self._snippet_doc(row.snippet or "", base_font, text_color.name(), width)
        painter.translate(text_left, y)
        clip = QRectF(0, 0, width, lines_h)
        painter.setClipRect(clip)
        ctx = QAbstractTextDocumentLayout.PaintContext()
        ctx.clip = clip
        ctx.palette.setColor(QPalette.ColorRole.Text, dim if not selected else text_color)
        doc.documentLayout().draw(painter, ctx)
        painter.restore()
