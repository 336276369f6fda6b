"""Render the README's pictures: the window and each pane, light and dark, and
the reader with pictures and captions in each theme.

usage: python -m app.gui.screenshots [OUT_DIR] [--archive DIR] [--pictures]

Without --archive it builds a small demo archive in a temporary folder: the
welcome articles plus a dozen pages of the extraction corpus
(../shared/corpus/extraction, when present), tagged and partly read, saved
from their files without any network. Everything renders offscreen.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus" / "extraction"

#: (url fragment in the corpus, tags, read, favourite) of the demo articles.
DEMO = [
    ("quantamagazine.org/tuft-cells", ["science/biology", "long reads"], False, True),
    ("space.com/jupiter-moon-europa", ["science/space"], False, False),
    ("sciencealert.com/we-finally-have-a-global-geological-map", ["science/space"], True, False),
    ("livescience.com/most-detailed-universe", ["science/space"], False, False),
    ("phys.org/news/2019-11-hibernating", ["science/space", "health"], False, False),
    (
        "vox.com/science-and-health/2019/11/8/20948348",
        ["health", "climate", "long reads"],
        False,
        True,
    ),
    ("wired.com/story/the-future-of-banking", ["money"], True, False),
    ("slate.com/culture/2019/11/john-ford", ["books", "long reads"], False, False),
    (
        "smithsonianmag.com/smart-news/three-cases-plague",
        ["health", "science/biology"],
        True,
        False,
    ),
    ("spacenews.com/nasa-adds-five-companies", ["science/space"], False, False),
    ("theantijunecleaver.com/2017/12/spiced-honey-pear-jam", ["recipes"], False, True),
    ("blog.givewell.org/2018/10/09", ["money", "ideas"], False, False),
]


def build_demo(root: Path) -> None:
    """A small, realistic archive: welcome articles plus corpus pages."""
    from archive import Archive

    with Archive(root, seed=True, fetch=False) as archive:
        from app.gui import picture_demo

        picture_demo.add_to(archive, root.parent / "picture-page")
        truth_path = CORPUS / "ground-truth.json"
        if not truth_path.exists():
            return
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        by_url = {v["url"]: k for k, v in truth.items()}
        for n, (fragment, tags, read, favourite) in enumerate(DEMO):
            url = next((u for u in by_url if fragment in u), None)
            if url is None:
                continue
            raw = gzip.decompress((CORPUS / "html" / f"{by_url[url]}.html.gz").read_bytes())
            saved = f"2026-11-{24 - n // 2:02d}T{9 + n % 2 * 6:02d}:{10 + n:02d}:00+00:00"
            result = archive.save_html(raw, url, tags=tags, saved=saved, download_images=False)
            archive.set_state(
                result.article.id,
                is_read=read,
                is_favorite=favourite,
                progress=1.0 if read else (0.35 if n == 3 else None),
            )


def render_all(archive_root: Path, out: Path, query: str = "space", article: int = 1) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings

    from app.gui.main import make_app, render_screenshot, settle

    _qt_app = make_app(True)  # keep a reference: the QApplication must outlive the window
    from app.gui.browser_connector import ENABLED_KEY as CONNECTOR_ENABLED_KEY
    from app.gui.main_window import MainWindow

    written: list[Path] = []
    ini = Path(tempfile.mkdtemp(prefix="quire-shots-")) / "settings.ini"
    settings = QSettings(str(ini), QSettings.Format.IniFormat)
    settings.setValue(CONNECTOR_ENABLED_KEY, False)  # a picture needs no connector process
    window = MainWindow(archive_root, settings)
    window.resize(1440, 900)
    window.show()
    try:
        for theme in ("light", "dark"):
            window.set_theme(theme)
            path = out / f"window-{theme}.png"
            render_screenshot(window, path, query=query, article=article)
            written.append(path)
            for name, pane in (
                ("search", window.search),
                ("reader", window.reader),
                ("tags", window.tags),
            ):
                settle(window)
                pane_path = out / f"{name}-{theme}.png"
                pane.grab().save(str(pane_path))
                written.append(pane_path)
        window.set_theme("light")
        render_screenshot(window, out / "window.png", query=query, article=article)
        written.append(out / "window.png")
        written += render_pictures(window, out)
    finally:
        window.close()
        window.wait_closed(60)  # the demo archive is removed next
        shutil.rmtree(ini.parent, ignore_errors=True)
    return written


def render_pictures(window, out: Path) -> list[Path]:
    """The picture article in the reader, in each theme (pictures-<theme>.png):
    its first picture, caption and the paragraphs around them."""
    from app.gui.main import render_screenshot, settle
    from app.gui.picture_demo import TITLE
    from app.gui.themes import THEME_NAMES

    written = []
    window.search.set_query("")  # no search: no marks in the text
    settle(window)
    model = window.search.model
    row = next((r for r in range(model.rowCount()) if model.row_at(r).title == TITLE), 0)
    for theme in THEME_NAMES:
        render_screenshot(window, out / f"pictures-{theme}.png", theme=theme, article=row)
        reader = window.reader
        doc = reader.document()
        block = doc.begin()
        while block.isValid() and "\ufffc" not in block.text():
            block = block.next()
        if block.isValid():  # the first picture, with the end of the paragraph above it
            top = doc.documentLayout().blockBoundingRect(block).top()
            reader.verticalScrollBar().setValue(max(0, int(top) - 150))
        settle(window)
        path = out / f"pictures-{theme}.png"
        if not reader.grab().save(str(path)):
            raise OSError(f"could not write the screenshot {path}")
        written.append(path)
    return written


def render_picture_shots(out: Path) -> list[Path]:
    """Only the pictures-<theme>.png shots, from an archive of the picture article."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings

    from app.gui import picture_demo
    from app.gui.main import make_app, settle
    from archive import Archive

    _qt_app = make_app(True)
    from app.gui.browser_connector import ENABLED_KEY as CONNECTOR_ENABLED_KEY
    from app.gui.main_window import MainWindow

    tmp = Path(tempfile.mkdtemp(prefix="quire-pictures-"))
    try:
        with Archive(tmp / "archive", seed=False, fetch=False) as archive:
            picture_demo.add_to(archive, tmp / "page")
        settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)
        settings.setValue(CONNECTOR_ENABLED_KEY, False)  # a picture needs no connector process
        window = MainWindow(tmp / "archive", settings, seed=False, fetch=False)
        window.resize(1440, 900)
        window.show()
        settle(window)
        try:
            return render_pictures(window, out)
        finally:
            window.close()
            window.wait_closed(60)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--archive", type=Path, help="render this archive instead of a demo one")
    parser.add_argument("--query", default="space", help="the search shown in the pictures")
    parser.add_argument(
        "--article", type=int, default=1, help="which hit the reader shows (0 = first)"
    )
    parser.add_argument("--pictures", action="store_true",
                        help="only the reader with pictures and captions, in each theme")
    args = parser.parse_args(argv)
    if args.pictures:
        for path in render_picture_shots(args.out):
            print(path)
        return 0
    tmp = None
    root = args.archive
    if root is None:
        tmp = Path(tempfile.mkdtemp(prefix="quire-demo-"))
        root = tmp / "archive"
        build_demo(root)
    try:
        for path in render_all(root, args.out, args.query, args.article):
            print(path)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
