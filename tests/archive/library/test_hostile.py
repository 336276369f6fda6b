"""Hostile input through the whole save path: no crash, no hang, a clear message,
nothing saved before is touched. (Finer cases live beside each module's tests:
test_sanitize, test_fetch, test_import_*, test_query*.)"""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.library.check import check_archive
from archive.base.errors import QuireError
from tests.support import make_page

HOSTILE = """<html><head><title>Hostile page</title>
<base href="http://evil.example/">
<meta http-equiv="refresh" content="0;url=http://evil.example/">
<style>body { background: url(http://evil.example/track.png); width: expression(alert(1)); }</style>
<link rel="stylesheet" href="http://evil.example/x.css">
</head><body><article>
<h1 onclick="alert(1)">Hostile page</h1>
<p>Plain words about a lighthouse keeper who kept a careful diary of every storm for forty years,
noting the wind, the waves and the ships that passed in the night without ever stopping.</p>
<p onmouseover="steal()">More words <a href="javascript:alert(1)">a js link</a>,
<a href="data:text/html,<script>alert(1)</script>">a data link</a> and
<a href="relative/page">a relative link</a>.</p>
<script>document.cookie</script><noscript><img src="http://evil.example/pixel.gif"></noscript>
<iframe src="http://evil.example/frame"></iframe>
<object data="http://evil.example/x.swf"></object><embed src="http://evil.example/y">
<form action="http://evil.example/post"><input name="q"></form>
<svg><script>alert(1)</script><a xlink:href="javascript:alert(2)"><text>svg</text></a></svg>
<img src="http://evil.example/img.png" onerror="alert(1)" style="position:fixed">
<p style="color: red; background-image: url(http://evil.example/bg)">Styled paragraph about the keeper's diary.</p>
</article></body></html>"""


def test_nothing_executable_or_remote_reaches_article_html(archive):
    a = archive.save_html(HOSTILE, "https://hostile.example/page").article
    html = archive.article_html(a.id).lower()
    for bad in ("<script", "onclick", "onmouseover", "onerror", "javascript:", "data:text", "<iframe",
                "<object", "<embed", "<form", "<base", "http-equiv", "expression(", "<style", "<link"):
        assert bad not in html, bad
    # no remote resource to load: no src/srcset/url() pointing off the folder
    assert not re.search(r"""(src|srcset|poster)\s*=\s*["']?(https?:)?//""", html)
    assert "url(" not in html
    # links made absolute (against <base href>, as the original page resolved them)
    assert re.search(r'href="https?://[^"]+/relative/page"', html)


def test_huge_title_is_capped(archive):
    title = "T" * (1 << 20)
    a = archive.save_html(make_page(title=title), "https://daily.example/huge-title").article
    assert 0 < len(a.title) <= 1000
    assert archive.search("herons")[0].id == a.id


def test_hundred_thousand_nested_elements(archive):
    before = archive.save_html(make_page(), "https://daily.example/before").article
    page = "<html><body>" + "<div>" * 100_000 + "deep text" + "</div>" * 100_000 + "</body></html>"
    try:
        res = archive.save_html(page, "https://daily.example/deep")
        assert res.article.uncertain or res.article.word_count >= 0
    except QuireError as exc:
        assert "daily.example/deep" in str(exc)
    assert archive.get(before.id).title == before.title
    assert check_archive(archive) == []


@pytest.mark.parametrize("name", ["../../etc/passwd.html", "a\x00b.html", "x" * 1000 + ".html", "nope.pdf"])
def test_bad_file_names_are_clear_errors(archive, tmp_path, name):
    target = tmp_path / "sub" / "dir"
    target.mkdir(parents=True)
    with pytest.raises(QuireError) as err:
        archive.save_file(str(target) + "/" + name)
    message = str(err.value)
    assert message and len(message) < 2000
    assert archive.articles() == []


def test_file_with_dotdot_that_exists_is_saved_once(archive, tmp_path):
    (tmp_path / "a").mkdir()
    page = tmp_path / "page.html"
    page.write_text(make_page(), encoding="utf-8")
    first = archive.save_file(tmp_path / "a" / ".." / "page.html")
    again = archive.save_file(page)
    assert first.created and not again.created


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=2000))
def test_any_text_extracts_or_fails_clearly(text):
    """The save pipeline's CPU half (decode + extract) on arbitrary text."""
    from archive.library.store import prepare_page

    try:
        raw, ex = prepare_page(text, None)
    except QuireError as exc:
        assert str(exc)
    else:
        assert raw == text.encode("utf-8") and isinstance(ex.text, str)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=4000))
def test_any_bytes_extract_or_fail_clearly(data):
    from archive.library.store import prepare_page

    try:
        raw, ex = prepare_page(data, "https://daily.example/bytes")
    except QuireError as exc:
        assert str(exc)
    else:
        assert raw == data and isinstance(ex.title, str)


@pytest.mark.parametrize("data", [
    bytes.fromhex("fffeffffffff2a2a0a"),  # UTF-16 BOM, then units that decode to U+FFFF (fuzzer find)
    "<p>a\ud800b</p>".encode("utf-8", "surrogatepass"),
])
def test_fuzzer_finds_extract(data):
    from archive.library.store import prepare_page

    try:
        prepare_page(data, "https://fuzz.example/")
        prepare_page(data.decode("utf-8", "surrogateescape"), "https://fuzz.example/")
    except QuireError as exc:
        assert str(exc)


def test_fuzzer_find_truncated_utf16_saved_page(tmp_path):
    from archive.interchange.importers import PARSERS

    page = tmp_path / "page.html"
    page.write_bytes(bytes.fromhex("fffeff"))  # UTF-16 BOM and half a code unit
    records = list(PARSERS["folder"](page))
    assert all(getattr(r, "reason", "x") for r in records)


def test_megabytes_of_embedded_image_keep_the_article_whole(archive):
    """SingleFile-style pages inline pictures as base64; a 3 MB one must neither cut
    the article short nor stay inline in article.html."""
    import base64
    import os
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1000, 750, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", os.urandom(3 << 20)) + chunk(b"IEND", b""))
    uri = "data:image/png;base64," + base64.b64encode(png).decode()
    page = make_page().replace("<p>The committee", f'<figure><img src="{uri}" alt="tides"></figure><p>The committee')
    a = archive.save_html(page, "https://daily.example/inline-image").article
    html = archive.article_html(a.id)
    assert "raw measurements" in archive.article_text(a.id)  # the paragraph after the image survived
    assert "data:image" not in html and "quire.invalid" not in html
    stored = list((archive.article_dir(a.id) / "images").iterdir())
    assert len(stored) == 1 and stored[0].read_bytes() == png
    assert f'src="images/{stored[0].name}"' in html
