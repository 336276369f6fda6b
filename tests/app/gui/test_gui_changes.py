"""The panes refresh from one signal, MainWindow.changed(Changes), not from calls
scattered over the places that change the archive. Each test changes the archive
behind the window's back (a second caller of the same Archive) and then only
announces the change: what the panes show must follow."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from archive.base.changes import Changes
from tests.support.gui import PAGES, WAIT, open_article, titles
from tests.support import make_page


def _row_tags(window, article_id: str) -> list[str]:
    model = window.search.model
    row = model.row_of(article_id)
    return list(model.row_at(row).tags) if row >= 0 else []


def test_a_tag_change_refreshes_the_tag_pane_the_results_and_the_reader(qtbot, window, filled):
    _root, ids = filled
    open_article(qtbot, window, ids[1])
    qtbot.waitUntil(lambda: window.tags.tag_items() == {}, timeout=WAIT)
    article = window.archive.tag(ids[1], add=["baking/bread"])  # not through the window
    assert "baking/bread" not in window.tags.tag_items()  # nobody told the window yet

    window.changed.emit(Changes(articles=frozenset({ids[1]}), tags=True))  # no article carried
    qtbot.waitUntil(lambda: window.tags.tag_items().get("baking/bread") == 1, timeout=WAIT)
    qtbot.waitUntil(lambda: _row_tags(window, ids[1]) == ["baking/bread"], timeout=WAIT)
    qtbot.waitUntil(lambda: "#baking/bread" in window.reader.toPlainText(), timeout=WAIT)
    assert window.tags.article_tags.stringList() == ["baking/bread"]

    # A change that carries the article as written needs no read.
    article = window.archive.tag(ids[1], remove=["baking/bread"], add=["sourdough"])
    window.changed.emit(Changes.of_articles([article], tags=True))
    assert _row_tags(window, ids[1]) == ["sourdough"]
    assert window.tags.article_tags.stringList() == ["sourdough"]
    qtbot.waitUntil(lambda: "baking/bread" not in window.tags.tag_items(), timeout=WAIT)
    assert window.tags.tag_items().get("sourdough") == 1


def test_tagging_through_the_window_announces_it(qtbot, window, filled):
    _root, ids = filled
    open_article(qtbot, window, ids[0])
    with qtbot.waitSignal(window.changed, timeout=WAIT) as blocker:
        window.tag_open_article(add=["lighthouses"])
    changes = blocker.args[0]
    assert changes.articles == {ids[0]} and changes.tags and not changes.added
    qtbot.waitUntil(lambda: window.tags.tag_items().get("lighthouses") == 1, timeout=WAIT)
    assert _row_tags(window, ids[0]) == ["lighthouses"]


def test_a_save_adds_to_the_list(qtbot, window):
    result = window.archive.save_html(
        make_page("Kelp forests of the cold coast", "Sea otters keep the urchins down."),
        "https://news.example/kelp", download_images=False,
    )
    assert "Kelp forests of the cold coast" not in titles(window)
    with qtbot.waitSignal(window.library_refreshed, timeout=WAIT):
        window.changed.emit(Changes(added=frozenset({result.article.id})))
    qtbot.waitUntil(lambda: "Kelp forests of the cold coast" in titles(window), timeout=WAIT)
    assert window.search.model.total == len(PAGES) + 1
    qtbot.waitUntil(lambda: "(4)" in window.tags._state_items["All articles"].text(), timeout=WAIT)


def test_a_delete_leaves_the_list_and_the_reader(qtbot, window, filled):
    _root, ids = filled
    open_article(qtbot, window, ids[2])
    window.archive.delete(ids[2])
    window.changed.emit(Changes(deleted=frozenset({ids[2]})))
    assert "Tides of the northern marsh" not in titles(window)
    assert window.open_article_id is None
    assert "deleted" in window.reader.toPlainText()
    assert not window.act_fav.isEnabled()
    qtbot.waitUntil(lambda: "(2)" in window.tags._state_items["All articles"].text(), timeout=WAIT)


def test_a_reading_position_does_not_redraw_the_article(qtbot, window, filled):
    """A row change the header does not show (progress, read) keeps the document:
    redrawing a long article on every scroll save would stall the window."""
    _root, ids = filled
    open_article(qtbot, window, ids[0])
    document = window.reader.document()
    revision = document.revision()
    article = window.archive.set_state(ids[0], progress=0.5, is_read=True)
    window.changed.emit(Changes.of_articles([article], states=True))
    assert window.reader.content.article.is_read
    assert window.reader.document().revision() == revision


def test_changes_combine():
    a = Changes(articles=frozenset({"x", "y"}), tags=True)
    b = Changes(deleted=frozenset({"y"}), added=frozenset({"z"}))
    both = a | b
    assert both.articles == {"x"} and both.deleted == {"y"} and both.added == {"z"}
    assert both.tags and both.listing and both.counts and both.touches("y")
    assert not Changes() and not Changes().counts
