"""The search-syntax help (issue 19): it opens with F1, the ? button or View →
Search syntax, and never traps the window. Keys and clicks go through the
window system (QTest on the QWindow), as a user's would, so a popup grabbing
the keyboard or the mouse is caught."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage, QPalette, QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu

from tests.support.gui import WAIT, make_window

import pytest


@pytest.fixture
def window(qtbot, filled, tmp_path):
    root, _ids = filled
    w = make_window(qtbot, root, tmp_path)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=WAIT)
    yield w
    w.close()


def help_of(window):
    return getattr(window.search, "_help", None)


def shown(window) -> bool:
    popup = help_of(window)
    try:
        return popup is not None and popup.isVisible()
    except RuntimeError:  # deleted on close
        return False


def press(window, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A key press as the window system delivers it (to the active popup, if any)."""
    QTest.keyClick(window.windowHandle(), key, modifier)


def click(window, widget, pos: QPoint | None = None) -> None:
    """A mouse click at a widget, delivered through the window system."""
    pos = pos if pos is not None else widget.rect().center()
    at = widget.mapTo(window, pos)
    QTest.mouseClick(window.windowHandle(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, at)


def test_escape_closes_the_help(qtbot, window):
    press(window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: shown(window), timeout=WAIT)
    press(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not shown(window), timeout=WAIT)
    window.search.query.setText("kept")
    press(window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: shown(window), timeout=WAIT)
    press(window, Qt.Key.Key_Escape)
    assert window.search.query.text() == "kept"  # Esc closed the help, it did not clear the query


def test_f1_again_and_the_button_again_close_it(qtbot, window):
    press(window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: shown(window), timeout=WAIT)
    press(window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: not shown(window), timeout=WAIT)
    click(window, window.search.help_button)
    qtbot.waitUntil(lambda: shown(window), timeout=WAIT)
    click(window, window.search.help_button)
    qtbot.waitUntil(lambda: not shown(window), timeout=WAIT)
    window.act_help.trigger()  # View → Search syntax
    assert shown(window)


def test_a_click_outside_closes_it_and_still_reaches_its_target(qtbot, window):
    window.act_help.trigger()
    assert shown(window)
    window.reader.setFocus()
    qtbot.waitUntil(window.reader.hasFocus, timeout=WAIT)
    click(window, window.search.query)
    qtbot.waitUntil(lambda: not shown(window), timeout=WAIT)
    qtbot.waitUntil(window.search.query.hasFocus, timeout=WAIT)


def test_quit_and_menus_work_while_it_is_open(qtbot, window):
    assert "Ctrl+Q" in [k.toString() for k in window.act_quit.shortcuts()]  # on every platform
    window.act_help.trigger()
    bar = window.menuBar()
    file_menu = bar.actions()[0]
    click(window, bar, bar.actionGeometry(file_menu).center())
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu), timeout=WAIT)
    QApplication.activePopupWidget().close()
    window.act_help.trigger() if not shown(window) else None
    with qtbot.waitSignal(window.act_quit.triggered, timeout=WAIT):
        press(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=WAIT)


def test_its_text_is_not_drawn_as_one_selection(qtbot, window):
    window.act_help.trigger()
    popup = help_of(window)
    qtbot.waitUntil(popup.isVisible, timeout=WAIT)
    image = popup.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    highlight = QApplication.palette().color(QPalette.ColorRole.Highlight)
    hits = sum(
        1
        for y in range(0, image.height(), 2)
        for x in range(0, image.width(), 2)
        if QColor(image.pixel(x, y)).rgb() == highlight.rgb()
    )
    assert hits < 0.02 * (image.width() // 2) * (image.height() // 2)
    assert popup.focusPolicy() == Qt.FocusPolicy.NoFocus


def test_its_two_columns_keep_apart(qtbot, window):
    window.act_help.trigger()
    popup = help_of(window)
    doc = popup.document()
    layout = doc.documentLayout()
    table = None
    block = doc.begin()
    while block.isValid() and table is None:
        table = QTextCursor(block).currentTable()
        block = block.next()
    assert table is not None
    for row in range(table.rows()):
        left = table.cellAt(row, 0).firstCursorPosition().block()
        right = table.cellAt(row, table.columns() - 1).firstCursorPosition().block()
        left_rect = layout.blockBoundingRect(left)
        left_end = left_rect.left() + max(
            left.layout().lineAt(i).naturalTextWidth() for i in range(left.layout().lineCount())
        )
        gap = layout.blockBoundingRect(right).left() - left_end
        assert gap >= 12, (row, left.text(), gap)
        assert right.layout().lineCount() == 1, right.text()  # room enough in a 1200 px window
