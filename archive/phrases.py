"""Fast exact phrases: common-word pairs and a lean position check.

Whoosh's Phrase matcher builds span objects for every candidate document,
and a phrase of common words ("to do", "is the year") has a candidate in
nearly every article. Two changes make phrases cheap:

- pairs of two common words ("of the", "to do") are indexed as single terms
  in the `pairs` field (positions included), like Lucene's CommonGrams, so
  such a phrase intersects short pair lists instead of huge word lists;
- positions are stored as a plain array (`ArrayPositions`: a type byte and
  the positions as 16- or 32-bit integers), so checking a candidate decodes
  nothing: "is position p + 1 in this posting" is a C scan of the array;
- the remaining check — every part at its offset from one start position —
  runs on those arrays (`AdjacentTerms`);
- ranked searches and counts (`phrase_scores`) take the rarest part's postings
  as candidates and decode another part's posting block only when a candidate
  falls in it: "the season" reads the few blocks of "the" next to a "season"
  instead of stepping a matcher through every article.
"""
from __future__ import annotations

import sys
from array import array
from bisect import bisect_left
from typing import Any, Iterator, Sequence

from whoosh import matching
from whoosh.formats import Positions
from whoosh.lang.porter2 import stem as porter_stem
from whoosh.matching import wrappers
from whoosh.query import Query, Term

#: The most frequent English words; a pair of two of them is indexed as one term.
COMMON_WORDS = """
the of and to a in is it you that he was for on are with as i his they be at one have this from
or had by not but what all were we when your can said there use an each which she do how their if
will up other about out many then them these so some her would make like him into time has look
two more go see no could my than first been call who now find down day did get come made may
part over new after also just where most know year its our me
""".split()
COMMON = frozenset(porter_stem(w) for w in COMMON_WORDS)

PAIR_SEPARATOR = " "  # unigram terms never contain a space


def pair_terms(terms: Sequence[str]) -> dict[str, list[int]]:
    """pair term → positions (of its first word), for adjacent common words."""
    out: dict[str, list[int]] = {}
    common = COMMON
    prev = None
    for pos, term in enumerate(terms):
        if prev is not None and term in common and prev in common:
            key = prev + PAIR_SEPARATOR + term
            found = out.get(key)
            if found is None:
                out[key] = [pos - 1]
            else:
                found.append(pos - 1)
        prev = term
    return out


def phrase_parts(words: Sequence[str]) -> list[tuple[str, str, int]]:
    """(field, term, offset) parts that together require the exact phrase:
    a pair term for each adjacent common pair, the word itself for each word
    no pair covers."""
    parts: list[tuple[str, str, int]] = []
    covered: set[int] = set()
    for i in range(len(words) - 1):
        if words[i] in COMMON and words[i + 1] in COMMON:
            parts.append(("pairs", words[i] + PAIR_SEPARATOR + words[i + 1], i))
            covered.update((i, i + 1))
    for i, w in enumerate(words):
        if i not in covered:
            parts.append(("content", w, i))
    return parts


_BIG_ENDIAN = sys.byteorder == "big"  # stored little-endian


def _encode(poslist: list[int]) -> bytes:
    big = poslist[-1] >= 65536
    values = array("I" if big else "H", poslist)
    if _BIG_ENDIAN:
        values.byteswap()
    return (b"I" if big else b"H") + values.tobytes()


#: encode_positions([p]) for the first positions of a text, made once
_ONE = [_encode([p]) for p in range(16384)]


def encode_positions(poslist: list[int]) -> bytes:
    """Ascending positions as b"H" + uint16s (b"I" + uint32s past 65,535)."""
    if len(poslist) == 1 and poslist[0] < 16384:
        return _ONE[poslist[0]]  # most words of an article occur once
    return _encode(poslist)


def positions(value: bytes) -> array:
    """The positions of one posting (see encode_positions)."""
    values = array(chr(value[0]), value[1:])
    if _BIG_ENDIAN:
        values.byteswap()
    return values


class ArrayPositions(Positions):
    """Whoosh's Positions format with the array encoding, so Whoosh's own phrase
    and span queries (slop phrases) read the same postings."""

    def encode(self, poslist: list[int]) -> bytes:
        return encode_positions(sorted(poslist)) if poslist else b"H"

    def decode_positions(self, valuestring: bytes) -> list[int]:
        return positions(valuestring).tolist()

    def decode_frequency(self, valuestring: bytes) -> int:
        return (len(valuestring) - 1) // (2 if valuestring[:1] == b"H" else 4)

    def decode_weight(self, valuestring: bytes) -> float:
        return self.decode_frequency(valuestring) * self.field_boost


class AdjacentTerms(Query):
    """Documents where every (field, term) part sits at its offset from one start:
    an exact phrase. Scored as the sum of its parts (BM25 of each)."""

    def __init__(self, words: Sequence[str], boost: float = 1.0) -> None:
        self.fieldname = "content"
        self.words = list(words)
        self.parts = phrase_parts(self.words)
        self.boost = boost

    def __repr__(self) -> str:
        return f"AdjacentTerms({self.words!r})"

    def __unicode__(self) -> str:
        return '"' + " ".join(self.words) + '"'

    __str__ = __unicode__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AdjacentTerms) and other.words == self.words and other.boost == self.boost

    def __hash__(self) -> int:
        return hash(("AdjacentTerms", tuple(self.words), self.boost))

    def has_terms(self) -> bool:
        return True

    def terms(self, phrases: bool = True) -> Iterator[tuple[str, str]]:
        for field, term, _ in self.parts:
            yield field, term

    def _terms(self, phrases: bool = True):  # whoosh's iter_all_terms hook
        return self.terms(phrases)

    def estimate_size(self, ixreader: Any) -> int:
        return min((ixreader.doc_frequency(f, t) for f, t, _ in self.parts), default=0)

    def normalize(self) -> Query:
        return self

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        if not self.parts:
            return matching.NullMatcher()
        ranked = []
        for field, term, offset in self.parts:
            m = Term(field, term).matcher(searcher, context)
            if not m.is_active():
                return matching.NullMatcher()
            ranked.append((searcher.doc_frequency(field, term), len(ranked), m, offset))
        # rarest first: the intersection is driven by the shortest list
        ranked.sort()
        leaves = [(m, offset) for _df, _n, m, offset in ranked]
        if len(leaves) == 1 and len(self.parts) == 1:
            m = leaves[0][0]
            return wrappers.WrappingMatcher(m, self.boost) if self.boost != 1.0 else m
        child = leaves[0][0]
        for m, _ in leaves[1:]:
            child = matching.IntersectionMatcher(child, m)
        return _AdjacentMatcher(child, leaves, self.boost)


class _AdjacentMatcher(wrappers.WrappingMatcher):
    """Filters an intersection to the documents where the parts line up."""

    def __init__(self, child: Any, leaves: list[tuple[Any, int]], boost: float = 1.0) -> None:
        super().__init__(child, boost)
        self._leaves = leaves
        self._find()

    def _lined_up(self) -> bool:
        starts: set[int] | None = None
        for m, offset in self._leaves:
            here = {p - offset for p in positions(m.value())}
            starts = here if starts is None else starts & here
            if not starts:
                return False
        return True

    def _find(self) -> None:
        child = self.child
        while child.is_active() and not self._lined_up():
            child.next()

    def copy(self) -> Any:
        raise NotImplementedError("AdjacentTerms matchers are not copied")

    def replace(self, minquality: float = 0) -> Any:
        return self if self.is_active() else matching.NullMatcher()

    def supports_block_quality(self) -> bool:
        return False

    def next(self) -> bool:
        self.child.next()
        self._find()
        return False

    def skip_to(self, id: int) -> bool:
        self.child.skip_to(id)
        self._find()
        return False

    def all_ids(self) -> Iterator[int]:
        while self.is_active():
            yield self.id()
            self.next()


def phrase_scores(searcher: Any, q: AdjacentTerms) -> "dict[int, float] | None":
    """docnum → score of the documents of one segment containing the phrase (the
    score Whoosh's matcher gives: the sum of its parts' scores, times the boost),
    or None when a part's postings are not plain Whoosh 3 blocks."""
    from .topn import _leaf_postings, _scores, block_ids, posting_scorer

    if not q.parts:
        return {}
    if len(q.parts) == 1:
        field, term, _offset = q.parts[0]
        found = _scores(searcher, Term(field, term, boost=q.boost))
        return None if found is None else dict(zip(found[0].tolist(), found[1].tolist()))
    ranked = []
    for n, (field, term, offset) in enumerate(q.parts):
        leaf = _leaf_postings(searcher, Term(field, term), positions=True)
        if not isinstance(leaf, tuple):
            return leaf  # {}: a part is missing, no match; None: let Whoosh do it
        score = posting_scorer(searcher, field, leaf[1], 1.0)
        if score is None:
            return None
        ranked.append((searcher.doc_frequency(field, term), n, leaf, offset, score))
    ranked.sort(key=lambda r: (r[0], r[1]))  # rarest first, as AdjacentTerms.matcher
    # candidates: every posting of the rarest part (deleted documents left out)
    _df, _n, (reader, _text, m, filtered), offset, score = ranked[0]
    starts: dict[int, set[int]] = {}
    totals: dict[int, float] = {}
    is_deleted = reader.is_deleted if filtered else None
    while m.is_active():
        ids = block_ids(m)
        if m._values is None:
            m._read_values()
        if m._weights is None:
            m._read_weights()
        for d, w, v in zip(ids, m._weights, m._values):
            if is_deleted is not None and is_deleted(d):
                continue
            starts[d] = {p - offset for p in positions(v)}
            totals[d] = score(d, w)
        if m._lastblock:
            break
        m._next_block()
    # each other part: decode only the blocks holding a candidate
    for _df, _n, (_reader, _text, m, _filtered), offset, score in ranked[1:]:
        cands = sorted(starts)
        kept: dict[int, set[int]] = {}
        j, ncands = 0, len(cands)
        while j < ncands and m.is_active():
            maxid = m._maxid
            if cands[j] <= maxid:
                ids = block_ids(m)
                if m._values is None:
                    m._read_values()
                if m._weights is None:
                    m._read_weights()
                values, weights, nids = m._values, m._weights, len(ids)
                while j < ncands and cands[j] <= maxid:
                    d = cands[j]
                    j += 1
                    k = bisect_left(ids, d)
                    if k < nids and ids[k] == d:
                        mine = starts[d]
                        there = positions(values[k])
                        if len(mine) <= 8:  # a few starts: look each up in the array (C)
                            here = {p for p in mine if p + offset in there}
                        else:
                            here = mine.intersection([p - offset for p in there])
                        if here:
                            kept[d] = here
                            totals[d] += score(d, weights[k])
            if m._lastblock:
                break
            m._next_block()
        starts = kept
        if not starts:
            return {}
    boost = q.boost
    return {d: totals[d] * boost for d in starts}
