"""Running a query: Whoosh hits → SearchHit records with highlighted snippets.

Cheap enough to run on every keystroke: relevance-ranked queries of terms,
prefixes, phrases, date ranges, AND/OR/NOT are scored and counted by the
block scorer (topn.py: whole posting blocks as numpy arrays, Whoosh's BM25F
formula) in one pass; other queries go through Whoosh, with the total from
an unscored pass over the matching document numbers. Snippets are made only
for the rows of the requested page, from the compressed text store, by a
plain regex scan (no re-analysis of the whole text). Facets and "Did you
mean" cost extra and run only when asked (facets) or when nothing matched.

Scores and order are Whoosh's; titles, tags and dates come from the
catalog (the index keeps only what search needs), so a tag change shows in
results as soon as it is committed.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any, Iterable, Protocol

from whoosh import query as wq

from archive.base.errors import NotFoundError, QuireError
from archive.base.models import SearchHit
from archive.search.index import SPACELESS_CHAR, WORD_RE, IndexDamagedError, SearchIndex, word_term
from archive.search.docsets import all_docnums, count, leaves
from archive.search.query import OPERATORS, parse_query
from archive.search.snippets import Highlight, find_matches, highlight_for, highlight_snippet, make_snippet
from archive.search.topn import top_n

SORTS = ("relevance", "newest", "oldest")
FACET_TOP = 30


class SearchSource(Protocol):
    """What a search needs of an archive (archive.library.store.Archive is one): its
    index, its catalog (titles, tags and dates of the hits; a page of the newest for
    no query) and what `collection:NAME` stands for. The engine knows nothing of the
    layers above it."""

    @property
    def index(self) -> SearchIndex: ...

    @property
    def catalog(self) -> Any: ...  # archive.library.catalog.Catalog

    def collection_filter(self, name: str) -> str | list[str]:
        """A smart collection's query text or a manual one's member ids; NotFoundError."""
        ...


@dataclass
class SearchResult:
    hits: list[SearchHit]
    total: int
    note: str = ""  # how a malformed query was read instead
    #: "tag" and "site" → [(name, count)] over all matching articles (facets=True only)
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    #: a corrected query that has hits, offered when this one has none ("Did you mean …")
    suggestion: str | None = None


def run_search(archive: SearchSource, text: str, *, limit: int = 20, offset: int = 0,
               sort: str = "relevance", snippets: bool = True, facets: bool = False,
               suggest: bool = True) -> SearchResult:
    """One page of results for the user's query text (never raises on odd text).
    A search that meets a damaged index raises IndexDamagedError, which says so and
    what mends it, instead of whatever the garbage made Whoosh raise."""
    try:
        return _run_search(archive, text, limit=limit, offset=offset, sort=sort, snippets=snippets,
                           facets=facets, suggest=suggest)
    except QuireError:
        raise
    except Exception as exc:  # noqa: BLE001 - garbage in a segment raises anything at all
        damage = _index_damage(archive)
        if damage is None:
            raise  # a sound index: a bug, to be seen as one
        raise IndexDamagedError(f"the search index is damaged ({damage}); your articles are intact: "
                                "run `quire check --repair` to rebuild the index") from exc


def _index_damage(archive: "Archive") -> str | None:
    """What is damaged in the archive's index, or None when it reads whole."""
    try:
        verdict = archive.index.verify()
    except Exception as exc:  # noqa: BLE001
        return f"{type(exc).__name__}: {exc}"
    return None if verdict == "ok" else verdict


def _run_search(archive: "Archive", text: str, *, limit: int, offset: int, sort: str,
                snippets: bool, facets: bool, suggest: bool) -> SearchResult:
    parsed = parse_query(text)
    note = parsed.note
    # limit <= 0 asks for no rows (the total is still counted): max(1, limit) gave one
    wanted = max(0, int(limit))
    limit = max(1, wanted)
    offset = max(0, int(offset))
    q, collection_note = _resolve_collections(archive, parsed.query)
    if collection_note:
        note = f"{note}; {collection_note}" if note else collection_note
    index = archive.index
    if isinstance(q, wq.Every) and not q.fieldname and not facets:
        # No query: the whole archive, newest first — a page of the catalog, far
        # cheaper than sorting every document in the index (the window's first screen).
        ids = archive.catalog.page_ids(wanted, offset, newest_first=sort != "oldest") if wanted else []
        return SearchResult(hits=_hits(archive, [({"id": i}, 1.0) for i in ids], Highlight(), snippets),
                            total=archive.catalog.count(), note=note)
    if getattr(index, "unavailable", None):  # a read-only archive whose index cannot be used
        from archive.base.errors import ArchiveError

        raise ArchiveError(index.unavailable)
    with index.searcher() as searcher:
        kwargs: dict[str, Any] = {"limit": offset + limit}
        if sort in ("newest", "date"):
            kwargs.update(sortedby="saved", reverse=True)
        elif sort == "oldest":
            kwargs.update(sortedby="saved")
        fast = top_n(searcher, q, offset + limit) if sort == "relevance" else None
        if fast is not None:
            best, total = fast
            page = best[offset:offset + wanted]
        else:
            results = searcher.search(q, **kwargs)
            page = [(hit.docnum, hit.score) for hit in results[offset:offset + wanted]]
            total = len(results) if results.has_exact_length() else -1
        docnums: set[int] | None = None
        if facets:
            docnums = all_docnums(searcher, q)
            total = len(docnums)
        elif total < 0:
            total = count(searcher, q)
        rows = [(searcher.stored_fields(docnum), score) for docnum, score in page]
        highlight = highlight_for(searcher, q) if snippets and rows else Highlight()
        facet_counts = _facets(index, searcher, docnums) if docnums is not None else {}
        suggestion = None
        if total == 0 and suggest and text.strip():
            suggestion = _did_you_mean(archive, searcher, text, parsed.note)

    hits = _hits(archive, rows, highlight, snippets)
    if facet_counts.get("tag"):
        facet_counts["tag"] = _tag_display_names(archive, facet_counts["tag"])
    return SearchResult(hits=hits, total=total, note=note, facets=facet_counts, suggestion=suggestion)


def _hits(archive: SearchSource, rows: list[tuple[dict, float]], highlight: Highlight,
          snippets: bool) -> list[SearchHit]:
    """Search hits for (stored fields, score) rows: titles, tags and dates from the
    catalog, snippets from the text store."""
    ids = [stored["id"] for stored, _ in rows]
    texts = archive.index.texts_of(ids) if snippets else {}
    articles = archive.catalog.get_many(ids)
    hits: list[SearchHit] = []
    for stored, score in rows:
        aid = stored["id"]
        a = articles.get(aid)
        if a is None:  # indexed but gone from the catalog: `check` reports it
            continue
        snippet = ""
        if snippets:
            # a hit in a highlight (or its note) shows that highlight
            snippet = (a.highlights and highlight_snippet(a.highlights, highlight)) \
                or make_snippet(texts.get(aid, ""), highlight)
        hits.append(SearchHit(id=aid, title=a.title or stored.get("title", ""), url=a.url, site=a.site,
                              tags=a.tags, saved=a.saved, score=round(float(score or 0.0), 4),
                              snippet=snippet))
    return hits


def match_spans(archive: SearchSource, query_text: str, text: str) -> list[tuple[int, int]]:
    """(start, end) of every word of `text` the query matches (its stemmed, accent-
    folded words, prefixes and fuzzy terms, its phrases where whole; not words under
    NOT): for the reader, which highlights the matches of the search that opened an
    article."""
    parsed = parse_query(query_text)
    with archive.index.searcher() as searcher:
        highlight = highlight_for(searcher, parsed.query)
    return find_matches(text, highlight) if highlight else []


def word_match_spans(query_text: str, text: str) -> list[tuple[int, int]]:
    """match_spans without the index: the query's words and phrases as the index
    analyses them (stemmed, accent-folded), not its prefix*/fuzzy~ terms, which
    only the index's word list can expand. Quick enough for the UI thread, so the
    reader marks the words at once and match_spans completes them."""
    highlight = highlight_for(None, parse_query(query_text).query)
    return find_matches(text, highlight) if highlight else []


# -- collections ---------------------------------------------------------------------
_resolving = threading.local()


def _resolve_collections(archive: SearchSource, q: wq.Query) -> tuple[wq.Query, str]:
    """Replace `collection:NAME` terms by the collection's members (manual) or its
    query (smart), read from the catalog now, so membership is never stale."""
    notes: list[str] = []
    if not any(isinstance(n, wq.Term) and n.fieldname == "collection" for n in _walk(q)):
        return q, ""

    def fix(node: wq.Query) -> wq.Query:
        if isinstance(node, wq.Term) and node.fieldname == "collection":
            return _collection_query(archive, str(node.text), notes)
        return node.apply(fix)

    return fix(q), "; ".join(notes)


def _collection_query(archive: SearchSource, name: str, notes: list[str]) -> wq.Query:
    active: set[str] = getattr(_resolving, "names", set())
    if name in active:
        notes.append(f"collection {name!r} refers to itself")
        return wq.NullQuery
    try:
        found = archive.collection_filter(name)
    except NotFoundError:
        notes.append(f"no collection named {name!r}")
        return wq.Term("collection", name)  # documents indexed with it, if any
    if isinstance(found, str):  # a smart collection's query
        _resolving.names = active | {name}
        try:
            inner, inner_note = _resolve_collections(archive, parse_query(found).query)
        finally:
            _resolving.names = active
        if inner_note:
            notes.append(inner_note)
        return wq.ConstantScoreQuery(inner)
    ids = found
    if not ids:
        return wq.NullQuery
    return wq.ConstantScoreQuery(wq.Or([wq.Term("id", aid) for aid in ids]))


def _walk(q: wq.Query) -> Iterable[wq.Query]:
    stack = [q]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.children())


# -- facets --------------------------------------------------------------------------
def _facets(index: Any, searcher: Any, docnums: set[int]) -> dict[str, list[tuple[str, int]]]:
    """Counts by tag and by site among the matching documents, largest first."""
    out: dict[str, list[tuple[str, int]]] = {}
    for name, fieldname in (("tag", "tag"), ("site", "site_name")):
        counts = []
        if docnums:
            for term, ids in index.facet_postings(searcher, fieldname).items():
                n = len(ids & docnums) if len(ids) < len(docnums) else len(docnums & ids)
                if n:
                    counts.append((term, n))
        counts.sort(key=lambda c: (-c[1], c[0].lower()))
        out[name] = counts[:FACET_TOP]
    return out


def _tag_display_names(archive: SearchSource, counts: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """The index keeps tags lower-cased; show them as the user wrote them."""
    try:
        names = {name.lower(): name for name, _n in archive.catalog.tag_counts()}
    except Exception:  # noqa: BLE001 - display nicety only
        names = {}
    return [(names.get(term, term), n) for term, n in counts]


# -- did you mean ----------------------------------------------------------------------
#: Work caps for "did you mean": a pasted page of text (10,000 characters) took seconds
#: in the spelling corrector and the edit distances. A query longer than this is not
#: corrected at all, words longer than MAX_SUGGEST_WORD are left alone (no real word is,
#: and the corrector's cost grows with the word), and at most MAX_SUGGEST_WORDS unknown
#: words are looked up.
MAX_SUGGEST_QUERY = 1000
MAX_SUGGEST_WORD = 30
MAX_SUGGEST_WORDS = 6
_FREE_WORD = re.compile(r"(?<![\w:\"*~])(\w+)(?![\w:*~])")


def _did_you_mean(archive: SearchSource, searcher: Any, text: str, note: str) -> str | None:
    """The query with each unknown word replaced by a close indexed word (candidates
    from Whoosh's spelling corrector over the content terms, ranked by edit
    distance with transpositions, then by how common), if that query has hits."""
    if '"' in text:  # words inside phrases are left alone: spans get complicated
        return None
    if len(text) > MAX_SUGGEST_QUERY:
        return None  # pasted text, not a typed query: nothing worth the work
    corrector = searcher.corrector("content")
    corrected = text
    changed = False
    looked_up = 0
    for m in _FREE_WORD.finditer(text):
        word = m.group(1)
        if word in OPERATORS or word.isdigit() or not 3 <= len(word) <= MAX_SUGGEST_WORD \
                or SPACELESS_CHAR.search(word) or text[max(0, m.start() - 1):m.start()] in ("'", "’"):
            # a one- or two-letter word has too many close neighbours ("solar's" became
            # "solar'so"), and Chinese or Japanese characters are not spelt
            continue
        term = word_term(word)
        if searcher.doc_frequency("content", term):
            continue
        if looked_up >= MAX_SUGGEST_WORDS:
            break
        looked_up += 1
        candidates = corrector.suggest(term, limit=8, maxdist=2, prefix=1)
        candidates.sort(key=lambda c: (_edit_distance(term, c), -searcher.doc_frequency("content", c)))
        for stem in candidates[:4]:
            docnum = _first_doc(searcher, stem)
            if docnum is None:
                continue
            stored = searcher.stored_fields(docnum)
            aid = stored["id"]
            sample = archive.index.texts_of([aid]).get(aid, "") + " " + (stored.get("title") or "")
            replacement = _surface_forms(sample, {stem}).get(stem, stem)
            corrected = re.sub(rf"(?<![\w:]){re.escape(word)}(?!\w)", replacement, corrected)
            changed = True
            break
    if not changed or corrected == text:
        return None
    check = parse_query(corrected)  # the whole corrected query must find something
    if _note_count(check.note) > _note_count(note):
        return None  # the correction made a part unreadable; a note it shares ("or" …) is fine
    fast = top_n(searcher, check.query, 1)  # uses the cached term scores when it can
    if not (fast[1] if fast is not None else count(searcher, check.query)):
        return None
    return corrected


def _note_count(note: str) -> int:
    return len(note.split("; ")) if note else 0


def _first_doc(searcher: Any, term: str) -> int | None:
    """A (global) document containing the content term, without scoring anything."""
    for sub, offset in leaves(searcher):
        try:
            m = sub.postings("content", term)
        except Exception:  # noqa: BLE001 - not in this segment
            continue
        if m.is_active():
            return m.id() + offset
    return None


def _edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein (optimal string alignment): a swap of two letters is one edit."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def _surface_forms(text: str, stems: set[str]) -> dict[str, str]:
    """For each stem, the most frequent word of `text` (lower-cased) that stems to it."""
    counts: dict[str, dict[str, int]] = {}
    for w in WORD_RE.findall(text):
        t = word_term(w)
        if t in stems:
            forms = counts.setdefault(t, {})
            forms[w.lower()] = forms.get(w.lower(), 0) + 1
    return {t: max(forms, key=lambda f: (forms[f], -len(f))) for t, forms in counts.items()}
