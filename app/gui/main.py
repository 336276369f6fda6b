"""Start the GUI: `run(archive_root)` opens the window; with `screenshot`
it renders the window offscreen to a PNG and returns.

The archive opens on a worker thread (seeding the welcome articles on first
launch may take a moment), so the window appears at once.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

# The Qt-free core (with numpy, Whoosh, SQLite) is imported before PySide6:
# once loaded, PySide6 hooks `__import__` and reads the source of every module
# imported after it, looking for its `__feature__` switches.
import archive.library.store  # noqa: E402,F401  (start-up time; see above)

ORG = "Quire"
APP = "Quire"


def make_app(offscreen: bool):
    """The QApplication, set up for Quire (offscreen for screenshots and tests)."""
    if offscreen and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    # Worker threads (saving, indexing) hold the GIL up to the switch interval
    # at a time; a shorter one lets the UI thread in sooner (smaller stalls).
    sys.setswitchinterval(0.001)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORG)
    app.setApplicationName(APP)
    app.setApplicationDisplayName(APP)
    app.setDesktopFileName("quire")
    app.setStyle("Fusion")  # the same look on every platform, and a good dark palette
    from app.gui.main_window import ICON_PATH

    if ICON_PATH.exists():
        app.setWindowIcon(QIcon(str(ICON_PATH)))
    return app


def wait_until(predicate, timeout_s: float = 30.0) -> bool:
    """Spin the event loop until predicate() holds (screenshots, benches)."""
    from PySide6.QtCore import QCoreApplication, QEventLoop

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        if predicate():
            return True
        time.sleep(0.005)
    return False


def settle(window, timeout_s: float = 30.0) -> bool:
    """Wait until no background op of the window is running."""
    from app.gui.ops import active_ops

    ok = wait_until(
        lambda: (window.archive is not None or window.open_failed) and active_ops() == 0, timeout_s
    )
    wait_until(lambda: False, 0.15)  # let queued paints and timers run
    return ok


def render_screenshot(
    window, out: Path, *, theme: str | None = None, query: str | None = None, article: int = 0
) -> None:
    """Show a result in the reader and write the whole window to a PNG."""
    if theme:
        window.set_theme(theme)
    if query is not None:
        window.search.set_query(query)
    settle(window)
    model = window.search.model
    if model.rowCount() > article:
        window.search.view.setCurrentIndex(model.index(article))
        window.open_article(model.row_at(article).id)
        settle(window)
    window.statusBar().clearMessage()  # transient messages (the archive path) are noise in a picture
    out.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(out)):
        raise OSError(f"could not write the screenshot {out}")


def run(archive_root: Path, screenshot: Path | None = None) -> int:
    """Open Quire's window on the archive at archive_root.

    With `screenshot`, render the window offscreen into that PNG and return 0."""
    from PySide6.QtCore import QSettings

    app = make_app(offscreen=screenshot is not None)
    from app.gui.browser_connector import ENABLED_KEY as CONNECTOR_ENABLED_KEY
    from app.gui.main_window import MainWindow

    if screenshot is not None:
        # Screenshots must not depend on, or change, the user's window settings.
        settings_dir = Path(tempfile.mkdtemp(prefix="quire-screenshot-"))
        settings = QSettings(str(settings_dir / "settings.ini"), QSettings.Format.IniFormat)
        settings.setValue("reader/theme", "light")
        settings.setValue(CONNECTOR_ENABLED_KEY, False)  # a picture needs no port
        window = MainWindow(Path(archive_root), settings)
        window.resize(1440, 900)
        window.show()
        try:
            render_screenshot(window, Path(screenshot))
            opened = window.archive is not None
        finally:
            window.close()
            shutil.rmtree(settings_dir, ignore_errors=True)
        if not opened:
            print(f"quire: {window.last_error or 'the archive did not open'}", file=sys.stderr)
            return 1
        print(f"wrote {screenshot}")
        return 0

    window = MainWindow(Path(archive_root))
    window.show()
    return app.exec()
