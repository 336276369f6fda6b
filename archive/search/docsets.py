"""Which documents of a segment match a query, unscored: sets of document numbers.

Counting the matches of a query, facet counts and the NOT parts of a ranked
query need only the documents, not their scores: set operations over posting
ids (read a block at a time) are far cheaper than scoring, or than walking a
matcher tree.
"""
from __future__ import annotations

from typing import Any

from whoosh import query as wq

from archive.search.phrases import AdjacentTerms, phrase_scores
from archive.search.ranges import ColumnRange
from archive.search.termscores import POSITIONLESS
from archive.search.whoosh_internals import block_matcher, expanded_terms, remaining_block_ids


def count(searcher: Any, q: wq.Query) -> int:
    """How many documents match, over every segment."""
    return sum(len(docset(sub, q)) for sub, _offset in leaves(searcher))


def all_docnums(searcher: Any, q: wq.Query) -> set[int]:
    """Global document numbers of all matches (for facets)."""
    out: set[int] = set()
    for sub, offset in leaves(searcher):
        out.update(d + offset for d in docset(sub, q))
    return out


def leaves(searcher: Any) -> list[tuple[Any, int]]:
    """(searcher of one segment, its first global document number) for each segment."""
    return searcher.subsearchers or [(searcher, 0)]


def posting_ids(reader: Any, fieldname: str, text: Any) -> set[int]:
    """The (undeleted) documents of one segment holding a term."""
    if POSITIONLESS.get(fieldname) in reader.schema:  # same documents, smaller blocks
        fieldname = POSITIONLESS[fieldname]
    try:
        m = reader.postings(fieldname, text)
    except Exception:  # noqa: BLE001 - TermNotFound and friends: no documents
        return set()
    found = block_matcher(m)
    if found is None:
        return set(m.all_ids())
    m, filtered = found
    ids: list[int] = []
    for block in remaining_block_ids(m):
        ids.extend(block)
    if filtered:  # deletions
        is_deleted = reader.is_deleted
        return {d for d in ids if not is_deleted(d)}
    return set(ids)


def docset(searcher: Any, q: wq.Query) -> set[int]:
    """Document numbers (of one segment) matching q, by set algebra where the
    query is made of terms, AND/OR/NOT and prefixes; the matcher otherwise."""
    reader = searcher.reader()
    if isinstance(q, wq.Term):
        field = searcher.schema[q.fieldname] if q.fieldname in searcher.schema else None
        if field is None:
            return set()
        try:
            text = field.to_bytes(q.text)
        except ValueError:
            return set()
        return posting_ids(reader, q.fieldname, text)
    if isinstance(q, wq.And):
        positive = [c for c in q.subqueries if not isinstance(c, wq.Not)]
        negative = [c.query for c in q.subqueries if isinstance(c, wq.Not)]
        if not positive:
            result = set(reader.all_doc_ids())
        else:
            sets = sorted((docset(searcher, c) for c in positive), key=len)
            result = sets[0].intersection(*sets[1:])
        for c in negative:
            if not result:
                break
            result -= docset(searcher, c)
        return result
    if isinstance(q, wq.Or) and not isinstance(q, wq.DisjunctionMax):
        result: set[int] = set()
        for c in q.subqueries:
            result |= docset(searcher, c)
        return result
    if isinstance(q, wq.AndNot):
        return docset(searcher, q.a) - docset(searcher, q.b)
    if isinstance(q, wq.Not):
        return set(reader.all_doc_ids()) - docset(searcher, q.query)
    if isinstance(q, wq.Every) and not q.fieldname:
        return set(reader.all_doc_ids())
    if isinstance(q, (wq.Prefix, wq.Wildcard, wq.FuzzyTerm)):
        result = set()
        for btext in expanded_terms(q, reader):
            result |= posting_ids(reader, q.fieldname, btext)
        return result
    if isinstance(q, ColumnRange):
        return set(q.docnums(reader))
    if isinstance(q, AdjacentTerms):
        found = phrase_scores(searcher, q)
        if found is not None:
            return set(found[0].tolist())
    if isinstance(q, wq.ConstantScoreQuery):
        return docset(searcher, q.child)
    if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
        return set()
    m = q.matcher(searcher)
    return set(m.all_ids()) if m.is_active() else set()
