"""BM25F with the per-document length factor read once per segment.

Whoosh's BM25F scorer reads each scored document's field length through the
column reader (a seek and a struct unpack per document). A common word in a
large archive scores tens of thousands of documents per query, so
`FastBM25F` reads a segment's length column once, keeps each document's
length normalisation in a list on the segment reader, and scores with a list
lookup. Same formula, same scores as whoosh.scoring.BM25F.
"""
from __future__ import annotations

from typing import Any

from whoosh.scoring import BM25F, BM25FScorer, WeightScorer

from archive.search.whoosh_internals import bm25f_b, field_lengths


def _length_norms(reader: Any, fieldname: str, B: float, K1: float, avgfl: float) -> list[float] | None:
    """K1 * ((1 - B) + B * length / avgfl) per document of one segment, cached on the reader."""
    cache = reader.__dict__.setdefault("_quire_norms", {})
    key = (fieldname, B, K1, avgfl)
    norms = cache.get(key)
    if norms is None:
        lengths = field_lengths(reader, fieldname)
        if lengths is None:
            return None
        norms = [K1 * ((1 - B) + B * fl / avgfl) for fl in lengths]
        cache[key] = norms
    return norms


class FastScorer(BM25FScorer):
    """BM25FScorer scoring from the segment's cached length norms. The block scorer
    (archive.search.termscores) applies the same formula to whole arrays with
    `norms` and `k1p1_idf`."""

    def __init__(self, searcher: Any, fieldname: str, text: bytes, B: float, K1: float, qf: int = 1) -> None:
        super().__init__(searcher, fieldname, text, B, K1, qf=qf)
        #: each document's K1 * ((1 - B) + B * length / avgfl); None: score Whoosh's way
        self.norms = _length_norms(searcher.reader(), fieldname, B, K1, self.avgfl)
        #: idf * (K1 + 1): score = k1p1_idf * tf / (tf + norms[doc])
        self.k1p1_idf = self.idf * (K1 + 1)

    def score(self, matcher: Any) -> float:
        norms = self.norms
        if norms is None:
            return super().score(matcher)
        tf = matcher.weight()
        return self.k1p1_idf * tf / (tf + norms[matcher.id()])


class FastBM25F(BM25F):
    """whoosh.scoring.BM25F with cached length normalisation (see module doc)."""

    def scorer(self, searcher: Any, fieldname: str, text: bytes, qf: int = 1) -> Any:
        if not searcher.schema[fieldname].scorable:
            return WeightScorer.for_(searcher, fieldname, text)
        B = bm25f_b(self, fieldname)
        return FastScorer(searcher, fieldname, text, B, self.K1, qf=qf)
