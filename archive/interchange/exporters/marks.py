"""Highlights in exported pages: each one wrapped in <mark> (split where it crosses
element boundaries), its note a numbered footnote.

The highlight offsets count characters of the canonical plain text; the page's
text nodes are matched to it through their non-space characters
(archive.library.textmap), so the marks land on the same words whatever the
markup around them.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Iterable

from lxml import etree

from archive.base.models import Highlight
from archive.extraction.htmlparse import INVISIBLE_TAGS
from archive.library.textmap import OffsetMap

#: Colours of <mark> in exported pages (readable on white and in e-readers' night modes).
MARK_COLORS = {"yellow": "#fff3a3", "green": "#c8f0c0", "blue": "#c6e2ff", "pink": "#ffd0e4"}
MARK_STYLE = "".join(f"mark.hl-{name} {{ background: {value}; color: inherit; }}\n"
                     for name, value in MARK_COLORS.items())


@dataclass
class _Node:
    element: etree._Element
    is_tail: bool
    text: str


def _hidden(el: etree._Element) -> bool:
    if not isinstance(el.tag, str):
        return True  # a comment's text is no text
    classes = el.get("class") or ""
    return el.tag.lower() in INVISIBLE_TAGS or "missing-image" in classes or "missing-media" in classes


def _text_nodes(root: etree._Element) -> list[_Node]:
    """The visible text nodes under root in document order (not the root's tail)."""
    out: list[_Node] = []

    def walk(el: etree._Element) -> None:
        if el.text:
            out.append(_Node(el, False, el.text))
        for child in el:
            if not _hidden(child):
                walk(child)
            if child.tail:
                out.append(_Node(child, True, child.tail))

    walk(root)
    return out


def mark_highlights(root: etree._Element, canonical: str, marks: Iterable[Highlight], *,
                    refs: bool = False, epub: bool = False) -> list[Highlight]:
    """Wrap each placed highlight's words under `root` in <mark class="hl-COLOUR">;
    with `refs`, a numbered footnote reference (<sup><a href="#hl-note-N">) follows each
    one that has a note (EPUB: epub:type="noteref", written as data-epub-type and
    renamed in the serialized text by `epub_types`). Returns the highlights marked, in
    text order: note_list_html(returned) writes the matching notes."""
    placed = sorted((m for m in marks if not m.unplaced and m.end > m.start), key=lambda m: m.start)
    if not placed:
        return []
    nodes = _text_nodes(root)
    mapping = OffsetMap(canonical, "".join(n.text for n in nodes))
    starts: list[int] = []
    at = 0
    for n in nodes:
        starts.append(at)
        at += len(n.text)
    cuts: dict[int, list[tuple[int, int, Highlight, bool]]] = {}
    done: list[Highlight] = []
    for mark in placed:
        span = mapping.span(mark.start, mark.end)
        if span is None:
            continue
        s, e = span
        pieces = []
        for i, n in enumerate(nodes):
            lo, hi = starts[i], starts[i] + len(n.text)
            if hi <= s or lo >= e:
                continue
            a, b = max(s, lo) - lo, min(e, hi) - lo
            if n.text[a:b].strip():
                pieces.append((i, a, b))
        for j, (i, a, b) in enumerate(pieces):
            cuts.setdefault(i, []).append((a, b, mark, j == len(pieces) - 1))
        if pieces:
            done.append(mark)
    numbers = {m.id: n for n, m in enumerate((m for m in done if m.note), 1)}
    for i in sorted(cuts, reverse=True):  # from the end: earlier nodes keep their places
        _split(nodes[i], sorted(cuts[i], key=lambda c: c[0]), numbers if refs else {}, epub)
    if numbers and refs:
        _lift_refs(root)
    return done


def _lift_refs(root: etree._Element) -> None:
    """A footnote reference that landed inside a link (the highlight ends in link text)
    moves to just after that link: a link inside a link is invalid (epubcheck says so)."""
    for sup in list(root.iter("sup")):
        link = sup[0] if len(sup) else None
        if link is None or not (link.get("id") or "").startswith("hl-ref-"):
            continue
        outer = None
        for ancestor in sup.iterancestors():
            if ancestor is root:
                break
            if isinstance(ancestor.tag, str) and ancestor.tag.lower() == "a":
                outer = ancestor
        if outer is None:
            continue
        # take it out, its tail staying where it was
        parent = sup.getparent()
        previous = sup.getprevious()
        if sup.tail:
            if previous is not None:
                previous.tail = (previous.tail or "") + sup.tail
            else:
                parent.text = (parent.text or "") + sup.tail
        parent.remove(sup)
        sup.tail = outer.tail
        outer.tail = None
        outer.addnext(sup)


def _note_ref(n: int, epub: bool) -> etree._Element:
    sup = etree.Element("sup")
    a = etree.SubElement(sup, "a", {"href": f"#hl-note-{n}", "id": f"hl-ref-{n}"})
    if epub:
        a.set("data-epub-type", "noteref")
    a.text = str(n)
    return sup


def _split(node: _Node, cuts: list[tuple[int, int, Highlight, bool]], numbers: dict[str, int],
           epub: bool) -> None:
    """Replace one text node by its plain pieces and <mark> elements (and note refs)."""
    text = node.text
    made: list[etree._Element] = []
    for k, (a, b, mark, last) in enumerate(cuts):
        el = etree.Element("mark", {"class": f"hl-{mark.color}"})
        el.text = text[a:b]
        made.append(el)
        if last and mark.id in numbers:
            made.append(_note_ref(numbers[mark.id], epub))
        after = text[b:cuts[k + 1][0]] if k + 1 < len(cuts) else text[b:]
        made[-1].tail = after or None
    head = text[:cuts[0][0]] or None
    if node.is_tail:
        anchor = node.element
        anchor.tail = head
        parent = anchor.getparent()
        at = parent.index(anchor) + 1
        for n, el in enumerate(made):
            parent.insert(at + n, el)
    else:
        node.element.text = head
        for n, el in enumerate(made):
            node.element.insert(n, el)


def epub_types(xhtml: str) -> str:
    """data-epub-type="…" → epub:type="…" (lxml cannot name an attribute with a prefix
    it has no namespace for; the chapter's template declares xmlns:epub)."""
    return xhtml.replace(' data-epub-type="', ' epub:type="')


def note_list_html(marks: list[Highlight], *, epub: bool = False) -> str:
    """The notes of `marks` (those with one) as footnotes: an EPUB 3 <aside
    epub:type="footnote"> each, or a plain <section> with an ordered list."""
    noted = [m for m in marks if m.note]
    if not noted:
        return ""
    if epub:
        return "".join(
            f'<aside epub:type="footnote" id="hl-note-{n}"><p><a href="#hl-ref-{n}">{n}.</a> '
            + "<br/>".join(html.escape(line) for line in m.note.splitlines()) + "</p></aside>"
            for n, m in enumerate(noted, 1))
    items = "".join(
        f'<li id="hl-note-{n}">' + "<br>".join(html.escape(line) for line in m.note.splitlines())
        + f' <a href="#hl-ref-{n}">↩</a></li>' for n, m in enumerate(noted, 1))
    return f'<section class="highlight-notes"><h2>Notes</h2><ol>{items}</ol></section>'
