"""Images end up in the article folder; nothing remote is left to load."""
from __future__ import annotations

import base64
import re
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from archive.capture.fetch import Fetcher
from archive.capture.imagefiles import sanitize_svg, sniff_image
from archive.capture.images import localize_images
from archive.capture.srcset import parse_srcset, rank_srcset

# Tiny real images: the PNG is built by hand; the JPEG and GIF are the
# classic smallest valid 1x1 files (both decode in Qt's image readers).
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////"
    "////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA="
)
GIF = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00"
       b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")


def make_png(rgb: tuple[int, int, int], size: int = 1) -> bytes:
    """A valid RGB PNG of one colour; different colours give different bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    row = b"\x00" + bytes(rgb) * size
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * size)) + chunk(b"IEND", b""))


RED, GREEN, BLUE, GREY = (make_png(c) for c in ((255, 0, 0), (0, 255, 0), (0, 0, 255),
                                                 (9, 9, 9)))
SVG_EVIL = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY x "boom">]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     width="10" height="10" onload="alert(1)">
  <script>alert(2)</script>
  <style>@import url(http://evil.example/x.css); rect { fill: url(#g); }
         circle { fill: url(http://evil.example/p.png) }</style>
  <foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" src="http://evil.example/"/></foreignObject>
  <image xlink:href="http://evil.example/track.png" width="5" height="5"/>
  <use href="#r"/>
  <a href="javascript:alert(3)"><text>&x;</text></a>
  <set attributeName="href" to="javascript:alert(4)"/>
  <rect id="r" width="10" height="10" fill="red" onclick="steal()" style="fill:url(http://evil.example/f)"/>
</svg>"""


def stored(images_dir: Path) -> dict[str, bytes]:
    if not images_dir.exists():
        return {}
    return {p.name: p.read_bytes() for p in images_dir.iterdir() if not p.name.startswith(".")}


def remote_resources(html: str) -> list[str]:
    """Every URL in the HTML a browser would load by itself (not <a href>)."""
    root = lxml.html.fromstring(f"<div>{html}</div>")
    found = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for attr, value in element.attrib.items():
            if element.tag in ("a", "area") and attr == "href":
                continue
            if attr in ("src", "srcset", "poster", "href", "xlink:href", "background", "data") \
                    or attr.startswith("data-"):
                if not value.startswith("images/") and not value.startswith("#"):
                    found.append(f"{element.tag}@{attr}={value}")
        for css in filter(None, [element.get("style"),
                                 element.text if element.tag == "style" else None]):
            for url in re.findall(r"url\(([^)]*)\)", css):
                if not url.strip("'\" ").startswith(("images/", "#")):
                    found.append(f"{element.tag} css {url}")
    return found


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(timeout_connect=2, timeout_total=3) as f:
        yield f


def serve(server: HTTPServer, path: str, data: bytes, content_type: str = "image/png") -> str:
    server.expect_request(path).respond_with_data(data, content_type=content_type)
    return server.url_for(path)


# -- the kinds of references ---------------------------------------------------------
def test_relative_absolute_and_protocol_relative(httpserver: HTTPServer, fetcher: Fetcher,
                                                 tmp_path: Path) -> None:
    serve(httpserver, "/blog/img/red.png", RED)
    serve(httpserver, "/static/green.jpg", JPEG, "image/jpeg")
    absolute = serve(httpserver, "/abs/blue.gif", GIF, "image/gif")
    host = absolute.split("//", 1)[1].split("/", 1)[0]
    page = httpserver.url_for("/blog/post.html")
    html = (f'<p>Intro <img src="img/red.png" alt="red"> text</p>'
            f'<p><img src="/static/green.jpg"><img src="{absolute}"></p>'
            f'<figure><img src="//{host}/abs/blue.gif"></figure>')
    out, problems = localize_images(html, page, tmp_path / "images", fetcher)
    assert problems == []
    files = stored(tmp_path / "images")
    assert sorted(files.values()) == sorted([RED, JPEG, GIF])  # the gif twice, stored once
    assert {n.rsplit(".", 1)[1] for n in files} == {"png", "jpg", "gif"}
    srcs = re.findall(r'src="([^"]+)"', out)
    assert len(srcs) == 4 and all(s.startswith("images/") for s in srcs)
    assert srcs[2] == srcs[3]
    assert "Intro " in out and " text</p>" in out  # surrounding text kept
    assert remote_resources(out) == []


def test_srcset_best_candidate_and_lazy_attributes(httpserver: HTTPServer, fetcher: Fetcher,
                                                   tmp_path: Path) -> None:
    small = serve(httpserver, "/s.png", RED)
    large = serve(httpserver, "/l.png", GREEN)
    huge = serve(httpserver, "/h.png", GREY)
    lazy = serve(httpserver, "/lazy.png", BLUE)
    lazyset = serve(httpserver, "/lazy-2x.jpg", JPEG, "image/jpeg")
    html = (
        f'<img src="{small}" srcset="{small} 400w, {large} 1600w, {huge} 6000w" sizes="50vw">'
        f'<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-src="{lazy}" class="lazyload">'
        f'<img data-srcset="{lazy} 1x, {lazyset} 2x" data-original="{lazy}">'
    )
    out, problems = localize_images(html, None, tmp_path / "images", fetcher)
    assert problems == []
    files = stored(tmp_path / "images")
    assert sorted(files.values()) == sorted([GREEN, BLUE, JPEG])
    assert RED not in files.values() and GREY not in files.values()  # not downloaded
    root = lxml.html.fromstring(f"<div>{out}</div>")
    imgs = root.findall(".//img")
    assert [files[i.get("src").split("/")[1]] for i in imgs] == [GREEN, BLUE, JPEG]
    for img in imgs:
        assert set(img.attrib) <= {"src", "class", "alt"}
    assert remote_resources(out) == []


def test_a_lazy_attribute_holding_json_gives_the_address_inside(httpserver: HTTPServer, fetcher: Fetcher,
                                                                tmp_path: Path) -> None:
    """Some lazy-loading scripts keep a JSON object in data-src: the address in it is
    the picture, and the JSON is never requested as an address of its own."""
    import html as htmlmod
    import json

    lazy = serve(httpserver, "/pics/lazy.png", BLUE)
    value = json.dumps({"default": {"load": "default", "w": "80", "h": "45",
                                    "src": lazy.replace("http:", "")}})  # protocol-relative
    html = (f'<img alt="a bed" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" '
            f"data-src='{htmlmod.escape(value, quote=False)}'>"
            f"<img alt=\"nothing\" data-src='{{\"w\": 80}}'>")
    out, problems = localize_images(html, httpserver.url_for("/article/1"), tmp_path / "images", fetcher)
    assert list(stored(tmp_path / "images").values()) == [BLUE]
    assert all(not req.path.startswith(("/article/{", "/article/%7B")) for req, _ in httpserver.log), \
        [req.path for req, _ in httpserver.log]
    assert remote_resources(out) == []


def test_picture_sources(httpserver: HTTPServer, fetcher: Fetcher, tmp_path: Path) -> None:
    webp_like = serve(httpserver, "/p.webp", GREEN)
    avif = serve(httpserver, "/p.avif", GREY)
    html = (f'<picture><source type="image/avif" srcset="{avif}">'
            f'<source type="image/webp" data-srcset="{webp_like} 800w">'
            f'<img data-src="" alt="only sources"></picture>')
    out, problems = localize_images(html, None, tmp_path / "images", fetcher)
    assert problems == []
    assert list(stored(tmp_path / "images").values()) == [GREEN]
    assert "<source" not in out
    assert remote_resources(out) == []


def test_raw_picture_markup_keeps_its_img(httpserver: HTTPServer, fetcher: Fetcher,
                                          tmp_path: Path) -> None:
    """libxml2 nests the <img> inside the HTML5 <source> before it: dropping the
    sources must not drop the picture."""
    webp_like = serve(httpserver, "/p.webp", GREEN)
    jpg = serve(httpserver, "/p.jpg", JPEG, "image/jpeg")
    out, problems = localize_images(f'<p>before</p><picture><source srcset="{webp_like}" type="image/webp">'
                                    f'<img src="{jpg}" alt="kept"></picture><p>after</p>', None,
                                    tmp_path / "images", fetcher)
    assert problems == []
    root = lxml.html.fromstring(f"<div>{out}</div>")
    [img] = root.findall(".//img")
    assert img.get("alt") == "kept" and stored(tmp_path / "images")[img.get("src")[7:]] == JPEG
    assert "<source" not in out and "<p>after</p>" in out


def test_lowsrc_is_tried_after_src(httpserver: HTTPServer, fetcher: Fetcher, tmp_path: Path) -> None:
    full = serve(httpserver, "/full.png", GREEN)
    low = serve(httpserver, "/low.png", GREY)
    out, problems = localize_images(f'<img lowsrc="{low}" src="{full}">', None,
                                    tmp_path / "images", fetcher)
    assert problems == [] and list(stored(tmp_path / "images").values()) == [GREEN]


def test_embed_mark_becomes_a_placeholder_with_its_poster(httpserver: HTTPServer, fetcher: Fetcher,
                                                         tmp_path: Path) -> None:
    """What archive.htmlparse leaves for a video: an empty link marked with its kind."""
    poster = serve(httpserver, "/poster.png", RED)
    html = (f'<p>a</p><a data-quire-embed="video" href="http://127.0.0.1:9/v.mp4">'
            f'<img src="{poster}" alt=""></a><a data-quire-embed="embed"></a><p>b</p>')
    out, problems = localize_images(html, None, tmp_path / "images", fetcher)
    assert problems == [] and list(stored(tmp_path / "images").values()) == [RED]
    root = lxml.html.fromstring(f"<div>{out}</div>")
    video, frame = root.find_class("missing-media")
    assert video.text_content() == "[Video not saved: http://127.0.0.1:9/v.mp4]"
    assert video.find(".//img").get("src").startswith("images/")
    assert frame.text_content() == "[Embedded content not saved]"
    assert "data-quire-embed" not in out and remote_resources(out) == []


def test_avif_candidates_come_last(httpserver: HTTPServer, fetcher: Fetcher,
                                   tmp_path: Path) -> None:
    avif = serve(httpserver, "/big.avif", GREY)
    jpg = serve(httpserver, "/small.jpg", JPEG, "image/jpeg")
    out, problems = localize_images(f'<img srcset="{avif} 1200w, {jpg} 600w">', None,
                                    tmp_path / "images", fetcher)
    assert problems == [] and list(stored(tmp_path / "images").values()) == [JPEG]


def test_fallback_to_next_candidate_when_best_fails(httpserver: HTTPServer, fetcher: Fetcher,
                                                    tmp_path: Path) -> None:
    httpserver.expect_request("/big.png").respond_with_data("gone", status=404)
    ok = serve(httpserver, "/small.png", RED)
    big = httpserver.url_for("/big.png")
    out, problems = localize_images(f'<img src="{ok}" srcset="{ok} 300w, {big} 1200w">', None,
                                    tmp_path / "images", fetcher)
    assert problems == []
    assert list(stored(tmp_path / "images").values()) == [RED]
    assert 'src="images/' in out


# -- failures become placeholders --------------------------------------------------------
def test_failed_images_become_placeholders(httpserver: HTTPServer, fetcher: Fetcher,
                                           tmp_path: Path) -> None:
    httpserver.expect_request("/missing.png").respond_with_data("nope", status=404)
    httpserver.expect_request("/boom.png").respond_with_data("err", status=500)
    serve(httpserver, "/page.png", b"<html><body>Not an image</body></html>", "image/png")
    ok = serve(httpserver, "/ok.png", RED)
    missing, boom = httpserver.url_for("/missing.png"), httpserver.url_for("/boom.png")
    fake = httpserver.url_for("/page.png")
    html = (f'<p>a<img src="{missing}" alt="A chart">b</p><img src="{boom}">'
            f'<a href="/x"><img src="{fake}"></a><img src="{ok}"><img src="{missing}">')
    out, problems = localize_images(html, None, tmp_path / "images", fetcher)
    assert len(problems) == 3  # one per distinct failing URL
    assert any("HTTP 404 Not Found" in p and missing in p for p in problems)
    assert any("HTTP 500" in p for p in problems)
    assert any("not an image" in p and fake in p for p in problems)
    root = lxml.html.fromstring(f"<div>{out}</div>")
    holders = root.find_class("missing-image")
    assert len(holders) == 4
    assert "A chart" in holders[0].text_content() and missing in holders[0].text_content()
    assert holders[0].find("a").get("href") == missing  # a link, not a load
    assert holders[2].find("a") is None  # no link nested in a link
    assert fake in holders[2].text_content()
    assert "a" in out and "b</p>" in out
    assert list(stored(tmp_path / "images").values()) == [RED]
    assert remote_resources(out) == []


def test_slow_image_times_out_into_a_placeholder(httpserver: HTTPServer, tmp_path: Path) -> None:
    def slow(request: Request) -> Response:
        time.sleep(0.8)
        return Response(RED, content_type="image/png")

    httpserver.expect_request("/slow.png").respond_with_handler(slow)
    with Fetcher(timeout_connect=0.3, timeout_total=0.3) as quick:
        out, problems = localize_images(f'<img src="{httpserver.url_for("/slow.png")}">', None,
                                        tmp_path / "images", quick)
    assert len(problems) == 1 and "timed out" in problems[0]
    assert "missing-image" in out


def test_without_fetcher_remote_images_become_placeholders(tmp_path: Path) -> None:
    data_uri = "data:image/png;base64," + base64.b64encode(BLUE).decode()
    html = (f'<img src="http://127.0.0.1:9/x.png"><img src="{data_uri}">'
            '<img src="relative/without/base.png">')
    out, problems = localize_images(html, None, tmp_path / "images", None)
    assert list(stored(tmp_path / "images").values()) == [BLUE]  # data: kept offline
    assert len(problems) == 2
    assert any("relative address" in p and "base.png" in p for p in problems)
    assert "http://127.0.0.1:9/x.png" in out  # named as text...
    assert remote_resources(out) == []  # ...but never loaded


def test_per_image_and_per_article_caps(httpserver: HTTPServer, fetcher: Fetcher,
                                        tmp_path: Path) -> None:
    urls = [serve(httpserver, f"/{i}.png", make_png((i, i, i))) for i in range(5)]
    huge = serve(httpserver, "/huge.png", RED + b"\x00" * 5000)
    html = "".join(f'<img src="{u}">' for u in urls) + f'<img src="{huge}">'
    out, problems = localize_images(html, None, tmp_path / "images", fetcher,
                                    max_image_bytes=2000, max_total_bytes=3 * len(RED),
                                    concurrency=2)
    files = stored(tmp_path / "images")
    assert len(files) == 3  # the budget holds three of the five small ones
    assert sum(len(b) for b in files.values()) <= 3 * len(RED)
    assert any("image budget" in p for p in problems)
    assert any("huge.png" in p and "limit" in p for p in problems)
    assert out.count("missing-image") == 3


def test_images_download_concurrently_within_the_bound(tmp_path: Path) -> None:
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    lock = threading.Lock()
    state = {"now": 0, "peak": 0}

    def image(request: Request) -> Response:
        with lock:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
        time.sleep(0.1)
        with lock:
            state["now"] -= 1
        n = int(request.path.strip("/").split(".")[0])
        return Response(make_png((n, 0, 0)), content_type="image/png")

    try:
        for i in range(8):
            server.expect_request(f"/{i}.png").respond_with_handler(image)
        html = "".join(f'<img src="{server.url_for(f"/{i}.png")}">' for i in range(8))
        with Fetcher(timeout_total=5) as fetcher:
            out, problems = localize_images(html, None, tmp_path / "images", fetcher,
                                            concurrency=3)
    finally:
        server.clear()
        server.stop()
    assert problems == [] and len(stored(tmp_path / "images")) == 8
    assert 2 <= state["peak"] <= 3


# -- SVG and other resource kinds -------------------------------------------------------
def test_svg_is_sanitized(httpserver: HTTPServer, fetcher: Fetcher, tmp_path: Path) -> None:
    url = serve(httpserver, "/d.svg", SVG_EVIL, "image/svg+xml")
    out, problems = localize_images(f'<img src="{url}">', None, tmp_path / "images", fetcher)
    assert problems == []
    [(name, data)] = stored(tmp_path / "images").items()
    assert name.endswith(".svg")
    text = data.decode()
    for bad in ("script", "alert", "onload", "onclick", "foreignObject", "evil.example",
                "javascript", "@import", "ENTITY", "boom"):
        assert bad not in text, bad
    assert 'url(#g)' in text and 'href="#r"' in text and "<rect" in text


def test_data_uri_svg_is_sanitized_too(tmp_path: Path) -> None:
    uri = "data:image/svg+xml;base64," + base64.b64encode(SVG_EVIL).decode()
    out, problems = localize_images(f'<img src="{uri}">', None, tmp_path / "images", None)
    assert problems == []
    [(name, data)] = stored(tmp_path / "images").items()
    assert name.endswith(".svg") and b"script" not in data and b"evil" not in data
    assert f'src="images/{name}"' in out


def test_sanitize_svg_refuses_non_svg() -> None:
    assert sanitize_svg(b"<html><body>hi</body></html>") is None
    assert sanitize_svg(b"<svg><unclosed") is None


def test_video_iframe_styles_and_links(httpserver: HTTPServer, fetcher: Fetcher,
                                       tmp_path: Path) -> None:
    poster = serve(httpserver, "/poster.png", RED)
    bg = serve(httpserver, "/bg.png", GREEN)
    html = (
        '<link rel="stylesheet" href="http://127.0.0.1:9/site.css">'
        '<script src="http://127.0.0.1:9/x.js"></script>'
        f'<video poster="{poster}" src="http://127.0.0.1:9/v.mp4"><source src="http://127.0.0.1:9/v.webm"></video>'
        '<iframe src="http://127.0.0.1:9/embed"></iframe>'
        f'<div style="background-image: url(\'{bg}\'); color: red">styled</div>'
        '<p style="background: image-set(\'http://127.0.0.1:9/s.png\' 1x); margin: 0">set</p>'
        '<style>@import "http://127.0.0.1:9/a.css";'
        ' p { background: url(http://127.0.0.1:9/gone.png) }</style>'
        '<p><a href="http://127.0.0.1:9/elsewhere" ping="http://127.0.0.1:9/track">a link</a></p>'
        '<svg><image xlink:href="http://127.0.0.1:9/i.png"></image></svg>'
    )
    out, problems = localize_images(html, None, tmp_path / "images", fetcher)
    assert remote_resources(out) == []
    assert sorted(stored(tmp_path / "images").values()) == sorted([RED, GREEN])
    assert 'href="http://127.0.0.1:9/elsewhere"' in out and "ping=" not in out
    assert "Video not saved" in out and "http://127.0.0.1:9/v.mp4" in out
    assert "Embedded content not saved" in out
    assert "color: red" in out and "styled" in out
    assert "image-set" not in out and "margin: 0" in out
    assert "<script" not in out and "<link" not in out and "@import" not in out


def test_whole_document_and_base_href(httpserver: HTTPServer, fetcher: Fetcher,
                                      tmp_path: Path) -> None:
    serve(httpserver, "/assets/pic.png", RED)
    base = httpserver.url_for("/assets/")
    html = (f'<!DOCTYPE html><html><head><base href="{base}"><title>T</title></head>'
            '<body><img src="pic.png"></body></html>')
    out, problems = localize_images(html, "http://127.0.0.1:9/elsewhere/", tmp_path / "images",
                                    fetcher)
    assert problems == []
    assert out.startswith("<!DOCTYPE html>") and "<title>T</title>" in out
    assert "<base" not in out and 'src="images/' in out


def test_rerun_on_localized_html_keeps_local_files(httpserver: HTTPServer, fetcher: Fetcher,
                                                   tmp_path: Path) -> None:
    url = serve(httpserver, "/r.png", RED)
    first, _ = localize_images(f'<img src="{url}">', None, tmp_path / "images", fetcher)
    second, problems = localize_images(first, None, tmp_path / "images", None)
    assert problems == [] and second == first


# -- helpers ---------------------------------------------------------------------------
def test_sniff_image() -> None:
    assert sniff_image(RED) == "png"
    assert sniff_image(JPEG) == "jpg"
    assert sniff_image(GIF) == "gif"
    assert sniff_image(b"RIFF\x10\x00\x00\x00WEBPVP8 ") == "webp"
    assert sniff_image(b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'/>") == "svg"
    assert sniff_image(b"<html>not an image</html>") is None
    assert sniff_image(b"%PDF-1.4") is None


def test_srcset_parsing_keeps_commas_inside_urls() -> None:
    parsed = parse_srcset("https://cdn.example/w_300,h_200/a.jpg 300w,\n  /b.jpg 2x, /c.jpg")
    assert [(c.url, c.width, c.density) for c in parsed] == [
        ("https://cdn.example/w_300,h_200/a.jpg", 300.0, None),
        ("/b.jpg", None, 2.0),
        ("/c.jpg", None, None),
    ]
    assert rank_srcset("a.jpg 400w, b.jpg 1600w, c.jpg 6000w") == ["b.jpg", "a.jpg", "c.jpg"]
    assert rank_srcset("a.jpg 1x, b.jpg 2x, c.jpg 3x") == ["b.jpg", "a.jpg", "c.jpg"]


_VALUES = st.sampled_from([
    "http://127.0.0.1:9/a.png", "//127.0.0.1:9/b.png", "rel/c.png", "/d.png", "javascript:x()",
    "data:image/png;base64,iVBORw0KGgo=", "data:text/html,<b>x</b>", "images/zz.png", "#frag",
    "http://127.0.0.1:9/a.png 1x, http://127.0.0.1:9/e.png 2x", "", "  ",
    "url(http://127.0.0.1:9/f.png)", "background:url('//127.0.0.1:9/g.png')",
])
_TAGS = st.sampled_from(["img", "picture", "source", "video", "audio", "iframe", "div", "a",
                         "link", "style", "svg", "image", "object", "embed", "input", "p"])
_ATTRS = st.sampled_from(["src", "srcset", "data-src", "data-srcset", "data-original", "poster",
                          "href", "style", "background", "data", "xlink:href", "type", "alt",
                          "lowsrc", "data-lazy-src"])


@st.composite
def _html(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 6))):
        tag = draw(_TAGS)
        attrs = " ".join(f'{draw(_ATTRS)}="{draw(_VALUES)}"'
                         for _ in range(draw(st.integers(0, 3))))
        inner = draw(st.sampled_from(["", "text", '<img src="http://127.0.0.1:9/in.png">',
                                      "p { background: url(http://127.0.0.1:9/css.png) }"]))
        parts.append(f"<{tag} {attrs}>{inner}</{tag}>tail")
    return "".join(parts)


@settings(max_examples=60, deadline=None)
@given(html=_html(), base=st.sampled_from([None, "http://127.0.0.1:9/post/"]))
def test_no_remote_resource_survives_any_markup(html: str, base: str | None,
                                                tmp_path_factory: pytest.TempPathFactory) -> None:
    images_dir = tmp_path_factory.mktemp("fuzz") / "images"
    out, problems = localize_images(html, base, images_dir, None)
    assert remote_resources(out) == [], (html, out)
    assert all(isinstance(p, str) and p for p in problems)
