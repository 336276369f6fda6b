"""The GUI driven as a user would: real widgets (offscreen), a real archive in
tmp_path, real worker threads. No dialogs block: the window opens them
non-modally and the tests click them."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import pytest
from tests.support import make_page
from PySide6.QtCore import QMimeData, QModelIndex, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QDropEvent, QImage
from PySide6.QtWidgets import QMessageBox

from app.gui.main_window import MainWindow
from app.gui.reader import ReaderView, load_article_content
from app.gui.tag_pane import build_tag_tree
from tests.support.gui import WAIT, make_window, open_article, titles

def test_type_query_open_article_add_tag_and_filter_by_it(qtbot, window):
    window.search.query.clear()
    qtbot.keyClicks(window.search.query, "yeast")
    qtbot.waitUntil(lambda: titles(window) == ["Sourdough starters and wild yeast"], timeout=WAIT)
    assert "1 article" in window.search.count_label.text()

    # Down goes from the query box into the results and opens the first one.
    with qtbot.waitSignal(window.article_shown, timeout=WAIT):
        qtbot.keyClick(window.search.query, Qt.Key.Key_Down)
    assert "colonised by wild yeast" in window.reader.toPlainText()
    assert "Sourdough starters" in window.reader.toPlainText()  # the header

    qtbot.keyClicks(window.tags.tag_input, "baking/bread")
    qtbot.keyClick(window.tags.tag_input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.tags.tag_items().get("baking/bread") == 1, timeout=WAIT)
    assert window.tags.article_tags.stringList() == ["baking/bread"]
    assert window.tags.tag_items().get("baking") == 1  # the parent of the hierarchy
    assert window.archive.get(window.open_article_id).tags == ["baking/bread"]
    assert "#baking/bread" in window.reader.toPlainText()

    # Clicking the tag in the tree filters the results by it.
    item = next(i for i in _all_items(window.tags.model) if i.toolTip() == "baking/bread")
    window.tags.tree.clicked.emit(item.index())
    qtbot.waitUntil(lambda: window.search.query.text() == "tag:baking/bread", timeout=WAIT)
    qtbot.waitUntil(lambda: titles(window) == ["Sourdough starters and wild yeast"], timeout=WAIT)

    # Remove it again from the open article.
    window.tags.article_list.selectAll()
    window.tags.remove_button.click()
    qtbot.waitUntil(lambda: "baking/bread" not in window.tags.tag_items(), timeout=WAIT)
    assert window.archive.get(window.open_article_id).tags == []


def _all_items(model):
    stack = [model.item(r) for r in range(model.rowCount())]
    while stack:
        item = stack.pop()
        yield item
        stack.extend(item.child(r) for r in range(item.rowCount()))


def test_stale_search_results_are_dropped(qtbot, window):
    shown: list[str] = []
    window.search.searched.connect(lambda q, _n: shown.append(q))
    window.search.query.blockSignals(True)
    window.search.query.setText("lighthouse")
    window.search.search_now()
    window.search.query.setText("herons")
    window.search.search_now()
    window.search.query.blockSignals(False)
    qtbot.waitUntil(lambda: shown == ["herons"], timeout=WAIT)
    qtbot.wait(200)
    assert shown == ["herons"]  # the 'lighthouse' page arrived first and was dropped
    assert titles(window) == ["Tides of the northern marsh"]


def test_typing_is_debounced_into_one_search(qtbot, window):
    shown: list[str] = []
    window.search.searched.connect(lambda q, _n: shown.append(q))
    generation = window.search.generation
    qtbot.keyClicks(window.search.query, "keepers")
    qtbot.waitUntil(lambda: shown == ["keepers"], timeout=WAIT)
    assert window.search.generation == generation + 1
    assert titles(window) == ["The lighthouse keepers of Skerryvore"]


def test_keyboard_navigation(qtbot, window):
    qtbot.keyClicks(window.search.query, "zzzz")
    window.act_search.trigger()  # Ctrl+F
    assert window.search.query.hasFocus()
    qtbot.keyClick(window.search.query, Qt.Key.Key_Escape)
    assert window.search.query.text() == ""
    qtbot.waitUntil(lambda: len(titles(window)) == 3, timeout=WAIT)
    with qtbot.waitSignal(window.article_shown, timeout=WAIT):
        qtbot.keyClick(window.search.query, Qt.Key.Key_Down)
    first = window.open_article_id
    with qtbot.waitSignal(window.article_shown, timeout=WAIT):
        qtbot.keyClick(window.search.view, Qt.Key.Key_Down)
    assert window.open_article_id != first
    qtbot.keyClick(window.search.view, Qt.Key.Key_Escape)
    assert window.search.query.hasFocus()


def test_save_a_file_and_report_failures(qtbot, window, tmp_path):
    page = tmp_path / "saved page.html"
    page.write_text(
        make_page("Glaciers retreat across the valley", "Ice cores show the melt."),
        encoding="utf-8",
    )
    with qtbot.waitSignal(window.saved, timeout=WAIT) as blocker:
        window.save_items([str(page)])
    summary = blocker.args[0]
    assert [a.title for a in summary.saved] == ["Glaciers retreat across the valley"]
    qtbot.waitUntil(lambda: "Glaciers retreat across the valley" in titles(window), timeout=WAIT)
    qtbot.waitUntil(lambda: window.open_article_id == summary.saved[0].id, timeout=WAIT)

    missing = tmp_path / "gone.html"
    with qtbot.waitSignal(window.saved, timeout=WAIT) as blocker:
        window.save_items([str(missing), "not a thing"])
    assert [item for item, _why in blocker.args[0].failed] == [str(missing), "not a thing"]
    assert str(missing) in window.last_error and "no such file" in window.last_error
    assert "not a web address" in window.last_error
    boxes = [w for w in window.findChildren(QMessageBox) if w.objectName() == "errorBox"]
    assert boxes and boxes[-1].isVisible()

    # Retry offers the failed items again: this time the file is there.
    missing.write_text(make_page("Found on the second try", "Retry works."), encoding="utf-8")
    retry = next(b for b in boxes[-1].buttons() if b.text() == "Retry")
    with qtbot.waitSignal(window.saved, timeout=WAIT) as blocker:
        retry.click()
    assert [a.title for a in blocker.args[0].saved] == ["Found on the second try"]
    assert [item for item, _why in blocker.args[0].failed] == ["not a thing"]


def test_saving_a_url_that_fails_names_it(qtbot, filled, tmp_path, httpserver):
    httpserver.expect_request("/gone").respond_with_data("nope", status=404)
    from archive import Archive

    root, _ids = filled
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(root, settings, seed=False, fetch=True)
    qtbot.addWidget(w)
    qtbot.waitUntil(lambda: isinstance(w.archive, Archive), timeout=WAIT)
    url = httpserver.url_for("/gone")
    with qtbot.waitSignal(w.saved, timeout=WAIT) as blocker:
        w.save_items([url])
    assert blocker.args[0].failed and url in w.last_error and "404" in w.last_error
    w.close()


def _row_ids(window) -> list[str]:
    return [window.search.model.row_at(r).id for r in range(window.search.model.rowCount())]


def _confirm_delete(window, button: str) -> None:
    box = [w for w in window.findChildren(QMessageBox) if w.objectName() == "confirmDelete"][-1]
    next(b for b in box.buttons() if b.text() == button).click()


def test_delete_asks_first_can_be_undone_then_deletes(qtbot, window):
    from archive.base.errors import NotFoundError

    window.search.view.setCurrentIndex(window.search.model.index(0))
    doomed = window.search.current_id()
    window.act_delete.trigger()
    _confirm_delete(window, "Cancel")
    qtbot.wait(50)
    assert doomed in _row_ids(window) and not window.undo_box.isVisible()

    window.act_delete.trigger()
    _confirm_delete(window, "Delete")
    assert doomed not in _row_ids(window) and window.undo_box.isVisible()
    window.undo_button.click()
    qtbot.waitUntil(lambda: doomed in _row_ids(window), timeout=WAIT)
    assert window.archive.get(doomed)  # nothing was removed on disk

    window.search.view.setCurrentIndex(
        window.search.model.index(window.search.model.row_of(doomed))
    )
    window.act_delete.trigger()
    _confirm_delete(window, "Delete")
    window.search.refresh()  # a search while the undo is pending keeps it hidden
    qtbot.waitUntil(lambda: len(_row_ids(window)) == 2, timeout=WAIT)
    assert doomed not in _row_ids(window)
    window._delete_timer.timeout.emit()  # the undo period ends

    def gone() -> bool:
        try:
            window.archive.get(doomed)
        except NotFoundError:
            return True
        return False

    qtbot.waitUntil(gone, timeout=WAIT)
    assert not window.undo_box.isVisible()


def test_closing_the_window_ends_the_undo_period(qtbot, filled, tmp_path):
    from archive import Archive
    from archive.base.errors import NotFoundError

    root, ids = filled
    w = make_window(qtbot, root, tmp_path, "close.ini")
    w.delete_with_undo([ids[0]])
    w.close()
    assert w.wait_closed(60)  # the deletion finishes on the closing thread
    with Archive(root, seed=False, fetch=False) as a, pytest.raises(NotFoundError):
        a.get(ids[0])


def test_reading_to_the_end_marks_read_and_remembers_progress(qtbot, window, filled):
    _root, ids = filled
    window.resize(900, 260)  # a short reader: the article must scroll
    open_article(qtbot, window, ids[0])
    bar = window.reader.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and not window.reader._restoring, timeout=WAIT)
    assert not window.archive.get(ids[0]).is_read
    bar.setValue(bar.maximum())
    qtbot.waitUntil(lambda: window.archive.get(ids[0]).is_read, timeout=WAIT)
    assert window.archive.get(ids[0]).progress >= 0.98
    row = window.search.model.row_of(ids[0])
    qtbot.waitUntil(lambda: window.search.model.row_at(row).is_read, timeout=WAIT)


def test_favourite_toggle_and_state_counts(qtbot, window, filled):
    _root, ids = filled
    open_article(qtbot, window, ids[1])
    window.act_fav.trigger()
    qtbot.waitUntil(lambda: window.archive.get(ids[1]).is_favorite, timeout=WAIT)
    qtbot.waitUntil(
        lambda: window.tags._state_items["Favourites"].data(Qt.ItemDataRole.UserRole + 2) == 1,
        timeout=WAIT,
    )
    assert window.act_fav.iconText().startswith("★")


def test_theme_and_layout_are_remembered(qtbot, filled, tmp_path):
    root, _ids = filled
    w = make_window(qtbot, root, tmp_path, "remember.ini")
    w.set_theme("dark")
    w.change_font_size(+2)
    w.splitter.setSizes([300, 700, 200])
    sizes = w.splitter.sizes()
    size = w.reading.font_size
    w.close()
    w2 = make_window(qtbot, root, tmp_path, "remember.ini")
    assert w2.reading.theme == "dark" and w2.reading.font_size == size
    assert w2.reader.palette().color(w2.reader.backgroundRole()).lightness() < 100
    assert w2.splitter.sizes() == sizes
    w2.close()


def test_drop_and_paste_urls_and_files(qtbot, window, tmp_path):
    page = tmp_path / "dropped.html"
    page.write_text(
        make_page("Dropped into the window", "Dragging files saves them."), encoding="utf-8"
    )
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(page)), QUrl.fromLocalFile(str(tmp_path / "notes.txt"))])
    assert window._dropped_items(mime) == [str(page)]
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(window.saved, timeout=WAIT) as blocker:
        window.dropEvent(event)
    assert [a.title for a in blocker.args[0].saved] == ["Dropped into the window"]
    text = QMimeData()
    text.setText("see https://a.example/x and https://b.example/y")
    assert window._dropped_items(text) == []  # prose with links is not a list of links
    text.setText("https://a.example/x https://b.example/y")
    assert window._dropped_items(text) == ["https://a.example/x", "https://b.example/y"]


def test_search_terms_highlighted_in_reader(qtbot, window, filled):
    _root, ids = filled
    window.search.set_query("herons")
    qtbot.waitUntil(lambda: titles(window) == ["Tides of the northern marsh"], timeout=WAIT)
    with qtbot.waitSignal(window.highlighted, timeout=WAIT):
        window.open_article(ids[2])
    marked = [s.cursor.selectedText().lower() for s in window.reader.extraSelections()]
    assert marked and all(m == "herons" for m in marked)
    assert "Tides of the northern marsh" not in marked  # the header is not searched

    # The index's matching decides: a stemmed query marks the word forms it found.
    with qtbot.waitSignal(window.highlighted, timeout=WAIT):
        window.search.set_query("heron")
    marked = [s.cursor.selectedText().lower() for s in window.reader.extraSelections()]
    assert marked and all(m == "herons" for m in marked)
    # The marks made at once come from the core's query parser and analyser: field
    # filters, operators and negated words name no text in the article.
    from archive.search.snippets import highlight_for
    from archive.search.query import parse_query

    quick = highlight_for(None, parse_query('tag:x "exact phrase" -skip word* is:unread OR other').query)
    assert quick.phrases == (("exact", "phrase"),) and quick.terms == {"other"}


def test_find_in_article(qtbot, window, filled):
    _root, ids = filled
    open_article(qtbot, window, ids[0])
    window.act_find.trigger()
    assert window.find_bar.isVisible()
    qtbot.keyClicks(window.find_bar.edit, "lamp wicks")
    qtbot.keyClick(window.find_bar.edit, Qt.Key.Key_Return)
    assert window.reader.textCursor().selectedText() == "lamp wicks"
    window.find_bar.edit.setText("no such words here")
    assert window.find_bar.find(False) is False and window.find_bar.status.text() == "Not found"


def test_reader_loads_only_files_inside_the_article_folder(qtbot, filled, tmp_path, httpserver):
    """Every resource the view asks for is recorded; only the local image loads,
    and the local server sees no request at all."""
    from archive import Archive

    root, ids = filled
    outside = tmp_path / "outside.png"
    _png(outside)
    with Archive(root, seed=False, fetch=False) as a:
        folder = a.article_dir(ids[0])
        (folder / "images").mkdir(exist_ok=True)
        _png(folder / "images" / "local.png")
        remote = httpserver.url_for("/remote.png")
        doc = (folder / "article.html").read_text(encoding="utf-8")
        doc = doc.replace(
            "</article>",
            f'<p><img src="images/local.png"><img src="{remote}"><img src="../../../outside.png">'
            f'<img src="file://{outside}"><img src="//127.0.0.1:{httpserver.port}/proto.png"></p></article>',
        )
        (folder / "article.html").write_text(doc, encoding="utf-8")
        content = load_article_content(a, ids[0])
    assert set(content.images) == {"images/local.png"}
    reader = ReaderView()
    qtbot.addWidget(reader)
    reader.resize(600, 400)
    reader.show()
    reader.show_content(content)
    qtbot.wait(100)
    asked = {u.toString() for u in reader.requested_resources}
    assert "images/local.png" in asked and remote in asked  # the remote one was asked for ...
    loaded = {u: reader.loadResource(2, QUrl(u)) for u in asked}
    assert isinstance(loaded["images/local.png"], QImage)
    assert all(v is None for u, v in loaded.items() if u != "images/local.png")  # ... and refused
    assert httpserver.log == []


def _png(path: Path) -> None:
    image = QImage(8, 8, QImage.Format.Format_RGB32)
    image.fill(0x3366CC)
    assert image.save(str(path))


def test_results_model_passes_qtmodeltester(qtmodeltester, window):
    qtmodeltester.check(window.search.model)
    qtmodeltester.check(window.tags.model)


def test_tag_tree_nests_hierarchical_names():
    tree = build_tag_tree([("topic/a", 2), ("topic/b", 1), ("zebra", 4), ("Apple", 1)])
    assert [(label, count) for label, _full, count, _c in tree] == [
        ("Apple", 1),
        ("topic", 3),
        ("zebra", 4),
    ]
    topic = tree[1]
    assert [(label, full, count) for label, full, count, _c in topic[3]] == [
        ("a", "topic/a", 2),
        ("b", "topic/b", 1),
    ]


def test_reader_without_content_loads_nothing(qtbot):
    reader = ReaderView()
    qtbot.addWidget(reader)
    assert reader.loadResource(2, QUrl("file:///etc/hostname")) is None
    assert reader.requested_resources == [QUrl("file:///etc/hostname")]


def test_results_load_lazily_page_by_page(qtbot, window, monkeypatch):
    """The model holds one page; the view asks for the next (fetchMore) as it fills."""
    from app.gui import search_pane

    monkeypatch.setattr(search_pane, "PAGE", 2)
    model = window.search.model
    asked: list[int] = []
    model.more_wanted.connect(asked.append)
    with qtbot.waitSignal(window.search.searched, timeout=WAIT):
        window.search.set_query("")
    qtbot.waitUntil(lambda: model.rowCount() == 3, timeout=WAIT)
    assert asked == [2]  # one further page, starting after the first two rows
    assert model.total == 3 and "3 articles" in window.search.count_label.text()
    assert len({model.row_at(r).id for r in range(3)}) == 3
    assert not model.canFetchMore(QModelIndex())


def test_an_import_that_fills_waiting_articles_refreshes_the_list(qtbot, window, tmp_path):
    """A wallabag export with the content of an address that was waiting to be fetched
    fills that article in: the window shows it and counts one fewer pending."""
    import json

    urls = tmp_path / "reading-list.txt"
    urls.write_text("https://blog.example/kelp\nhttps://blog.example/other\n", encoding="utf-8")
    with qtbot.waitSignal(window.imported, timeout=WAIT):
        window.import_path(str(urls))
    pending = window.tags._state_items["Pending"]
    qtbot.waitUntil(lambda: pending.data(Qt.ItemDataRole.UserRole + 2) == 2, timeout=WAIT)
    export = tmp_path / "wallabag.json"
    export.write_text(json.dumps([{
        "url": "https://blog.example/kelp", "title": "Kelp forests at dusk",
        "content": "<p>" + "Kelp forests sway in the swell while otters sleep. " * 20 + "</p>",
        "tags": [], "is_archived": 0, "is_starred": 0}]), encoding="utf-8")
    with qtbot.waitSignal(window.imported, timeout=WAIT) as blocker:
        window.import_path(str(export))
    assert blocker.args[0].updated == 1 and blocker.args[0].added == 0
    assert "filled in" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: pending.data(Qt.ItemDataRole.UserRole + 2) == 1, timeout=WAIT)
    window.search.set_query("otters")
    qtbot.waitUntil(lambda: titles(window) == ["Kelp forests at dusk"], timeout=WAIT)


def test_import_a_file_then_export_the_selection(qtbot, window, tmp_path):
    urls = tmp_path / "reading-list.txt"
    urls.write_text("https://blog.example/one\nhttps://blog.example/two\n", encoding="utf-8")
    with qtbot.waitSignal(window.imported, timeout=WAIT) as blocker:
        window.import_path(str(urls))
    report = blocker.args[0]
    assert report.pending == 2  # this window does not fetch: kept to fetch later
    qtbot.waitUntil(
        lambda: window.tags._state_items["Pending"].data(Qt.ItemDataRole.UserRole + 2) == 2,
        timeout=WAIT,
    )

    from app.gui.transfer import ExportRequest

    window.search.set_query("yeast")
    qtbot.waitUntil(lambda: titles(window) == ["Sourdough starters and wild yeast"], timeout=WAIT)
    window.search.view.selectAll()
    out = tmp_path / "out.json"
    request = ExportRequest(
        fmt="json", scope="selected", path=str(out), selected=window.search.selected_ids()
    )
    with qtbot.waitSignal(window.exported, timeout=WAIT) as blocker:
        window.export(request)
    assert blocker.args[0].exported == 1
    assert "Sourdough starters and wild yeast" in out.read_text(encoding="utf-8")


def test_enter_right_after_typing_opens_the_new_first_hit(qtbot, window):
    qtbot.keyClicks(window.search.query, "herons")
    with qtbot.waitSignal(window.article_shown, timeout=WAIT) as blocker:
        qtbot.keyClick(window.search.query, Qt.Key.Key_Return)  # before the debounce fired
    assert window.archive.get(blocker.args[0]).title == "Tides of the northern marsh"


def test_bulk_state_and_tags_on_a_multi_selection(qtbot, window, filled):
    _root, ids = filled
    window.search.view.selectAll()
    assert sorted(window.search.selected_ids()) == sorted(ids)
    window._bulk(window.search.selected_ids(), "Tagging", add=["later"])
    qtbot.waitUntil(lambda: window.tags.tag_items().get("later") == 3, timeout=WAIT)
    window.search.view.selectAll()
    window.toggle_favorite()
    qtbot.waitUntil(lambda: all(window.archive.get(i).is_favorite for i in ids), timeout=WAIT)
    window.search.view.selectAll()
    window.set_selected_state(is_read=True)
    qtbot.waitUntil(
        lambda: all(window.search.model.row_at(r).is_read for r in range(3)), timeout=WAIT
    )
    qtbot.waitUntil(
        lambda: window.tags._state_items["Unread"].data(Qt.ItemDataRole.UserRole + 2) == 0,
        timeout=WAIT,
    )


def test_rename_merge_and_delete_tags_from_the_tag_pane(qtbot, window, filled):
    _root, ids = filled
    window._bulk(ids[:2], "Tagging", add=["topic/a"])
    window._bulk(ids[2:], "Tagging", add=["other"])
    qtbot.waitUntil(lambda: window.tags.tag_items().get("topic/a") == 2, timeout=WAIT)
    with qtbot.waitSignal(window.library_refreshed, timeout=WAIT):
        window.rename_tag("topic", "subject")  # the parent renames its children
    qtbot.waitUntil(lambda: window.tags.tag_items().get("subject/a") == 2, timeout=WAIT)
    assert "topic/a" not in window.tags.tag_items()
    window.tags.rename_requested.emit("other", "subject/a")  # a drop of one tag on another: merge
    qtbot.waitUntil(lambda: window.tags.tag_items().get("subject/a") == 3, timeout=WAIT)
    assert "other" not in window.tags.tag_items()
    window.confirm_delete_tag("subject/a", 3)
    box = [w for w in window.findChildren(QMessageBox) if w.objectName() == "confirmDeleteTag"][-1]
    assert "3 articles" in box.text()
    next(b for b in box.buttons() if b.text() == "Remove tag").click()
    qtbot.waitUntil(lambda: "subject/a" not in window.tags.tag_items(), timeout=WAIT)
    assert all(window.archive.get(i).tags == [] for i in ids)


def test_pending_article_offers_fetch_again(qtbot, filled, tmp_path, httpserver):
    page = make_page("Fetched at last", "The second attempt worked.")
    httpserver.expect_request("/later").respond_with_data(page, content_type="text/html")
    url = httpserver.url_for("/later")
    root, _ids = filled
    from archive import Archive

    with Archive(root, seed=False, fetch=False) as a:
        pending = a.add_pending(url, title="Not yet", error="timed out").article
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(root, settings, seed=False, fetch=True)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.archive is not None, timeout=WAIT)
    open_article(qtbot, window, pending.id)
    assert "not saved yet: timed out" in window.reader.toPlainText()
    with qtbot.waitSignal(window.article_shown, timeout=WAIT * 2):
        window.reader.anchorClicked.emit(QUrl(f"quire-retry:{pending.id}"))
    assert window.archive.get(pending.id).status == "saved"
    assert "The second attempt worked." in window.reader.toPlainText()
    window.close()


def test_highlight_pattern_follows_stems_not_longer_words():
    """The reader marks words with the index's own stemmer (word_match_spans), not a
    copy of it."""
    from archive.search.engine import word_match_spans

    def whole(term: str, text: str) -> bool:
        return word_match_spans(term, text) == [(0, len(text))]

    assert all(whole("space", t) for t in ("space", "Spaces", "spacing"))
    assert not whole("space", "spacecraft")
    assert whole("reading", "reads") and not whole("reading", "ready")
    assert whole("study", "studies") and not whole("study", "student")


def test_search_help_popover_and_pane_shortcuts(qtbot, window):
    window.act_help.trigger()
    popup = window.search._help
    assert popup.isVisible() and "exact phrase" in popup.toPlainText()
    popup.close()
    window.act_focus_tags.trigger()
    assert window.tags.tree.hasFocus()
    window.act_focus_results.trigger()
    assert window.search.view.hasFocus()


def test_every_input_and_list_has_an_accessible_name(window):
    from PySide6.QtWidgets import QAbstractItemView, QComboBox, QLineEdit, QTextEdit

    widgets = [
        w
        for cls in (QLineEdit, QAbstractItemView, QComboBox, QTextEdit)
        for w in window.findChildren(cls)
    ]
    widgets = [
        w for w in widgets if w.isVisibleTo(window) and not isinstance(w.parent(), QComboBox)
    ]
    unnamed = [w for w in widgets if not w.accessibleName()]
    assert len(widgets) >= 6 and not unnamed, [type(w).__name__ for w in unnamed]


def test_paste_a_url_outside_a_text_box_saves_it(qtbot, filled, tmp_path, httpserver):
    from PySide6.QtGui import QGuiApplication

    httpserver.expect_request("/pasted").respond_with_data(
        make_page("Pasted from the clipboard", "Ctrl+V saves a link."), content_type="text/html"
    )
    root, _ids = filled
    settings = QSettings(str(tmp_path / "paste.ini"), QSettings.Format.IniFormat)
    w = MainWindow(root, settings, seed=False, fetch=True)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.archive is not None and w.search.model.rowCount() == 3, timeout=WAIT)
    QGuiApplication.clipboard().setText(httpserver.url_for("/pasted"))
    w.search.view.setFocus()
    with qtbot.waitSignal(w.saved, timeout=WAIT * 2) as blocker:
        qtbot.keyClick(w.search.view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert [a.title for a in blocker.args[0].saved] == ["Pasted from the clipboard"]
    qtbot.waitUntil(lambda: "Pasted from the clipboard" in titles(w), timeout=WAIT)
    w.close()


def test_reextract_and_reindex_run_as_tracked_work(qtbot, window, filled):
    _root, ids = filled
    open_article(qtbot, window, ids[0])
    with qtbot.waitSignal(window.reextracted, timeout=WAIT) as blocker:
        window.reextract_selected()
        assert window.taskbar.isVisible()  # progress in the status bar while it runs
    assert blocker.args[0] == 1
    qtbot.waitUntil(lambda: "trimming the lamp wicks" in window.reader.toPlainText(), timeout=WAIT)
    op = window.reindex()
    qtbot.waitUntil(lambda: op.done, timeout=WAIT)
    assert op.error is None
    window.search.set_query("wicks")
    qtbot.waitUntil(
        lambda: titles(window) == ["The lighthouse keepers of Skerryvore"], timeout=WAIT
    )


def test_facets_refine_the_query_and_did_you_mean_corrects_it(qtbot, window, filled):
    _root, ids = filled
    window._bulk([ids[1]], "Tagging", add=["baking"])
    qtbot.waitUntil(lambda: window.tags.tag_items().get("baking") == 1, timeout=WAIT)
    window.search.set_query("yeast")
    root = window.tags._facets_root
    qtbot.waitUntil(lambda: root.rowCount() > 0, timeout=WAIT)
    facet = next(
        root.child(r) for r in range(root.rowCount()) if root.child(r).text().startswith("#baking")
    )
    window.tags.tree.clicked.emit(facet.index())
    qtbot.waitUntil(lambda: window.search.query.text() == "yeast tag:baking", timeout=WAIT)
    qtbot.waitUntil(lambda: titles(window) == ["Sourdough starters and wild yeast"], timeout=WAIT)

    window.search.set_query("sourdogh")
    qtbot.waitUntil(lambda: "Did you mean" in window.search.note_label.text(), timeout=WAIT)
    assert window.search.model.rowCount() == 0 and "No articles" in window.search.count_label.text()
    suggestion = window.search.last_page.suggestion
    window.search.note_label.linkActivated.emit(suggestion)
    qtbot.waitUntil(lambda: titles(window) == ["Sourdough starters and wild yeast"], timeout=WAIT)
    window.search.set_query("")
    qtbot.waitUntil(lambda: not root.index().isValid(), timeout=WAIT)  # no facets without a query


def test_a_second_window_on_the_same_archive_is_refused_clearly(qtbot, window, filled, tmp_path):
    root, _ids = filled
    settings = QSettings(str(tmp_path / "second.ini"), QSettings.Format.IniFormat)
    second = MainWindow(root, settings, seed=False, fetch=False)
    qtbot.addWidget(second)
    qtbot.waitUntil(lambda: second.open_failed, timeout=WAIT)
    assert second.archive is None and "already open in another Quire window" in second.last_error
    second.close()


def test_a_doubtful_extraction_offers_the_whole_page_text(qtbot, window):
    page = (
        "<html><head><title>Links</title></head><body>"
        + "".join(f'<p><a href="/x{i}">Link number {i} to somewhere</a></p>' for i in range(40))
        + "<p>Only a short line of text here.</p></body></html>"
    )
    article = window.archive.save_html(
        page, "https://u.example/links", download_images=False
    ).article
    assert article.uncertain
    open_article(qtbot, window, article.id)
    assert "not sure it found the whole article" in window.reader.toPlainText()
    with qtbot.waitSignal(window.article_shown, timeout=WAIT):
        window.reader.anchorClicked.emit(QUrl(f"quire-fulltext:{article.id}"))
    text = window.reader.toPlainText()
    assert "Link number 39 to somewhere" in text and "Only a short line of text here." in text


def test_tag_colours_show_and_are_remembered(qtbot, filled, tmp_path):
    root, ids = filled
    w = make_window(qtbot, root, tmp_path, "colours.ini")
    open_article(qtbot, w, ids[0])
    qtbot.keyClicks(w.tags.tag_input, "Urgent")
    qtbot.keyClick(w.tags.tag_input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.tags.tag_items().get("Urgent") == 1, timeout=WAIT)
    with qtbot.waitSignal(w.tags.colors_changed, timeout=WAIT) as blocker:
        w.tags.set_tag_color("Urgent", "#cc0000")
    assert blocker.args[0] == {"urgent": "#cc0000"}
    item = next(i for i in _all_items(w.tags.model) if i.toolTip() == "Urgent")
    assert item.foreground().color().name() == "#cc0000"
    assert w.search.view.itemDelegate().tag_colors == {"urgent": "#cc0000"}
    w.close()
    w2 = make_window(qtbot, root, tmp_path, "colours.ini")
    qtbot.waitUntil(lambda: "Urgent" in w2.tags.tag_items(), timeout=WAIT)
    item = next(i for i in _all_items(w2.tags.model) if i.toolTip() == "Urgent")
    assert item.foreground().color().name() == "#cc0000"
    assert w2.search.view.itemDelegate().tag_colors == {"urgent": "#cc0000"}
    w2.tags.set_tag_color("Urgent", None)  # back to the default colour
    item = next(i for i in _all_items(w2.tags.model) if i.toolTip() == "Urgent")
    assert item.foreground().color().name() != "#cc0000"
    w2.close()


def test_a_big_batch_is_saved_by_a_child_process(qtbot, window, tmp_path, monkeypatch):
    """Eight or more items go to archive.child (the window's GIL stays free); the
    window's own archive shows what the child saved."""
    import archive.work.child

    children: list[str] = []
    real = archive.work.child.run_in_child

    def spy(archive, fn, **kwargs):
        children.append(fn.__name__)
        return real(archive, fn, **kwargs)

    monkeypatch.setattr(archive.work.child, "run_in_child", spy)
    pages = []
    for i in range(9):
        page = tmp_path / f"batch{i}.html"
        page.write_text(make_page(f"Lighthouse log {i}", "Keepers noted the fog horn."),
                        encoding="utf-8")
        pages.append(str(page))
    with qtbot.waitSignal(window.saved, timeout=60000) as blocker:
        window.save_items(pages, ["coast"])
    summary = blocker.args[0]
    assert children == ["save_all"]
    assert sorted(a.title for a in summary.saved) == [f"Lighthouse log {i}" for i in range(9)]
    assert all(a.tags == ["coast"] for a in summary.saved)
    window.search.set_query("tag:coast")
    qtbot.waitUntil(lambda: len(titles(window)) == 9, timeout=WAIT)


def test_closing_the_window_stops_a_save_running_in_a_child(qtbot, filled, tmp_path):
    import multiprocessing

    from archive import Archive
    from archive.library.check import check_archive

    root, _ids = filled
    w = make_window(qtbot, root, tmp_path)
    pages = []
    for i in range(60):
        page = tmp_path / f"long{i}.html"
        page.write_text(make_page(f"Tide table {i}", "High water at dawn."), encoding="utf-8")
        pages.append(str(page))
    op = w.save_items(pages)
    with qtbot.waitSignal(op.progressed, timeout=60000):
        pass  # the child is at work
    w.close()
    assert w.wait_closed(60)
    qtbot.waitUntil(lambda: not multiprocessing.active_children(), timeout=60000)
    with Archive(root, seed=False, fetch=False) as archive:  # whatever was saved is whole
        assert check_archive(archive) == []
        assert archive.count("tide") < 60  # it stopped early
