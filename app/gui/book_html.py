"""Article HTML rearranged for Qt's rich text, so pictures read as in a book.

Qt's HTML subset knows neither <figure> nor <figcaption>: a figure's picture
joined the paragraph before it, and the 155 % line height of the text then
made the picture's line half as tall again — a blank band of ~200 px under
every picture, with the caption against the next paragraph (issue 19). Here
every picture gets a block of its own (class "picture", or "captioned" when
its caption follows) and every caption a paragraph (class "caption"); the
theme's typography (themes.typography_css) spaces those blocks.

Runs on the worker thread that loads the article, never on the UI thread.
"""

from __future__ import annotations

from lxml import etree, html as lxml_html

_INLINE_WRAPPERS = frozenset({"a", "picture", "span", "em", "strong", "b", "i"})
_TEXT_BLOCKS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "dt", "dd", "caption"})
_INLINE = _INLINE_WRAPPERS | frozenset({"code", "small", "sub", "sup", "u", "s", "mark", "q",
                                        "abbr", "cite", "time", "kbd", "var", "label", "font"})


def _has_text(element: etree._Element, skip: etree._Element | None = None) -> bool:
    """Whether element holds visible text (outside `skip`)."""
    if (element.text or "").strip():
        return True
    for child in element:
        if child is not skip and (_has_text(child) or child.tag == "img"):
            return True
        if (child.tail or "").strip():
            return True
    return False


def _carrier(img: etree._Element) -> etree._Element:
    """The image, or the link/picture wrapper holding only it."""
    node = img
    parent = node.getparent()
    while (parent is not None and parent.tag in _INLINE_WRAPPERS
           and not _has_text(parent, skip=node) and len(parent) == 1):
        node, parent = parent, parent.getparent()
    return node


def _caption_follows(node: etree._Element) -> bool:
    following = node.getnext()
    while following is not None and following.tag in ("br",):
        following = following.getnext()
    return following is not None and following.get("class") == "caption"


def book_html(body: str) -> str:
    """`body` with figures, captions and pictures as Qt lays them out well."""
    lowered = body.lower()
    if "<img" not in lowered and "<fig" not in lowered:
        return body  # nothing to do: most text-only articles skip the parse
    try:
        root = lxml_html.fragment_fromstring(body, create_parent="div")
    except (etree.ParserError, ValueError):
        return body
    for figure in list(root.iter("figure")):
        figure.tag = "div"
        figure.attrib.clear()
        figure.set("class", "figure")
    for caption in list(root.iter("figcaption")):
        blocks = any(child.tag in ("p", "div", "ul", "ol", "table") for child in caption)
        caption.tag = "div" if blocks else "p"
        caption.attrib.clear()
        caption.set("class", "caption")
    for img in list(root.iter("img")):
        node = _carrier(img)
        parent = node.getparent()
        if parent is None or parent.tag in _INLINE:
            continue  # a picture inside a line of text stays in the line
        if parent.tag in _TEXT_BLOCKS:
            if parent.tag != "p" or _has_text(parent, skip=node) or len(parent) > 1:
                continue  # an icon in a sentence; a paragraph of several pictures
            block = parent
        else:  # between blocks (a figure, a div, the article): a block of its own
            block = etree.Element("p")
            node.addprevious(block)
            block.tail, node.tail = node.tail, None
            block.append(node)
        block.set("class", "captioned" if _caption_follows(block) else "picture")
    out = lxml_html.tostring(root, encoding="unicode")
    return out[len("<div>"):-len("</div>")] if out.startswith("<div>") else out
