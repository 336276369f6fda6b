"""A small window gives way to the text (issue 19): at 900×650 the side panes
once kept their width and the reader shrank to ~250 px. The panes shrink,
then fold (tags first), to keep a reading width; they can be folded and
unfolded by hand (View menu, dragging), and that choice is remembered."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.support.gui import WAIT, make_window

from app.gui.panes import READER_MIN

SEARCH, READER, TAGS = 0, 1, 2


def reader_width(window) -> int:
    return window.splitter.sizes()[READER]


def test_at_900_by_650_the_reader_keeps_a_reading_width(qtbot, filled, tmp_path):
    root, _ids = filled
    w = make_window(qtbot, root, tmp_path, "small.ini")
    w.resize(1440, 900)
    w.splitter.setSizes([380, 760, 240])  # as a big window left them
    qtbot.wait(20)
    w.close()  # remembered

    w2 = make_window(qtbot, root, tmp_path, "small.ini")
    w2.resize(900, 650)
    qtbot.waitUntil(lambda: w2.splitter.width() <= 900, timeout=WAIT)
    assert reader_width(w2) >= READER_MIN >= 480
    assert w2.reader.column_width() >= 400
    sizes = w2.splitter.sizes()
    assert sizes[SEARCH] > 0  # the search pane is still there, narrower
    # Narrower still: the tags pane folds, then comes back when there is room.
    w2.resize(700, 600)
    qtbot.waitUntil(lambda: w2.splitter.sizes()[TAGS] == 0, timeout=WAIT)
    assert reader_width(w2) >= READER_MIN
    w2.resize(1300, 800)
    qtbot.waitUntil(lambda: w2.splitter.sizes()[TAGS] > 0, timeout=WAIT)
    assert w2.splitter.sizes()[SEARCH] >= 300  # back to the width it had
    w2.close()


def test_folding_a_pane_by_hand_is_remembered(qtbot, filled, tmp_path):
    root, _ids = filled
    w = make_window(qtbot, root, tmp_path, "fold.ini")
    assert w.act_show_tags.isChecked() and w.act_show_search.isChecked()
    w.act_show_tags.trigger()  # View → Tags pane
    qtbot.waitUntil(lambda: w.splitter.sizes()[TAGS] == 0, timeout=WAIT)
    w.close()
    w2 = make_window(qtbot, root, tmp_path, "fold.ini")
    assert w2.splitter.sizes()[TAGS] == 0 and not w2.act_show_tags.isChecked()
    w2.resize(1600, 900)
    qtbot.wait(20)
    assert w2.splitter.sizes()[TAGS] == 0  # room does not undo the user's choice
    w2.act_focus_tags.trigger()  # going to the tags unfolds them
    qtbot.waitUntil(lambda: w2.splitter.sizes()[TAGS] > 0, timeout=WAIT)
    assert w2.act_show_tags.isChecked()
    w2.close()


def test_dragging_cannot_squeeze_the_reader_below_its_minimum(qtbot, filled, tmp_path):
    root, _ids = filled
    w = make_window(qtbot, root, tmp_path, "drag.ini")
    w.resize(1000, 700)
    qtbot.wait(20)
    total = sum(w.splitter.sizes())
    w.splitter.moveSplitter(total - 200, 2)  # drag the tags handle far to the left
    qtbot.wait(20)
    assert reader_width(w) >= READER_MIN
    w.close()
