"""The window with odd data: tags with URL punctuation, titles that are empty,
huge or full of markup, right-to-left text, missing files, and switching
articles quickly. Real widgets offscreen, archives opened with fetch disabled."""

from __future__ import annotations

import html
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from tests.support import make_page
from PySide6.QtCore import QUrl

from app.gui.tag_pane import tag_query
from tests.support.gui import WAIT, make_window, open_article

ODD_TAGS = ["c#", "what?", "50%", 'q"uote', "a/b", "x y"]


HTML_TITLE = "<b>Bold</b> <img src=x> <i>it</i>"
HTML_TAG = "<b>loud</b>"


@pytest.fixture
def odd(tmp_path):
    """A closed archive with articles carrying odd data; {key: id}."""
    from archive import Archive

    root = tmp_path / "odd"
    ids: dict[str, str] = {}
    with Archive(root, seed=False, fetch=False) as a:
        def save(key: str, title: str, body: str, tags=(), shown_title: str | None = None):
            art = a.save_html(make_page(title, body), f"https://odd.example/{key}",
                              download_images=False, tags=list(tags)).article
            if shown_title is not None:
                art.title = shown_title
                art = a.update(art)
            ids[key] = art.id

        save("tags", "Tagged oddly", "Herons in the marsh.", ODD_TAGS)
        save("plain", "A plain article", "Nothing odd about the marsh here.")
        paragraph = " ".join(f"Sentence {i} about the northern marsh and its herons." for i in range(20))
        save("long", "A very long article", "</p><p>".join([paragraph] * 60))
        save("huge", "x", "The first line of a huge-titled article.", shown_title="Long " * 1000)
        save("untitled", "x", "An article without a title.", shown_title="")
        save("rtl", "مقالة عربية", "هذا نص عربي عن المستنقعات والطيور المهاجرة.", ["عربي"])
        page = tmp_path / "saved-page.html"  # saved from disk: no address, the title is the tooltip
        page.write_text(make_page(html.escape(HTML_TITLE), "A page saved from disk."), encoding="utf-8")
        art = a.save_file(page, tags=[HTML_TAG]).article
        assert art.url is None and art.title == HTML_TITLE
        ids["markup"] = art.id
        save("gone", "Its file was deleted", "The egrets nest in the reed beds.")
        (a.article_dir(ids["gone"]) / "article.html").unlink()
    return root, ids


@pytest.fixture
def odd_window(qtbot, odd, tmp_path):
    root, ids = odd
    w = make_window(qtbot, root, tmp_path)
    yield w, ids
    w.close()


def _anchors(reader) -> list[str]:
    """Every link href in the reader's document, in order."""
    hrefs = []
    block = reader.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isAnchor() and fmt.anchorHref():
                hrefs.append(fmt.anchorHref())
            it += 1
        block = block.next()
    return hrefs


def test_tag_links_in_the_header_keep_hash_question_mark_and_percent(qtbot, odd_window):
    window, ids = odd_window
    open_article(qtbot, window, ids["tags"])
    tag_links = [h for h in _anchors(window.reader) if h.startswith("quire-tag:")]
    assert len(tag_links) == len(ODD_TAGS)
    clicked: list[str] = []
    window.reader.tag_clicked.connect(clicked.append)
    for href in tag_links:
        window.reader.anchorClicked.emit(QUrl(href))
    assert sorted(clicked) == sorted(ODD_TAGS)
    # and the search it starts finds the article ('c#' used to search tag:c)
    assert window.search.query.text() == tag_query(clicked[-1])
    window.reader.anchorClicked.emit(QUrl(next(h for h in tag_links if "c%23" in h)))
    qtbot.waitUntil(lambda: window.search.query_text == tag_query("c#"), timeout=WAIT)
    qtbot.waitUntil(lambda: window.search.model.rowCount() == 1, timeout=WAIT)
    assert window.search.model.row_at(0).id == ids["tags"]


def test_a_position_scrolled_to_just_before_opening_another_article_is_kept(qtbot, odd_window):
    window, ids = odd_window
    open_article(qtbot, window, ids["long"])
    bar = window.reader.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 1000 and not window.reader._restoring, timeout=WAIT)
    bar.setValue(bar.maximum() // 2)
    # another article opens before the position's debounce ran out
    open_article(qtbot, window, ids["plain"])
    qtbot.waitUntil(lambda: window.archive.get(ids["long"]).progress > 0.4, timeout=WAIT)
    assert window.archive.get(ids["plain"]).progress == 0.0  # not given the long one's position
    assert not window.reader._progress_timer.isActive()


def test_a_position_scrolled_to_just_before_closing_is_kept(qtbot, odd, tmp_path):
    from archive import Archive

    root, ids = odd
    window = make_window(qtbot, root, tmp_path)
    open_article(qtbot, window, ids["long"])
    bar = window.reader.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 1000 and not window.reader._restoring, timeout=WAIT)
    bar.setValue(bar.maximum() // 2)
    window.close()
    assert window.wait_closed(60)  # the last write finishes on the closing thread
    with Archive(root, seed=False, fetch=False) as a:
        assert a.get(ids["long"]).progress > 0.4


def test_an_article_whose_file_was_deleted_says_so_and_shows_the_indexed_text(qtbot, odd_window):
    window, ids = odd_window
    open_article(qtbot, window, ids["gone"])
    text = window.reader.toPlainText()
    assert "article.html) is missing" in text
    assert "The egrets nest in the reed beds." in text  # the text the index kept
    assert "Re-extract" in text and not window.last_error
    # re-extracting from the saved original brings the article back
    window.search.view.clearSelection()
    with qtbot.waitSignal(window.reextracted, timeout=WAIT * 2):
        window.act_reextract.trigger()
    qtbot.waitUntil(lambda: "is missing" not in window.reader.toPlainText(), timeout=WAIT)
    assert "The egrets nest in the reed beds." in window.reader.toPlainText()


def test_a_5000_character_title_leaves_the_article_on_screen(qtbot, odd_window):
    window, ids = odd_window
    open_article(qtbot, window, ids["huge"])
    reader = window.reader
    heading = reader.document().begin().text()
    assert heading.startswith("Long Long") and heading.endswith("\u2026") and len(heading) < 400
    cursor = reader.document().find("The first line of a huge-titled article.")
    assert not cursor.isNull()
    qtbot.waitUntil(lambda: not reader._restoring, timeout=WAIT)
    assert reader.cursorRect(cursor).bottom() < reader.viewport().height()  # visible at once
    assert len(window.windowTitle()) < 200 and window.windowTitle().endswith("— Quire")
    open_article(qtbot, window, ids["untitled"])
    assert window.windowTitle() == "(untitled) — Quire"
    assert reader.document().begin().text() == "(untitled)"


def test_right_to_left_paragraphs_read_right_to_left(qtbot, odd_window):
    from PySide6.QtCore import Qt

    window, ids = odd_window
    open_article(qtbot, window, ids["rtl"])
    directions = {}
    block = window.reader.document().begin()
    while block.isValid():
        directions[block.text()] = block.textDirection()
        block = block.next()
    arabic = next(t for t in directions if t.startswith("هذا نص عربي"))
    english = next(t for t in directions if t.startswith("Researchers at the harbour"))
    assert directions[arabic] == Qt.LayoutDirection.RightToLeft
    assert directions[english] == Qt.LayoutDirection.LeftToRight
    assert directions["مقالة عربية"] == Qt.LayoutDirection.RightToLeft


def _count_is_right_of_name(text: str) -> bool:
    """Laid out as the tree draws it (direction from the text), is '(n)' to
    the right of the name?"""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QFont, QTextLayout, QTextOption

    layout = QTextLayout(text, QFont())
    option = QTextOption()
    option.setTextDirection(Qt.LayoutDirection.LayoutDirectionAuto)
    layout.setTextOption(option)
    layout.beginLayout()
    line = layout.createLine()
    layout.endLayout()
    count_at = text.rindex("(")
    name_at = next(i for i, ch in enumerate(text) if ch.isalpha())
    return line.cursorToX(count_at)[0] > line.cursorToX(name_at)[0]


def test_right_to_left_tag_names_keep_their_count_after_them(qtbot):
    from app.gui.tag_pane import TagPane

    pane = TagPane()
    qtbot.addWidget(pane)
    pane.set_tags([("عربي", 3), ("עברית/ספרים", 2), ("plain", 1)])
    pane.set_facets({"tag": [("عربي", 3)], "site": [("موقع.example", 2)]})
    pane.set_collections([("قراءة", 4)])
    texts = []
    stack = [pane.model.item(r) for r in range(pane.model.rowCount())]
    while stack:
        item = stack.pop()
        if "(" in item.text():
            texts.append(item.text())
        stack.extend(item.child(r) for r in range(item.rowCount()))
    assert len(texts) == 7  # tags (one with a child), facets, a collection
    assert all(_count_is_right_of_name(t) for t in texts), texts
    assert pane.tag_items() == {"عربي": 3, "עברית": 2, "עברית/ספרים": 2, "plain": 1}


def _as_shown(text: str) -> str:
    """What a Qt widget that guesses the text format (tooltip, message box,
    label) shows for `text`."""
    from PySide6.QtGui import QTextDocument, Qt

    if not Qt.mightBeRichText(text):
        return text
    doc = QTextDocument()
    doc.setHtml(text)
    return doc.toPlainText()


def test_titles_and_tags_with_markup_are_shown_as_text_in_tooltips_and_dialogs(qtbot, odd_window):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QInputDialog, QMessageBox

    from app.gui.tag_pane import TagRole

    window, ids = odd_window
    model = window.search.model
    row = model.row_of(ids["markup"])
    assert row >= 0
    tip = model.index(row).data(Qt.ItemDataRole.ToolTipRole)
    assert _as_shown(tip) == HTML_TITLE  # not a bold word and a picture
    qtbot.waitUntil(lambda: HTML_TAG in window.tags.tag_items(), timeout=WAIT)
    stack = [window.tags.model.item(r) for r in range(window.tags.model.rowCount())]
    items = []
    while stack:
        item = stack.pop()
        items.append(item)
        stack.extend(item.child(r) for r in range(item.rowCount()))
    item = next(i for i in items if i.data(TagRole) == HTML_TAG)
    assert _as_shown(item.toolTip()) == HTML_TAG
    window.confirm_delete_tag(HTML_TAG, 1)
    box = [b for b in window.findChildren(QMessageBox) if b.objectName() == "confirmDeleteTag"][-1]
    assert f"“{HTML_TAG}”" in _as_shown(box.text())
    box.reject()
    window.tags.ask_rename(HTML_TAG)
    dialog = [d for d in window.tags.findChildren(QInputDialog)
              if d.objectName() == "renameTagDialog"][-1]
    assert f"“{HTML_TAG}”" in _as_shown(dialog.labelText())
    dialog.reject()
    box = window.show_error(f"Saving {HTML_TITLE}", ValueError(HTML_TAG))
    assert HTML_TITLE in _as_shown(box.text()) and HTML_TAG in _as_shown(box.informativeText())
    box.close()


def test_export_dialog_format_change_keeps_folders_and_empty_paths(qtbot, odd_window, tmp_path):
    from app.gui.transfer import ExportDialog

    window, _ids = odd_window
    folder = tmp_path / "exports"
    folder.mkdir()
    cases = {
        "": "",  # raised ValueError from the slot
        "~/": "~/quire-export.zip",  # was '~.zip', a file named '~' beside the cwd
        str(folder): str(folder / "quire-export.zip"),  # was 'exports.zip' beside it
        str(tmp_path / "mine.epub"): str(tmp_path / "mine.zip"),
    }
    for typed, expected in cases.items():
        dialog = ExportDialog([], "", window)
        qtbot.addWidget(dialog)
        dialog.path.setText(typed)
        dialog.format.setCurrentIndex(dialog.format.findData("html"))
        assert dialog.path.text() == expected, typed


def test_holding_down_through_the_results_loads_only_the_article_landed_on(
        qtbot, odd_window, monkeypatch):
    import threading

    import app.gui.main_window as main_window
    from app.gui.ops import Op

    window, ids = odd_window
    loaded: list[str] = []
    real = main_window.load_article_content

    def counting(archive, article_id):
        loaded.append(article_id)
        return real(archive, article_id)

    monkeypatch.setattr(main_window, "load_article_content", counting)
    # the one reading thread is busy while the user moves through 20 rows
    gate = threading.Event()
    busy = Op(lambda _ctx: gate.wait(WAIT / 1000), parent=window).start(window.read_pool)
    order = [ids["plain"], ids["tags"], ids["long"], ids["rtl"]] * 5
    for article_id in order:
        window.open_article(article_id)
    gate.set()
    qtbot.waitUntil(lambda: busy.done, timeout=WAIT)
    qtbot.waitUntil(lambda: window.open_article_id == order[-1], timeout=WAIT)
    assert loaded == [order[-1]]


def test_find_status_does_not_carry_over_to_the_next_article(qtbot, odd_window):
    window, ids = odd_window
    open_article(qtbot, window, ids["plain"])
    window.act_find.trigger()
    qtbot.keyClicks(window.find_bar.edit, "egrets")
    assert not window.find_bar.find(False)
    assert window.find_bar.status.text() == "Not found"
    open_article(qtbot, window, ids["gone"])  # an article that has the word
    assert window.find_bar.status.text() == ""
    assert window.find_bar.find(False) and window.find_bar.status.text() == ""
