"""Names and titles from saved pages are text, never markup.

Qt guesses: a tooltip, a message box or a label whose text looks like HTML
(`<b>Bold</b> <img src=x>`, an article title or tag name copied from a page)
is rendered as rich text, pictures and all. `as_plain` gives such text in a
form Qt shows exactly as written; other text is returned unchanged.
"""

from __future__ import annotations

import html

from PySide6.QtGui import Qt


def as_plain(text: str) -> str:
    """`text` for a widget that auto-detects rich text, shown literally."""
    if not Qt.mightBeRichText(text):
        return text
    return '<p style="white-space: pre-wrap">' + html.escape(text, quote=False) + "</p>"
