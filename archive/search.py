"""Running a query: Whoosh hits → SearchHit records with highlighted snippets.

Scores and order come from Whoosh; titles, tags and dates come from the
catalog (the index keeps only what search needs), so a tag change shows in
results as soon as it is committed.
"""
from __future__ import annotations

import html as htmlmod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from whoosh import highlight

from .models import SearchHit
from .query import parse_query

if TYPE_CHECKING:
    from .store import Archive

MATCH_OPEN = '<b class="match">'
MATCH_CLOSE = "</b>"


class _MarkFormatter(highlight.Formatter):
    """Fragments as escaped HTML with the matched terms in <b class="match">."""

    between = " … "

    def format_token(self, text, token, replace=False):
        return MATCH_OPEN + htmlmod.escape(highlight.get_text(text, token, replace)) + MATCH_CLOSE

    def _text(self, text):
        return htmlmod.escape(text, quote=False)


@dataclass
class SearchResult:
    hits: list[SearchHit]
    total: int
    note: str = ""  # how a malformed query was read instead
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


def _highlighter() -> highlight.Highlighter:
    return highlight.Highlighter(
        fragmenter=highlight.ContextFragmenter(maxchars=160, surround=60),
        scorer=highlight.BasicFragmentScorer(),
        formatter=_MarkFormatter(),
        order=highlight.FIRST,
    )


def run_search(archive: "Archive", text: str, *, limit: int = 20, offset: int = 0,
               sort: str = "relevance", snippets: bool = True) -> SearchResult:
    parsed = parse_query(text)
    limit = max(1, int(limit))
    offset = max(0, int(offset))
    with archive.index.searcher() as searcher:
        kwargs: dict = {"limit": offset + limit, "terms": snippets}
        if sort in ("newest", "date"):
            kwargs.update(sortedby="saved", reverse=True)
        elif sort == "oldest":
            kwargs.update(sortedby="saved")
        results = searcher.search(parsed.query, **kwargs)
        total = results.estimated_length() if not results.has_exact_length() else len(results)
        try:
            total = len(results)
        except Exception:
            pass
        page = results[offset:offset + limit]
        results.highlighter = _highlighter()
        rows: list[tuple[str, float, str, str]] = []
        for hit in page:
            stored = hit.fields()
            snippet = ""
            if snippets:
                try:
                    snippet = hit.highlights("content", top=3) or ""
                except Exception:
                    snippet = ""
                if not snippet:
                    snippet = htmlmod.escape(" ".join((stored.get("content") or "").split()[:40]))
            rows.append((stored["id"], float(hit.score or 0.0), snippet, stored.get("title", "")))
    articles = archive.catalog.get_many([r[0] for r in rows])
    hits: list[SearchHit] = []
    for aid, score, snippet, title in rows:
        a = articles.get(aid)
        if a is None:  # indexed but gone from the catalog: `check` reports it
            continue
        hits.append(SearchHit(id=aid, title=a.title or title, url=a.url, site=a.site, tags=a.tags,
                              saved=a.saved, score=round(score, 4), snippet=snippet))
    return SearchResult(hits=hits, total=total, note=parsed.note)
