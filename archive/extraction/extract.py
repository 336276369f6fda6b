"""Turn a whole web page into the article it carries.

Pipeline (extract_article):
  1. parse once with lxml, bounded (archive.htmlparse): huge pages are cut
     (scripts and styles dropped first), libxml2's nesting and text-node limits
     stay on;
  2. metadata from the intact page (archive.metadata);
  3. readability-lxml picks the article container (on a private copy);
  4. page furniture readability keeps is removed (archive.furniture): captions
     and credits, share bars, related-link lists, player text, newsletter boxes,
     teasers, and the headline/standfirst/byline lines the reader shows from the
     metadata;
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
import threading
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml.html import (
    HtmlElement,
    document_fromstring,
    tostring,
)
from readability import Document
from readability.readability import REGEXES as READABILITY_REGEXES

from archive.capture.charset import undo_mojibake
from archive.extraction import readability_clean
from archive.extraction.furniture import (
    DEK_WORDS,
    FURNITURE_WORDS,
    STAMP,
    class_words,
    is_furniture_by_text,
    is_link_list,
    link_chars,
    norm_words,
    remove_furniture,
)
from archive.extraction.htmlparse import element_text, parse_page
from archive.extraction.language import detect_language
from archive.extraction.metadata import authors_from_bylines, extract_metadata
from archive.base.models import Extracted
from archive.extraction.sanitize import LAZY_SRC_ATTRS, LAZY_SRCSET_ATTRS, sanitize_tree, web_url

#: Removed before readability scores anything.
NEVER_CONTENT_TAGS = ("script", "style", "link", "noscript", "template", "iframe", "svg", "button",
                      "select", "textarea", "input", "object", "embed", "canvas")
_HIDDEN_STYLE = re.compile(r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)", re.I)
#: trafilatura's second opinion is skipped on pages with more elements than this
#: (it would double the time; news pages have a few thousand).
SECOND_OPINION_MAX_ELEMENTS = 20_000
#: Above this size the date is not searched for in the visible text (slow on huge pages).
TEXT_DATE_SEARCH_CHARS = 1_000_000

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


# --------------------------------------------------------------------------- gap filling
# readability's last pass drops small containers by class name and link
# density ("media", "card" wrappers around single paragraphs), which loses
# paragraphs in the middle of a story or its lead. Paragraphs are numbered in
# the page before readability runs, so those that fall between (or just before)
# the paragraphs it kept can be found and put back if they read as prose.

PARA_INDEX_ATTR = "data-quire-para"
GAP_MIN_WORDS = 6
LEAD_MIN_WORDS = 15
#: Class words that mark a block as no prose to put back. A standfirst's words
#: ("summary", "intro") are not among them: a paragraph so marked between or around
#: the kept ones is the story's (the standfirst above the story goes with the
#: header lines, before gaps are filled).
_NOT_PROSE_WORDS = FURNITURE_WORDS | frozenset("image img photo picture gallery media".split())
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
    words = norm_words(text)
    if len(words) < min_words or link_chars(para) > 0.3 * len(text):
        return False
    for node in (para, *para.iterancestors()):
        if node.tag in ("body", "html"):
            break
        if node.tag in _NEVER_CONTENT_ANCESTORS or _is_hidden(node):
            return False
        if class_words(node) & _NOT_PROSE_WORDS or node.get("itemprop") in ("description", "alternativeHeadline"):
            return False
    return not is_furniture_by_text(para)


def _near(a: HtmlElement, b: HtmlElement, levels: int = 3) -> bool:
    """``a`` and ``b`` share an ancestor at most ``levels`` above ``a``."""
    ancestors = set(b.iterancestors())
    for depth, ancestor in enumerate(a.iterancestors()):
        if depth >= levels or ancestor.tag in ("body", "html"):
            return False
        if ancestor in ancestors:
            return True
    return False


def _kept_positions(body: HtmlElement) -> list[tuple[int, HtmlElement]]:
    """The page positions (number_paragraphs) of the paragraphs in ``body``, with
    the paragraphs, in document order. Read afresh by each step, since each one
    may put paragraphs back (copies keep their position)."""
    found = []
    for el in body.iter("p", "div"):
        position = el.get(PARA_INDEX_ATTR)
        if position is not None and position.isdigit():
            found.append((int(position), el))
    return found


def fill_gaps(body: HtmlElement, paragraphs: list[HtmlElement]) -> None:
    """Put back prose paragraphs of the page that readability dropped between the
    ones it kept, and a lead paragraph right before the first one."""
    kept = dict(_kept_positions(body))
    if not kept:
        return
    first, last = min(kept), max(kept)
    body_words = " ".join(norm_words(body.text_content()))
    before, after = _block_edges(paragraphs, first, last)
    for position in range(before, min(after + 1, len(paragraphs))):
        if position in kept:
            continue
        original = paragraphs[position]
        is_lead = position < first
        is_trail = position > last
        if not _reads_as_prose(original, LEAD_MIN_WORDS if is_lead or is_trail else GAP_MIN_WORDS):
            continue
        if is_lead and not _near(original, paragraphs[first]):
            continue
        key = " ".join(norm_words(original.text_content()))
        if key in body_words:
            continue
        restored = copy.deepcopy(original)
        restored.tag = "p"
        restored.tail = None
        if is_lead:
            kept[min(kept)].addprevious(restored)
        else:
            anchor = kept[max(p for p in kept if p < position)]
            anchor.addnext(restored)
        kept[position] = restored


#: A paragraph continues the kept run when it shares an ancestor this many levels up...
RUN_LEVELS = 3
#: ...and the run ends after more than this many paragraphs in a row that are not prose.
RUN_MAX_MISSES = 2


def _block_edges(paragraphs: list[HtmlElement], first: int, last: int) -> tuple[int, int]:
    """How far before ``first`` and after ``last`` the article's run of prose goes.

    An article's body is sometimes split over several sibling containers (one per
    section, an ad slot between them); readability keeps the best one. The
    paragraphs next to the kept run that sit in the same block of the page (a
    shared ancestor a few levels up) and read as prose continue it; the run ends
    at the first stretch of more than a couple of paragraphs that do not.
    """
    def edge(start: int, step: int, anchor: HtmlElement) -> int:
        reached, misses, position = start, 0, start + step
        while 0 <= position < len(paragraphs):
            para = paragraphs[position]
            if not _near(para, anchor, RUN_LEVELS):
                break
            if _reads_as_prose(para, LEAD_MIN_WORDS):
                reached, misses = position, 0
            else:
                misses += 1
                if misses > RUN_MAX_MISSES:
                    break
            position += step
        return reached

    return edge(first, -1, paragraphs[first]), edge(last, 1, paragraphs[last])


# --------------------------------------------------------------------------- repeated posts
# A forum thread (and a blog post written as a row of same-styled sections) is a
# run of sibling containers built alike: readability scores each on its own and
# keeps the best one, a later post of the thread. The containers alike to the one
# it kept, at the same place in each, are the rest of the article.

#: How far above the kept block a repeated container is looked for.
REPEAT_LEVELS = 8
#: At least this many containers alike make a thread.
REPEAT_MIN = 3
#: The kept post holds at most this share of the thread's words.
REPEAT_SHARE = 0.5
#: Class words of repeated containers that are not the article's (comments under
#: a story, teaser cards, list items of navigation).
_NOT_POST_WORDS = FURNITURE_WORDS | frozenset("card cards item items tile tiles slide slides thumb".split())


def _signature(el: HtmlElement) -> tuple[str, frozenset[str]] | None:
    """Tag and class words of a container, leaving out numbered ones ("post-1234")."""
    classes = frozenset(c for c in (el.get("class") or "").split() if not any(ch.isdigit() for ch in c))
    if not isinstance(el.tag, str) or not classes:
        return None
    return el.tag, classes


def _first_class(el: HtmlElement) -> str | None:
    classes = (el.get("class") or "").split()
    return classes[0] if classes else None


def _kept_originals(body: HtmlElement, paragraphs: list[HtmlElement]) -> list[HtmlElement]:
    return [paragraphs[position] for position, _ in _kept_positions(body) if position < len(paragraphs)]


def _common_ancestor(elements: list[HtmlElement]) -> HtmlElement | None:
    if not elements:
        return None
    first = elements[0]
    chain = [first, *first.iterancestors()]
    depth_of = {id(el): depth for depth, el in enumerate(chain)}
    deepest = 0
    for el in elements[1:]:
        for node in (el, *el.iterancestors()):
            if id(node) in depth_of:
                deepest = max(deepest, depth_of[id(node)])
                break
        else:
            return None
    return chain[deepest]


def _follow(root: HtmlElement, path: list[tuple[str, str | None, int]]) -> HtmlElement | None:
    """The element reached from ``root`` by the same steps (tag, class, rank) as in a sibling."""
    node = root
    for tag, cls, rank in path:
        matches = [c for c in node if c.tag == tag and _first_class(c) == cls]
        if rank >= len(matches):
            return None
        node = matches[rank]
    return node


def repeated_posts(body: HtmlElement, paragraphs: list[HtmlElement]) -> list[HtmlElement]:
    """The blocks of a thread of posts that readability's choice is one of, in page
    order (deep copies), or [] when what it kept is not part of such a run."""
    kept = _kept_originals(body, paragraphs)
    block = _common_ancestor(kept)
    if block is None:
        return []
    if len(kept) == 1 and block.tag == "p" and block.getparent() is not None:
        block = block.getparent()
    path: list[tuple[str, str | None, int]] = []
    node = block
    for _level in range(REPEAT_LEVELS):
        parent = node.getparent()
        if parent is None or node.tag in ("body", "html"):
            return []
        signature = _signature(node)
        if signature is not None and not class_words(node) & _NOT_POST_WORDS:
            alike = [s for s in parent if _signature(s) == signature]
            if len(alike) >= REPEAT_MIN:
                found = [_follow(s, path) for s in alike]
                sized = [(f, len(norm_words(f.text_content()))) for f in found if f is not None]
                sized = [(f, n) for f, n in sized if n >= GAP_MIN_WORDS]
                posts = [f for f, _ in sized]
                if len(posts) < REPEAT_MIN or block not in posts:
                    return []
                # Posts of a thread are alike in size too: one container holding most
                # of the text is the article, the others its furniture.
                sizes = [n for _, n in sized]
                if sizes[posts.index(block)] > REPEAT_SHARE * sum(sizes):
                    return []
                return [copy.deepcopy(p) for p in posts]
        same = [c for c in parent if c.tag == node.tag and _first_class(c) == _first_class(node)]
        path.insert(0, (node.tag, _first_class(node), same.index(node)))
        node = parent
    return []


# --------------------------------------------------------------------------- lists
# readability's last pass drops a container holding more list items than paragraphs
# and short blocks: a recipe's ingredients, the steps of a how-to, the items of a
# patch note go, though they sit among the story's paragraphs.

#: Lists are marked with the number of the last paragraph before them.
LIST_AFTER_ATTR = "data-quire-after"
_LIST_NEVER_ANCESTORS = frozenset("aside nav footer form header figure button label".split())


def number_lists(doc: HtmlElement) -> list[HtmlElement]:
    """The page's outermost lists, each marked with the position of the paragraph
    before it (after number_paragraphs)."""
    lists = []
    last = -1
    for el in doc.iter("p", "div", "ul", "ol"):
        position = el.get(PARA_INDEX_ATTR)
        if position is not None:
            last = int(position)
        elif el.tag in ("ul", "ol") and not any(a.tag in ("ul", "ol") for a in el.iterancestors()):
            el.set(LIST_AFTER_ATTR, str(last))
            lists.append(el)
    return lists


def _reads_as_content_list(lst: HtmlElement, block: HtmlElement) -> bool:
    """A list of the story's: not links, not furniture, in no furniture box inside
    the block readability chose (whatever that block's own classes say)."""
    if is_link_list(lst) or _is_hidden(lst):
        return False
    items = [li for li in lst if li.tag == "li"]
    if len(items) < 2 or is_furniture_by_text(lst):
        return False
    text = " ".join(lst.text_content().split())
    if not text or link_chars(lst) > 0.3 * len(text):
        return False
    for node in (lst, *lst.iterancestors()):
        if node is block or node.tag in ("body", "html"):
            break
        if node.tag in _LIST_NEVER_ANCESTORS or _is_hidden(node) or class_words(node) & _NOT_PROSE_WORDS:
            return False
    return True


def restore_lists(body: HtmlElement, paragraphs: list[HtmlElement], lists: list[HtmlElement]) -> int:
    """Put back the lists of the page that sit among the kept paragraphs, inside the
    block they share, and were dropped. Returns the words put back."""
    kept = dict(_kept_positions(body))
    if not kept or not lists:
        return 0
    first, last = min(kept), max(kept)
    block = _common_ancestor([paragraphs[k] for k in kept if k < len(paragraphs)])
    if block is None:
        return 0
    body_words = " ".join(norm_words(body.text_content()))
    added = 0
    for lst in lists:
        after = int(lst.get(LIST_AFTER_ATTR, "-2"))
        if not first <= after <= last or block not in lst.iterancestors():
            continue
        if not _reads_as_content_list(lst, block):
            continue
        words = norm_words(lst.text_content())
        if " ".join(words[:12]) in body_words:
            continue
        anchor = kept[max(k for k in kept if k <= after)]
        restored = copy.deepcopy(lst)
        restored.tail = None
        anchor.addnext(restored)
        added += len(words)
    return added


# --------------------------------------------------------------------------- the lead
# Many pages set the story's opening paragraph (its lead, intro, teaser, standfirst)
# apart from the body, in the header next to the headline or in a box of its own:
# readability keeps the body's block and leaves it out.

#: How many paragraphs before the first kept one are looked at for the lead.
LEAD_LOOKBACK = 6
#: The lead shares an ancestor with the story this many levels up.
LEAD_LEVELS = 5
LEAD_WORDS = 12
#: Class words that name a lead; they lift the furniture reading of "teaser". (A
#: standfirst named as one, DEK_WORDS, is the header's, as on English news pages:
#: the reader shows the page's description instead.)
LEAD_CLASS_WORDS = frozenset("lead leadin intro introduction teaser teasertext description".split())
#: Class words of what sits between a headline and the story and is not its lead:
#: the meta line (author, date), a sidebar's box, the print edition's notice.
_NOT_LEAD_WORDS = DEK_WORDS | frozenset("meta date dates time author authors sidebar print".split())
_LEAD_NEVER_ANCESTORS = frozenset("aside nav footer form figure figcaption li button label".split())
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def _reads_as_lead(para: HtmlElement) -> bool:
    text = " ".join(para.text_content().split())
    if len(norm_words(text)) < LEAD_WORDS or link_chars(para) > 0.3 * len(text):
        return False
    if para.find(".//script") is not None or next(para.iter(*_HEADINGS), None) is not None:
        return False  # a headline block (headline and standfirst together) is the header
    if text.lower().startswith(_BYLINE_START) or STAMP.match(text):
        return False
    for node in (para, *para.iterancestors()):
        if node.tag in ("body", "html"):
            break
        if node.tag in _LEAD_NEVER_ANCESTORS or _is_hidden(node):
            return False
        words = class_words(node)
        if words & _NOT_LEAD_WORDS:
            return False
        if words & LEAD_CLASS_WORDS:
            continue
        if words & _NOT_PROSE_WORDS:
            return False
    return not is_furniture_by_text(para)


def restore_lead(body: HtmlElement, paragraphs: list[HtmlElement]) -> int:
    """Put back the paragraph that opens the story when it stands apart, just above
    the kept ones, in the same part of the page. Returns the words put back."""
    kept = _kept_positions(body)
    if not kept:
        return 0
    first = min(position for position, _ in kept)
    anchor = next(el for position, el in kept if position == first)
    body_words = " ".join(norm_words(body.text_content()))
    for position in range(first - 1, max(-1, first - 1 - LEAD_LOOKBACK), -1):
        para = paragraphs[position]
        if not _near(para, paragraphs[first], LEAD_LEVELS):
            break
        if not _reads_as_lead(para):
            continue
        key = " ".join(norm_words(para.text_content()))
        if key in body_words:
            return 0
        restored = copy.deepcopy(para)
        restored.tag = "p"
        restored.tail = None
        anchor.addprevious(restored)
        return len(key.split())
    return 0


_BYLINE_START = ("by ", "von ", "par ", "por ")


def _bylines_above(body: HtmlElement, paragraphs: list[HtmlElement]) -> list[str]:
    """Byline lines ("By Mirror Staff") among the few paragraphs just above the
    story that readability kept, in the same block of the page."""
    positions = [position for position, _ in _kept_positions(body)]
    if not positions:
        return []
    first = min(positions)
    found = []
    for para in paragraphs[max(0, first - 3):first]:
        text = " ".join(para.text_content().split())
        if text.lower().startswith(_BYLINE_START) and len(text.split()) <= 15 and _near(para, paragraphs[first]):
            found.append(text)
    return found


#: How far from the first kept paragraph a lead picture is looked for: this many
#: ancestors up, this many preceding siblings at each.
LEAD_FIGURE_LEVELS = 3
LEAD_FIGURE_SIBLINGS = 4


def restore_lead_figure(body: HtmlElement, paragraphs: list[HtmlElement]) -> None:
    """Put back the picture that opens the story when readability kept the text
    below it but not it: a <figure> with a picture just above the first kept
    paragraph (between it and the headline), in the same block of the page."""
    if body.find(".//img") is not None:
        return  # the article has its pictures; which one leads is not in doubt
    positions = [position for position, _ in _kept_positions(body)]
    if not positions:
        return
    node = paragraphs[min(positions)]
    for _level in range(LEAD_FIGURE_LEVELS):
        for count, sibling in enumerate(node.itersiblings(preceding=True)):
            if count >= LEAD_FIGURE_SIBLINGS or not isinstance(sibling.tag, str) or sibling.tag in ("h1", "nav", "aside"):
                break
            figure = sibling if sibling.tag == "figure" else sibling.find(".//figure")
            if figure is not None and any(_has_image_source(img) for img in figure.iter("img")):
                if _text_len_of(figure) <= 400 and not _is_hidden(figure):
                    restored = copy.deepcopy(figure)
                    restored.tail = None
                    body.insert(0, restored)
                return
        node = node.getparent()
        if node is None or node.tag in ("body", "html"):
            return


def _text_len_of(el: HtmlElement) -> int:
    return len(" ".join(el.text_content().split()))


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


def _word_grams(text: str, size: int = 4) -> set[tuple[str, ...]]:
    """The set of a text's word n-grams (its normalised words, `size` at a time)."""
    words = norm_words(text)
    return {tuple(words[k:k + size]) for k in range(max(1, len(words) - size + 1))}


def _shingle_f1(a: str, b: str, size: int = 4) -> float:
    """Agreement of two texts as the F1 of their word 4-gram sets."""
    ga, gb = _word_grams(a, size), _word_grams(b, size)
    common = len(ga & gb)
    return 2 * common / (len(ga) + len(gb)) if ga and gb else 0.0


#: trafilatura's first import, from two threads at once (the browser connector saves
#: pages on several), can fail with a _DeadlockError in its own circular imports
_TRAFILATURA_IMPORT = threading.Lock()


def _trafilatura_body(doc: HtmlElement, url: str | None) -> HtmlElement | None:
    """trafilatura's reading of the page, as a <div> of HTML (None if it finds nothing)."""
    with _TRAFILATURA_IMPORT:
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


#: readability kept less than this share of the page's running prose: ask trafilatura too.
PROSE_SHARE = 0.5
#: trafilatura's reading replaces our doubtful one when it is this much longer; when
#: it holds this share of our reading's word 4-grams it found the same story, and
#: more of it (otherwise another part of the page: `why` says which).
LONGER_READING = 1.5
READING_COVERED = 0.6
#: ...or this much longer when its running prose (lines of sentences) is LONGER_READING
#: times ours.
LONGER_PROSE_READING = 1.3


#: A line of running prose has at least this many words (a list of names, one per
#: line, has none, however long the list).
PROSE_LINE_WORDS = 8


def _lines(para: HtmlElement) -> list[str]:
    """The lines of a paragraph, split where it has <br>s."""
    if para.find(".//br") is None:
        return [para.text_content()]
    lines: list[list[str]] = [[]]
    for node in para.iter():
        if node.tag == "br":
            lines.append([])
        elif isinstance(node.tag, str) and node.text:
            lines[-1].append(node.text)
        if node is not para and node.tail:
            lines[-1].append(node.tail)
    return [" ".join(line) for line in lines]


def _prose_words(paragraphs: list[HtmlElement]) -> int:
    """Words in the page's lines of running text (not links, not page chrome, not
    lists of names or figures written one per line)."""
    total = 0
    for para in paragraphs:
        text = para.text_content()
        n = len(text.split())
        if n < PROSE_LINE_WORDS or link_chars(para) > 0.3 * len(text):
            continue
        total += sum(w for w in (len(line.split()) for line in _lines(para)) if w >= PROSE_LINE_WORDS)
    return total


def _text_prose_words(text: str) -> int:
    """Words in the lines of running prose of an extracted text (one paragraph a line)."""
    return sum(w for w in (len(line.split()) for line in text.split("\n")) if w >= PROSE_LINE_WORDS)


def _containment(a: str, b: str, size: int = 4) -> float:
    """Share of a's word 4-grams found in b."""
    ga = _word_grams(a, size)
    return len(ga & _word_grams(b, size)) / len(ga) if ga else 1.0


def _second_reading_wins(text: str, words: int, second_text: str, second_words: int) -> bool:
    """trafilatura's reading replaces our doubtful one when ours is no article and its
    is, or when its reading is much longer: the same story told longer (ours was one
    of several containers), or another part of the page (ours was one box of it: a
    disclosure, a teaser, one post of a thread)."""
    if words < MIN_ARTICLE_WORDS and second_words >= max(MIN_ARTICLE_WORDS, 2 * words):
        return True
    if second_words >= LONGER_READING * words:
        return True
    # Somewhat longer, and what it adds is running prose (not a list or a box).
    return (second_words >= LONGER_PROSE_READING * words
            and _text_prose_words(second_text) >= LONGER_READING * _text_prose_words(text))


def extract_article(html: str, url: str | None) -> Extracted:
    """Extract the article in ``html`` (a whole page, already decoded) found at ``url``.

    Raises ExtractionError when the input is not a page at all; a page whose
    extraction looks poor comes back with ``uncertain=True`` and ``fulltext``.
    """
    repaired = undo_mojibake(html)
    if repaired is not None:
        html = repaired
    doc, truncated = parse_page(html, url)
    url = web_url(url)
    meta = extract_metadata(doc, url, text_heuristics=len(html) <= TEXT_DATE_SEARCH_CHARS)
    paragraphs = number_paragraphs(doc)
    lists = number_lists(doc)

    why: list[str] = []
    if repaired is not None:
        why.append("the page was UTF-8 read as Latin-1 (mojibake): it was read again as UTF-8")
    body = _body_div(_readability_body(doc, url), doc)
    why.append(f"readability chose the page's main block ({len(norm_words(element_text(body)))} words)")
    posts = repeated_posts(body, paragraphs)
    if posts:
        body = doc.makeelement("div")
        body.extend(posts)
        why.append(f"that block is one of {len(posts)} posts built alike (a thread): all were kept")
    had_picture = body.find(".//img") is not None
    restore_lead_figure(body, paragraphs)  # before furniture: its caption and credit are judged too
    if not had_picture and body.find(".//img") is not None:
        why.append("the picture just above the story was put back")
    bylines = remove_furniture(body, meta.title, meta.authors)
    if not meta.authors:
        meta.authors = authors_from_bylines(bylines or _bylines_above(body, paragraphs), meta.site_name)
        if meta.authors:
            why.append(f"the author was read from the byline in the text: {', '.join(meta.authors)}")
    before_gaps = len(norm_words(body.text_content()))
    fill_gaps(body, paragraphs)
    listed = restore_lists(body, paragraphs, lists)
    if listed:
        why.append(f"{listed} words of lists among the story's paragraphs, which readability left out, were put back")
    lead = restore_lead(body, paragraphs)
    restored = len(norm_words(body.text_content())) - before_gaps - lead - listed
    if lead:
        why.append(f"the story's lead paragraph ({lead} words), set apart above it, was put back")
    if restored > 0:
        why.append(f"{restored} words of prose around that block, which readability left out, were put back")
    base = _base_url(doc, url)
    sanitize_tree(body, base)
    text = element_text(body)

    words = len(norm_words(text))
    link_dense = link_chars(body) > MAX_LINK_DENSITY * max(1, len(text))
    # The page's whole text costs a walk over every element: only short or
    # doubtful extractions need it (readability leaves the page tree untouched).
    fulltext = element_text(doc, skip_invisible=True) if words < DOUBTFUL_WORDS or link_dense else None
    prose = _prose_words(paragraphs)
    reasons = []
    if link_dense:
        reasons.append("most of its text is links")
    if words < MIN_ARTICLE_WORDS:
        reasons.append(f"it has fewer than {MIN_ARTICLE_WORDS} words")
    if fulltext is not None and words < DOUBTFUL_SHARE * len(norm_words(fulltext)):
        reasons.append(f"it is under {DOUBTFUL_SHARE:.0%} of the page's visible text")
    own_prose = _text_prose_words(text)
    if own_prose < PROSE_SHARE * prose:
        reasons.append(f"it holds {own_prose} of the page's {prose} words of running prose")
    uncertain = truncated or words < MIN_ARTICLE_WORDS or link_dense
    # Whether the reading itself is in doubt (then the index keeps the page's whole
    # text, so a search finds what the reader offers). A page only cut to fit is
    # uncertain too, but its reading is the article: the index keeps that, not the
    # cut page's text from its menu on (a 30 MB page's snippets began with the menu).
    doubtful = words < MIN_ARTICLE_WORDS or link_dense
    if truncated:
        why.append("the page was larger than Quire reads and was cut")
    if reasons:
        why.append("that reading was doubtful: " + "; ".join(reasons))
        # readability may have picked a teaser box, a link list or nothing at all:
        # trafilatura gives a second opinion, and replaces a reading that failed.
        # Without one (a huge page, or trafilatura finds nothing) the doubt stands.
        small = sum(1 for _ in doc.iter()) <= SECOND_OPINION_MAX_ELEMENTS
        second = _trafilatura_body(doc, url) if small else None
        if second is None:
            uncertain = doubtful = True
            why.append("trafilatura was not asked (the page is huge)" if not small
                       else "trafilatura found no article either")
        else:
            remove_furniture(second, meta.title, meta.authors)
            sanitize_tree(second, base)
            second_text = element_text(second)
            second_words = len(norm_words(second_text))
            if _second_reading_wins(text, words, second_text, second_words):
                covered = _containment(text, second_text)
                body, text = second, second_text
                if words < MIN_ARTICLE_WORDS:
                    why.append(f"trafilatura's reading ({second_words} words) replaced it")
                elif covered >= READING_COVERED:
                    why.append(f"trafilatura's reading ({second_words} words) replaced it: it tells the same "
                               "story, longer")
                else:
                    why.append(f"trafilatura's reading ({second_words} words) replaced it: it reads another, "
                               "longer part of the page")
            elif _shingle_f1(text, second_text) < AGREEMENT:
                uncertain = doubtful = True
                why.append(f"trafilatura read the page differently ({second_words} words): "
                           "readability's reading was kept and marked uncertain")
            else:
                why.append("trafilatura's reading agreed: readability's was kept")
    if uncertain:
        why.append("the article is marked uncertain: the reader offers the page's whole text")
    lang = meta.lang
    if lang:
        why.append(f"the language ({lang}) is the one the page declares")
    else:
        lang = detect_language(text or fulltext or "")
        if lang:
            why.append(f"the language ({lang}) was detected from the text")
    return Extracted(
        title=meta.title or (url or "Untitled"),
        content_html=_serialize(body),
        text=text,
        authors=meta.authors,
        published=meta.published,
        site_name=meta.site_name,
        lang=lang,
        lead_image=meta.lead_image,
        description=meta.description,
        canonical_url=meta.canonical_url,
        uncertain=uncertain,
        fulltext=(fulltext if fulltext is not None else element_text(doc, skip_invisible=True))
        if doubtful
        else "",
        why=why,
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
