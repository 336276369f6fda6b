"""Fast exact phrases: common-word pairs and a lean position check.

Whoosh's Phrase matcher builds span objects for every candidate document,
and a phrase of common words ("to do", "is the year") has a candidate in
nearly every article. Two changes make phrases cheap:

- pairs of two common words ("of the", "to do") are indexed as single terms
  in the `pairs` field (positions included), like Lucene's CommonGrams, so
  such a phrase intersects short pair lists instead of huge word lists;
- the remaining check — every part at its offset from one start position —
  is a set intersection over the decoded positions (`AdjacentTerms`).
"""
from __future__ import annotations

from itertools import accumulate
from pickle import loads
from typing import Any, Iterator, Sequence

from whoosh import matching
from whoosh.matching import wrappers
from whoosh.lang.porter2 import stem as porter_stem
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


def _positions(value: bytes) -> list[int]:
    """Whoosh's Positions.decode_positions, without the per-call overhead."""
    if not value.endswith(b"."):
        value += b"."
    return list(accumulate(loads(value[4:])))


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
            here = {p - offset for p in _positions(m.value())}
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
