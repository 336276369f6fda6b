"""A small archive for the export tests, built once per test module through the real save
pipeline: pages with images fetched from a local server, a messy page, a pending article,
an article without URL whose title is a hostile file name, and two articles sharing a title."""
from __future__ import annotations

import base64
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from pytest_httpserver import HTTPServer

from archive import Archive

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==")
GIF = base64.b64decode("R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==")

PHOTO_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Herons of the marsh</title><meta property="og:site_name" content="Marsh Notes">
<meta name="author" content="Wren Walker">
<meta property="article:published_time" content="2024-03-01T08:00:00Z"></head>
<body><article><h1>Herons of the marsh</h1>
<p>The grey heron stands for an hour without moving, then strikes faster than the eye can follow.
Observers on the northern marsh counted forty nests this spring, more than in any year before.</p>
<figure><img src="/pic.png" alt="A heron at dawn"><figcaption>A heron at dawn</figcaption></figure>
<p>Their young leave the nest after seven weeks and spend the summer learning to fish in the
shallow pools, where the water is warm and the minnows are slow.</p>
<p><img src="/pic.gif" alt="Nest map"> The nests are mapped every year by volunteers.</p>
</article></body></html>"""

MESSY_PAGE = """<!DOCTYPE html><html lang="English (UK)"><head><meta charset="utf-8">
<title>A messy page</title></head>
<body><article><h1>A messy page</h1>
<p id="top">Paragraphs that contain <div>a block that should not be there</div> and go on after it,
with a <a href="#top">link to the top</a>, a <a href="#nowhere">link to nowhere</a>,
a <a href="/relative/path">relative link</a> and
<a href="javascript:alert(1)">a script link</a>.</p>
<ul>loose text in a list<li>a proper item</li><p>a paragraph in a list</p></ul>
<table><tr><td colspan="x">bad colspan</td><td>ok</td></tr></table>
<p id="top">A second paragraph with the same id, <font color="red">old tags</font>, and
<a href="https://example.org/a"><a href="https://example.org/b">nested links</a></a>.</p>
<dl><dt>Term</dt><dd>Definition with <ul><li>a list</li></ul></dd></dl>
<p>Enough words here to make the extractor treat this as an article body worth keeping in full,
because otherwise it may decide the page is navigation and throw the interesting parts away.</p>
</article></body></html>"""


def build_library(root: Path) -> tuple[Archive, HTTPServer, dict[str, str]]:
    """Returns the archive, the server (stop it when done) and ids by role."""
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    server.expect_request("/photo").respond_with_data(PHOTO_PAGE, content_type="text/html")
    server.expect_request("/messy").respond_with_data(MESSY_PAGE, content_type="text/html")
    server.expect_request("/pic.png").respond_with_data(PNG, content_type="image/png")
    server.expect_request("/pic.gif").respond_with_data(GIF, content_type="image/gif")
    server.expect_request("/gone").respond_with_data("gone", status=404)
    archive = Archive(root, seed=False, fetch=True)
    ids: dict[str, str] = {}
    photo = archive.save_url(server.url_for("/photo"), tags=["birds", "marsh"],
                             saved="2024-03-02T10:00:00+00:00", is_favorite=True)
    ids["photo"] = photo.article.id
    archive.set_state(photo.article.id, progress=0.5)
    ids["messy"] = archive.save_url(server.url_for("/messy"), tags=["test"],
                                    saved="2024-03-03T10:00:00+00:00", is_read=True).article.id
    ids["hostile"] = archive.save_html(
        "<html><head><title>x</title></head><body><article><p>A note saved from a file, with a "
        "title that would be a dangerous file name on any system you can think of.</p>"
        "<p>It has two paragraphs so that it reads as an article.</p></article></body></html>",
        None, source="file:/tmp/hostile.html", title="../../CON: bad/name?",
        saved="2024-03-04T10:00:00+00:00", tags=["notes"], extract=False).article.id
    for n in (1, 2):
        ids[f"twin{n}"] = archive.save_html(
            f"<p>Twin article number {n} shares its title with the other twin, which is fine "
            f"for the archive but not for a folder of files.</p>",
            f"https://example.org/twins/{n}", title="Same title",
            saved=f"2024-03-0{4 + n}T10:00:00+00:00", extract=False,
            download_images=False).article.id
    ids["pending"] = archive.add_pending(server.url_for("/gone"), title="Gone for now",
                                         tags=["later"], error="HTTP 404 Not Found",
                                         saved="2024-03-08T10:00:00+00:00").article.id
    return archive, server, ids


@contextmanager
def opened_library(root: Path) -> Iterator[tuple[Archive, dict[str, str]]]:
    """build_library for a fixture: (archive, ids), the archive closed and the web
    server stopped afterwards."""
    archive, server, ids = build_library(root)
    try:
        yield archive, ids
    finally:
        archive.close()
        server.stop()
