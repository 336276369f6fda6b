"""Issue 19, 'the window knows what changed': a `quire add` or `tag` run beside an
open window shows in it within a second or two, without a restart."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import subprocess
import sys
from pathlib import Path

from archive import Archive
from tests.support.gui import WAIT, open_article, titles
from tests.support import make_page

REPO = Path(__file__).resolve().parents[3]


def test_a_second_handle_adds_an_article_and_a_tag(qtbot, window, filled):
    root, ids = filled
    open_article(qtbot, window, ids[0])
    with Archive(root, seed=False, fetch=False) as other:
        other.save_html(make_page("Saved in another process", "Bog myrtle and cotton grass."),
                        "https://elsewhere.example/1", download_images=False, tags=["moor"])
        other.tag(ids[0], add=["islands"])
    qtbot.waitUntil(lambda: "Saved in another process" in titles(window), timeout=WAIT)
    qtbot.waitUntil(lambda: window.tags.tag_items().get("moor") == 1, timeout=WAIT)
    qtbot.waitUntil(lambda: window.tags.tag_items().get("islands") == 1, timeout=WAIT)
    # the open article's header and tag list follow too
    qtbot.waitUntil(lambda: "#islands" in window.reader.toPlainText(), timeout=WAIT)
    assert window.tags.article_tags.stringList() == ["islands"]
    qtbot.waitUntil(lambda: "(4)" in window.tags._state_items["All articles"].text(), timeout=WAIT)


def test_quire_add_and_tag_on_the_command_line_show_in_the_window(qtbot, window, filled, tmp_path):
    root, ids = filled
    page = tmp_path / "fen.html"
    page.write_text(make_page("Fenland drainage and the windpumps", "Sails turned the scoops."),
                    encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "QUIRE_ARCHIVE"}
    env["PYTHONPATH"] = str(REPO)

    def quire(*args: str) -> None:
        done = subprocess.run([sys.executable, str(REPO / "main.py"), "--archive", str(root), *args],
                              capture_output=True, text=True, env=env, timeout=120)
        assert done.returncode == 0, done.stderr

    quire("add", str(page), "--tag", "fens")
    qtbot.waitUntil(lambda: "Fenland drainage and the windpumps" in titles(window), timeout=WAIT)
    qtbot.waitUntil(lambda: window.tags.tag_items().get("fens") == 1, timeout=WAIT)
    # a search for the new article's words finds it: the index's commit was seen too
    window.search.set_query("windpumps")
    qtbot.waitUntil(lambda: titles(window) == ["Fenland drainage and the windpumps"], timeout=WAIT)

    window.search.set_query("")
    quire("tag", ids[1], "+wild-yeast")
    qtbot.waitUntil(lambda: window.tags.tag_items().get("wild-yeast") == 1, timeout=WAIT)
    qtbot.waitUntil(lambda: "wild-yeast" in window.search.model.row_at(
        window.search.model.row_of(ids[1])).tags, timeout=WAIT)


def test_changes_made_elsewhere_wait_for_the_windows_own_work(qtbot, window, filled):
    """An import in the window runs in a child process, which the watcher sees as
    another process: its changes are told once the window's own work ends, so the
    list does not start over under the user every second of the import."""
    import threading

    from archive.base.changes import Changes

    root, _ids = filled
    release = threading.Event()
    told: list[Changes] = []
    window.changed.connect(told.append)
    window.run_task(lambda _ctx: release.wait(WAIT / 1000), label="Long work")
    with Archive(root, seed=False, fetch=False) as other:
        other.save_html(make_page("Saved during the import", "Reed beds."),
                        "https://elsewhere.example/2", download_images=False)
    qtbot.waitUntil(lambda: bool(window._held_changes.added), timeout=WAIT)
    assert not [c for c in told if c.added]
    assert "Saved during the import" not in titles(window)
    release.set()
    qtbot.waitUntil(lambda: "Saved during the import" in titles(window), timeout=WAIT)
    assert [c for c in told if c.added]


def test_a_collection_made_elsewhere_shows_in_the_tag_pane(qtbot, window, filled):
    from archive.library import collections

    root, ids = filled

    def shown() -> list[str]:
        heading = window.tags._collections_root
        return [heading.child(r).text() for r in range(heading.rowCount())]

    assert shown() == []
    with Archive(root, seed=False, fetch=False) as other:
        collections.create(other, "Reading list")
        collections.add(other, "Reading list", ids[:2])
    qtbot.waitUntil(lambda: shown() == ["Reading list  (2)"], timeout=WAIT)
