"""The HTML export read in a real browser (headless Chromium, when installed):
the index keeps each saved date on one line however narrow the window (it
wrapped as "2026-12-" / "04"), and the headings are dark enough to read (they
took the pale grey of the article's header)."""
from __future__ import annotations

import zipfile

import pytest

from app.connector import browser
from archive.interchange.exporters import export
from tests.support import make_page

pytestmark = pytest.mark.skipif(browser.why_not_available() is not None,
                                reason=str(browser.why_not_available()))


def luminance(css_color: str) -> float:
    """Relative luminance (0 black .. 1 white) of a computed 'rgb(r, g, b)'."""
    r, g, b = (int(v) / 255 for v in css_color[css_color.index("(") + 1:].split(")")[0].split(",")[:3])

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def test_the_index_dates_stay_on_one_line_and_headings_are_dark(archive, tmp_path):
    from playwright.sync_api import sync_playwright

    long_title = "A very long title about the tides of the northern marsh and its herons " * 3
    ids = [archive.save_html(make_page(long_title + str(n), "Herons and floods."),
                             f"https://news.example/{n}", download_images=False).article.id
           for n in range(3)]
    out = tmp_path / "pages.zip"
    export(archive, ids, "html", out)
    site = tmp_path / "site"
    with zipfile.ZipFile(out) as zf:
        zf.extractall(site)
    article_page = next((site / "articles").glob("*.html"))
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=browser.find_chromium(), headless=True,
                                      args=["--no-sandbox", "--disable-gpu"])
        try:
            page = chromium.new_page(viewport={"width": 420, "height": 700})  # a phone
            page.goto((site / "index.html").as_uri())
            lines = page.evaluate("""() => [...document.querySelectorAll('table.index tr')].slice(1)
                .map(row => { const cell = row.cells[1]; const range = document.createRange();
                              range.selectNodeContents(cell);
                              return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size; })""")
            assert lines and all(n == 1 for n in lines), lines
            for url in ((site / "index.html").as_uri(), article_page.as_uri()):
                page.goto(url)
                color = page.evaluate("getComputedStyle(document.querySelector('h1')).color")
                assert luminance(color) < 0.03, (url, color)  # near black, on the near-white page
        finally:
            chromium.close()
