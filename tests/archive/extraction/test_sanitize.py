"""The sanitizer against hostile markup: nothing that runs, loads or redirects
may survive, and the article's structure must.

Every case is also re-parsed after sanitizing and checked for anything
executable, and sanitizing twice must change nothing (no mutation tricks).
"""
from __future__ import annotations

import lxml.html
import pytest

from archive.extraction.sanitize import image_set, safe_url, sanitize_html

BASE = "https://example.test/dir/page.html"

HOSTILE = {
    "script tag": '<SCRIPT SRC="//evil.test/x.js"></SCRIPT><p>ok</p>',
    "script in text": "<p>text<script>/*<!--*/alert(1)//--></script>more</p>",
    "event handlers": '<p onclick="x()" ONMOUSEOVER=y()>t</p><img src=x onerror=alert(1)><body onload=z()>',
    "javascript links": (
        '<a href="JaVaScRiPt:alert(1)">a</a><a href=" java\tscript:alert(1)">b</a>'
        '<a href="&#106;avascript:alert(1)">c</a><a href="\x01javascript:alert(1)">e</a>'
        '<a href="jav&#x09;ascript:alert(1)">f</a>'
    ),
    "vbscript and data links": (
        '<a href="vbscript:msgbox(1)">v</a>'
        '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">d</a>'
    ),
    "data images": '<img src="data:image/svg+xml;base64,PHN2Zz4="><img src="data:image/png;base64,AAAA">',
    "css expressions": (
        '<div style="width: expression(alert(1)); background:url(javascript:alert(1))">css</div>'
        '<style>@import "https://evil.test/x.css"; body{behavior:url(x.htc)}</style>'
        '<link rel="stylesheet" href="https://evil.test/x.css">'
    ),
    "meta refresh": '<meta http-equiv="refresh" content="0;url=https://evil.test/"><p>x</p>',
    "base href": '<base href="https://evil.test/"><a href="/rel">r</a><img src="img.png">',
    "base javascript": '<base href="javascript:alert(1)//"><a href="rel">r</a>',
    "svg with script": (
        '<svg onload=alert(1)><script>alert(1)</script>'
        '<a xlink:href="javascript:alert(1)"><text>svg text</text></a></svg><p>after</p>'
    ),
    "frames and plugins": (
        '<iframe src="https://evil.test/" srcdoc="<script>alert(1)</script>"></iframe>'
        '<object data="x.swf"></object><embed src="x.swf"><applet code="x"></applet><p>after</p>'
    ),
    "forms": (
        '<form action="javascript:alert(1)"><input name=a value=b>'
        '<button formaction="javascript:alert(1)">b</button><textarea>t</textarea></form><p>after</p>'
    ),
    "noscript mutation": '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "conditional comment": "<!--[if IE]><script>alert(1)</script><![endif]--><p>c</p>",
    "raw text element": "<xmp><script>alert(1)</script></xmp>",
    "mathml action": '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">m</maction></math>',
    "srcset javascript": '<img srcset="javascript:alert(1) 2x, /ok.jpg 1x">',
    "whole document": (
        '<html><head><title>T</title><base href="https://evil.test/">'
        '<meta http-equiv="refresh" content="0"></head><body onload="x()"><p>body</p></body></html>'
    ),
    "template": "<template><script>alert(1)</script><img src=x onerror=alert(1)></template><p>t</p>",
    "tracking attributes": '<a href="https://ok.test/" target="_blank" rel="opener" ping="https://t.test">t</a>',
}

FORBIDDEN_TAGS = {"script", "style", "iframe", "frame", "object", "embed", "applet", "form", "input",
                  "button", "textarea", "meta", "base", "link", "svg", "math", "noscript", "template"}


def _assert_inert(html: str) -> None:
    """Re-parse the output the way a renderer would and look for anything active."""
    if not html:
        return
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        assert el.tag not in FORBIDDEN_TAGS, f"<{el.tag}> survived in {html!r}"
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), f"{name} survived in {html!r}"
            assert name not in ("style", "srcdoc", "formaction", "action", "ping", "target"), html
            if name in ("href", "src", "cite"):
                assert value.startswith(("https://", "http://", "mailto:")), f"{name}={value!r}"


def _embed_links(html: str) -> list[str]:
    """The addresses of embedded media kept as links for archive.images' placeholder."""
    root = lxml.html.fragment_fromstring(html or "<div></div>", create_parent="div")
    return [a.get("href") for a in root.iter("a") if a.get("data-quire-embed") is not None]


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_markup_is_made_inert(name: str) -> None:
    out = sanitize_html(HOSTILE[name], BASE)
    _assert_inert(out)
    assert "alert" not in out or "&lt;script&gt;" in out  # only as escaped text
    links = _embed_links(out)  # a frame's address, as a link (never loaded)
    assert "evil.test" not in out.replace(f'href="{links[0]}"' if links else "\0", "")


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_sanitizing_twice_changes_nothing(name: str) -> None:
    once = sanitize_html(HOSTILE[name], BASE)
    assert sanitize_html(once, BASE) == once


def test_surrounding_content_survives() -> None:
    assert sanitize_html(HOSTILE["script tag"], BASE) == "<p>ok</p>"
    assert sanitize_html(HOSTILE["script in text"], BASE) == "<p>textmore</p>"
    assert sanitize_html(HOSTILE["svg with script"], BASE) == "<p>after</p>"
    assert "<p>after</p>" in sanitize_html(HOSTILE["forms"], BASE)
    assert sanitize_html(HOSTILE["whole document"], BASE) == "<p>body</p>"


def test_injected_base_does_not_redirect_relative_links() -> None:
    out = sanitize_html(HOSTILE["base href"], BASE)
    assert out == '<a href="https://example.test/rel">r</a><img src="https://example.test/dir/img.png">'


def test_unsafe_links_keep_their_text_but_lose_the_target() -> None:
    out = sanitize_html(HOSTILE["javascript links"], BASE)
    assert out == "<a>a</a><a>b</a><a>c</a><a>e</a><a>f</a>"


def test_structure_and_harmless_attributes_are_kept() -> None:
    fragment = (
        '<h2>Head</h2><p>Para <em>em</em> <strong>strong</strong> <code>x &lt; y</code></p>'
        "<ul><li>one</li></ul><ol start=\"3\"><li>three</li></ol>"
        "<blockquote cite=\"/src\"><p>quote</p></blockquote><pre>line 1\n  line 2</pre>"
        '<table><caption>T</caption><tr><th scope="col">h</th></tr><tr><td colspan="2">c</td></tr></table>'
        '<figure><img src="a.jpg" alt="A" width="10" class="x" style="y" data-z="1">'
        "<figcaption>Caption</figcaption></figure>"
    )
    out = sanitize_html(fragment, BASE)
    for kept in ("<h2>Head</h2>", "<em>em</em>", "<code>x &lt; y</code>", "<li>one</li>",
                 '<ol start="3">', '<blockquote cite="https://example.test/src">',
                 "<pre>line 1\n  line 2</pre>", "<caption>T</caption>", '<th scope="col">',
                 '<td colspan="2">', "<figcaption>Caption</figcaption>",
                 '<img src="https://example.test/dir/a.jpg" alt="A" width="10">'):
        assert kept in out, kept
    assert "class=" not in out and "style=" not in out and "data-z" not in out


def test_every_picture_candidate_is_kept_checked_and_absolute() -> None:
    """Choosing among them is archive.images' job (only downloading tells which
    works); the sanitizer keeps them all, each made absolute or dropped."""
    out = sanitize_html(
        '<img src="data:image/gif;base64,R0lG" data-src="/lazy.jpg">'
        '<img src="/small.jpg" srcset="/a.jpg 300w, /c_fill,w_600/b.jpg 1200w" sizes="50vw">'
        '<img data-srcset="/x.jpg 1x, javascript:alert(1) 2x" data-echo="/e.jpg" data-foo="/f.jpg">'
        '<img src="/grey.gif" data-actualsrc="/real.jpg" lowsrc="/low.jpg">'
        '<img src="data:image/gif;base64,R0lG">',
        BASE,
    )
    assert out == (
        '<img src="https://example.test/lazy.jpg">'  # in the place of a placeholder src
        '<img src="https://example.test/small.jpg" srcset="https://example.test/a.jpg 300w, '
        'https://example.test/c_fill,w_600/b.jpg 1200w">'
        '<img data-srcset="https://example.test/x.jpg 1x" src="https://example.test/e.jpg">'
        '<img src="https://example.test/grey.gif" data-actualsrc="https://example.test/real.jpg" '
        'lowsrc="https://example.test/low.jpg">'
    )


def test_image_set_keeps_commas_inside_urls() -> None:
    assert image_set("/c_fill,w_300/a.png 300w, /c_fill,w_600/a.png 600w", BASE) == (
        "https://example.test/c_fill,w_300/a.png 300w, https://example.test/c_fill,w_600/a.png 600w")
    assert image_set("a.jpg, b.jpg 1.5x", BASE) == (
        "https://example.test/dir/a.jpg, https://example.test/dir/b.jpg 1.5x")
    assert image_set("javascript:x() 2x", BASE) is None and image_set("", BASE) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/x", "https://example.test/x"),
        ("x", "https://example.test/dir/x"),
        ("//cdn.test/i.png", "https://cdn.test/i.png"),
        ("mailto:a@b.test", "mailto:a@b.test"),
        ("javascript:alert(1)", None),
        ("JAVASCRIPT:alert(1)", None),
        ("java\nscript:alert(1)", None),
        ("data:text/html,x", None),
        ("file:///etc/passwd", None),
        ("", None),
    ],
)
def test_safe_url(value: str, expected: str | None) -> None:
    assert safe_url(value, BASE) == expected


def test_relative_links_without_base_are_kept_as_they_are() -> None:
    assert sanitize_html('<a href="notes.html">n</a>', None) == '<a href="notes.html">n</a>'
    assert sanitize_html('<a href="javascript:x()">n</a>', None) == "<a>n</a>"


def test_empty_and_text_only_fragments() -> None:
    assert sanitize_html("", BASE) == ""
    assert sanitize_html("   ", BASE) == ""
    assert sanitize_html("plain & <simple>", BASE) == "plain &amp; "


def test_picture_with_source_keeps_its_image() -> None:
    """libxml2 nests the <img> inside an HTML5 <source>; the picture must survive,
    with its sources (archive.images picks among them)."""
    out = sanitize_html(
        '<figure><picture><source srcset="a.webp 320w" type="image/webp" onerror="x()">'
        '<img srcset="b.jpg 320w, c.jpg 620w" src="d.jpg" alt="x"></picture></figure>',
        BASE,
    )
    assert out == (
        '<figure><picture><source srcset="https://example.test/dir/a.webp 320w" type="image/webp">'
        '</source><img srcset="https://example.test/dir/b.jpg 320w, https://example.test/dir/c.jpg 620w"'
        ' src="https://example.test/dir/d.jpg" alt="x"></picture></figure>'
    )


def test_picture_whose_only_source_is_a_source_element_is_kept() -> None:
    out = sanitize_html('<figure><picture><source srcset="/p.png"><img alt="F"></picture>'
                        '<figcaption>cap</figcaption></figure>', BASE)
    assert out == ('<figure><picture><source srcset="https://example.test/p.png"></source>'
                   '<img alt="F"></picture><figcaption>cap</figcaption></figure>')
    assert sanitize_html('<picture><source srcset="javascript:x()"><img alt="F"></picture>'
                         '<source src="/stray.mp4"><p>t</p>', BASE) == "<p>t</p>"


def test_background_picture_of_a_figure_becomes_an_img() -> None:
    out = sanitize_html('<div style="background-image:url(\'/hero.png\');height:300px" '
                        'aria-label="The hero">Hero</div>'
                        '<span style="background:url(/icon.png)">icon</span>'
                        '<div style="background: url(/b.png)"><img src="/own.png"></div>', BASE)
    assert out == ('<div><img src="https://example.test/hero.png" alt="The hero">Hero</div>'
                   '<span>icon</span><div><img src="https://example.test/own.png"></div>')


def test_inline_svg_chart_in_a_figure_becomes_a_sanitized_picture() -> None:
    import base64
    import re

    out = sanitize_html(
        '<figure><svg viewBox="0 0 20 10" width="200" onload="alert(1)"><title>Sales</title>'
        '<script>alert(2)</script><linearGradient id="g"/><rect width="20" height="10" '
        'fill="url(#g)"/></svg><figcaption>Sales by year</figcaption></figure>'
        '<p><svg><path d="M0 0"/></svg>icon outside a figure</p>',
        BASE,
    )
    found = re.fullmatch(r'<figure><img src="data:image/svg\+xml;base64,([^"]+)" alt="Sales" '
                         r'width="200"><figcaption>Sales by year</figcaption></figure>'
                         r'<p>icon outside a figure</p>', out)
    assert found, out
    svg = base64.b64decode(found.group(1)).decode()
    assert 'viewBox="0 0 20 10"' in svg and "<linearGradient" in svg and 'fill="url(#g)"' in svg
    assert "alert" not in svg and "script" not in svg and "onload" not in svg


def test_embedded_media_leave_an_empty_link_for_the_placeholder() -> None:
    out = sanitize_html(
        '<p>A</p><iframe src="https://video.test/embed/1" srcdoc="x"></iframe>'
        '<video poster="/poster.png"><source src="/v.mp4">Your browser cannot play this</video>'
        '<iframe src="about:blank"></iframe><iframe src="https://t.test/px" width="1" height="1"></iframe>'
        '<object data="javascript:alert(1)"></object><p>B</p>',
        BASE,
    )
    assert out == (
        '<p>A</p><a data-quire-embed="embed" href="https://video.test/embed/1"></a>'
        '<a data-quire-embed="video" href="https://example.test/v.mp4">'
        '<img src="https://example.test/poster.png" alt=""></a><p>B</p>'
    )


def test_unclosed_void_elements_do_not_swallow_the_article() -> None:
    """libxml2 nests what follows an HTML5 empty element inside it."""
    out = sanitize_html('<p>A</p><embed src="x.swf"><p>B</p><p>C<wbr>D</p>'
                        '<audio><track src="t.vtt"><p>E</p></audio><p>F</p>', BASE)
    assert "<p>B</p>" in out and "<p>F</p>" in out
    assert lxml.html.fragment_fromstring(out, create_parent="div").text_content() == "ABCDF"


def test_empty_wrappers_are_pruned_without_gluing_words() -> None:
    out = sanitize_html("<div><span> </span><p>one<span> </span>two</p><div><span></span></div></div>", BASE)
    assert out == "<div> <p>one two</p> </div>"


def test_inline_pictures_stay_and_placeholders_go() -> None:
    """Raster pictures of some size and SVG that draws stay (archive.images sanitizes
    SVG before storing it); transparent pixels and empty SVG boxes are placeholders."""
    picture = "data:image/png;base64," + "iVBORw0KGgo" * 40
    chart = "data:image/svg+xml,%3Csvg%20xmlns='http://www.w3.org/2000/svg'%3E%3Crect/%3E%3C/svg%3E"
    out = sanitize_html(
        f'<img src="{picture}" alt="chart"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        f'<img src="data:image/svg+xml;base64,{"PHN2Zz4" * 60}">'
        "<img src=\"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'%3E%3C/svg%3E\">"
        f'<img src="{chart}">',
        BASE,
    )
    assert out == f'<img src="{picture}" alt="chart"><img src="{chart}">'


@pytest.mark.parametrize("base", ["http://[broken", "file:///home/me/page.html", "not a url", ""])
def test_unusable_base_leaves_relative_links_alone(base: str) -> None:
    out = sanitize_html('<a href="/x">x</a><img src="i.png"><a href="javascript:y()">y</a>', base)
    assert out == '<a href="/x">x</a><img src="i.png"><a>y</a>'


def test_broken_characters_do_not_cut_the_fragment() -> None:
    assert sanitize_html("<p>a\ud800b\x00c\x1bd</p><p>after</p>", BASE) == "<p>a\ufffdbcd</p><p>after</p>"


def test_deep_nesting_is_bounded() -> None:
    out = sanitize_html("<p>first</p>" + "<div>" * 10_000 + "deep" + "</div>" * 10_000, BASE)
    assert out.startswith("<p>first</p>")


def test_a_lazy_attribute_holding_json_keeps_the_address_inside() -> None:
    from archive.capture.srcset import picture_address

    assert picture_address('{"default": {"w": "80", "src": "//cdn.example/p.jpg"}, "url": "x"}') == "x"
    assert picture_address('{"default": {"w": "80", "src": " //cdn.example/p.jpg "}}') == "//cdn.example/p.jpg"
    assert picture_address('[{"w": 1}, {"url": "https://cdn.example/q.jpg"}]') == "https://cdn.example/q.jpg"
    assert picture_address('{"w": 80}') is None
    assert picture_address('{not json') is None
    assert picture_address("https://example.com/a{b}.jpg") == "https://example.com/a{b}.jpg"
    html = sanitize_html(
        "<p>text</p><img alt='a' src='data:image/gif;base64,R0lGODlhAQABAAAAACw=' "
        "data-src='{\"default\":{\"src\":\"//cdn.example/p.jpg\"}}'>", "https://example.com/story")
    assert 'src="https://cdn.example/p.jpg"' in html, html
    assert "{" not in html.split("<img", 1)[1], html
