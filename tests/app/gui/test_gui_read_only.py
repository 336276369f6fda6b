"""The window on an archive on read-only media (issue 18, case 3): it opens, lists,
searches and reads, and says the archive is read-only."""
from __future__ import annotations

import os

import pytest
from PySide6.QtCore import QSettings

from archive import Archive
from tests.support import make_page
from tests.support.media import read_only_view

WAIT = 30_000


def test_the_window_opens_an_archive_on_read_only_media(qtbot, tmp_path):
    from app.gui.main_window import MainWindow

    if os.geteuid() != 0:
        pytest.skip("needs root to mount the archive read-only")
    src = tmp_path / "arch"
    with Archive(src, seed=False, fetch=False) as a:
        ids = [a.save_html(make_page(f"Window story {i}", f"windowword{i}"), f"https://w.example/{i}").article.id
               for i in range(3)]
    with read_only_view(src, tmp_path / "ro") as where:
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(where, settings, seed=False, fetch=False)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: window.archive is not None or window.open_failed, timeout=WAIT)
        assert not window.open_failed
        assert window.archive.read_only
        assert "read-only" in window.windowTitle()
        assert "read-only" in window.statusBar().currentMessage()
        qtbot.waitUntil(lambda: window.search.model.rowCount() == 3, timeout=WAIT)
        assert {window.search.model.row_at(r).id for r in range(3)} == set(ids)
        window.close()
        qtbot.wait(50)
