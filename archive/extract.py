"""Turn a whole web page into the article it carries.

Pipeline: parse once with lxml (bounded: libxml2's depth and text-size limits
stay on) -> metadata from the intact page -> readability-lxml picks the
article body -> sanitize -> plain text with one paragraph per line.

The page's whole visible text is kept too, so a page whose extraction looks
poor is still saved, marked ``uncertain``, and the reader can offer the full
text instead.
"""
from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement, HTMLParser, document_fromstring, tostring
from readability import Document

from archive.errors import ExtractionError
from archive.metadata import extract_metadata
from archive.models import Extracted
from archive.sanitize import sanitize_tree

#: Tags whose end (and start) is a paragraph boundary in the plain text.
BLOCK_TAGS = frozenset(
    """
    address article aside blockquote body caption dd details dialog div dl dt fieldset figcaption
    figure footer form h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre section summary
    table tbody thead tfoot tr ul
    """.split()
)
#: Tags whose content is never visible text.
INVISIBLE_TAGS = frozenset(
    "script style noscript template head title meta link iframe object embed svg math canvas".split()
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
_TAG_LIKE = re.compile(r"<\s*[a-zA-Z!/?]")

#: Extraction shorter than this share of the page's visible text is doubtful...
UNCERTAIN_RATIO = 0.2
#: ...unless it is long enough on its own to be an article.
CONFIDENT_CHARS = 1500


def _parser() -> HTMLParser:
    # remove_comments/PIs: they are never content. huge_tree stays off on purpose:
    # libxml2 then caps nesting depth (256) and single text nodes (10 MB), which
    # bounds the time and memory of every later step on hostile pages.
    return HTMLParser(remove_comments=True, remove_pis=True, recover=True)


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


def parse_page(html: str, url: str | None = None) -> tuple[HtmlElement, bool]:
    """Parse ``html`` into a document; the flag says libxml2 had to truncate it."""
    _check_is_page(html, url)
    text = _CONTROL.sub("", _XML_DECL.sub("", html, count=1))
    parser = _parser()
    try:
        doc = document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"{url or 'the document'}: not parseable as HTML ({exc})") from exc
    truncated = any(err.type_name == "ERR_RESOURCE_LIMIT" for err in parser.error_log)
    return doc, truncated


def element_text(root: HtmlElement, skip_invisible: bool = False) -> str:
    """Plain text of ``root``: one line per paragraph-like block, spaces collapsed.

    Walks the tree iteratively (no recursion), so deep trees are safe.
    """
    lines: list[str] = []
    current: list[str] = []
    skipping = 0
    in_pre = 0

    def flush() -> None:
        line = "".join(current)
        current.clear()
        line = line.strip() if in_pre else _SPACES.sub(" ", line).strip()
        if line:
            lines.append(line)

    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if skipping or (skip_invisible and tag in INVISIBLE_TAGS):
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
    return "\n".join(lines)


class _Readability(Document):
    """readability-lxml, fed an already parsed tree and handing back the element.

    Document re-serializes the article and strips attributes with a regex loop;
    we sanitize ourselves, so the element itself is kept instead.
    """

    def get_clean_html(self) -> str:
        return tostring(self.html, encoding="unicode", method="html")


def _readability_body(doc: HtmlElement, url: str | None) -> HtmlElement | None:
    reader = _Readability(doc, url=url)
    try:
        reader.summary(html_partial=True)
    except Exception:  # readability raises Unparseable wrapping anything
        return None
    return reader.html


def _serialize(root: HtmlElement) -> str:
    return "".join(tostring(child, encoding="unicode", method="html") for child in root)


def extract_article(html: str, url: str | None) -> Extracted:
    """Extract the article in ``html`` (a whole page, already decoded) found at ``url``.

    Raises ExtractionError when the input is not a page at all; a page whose
    extraction looks poor comes back with ``uncertain=True`` and ``fulltext``.
    """
    doc, truncated = parse_page(html, url)
    meta = extract_metadata(doc, url)
    fulltext = element_text(doc, skip_invisible=True)

    body = _readability_body(doc, url)
    if body is None:
        body = document_fromstring("<div></div>").find(".//div")
    if body.tag != "div":
        wrapper = document_fromstring("<div></div>").find(".//div")
        wrapper.append(body)
        body = wrapper
    sanitize_tree(body, url)
    text = element_text(body)

    uncertain = truncated or not text or (
        len(text) < UNCERTAIN_RATIO * len(fulltext) and len(text) < CONFIDENT_CHARS
    )
    return Extracted(
        title=meta.title or (url or "Untitled"),
        content_html=_serialize(body),
        text=text,
        authors=meta.authors,
        published=meta.published,
        site_name=meta.site_name,
        lang=meta.lang,
        lead_image=meta.lead_image,
        description=meta.description,
        canonical_url=meta.canonical_url,
        uncertain=uncertain,
        fulltext=fulltext if uncertain else "",
    )


def extract_text(html: str, url: str) -> str:
    """The article body of ``html`` as plain text, one paragraph per line."""
    return extract_article(html, url).text
