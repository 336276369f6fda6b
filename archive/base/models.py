"""Plain data records shared by the core, the CLI and the GUI.

They carry no behaviour on purpose: the catalog, the index, importers and
exporters all pass these around, so none of them needs to know the others.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Callable

#: Version of catalog.sqlite and meta.json. 1: first release; 2: reading progress and
#: the index queue (crash-safe batched indexing); 3: the page's canonical and final
#: (after redirects) addresses, also used to recognise it again; 4: highlights and notes
#: (a catalog table, mirrored into meta.json's "highlights"); 5: tags case-insensitive
#: archive-wide (the first spelling kept; existing case-duplicates merged). Older
#: archives are migrated on open.
SCHEMA_VERSION = 5

#: The colours a highlight may have; the first is the default.
HIGHLIGHT_COLORS = ("yellow", "green", "blue", "pink")

#: Callback used by long operations: progress(done, total, message).
ProgressFn = Callable[[int, int, str], None]


@dataclass
class Extracted:
    """What the extraction pipeline makes of one page."""

    title: str
    content_html: str  # sanitized article body (an HTML fragment), links absolute
    text: str  # plain text of the body, paragraphs separated by newlines
    authors: list[str] = field(default_factory=list)
    published: str | None = None  # ISO 8601
    site_name: str | None = None
    lang: str | None = None
    lead_image: str | None = None  # absolute URL
    description: str | None = None
    canonical_url: str | None = None
    uncertain: bool = False  # extraction looks poor: the reader offers the full text
    fulltext: str = ""  # the page's whole visible text, kept for uncertain pages
    #: How the text was found, step by step, in plain words (`quire show ID --why`).
    why: list[str] = field(default_factory=list)

    @property
    def searchable_text(self) -> str:
        """What the index should hold: the whole page's text when the extraction is in
        doubt (so a search still finds what the reader offers), else the article's."""
        return self.fulltext if self.uncertain and self.fulltext else self.text


@dataclass
class Highlight:
    """A marked passage of an article, with an optional note.

    Anchored twice, as the W3C Web Annotation model does: `quote` with `prefix` and
    `suffix` (a TextQuoteSelector, ~32 characters each side) and `start`/`end`
    (a TextPositionSelector: offsets into the article's canonical plain text,
    archive.library.highlights.plain_text). `unplaced` is set when the text changed
    and the quote could not be found again: it is kept, listed and never painted.
    """

    id: str
    article_id: str
    quote: str
    start: int
    end: int
    prefix: str = ""
    suffix: str = ""
    color: str = HIGHLIGHT_COLORS[0]
    note: str = ""
    created: str = ""  # ISO 8601, UTC
    updated: str = ""
    unplaced: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Highlight":
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


#: the source of a welcome article, before its file's name
WELCOME_SOURCE = "quire:welcome/"


@dataclass
class Article:
    """One saved article as the catalog knows it (mirrored into meta.json)."""

    id: str
    title: str
    url: str | None = None  # the address it was saved from, as given
    canonical_url: str | None = None  # the page's own <link rel=canonical> / og:url
    final_url: str | None = None  # where the fetch ended, when redirects led elsewhere
    site: str = ""
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    saved: str = ""  # ISO 8601, UTC
    lang: str | None = None
    description: str = ""
    lead_image: str | None = None
    word_count: int = 0
    reading_minutes: int = 0
    tags: list[str] = field(default_factory=list)
    collections: list[str] = field(default_factory=list)  # manual collections it is in
    is_read: bool = False
    is_favorite: bool = False
    is_archived: bool = False
    uncertain: bool = False
    status: str = "saved"  # "saved" or "pending" (an import whose fetch failed)
    error: str | None = None  # why a pending article has no content yet
    source: str | None = None  # original file path or import source, for de-duplication
    progress: float = 0.0  # reading progress, 0..1
    #: its highlights in text order (the catalog's rows, mirrored into meta.json so that
    #: the files alone rebuild them); unplaced ones last
    highlights: list[Highlight] = field(default_factory=list)
    schema_version: int = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def is_welcome(self) -> bool:
        """One of Quire's welcome articles: its text is Quire's own, never extracted."""
        return (self.source or "").startswith(WELCOME_SOURCE)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Article":
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["highlights"] = _highlights_of(known.get("highlights"), known.get("id", ""))
        return cls(**known)


def _highlights_of(value: Any, article_id: str) -> list[Highlight]:
    """meta.json's highlights as Highlight records; one that is not whole (a hand edit,
    a torn list) is left out rather than costing the article its adoption."""
    out: list[Highlight] = []
    for h in value if isinstance(value, list) else []:
        if isinstance(h, Highlight):
            out.append(h)
            continue
        if not isinstance(h, dict):
            continue
        try:
            mark = Highlight.from_dict({**h, "article_id": h.get("article_id") or article_id})
            mark.start, mark.end = int(mark.start), int(mark.end)
        except (TypeError, ValueError):
            continue
        if isinstance(mark.quote, str) and isinstance(mark.id, str) and mark.id:
            out.append(mark)
    return out


@dataclass
class SearchHit:
    id: str
    title: str
    url: str | None
    site: str
    tags: list[str]
    saved: str
    score: float
    snippet: str  # HTML with matched terms in <b class="match">…</b>

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
