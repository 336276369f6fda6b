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

from typing import Any

import numpy as np
from whoosh import query as wq

from archive.search.docsets import docset
from archive.search.phrases import AdjacentTerms, phrase_scores
from archive.search.ranges import ColumnRange
from archive.search.termscores import (
    Hits,
    cache_key,
    cached_scores,
    empty_hits,
    term_scores,
    term_scores_at,
)
from archive.search.whoosh_internals import expanded_terms


def _scores(searcher: Any, q: wq.Query) -> Hits | None:
    if isinstance(q, wq.Term):
        return term_scores(searcher, q)
    if isinstance(q, AdjacentTerms):
        return phrase_scores(searcher, q)
    if isinstance(q, ColumnRange):  # a filter: Whoosh scores it as its boost
        ids = np.array(q.docnums(searcher.reader()), dtype=np.int64)
        return ids, np.full(len(ids), float(q.boost))
    if isinstance(q, (wq.Prefix, wq.Wildcard, wq.FuzzyTerm)) and q.fieldname in searcher.schema:
        # ranked as the OR of the words it expands to (Whoosh gives every match the
        # same score); totals are the same either way
        words = [b.decode("utf-8") if isinstance(b, bytes) else b for b in expanded_terms(q, searcher.reader())]
        if not words:
            return empty_hits()
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
        cached = cached_scores(reader)
        for c in positive:
            # few candidates spread over a long list touch few of its blocks: look them up;
            # otherwise score the whole list once (it stays cached for the next keystroke)
            if (ids is not None and isinstance(c, wq.Term) and c.fieldname in searcher.schema
                    and cache_key(searcher, c) not in cached
                    and reader.doc_frequency(c.fieldname, c.text) > 200 * len(ids)):
                part = term_scores_at(searcher, c, ids)
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
                return empty_hits()
        if negative:
            for c in negative:
                excluded = docset(searcher, c)
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
            return empty_hits()
        if len(parts) == 1:
            return parts[0]
        all_ids = np.concatenate([p[0] for p in parts])
        ids, where = np.unique(all_ids, return_inverse=True)
        # bincount adds in array order: each document's scores in the order of the parts
        return ids, np.bincount(where, weights=np.concatenate([p[1] for p in parts]), minlength=len(ids))
    return None


def top_n(searcher: Any, q: wq.Query, limit: int) -> tuple[list[tuple[int, float]], int] | None:
    """([(global docnum, score)] best first, total matches), or None for other queries."""
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
