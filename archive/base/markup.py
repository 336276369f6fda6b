"""HTML facts every layer shares: the empty (void) elements and their repair
after libxml2's parse, and the mark that stands for embedded media.

Here, below capture and extraction, because both need them: extraction marks
embedded media and repairs the parse (archive.extraction.htmlparse), the
picture step (archive.capture.images) turns the marks into placeholders and
repairs the article body it parses again.
"""
from __future__ import annotations

from lxml.html import HtmlElement

#: HTML's empty elements. libxml2 parses HTML4 and does not know the HTML5 ones
#: (embed, source, track, wbr, keygen): it nests everything that follows them
#: inside, up to the parent's end, so removing one would remove the rest of the
#: article with it.
VOID_TAGS = ("area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta",
             "param", "source", "track", "wbr", "frame", "basefont", "bgsound")
#: Set on the empty <a href="original"> that stands for embedded media; its value
#: is the kind ("video", "audio", "embed"). Empty, so it adds no words to the text.
EMBED_MARK = "data-quire-embed"


def repair_void_elements(root: HtmlElement) -> None:
    """Move what libxml2 nested inside an empty element out, right after it:
    ``<p>A</p><embed src=x><p>B</p>`` must keep B beside the embed, not in it."""
    for void in [el for el in root.iter(*VOID_TAGS) if len(el) or el.text]:
        if void.getparent() is None:
            continue
        inner_text, after = void.text or "", void.tail or ""
        children = list(void)
        void.text = None
        last = void
        for child in children:
            last.addnext(child)  # the child's tail moves with it
            last = child
        # what followed the element's (implied) end comes after what it swallowed
        void.tail = inner_text or None
        last.tail = ((last.tail or "") if last is not void else (void.tail or "")) + after or None
