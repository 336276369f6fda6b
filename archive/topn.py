"""Top-N by relevance for plain term queries, a posting block at a time.

A common word matches most of a large archive, and Whoosh's collector then
makes five Python calls per matching document (match, collect, score, id,
next). For queries made only of terms, prefixes, AND, OR and NOT — most of what
people type — this module scores whole blocks with
one list comprehension per block and picks the top N with heapq: the same
BM25F scores (FastBM25F's formula), the same order (score, then document
number), several times faster. Anything else returns None and Whoosh runs it.
"""
from __future__ import annotations

from itertools import accumulate
from typing import Any, Callable, Iterator

from whoosh import query as wq

from .ranges import ColumnRange



#: Scored postings kept per segment reader (search as you type repeats most terms
#: from one keystroke to the next); a budget in postings bounds the memory.
CACHE_POSTINGS = 1_500_000


def _term_scores(searcher: Any, q: wq.Term) -> "dict[int, float] | _Scores | None":
    """Local docnum → score of one term in one segment (None: not a plain term),
    cached on the segment reader, which lives until the next commit."""
    from collections import OrderedDict

    reader = searcher.reader()
    cache = reader.__dict__.setdefault("_quire_scores", OrderedDict())
    key = (q.fieldname, q.text, q.boost, id(searcher.weighting.__class__))
    found = cache.get(key)
    if found is not None:
        cache.move_to_end(key)
        return found
    result = _compute_term_scores(searcher, q)
    if isinstance(result, _Scores) and len(result) <= CACHE_POSTINGS // 4:
        cache[key] = result
        size = sum(len(v) for v in cache.values())
        while size > CACHE_POSTINGS and len(cache) > 1:
            _k, old = cache.popitem(last=False)
            size -= len(old)
    return result


#: content's terms without positions (index.WordCounts): read for ids and weights
POSITIONLESS = {"content": "words"}


def _leaf_postings(searcher: Any, q: wq.Term, positions: bool = False) \
        -> "tuple[Any, bytes, Any, bool] | dict | None":
    """(reader, term bytes, the term's raw block matcher, whether deleted documents must
    still be filtered out) — or {} when the term matches nothing, None when its postings
    are not plain Whoosh 3 blocks (the caller then lets Whoosh score).

    Unless `positions` is asked for, a content term is read from the positionless
    copy: the same documents and weights in blocks a tenth of the size."""
    from whoosh.codec.whoosh3 import W3LeafMatcher
    from whoosh.matching import wrappers

    schema = searcher.schema
    if q.fieldname not in schema:
        return {}
    try:
        text = schema[q.fieldname].to_bytes(q.text)
    except ValueError:
        return {}
    reader = searcher.reader()
    fieldname = q.fieldname
    if not positions and POSITIONLESS.get(fieldname) in schema:
        fieldname = POSITIONLESS[fieldname]
    if (fieldname, text) not in reader:
        return {}
    m = reader.postings(fieldname, text)
    filtered = False
    if isinstance(m, wrappers.WrappingMatcher) and isinstance(m.child, W3LeafMatcher):
        m, filtered = m.child, True
    if not isinstance(m, W3LeafMatcher):
        return None
    return reader, text, m, filtered


def block_ids(m: Any) -> Any:
    """The document ids of a W3 matcher's current block: Whoosh's own _read_ids
    with the delta decoding done by itertools.accumulate (C) instead of a
    Python generator — a common word has hundreds of blocks."""
    ids = m._ids
    if ids is None:
        if m._data is None:
            m._read_data()
        ids = m._data[0]
        if not m._byteids:
            ids = tuple(accumulate(ids))
        m._ids = ids
    return ids


def posting_scorer(searcher: Any, fieldname: str, text: bytes, boost: float) \
        -> "Callable[[int, float], float] | None":
    """(docnum, weight) → the term's score, as Whoosh's scorer gives it (None: a
    scorer this module does not reproduce)."""
    from .scoring import _FastScorer

    scorer = searcher.weighting.scorer(searcher, fieldname, text)
    if isinstance(scorer, _FastScorer) and scorer._norms is not None:
        norms, k = scorer._norms, scorer._k1p1_idf * boost
        return lambda d, w: k * w / (w + norms[d])
    if type(scorer).__name__ == "WeightScorer":
        return lambda d, w: w * boost
    return None


def _blocks(m: Any) -> Iterator[tuple[Any, Any]]:
    """(document ids, weights) of each remaining posting block, read straight from it."""
    while m.is_active():
        block_ids(m)
        if m._weights is None:
            m._read_weights()
        i = m._i
        yield m._ids[i:], m._weights[i:]
        if m._lastblock:
            break
        m._next_block()


def _compute_term_scores(searcher: Any, q: wq.Term) -> "dict[int, float] | _Scores | None":
    from .scoring import _FastScorer

    leaf = _leaf_postings(searcher, q)
    if not isinstance(leaf, tuple):
        return leaf
    reader, text, m, filtered = leaf
    scorer = searcher.weighting.scorer(searcher, q.fieldname, text)
    boost = q.boost
    ids: list[int] = []
    scores: list[float] = []
    if isinstance(scorer, _FastScorer) and scorer._norms is not None:
        norms, k = scorer._norms, scorer._k1p1_idf * boost
        for block_ids, weights in _blocks(m):
            ids.extend(block_ids)
            scores.extend([k * w / (w + norms[d]) for d, w in zip(block_ids, weights)])
    elif type(scorer).__name__ == "WeightScorer":
        for block_ids, weights in _blocks(m):
            ids.extend(block_ids)
            scores.extend([w * boost for w in weights])
    else:
        return None
    if filtered:
        is_deleted = reader.is_deleted
        keep = [k for k, d in enumerate(ids) if not is_deleted(d)]
        ids, scores = [ids[k] for k in keep], [scores[k] for k in keep]
    return _Scores(ids, scores)


class _Scores(dict):
    """docnum → score, made lazily from parallel lists (a single term needs no dict)."""

    def __init__(self, ids: list[int], scores: list[float]) -> None:
        super().__init__()
        self.ids, self.scores = ids, scores
        self._filled = False

    def fill(self) -> "_Scores":
        if not self._filled:
            self.update(zip(self.ids, self.scores))
            self._filled = True
        return self

    def __len__(self) -> int:
        return len(self.ids)


def _term_scores_at(searcher: Any, q: wq.Term, docs: list[int]) -> dict[int, float] | None:
    """Scores of a term at the given (ascending) documents only."""
    from .scoring import _FastScorer

    leaf = _leaf_postings(searcher, q)
    if not isinstance(leaf, tuple):
        return leaf
    # deleted documents are not among `docs`: they came from a filtered term
    _reader, text, m, _filtered = leaf
    scorer = searcher.weighting.scorer(searcher, q.fieldname, text)
    fast = isinstance(scorer, _FastScorer) and scorer._norms is not None
    if not fast and type(scorer).__name__ != "WeightScorer":
        return None
    out: dict[int, float] = {}
    for d in docs:
        if not m.is_active():
            break
        if m.id() < d:
            m.skip_to(d)
            if not m.is_active():
                break
        if m.id() == d:
            w = m.weight()
            if fast:
                out[d] = scorer._k1p1_idf * q.boost * w / (w + scorer._norms[d])
            else:
                out[d] = w * q.boost
    return out


def _scores(searcher: Any, q: wq.Query) -> dict[int, float] | None:
    from .phrases import AdjacentTerms, phrase_scores

    if isinstance(q, wq.Term):
        return _term_scores(searcher, q)
    if isinstance(q, AdjacentTerms):
        return phrase_scores(searcher, q)
    if isinstance(q, ColumnRange):  # a filter: Whoosh scores it as its boost
        return dict.fromkeys(q.docnums(searcher.reader()), float(q.boost))
    if isinstance(q, (wq.Prefix, wq.Wildcard, wq.FuzzyTerm)) and q.fieldname in searcher.schema:
        # ranked as the OR of the words it expands to (Whoosh gives every match the
        # same score); totals are the same either way
        words = [b.decode("utf-8") if isinstance(b, bytes) else b for b in q._btexts(searcher.reader())]
        if not words:
            return {}
        return _scores(searcher, wq.Or([wq.Term(q.fieldname, w, boost=q.boost) for w in words]))
    if isinstance(q, wq.And) and q.boost == 1.0:
        positive = [c for c in q.subqueries if not isinstance(c, wq.Not)]
        negative = [c.query for c in q.subqueries if isinstance(c, wq.Not)]
        if not positive:
            return None
        # rarest first; a much more common term is then only looked up at the
        # candidates (skip_to jumps over whole blocks) instead of read in full
        reader = searcher.reader()
        def size(c: wq.Query) -> int:
            if isinstance(c, wq.Term) and c.fieldname in searcher.schema:
                return reader.doc_frequency(c.fieldname, c.text)
            if isinstance(c, ColumnRange):
                return len(c.docnums(reader))  # cached column: two bisects
            if isinstance(c, AdjacentTerms):
                return c.estimate_size(reader)
            return 1 << 40

        positive.sort(key=size)
        parts: list[dict[int, float]] = []
        keys: set[int] | None = None
        cached = reader.__dict__.get("_quire_scores", {})
        for c in positive:
            # few candidates spread over a long list touch few of its blocks: look them up;
            # otherwise score the whole list once (it stays cached for the next keystroke)
            if (keys is not None and isinstance(c, wq.Term) and c.fieldname in searcher.schema
                    and (c.fieldname, c.text, c.boost, id(searcher.weighting.__class__)) not in cached
                    and reader.doc_frequency(c.fieldname, c.text) > 200 * len(keys)):
                part = _term_scores_at(searcher, c, sorted(keys))
            else:
                part = _scores(searcher, c)
            if part is None:
                return None
            if isinstance(part, _Scores):
                part.fill()
            parts.append(part)
            keys = set(part) if keys is None else keys.intersection(part)
        if negative:
            from .search import _docset

            for c in negative:
                keys -= _docset(searcher, c)
        # Whoosh's NOT matcher scores each document it lets through with its boost
        extra = sum(c.boost for c in q.subqueries if isinstance(c, wq.Not))
        return {d: sum(p[d] for p in parts) + extra for d in keys}
    if isinstance(q, wq.Or) and q.boost == 1.0 and not getattr(q, "scale", None) \
            and not getattr(q, "minmatch", 0) and not isinstance(q, wq.DisjunctionMax):
        total: dict[int, float] = {}
        for c in q.subqueries:
            part = _scores(searcher, c)
            if part is None:
                return None
            if isinstance(part, _Scores):
                part.fill()
            for d, s in part.items():
                total[d] = total.get(d, 0.0) + s
        return total
    return None


def top_n(searcher: Any, q: wq.Query, limit: int) -> tuple[list[tuple[int, float]], int] | None:
    """([(global docnum, score)] best first, total matches), or None for other queries."""
    from .phrases import AdjacentTerms

    if not isinstance(q, (wq.Term, wq.And, wq.Or, wq.Prefix, wq.Wildcard, wq.FuzzyTerm, ColumnRange,
                          AdjacentTerms)):
        return None
    everything: list[tuple[float, int]] = []
    total = 0
    for sub, offset in (searcher.subsearchers or [(searcher, 0)]):
        scores = _scores(sub, q)
        if scores is None:
            return None
        if isinstance(scores, _Scores):
            ids, values = scores.ids, scores.scores
        else:
            ids, values = list(scores.keys()), list(scores.values())
        total += len(ids)
        if len(values) > limit:
            # the limit-th best score (a C sort), then only the candidates at or above it
            threshold = sorted(values, reverse=True)[limit - 1]
            best = [(s, d) for d, s in zip(ids, values) if s >= threshold]
        else:
            best = list(zip(values, ids))
        everything.extend((s, d + offset) for s, d in best)
    everything.sort(key=lambda sd: (-sd[0], sd[1]))
    return [(d, s) for s, d in everything[:limit]], total
