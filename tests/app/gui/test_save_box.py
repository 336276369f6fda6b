"""The Save box (Ctrl+L): "paste a link and press Enter" (the welcome article)
saves; Shift+Enter adds a line for several links; Ctrl+Enter saves too; Enter
in the tags box saves, it never opens the file chooser (issue 19)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from app.gui.add_dialog import AddDialog
from tests.support.gui import WAIT
from tests.support import make_page


def open_box(qtbot, window) -> AddDialog:
    window.act_add.trigger()
    dialog = window.findChild(AddDialog, "addDialog")
    qtbot.waitUntil(lambda: dialog is not None and dialog.isVisible(), timeout=WAIT)
    dialog.items.clear()
    dialog.items.setFocus()
    return dialog


def page(tmp_path, name: str, title: str) -> str:
    path = tmp_path / f"{name}.html"
    path.write_text(make_page(title, "Saved from the Save box."), encoding="utf-8")
    return str(path)


def test_enter_saves_what_was_pasted(qtbot, window, tmp_path):
    dialog = open_box(qtbot, window)
    qtbot.keyClicks(dialog.items, page(tmp_path, "one", "Pressed Enter to save"))
    with qtbot.waitSignal(window.saved, timeout=WAIT) as blocker:
        qtbot.keyClick(dialog.items, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert [a.title for a in blocker.args[0].saved] == ["Pressed Enter to save"]


def test_shift_enter_adds_a_line_and_ctrl_enter_saves_them_all(qtbot, window, tmp_path):
    dialog = open_box(qtbot, window)
    qtbot.keyClicks(dialog.items, page(tmp_path, "a", "First of two"))
    qtbot.keyClick(dialog.items, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert dialog.isVisible() and dialog.items.toPlainText().endswith("\n")
    qtbot.keyClicks(dialog.items, page(tmp_path, "b", "Second of two"))
    with qtbot.waitSignal(window.saved, timeout=WAIT) as blocker:
        qtbot.keyClick(dialog.items, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert sorted(a.title for a in blocker.args[0].saved) == ["First of two", "Second of two"]


def test_enter_in_an_empty_box_does_nothing_and_enter_in_tags_saves(qtbot, window, tmp_path):
    dialog = open_box(qtbot, window)
    qtbot.keyClick(dialog.items, Qt.Key.Key_Enter)  # the keypad's Enter
    assert dialog.isVisible() and dialog.items.toPlainText() == ""
    qtbot.keyClicks(dialog.items, page(tmp_path, "t", "Saved with a tag"))
    dialog.tags.setFocus()
    qtbot.keyClicks(dialog.tags, "harbour")
    with qtbot.waitSignal(window.saved, timeout=WAIT) as blocker:
        qtbot.keyClick(dialog.tags, Qt.Key.Key_Return)
    assert blocker.args[0].saved[0].tags == ["harbour"]


def test_saving_a_saved_page_again_with_tags_tags_it_and_says_so(qtbot, window, tmp_path):
    path = page(tmp_path, "again", "Saved twice")
    with qtbot.waitSignal(window.saved, timeout=WAIT):
        window.save_items([path])
    with qtbot.waitSignal(window.saved, timeout=WAIT) as blocker:
        window.save_items([path], ["harbour"])
    summary = blocker.args[0]
    assert [a.tags for a in summary.duplicates] == [["harbour"]]
    assert summary.message() == "1 already in the archive, now tagged harbour"
