"""One term's documents and BM25F scores in one segment, as numpy arrays.

The building block of the block scorer (topn.py) and the phrase scorer
(phrases.py): a term's posting blocks are read straight from the index (for
`content`, from its positionless copy `words`: the same documents and weights
in blocks a tenth of the size), or from the segment's flat postings when the
term is a frequent one (dense.py), and scored with the float operations of
Whoosh's scorer. Results are cached on the segment reader, which lives until
the next commit: search as you type repeats most terms from one keystroke to
the next.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable

import numpy as np
from whoosh import query as wq

from archive.search.dense import DENSE_FIELDS, DensePostings, dense_postings, postings_of
from archive.search.scoring import FastScorer
from archive.search.whoosh_internals import blocks_reaching, leaf_matcher, remaining_blocks

#: (document numbers of one segment, ascending and unique; their float64 scores)
Hits = tuple[np.ndarray, np.ndarray]
#: Scored postings kept per segment reader; a budget in postings bounds the memory.
CACHE_POSTINGS = 1_500_000
#: content's terms without positions (index.WordCounts): read for ids and weights
POSITIONLESS = {"content": "words"}


def empty_hits() -> Hits:
    return np.empty(0, np.int64), np.empty(0, np.float64)


def cache_key(searcher: Any, q: wq.Term) -> tuple:
    """The key of a term's scores in the reader's cache (see cached_scores)."""
    return (q.fieldname, q.text, q.boost, id(searcher.weighting.__class__))


def cached_scores(reader: Any) -> dict:
    """The term scores cached on a segment reader (empty when none are)."""
    return reader.__dict__.get("_quire_scores", {})


def term_scores(searcher: Any, q: wq.Term) -> Hits | None:
    """Scores of one term's documents in one segment (None: not a plain term),
    cached on the segment reader, which lives until the next commit."""
    reader = searcher.reader()
    cache = reader.__dict__.setdefault("_quire_scores", OrderedDict())
    key = cache_key(searcher, q)
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


def leaf_postings(searcher: Any, q: wq.Term, positions: bool = False) \
        -> "tuple[Any, bytes, Any, bool] | dict | None":
    """(reader, term bytes, the term's raw block matcher, whether deleted documents must
    still be filtered out) — or {} when the term matches nothing, None when its postings
    are not plain Whoosh 3 blocks (the caller then lets Whoosh score).

    Unless `positions` is asked for, a content term is read from the positionless
    copy: the same documents and weights in blocks a tenth of the size."""
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
    found = leaf_matcher(reader, fieldname, text)
    if found is None:
        return None
    m, filtered = found
    return reader, text, m, filtered


def _np_norms(reader: Any, norms: list[float]) -> np.ndarray:
    """The length normalisation list of scoring.FastScorer as an array, cached
    beside it on the segment reader (and gone with it at the next commit)."""
    cache = reader.__dict__.setdefault("_quire_norm_arrays", {})
    found = cache.get(id(norms))
    if found is None or found[0] is not norms:
        found = cache[id(norms)] = (norms, np.asarray(norms, dtype=np.float64))
    return found[1]


def deleted_mask(reader: Any, ids: np.ndarray) -> np.ndarray:
    """True where the document is deleted (segments keep deleted documents until merged)."""
    segment = reader.segment() if hasattr(reader, "segment") else None
    if segment is not None and hasattr(segment, "deleted_docs"):
        deleted = reader.__dict__.get("_quire_deleted")  # the reader lives until the next commit
        if deleted is None:
            deleted = np.sort(np.fromiter(segment.deleted_docs(), dtype=np.int64))
            reader.__dict__["_quire_deleted"] = deleted
        return np.isin(ids, deleted, assume_unique=True)
    is_deleted = reader.is_deleted
    return np.fromiter((is_deleted(d) for d in ids.tolist()), dtype=bool, count=len(ids))


def array_scorer(searcher: Any, q: wq.Term, text: bytes) -> "Callable[[np.ndarray, np.ndarray], np.ndarray] | None":
    """(ids, float64 weights) → scores, the float operations of Whoosh's scorer."""
    scorer = searcher.weighting.scorer(searcher, q.fieldname, text)
    boost = q.boost
    if isinstance(scorer, FastScorer) and scorer.norms is not None:
        norms, k = _np_norms(searcher.reader(), scorer.norms), scorer.k1p1_idf * boost
        return lambda ids, w: k * w / (w + norms[ids])
    if type(scorer).__name__ == "WeightScorer":
        return lambda ids, w: w * boost
    return None


def _scorable_postings(searcher: Any, q: wq.Term) \
        -> "tuple[Any, Any, bool, Callable, DensePostings | None] | dict | None":
    """leaf_postings with the term's array scorer: (reader, block matcher, filtered,
    score, the term's flat postings if it is a frequent one) — or {} when the term
    matches nothing, None when Whoosh must score it."""
    leaf = leaf_postings(searcher, q)
    if not isinstance(leaf, tuple):
        return leaf
    reader, text, m, filtered = leaf
    score = array_scorer(searcher, q, text)
    if score is None:
        return None
    flat = dense_postings(reader, q.fieldname, text) if q.fieldname in DENSE_FIELDS else None
    return reader, m, filtered, score, flat


def _compute_term_scores(searcher: Any, q: wq.Term) -> Hits | None:
    found = _scorable_postings(searcher, q)
    if not isinstance(found, tuple):
        return None if found is None else empty_hits()
    reader, m, filtered, score, flat = found
    if flat is not None:
        ids = flat.ids  # int64 already, and never changed in place
        scores = score(ids, flat.weights.astype(np.float64))
    else:
        id_list: list[int] = []
        weight_list: list[float] = []
        for chunk_ids, weights in remaining_blocks(m):
            id_list.extend(chunk_ids)
            weight_list.extend(weights)
        ids = np.array(id_list, dtype=np.int64)
        scores = score(ids, np.array(weight_list, dtype=np.float64))
    if filtered:
        keep = ~deleted_mask(reader, ids)
        ids, scores = ids[keep], scores[keep]
    return ids, scores


def term_scores_at(searcher: Any, q: wq.Term, docs: np.ndarray) -> Hits | None:
    """Scores of a term at the given (ascending) documents only, reading just the
    posting blocks that may hold one of them (a block header says its last id)."""
    found = _scorable_postings(searcher, q)
    if not isinstance(found, tuple):
        return None if found is None else empty_hits()
    # deleted documents are not among `docs`: they came from a filtered term
    _reader, m, _filtered, score, flat = found
    if flat is not None:
        picked, hit = postings_of(flat, docs)
        ids = docs[hit]
        return ids, score(ids, flat.weights[picked].astype(np.float64))
    found_ids: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    for block, block_weights, _values in blocks_reaching(m, docs):
        ids = np.array(block, dtype=np.int64)
        j = int(np.searchsorted(docs, ids[0]))  # the first wanted document this block may hold
        here = np.searchsorted(ids, docs[j:])
        here = here[here < len(ids)]
        hit = here[ids[here] == docs[j:j + len(here)]] if len(here) else here
        if len(hit):
            found_ids.append(ids[hit])
            weights.append(np.asarray(block_weights, dtype=np.float64)[hit])
    if not found_ids:
        return empty_hits()
    ids = np.concatenate(found_ids)
    return ids, score(ids, np.concatenate(weights))
