"""The search words marked in the open article stay marked when the look of
the reader changes (theme, font size, line width) — issue 19."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.support.gui import WAIT, titles


def marked(window) -> list[str]:
    return [s.cursor.selectedText().lower() for s in window.reader.extraSelections()]


def test_theme_and_size_changes_keep_the_search_marks(qtbot, window, filled):
    _root, ids = filled
    # Fuzzy: the index matched "flour", which no word pattern of "flowr" finds.
    window.search.set_query("flowr~")
    qtbot.waitUntil(lambda: "Sourdough starters and wild yeast" in titles(window), timeout=WAIT)
    window.open_article(ids[1])
    # the word marks come at once, the index's (fuzzy) ones after: wait for those
    qtbot.waitUntil(lambda: set(marked(window)) == {"flour"}, timeout=WAIT)
    before = marked(window)
    for change in (lambda: window.set_theme("dark"), lambda: window.set_theme("sepia"),
                   lambda: window.change_font_size(+2), lambda: window.set_line_width(560)):
        change()
        # (a search or highlight still in flight may re-mark meanwhile: wait it out)
        qtbot.waitUntil(lambda: marked(window) == before, timeout=WAIT)
    selection = window.reader.extraSelections()[0]
    colour = selection.format.background().color()
    assert colour == window.reader._highlight_color  # in the new theme's colour
