"""Turn a whole web page into the article it carries.

Pipeline (extract_article):
  1. parse once with lxml, bounded: huge pages are cut (scripts and styles
     dropped first), libxml2's nesting and text-node limits stay on;
  2. metadata from the intact page (archive.metadata);
  3. readability-lxml picks the article container (on a private copy);
  4. page furniture readability keeps is removed: captions and credits, share
     bars, related-link lists, player text, newsletter boxes, teasers, and the
     headline/standfirst/byline lines the reader shows from the metadata;
  5. prose paragraphs readability dropped between the ones it kept are put back;
  6. sanitize (archive.sanitize) and plain text, one paragraph per line;
  7. a doubtful result (short against the page, link-dense, empty) gets a
     second opinion from trafilatura, which replaces a reading that failed and
     otherwise decides whether the result is marked ``uncertain``.

Every rule is about kinds of markup and text, never about particular sites.
An uncertain article carries the page's whole visible text, so the reader can
offer it instead.
"""
from __future__ import annotations

import copy
import re
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml.html import (
    HtmlComment,
    HtmlElement,
    HtmlEntity,
    HTMLParser,
    HtmlProcessingInstruction,
    document_fromstring,
    tostring,
)
from readability import Document
from readability.readability import REGEXES as READABILITY_REGEXES

from archive import readability_clean  # noqa: F401  (readability's clean() in linear time)
from archive.errors import ExtractionError
from archive.metadata import extract_metadata
from archive.models import Extracted
from archive.sanitize import LAZY_SRC_ATTRS, LAZY_SRCSET_ATTRS, sanitize_tree, web_url

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
#: Removed before readability scores anything.
NEVER_CONTENT_TAGS = ("script", "style", "link", "noscript", "template", "iframe", "svg", "button",
                      "select", "textarea", "input", "object", "embed", "canvas")
_HIDDEN_STYLE = re.compile(r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATES = re.compile("[\ud800-\udfff]")
_BULKY_START = re.compile(r"<!--|<(script|style|svg|noscript|template)\b", re.I)
#: Pages longer than this (in characters, after dropping scripts and styles) are
#: cut: extraction time grows with page size (seconds per megabyte on hostile
#: shapes), while news pages stripped that way stay under about 250 000.
MAX_PAGE_CHARS = 1_000_000
#: trafilatura's second opinion is skipped on pages with more elements than this
#: (it would double the time; news pages have a few thousand).
SECOND_OPINION_MAX_ELEMENTS = 20_000
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
#: Above this size the date is not searched for in the visible text (slow on huge pages).
TEXT_DATE_SEARCH_CHARS = 1_000_000
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_TAG_LIKE = re.compile(r"<\s*[a-zA-Z!/?]")

#: An extraction with fewer words than this, and under this share of the page's
#: words, is doubtful: trafilatura is asked for a second opinion.
DOUBTFUL_WORDS = 120
DOUBTFUL_SHARE = 0.15
#: Fewer words than this is no article: trafilatura's reading replaces it if
#: longer, and the result is marked uncertain if it stays this short.
MIN_ARTICLE_WORDS = 25
#: More of the text than this inside links: a list of links, not an article.
MAX_LINK_DENSITY = 0.5
#: Two readings of a doubtful page agree when their 4-gram F1 reaches this.
AGREEMENT = 0.5


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
    return "\n".join(lines)


# --------------------------------------------------------------------------- clean-up
# readability picks the right container but keeps what publishers put inside
# it besides the story. These rules are about kinds of page furniture, named by
# the words publishers use for them in class/id attributes and in the text
# itself, never about particular sites.

#: class/id words of page furniture inside article containers.
FURNITURE_WORDS = frozenset(
    """
    caption captions credit credits copyright byline bylines dateline timestamp share shares
    sharing sharebar social related relatedlinks recommended recommendation recommendations
    newsletter newsletters subscribe subscription signup promo promotion advert advertisement
    advertising ad ads adslot adunit sponsor sponsored outbrain taboola tags taglist breadcrumb
    breadcrumbs comments comment disclaimer toolbar popup modal offscreen sronly
    visuallyhidden screenreader player playlist controls overlay readmore teaser teasers cta
    rollover tooltip hovercard popover embed embedded video trending
    """.split()
)
#: Whole class names that hide an element (responsive ones like "hidden-xs" do not).
HIDING_CLASSES = frozenset(
    "hidden hide is-hidden d-none display-none u-hidden visually-hidden sr-only screen-reader-text "
    "offscreen off-screen element-invisible".split()
)
#: Furniture words that still leave a quoted post (blockquote) inside alone.
_QUOTE_WRAPPER_WORDS = frozenset("embed embedded video player social overlay controls".split())
#: Furniture words for things that frame a picture: the picture itself is kept.
PICTURE_FURNITURE_WORDS = frozenset("caption captions credit credits copyright player overlay controls".split())
#: Inline tags: running text may sit inside them.
INLINE_TAGS = frozenset("a abbr b cite code em font i mark q s small span strong sub sup time u".split())
#: class/id words of a standfirst ("dek") or summary shown above the story.
DEK_WORDS = frozenset(
    "dek deck standfirst subtitle subhead subheadline summary abstract excerpt strapline kicker tagline".split()
)
#: Whole-block texts that are furniture in any article (captions, credits,
#: teasers, widget text); only checked on short blocks.
FURNITURE_TEXT = re.compile(
    r"""^\W*(?:
      advert(?:isement)?|ad|close|share(?:\s+(?:this|on|via)\b.*)?|comments?|(?:tags?|tagged|topics?)\s*:.*
    | related\s*(?::|articles?|stories|coverage|content|links?|posts?|reading|topics|videos?|news)\b.*
    | read\s+more\b.*|more\s+(?:on|from|about)\b.*|see\s+also\b.*|also\s*(?:on|read|see)?\s*:.*
    | recommended(?:\s+(?:for\s+you|reading|stories|articles|videos?))?\s*:?|you\s+(?:may|might)\s+(?:also\s+)?(?:like|enjoy)\b.*|don.?t\s+miss\b.*
    | (?:watch|listen|download|itunes)\s*:.*|click\s+(?:here|to)\b.*|sign\s+up\b.*|subscribe\b.*
    | (?:image|photo|picture|video|media)\s*(?:copyright|caption|credit|source)\b.*
    | \(?(?:photo|image|picture|video|illustration|graphic|source|credit)s?(?:\s+credit)?\s*:.*
    | (?:getty(?:\s+images)?|reuters|ap(?:\s+photo)?|afp|shutterstock|istock|epa)\W*
    | media\s+playback\b.*|this\s+(?:slideshow|video|content)\s+requires\b.*
    | video\s+(?:loading|unavailable)\b.*|click\s+to\s+play\b.*|(?:image|slide|photo)\s+\d+\s+(?:of|/)\s+\d+.*
    | follow\s+(?:us|him|her|me|them|@\w+)\b.*|like\s+this\s+(?:story|article)\b.*|skip\s+(?:ad|advert)\b.*
    )\W*$""",
    re.I | re.X,
)
#: Staff credits and contact lines that close news stories; may be a little longer.
CREDIT_TEXT = re.compile(
    r"""^\W*(?:
      \(?(?:additional\s+)?(?:reporting|writing|editing|compiled|produced)\s+by\b.*
    | .*\bcontributed\s+(?:to\s+)?this\s+(?:report|story|article)\b.*
    | (?:e-?mail|contact|write\s+to)\s+\S+(?:\s+\S+)?\s+at\s+\S+@.*
    | .*\bfollow\s+(?:him|her|them|us|me)\s+(?:on|at)\s+(?:twitter|facebook|instagram|x)\b.*
    )$""",
    re.I | re.X,
)
#: Calls to subscribe or sign up, in a short block with a link.
PROMO_TEXT = re.compile(
    r"\b(?:sign\s+up|subscribe|subscription|newsletter|click\s+here|tap\s+here|"
    r"(?:download|get)\s+(?:the|our)\s+(?:free\s+)?app)\b",
    re.I,
)
#: A block that is one unrendered CMS shortcode: "[button link=...]Send us...[/button]".
SHORTCODE = re.compile(r"^\[(\w+)\b[^\]]*\].*\[/\1\]$")
_STAMP = re.compile(r"^\W*(?:updated|published|posted|last\s+(?:updated|modified))\b", re.I)
_DATE_LINE = re.compile(
    r"\b(?:\d{1,2}:\d{2}\s*(?:[ap]\.?m\.?)?|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}"
    r"|\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4})\b",
    re.I,
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_WORDS = re.compile(r"\w+", re.UNICODE)
#: Paragraph-like blocks, as the header-line rule walks them.
LEAF_BLOCK_TAGS = frozenset("p div h1 h2 h3 h4 h5 h6 li dd dt blockquote pre table figure figcaption header".split())
#: Blocks with at most this many words can be judged as furniture by their text.
SHORT_BLOCK_WORDS = 25
CREDIT_BLOCK_WORDS = 45
LINK_LIST_WORDS = 80
#: Tags whose text the furniture rules look at as one block.
TEXT_BLOCK_TAGS = frozenset("p div h1 h2 h3 h4 h5 h6 li dd dt figcaption header footer aside section".split())


def _class_words(el: HtmlElement) -> set[str]:
    """Words of an element's class and id: "relatedStories" -> related, stories."""
    raw = f"{el.get('class', '')} {el.get('id', '')}"
    if len(raw) < 3:
        return set()
    words = _NON_ALNUM.split(_CAMEL.sub(" ", raw).lower())
    joined = _NON_ALNUM.sub("", raw.lower())
    found = set(words)
    if HIDING_CLASSES.intersection(raw.lower().split()):
        found.add("hidden")
    # "visually-hidden", "sr-only", "off-screen", "read-more" are one idea in two words.
    for pair in ("visuallyhidden", "sronly", "offscreen", "screenreader", "readmore", "sharebar",
                 "relatedlinks", "signup"):
        if pair in joined:
            found.add(pair)
    return found


def _norm_words(text: str) -> list[str]:
    return _WORDS.findall(text.lower())


def _link_chars(el: HtmlElement) -> int:
    """Characters of link text, not counting links within the page (heading anchors)."""
    return sum(
        len(" ".join(a.text_content().split()))
        for a in el.iter("a")
        if not (a.get("href") or "").startswith("#")
    )


def _text_len(el: HtmlElement) -> int:
    return len(" ".join(el.text_content().split()))


def _is_furniture_by_class(el: HtmlElement, total_chars: int) -> bool:
    """Furniture named as such in class/id; caption-like furniture keeps its pictures."""
    words = _class_words(el) & (FURNITURE_WORDS | {"hidden"})
    if not words:
        return False
    if words <= _QUOTE_WRAPPER_WORDS and el.find(".//blockquote") is not None:
        return False  # an embedded post quoted by the story
    if el.tag in INLINE_TAGS:
        # <span class="person-rollover"><a class="rollover-link">Name</a><span
        # class="rollover-card">...</span></span>: the inner card is the furniture;
        # the name, plain text inside a sentence, is part of the story.
        if any(_class_words(d) & FURNITURE_WORDS for d in el.iterdescendants()):
            return False
        parent = el.getparent()
        if len(el) == 0 and parent is not None and _text_len(parent) > _text_len(el) + 10:
            return False
    # A container holding much of the story is not furniture whatever it is called
    # ("article-body has-video", "post with-share-bar").
    size = _text_len(el)
    if size > 0.3 * total_chars and size > 200:
        return False
    if words <= PICTURE_FURNITURE_WORDS and el.find(".//img") is None and (
        el.tag == "figcaption" or any(a.tag == "figure" for a in el.iterancestors())
    ):
        # A figure's caption or credit: shown under the picture, left out of the text.
        if not any(a.tag == "figcaption" for a in el.iterancestors()):
            el.tag = "figcaption"
        return False
    if words & PICTURE_FURNITURE_WORDS and el.tag != "img" and el.find(".//img") is not None:
        # Keep the pictures in the HTML, drop the caption/credit text around them.
        images = list(el.iter("img"))
        for child in list(el):
            child.drop_tree()
        el.text = None
        el.extend(images)
        for img in images:
            img.tail = None
        return False
    return True


def _is_furniture_by_text(el: HtmlElement) -> bool:
    """Furniture recognisable from its words: teaser lists and teaser links,
    credit and contact lines, promos, widget labels, shortcodes, time stamps.
    Only short blocks are judged this way, so story paragraphs are never at risk
    of matching by accident."""
    text = " ".join(el.text_content().split())
    if not text:
        return False
    words = _norm_words(text)
    if len(words) > LINK_LIST_WORDS:
        return False
    links = el.findall(".//a") if el.tag not in ("li", "dd", "dt") else []
    link_share = _link_chars(el) / len(text) if links else 0.0
    if len(links) >= 2 and (
        link_share >= 0.8
        or (el.find(".//br") is not None and FURNITURE_TEXT.match(element_text(el).split("\n")[0]))
    ):
        return True  # "DON'T MISS<br><a>story</a><br><a>story</a>": a list of teasers
    if len(words) > CREDIT_BLOCK_WORDS:
        return False
    if CREDIT_TEXT.match(text) or (links and PROMO_TEXT.search(text)):
        return True
    if len(words) > SHORT_BLOCK_WORDS:
        return False
    if FURNITURE_TEXT.match(text) or SHORTCODE.match(text):
        return True
    if _STAMP.match(text) and _DATE_LINE.search(text) and len(words) <= 12:
        return True
    # A teaser: a short block that is nothing but a link ("READ MORE ON ...", a headline).
    return bool(links) and link_share >= 0.8 and len(words) >= 3


def _is_link_list(el: HtmlElement) -> bool:
    """A list of other stories: every item is (almost) only a link."""
    items = [li for li in el if li.tag == "li"]
    if len(items) < 2:
        return False
    linked = 0
    for li in items:
        size = _text_len(li)
        if size and _link_chars(li) >= 0.8 * size:
            linked += 1
    return linked >= 0.8 * len(items)


def _is_list_heading(el: HtmlElement | None) -> bool:
    """The short title over a list of links ("You may also like", "More stories")."""
    if el is None:
        return False
    text = el.text_content().strip()
    if len(_norm_words(text)) > 8:
        return False
    return el.tag != "p" or not text.endswith((".", "!", "?", ":"))


def _same_text(a: str, b: str) -> bool:
    wa, wb = _norm_words(a), _norm_words(b)
    return bool(wa) and wa == wb


def remove_furniture(body: HtmlElement, title: str | None, authors: list[str]) -> None:
    """Drop captions, credits, share bars, related links, teasers, bylines and the
    repeated headline from an extracted article body, in place."""
    total = _text_len(body) or 1
    doomed: list[HtmlElement] = []
    walker = etree.iterwalk(body, events=("start",))
    for _event, el in walker:
        if el is body or not isinstance(el.tag, str):
            continue
        tag = el.tag
        if tag in ("pre", "code", "table", "blockquote"):
            walker.skip_subtree()
            continue
        if _is_furniture_by_class(el, total):
            doomed.append(el)
            walker.skip_subtree()
        elif tag in ("ul", "ol") and _is_link_list(el):
            doomed.append(el)
            if _is_list_heading(el.getprevious()):
                doomed.append(el.getprevious())
            walker.skip_subtree()
        elif tag in TEXT_BLOCK_TAGS and _is_furniture_by_text(el):
            doomed.append(el)
            walker.skip_subtree()
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()
    _remove_header_lines(body, title, authors)


def _leaf_blocks(body: HtmlElement) -> list[HtmlElement]:
    """Paragraph-like elements that hold no other paragraph-like element."""
    blocks = []
    for el in body.iter(*LEAF_BLOCK_TAGS):
        if el is body:
            continue
        if any(child.tag in LEAF_BLOCK_TAGS for child in el.iterdescendants()):
            continue
        blocks.append(el)
    return blocks


def _is_dek(el: HtmlElement, body: HtmlElement, total_chars: int) -> bool:
    """Inside a standfirst/summary block (by class, id or itemprop) that is not the story."""
    node: HtmlElement | None = el
    while node is not None and node is not body:
        if _class_words(node) & DEK_WORDS or node.get("itemprop") in ("description", "alternativeHeadline"):
            return _text_len(node) < 0.3 * total_chars
        node = node.getparent()
    return False


_STAMP_WORDS = frozenset(
    "updated update published posted last modified on at am pm a m p m est edt cst cdt pst pdt gmt "
    "utc bst cet cest ist ago hours hour minutes min monday tuesday wednesday thursday friday "
    "saturday sunday".split()
)


def _is_dateline(text: str) -> bool:
    """A line that is a date and time stamp ("Published 10:02 AM EST Nov 19, 2019"),
    possibly with a short source, not a sentence that mentions a date."""
    if not _DATE_LINE.search(text):
        return False
    rest = _DATE_LINE.sub(" ", text)
    words = [w for w in _norm_words(rest) if w not in _STAMP_WORDS and not w.isdigit()]
    return len(words) <= 3


def _remove_header_lines(body: HtmlElement, title: str | None, authors: list[str]) -> None:
    """The headline, standfirst, byline and dateline above the first paragraph
    duplicate the metadata that the reader shows on its own."""
    names = [a.lower() for a in authors if len(a) > 3]
    total = _text_len(body) or 1
    for el in _leaf_blocks(body)[:10]:
        text = " ".join(el.text_content().split())
        if not text:
            continue
        words = _norm_words(text)
        if (title and _same_text(text, title)) or el.tag == "h1" or _is_dek(el, body, total):
            # The headline (an <h1> above the story is the page's headline even when
            # its wording differs from the metadata title) or the standfirst.
            el.drop_tree()
            continue
        if len(words) > 15:
            break
        lowered = text.lower()
        if (
            lowered.startswith(("by ", "von ", "par ", "por "))
            or any(name in lowered for name in names)
            or _is_dateline(text)
        ):
            el.drop_tree()
        elif el.tag in ("h1", "h2", "h3") and len(words) <= 15:
            continue
        else:
            break


# --------------------------------------------------------------------------- gap filling
# readability's last pass drops small containers by class name and link
# density ("media", "card" wrappers around single paragraphs), which loses
# paragraphs in the middle of a story or its lead. Paragraphs are numbered in
# the page before readability runs, so those that fall between (or just before)
# the paragraphs it kept can be found and put back if they read as prose.

PARA_INDEX_ATTR = "data-quire-para"
GAP_MIN_WORDS = 6
LEAD_MIN_WORDS = 15
_NOT_PROSE_WORDS = FURNITURE_WORDS | DEK_WORDS | frozenset("image img photo picture gallery media".split())
_NEVER_CONTENT_ANCESTORS = frozenset("aside nav footer form figure figcaption li header button label".split())


def number_paragraphs(doc: HtmlElement) -> list[HtmlElement]:
    """Tag every paragraph of the page with its position; returns them in order.

    Paragraphs are <p>s and <div>s holding only inline content, which readability
    turns into <p>s (many sites write their paragraphs that way).
    """
    paragraphs = [
        el for el in doc.iter("p", "div")
        if el.tag == "p" or not any(_blockish(d) for d in el.iterdescendants())
    ]
    for position, para in enumerate(paragraphs):
        para.set(PARA_INDEX_ATTR, str(position))
    return paragraphs


def _is_hidden(el: HtmlElement) -> bool:
    return (
        el.get("hidden") is not None
        or el.get("aria-hidden") == "true"
        or bool(_HIDDEN_STYLE.search(el.get("style", "")))
    )


def _reads_as_prose(para: HtmlElement, min_words: int) -> bool:
    """A paragraph of running text, outside any furniture, in the page as parsed."""
    if para.find(".//script") is not None or para.find(".//style") is not None:
        return False  # inline code: what is left after sanitizing is not this text
    text = " ".join(para.text_content().split())
    words = _norm_words(text)
    if len(words) < min_words or _link_chars(para) > 0.3 * len(text):
        return False
    for node in (para, *para.iterancestors()):
        if node.tag in ("body", "html"):
            break
        if node.tag in _NEVER_CONTENT_ANCESTORS or _is_hidden(node):
            return False
        if _class_words(node) & _NOT_PROSE_WORDS or node.get("itemprop") in ("description", "alternativeHeadline"):
            return False
    return not _is_furniture_by_text(para)


def _near(a: HtmlElement, b: HtmlElement, levels: int = 3) -> bool:
    """``a`` and ``b`` share an ancestor at most ``levels`` above ``a``."""
    ancestors = set(b.iterancestors())
    for depth, ancestor in enumerate(a.iterancestors()):
        if depth >= levels or ancestor.tag in ("body", "html"):
            return False
        if ancestor in ancestors:
            return True
    return False


def fill_gaps(body: HtmlElement, paragraphs: list[HtmlElement]) -> None:
    """Put back prose paragraphs of the page that readability dropped between the
    ones it kept, and a lead paragraph right before the first one."""
    kept: dict[int, HtmlElement] = {}
    for para in body.iter("p", "div"):
        position = para.get(PARA_INDEX_ATTR)
        if position is not None and position.isdigit():
            kept[int(position)] = para
    if not kept:
        return
    first, last = min(kept), max(kept)
    body_words = " ".join(_norm_words(body.text_content()))
    for position in range(max(0, first - 1), min(last, len(paragraphs))):
        if position in kept:
            continue
        original = paragraphs[position]
        is_lead = position < first
        if not _reads_as_prose(original, LEAD_MIN_WORDS if is_lead else GAP_MIN_WORDS):
            continue
        if is_lead and not _near(original, paragraphs[first]):
            continue
        key = " ".join(_norm_words(original.text_content()))
        if key in body_words:
            continue
        restored = copy.deepcopy(original)
        restored.tag = "p"
        restored.tail = None
        if is_lead:
            kept[first].addprevious(restored)
        else:
            anchor = kept[max(p for p in kept if p < position)]
            anchor.addnext(restored)
        kept[position] = restored


def _has_image_source(img: HtmlElement) -> bool:
    src = (img.get("src") or "").strip().lower()
    if src and not src.startswith("data:"):
        return True
    return any(img.get(attr) for attr in LAZY_SRC_ATTRS + LAZY_SRCSET_ATTRS)


def _unwrap_noscript_images(doc: HtmlElement) -> None:
    """Lazy-loading pages put the real <img> in <noscript> next to a placeholder:
    use it when the picture has no usable image of its own."""
    for noscript in list(doc.iter("noscript")):
        images = noscript.findall(".//img")
        parent = noscript.getparent()
        if not images or parent is None or len(noscript.text_content().strip()) > 200:
            continue
        others = [img for img in parent.iter("img") if noscript not in img.iterancestors()]
        if any(_has_image_source(img) for img in others):
            continue
        for placeholder in others:
            placeholder.drop_tree()
        for img in images:
            img.tail = None
            noscript.addprevious(img)


class _Readability(Document):
    """readability-lxml, fed an already parsed tree and handing back the element.

    Document re-serializes the article and strips attributes with a regex loop;
    we sanitize ourselves, so the element itself is kept instead.
    """

    def _parse(self, input: HtmlElement) -> HtmlElement:
        """A private copy of the parsed page, minus what is never content.

        Replaces Document._parse, which re-cleaned the whole page with lxml's
        Cleaner and made every link absolute: both cost more than the rest of
        readability together, and the sanitizer does both for the body alone.
        """
        doc = copy.deepcopy(input)
        _unwrap_noscript_images(doc)
        etree.strip_elements(doc, *NEVER_CONTENT_TAGS, with_tail=False)
        for elem in doc.xpath("//*[@hidden] | //*[@aria-hidden='true'][not(.//p)]"):
            elem.drop_tree()
        for elem in doc.xpath("//*[@style]"):
            if _HIDDEN_STYLE.search(elem.get("style", "")):
                elem.drop_tree()
        for anchor in _HEADING_SELF_LINKS(doc):
            # <h2><a href="#part">Title</a></h2> and permalink marks ("¶", "#"):
            # readability drops link-dense headings, and in-page anchors lead nowhere
            # in a saved article.
            if _PERMALINK_MARK.fullmatch(anchor.text_content().strip()):
                anchor.drop_tree()
            else:
                anchor.drop_tag()
        for quote in doc.iter("blockquote"):
            # Quoted posts (class="twitter-tweet", "instagram-media") are quotations
            # in the story; readability would discard them as social widgets.
            quote.attrib.pop("class", None)
            quote.attrib.pop("id", None)
        return doc

    def get_clean_html(self) -> str:
        return tostring(self.html, encoding="unicode", method="html")

    def remove_unlikely_candidates(self) -> None:
        """Document's rule, looking only at elements that have a class or id and
        skipping the per-element debug descriptions it builds for its log."""
        for elem in _WITH_CLASS_OR_ID(self.html):
            features = "{} {}".format(elem.get("class", ""), elem.get("id", "")).lower()
            if len(features) < 2 or not _UNLIKELY(features) or _MAYBE(features):
                continue
            if elem.tag in ("html", "body") or _IN_CODE(elem) or _HOLDS_MAIN(elem):
                continue
            elem.drop_tree()

    def transform_misused_divs_into_paragraphs(self) -> None:
        """Document's algorithm, without serializing every <div>'s children.

        The original tests ``<(blockquote|dl|div|img|ol|p|pre|table|ul)`` against
        the children's HTML; looking at the tag names of the same elements gives
        the same answer (text is escaped, so only tags can match) in a fraction of
        the time.
        """
        for elem in list(self.html.iter("div")):
            if not any(_blockish(d) for d in elem.iterdescendants()):
                elem.tag = "p"
        for elem in list(self.html.iter("div")):
            children = list(elem)
            paragraph = None
            if elem.text and elem.text.strip():
                p = self.html.makeelement("p")
                p.text = elem.text
                elem.text = None
                elem.insert(0, p)
                paragraph = p
            for child in children:
                if child.tag == "br":
                    paragraph = None
                    continue
                if child.tag not in _READABILITY_INLINE or any(_blockish(d) for d in child.iter()):
                    paragraph = None
                    continue
                if paragraph is None:
                    paragraph = self.html.makeelement("p")
                    child.addprevious(paragraph)
                paragraph.append(child)
            for pos, child in reversed(list(enumerate(elem))):
                if child.tail and child.tail.strip():
                    p = self.html.makeelement("p")
                    p.text = child.tail
                    child.tail = None
                    elem.insert(pos + 1, p)
                if child.tag == "br":
                    child.drop_tree()


_WITH_CLASS_OR_ID = etree.XPath("//*[@class or @id]")
_HEADING_SELF_LINKS = etree.XPath(
    "//*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5 or self::h6]"
    "//a[starts-with(@href, '#')]"
)
_PERMALINK_MARK = re.compile(r"[#¶§🔗]?|link|permalink|anchor", re.I)


def _literal_matcher(pattern: re.Pattern[str]):
    """A test equal to ``pattern.search`` on lower-cased text when the pattern is an
    alternation of plain words (readability's are): a case-sensitive regex on
    lower-cased text is five times faster than a case-insensitive one."""
    words = tuple(word.lower() for word in pattern.pattern.split("|"))
    if any(re.escape(word) != word.replace("-", "\\-") for word in words):
        return lambda text: pattern.search(text) is not None
    return re.compile("|".join(map(re.escape, words))).search


_UNLIKELY = _literal_matcher(READABILITY_REGEXES["unlikelyCandidatesRe"])
_MAYBE = _literal_matcher(READABILITY_REGEXES["okMaybeItsACandidateRe"])
_IN_CODE = etree.XPath("ancestor-or-self::pre | ancestor-or-self::code")
_HOLDS_MAIN = etree.XPath(
    "descendant-or-self::main | descendant-or-self::article | descendant-or-self::math"
)
#: readability's divToPElementsRe, as tag-name prefixes (it has no word boundary).
_BLOCKISH_PREFIXES = ("blockquote", "dl", "div", "img", "ol", "p", "table", "ul")
_READABILITY_INLINE = frozenset("a b cite code em font i small span strong sub sup u".split())


def _blockish(el: HtmlElement) -> bool:
    return isinstance(el.tag, str) and el.tag.startswith(_BLOCKISH_PREFIXES)


def _readability_body(doc: HtmlElement, url: str | None) -> HtmlElement | None:
    reader = _Readability(doc)
    try:
        reader.summary(html_partial=True)
    except Exception:  # readability raises Unparseable wrapping anything
        return None
    return reader.html


def _serialize(root: HtmlElement) -> str:
    return "".join(tostring(child, encoding="unicode", method="html") for child in root)


def _shingle_f1(a: str, b: str, size: int = 4) -> float:
    """Agreement of two texts as the F1 of their word 4-gram sets."""
    def grams(text: str) -> set[tuple[str, ...]]:
        words = _norm_words(text)
        return {tuple(words[k:k + size]) for k in range(max(1, len(words) - size + 1))}

    ga, gb = grams(a), grams(b)
    common = len(ga & gb)
    return 2 * common / (len(ga) + len(gb)) if ga and gb else 0.0


def _trafilatura_body(doc: HtmlElement, url: str | None) -> HtmlElement | None:
    """trafilatura's reading of the page, as a <div> of HTML (None if it finds nothing)."""
    import trafilatura  # only doubtful pages need it; importing costs half a second

    try:
        html = trafilatura.extract(
            doc, url=url, output_format="html", fast=True, include_images=True,
            include_links=True, include_comments=False,
        )
    except Exception:  # trafilatura is only a second opinion: its failure is not ours
        return None
    if not html:
        return None
    tree = document_fromstring(html)
    body = tree.find(".//body")
    if body is None:
        return None
    body.tag = "div"
    return body


def _body_div(body: HtmlElement | None, doc: HtmlElement) -> HtmlElement:
    # makeelement on the page's own tree: same element classes, no shared parser
    # (lxml parsers must not be used from two threads at once).
    wrapper = doc.makeelement("div")
    if body is None:
        return wrapper
    if body.tag == "div":
        return body
    wrapper.append(body)
    return wrapper


def extract_article(html: str, url: str | None) -> Extracted:
    """Extract the article in ``html`` (a whole page, already decoded) found at ``url``.

    Raises ExtractionError when the input is not a page at all; a page whose
    extraction looks poor comes back with ``uncertain=True`` and ``fulltext``.
    """
    doc, truncated = parse_page(html, url)
    url = web_url(url)
    meta = extract_metadata(doc, url, text_heuristics=len(html) <= TEXT_DATE_SEARCH_CHARS)
    paragraphs = number_paragraphs(doc)

    body = _body_div(_readability_body(doc, url), doc)
    remove_furniture(body, meta.title, meta.authors)
    fill_gaps(body, paragraphs)
    base = _base_url(doc, url)
    sanitize_tree(body, base)
    text = element_text(body)

    words = len(_norm_words(text))
    link_dense = _link_chars(body) > MAX_LINK_DENSITY * max(1, len(text))
    # The page's whole text costs a walk over every element: only short or
    # doubtful extractions need it (readability leaves the page tree untouched).
    fulltext = element_text(doc, skip_invisible=True) if words < DOUBTFUL_WORDS or link_dense else None
    doubtful = link_dense or (
        fulltext is not None and words < DOUBTFUL_SHARE * len(_norm_words(fulltext))
    )
    uncertain = truncated or words < MIN_ARTICLE_WORDS or link_dense
    if doubtful:
        # readability may have picked a teaser box, a link list or nothing at all:
        # trafilatura gives a second opinion, and replaces a reading that failed.
        # Without one (a huge page, or trafilatura finds nothing) the doubt stands.
        small = sum(1 for _ in doc.iter()) <= SECOND_OPINION_MAX_ELEMENTS
        second = _trafilatura_body(doc, url) if small else None
        if second is None:
            uncertain = True
        else:
            remove_furniture(second, meta.title, meta.authors)
            sanitize_tree(second, base)
            second_text = element_text(second)
            second_words = len(_norm_words(second_text))
            if words < MIN_ARTICLE_WORDS and second_words >= max(MIN_ARTICLE_WORDS, 2 * words):
                body, text = second, second_text
            elif _shingle_f1(text, second_text) < AGREEMENT:
                uncertain = True
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
        fulltext=(fulltext if fulltext is not None else element_text(doc, skip_invisible=True))
        if uncertain
        else "",
    )


def _base_url(doc: HtmlElement, url: str | None) -> str | None:
    """The URL relative links of the page resolve against: <base href> if it is http(s)."""
    base = doc.find(".//base[@href]")
    if base is None:
        return url
    href = (base.get("href") or "").strip()
    try:
        resolved = urljoin(url, href) if url else href
    except ValueError:
        return url
    return resolved if urlsplit(resolved).scheme in ("http", "https") else url


def extract_text(html: str, url: str) -> str:
    """The article body of ``html`` as plain text, one paragraph per line."""
    return extract_article(html, url).text
