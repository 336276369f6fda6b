'''The page the browser extension's end-to-end tests save, in Chromium and in Firefox:
its article text is written by JavaScript after load and its pictures are lazy, so
only a save of the page *as the browser shows it* keeps them. Served from
pytest-httpserver on 127.0.0.1; `check_saved` is what both browsers' saves must give.'''
from __future__ import annotations

import time
from typing import Any, Callable

from pytest_httpserver import HTTPServer

from archive import Archive
from tests.support.export_library import GIF, PNG

#: The page as served: no article text at all, only a script that writes it after load,
#: and pictures a browser shows only through lazy loading.
SHELL = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Moths of the orchard</title>
</head><body><nav><a href="/">Home</a></nav><main id="story"><p>Loading…</p></main>
<script>
window.addEventListener("load", () => setTimeout(() => {
  document.getElementById("story").innerHTML = `<article><h1>Moths of the orchard</h1>
  <p>The glass-winged moths of the lowland orchard fly only on the warmest nights of August, when
  the pears are ripe and the air over the grass is thick with their scent.</p>
  <figure><img id="swapped" src="data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw=="
    data-src="/img/swapped.png" alt="A moth on a pear leaf"><figcaption>A moth on a pear leaf</figcaption></figure>
  <p>Counting them takes a white sheet, a lamp and patience: the recorders sat up for eleven nights
  and logged four hundred and twelve moths of nineteen kinds, three never seen in the valley before.</p>
  <figure><img id="waiting" src="data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw=="
    data-src="img/waiting.png" class="lazyload" alt="The sheet at midnight"><figcaption>The sheet at midnight</figcaption></figure>
  <p>The orchard's owners have agreed to leave the long grass under the trees uncut until October,
  so that the caterpillars can finish feeding before the first frost.</p>
  <div style="height: 3000px"></div>
  <figure><img id="native" src="/img/native.gif" loading="lazy" alt="The valley at dawn" width="300" height="200">
  <figcaption>The valley at dawn</figcaption></figure></article>`;
  const swapped = document.getElementById("swapped");
  swapped.src = swapped.dataset.src;  // a lazy loader at work: the real picture is shown now
}, 50));
</script></body></html>"""

TEXT_BUILT_BY_SCRIPT = "glass-winged moths of the lowland orchard"
TITLE = "Moths of the orchard"
PATH = "/moths"
#: true in the page once its script has built the article and shown the swapped picture
BUILT = "document.querySelector('#story article') && document.getElementById('swapped').complete"


def badge(background: Any, tab_id: int) -> str:
    """The extension's badge on the tab. `background` is the extension's background as
    a test reaches it (Playwright's service worker in Chromium, firefox.Background):
    anything with evaluate(js_function, argument)."""
    return background.evaluate("(tabId) => chrome.action.getBadgeText({tabId})", tab_id)


def wait_for_badge(background: Any, tab_id: int, text: str, seconds: float = 15) -> str:
    """The badge once it shows text, or what it shows after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        shown = badge(background, tab_id)
        if shown == text or time.monotonic() > deadline:
            return shown
        time.sleep(0.1)


def serve(httpserver: HTTPServer) -> HTTPServer:
    """The page and its three pictures (a lazy loader's, a lazy one never shown, a native lazy one)."""
    httpserver.expect_request(PATH).respond_with_data(SHELL, content_type="text/html; charset=utf-8")
    httpserver.expect_request("/img/swapped.png").respond_with_data(PNG, content_type="image/png")
    httpserver.expect_request("/img/waiting.png").respond_with_data(PNG + b"\x00", content_type="image/png")
    httpserver.expect_request("/img/native.gif").respond_with_data(GIF, content_type="image/gif")
    return httpserver


#: JavaScript statements selecting the article's first paragraph, as a person would
SELECT_FIRST_PARAGRAPH = """const p = document.querySelector('#story article p');
const range = document.createRange(); range.selectNodeContents(p);
getSelection().removeAllRanges(); getSelection().addRange(range);"""


def check_selection_save(in_background: Callable[[str, Any], Any], tab_id: int, url: str,
                         archive: Archive, web: HTTPServer) -> None:
    """With the first paragraph selected in tab `tab_id`: the extension's background
    (`in_background(js_function, argument)`) reads the page with its selection, pictures'
    addresses resolved and no script, without making the browser fetch the pictures it
    never showed; saving it keeps the selection as the article's first highlight."""
    serialized = in_background("(tabId) => serializeTab(tabId)", tab_id)
    assert serialized["selection"].startswith("The glass-winged moths")
    assert serialized["url"] == url
    assert f'src="{web.url_for("/img/waiting.png")}"' in serialized["html"]  # resolved, absolute
    assert "<script" not in serialized["html"]
    time.sleep(0.5)
    # reading the page does not make the browser fetch the pictures it never showed
    assert "/img/waiting.png" not in {req.path for req, _resp in web.log}
    # saved from the selection's context menu: the selection is the first highlight
    result = in_background("(tabId) => quireSaveTab(tabId, {selection: null})", tab_id)
    assert result["state"] == "saved" and "highlight" in result, result
    (mark,) = archive.highlights.list(result["id"])
    assert mark.quote.startswith("The glass-winged moths of the lowland orchard fly only")


def check_saved(archive: Archive, result: dict[str, Any], web: HTTPServer) -> None:
    """The save answered "saved" with the page's title, and the archive holds the page as
    the browser built it (check_article)."""
    assert result["state"] == "saved", result
    assert result["created"] is True and result["title"] == TITLE
    check_article(archive, result["id"], web)


def check_article(archive: Archive, article_id: str, web: HTTPServer) -> None:
    """The archive holds the text the script wrote and all three pictures, stored locally
    (no remote or data: address left)."""
    text = archive.article_text(article_id)
    assert TEXT_BUILT_BY_SCRIPT in text
    assert "four hundred and twelve moths" in text
    html = archive.article_html(article_id)
    pictures = sorted(p.name for p in (archive.article_dir(article_id) / "images").iterdir()
                      if p.suffix in (".png", ".gif"))
    assert len(pictures) == 3, (pictures, html)
    assert 'src="http' not in html and "data:image" not in html
    requested = {req.path for req, _resp in web.log}
    assert {"/img/swapped.png", "/img/waiting.png", "/img/native.gif"} <= requested
