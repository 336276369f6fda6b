"""The window's Import dialog offers the format (issue 19): a file whose format
cannot be told from its content is imported by choosing its type in the
dialog, and the error for such a file says so — not "--format on the command
line", which a window user has no use for."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QFileDialog, QMessageBox

from tests.support.gui import WAIT

#: Three web addresses under notes: too few address lines for the detector.
LIST = ("My reading list, kept by hand.\nThings to read this winter\n(from the club)\n"
        "and some more notes here\nread them slowly\n"
        "https://news.example/a\nhttps://news.example/b\nhttps://news.example/c\n")


def import_box(qtbot, window) -> QFileDialog:
    window.import_dialog()
    dialog = window.findChild(QFileDialog, "importDialog")
    qtbot.waitUntil(lambda: dialog is not None and dialog.isVisible(), timeout=WAIT)
    return dialog


def test_the_format_is_chosen_in_the_import_dialog(qtbot, window, tmp_path):
    path = tmp_path / "reading.dat"
    path.write_text(LIST, encoding="utf-8")
    dialog = import_box(qtbot, window)
    filters = dialog.nameFilters()
    assert filters[0].startswith("Detect the format")
    wanted = next(f for f in filters if f.startswith("Web addresses"))
    assert any(f.startswith("Pocket") for f in filters) and any(f.startswith("wallabag") for f in filters)
    dialog.selectNameFilter(wanted)
    dialog.selectFile(str(path))
    with qtbot.waitSignal(window.imported, timeout=WAIT) as blocker:
        dialog.accept()
    report = blocker.args[0]
    assert report.format == "urls"
    assert window.archive.count("") >= 3 + 3  # the three addresses, waiting to be fetched


def test_an_undetectable_file_says_to_choose_its_type_in_the_dialog(qtbot, window, tmp_path):
    path = tmp_path / "reading.dat"
    path.write_text(LIST, encoding="utf-8")
    dialog = import_box(qtbot, window)
    dialog.selectFile(str(path))
    dialog.accept()  # "Detect the format"
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "errorBox") is not None, timeout=WAIT)
    box = window.findChild(QMessageBox, "errorBox")
    text = box.text() + " " + box.informativeText()
    assert "cannot tell the format" in text
    assert "--format" not in text and "command line" not in text
    assert "type" in text and "Import" in text
