"""Make an HTML fragment safe to store and render offline.

Everything Quire shows (extracted articles and imported content alike) goes
through here, because the reader renders article.html from disk and must never
run page code or reach the network on its own. The approach is an allow-list:
only known structural and text tags survive, only a few harmless attributes are
kept, and URLs must be http(s)/mailto (after being made absolute). lxml's
Cleaner does the heavy lifting; this module adds the URL and image rules.

Images: the best candidate of ``srcset`` / lazy-loading attributes
(``data-src``, ``data-lazy-src``, ``data-original``, ...) is resolved into an
absolute ``src``, and ``srcset`` itself is dropped, so the image downloader only
has to look at ``<img src>``. ``data:`` images are kept only when they are
raster pictures of some size (base64 PNG/JPEG/GIF/WebP/AVIF, 256 characters to
5 MB): smaller ones are lazy-loading placeholders, and SVG can carry script.
"""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml.html import HtmlElement, fragment_fromstring, tostring
from lxml_html_clean import Cleaner

#: Tags that are kept as they are.
ALLOWED_TAGS = frozenset(
    """
    a abbr b bdi bdo blockquote br caption cite code col colgroup dd del details dfn div dl dt
    em figcaption figure h1 h2 h3 h4 h5 h6 hr i img ins kbd li mark ol p pre q rp rt ruby s samp
    section small span strong sub summary sup table tbody td tfoot th thead time tr u ul var wbr
    article aside
    """.split()
)

#: Tags removed together with everything inside them.
KILLED_TAGS = frozenset(
    """
    script style noscript template iframe frame frameset object embed applet param base meta link
    form input button select textarea option optgroup fieldset legend label output datalist
    svg math canvas audio video source track map area dialog portal title head nav
    """.split()
)

#: Attributes kept after cleaning; everything else (style, on*, class, id, data-*) goes.
SAFE_ATTRS = frozenset(
    """
    href src alt title width height colspan rowspan headers scope lang dir datetime cite start
    reversed type abbr span open
    """.split()
)

URL_ATTRS = ("href", "src", "cite")
SAFE_SCHEMES = frozenset({"http", "https", "mailto", "ftp"})

#: Attributes where pages keep the real image while ``src`` holds a placeholder.
LAZY_SRC_ATTRS = (
    "data-src",
    "data-lazy-src",
    "data-original",
    "data-lazy",
    "data-url",
    "data-hi-res-src",
    "data-full-src",
    "data-orig-src",
)
LAZY_SRCSET_ATTRS = ("srcset", "data-srcset", "data-lazy-srcset")

_LONE_SURROGATES = re.compile("[\ud800-\udfff]")
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INLINE_IMAGE = re.compile(r"^data:image/(?:png|jpe?g|gif|webp|avif)(?:;[\w=.+-]+)*;base64,", re.I)
MIN_INLINE_IMAGE_CHARS = 256
MAX_INLINE_IMAGE_CHARS = 5_000_000
_SRCSET_ITEM = re.compile(r"\s*(\S+?)(?:\s+([\d.]+)([wx]))?\s*(?:,|$)")
_CONTROL_CHARS = re.compile(r"[\x00-\x20\x7f]+")

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
    safe_attrs=SAFE_ATTRS | set(LAZY_SRC_ATTRS) | set(LAZY_SRCSET_ATTRS),
    add_nofollow=False,
)


def srcset_candidates(srcset: str) -> list[str]:
    """URLs named in a ``srcset`` value, largest first (by width or density)."""
    sized: list[tuple[float, int, str]] = []
    for order, match in enumerate(_SRCSET_ITEM.finditer(srcset or "")):
        url, size, _unit = match.groups()
        if not url:
            continue
        try:
            value = float(size) if size else 1.0
        except ValueError:
            value = 1.0
        sized.append((-value, order, url))
    return [url for _size, _order, url in sorted(sized)]


def best_srcset_candidate(srcset: str) -> str | None:
    """The largest image named in a ``srcset`` value."""
    candidates = srcset_candidates(srcset)
    return candidates[0] if candidates else None


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


def _resolve_image(img: HtmlElement, base_url: str | None) -> None:
    """Put the real image URL into ``src`` and drop the lazy-loading attributes."""
    src = img.get("src")
    from_srcset: list[str | None] = []
    for attr in LAZY_SRCSET_ATTRS:
        from_srcset.extend(srcset_candidates(img.get(attr, "")))
    lazy = [img.get(attr) for attr in LAZY_SRC_ATTRS]
    if src and not src.strip().lower().startswith("data:"):
        # A real src is kept, unless a srcset offers a (larger) version of it.
        candidates = from_srcset + [src]
    else:
        # src is missing or a placeholder: the lazy-loading attributes hold the image.
        candidates = from_srcset + lazy
    chosen = next((c for c in candidates if safe_url(c, base_url)), None)
    for attr in LAZY_SRC_ATTRS + LAZY_SRCSET_ATTRS:
        img.attrib.pop(attr, None)
    url = safe_url(chosen, base_url)
    if url is None and src and is_inline_image(src):
        url = src.strip()  # a picture embedded in the page itself, not a placeholder
    if url is None:
        img.drop_tree()
    else:
        img.set("src", url)


def is_inline_image(value: str) -> bool:
    """A raster ``data:`` image big enough to be a picture: lazy-loading
    placeholders (a transparent pixel) are a few dozen characters, and SVG is
    refused because it can carry script."""
    return MIN_INLINE_IMAGE_CHARS <= len(value) <= MAX_INLINE_IMAGE_CHARS and bool(
        _INLINE_IMAGE.match(value.strip())
    )


def sanitize_tree(root: HtmlElement, base_url: str | None) -> HtmlElement:
    """Sanitize an element tree in place and return it (the root may be replaced).

    Used by the extractor directly, so it does not serialize and re-parse.
    """
    base_url = web_url(base_url)
    for void in list(root.iter("source", "track")):
        # libxml2 parses HTML4 and does not know these HTML5 elements are empty:
        # the <img> after a <picture>'s <source> ends up inside it. Unwrap first,
        # so removing the <source> does not take the picture with it.
        void.drop_tag()
    for img in list(root.iter("img")):
        _resolve_image(img, base_url)
    _cleaner(root)
    for el in root.iter(etree.Element):
        for attr in URL_ATTRS:
            if attr in el.attrib:
                if el.tag == "img" and attr == "src" and is_inline_image(el.get(attr, "")):
                    continue
                url = safe_url(el.get(attr), base_url)
                if url is None:
                    del el.attrib[attr]
                else:
                    el.set(attr, url)
        for attr in list(el.attrib):
            if attr not in SAFE_ATTRS:
                del el.attrib[attr]
    for img in list(root.iter("img")):
        if not img.get("src"):
            img.drop_tree()
    _prune_empty(root)
    return root


#: Containers that say nothing when they hold no text and no picture.
PRUNABLE_TAGS = frozenset(
    "p span div section article aside figure figcaption a b i em strong small u s mark "
    "blockquote h1 h2 h3 h4 h5 h6 li ul ol dl dd dt details summary".split()
)


_INLINE = frozenset("a b i em strong small u s mark span".split())


def _prune_empty(root: HtmlElement) -> None:
    """Drop wrappers left empty once their scripts, widgets and furniture are gone."""
    for el in reversed(list(root.iter(*PRUNABLE_TAGS))):
        if el is root or (el.text and el.text.strip()):
            continue
        if any(
            (child.text and child.text.strip()) or (child.tail and child.tail.strip())
            or child.tag in ("img", "br", "hr", "table", "pre", "code")
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
