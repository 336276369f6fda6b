"""What a query matches in a text: highlighted snippets for the result list and
the match positions the reader highlights.

Made only for the rows on screen, from the stored plain text, without analysing
the whole text again: regexes (in C) find the words that could match (words
starting like a wanted term, words with letters the index folds, characters of
the scripts written without spaces), and only those words are stemmed.

A word of a phrase is marked only where the whole phrase is, so "rock and roll"
does not light up every "and" of the article; a query word in Chinese or
Japanese is such a phrase of single characters (see index.WORD_RE).
"""
from __future__ import annotations

import bisect
import functools
import html as htmlmod
import re
from dataclasses import dataclass
from typing import Any, Iterable

from whoosh import query as wq

from archive.search.index import FOLD_MAP, SPACELESS_CHAR, WORD_RE, word_term
from archive.search.whoosh_internals import expanded_terms

MATCH_OPEN = '<b class="match">'
MATCH_CLOSE = "</b>"
#: Snippet shape: up to this many fragments of about this many characters.
SNIPPET_FRAGMENTS = 3
FRAGMENT_CHARS = 160
#: Most terms a multi-term query (prefix*, fuzzy~) expands to for highlighting.
MAX_HIGHLIGHT_TERMS = 2000
#: Candidate words for snippets are found by a regex of at most about this many
#: word beginnings (then each candidate is checked against the terms).
MAX_PATTERN_ALTERNATIVES = 40
#: Fields whose words are the article's text (the title is indexed with it).
TEXT_FIELDS = ("content", "title", "highlight", "note")

_ANY_WORD_CHAR = re.compile(r"\w")


@dataclass(frozen=True)
class Highlight:
    """What to mark in a text: every word whose index term is in `terms`, and the
    words of each of `phrases` (sequences of terms) where the whole phrase is."""

    terms: frozenset[str] = frozenset()
    phrases: tuple[tuple[str, ...], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.terms or self.phrases)

    @functools.cached_property
    def wanted(self) -> frozenset[str]:
        """Every term that may be marked somewhere (one set per Highlight: a prefix*
        query's thousands of terms are hashed once, not for every snippet)."""
        return self.terms.union(*self.phrases)

    @classmethod
    def of(cls, terms: "Highlight | Iterable[str]") -> "Highlight":
        return terms if isinstance(terms, Highlight) else cls(frozenset(terms))


def highlight_for(searcher: Any | None, q: wq.Query) -> Highlight:
    """The text terms and phrases a hit can match (not those under NOT), with
    prefix*/fuzzy~ expanded against the index; without a searcher (None) they are
    left out: only the index knows the words they stand for."""
    terms: set[str] = set()
    phrases: set[tuple[str, ...]] = set()
    stack = [q]
    while stack:
        node = stack.pop()
        if isinstance(node, wq.Not):
            continue
        if getattr(node, "fieldname", None) in TEXT_FIELDS:
            if isinstance(node, wq.MultiTerm):
                if searcher is None:
                    continue
                for n, btext in enumerate(expanded_terms(node, searcher.reader())):
                    if n >= MAX_HIGHLIGHT_TERMS:
                        break
                    terms.add(btext.decode("utf-8") if isinstance(btext, bytes) else btext)
                continue
            if isinstance(node, wq.Term):
                terms.add(str(node.text))
                continue
            if isinstance(node, wq.Phrase) or hasattr(node, "words"):  # incl. AdjacentTerms
                words = tuple(str(w) for w in node.words)
                if len(words) == 1:
                    terms.add(words[0])
                elif words:
                    phrases.add(words)
                continue
        stack.extend(node.children())
    return Highlight(frozenset(terms), tuple(sorted(phrases)))


def make_snippet(text: str, highlight: Highlight | Iterable[str], fragments: int = SNIPPET_FRAGMENTS,
                 width: int = FRAGMENT_CHARS) -> str:
    """Up to `fragments` pieces of `text` around the matching words, as escaped
    HTML with those words in <b class="match">; the start of the text when no
    word matches (a title or field match). Pieces that would overlap are one
    piece, so no text is shown twice."""
    text = text or ""
    highlight = Highlight.of(highlight)
    matches = find_matches(text, highlight) if highlight else []
    if not matches:
        return _lead(text, width)
    windows = []
    surround = width // 3
    for start, end in _best_groups(text, matches, fragments, width - surround):
        lo = _word_boundary(text, max(0, start - surround), backwards=True)
        hi = _word_boundary(text, min(len(text), max(end, start + width - surround) + surround // 2),
                            backwards=False)
        windows.append((lo, hi))
    pieces = []
    starts = [s for s, _e in matches]
    for lo, hi in _merge_windows(windows):
        out = []
        pos = lo
        for s, e in matches[bisect.bisect_left(starts, lo):bisect.bisect_right(starts, hi)]:
            if e > hi:
                break
            out.append(htmlmod.escape(text[pos:s], quote=False))
            out.append(MATCH_OPEN + htmlmod.escape(text[s:e], quote=False) + MATCH_CLOSE)
            pos = e
        out.append(htmlmod.escape(text[pos:hi], quote=False))
        piece = " ".join("".join(out).split())
        pieces.append(("… " if lo > 0 else "") + piece + (" …" if hi < len(text) else ""))
    return " ".join(pieces).replace("… …", "…")


def _best_groups(text: str, matches: list[tuple[int, int]], fragments: int,
                 reach: int) -> list[tuple[int, int]]:
    """(start, end) of the `fragments` best runs of matches that fit in `reach`
    characters, in text order: most distinct words first, then most matches."""
    candidates: list[tuple[float, int, int]] = []
    i = 0
    while i < len(matches):
        start = matches[i][0]
        j = i
        while j + 1 < len(matches) and matches[j + 1][1] - start <= reach:
            j += 1
        group = matches[i:j + 1]
        distinct = len({text[s:e].lower() for s, e in group})
        candidates.append((distinct + 0.1 * len(group), start, group[-1][1]))
        i = j + 1
    best = sorted(candidates, key=lambda c: (-c[0], c[1]))[:fragments]
    return sorted((start, end) for _score, start, end in best)


def _merge_windows(windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(windows):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return merged


def find_matches(text: str, highlight: Highlight | Iterable[str]) -> list[tuple[int, int]]:
    """(start, end) of each run of words of `text` to mark: words whose index term
    is wanted, phrase words only inside the whole phrase. Touching matches (the
    characters of a Chinese word) are one run."""
    highlight = Highlight.of(highlight)
    wanted = highlight.wanted
    found = [(s, e, t) for s, e in _candidate_spans(text, wanted)
             if (t := word_term(text[s:e])) in wanted]
    if highlight.phrases:
        terms = [t for _s, _e, t in found]
        keep = [t in highlight.terms for t in terms]
        for phrase in highlight.phrases:
            for i in _phrase_starts(text, found, terms, phrase):
                keep[i:i + len(phrase)] = [True] * len(phrase)
        found = [f for f, kept in zip(found, keep) if kept]
    if _candidates_patterns(wanted)[1] is None:
        # two matched words touch (nothing between them) only when one is a wanted
        # character of a script written without spaces
        return [(s, e) for s, e, _t in found]
    runs: list[tuple[int, int]] = []
    for s, e, _t in found:
        if runs and runs[-1][1] == s:
            runs[-1] = (runs[-1][0], e)
        else:
            runs.append((s, e))
    return runs


def _phrase_starts(text: str, found: list[tuple[int, int, str]], terms: list[str],
                   phrase: tuple[str, ...]) -> list[int]:
    """Indexes into `found` (whose terms are `terms`) where `phrase` starts: its
    terms in order, with nothing but spaces and punctuation between them (the index
    counts no other words). Common words make `found` long: the scan is in C."""
    n = len(phrase)
    wanted = list(phrase)
    first = phrase[0]
    return [i for i in [i for i, t in enumerate(terms) if t == first]
            if terms[i:i + n] == wanted and not any(
                _ANY_WORD_CHAR.search(text, found[i + k - 1][1], found[i + k][0]) for k in range(1, n))]


def _candidate_spans(text: str, terms: frozenset[str]) -> list[tuple[int, int]]:
    """Words of `text` that may have one of `terms`, in order: a superset, checked
    by the caller."""
    words, characters = _candidates_patterns(terms)
    spans = [m.span() for m in words.finditer(text)] if words is not None else []
    if not text.isascii():
        # a word glued to Chinese or Japanese characters ("Pythonで"): \w* ran on
        # into them, WORD_RE stops where the word does
        spans = [(s, e) if text[s:e].isascii() else (s, WORD_RE.match(text, s).end()) for s, e in spans]
        extra = _folded_words(text)
        if characters is not None:
            extra += [m.span() for m in characters.finditer(text)]
        if extra:
            spans = sorted(set(spans).union(extra))
    return spans


@functools.lru_cache(maxsize=64)
def _candidates_patterns(terms: frozenset[str]) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """Regexes for the words that may stem to one of `terms`, and for the wanted
    characters of the scripts written without spaces (each a word itself).

    A Porter2 stem is the start of its word, except a final i (studi ← study), e
    (hope ← hoping) or y (sky ← skies), and Porter2's die/lie/tie ← dying/lying/tying.
    Plain word beginnings only: words with accented letters (the index folds café →
    cafe) are found by `_folded_words` — a class of accented forms per letter made
    the regex of a prefix* query take longer to compile than all its snippets. For
    the same reason the word runs on with \\w*, not with "word characters but
    Chinese/Japanese": a class of those ranges took 7 ms to compile, for every query
    (_candidate_spans trims the rare word glued to such characters instead)."""
    single = sorted(t for t in terms if len(t) == 1 and SPACELESS_CHAR.match(t))
    prefixes = {p for t in terms if t not in single for p in _word_starts(t)}
    # a prefix* query brings hundreds of terms: their shared beginnings find the
    # same candidate words with a far smaller regex
    width = max(map(len, prefixes), default=0)
    while len(prefixes) > MAX_PATTERN_ALTERNATIVES and width > 3:
        width -= 1
        prefixes = {p[:width] for p in prefixes}
    alternatives = "|".join(sorted((re.escape(p) for p in prefixes if p), key=len, reverse=True))
    words = re.compile(r"\b(?:" + alternatives + r")\w*", re.IGNORECASE) if alternatives else None
    characters = re.compile("[" + "".join(single) + "]") if single else None
    return words, characters


def _word_starts(term: str) -> tuple[str, ...]:
    """How a word with this stem starts (see _candidates_patterns)."""
    if len(term) > 1 and term[-1] in "iey":
        return (term[:-1], term[:-2] + "y") if term.endswith("ie") and len(term) > 2 else (term[:-1],)
    return (term,)


def _foldable_letters() -> re.Pattern[str]:
    """One letter the index folds to another (é, ñ, ø, ß, ё …)."""
    chars = sorted(chr(code) for code, folded in FOLD_MAP.items()
                   if code > 127 and isinstance(folded, str) and folded and folded != chr(code))
    return re.compile("[" + re.escape("".join(chars)) + "]")


_FOLDABLE = _foldable_letters()


def _folded_words(text: str) -> list[tuple[int, int]]:
    """(start, end) of the words holding a letter the index folds: a single-class
    regex scans fast, and accented words are few (Korean text has none)."""
    spans: list[tuple[int, int]] = []
    last_end = -1
    for m in _FOLDABLE.finditer(text):
        pos = m.start()
        if pos < last_end:
            continue  # another accent of the same word
        start = pos
        while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_") \
                and not (ord(text[start - 1]) >= 0x3005 and SPACELESS_CHAR.match(text[start - 1])):
            start -= 1
        word = WORD_RE.match(text, start)
        last_end = word.end() if word else pos + 1
        spans.append((start, last_end))
    return spans


def _word_boundary(text: str, pos: int, *, backwards: bool) -> int:
    """Move pos to the nearest space (at most 20 characters) so no word is cut."""
    step = -1 if backwards else 1
    for _ in range(20):
        if pos <= 0 or pos >= len(text) or text[pos].isspace():
            return max(0, min(len(text), pos))
        pos += step
    return max(0, min(len(text), pos))


def _lead(text: str, width: int) -> str:
    if len(text) <= width:
        return htmlmod.escape(" ".join(text.split()), quote=False)
    cut = _word_boundary(text, width, backwards=True) or width
    return htmlmod.escape(" ".join(text[:cut].split()), quote=False) + " …"


def highlight_snippet(marks: Iterable[Any], highlight: Highlight) -> str | None:
    """When the query's words are in one of the article's highlights (its quote or its
    note), that highlight as the snippet: “quote” — note, the words marked; the one
    with the most matching words wins. None when no highlight matches."""
    if not highlight:
        return None
    best: tuple[int, Any, bool] | None = None
    for mark in marks:
        if getattr(mark, "unplaced", False):
            continue
        found = len(find_matches(mark.quote, highlight))
        in_note = len(find_matches(mark.note, highlight)) if mark.note else 0
        if found + in_note and (best is None or found + in_note > best[0]):
            best = (found + in_note, mark, in_note > 0)
    if best is None:
        return None
    _count, mark, note_matches = best
    quote = make_snippet(mark.quote, highlight, fragments=2)
    out = f'<span class="highlight-snippet">“{quote}”</span>'
    if mark.note:
        note = make_snippet(mark.note, highlight, fragments=1) if note_matches else _lead(mark.note, FRAGMENT_CHARS // 2)
        out += f' — <span class="note-snippet">{note}</span>'
    return out
