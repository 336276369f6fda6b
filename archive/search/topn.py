"""Top-N by relevance for plain queries, a posting block at a time, in numpy.

A common word matches most of a large archive, and Whoosh's collector then
makes five Python calls per matching document (match, collect, score, id,
next). For queries made only of terms, prefixes, exact phrases, date ranges,
AND, OR and NOT — most of what people type — this module reads each term's
posting blocks straight from the index (the positionless `words` copy of the
content), turns them into numpy arrays (ascending document numbers, float64
scores) and combines those: AND by intersecting sorted ids, OR by summing
with bincount, NOT by masking, the top N by a partition. The same BM25F scores
(FastBM25F's formula, the same float operations in the same order), the same
order (score, then document number), the exact total; anything else returns
None and Whoosh runs it.
"""
from __future__ import annotations

from itertools import accumulate
from typing import Any, Callable, Iterator

import numpy as np
from whoosh import query as wq

from archive.search.dense import DENSE_FIELDS, DensePostings, dense_postings, postings_of
from archive.search.ranges import ColumnRange

#: (document numbers of one segment, ascending and unique; their float64 scores)
Hits = tuple[np.ndarray, np.ndarray]
#: Scored postings kept per segment reader (search as you type repeats most terms
#: from one keystroke to the next); a budget in postings bounds the memory.
CACHE_POSTINGS = 1_500_000


def _empty() -> Hits:
    return np.empty(0, np.int64), np.empty(0, np.float64)


def _term_scores(searcher: Any, q: wq.Term) -> Hits | None:
    """Scores of one term's documents in one segment (None: not a plain term),
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
    if result is not None and len(result[0]) <= CACHE_POSTINGS // 4:
        result[0].flags.writeable = False  # shared by later queries: never changed in place
        result[1].flags.writeable = False
        cache[key] = result
        size = sum(len(v[0]) for v in cache.values())
        while size > CACHE_POSTINGS and len(cache) > 1:
            _k, old = cache.popitem(last=False)
            size -= len(old[0])
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


def _np_norms(reader: Any, norms: list[float]) -> np.ndarray:
    """The length normalisation list of scoring._length_norms as an array, cached
    beside it on the segment reader (and gone with it at the next commit)."""
    cache = reader.__dict__.setdefault("_quire_norm_arrays", {})
    found = cache.get(id(norms))
    if found is None or found[0] is not norms:
        found = cache[id(norms)] = (norms, np.asarray(norms, dtype=np.float64))
    return found[1]


def _deleted_mask(reader: Any, ids: np.ndarray) -> np.ndarray:
    """True where the document is deleted (segments keep deleted documents until merged)."""
    segment = getattr(reader, "_segment", None)
    if segment is not None and hasattr(segment, "deleted_docs"):
        deleted = reader.__dict__.get("_quire_deleted")  # the reader lives until the next commit
        if deleted is None:
            deleted = np.sort(np.fromiter(segment.deleted_docs(), dtype=np.int64))
            reader.__dict__["_quire_deleted"] = deleted
        return np.isin(ids, deleted, assume_unique=True)
    is_deleted = reader.is_deleted
    return np.fromiter((is_deleted(d) for d in ids.tolist()), dtype=bool, count=len(ids))


def _array_scorer(searcher: Any, q: wq.Term, text: bytes) -> "Callable[[np.ndarray, np.ndarray], np.ndarray] | None":
    """(ids, float64 weights) → scores, the float operations of Whoosh's scorer."""
    from archive.search.scoring import _FastScorer

    scorer = searcher.weighting.scorer(searcher, q.fieldname, text)
    boost = q.boost
    if isinstance(scorer, _FastScorer) and scorer._norms is not None:
        norms, k = _np_norms(searcher.reader(), scorer._norms), scorer._k1p1_idf * boost
        return lambda ids, w: k * w / (w + norms[ids])
    if type(scorer).__name__ == "WeightScorer":
        return lambda ids, w: w * boost
    return None


def _scorable_postings(searcher: Any, q: wq.Term) \
        -> "tuple[Any, Any, bool, Callable, DensePostings | None] | dict | None":
    """_leaf_postings with the term's array scorer: (reader, block matcher, filtered,
    score, the term's flat postings if it is a frequent one) — or {} when the term
    matches nothing, None when Whoosh must score it."""
    leaf = _leaf_postings(searcher, q)
    if not isinstance(leaf, tuple):
        return leaf
    reader, text, m, filtered = leaf
    score = _array_scorer(searcher, q, text)
    if score is None:
        return None
    flat = dense_postings(reader, q.fieldname, text) if q.fieldname in DENSE_FIELDS else None
    return reader, m, filtered, score, flat


def _compute_term_scores(searcher: Any, q: wq.Term) -> Hits | None:
    found = _scorable_postings(searcher, q)
    if not isinstance(found, tuple):
        return None if found is None else _empty()
    reader, m, filtered, score, flat = found
    if flat is not None:
        ids = flat.ids  # int64 already, and never changed in place
        scores = score(ids, flat.weights.astype(np.float64))
    else:
        id_list: list[int] = []
        weight_list: list[float] = []
        for chunk_ids, weights in _blocks(m):
            id_list.extend(chunk_ids)
            weight_list.extend(weights)
        ids = np.array(id_list, dtype=np.int64)
        scores = score(ids, np.array(weight_list, dtype=np.float64))
    if filtered:
        keep = ~_deleted_mask(reader, ids)
        ids, scores = ids[keep], scores[keep]
    return ids, scores


def _term_scores_at(searcher: Any, q: wq.Term, docs: np.ndarray) -> Hits | None:
    """Scores of a term at the given (ascending) documents only, reading just the
    posting blocks that may hold one of them (a block header says its last id)."""
    found = _scorable_postings(searcher, q)
    if not isinstance(found, tuple):
        return None if found is None else _empty()
    # deleted documents are not among `docs`: they came from a filtered term
    _reader, m, _filtered, score, flat = found
    if flat is not None:
        picked, hit = postings_of(flat, docs)
        ids = docs[hit]
        return ids, score(ids, flat.weights[picked].astype(np.float64))
    found: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    j, ndocs = 0, len(docs)
    while j < ndocs and m.is_active():
        if docs[j] <= m._maxid:
            ids = np.array(block_ids(m), dtype=np.int64)
            if m._weights is None:
                m._read_weights()
            here = np.searchsorted(ids, docs[j:])
            here = here[here < len(ids)]
            hit = here[ids[here] == docs[j:j + len(here)]] if len(here) else here
            if len(hit):
                found.append(ids[hit])
                weights.append(np.asarray(m._weights, dtype=np.float64)[hit])
            j = int(np.searchsorted(docs, ids[-1], side="right"))
        if m._lastblock:
            break
        m._next_block()
    if not found:
        return _empty()
    ids = np.concatenate(found)
    return ids, score(ids, np.concatenate(weights))


def _scores(searcher: Any, q: wq.Query) -> Hits | None:
    from archive.search.phrases import AdjacentTerms, phrase_scores

    if isinstance(q, wq.Term):
        return _term_scores(searcher, q)
    if isinstance(q, AdjacentTerms):
        return phrase_scores(searcher, q)
    if isinstance(q, ColumnRange):  # a filter: Whoosh scores it as its boost
        ids = np.array(q.docnums(searcher.reader()), dtype=np.int64)
        return ids, np.full(len(ids), float(q.boost))
    if isinstance(q, (wq.Prefix, wq.Wildcard, wq.FuzzyTerm)) and q.fieldname in searcher.schema:
        # ranked as the OR of the words it expands to (Whoosh gives every match the
        # same score); totals are the same either way
        words = [b.decode("utf-8") if isinstance(b, bytes) else b for b in q._btexts(searcher.reader())]
        if not words:
            return _empty()
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
        ids: np.ndarray | None = None
        total = np.empty(0, np.float64)
        cached = reader.__dict__.get("_quire_scores", {})
        for c in positive:
            # few candidates spread over a long list touch few of its blocks: look them up;
            # otherwise score the whole list once (it stays cached for the next keystroke)
            if (ids is not None and isinstance(c, wq.Term) and c.fieldname in searcher.schema
                    and (c.fieldname, c.text, c.boost, id(searcher.weighting.__class__)) not in cached
                    and reader.doc_frequency(c.fieldname, c.text) > 200 * len(ids)):
                part = _term_scores_at(searcher, c, ids)
            else:
                part = _scores(searcher, c)
            if part is None:
                return None
            if ids is None:
                ids, total = part
            else:
                ids, mine, theirs = np.intersect1d(ids, part[0], assume_unique=True, return_indices=True)
                total = total[mine] + part[1][theirs]
            if not len(ids):
                return _empty()
        if negative:
            from archive.search.engine import _docset

            for c in negative:
                excluded = _docset(searcher, c)
                if excluded:
                    keep = ~np.isin(ids, np.fromiter(excluded, dtype=np.int64, count=len(excluded)))
                    ids, total = ids[keep], total[keep]
        # Whoosh's NOT matcher scores each document it lets through with its boost
        extra = sum(c.boost for c in q.subqueries if isinstance(c, wq.Not))
        return ids, (total + extra if extra else total)
    if isinstance(q, wq.Or) and q.boost == 1.0 and not getattr(q, "scale", None) \
            and not getattr(q, "minmatch", 0) and not isinstance(q, wq.DisjunctionMax):
        parts = []
        for c in q.subqueries:
            part = _scores(searcher, c)
            if part is None:
                return None
            if len(part[0]):
                parts.append(part)
        if not parts:
            return _empty()
        if len(parts) == 1:
            return parts[0]
        all_ids = np.concatenate([p[0] for p in parts])
        ids, where = np.unique(all_ids, return_inverse=True)
        # bincount adds in array order: each document's scores in the order of the parts
        return ids, np.bincount(where, weights=np.concatenate([p[1] for p in parts]), minlength=len(ids))
    return None


def top_n(searcher: Any, q: wq.Query, limit: int) -> tuple[list[tuple[int, float]], int] | None:
    """([(global docnum, score)] best first, total matches), or None for other queries."""
    from archive.search.phrases import AdjacentTerms

    if not isinstance(q, (wq.Term, wq.And, wq.Or, wq.Prefix, wq.Wildcard, wq.FuzzyTerm, ColumnRange,
                          AdjacentTerms)):
        return None
    everything: list[tuple[float, int]] = []
    total = 0
    for sub, offset in (searcher.subsearchers or [(searcher, 0)]):
        found = _scores(sub, q)
        if found is None:
            return None
        ids, scores = found
        total += len(ids)
        if len(scores) > limit:
            # the limit-th best score, then only the candidates at or above it
            threshold = np.partition(scores, len(scores) - limit)[len(scores) - limit]
            keep = scores >= threshold
            ids, scores = ids[keep], scores[keep]
        everything.extend(zip(scores.tolist(), (ids + offset).tolist()))
    everything.sort(key=lambda sd: (-sd[0], sd[1]))
    return [(d, s) for s, d in everything[:limit]], total
