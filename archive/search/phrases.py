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
  instead of stepping a matcher through every article; a frequent part ("the"
  in a large segment) is looked up in its flat postings (archive/dense.py)
  without decoding any block.
"""
from __future__ import annotations

import sys
from array import array
from operator import itemgetter
from typing import Any, Iterator, Sequence

import numpy as np
from whoosh import matching
from whoosh.formats import Positions
from whoosh.lang.porter2 import stem as porter_stem
from whoosh.matching import wrappers
from whoosh.query import Query, Term

from archive.search.dense import DENSE_FIELDS, DensePostings, dense_postings, positions_at, postings_of
from archive.search.termscores import array_scorer, leaf_postings, term_scores
from archive.search.whoosh_internals import TermsQuery, blocks_reaching

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


class AdjacentTerms(TermsQuery):
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


def phrase_scores(searcher: Any, q: AdjacentTerms) -> "tuple[np.ndarray, np.ndarray] | None":
    """(document numbers, scores) of the documents of one segment containing the
    phrase — the score Whoosh's matcher gives: the sum of its parts' scores, in
    rarest-first order, times the boost — or None when a part's postings are not
    plain Whoosh 3 blocks (Whoosh then runs the query).

    Vectorised: the candidates are the documents of the rarest part (its
    positionless, cached term scores); each part's positions at the remaining
    candidates become sorted keys (document << 32 | position − offset), read
    from the term's flat postings or else only from the posting blocks holding a
    candidate, and the phrase starts are
    the keys every part shares."""
    if not q.parts:
        return _EMPTY_IDS, _EMPTY_SCORES
    if len(q.parts) == 1:
        field, term, _offset = q.parts[0]
        return term_scores(searcher, Term(field, term, boost=q.boost))
    reader = searcher.reader()
    ranked = sorted((reader.doc_frequency(field, term), n, field, term, offset)
                    for n, (field, term, offset) in enumerate(q.parts))  # rarest first, as the matcher
    _df, _n, field, term, offset = ranked[0]
    first = term_scores(searcher, Term(field, term))
    if first is None:
        return None
    docs = first[0]  # deleted documents already left out
    starts: np.ndarray | None = None
    scored: list[tuple[np.ndarray, np.ndarray]] = [first]
    for k, (_df, _n, field, term, offset) in enumerate(ranked):
        found = _position_keys(searcher, field, term, docs, offset)
        if found is None:
            return None
        keys, ids, weights = found
        if starts is None:
            starts = keys
        elif len(keys):
            where = np.searchsorted(keys, starts)
            where[where == len(keys)] = 0
            starts = starts[keys[where] == starts]
        else:
            starts = keys
        if not len(starts):
            return _EMPTY_IDS, _EMPTY_SCORES
        docs = np.unique(starts >> 32)
        if k:
            score = array_scorer(searcher, Term(field, term), field_bytes(searcher, field, term))
            if score is None:
                return None
            scored.append((ids, score(ids, weights)))
    total = None
    for ids, scores in scored:  # each part's score at the matches, in rarest-first order
        part = scores[np.searchsorted(ids, docs)]
        total = part if total is None else total + part
    return docs, total * q.boost


def field_bytes(searcher: Any, field: str, term: str) -> bytes:
    return searcher.schema[field].to_bytes(term)


_EMPTY_IDS = np.empty(0, np.int64)
_EMPTY_SCORES = np.empty(0, np.float64)


def _dense_position_keys(flat: DensePostings, docs: np.ndarray, offset: int) \
        -> "tuple[np.ndarray, np.ndarray, np.ndarray]":
    """_position_keys from a frequent term's flat postings (archive/dense.py)."""
    picked, hit = postings_of(flat, docs)
    if not len(picked):
        return _EMPTY_IDS, _EMPTY_IDS, _EMPTY_SCORES
    owners = docs[hit]
    pos, owner = positions_at(flat, picked)
    pos -= offset
    good = pos >= 0
    return (owners[owner[good]] << 32) | pos[good], owners, flat.weights[picked].astype(np.float64)


def _position_keys(searcher: Any, field: str, term: str, docs: np.ndarray, offset: int) \
        -> "tuple[np.ndarray, np.ndarray, np.ndarray] | None":
    """(sorted keys document << 32 | (position − offset) of every occurrence of the
    term in the given ascending documents, those of its documents, their weights),
    from the term's content postings; only the blocks holding one of the documents
    are read."""
    leaf = leaf_postings(searcher, Term(field, term), positions=True)
    if not isinstance(leaf, tuple):
        return None if leaf is None else (_EMPTY_IDS, _EMPTY_IDS, _EMPTY_SCORES)
    reader, text, m, _filtered = leaf
    flat = dense_postings(reader, field, text) if field in DENSE_FIELDS else None
    if flat is not None:
        return _dense_position_keys(flat, docs, offset)
    # whole blocks first (list.extend, in C), the candidates picked out at the end
    all_ids: list[int] = []
    all_weights: list[float] = []
    all_values: list[bytes] = []
    ndocs = len(docs)
    for ids, weights, values in blocks_reaching(m, docs, values=True):
        all_ids.extend(ids)
        all_values.extend(values)
        all_weights.extend(weights)
    if not all_ids:
        return _EMPTY_IDS, _EMPTY_IDS, _EMPTY_SCORES
    read = np.array(all_ids, dtype=np.int64)
    here = np.searchsorted(docs, read)  # where each posting would sit among the docs
    inside = here < ndocs
    inside[inside] = docs[here[inside]] == read[inside]
    picked = np.flatnonzero(inside)
    if not len(picked):
        return _EMPTY_IDS, _EMPTY_IDS, _EMPTY_SCORES
    owners = read[picked]
    weights_out = np.array(all_weights, dtype=np.float64)[picked]
    chosen_values = list(itemgetter(*picked.tolist())(all_values)) if len(picked) > 1 \
        else [all_values[int(picked[0])]]
    lengths = np.fromiter(map(len, chosen_values), dtype=np.int64, count=len(chosen_values))
    raw = np.frombuffer(b"".join(chosen_values), dtype=np.uint8)
    tags = np.cumsum(lengths) - lengths  # where each posting's type byte is
    if (raw[tags] != ord("H")).any():  # an article past 65,535 words: decode one by one
        keys = [d << 32 | (p - offset) for d, v in zip(owners.tolist(), chosen_values)
                for p in positions(v) if p >= offset]
        return np.array(keys, dtype=np.int64), owners, weights_out
    keep = np.ones(len(raw), dtype=bool)
    keep[tags] = False
    pos = raw[keep].view("<u2").astype(np.int64) - offset
    owner = np.repeat(owners, (lengths - 1) // 2)
    good = pos >= 0
    return (owner[good] << 32) | pos[good], owners, weights_out
