"""The GUI tests' fixtures: an archive of three articles (built once per session, a fresh
copy per test) and a window open on it. The helpers they use are in tests.support.gui."""
from __future__ import annotations

import pytest

from tests.support import make_page
from tests.support.gui import PAGES, make_window


@pytest.fixture(autouse=True)
def connector_off_by_default(monkeypatch):
    """A window under test starts no browser connector unless its settings ask for one
    (ENABLED_KEY): the connector is a process of its own (`quire serve --for-window`),
    ~0.5-1 s of CPU each; the tests of it turn it on (tests.support.gui.connector_settings)."""
    from app.gui import browser_connector

    monkeypatch.setattr(browser_connector, "ENABLED_BY_DEFAULT", False)


@pytest.fixture(scope="session")
def filled_template(tmp_path_factory):
    """Three saved articles, built once; each test gets its own copy."""
    from archive import Archive

    root = tmp_path_factory.mktemp("template") / "arch"
    with Archive(root, seed=False, fetch=False) as a:
        ids = [
            a.save_html(
                make_page(title, body), f"https://news.example/{n}", download_images=False
            ).article.id
            for n, (title, body) in enumerate(PAGES)
        ]
    return root, ids


@pytest.fixture
def filled(filled_template, tmp_path):
    """A closed archive with three articles (a fresh copy), for a window to open."""
    import shutil

    template, ids = filled_template
    root = tmp_path / "arch"
    shutil.copytree(template, root, ignore=shutil.ignore_patterns("window.lock"))
    return root, ids


@pytest.fixture
def window(qtbot, filled, tmp_path):
    root, _ids = filled
    w = make_window(qtbot, root, tmp_path)
    yield w
    w.close()
