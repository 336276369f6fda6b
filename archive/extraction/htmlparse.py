"""Parse web pages at a bounded cost, and read their plain text.

Both the extractor and the index use this: every page is parsed once with the
same limits (huge pages cut, libxml2's nesting and text-node caps on), and the
plain text of an article (one paragraph per line) is what is searched, shown in
snippets and compared when scoring extraction.

A parsed page is also put in the shape every later step can rely on
(:func:`normalize_tree`): HTML5 empty elements that libxml2 does not know no
longer swallow what follows them, embedded media (video, frames) become an empty
link that archive.images turns into a visible placeholder, and an inline SVG
chart in a figure becomes a picture, because the extractor drops inline SVG and
frames (icons, widgets) before it looks for the article.
"""
from __future__ import annotations

import re
import unicodedata

from lxml import etree
from lxml.html import (
    HtmlComment,
    HtmlElement,
    HtmlEntity,
    HTMLParser,
    HtmlProcessingInstruction,
    document_fromstring,
)

from archive.base.errors import ExtractionError
from archive.base.markup import EMBED_MARK, VOID_TAGS, repair_void_elements  # noqa: F401  (shared; re-exported)
from archive.capture.imagefiles import remove_keeping_tail, svg_data_uri

#: Tags whose end (and start) is a paragraph boundary in the plain text.
BLOCK_TAGS = frozenset(
    """
    address article aside blockquote body caption dd details dialog div dl dt fieldset figcaption
    figure footer form h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre section summary
    table tbody thead tfoot tr ul
    """.split()
)
#: Captions are kept in the article HTML but are not part of its running text.
CAPTION_TAGS = frozenset({"figcaption"})
#: Tags whose content is never visible text.
INVISIBLE_TAGS = frozenset(
    "script style noscript template head title meta link iframe object embed svg math canvas".split()
)
#: Ruby annotations (the readings printed over Japanese and Chinese characters): shown
#: by the reader, left out of the plain text, where they would split the words they gloss.
RUBY_ANNOTATION_TAGS = frozenset({"rt", "rp"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATES = re.compile("[\ud800-\udfff]")
_BULKY_START = re.compile(r"<!--|<(script|style|svg|noscript|template)\b", re.I)
#: Pages longer than this (in characters, after dropping scripts and styles) are
#: cut: extraction time grows with page size (seconds per megabyte on hostile
#: shapes), while news pages stripped that way stay under about 250 000.
MAX_PAGE_CHARS = 1_000_000
#: Runs of text without markup longer than this are cut to GIANT_TEXT_KEEP
#: characters on oversized pages.
GIANT_TEXT_CHARS = 100_000
GIANT_TEXT_KEEP = 10_000
_GIANT_TEXT = re.compile(r"[^<]{%d,}" % GIANT_TEXT_CHARS)
#: Only this much of a huge page is looked at, whatever it holds.
MAX_SCAN_CHARS = 4 * MAX_PAGE_CHARS
_BULKY_END = {
    tag: re.compile(rf"</{tag}\s*>", re.I) for tag in ("script", "style", "svg", "noscript", "template")
}
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_TAG_LIKE = re.compile(r"<\s*[a-zA-Z!/?]")




def _parser() -> HTMLParser:
    """lxml's HTML parser, set up for extraction.

    remove_comments/PIs: they are never content. huge_tree stays off on purpose:
    libxml2 then caps nesting depth (256) and single text nodes (10 MB), which
    bounds the time and memory of every later step on hostile pages. Every
    element is a plain HtmlElement, looked up in C: lxml.html's default lookup
    (special classes for forms and inputs) calls back into Python for each
    element touched, a fifth of the whole extraction time.
    """
    parser = HTMLParser(remove_comments=True, remove_pis=True, recover=True)
    parser.set_element_class_lookup(
        etree.ElementDefaultClassLookup(
            element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction,
            entity=HtmlEntity,
        )
    )
    return parser


def _check_is_page(html: str, url: str | None) -> None:
    """Raise ExtractionError for input that cannot be a web page at all."""
    where = f"{url}: " if url else ""  # the caller names a page that has no address
    if not isinstance(html, str):
        raise ExtractionError(f"{where}expected decoded text, got {type(html).__name__}")
    if not html.strip():
        raise ExtractionError(f"{where}the page is empty")
    sample = html[:8192]
    junk = len(_CONTROL.findall(sample)) + sample.count("\ufffd")
    if junk > 0.1 * len(sample) and not _TAG_LIKE.search(sample):
        raise ExtractionError(f"{where}the page is binary data, not an HTML page")
    if junk > 0.3 * len(sample):
        raise ExtractionError(f"{where}the page is mostly binary data, not an HTML page")


def shrink_page(html: str) -> tuple[str, bool]:
    """Bring a huge page under MAX_PAGE_CHARS; the flag says content was cut.

    Scripts, styles, SVG and comments go first (they make most big pages big);
    JSON-LD stays for the metadata. If that is not enough, the page is cut at a
    tag boundary: articles sit near the top, and extraction time grows with the
    page, so this keeps every page's cost bounded. Plain string searches only, so
    unclosed tags cannot make it backtrack.
    """
    if len(html) <= MAX_PAGE_CHARS:
        return html, False
    cut = len(html) > MAX_SCAN_CHARS
    html = html[:MAX_SCAN_CHARS]
    pieces: list[str] = []
    pos = 0
    while True:
        match = _BULKY_START.search(html, pos)
        if match is None:
            pieces.append(html[pos:])
            break
        start = match.start()
        pieces.append(html[pos:start])
        if match.group(0).startswith("<!--"):
            end = html.find("-->", match.end())
            stop = end + 3 if end >= 0 else -1
        else:
            tag = match.group(1).lower()
            closing = _BULKY_END[tag].search(html, match.end())
            stop = closing.end() if closing else -1
            opening_end = html.find(">", match.end())
            if tag == "script" and 0 <= opening_end and "ld+json" in html[start:opening_end].lower():
                pieces.append(html[start:stop] if stop >= 0 else "")
        if stop < 0:
            break
        pos = stop
    shrunk = "".join(pieces)
    if len(shrunk) <= MAX_PAGE_CHARS:
        return shrunk, cut
    # A giant run of text (a megabyte-long title or attribute) would push the story
    # past the cut: no real paragraph is that long, so such runs are shortened.
    shrunk = _GIANT_TEXT.sub(lambda run: run.group(0)[:GIANT_TEXT_KEEP], shrunk)
    cut = True
    if len(shrunk) <= MAX_PAGE_CHARS:
        return shrunk, cut
    cut = shrunk.rfind("<", 0, MAX_PAGE_CHARS)
    return shrunk[: cut if cut > 0 else MAX_PAGE_CHARS], True


def parse_page(html: str, url: str | None = None) -> tuple[HtmlElement, bool]:
    """Parse ``html`` into a document; the flag says it had to be cut short
    (over the size cap, or past libxml2's nesting and text-node limits)."""
    _check_is_page(html, url)
    html, cut = shrink_page(html)
    text = _SURROGATES.sub("\ufffd", _CONTROL.sub("", _XML_DECL.sub("", html, count=1)))
    parser = _parser()
    try:
        doc = document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"{url + ': ' if url else ''}not parseable as HTML ({exc})") from exc
    truncated = cut or any(err.type_name == "ERR_RESOURCE_LIMIT" for err in parser.error_log)
    normalize_tree(doc)
    return doc, truncated


def _collapse_spaces(line: str) -> str:
    """Each run of spaces (any Unicode space, and zero-width spaces) as one space,
    trimmed: str.split does it several times faster than a regex substitution,
    which was a third of turning a stored article back into text for `reindex`."""
    if "\u200b" in line:
        line = line.replace("\u200b", " ")
    return " ".join(line.split())


def composed(text: str) -> str:
    """`text` in Unicode's composed form (NFC), so é is one letter however written."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def element_text(root: HtmlElement, skip_invisible: bool = False) -> str:
    """Plain text of ``root``: one line per paragraph-like block, spaces collapsed,
    in Unicode's composed form (NFC).

    Walks the tree iteratively (no recursion), so deep trees are safe.
    """
    lines: list[str] = []
    current: list[str] = []
    skipping = 0
    in_pre = 0

    def flush() -> None:
        line = "".join(current)
        current.clear()
        line = line.strip() if in_pre else _collapse_spaces(line)
        if line:
            lines.append(line)

    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if skipping or tag in RUBY_ANNOTATION_TAGS or (skip_invisible and tag in INVISIBLE_TAGS) or (
                not skip_invisible and tag in CAPTION_TAGS
            ):
                skipping += 1
                continue
            if tag in BLOCK_TAGS or tag == "br":
                flush()
            if tag == "pre":
                in_pre += 1
            if el.text and tag:
                current.append(el.text if in_pre else el.text.replace("\n", " "))
        else:
            if skipping:
                skipping -= 1
                if skipping == 0 and el.tail:
                    current.append(el.tail.replace("\n", " "))
                continue
            if tag in ("td", "th"):
                current.append(" ")
            if tag in BLOCK_TAGS:
                flush()
            if tag == "pre":
                in_pre -= 1
            if el.tail and el is not root:
                current.append(el.tail if in_pre else el.tail.replace("\n", " "))
    flush()
    # Composed form (NFC): a page that writes é as e + combining accent would
    # otherwise have its words cut in two by the index and the highlighter.
    return composed("\n".join(lines))


# -- the shape later steps rely on ------------------------------------------------------
EMBEDDED_TAGS = ("iframe", "frame", "embed", "object", "video", "audio", "portal")
_MEDIA_KINDS = {"video": "video", "audio": "audio"}
_IMAGE_FILE = re.compile(r"\.(?:svg|png|jpe?g|gif|webp|avif)(?:[?#]|$)", re.I)
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
#: What a chart draws with; an SVG with none of these (a sprite reference) is an icon.
#: sanitize.py's check of an inline data: SVG uses the same list.
SVG_DRAWING = frozenset("path rect circle ellipse line polyline polygon text image".split())
#: A figure holding one of these has its picture already; an SVG beside it is an icon.
_FIGURE_PICTURES = ("img", "picture", "video", "iframe", "object", "embed", "canvas")


def normalize_tree(root: HtmlElement) -> None:
    """Put a parsed tree in the shape the extractor, sanitizer and image
    downloader rely on (see the module docstring). Safe to run twice."""
    repair_void_elements(root)
    keep_figure_charts(root)  # first: a figure's video or frame makes its SVG an icon
    mark_embedded_media(root)


def mark_embedded_media(root: HtmlElement) -> None:
    """Replace video, audio, frames and plugins with an empty ``<a href=original>``
    marked EMBED_MARK (with the video's poster as an <img> inside).

    They cannot be kept offline, and each later step would otherwise drop them
    without a trace (the extractor removes frames before reading the page, the
    sanitizer removes media); archive.images turns the mark into a visible
    "[Video not saved: link]". An <object>/<embed> showing an image becomes that
    <img>. Hidden frames and frames without an address (tracking pixels, ad slots
    filled by script) are removed without a placeholder.
    """
    replaced: set[HtmlElement] = set()
    for element in list(root.iter(*EMBEDDED_TAGS)):
        parent = element.getparent()
        if parent is None or any(a in replaced for a in element.iterancestors()):
            continue
        replaced.add(element)
        kind = _MEDIA_KINDS.get(element.tag, "embed")
        url = _media_url(element)
        if kind == "embed" and url and (
            (element.get("type") or "").lower().startswith("image/") or _IMAGE_FILE.search(url)
        ):
            stand_in = element.makeelement("img", {"src": url, "alt": element.get("title") or ""})
        elif kind == "embed" and (not url or _is_hidden(element)):
            remove_keeping_tail(element)
            continue
        else:
            stand_in = element.makeelement("a", {EMBED_MARK: kind})
            if url:
                stand_in.set("href", url)
            poster = (element.get("poster") or "").strip()
            if poster:
                stand_in.append(element.makeelement("img", {"src": poster, "alt": ""}))
        stand_in.tail = element.tail
        parent.replace(element, stand_in)


def _media_url(element: HtmlElement) -> str | None:
    """The address an embedded element shows, if it names a real one."""
    url = element.get("src") or element.get("data")
    if not url and element.tag in _MEDIA_KINDS:
        source = next((s for s in element.iter("source") if s.get("src")), None)
        url = source.get("src") if source is not None else None
    url = (url or "").strip()
    if not url or url.lower().startswith(("about:", "javascript:", "data:", "blob:")):
        return None
    return url


def _is_hidden(element: HtmlElement) -> bool:
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    if _HIDDEN.search(element.get("style") or ""):
        return True
    for attr in ("width", "height"):
        value = (element.get(attr) or "").strip().removesuffix("px")
        if value.isdigit() and int(value) <= 2:
            return True
    return False


def keep_figure_charts(root: HtmlElement) -> None:
    """Turn an inline SVG that is a figure's picture (a chart) into an <img> holding
    the SVG, sanitized, as a data: URI; archive.images stores it as images/<hash>.svg.

    Only SVG in a <figure> without a picture of its own counts, and only one that
    draws something: SVG elsewhere is icons and logos, which the extractor drops.
    """
    for figure in list(root.iter("figure")):
        if next(figure.iter(*_FIGURE_PICTURES), None) is not None:
            continue
        for svg in list(figure.iter("svg")):
            if svg.getparent() is None or not _is_chart(svg, figure):
                continue
            uri = svg_data_uri(svg)
            if uri is None:
                continue
            img = svg.makeelement("img", {"src": uri, "alt": _svg_label(svg)})
            for attr in ("width", "height"):
                value = (svg.get(attr) or "").strip().removesuffix("px")
                if value.isdigit():
                    img.set(attr, value)
            img.tail = svg.tail
            svg.getparent().replace(svg, img)


def _is_chart(svg: HtmlElement, figure: HtmlElement) -> bool:
    for ancestor in svg.iterancestors():
        if ancestor is figure:
            break
        if ancestor.tag in ("svg", "a", "button"):
            return False  # nested in another SVG, or a link's or button's icon
    if svg.get("aria-hidden") == "true":
        return False
    return any(isinstance(el.tag, str) and el.tag in SVG_DRAWING for el in svg.iterdescendants())


def _svg_label(svg: HtmlElement) -> str:
    label = svg.get("aria-label")
    if label:
        return label.strip()
    title = svg.find("title")
    return " ".join(title.text_content().split()) if title is not None else ""

