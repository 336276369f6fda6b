"""Painting highlights into the reader's QTextDocument, and finding them there again.

A highlight is painted as a character format (a background in its colour, and
its id in MARK_ID) merged over its words, so the document itself carries it: a
click reads the id under the pointer, and a test reads the char formats. Offsets
count the canonical plain text (archive.library.highlights); OffsetMap matches
that text to the document's own (archive.library.textmap). The colours follow the
reader's theme: bright tints on light and sepia pages, deep ones on dark.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor, QTextDocument, QTextFormat

from archive.base.models import HIGHLIGHT_COLORS, Highlight
from archive.library.textmap import OffsetMap

#: The char-format property holding a painted highlight's id.
MARK_ID = QTextFormat.Property.UserProperty + 41

#: Background colours of the four highlight colours, per kind of theme.
PALETTES: dict[str, dict[str, str]] = {
    "light": {"yellow": "#fff0a0", "green": "#c6efbf", "blue": "#c9e0ff", "pink": "#ffd0e2"},
    "sepia": {"yellow": "#f5dc86", "green": "#cfe2b0", "blue": "#c7d8e8", "pink": "#f1c6cf"},
    "dark": {"yellow": "#6a5812", "green": "#2d5a33", "blue": "#27496f", "pink": "#6e2c4b"},
}
#: Text on a highlight (None: the theme's own text colour shows through).
TEXT_ON = {"light": None, "sepia": None, "dark": "#f4f1ea"}
#: How the colour names are shown (menus, the list, the Highlights view).
COLOR_LABELS = {"yellow": "Yellow", "green": "Green", "blue": "Blue", "pink": "Pink"}


def palette_for(theme: str) -> dict[str, QColor]:
    colors = PALETTES.get(theme, PALETTES["light"])
    return {name: QColor(colors[name]) for name in HIGHLIGHT_COLORS}


def mark_format(mark_id: str, background: QColor, text: QColor | None) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setBackground(background)
    if text is not None:
        fmt.setForeground(text)
    fmt.setProperty(MARK_ID, mark_id)
    return fmt


def paint(doc: QTextDocument, spans: dict[str, tuple[int, int]], marks: dict[str, Highlight],
          colors: dict[str, QColor], text: QColor | None) -> None:
    """Merge each highlight's format over its document span (one edit block: one relayout)."""
    cursor = QTextCursor(doc)
    cursor.beginEditBlock()
    for mark_id, (start, end) in spans.items():
        mark = marks[mark_id]
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        cursor.mergeCharFormat(mark_format(mark_id, colors.get(mark.color, colors["yellow"]), text))
    cursor.endEditBlock()


def unpaint(doc: QTextDocument, spans: list[tuple[int, int]]) -> None:
    """Take highlight formats off these spans, keeping every other format (links, bold)."""
    cursor = QTextCursor(doc)
    cursor.beginEditBlock()
    for start, end in spans:
        block = doc.findBlock(start)
        while block.isValid() and block.position() < end:
            it = block.begin()
            while not it.atEnd():
                frag = it.fragment()
                it += 1
                lo, hi = frag.position(), frag.position() + frag.length()
                if hi <= start or lo >= end:
                    continue
                fmt = frag.charFormat()
                if not fmt.hasProperty(MARK_ID):
                    continue
                fmt.clearProperty(MARK_ID)
                fmt.clearBackground()
                fmt.clearForeground()
                cursor.setPosition(max(lo, start))
                cursor.setPosition(min(hi, end), QTextCursor.MoveMode.KeepAnchor)
                cursor.setCharFormat(fmt)
            block = block.next()
    cursor.endEditBlock()


def document_spans(mapping: OffsetMap, marks: list[Highlight], offset: int) -> dict[str, tuple[int, int]]:
    """Where each placed highlight is in the document (body text starting at `offset`)."""
    out: dict[str, tuple[int, int]] = {}
    for mark in marks:
        if mark.unplaced:
            continue
        span = mapping.span(mark.start, mark.end)
        if span is not None:
            out[mark.id] = (offset + span[0], offset + span[1])
    return out


def mark_at(doc: QTextDocument, position: int) -> str | None:
    """The id of the highlight painted at a document position, if any."""
    block = doc.findBlock(position)
    if not block.isValid():
        return None
    it = block.begin()
    while not it.atEnd():
        frag = it.fragment()
        if frag.position() <= position < frag.position() + frag.length():
            value = frag.charFormat().property(MARK_ID)
            return str(value) if value else None
        it += 1
    return None
