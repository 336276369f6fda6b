"""Pictures and embedded media through a whole save (fetch, extract, sanitize,
download), against a real local HTTP server: the sanitizer keeps every
candidate, so archive.images' choices and fallbacks decide what is stored."""
from __future__ import annotations

import base64
import random
import re
import struct
import zlib
from pathlib import Path

import lxml.html
import pytest
from pytest_httpserver import HTTPServer

from archive import Archive
from archive.extraction.pages import prepare_page
from tests.support import make_page
from tests.archive.capture.test_images import GREEN, GREY, RED, remote_resources

#: A 1x1 transparent GIF, the usual lazy-loading placeholder.
PIXEL = "data:image/gif;base64,R0lGODlhAQABAAAAACw="


@pytest.fixture
def web_archive(tmp_path: Path):
    a = Archive(tmp_path / "arch", seed=False, fetch_options={"timeout_total": 5.0})
    yield a
    a.close()


def save(archive: Archive, server: HTTPServer, snippet: str, path: str = "/story") -> tuple[str, dict[str, bytes]]:
    """Save a page with `snippet` inside its article; (article.html, stored pictures)."""
    page = make_page().replace("<p>The committee", f"{snippet}<p>The committee")
    server.expect_request(path).respond_with_data(page, content_type="text/html; charset=utf-8")
    article = archive.save_url(server.url_for(path)).article
    folder = archive.article_dir(article.id)
    html = (folder / "article.html").read_text(encoding="utf-8")
    images = folder / "images"
    files = {p.name: p.read_bytes() for p in images.iterdir() if p.name != "sources.json"} \
        if images.is_dir() else {}
    assert remote_resources(html.split("<article>", 1)[1]) == []
    return html, files


def serve(server: HTTPServer, path: str, data: bytes, kind: str = "image/png") -> str:
    server.expect_request(path).respond_with_data(data, content_type=kind)
    return server.url_for(path)


def requested(server: HTTPServer) -> list[str]:
    return [request.path for request, _ in server.log]


def test_srcset_urls_with_commas_stay_whole(web_archive, httpserver) -> None:
    serve(httpserver, "/r.png", RED)
    serve(httpserver, "/c_fill,w_300/p.png", GREY)
    serve(httpserver, "/c_fill,w_600/p.png", GREEN)
    html, files = save(web_archive, httpserver,
                       '<p><img src="/r.png" srcset="/c_fill,w_300/p.png 300w, '
                       '/c_fill,w_600/p.png 600w" alt="A"></p>')
    assert list(files.values()) == [GREEN]
    assert "missing-image" not in html


def test_a_failing_2x_candidate_falls_back_to_src(web_archive, httpserver) -> None:
    serve(httpserver, "/one.png", RED)
    httpserver.expect_request("/two.png").respond_with_data("gone", status=404)
    html, files = save(web_archive, httpserver,
                       '<p><img src="/one.png" srcset="/one.png 1x, /two.png 2x" alt="B"></p>')
    assert list(files.values()) == [RED]
    assert "missing-image" not in html and "/two.png" in requested(httpserver)


def test_largest_useful_candidate_and_the_next_one_past_the_size_cap(web_archive, httpserver) -> None:
    serve(httpserver, "/g800.png", GREEN)
    serve(httpserver, "/big2000.png", RED + b"\0" * (10 * 1024 * 1024 + 1))  # over 10 MB
    serve(httpserver, "/huge6000.png", GREY)  # past the 2400 px a reader can use
    html, files = save(web_archive, httpserver,
                       '<p><img srcset="/g800.png 800w, /big2000.png 2000w, /huge6000.png 6000w" '
                       'alt="C"></p>')
    assert list(files.values()) == [GREEN]
    assert "/huge6000.png" not in requested(httpserver)
    assert "missing-image" not in html


def test_lazy_attributes_only_the_downloader_knew(web_archive, httpserver) -> None:
    serve(httpserver, "/echo.png", GREEN)
    html, files = save(web_archive, httpserver, f'<p><img src="{PIXEL}" data-echo="/echo.png" alt="D"></p>')
    assert list(files.values()) == [GREEN] and 'alt="D"' in html


def test_a_lazy_attribute_wins_over_a_placeholder_src(web_archive, httpserver) -> None:
    serve(httpserver, "/grey-placeholder.png", GREY)
    serve(httpserver, "/actual.png", GREEN)
    _html, files = save(web_archive, httpserver,
                        '<p><img src="/grey-placeholder.png" data-actualsrc="/actual.png" alt="E"></p>')
    assert list(files.values()) == [GREEN]
    assert "/grey-placeholder.png" not in requested(httpserver)  # src is only the fallback


def test_picture_whose_image_is_only_in_its_source(web_archive, httpserver) -> None:
    serve(httpserver, "/pic.png", GREEN)
    html, files = save(web_archive, httpserver,
                       '<figure><picture><source srcset="/pic.png"><img alt="F"></picture>'
                       '<figcaption>The tidal gauge at dawn</figcaption></figure>')
    assert list(files.values()) == [GREEN]
    name = next(iter(files))
    assert re.search(rf'<img[^>]*src="images/{name}"', html) and "<source" not in html


def test_css_background_picture_is_kept_as_an_img(web_archive, httpserver) -> None:
    serve(httpserver, "/hero.png", GREEN)
    html, files = save(web_archive, httpserver,
                       '<div style="background-image:url(/hero.png);height:300px" role="img" '
                       'aria-label="The marsh at high tide"></div>')
    assert list(files.values()) == [GREEN]
    root = lxml.html.fromstring(html)
    [img] = root.findall(".//img")
    assert img.get("src") == f"images/{next(iter(files))}" and img.get("alt") == "The marsh at high tide"


def test_inline_svg_chart_in_a_figure_is_stored_sanitized(web_archive, httpserver) -> None:
    html, files = save(web_archive, httpserver,
                       '<figure><svg viewBox="0 0 200 100" width="200" height="100" onload="alert(1)">'
                       '<script>alert(2)</script><rect width="200" height="100" fill="blue"/>'
                       '<text x="10" y="50">Tide height</text></svg>'
                       '<figcaption>Tide heights, 2014 to 2024</figcaption></figure>')
    [(name, data)] = files.items()
    assert name.endswith(".svg")
    assert b'viewBox="0 0 200 100"' in data and b"<rect" in data and b"Tide height" in data
    assert b"script" not in data and b"alert" not in data and b"onload" not in data
    assert f'src="images/{name}"' in html and "Tide heights, 2014 to 2024" in html


def test_a_page_that_is_only_an_iframe_keeps_a_link_to_it(web_archive, httpserver) -> None:
    inner = httpserver.url_for("/player/inner")
    page = (f"<html><head><title>Only a frame</title></head><body>"
            f'<iframe src="{inner}" width="600"></iframe></body></html>')
    httpserver.expect_request("/frame").respond_with_data(page, content_type="text/html")
    article = web_archive.save_url(httpserver.url_for("/frame")).article
    html = web_archive.article_html(article.id)
    root = lxml.html.fromstring(html)
    [holder] = root.find_class("missing-media")
    assert "Embedded content not saved" in holder.text_content()
    assert holder.find(".//a").get("href") == inner  # a link, never a load
    assert "/player/inner" not in requested(httpserver)
    assert remote_resources(html.split("<article>", 1)[1]) == []


def test_video_in_an_article_leaves_a_placeholder_with_its_poster(web_archive, httpserver) -> None:
    serve(httpserver, "/poster.png", GREEN)
    html, files = save(web_archive, httpserver,
                       '<video poster="/poster.png" controls><source src="/clip.mp4" type="video/mp4">'
                       "Your browser cannot play this video.</video>")
    assert list(files.values()) == [GREEN]
    root = lxml.html.fromstring(html)
    [holder] = root.find_class("missing-media")
    assert "Video not saved" in holder.text_content()
    assert holder.find(".//a").get("href") == httpserver.url_for("/clip.mp4")
    assert holder.find(".//img").get("src").startswith("images/")
    text = web_archive.article_text(web_archive.articles()[0].id)
    assert "Video not saved" not in text and "cannot play" not in text


def test_reextract_reuses_stored_svg_pictures_offline(tmp_path, httpserver) -> None:
    chart = (b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50">'
             b'<rect width="100" height="50" fill="blue"/></svg>')
    serve(httpserver, "/chart.svg", chart, "image/svg+xml")
    serve(httpserver, "/photo.png", GREEN)
    page = make_page().replace("<p>The committee", '<p><img src="/chart.svg" alt="chart"></p>'
                                                   '<p><img src="/photo.png" alt="photo"></p><p>The committee')
    httpserver.expect_request("/story").respond_with_data(page, content_type="text/html")
    root = tmp_path / "arch"
    with Archive(root, seed=False) as a:
        aid = a.save_url(httpserver.url_for("/story")).article.id
        before = a.article_html(aid)
    assert before.count('src="images/') == 2
    httpserver.clear()  # the site is gone
    with Archive(root, seed=False) as a:
        assert a.reextract([aid]) == (1, [])
        after = a.article_html(aid)
    assert "missing-image" not in after and after.count('src="images/') == 2
    assert re.search(r'src="images/[0-9a-f]+\.svg" alt="chart"', after)


@pytest.mark.parametrize("extract", [True, False])
def test_an_unclosed_embed_does_not_swallow_the_rest(extract: bool) -> None:
    """libxml2 nests what follows an HTML5 empty element inside it."""
    page = make_page().replace(
        "<p>The committee", '<embed src="https://media.test/x.swf"><p>The committee')
    _raw, ex = prepare_page(page, "https://news.test/story", extract=extract)
    assert "The committee will publish its full findings" in ex.text
    assert ex.content_html.index("media.test/x.swf") < ex.content_html.index("The committee")


def noisy_png(size: int) -> bytes:
    """A PNG too big (4 KB+) to compress away: random bytes per pixel."""
    rng = random.Random(size)
    pixels = [tuple(rng.randrange(256) for _ in range(3)) for _ in range(size * size)]

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    rows = b"".join(b"\x00" + b"".join(bytes(p) for p in pixels[y * size:(y + 1) * size])
                    for y in range(size))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def test_large_unquoted_data_image_keeps_the_attributes_after_it(archive) -> None:
    photo = noisy_png(40)
    uri = "data:image/png;base64," + base64.b64encode(photo).decode()
    assert len(uri) > 4096
    for n, snippet in enumerate((f"<img src={uri} alt=Photo width=40>",
                                 f'<img srcset="{uri} 2x" alt="Photo">')):
        page = make_page().replace("<p>The committee", f"<p>{snippet}</p><p>The committee")
        article = archive.save_html(page, None, source=f"test:{n}", download_images=True).article
        html = archive.article_html(article.id)
        folder = archive.article_dir(article.id) / "images"
        assert [p.read_bytes() for p in folder.iterdir()] == [photo], snippet[:40]
        [img] = lxml.html.fromstring(html).findall(".//img")
        assert img.get("alt") == "Photo" and img.get("src").startswith("images/")
        assert n == 1 or img.get("width") == "40"
