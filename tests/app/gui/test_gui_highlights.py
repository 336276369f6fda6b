"""Highlights in the window, driven as a user would (offscreen, real archive, real
threads): select a range, highlight it (Ctrl+H), add a note, recolour, delete,
undo (Ctrl+Z); the marks are char formats of the document, in every theme; the
article's list and the Highlights view jump to them."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor

from app.gui.highlight_paint import MARK_ID, palette_for
from app.gui.highlights_view import ID_ROLE
from tests.support.gui import WAIT, make_window, open_article

PHRASE = "spring floods arrived earlier"


def painted(reader) -> dict[str, tuple[str, str]]:
    """Highlight id → (painted text, background colour) read from the document's char formats."""
    out: dict[str, list] = {}
    block = reader.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            fmt = frag.charFormat()
            if fmt.hasProperty(MARK_ID):
                entry = out.setdefault(fmt.property(MARK_ID), ["", fmt.background().color().name()])
                entry[0] += frag.text()
            it += 1
        block = block.next()
    return {k: (v[0], v[1]) for k, v in out.items()}


def point_of(reader, mark_id):
    """A viewport point inside a painted highlight."""
    span = reader.mark_span(mark_id)
    cursor = QTextCursor(reader.document())
    cursor.setPosition(span[0] + 3)
    return reader.cursorRect(cursor).center()


def window_on_a_highlight(qtbot, filled, tmp_path, quote: str = "harbour observatory"):
    """A window showing the third article, which was given one highlight (of `quote`)
    before the window opened; returns the window and the highlight."""
    from archive import Archive

    root, ids = filled
    with Archive(root, seed=False, fetch=False) as archive:
        mark = archive.highlights.add_quote(ids[2], quote)
    window = make_window(qtbot, root, tmp_path)
    open_article(qtbot, window, ids[2])
    return window, mark


def select_phrase(window, phrase):
    text = window.reader.content.plain_text
    start = text.index(phrase)
    assert window.reader.select_range(start, start + len(phrase))
    return start, start + len(phrase)


def test_highlight_note_recolour_delete_undo_and_reopen(qtbot, filled, tmp_path):
    root, ids = filled
    window = make_window(qtbot, root, tmp_path)
    reader = window.reader
    open_article(qtbot, window, ids[2])
    start, end = select_phrase(window, PHRASE)
    assert reader.selected_range() == (start, end)
    assert reader.textCursor().selectedText() == PHRASE

    # Ctrl+H, as the reader has the focus
    reader.setFocus()
    qtbot.keyClick(reader, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(painted(reader)) == 1, timeout=WAIT)
    (mark,) = window.archive.highlights.list(ids[2])
    assert (mark.quote, mark.color) == (PHRASE, "yellow")
    assert painted(reader) == {mark.id: (PHRASE, palette_for("light")["yellow"].name())}
    assert window.highlight_panel.list.count() == 1

    # click it: its note popup; write a note and save
    span = reader.mark_span(mark.id)
    cursor = QTextCursor(reader.document())
    cursor.setPosition(span[0] + 3)
    point = reader.cursorRect(cursor).center()
    assert reader.mark_at(point) == mark.id
    qtbot.mouseClick(reader.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.waitUntil(lambda: window.note_popup.isVisible(), timeout=WAIT)
    window.note_popup.editor.setPlainText("Earlier every year.\nCheck the gauge.")
    window.note_popup.save_button.click()
    qtbot.waitUntil(lambda: window.archive.highlights.get(mark.id).note
                    == "Earlier every year.\nCheck the gauge.", timeout=WAIT)
    qtbot.waitUntil(lambda: "Earlier every year." in window.highlight_panel.list.item(0).text(),
                    timeout=WAIT)

    # recolour from the popup
    window.note_popup.open_for(window.archive.highlights.get(mark.id), reader.mapToGlobal(point))
    window.note_popup.buttons["green"].click()
    green = palette_for("light")["green"].name()
    qtbot.waitUntil(lambda: painted(reader).get(mark.id, ("", ""))[1] == green, timeout=WAIT)

    # the theme changes: painted again, in the dark palette
    window.set_theme("dark")
    qtbot.waitUntil(lambda: painted(reader).get(mark.id, ("", ""))[1] == palette_for("dark")["green"].name(),
                    timeout=WAIT)
    window.change_font_size(2)
    assert painted(reader)[mark.id][0] == PHRASE
    window.set_theme("light")
    qtbot.wait(50)  # the reading position is restored after the re-render

    # delete (context menu entry), then Ctrl+Z puts it back
    menu = reader.highlight_menu(point_of(reader, mark.id))
    remove = next(a for a in menu.actions() if a.text() == "&Remove highlight")
    remove.trigger()
    qtbot.waitUntil(lambda: painted(reader) == {}, timeout=WAIT)
    assert window.archive.highlights.list(ids[2]) == []
    assert window.highlight_panel.list.count() == 0
    qtbot.keyClick(reader, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: mark.id in painted(reader), timeout=WAIT)
    back = window.archive.highlights.get(mark.id)
    assert (back.note, back.color) == ("Earlier every year.\nCheck the gauge.", "green")

    # reopen the article (another first): it is rendered from the archive again
    open_article(qtbot, window, ids[0])
    assert painted(reader) == {}
    open_article(qtbot, window, ids[2])
    assert painted(reader) == {mark.id: (PHRASE, green)}
    window.close()


def test_context_menu_and_popup_highlight_a_selection(qtbot, filled, tmp_path):
    root, ids = filled
    window = make_window(qtbot, root, tmp_path)
    reader = window.reader
    open_article(qtbot, window, ids[2])
    select_phrase(window, "harbour observatory")
    menu = reader.highlight_menu(QPoint(5, 5))
    entries = [a.text() for a in menu.actions()]
    assert "&Highlight" in entries and "Highlight in colour" in entries
    # the popup beside the selection: pink
    window.selection_popup.show_near(reader.mapToGlobal(QPoint(50, 50)))
    window.selection_popup.buttons["pink"].click()
    qtbot.waitUntil(lambda: len(window.archive.highlights.list(ids[2])) == 1, timeout=WAIT)
    assert window.archive.highlights.list(ids[2])[0].color == "pink"
    qtbot.waitUntil(lambda: len(painted(reader)) == 1, timeout=WAIT)
    window.close()


def test_list_steps_and_highlights_view_jump_to_a_highlight(qtbot, filled, tmp_path):
    root, ids = filled
    from archive import Archive

    with Archive(root, seed=False, fetch=False) as archive:  # made by another process, before
        first = archive.highlights.add_quote(ids[2], "A study of migrating herons")
        last = archive.highlights.add_quote(ids[2], "so that other laboratories can repeat", note="method")
        other = archive.highlights.add_quote(ids[0], "trimming the lamp wicks", color="blue")
    window = make_window(qtbot, root, tmp_path)
    reader = window.reader
    open_article(qtbot, window, ids[2])
    assert set(painted(reader)) == {first.id, last.id}
    panel = window.highlight_panel.list
    assert panel.count() == 2

    # the list: activating the second item scrolls the reader to it
    reader.verticalScrollBar().setValue(0)
    window.resize(900, 300)
    panel.itemActivated.emit(panel.item(1))
    assert reader.current_mark == last.id
    # keyboard stepping wraps round
    window.act_next_mark.trigger()
    assert reader.current_mark == first.id and panel.currentRow() == 0
    window.act_prev_mark.trigger()
    assert reader.current_mark == last.id and panel.currentRow() == 1

    # the Highlights view: all three; filter by colour and words; open another article at one
    view = window.show_highlights_view()
    qtbot.waitUntil(lambda: view.model.shown_count() == 3, timeout=WAIT)
    view.color.setCurrentIndex(view.color.findData("blue"))
    assert view.model.shown_count() == 1
    view.color.setCurrentIndex(0)
    qtbot.keyClicks(view.filter, "laboratories")
    qtbot.waitUntil(lambda: view.model.shown_count() == 1, timeout=WAIT)
    view.filter.clear()
    qtbot.keyClicks(view.filter, "note:method")
    qtbot.waitUntil(lambda: view.model.shown_count() == 1, timeout=WAIT)
    view.filter.clear()
    qtbot.waitUntil(lambda: view.model.shown_count() == 3, timeout=WAIT)
    view.grouping.setCurrentIndex(1)  # by date: flat
    index = view.model.index_of(other.id)
    assert index.isValid() and view.model.data(index, ID_ROLE) == (ids[0], other.id)
    with qtbot.waitSignal(window.article_shown, timeout=WAIT):
        view.view.activated.emit(index)
    qtbot.waitUntil(lambda: reader.current_mark == other.id, timeout=WAIT)
    assert window.highlight_panel.list.currentRow() == 0
    window.close()


def test_a_highlight_added_by_another_process_appears(qtbot, filled, tmp_path):
    root, ids = filled
    window = make_window(qtbot, root, tmp_path)
    open_article(qtbot, window, ids[2])
    from archive import Archive

    with Archive(root, seed=False, fetch=False) as cli:
        cli.highlights.add_quote(ids[2], "marsh birds", note="from the CLI")
    qtbot.waitUntil(lambda: len(painted(window.reader)) == 1, timeout=WAIT * 2)
    assert window.highlight_panel.list.count() == 1
    window.close()


def test_reextract_in_the_window_says_what_became_of_the_highlights(qtbot, filled, tmp_path):
    window, mark = window_on_a_highlight(qtbot, filled, tmp_path)
    with qtbot.waitSignal(window.reextracted, timeout=WAIT * 2):
        window.reextract_selected()
    assert "highlights: 1 re-anchored, 0 could not be placed" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: mark.id in painted(window.reader), timeout=WAIT)
    window.close()


def test_keyboard_only_note_and_delete_from_the_list(qtbot, filled, tmp_path):
    _root, ids = filled
    window, mark = window_on_a_highlight(qtbot, filled, tmp_path)
    window.act_next_mark.trigger()  # F8
    window.act_mark_note.trigger()  # Ctrl+Shift+N
    assert window.note_popup.isVisible() and window.note_popup.mark_id == mark.id
    window.note_popup.hide()
    panel = window.highlight_panel.list
    panel.setCurrentRow(0)
    panel.setFocus()
    qtbot.keyClick(panel, Qt.Key.Key_F2)
    assert window.note_popup.isVisible()
    window.note_popup.hide()
    qtbot.keyClick(panel, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: window.archive.highlights.list(ids[2]) == [], timeout=WAIT)
    qtbot.waitUntil(lambda: painted(window.reader) == {}, timeout=WAIT)
    # Delete in the list removed the highlight, not the article (the window's Delete)
    assert window.archive.get(ids[2]).id == ids[2] and not window._pending_delete
    assert window.undo_highlight_removal()
    qtbot.waitUntil(lambda: mark.id in painted(window.reader), timeout=WAIT)
    window.close()
