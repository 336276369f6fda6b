"""EPUB 3 (ebooklib): one book, a chapter per article, images embedded, a TOC and a cover.

E-readers are strict where browsers forgive, and the book must pass epubcheck,
so each chapter body is rebuilt as XHTML from an allow-list: only elements and
attributes EPUB 3 content documents allow, ids made unique, links that point
inside the book only when the target exists, and images only in the core media
types (PNG, JPEG, GIF, SVG) and only when the file is in the archive. Anything
else keeps its text and loses its tag.
"""
from __future__ import annotations

import html
import re
import uuid
import warnings
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from ebooklib import epub
from lxml import etree

from archive.extraction.language import is_right_to_left
from archive.base.models import Article
from archive.extraction.pages import XML_INCOMPATIBLE
from archive.interchange.exporters.common import (
    ExportReport,
    Job,
    atomic_output,
    body_element,
    display_date,
    drop_title_heading,
    image_type,
    local_image,
)
from archive.interchange.exporters.marks import MARK_STYLE, epub_types, mark_highlights, note_list_html

CORE_IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/svg+xml"}
ALLOWED_ELEMENTS = set("""
    a abbr b bdi bdo blockquote br caption cite code col colgroup dd del dfn div dl dt em
    figcaption figure h1 h2 h3 h4 h5 h6 hr i img ins kbd li mark ol p pre q rp rt ruby s samp
    section small span strong sub sup table tbody td tfoot th thead time tr u ul var wbr
    article aside details summary
""".split())
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"}, "img": {"src", "alt", "title"}, "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"}, "ol": {"start", "reversed"}, "time": {"datetime"},
    "blockquote": {"cite"}, "q": {"cite"}, "col": {"span"}, "colgroup": {"span"},
    "details": {"open"},
}
COMMON_ATTRIBUTES = {"lang", "dir", "title"}
#: Elements valid only inside these parents (XHTML has no parser to repair misnesting).
REQUIRED_PARENTS = {
    "li": {"ul", "ol"}, "dt": {"dl"}, "dd": {"dl"}, "figcaption": {"figure"},
    "rt": {"ruby"}, "rp": {"ruby"}, "summary": {"details"}, "caption": {"table"},
    "thead": {"table"}, "tbody": {"table"}, "tfoot": {"table"}, "colgroup": {"table"},
    "col": {"colgroup"}, "tr": {"table", "thead", "tbody", "tfoot"}, "td": {"tr"}, "th": {"tr"},
}
#: Elements that hold only phrasing content: no blocks may open inside them.
PHRASING_ONLY = set("""
    p h1 h2 h3 h4 h5 h6 a abbr b bdi bdo cite code del dfn em i ins kbd mark q s samp small span
    strong sub sup time u var pre summary caption dt figcaption
""".split())
#: Block (flow) elements, unwrapped when they turn up inside phrasing content.
BLOCKS = set("""
    article aside blockquote details div dl figure h1 h2 h3 h4 h5 h6 hr ol p pre section table ul
""".split())
#: Containers whose direct children must be of certain kinds (loose text is not allowed).
STRICT_CONTAINERS = {"ul", "ol", "dl", "table", "thead", "tbody", "tfoot", "tr", "colgroup"}
#: The item element that loose content in a list-like container is wrapped in.
ITEM_WRAPPERS = {"ul": "li", "ol": "li", "dl": "dd"}

STYLE = """
body { font-family: serif; line-height: 1.5; }
.article-meta { color: #555; font-size: 0.85em; margin-bottom: 1.5em; }
.article-meta p { margin: 0.2em 0; }
img { max-width: 100%; }
pre { white-space: pre-wrap; font-size: 0.85em; }
blockquote { margin-left: 1em; padding-left: 0.8em; border-left: 2px solid #aaa; }
.cover { text-align: center; margin-top: 30%; }
aside { font-size: 0.9em; }
""" + MARK_STYLE


_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


def _language(value: str | None) -> str | None:
    """A BCP 47 tag EPUB accepts ("en", "pt-BR"), or None for what pages put there instead."""
    value = (value or "").strip().replace("_", "-")
    return value if _LANGUAGE_TAG.match(value) else None


MAX_CREATORS = 8  # a book of many articles names its first authors, not dozens
PRODUCER = "Quire"  # the creator of a book whose articles name no author


def creators(articles: list) -> list[str]:
    """The book's dc:creator values: the articles' authors (each once, in article
    order, at most MAX_CREATORS), else Quire, which made the book."""
    seen: dict[str, str] = {}
    for article in articles:
        for author in article.authors:
            name = _meta_text(author)
            if name and name.casefold() not in seen:
                seen[name.casefold()] = name
    names = list(seen.values())[:MAX_CREATORS]
    return names or [PRODUCER]


def _xml_safe(text: str | None) -> str | None:
    """Drop characters XML cannot hold (control characters survive some pages, and
    archives written before imports cleaned titles hold them in metadata too)."""
    if text is None:
        return None
    return XML_INCOMPATIBLE.sub("", text)


def _meta_text(text: str | None) -> str:
    """A title, name or site for the book's metadata: XML-safe and on one line."""
    return " ".join((_xml_safe(text) or "").split())


def _clean_metadata(article: Article) -> Article:
    """A copy of `article` whose title, authors and site can go into XML."""
    clean = Article.from_dict(article.to_dict())
    clean.title = _meta_text(article.title)
    clean.authors = [name for name in map(_meta_text, article.authors) if name]
    clean.site = _meta_text(article.site)
    clean.url = _xml_safe(article.url)
    return clean


class _ChapterBuilder:
    """Rebuilds one article body as EPUB-valid XHTML, collecting its images."""

    def __init__(self, book: epub.EpubBook, job: Job, article: Article, chapter_no: int,
                 image_cache: dict[Path, str]) -> None:
        self.book, self.job, self.article = book, job, article
        self.chapter_no = chapter_no
        self.image_cache = image_cache  # file in the archive -> its name in the book
        self.ids: set[str] = set()

    def build(self) -> str:
        element = body_element(self.job.archive, self.article.id)
        drop_title_heading(element, self.article.title)
        out = etree.Element("div", {"class": "article-body"})
        out.text = _xml_safe(element.text)
        for child in element:
            self._copy(child, out)
        self._fix_links(out)
        # highlights marked in the clean copy, notes as EPUB 3 footnotes after the text
        marked = mark_highlights(out, self.job.archive.highlights.text(self.article.id),
                                 self.article.highlights, refs=True, epub=True)
        return epub_types(etree.tostring(out, encoding="unicode", method="xml")
                          + note_list_html(marked, epub=True))

    def _copy(self, source: etree._Element, parent: etree._Element, phrasing: bool = False,
              in_link: bool = False) -> None:
        """Copy `source` under `parent`, unwrapping whatever XHTML would not accept there."""
        if not isinstance(source.tag, str):  # comments, processing instructions
            self._append_text(parent, source.tail)
            return
        tag = source.tag.lower()
        if tag == "img":
            if parent.tag in STRICT_CONTAINERS:
                if parent.tag not in ITEM_WRAPPERS:
                    return
                parent = etree.SubElement(parent, ITEM_WRAPPERS[parent.tag])
            self._image(source, parent)
            self._append_text(parent, source.tail)
            return
        misplaced = (
            tag not in ALLOWED_ELEMENTS
            or (tag in REQUIRED_PARENTS and parent.tag not in REQUIRED_PARENTS[tag])
            or (phrasing and tag in BLOCKS)
            or (in_link and tag == "a")
            or (parent.tag in STRICT_CONTAINERS and tag not in REQUIRED_PARENTS)
        )
        if misplaced and parent.tag in ITEM_WRAPPERS and tag not in REQUIRED_PARENTS:
            # loose content in a list becomes an item of its own
            parent = etree.SubElement(parent, ITEM_WRAPPERS[parent.tag])
            misplaced = tag not in ALLOWED_ELEMENTS
        elif misplaced and parent.tag in STRICT_CONTAINERS:
            return  # stray content inside a table or list structure: nothing valid to do
        if misplaced:
            # unwrap: keep the text and the children, lose the tag
            self._append_text(parent, source.text)
            for child in source:
                self._copy(child, parent, phrasing, in_link)
            self._append_text(parent, source.tail)
            return
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | COMMON_ATTRIBUTES
        attrs = {k: _xml_safe(v) or "" for k, v in source.attrib.items() if k in allowed}
        if tag == "a" and "href" in attrs:
            attrs["href"] = self._href(attrs["href"]) or ""
            if not attrs["href"]:
                del attrs["href"]
        if "id" in source.attrib:
            anchor = self._unique_id(source.attrib["id"])
            if anchor:
                attrs["id"] = anchor
        if tag in ("td", "th"):
            for span in ("colspan", "rowspan"):
                if span in attrs and not attrs[span].isdigit():
                    del attrs[span]
        if tag == "ol" and "start" in attrs and not attrs["start"].lstrip("-").isdigit():
            del attrs["start"]
        if "dir" in attrs and attrs["dir"] not in ("ltr", "rtl", "auto"):
            del attrs["dir"]
        node = etree.SubElement(parent, tag, attrs)
        self._append_text(node, source.text)
        for child in source:
            self._copy(child, node, phrasing or tag in PHRASING_ONLY, in_link or tag == "a")
        self._append_text(parent, source.tail)

    @staticmethod
    def _append_text(parent: etree._Element, text: str | None) -> None:
        text = _xml_safe(text)
        if not text:
            return
        if parent.tag in STRICT_CONTAINERS:
            if parent.tag in ITEM_WRAPPERS and text.strip():
                # loose text in a list becomes an item of its own
                etree.SubElement(parent, ITEM_WRAPPERS[parent.tag]).text = text.strip()
            return  # no loose text inside table structure
        if len(parent):
            last = parent[-1]
            last.tail = (last.tail or "") + text
        else:
            parent.text = (parent.text or "") + text

    def _unique_id(self, raw: str) -> str | None:
        base = re.sub(r"[^A-Za-z0-9_.-]", "-", raw).strip("-")
        if not base:
            return None
        if not base[0].isalpha():
            base = "a" + base
        anchor, n = base, 1
        while anchor in self.ids:
            n += 1
            anchor = f"{base}-{n}"
        self.ids.add(anchor)
        return anchor

    def _href(self, href: str) -> str | None:
        href = href.strip()
        if href.startswith("#"):
            return href  # checked against the ids once the chapter is built
        parts = urlsplit(href)
        if parts.scheme in ("http", "https", "mailto"):
            return href
        if not parts.scheme and self.article.url:
            absolute = urljoin(self.article.url, href)
            return absolute if urlsplit(absolute).scheme in ("http", "https") else None
        return None

    def _fix_links(self, root: etree._Element) -> None:
        for link in root.iter("a"):
            href = link.get("href")
            if href and href.startswith("#") and href[1:] not in self.ids:
                del link.attrib["href"]

    def _image(self, source: etree._Element, parent: etree._Element) -> None:
        alt = _xml_safe(source.get("alt")) or ""
        path = local_image(self.job.archive, self.article.id, source.get("src"))
        name = self.image_cache.get(path) if path else None
        if path is not None and name is None:
            data = path.read_bytes()
            mime = image_type(data)
            if mime in CORE_IMAGE_TYPES:
                ext = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif",
                       "image/svg+xml": ".svg"}[mime]
                name = f"images/{len(self.image_cache) + 1:05d}{ext}"
                self.book.add_item(epub.EpubImage(uid=f"img{len(self.image_cache) + 1:05d}",
                                                  file_name=name, media_type=mime, content=data))
                self.image_cache[path] = name
        if name is None:
            if alt:  # an image we cannot carry still says what it showed
                self._append_text(parent, f"[{alt}]")
            return
        etree.SubElement(parent, "img", {"src": name, "alt": alt})


def _header(article: Article) -> str:
    lines = [f"<h1>{html.escape(article.title)}</h1>", '<div class="article-meta">']
    site = html.escape(article.site or urlsplit(article.url or "").hostname or "")
    if article.url:
        label = site or html.escape(article.url)
        lines.append(f'<p><a href="{html.escape(article.url)}">{label}</a></p>')
    elif site:
        lines.append(f"<p>{site}</p>")
    if article.authors:
        lines.append(f"<p>{html.escape(', '.join(article.authors))}</p>")
    dates = []
    if article.published:
        dates.append(f"Published {display_date(article.published)}")
    if article.saved:
        dates.append(f"saved {display_date(article.saved)}")
    if dates:
        lines.append(f"<p>{' · '.join(dates)}</p>")
    lines.append("</div>")
    return "\n".join(lines)


def _cover_svg(title: str, subtitle: str) -> bytes:
    """A plain typographic cover (no image library needed), so readers show a thumbnail."""
    words, lines, line = title.split(), [], ""
    for word in words:
        if len(line) + len(word) + 1 > 22 and line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    lines = lines[:6]
    text = "".join(
        f'<text x="300" y="{330 + i * 60}" font-size="44" text-anchor="middle" '
        f'font-family="serif" fill="#222">{html.escape(t)}</text>' for i, t in enumerate(lines))
    svg = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" width="600" height="900" viewBox="0 0 600 900">'
        '<rect width="600" height="900" fill="#f4f1ea"/>'
        '<rect x="30" y="30" width="540" height="840" fill="none" stroke="#8a7f6a" '
        'stroke-width="3"/>'
        f"{text}"
        f'<text x="300" y="800" font-size="24" text-anchor="middle" font-family="serif" '
        f'fill="#555">{html.escape(subtitle)}</text></svg>')
    return svg.encode("utf-8")


def export(job: Job, out_path: Path, title: str | None = None) -> ExportReport:
    report = ExportReport(Path(out_path))
    saved = [_clean_metadata(a) for a in job.articles if a.status == "saved"]
    for article in job.articles:
        if article.status != "saved":
            report.skipped.append(f"{article.title}: pending, no content to export")
    today = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    book_title = _meta_text(title) or (
        saved[0].title if len(saved) == 1 and saved[0].title else f"Quire articles, {today}")
    languages = [tag for tag in (_language(a.lang) for a in saved) if tag]
    language = max(set(languages), key=languages.count) if languages else "en"

    book = epub.EpubBook()
    book.set_identifier(f"urn:uuid:{uuid.uuid4()}")
    book.set_title(book_title)
    book.set_language(language)
    for author in creators(saved):  # readers (calibre) show "Unknown" without one
        book.add_author(author)
    style = epub.EpubItem(uid="style", file_name="style/book.css", media_type="text/css",
                          content=STYLE.encode("utf-8"))
    book.add_item(style)
    book.set_cover("cover.svg", _cover_svg(book_title, f"{len(saved)} articles · {today}"))

    chapters: list[epub.EpubHtml] = []
    image_cache: dict[Path, str] = {}
    for number, article in enumerate(saved):
        job.step(number, article.title)
        builder = _ChapterBuilder(book, job, article, number + 1, image_cache)
        chapter = epub.EpubHtml(title=article.title or f"Article {number + 1}",
                                file_name=f"article-{number + 1:05d}.xhtml",
                                lang=_language(article.lang) or language)
        direction = ' dir="rtl"' if is_right_to_left(article.lang) else ""
        chapter.content = (f"<html><body><section{direction}>{_header(article)}{builder.build()}"
                           "</section></body></html>")
        chapter.add_item(style)
        book.add_item(chapter)
        chapters.append(chapter)
        report.exported += 1
    book.toc = chapters
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["cover", "nav", *chapters]
    with atomic_output(out_path) as tmp, warnings.catch_warnings():
        # ebooklib only warns about a failed write unless asked to raise
        warnings.simplefilter("ignore", UserWarning)
        epub.write_epub(str(tmp), book, {"raise_exceptions": True})
    job.step(len(job.articles), "done")
    return report
