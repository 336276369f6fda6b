"""Make an HTML fragment safe to store and render offline.

Everything Quire shows (extracted articles and imported content alike) goes
through here, because the reader renders article.html from disk and must never
run page code or reach the network on its own. The approach is an allow-list:
only known structural and text tags survive, only a few harmless attributes are
kept, and URLs must be http(s)/mailto (after being made absolute). lxml's
Cleaner does the heavy lifting; this module adds the URL and image rules.

Pictures: choosing among a picture's sources is archive.images' job, because
only downloading tells which one works (a 404ing 2x version, one over the size
cap). So every candidate is kept, each checked and made absolute: ``src``,
``srcset`` and the lazy-loading attributes of ``<img>`` (the first lazy address
takes the place of a missing or placeholder ``src``), and ``<picture>`` with its
``<source srcset>``. A CSS background picture of a figure becomes an ``<img>``;
embedded media stays as the empty link archive.htmlparse made of it
(archive.images shows it as a placeholder). The sanitized fragment therefore
still names remote pictures; archive.images replaces each by a local file or a
placeholder and removes whatever could still load. ``data:`` images are kept
only when they are pictures: raster images of some size (lazy-loading
placeholders are a few dozen characters) or SVG that draws something
(archive.images sanitizes it before storing).
"""
from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import unquote_to_bytes, urljoin, urlsplit

from lxml import etree
from lxml.html import HtmlElement, fragment_fromstring, tostring
from lxml_html_clean import Cleaner

from archive.extraction.htmlparse import EMBED_MARK, SVG_DRAWING, normalize_tree
from archive.capture.imagefiles import CSS_URL
from archive.capture.images import LAZY_SRC_ATTRS, LAZY_SRCSET_ATTRS
from archive.capture.srcset import parse_srcset, picture_address

#: Tags that are kept as they are.
ALLOWED_TAGS = frozenset(
    """
    a abbr b bdi bdo blockquote br caption cite code col colgroup dd del details dfn div dl dt
    em figcaption figure h1 h2 h3 h4 h5 h6 hr i img ins kbd li mark ol p pre q rp rt ruby s samp
    section small span strong sub summary sup table tbody td tfoot th thead time tr u ul var wbr
    article aside picture source
    """.split()
)

#: Tags removed together with everything inside them.
KILLED_TAGS = frozenset(
    """
    script style noscript template iframe frame frameset object embed applet param base meta link
    form input button select textarea option optgroup fieldset legend label output datalist
    svg math canvas audio video track map area dialog portal title head nav
    """.split()
)

#: Attributes kept after cleaning; everything else (style, on*, class, id, data-*) goes.
SAFE_ATTRS = frozenset(
    """
    href src alt title width height colspan rowspan headers scope lang dir datetime cite start
    reversed type abbr span open
    """.split()
)
#: Where a picture's candidates are: checked one by one, and kept on <img> and <source>.
IMAGE_URL_ATTRS = ("src", *LAZY_SRC_ATTRS)
IMAGE_SET_ATTRS = LAZY_SRCSET_ATTRS
CANDIDATE_ATTRS = IMAGE_URL_ATTRS + IMAGE_SET_ATTRS
#: Which of a <picture>'s <source> it is (archive.images skips AVIF).
SOURCE_ATTRS = frozenset({"type", "media"})

URL_ATTRS = ("href", "src", "cite")
SAFE_SCHEMES = frozenset({"http", "https", "mailto", "ftp"})

_LONE_SURROGATES = re.compile("[\ud800-\udfff]")
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INLINE_IMAGE = re.compile(r"^data:image/(?:png|jpe?g|gif|webp|avif)(?:;[\w=.+-]+)*;base64,", re.I)
_INLINE_SVG = re.compile(r"^data:image/svg\+xml(?:;[\w=.+-]+)*?(;base64)?,", re.I)
_SVG_DRAWS = re.compile(rb"<(?:\w+:)?(?:%s)\b" % "|".join(sorted(SVG_DRAWING, key=len, reverse=True)).encode())
MIN_INLINE_IMAGE_CHARS = 256
MAX_INLINE_IMAGE_CHARS = 5_000_000
_CONTROL_CHARS = re.compile(r"[\x00-\x20\x7f]+")
#: A CSS background picture: background(-image): … url(…)
_BACKGROUND = re.compile(r"background(?:-image)?\s*:[^;]*?url\(", re.I)
#: Elements whose background picture is the picture (not a bullet, a quote mark,
#: an icon in a line of text). The extractor turns childless <div>s into <p>s.
_PICTURE_HOLDERS = ("figure", "div", "section", "p", "picture", "article", "header")

_cleaner = Cleaner(
    scripts=True,
    javascript=True,
    comments=True,
    style=True,
    inline_style=True,
    links=True,
    meta=True,
    page_structure=True,
    processing_instructions=True,
    embedded=True,
    frames=True,
    forms=True,
    annoying_tags=True,
    kill_tags=KILLED_TAGS,
    allow_tags=ALLOWED_TAGS,
    remove_unknown_tags=False,
    safe_attrs_only=True,
    safe_attrs=SAFE_ATTRS | SOURCE_ATTRS | set(CANDIDATE_ATTRS) | {EMBED_MARK},
    add_nofollow=False,
)


def web_url(url: str | None) -> str | None:
    """``url`` if it is a well-formed http(s) address, else None: a file path, a
    malformed address or no address leaves relative links as the page wrote them."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        return url.strip() if parts.scheme in ("http", "https") and parts.hostname else None
    except ValueError:
        return None


def safe_url(value: str | None, base_url: str | None) -> str | None:
    """``value`` made absolute against ``base_url``, or None if its scheme is unsafe.

    Browsers ignore control characters and blanks inside a scheme
    ("java\\tscript:"), so they are removed before the scheme is read.
    """
    if not value:
        return None
    cleaned = _CONTROL_CHARS.sub("", value) if ":" in value else value.strip()
    if not cleaned:
        return None
    try:
        absolute = urljoin(base_url, cleaned) if base_url else cleaned
        scheme = urlsplit(absolute).scheme.lower()
    except ValueError:
        return None
    if scheme in SAFE_SCHEMES:
        return absolute
    if not scheme and not base_url:
        # A relative link with nothing to resolve it against: harmless, keep it.
        return absolute
    return None


def image_url(value: str | None, base_url: str | None) -> str | None:
    """One picture candidate made absolute, or None if it cannot be a picture:
    an unsafe scheme, a link scheme (mailto:, ftp:) or a ``data:`` placeholder.
    A lazy-loading script's JSON value gives the address inside it."""
    value = picture_address(value)
    if value and value.strip().lower().startswith("data:"):
        return value.strip() if is_inline_image(value) else None
    url = safe_url(value, base_url)
    if url is None or urlsplit(url).scheme.lower() in ("mailto", "ftp"):
        return None
    return url


def image_set(value: str | None, base_url: str | None) -> str | None:
    """A ``srcset`` with every candidate checked and made absolute (None if none is
    left); URLs with commas in them (image CDNs' ``/c_fill,w_600/``) stay whole."""
    kept = []
    for candidate in parse_srcset(value or ""):
        url = image_url(candidate.url, base_url)
        if url is None or any(ch.isspace() for ch in url):
            continue
        if candidate.width is not None:
            kept.append(f"{url} {_number(candidate.width)}w")
        elif candidate.density is not None:
            kept.append(f"{url} {_number(candidate.density)}x")
        else:
            kept.append(url)
    return ", ".join(kept) or None


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def is_inline_image(value: str) -> bool:
    """A ``data:`` image that is a picture, not a lazy-loading placeholder (a
    transparent pixel, an empty SVG box): raster of some size, or SVG that draws.
    (SVG can carry script: archive.images sanitizes it before storing it.)"""
    value = value.strip()
    if len(value) > MAX_INLINE_IMAGE_CHARS:
        return False
    if _INLINE_IMAGE.match(value):
        return len(value) >= MIN_INLINE_IMAGE_CHARS
    svg = _INLINE_SVG.match(value)
    if svg is None:
        return False
    payload = unquote_to_bytes(value[svg.end():])
    try:
        data = base64.b64decode(payload) if svg.group(1) else payload
    except (binascii.Error, ValueError):
        return False
    return bool(_SVG_DRAWS.search(data))


def _take_candidates(root: HtmlElement, base_url: str | None) -> dict[HtmlElement, dict[str, str]]:
    """Lift every picture candidate off <img> and <picture>'s <source>, checked
    and made absolute, so the Cleaner (which blanks data: SVG and knows nothing of
    srcset) never sees them; each attribute stays, empty, to keep its place.
    _restore_candidates puts the values back."""
    taken: dict[HtmlElement, dict[str, str]] = {}
    for element in root.iter("img", "source"):
        kept: dict[str, str] = {}
        for attr in CANDIDATE_ATTRS:
            value = element.get(attr)
            if value is None:
                continue
            element.set(attr, "")
            clean = image_set(value, base_url) if attr in IMAGE_SET_ATTRS else image_url(value, base_url)
            if clean and clean not in kept.values():
                kept[attr] = clean
        if "src" not in kept:
            # src missing or a placeholder: the first lazy address takes its place
            lazy = next((attr for attr in LAZY_SRC_ATTRS if attr in kept), None)
            if lazy is not None:
                kept = {"src": kept.pop(lazy), **kept}
        taken[element] = kept
    return taken


def _restore_candidates(root: HtmlElement, taken: dict[HtmlElement, dict[str, str]]) -> None:
    """Put the candidates back on the pictures the Cleaner kept; drop pictures left
    with nothing to show (an <img> in a <picture> may rely on its sources)."""
    for element in list(root.iter("img", "source")):
        kept = taken.get(element, {})
        for attr in CANDIDATE_ATTRS:
            if attr in kept:
                element.set(attr, kept[attr])
            else:
                element.attrib.pop(attr, None)
    for picture in list(root.iter("picture")):
        if not any(_has_candidate(el) for el in picture.iter("img", "source")):
            picture.drop_tree()
    for img in list(root.iter("img")):
        in_picture = any(a.tag == "picture" for a in img.iterancestors())
        if not in_picture and not _has_candidate(img):
            img.drop_tree()


def _has_candidate(element: HtmlElement) -> bool:
    return any(element.get(attr) for attr in CANDIDATE_ATTRS)


def _prepare_pictures(root: HtmlElement) -> None:
    """<source> belongs to <picture> only (media sources went with their element);
    a figure's CSS background picture becomes an <img>, since styles are removed."""
    for source in list(root.iter("source")):
        if source.getparent() is None or source.getparent().tag != "picture":
            source.drop_tree()
    for element in list(root.iter(*_PICTURE_HOLDERS)):
        _background_to_img(element)
    for element in list(root.xpath(".//*[@role='img'][@style]")):
        _background_to_img(element)


def _background_to_img(element: HtmlElement) -> None:
    style = element.get("style") or ""
    found = _BACKGROUND.search(style)
    if found is None or next(element.iter("img", "picture"), None) is not None:
        return
    url_match = CSS_URL.search(style, found.end() - 4)
    url = next((g for g in url_match.groups() if g is not None), "").strip() if url_match else ""
    if not url or url.startswith("#"):
        return
    alt = element.get("aria-label") or element.get("title") or ""
    img = element.makeelement("img", {"src": url, "alt": alt.strip()})
    img.tail, element.text = element.text, None
    element.insert(0, img)


def sanitize_tree(root: HtmlElement, base_url: str | None) -> HtmlElement:
    """Sanitize an element tree in place and return it (the root may be replaced).

    Used by the extractor directly, so it does not serialize and re-parse.
    """
    base_url = web_url(base_url)
    normalize_tree(root)  # a fragment's <source>/<embed> nesting, media, charts
    _prepare_pictures(root)
    taken = _take_candidates(root, base_url)
    _cleaner(root)
    _restore_candidates(root, taken)
    for el in root.iter(etree.Element):
        pictured = el.tag in ("img", "source")
        for attr in URL_ATTRS:
            if attr in el.attrib and not (pictured and attr == "src"):
                url = safe_url(el.get(attr), base_url)
                if url is None:
                    del el.attrib[attr]
                else:
                    el.set(attr, url)
        for attr in list(el.attrib):
            if not (attr in SAFE_ATTRS
                    or (pictured and attr in CANDIDATE_ATTRS)
                    or (el.tag == "source" and attr in SOURCE_ATTRS)
                    or (el.tag == "a" and attr == EMBED_MARK)):
                del el.attrib[attr]
    _prune_empty(root)
    return root


#: Containers that say nothing when they hold no text and no picture.
PRUNABLE_TAGS = frozenset(
    "p span div section article aside figure figcaption a b i em strong small u s mark "
    "blockquote h1 h2 h3 h4 h5 h6 li ul ol dl dd dt details summary".split()
)


_INLINE = frozenset("a b i em strong small u s mark span".split())


def _is_content(el: HtmlElement) -> bool:
    """Says something without text: a picture, a rule, a table, a media placeholder."""
    return el.tag in ("img", "picture", "br", "hr", "table", "pre", "code") or (
        el.tag == "a" and el.get(EMBED_MARK) is not None)


def _prune_empty(root: HtmlElement) -> None:
    """Drop wrappers left empty once their scripts, widgets and furniture are gone."""
    for el in reversed(list(root.iter(*PRUNABLE_TAGS))):
        if el is root or (el.text and el.text.strip()) or _is_content(el):
            continue
        if any(
            (child.text and child.text.strip()) or (child.tail and child.tail.strip())
            or _is_content(child)
            for child in el.iterdescendants()
        ):
            continue
        if el.tag not in _INLINE or (el.text and el.text.isspace()):
            # Keep the word boundary the element stood for ("one<span> </span>two").
            el.tail = " " + (el.tail or "")
        el.drop_tree()


def sanitize_html(fragment: str, base_url: str | None) -> str:
    """Return ``fragment`` as safe HTML: allow-listed tags and attributes, absolute
    http(s) links, no scripts, handlers, frames, forms, styles or ``<base>``."""
    if not fragment or not fragment.strip():
        return ""
    # libxml2 stops reading at a lone surrogate and at some control characters.
    fragment = _BAD_CHARS.sub("", _LONE_SURROGATES.sub("\ufffd", fragment))
    try:
        root = fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return ""
    sanitize_tree(root, base_url)
    inner = (root.text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return inner + "".join(tostring(child, encoding="unicode", method="html") for child in root)
