"""Parse web pages at a bounded cost, and read their plain text.

Both the extractor and the index use this: every page is parsed once with the
same limits (huge pages cut, libxml2's nesting and text-node caps on), and the
plain text of an article (one paragraph per line) is what is searched, shown in
snippets and compared when scoring extraction.
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

from archive.errors import ExtractionError

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
    where = url or "the document"
    if not isinstance(html, str):
        raise ExtractionError(f"{where}: expected decoded text, got {type(html).__name__}")
    if not html.strip():
        raise ExtractionError(f"{where}: the document is empty")
    sample = html[:8192]
    junk = len(_CONTROL.findall(sample)) + sample.count("\ufffd")
    if junk > 0.1 * len(sample) and not _TAG_LIKE.search(sample):
        raise ExtractionError(f"{where}: the document is binary data, not an HTML page")
    if junk > 0.3 * len(sample):
        raise ExtractionError(f"{where}: the document is mostly binary data, not an HTML page")


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
        raise ExtractionError(f"{url or 'the document'}: not parseable as HTML ({exc})") from exc
    truncated = cut or any(err.type_name == "ERR_RESOURCE_LIMIT" for err in parser.error_log)
    return doc, truncated


def _collapse_spaces(line: str) -> str:
    """Each run of spaces (any Unicode space, and zero-width spaces) as one space,
    trimmed: str.split does it several times faster than a regex substitution,
    which was a third of turning a stored article back into text for `reindex`."""
    if "\u200b" in line:
        line = line.replace("\u200b", " ")
    return " ".join(line.split())


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
            if skipping or (skip_invisible and tag in INVISIBLE_TAGS) or (
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
    text = "\n".join(lines)
    # Composed form (NFC): a page that writes é as e + combining accent would
    # otherwise have its words cut in two by the index and the highlighter.
    return text if text.isascii() else unicodedata.normalize("NFC", text)
