"""The GUI tests' shared window: the three pages every window test opens on, how long a
test waits for the window, and how a test opens one on an archive.

The fixtures built on these (filled_template, filled, window) are in
tests/app/gui/conftest.py, so every GUI test module gets them without importing them.
"""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

from PySide6.QtCore import QSettings

from app.gui.main_window import MainWindow

WAIT = 15000

PAGES = [
    (
        "The lighthouse keepers of Skerryvore",
        "Keepers lived on the rock for months, trimming the lamp wicks.",
    ),
    (
        "Sourdough starters and wild yeast",
        "A starter is flour and water colonised by wild yeast and bacteria.",
    ),
    ("Tides of the northern marsh", "A study of migrating herons and the spring floods."),
]


def connector_settings(tmp_path: Path, name: str = "settings.ini") -> QSettings:
    """Settings (an ini file in tmp_path) under which a window starts its browser
    connector: the GUI tests' windows start none (tests/app/gui/conftest.py)."""
    from app.gui.browser_connector import ENABLED_KEY

    settings = QSettings(str(tmp_path / name), QSettings.Format.IniFormat)
    settings.setValue(ENABLED_KEY, "true")
    settings.sync()
    return settings


def make_window(qtbot, root: Path, tmp_path: Path, name: str = "settings.ini") -> MainWindow:
    settings = QSettings(str(tmp_path / name), QSettings.Format.IniFormat)
    window = MainWindow(root, settings, seed=False, fetch=False)
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    qtbot.waitUntil(lambda: window.archive is not None, timeout=WAIT)
    qtbot.waitUntil(
        lambda: window.search.model.rowCount() == len(PAGES) or window.search.model.total > 0,
        timeout=WAIT,
    )
    return window


def titles(window: MainWindow) -> list[str]:
    model = window.search.model
    return [model.row_at(r).title for r in range(model.rowCount())]


def open_article(qtbot, window: MainWindow, article_id: str) -> None:
    """Open an article in the window's reader and wait until it is shown."""
    with qtbot.waitSignal(window.article_shown, timeout=WAIT):
        window.open_article(article_id)
