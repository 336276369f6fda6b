"""Placing a highlight in a text again after the text changed. Pure functions, no IO.

A highlight carries a TextQuoteSelector (quote, prefix, suffix) and a
TextPositionSelector (start, end) as the W3C Web Annotation model defines them.
When the article's plain text changes (re-extraction, a pending article filled
in, an import), `place` tries, in order:

1. the position, if the quote is still exactly there;
2. the quote found exactly elsewhere, choosing among several occurrences by how
   much of the prefix/suffix context matches and then by nearness to the old spot;
3. a fuzzy match of the quote (a word or two changed inside it): exact hits of
   pieces of the quote vote for where it starts, the best-voted places get their
   edges aligned with difflib (on the quote's first and last EDGE characters only),
   and one similar enough (FUZZY_MIN_RATIO) is accepted;
4. nothing: the caller keeps the highlight and flags it as "could not be placed".

The search is bounded (candidates and window sizes are capped), so a long article
with hundreds of highlights is re-anchored in well under a second.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

#: Characters of context kept on each side of a quote.
CONTEXT = 32
#: How similar (difflib ratio) a fuzzy match must be to the old quote to be accepted.
FUZZY_MIN_RATIO = 0.75
#: At most this many exact occurrences or fuzzy candidates are weighed.
MAX_CANDIDATES = 200


@dataclass(frozen=True)
class Placement:
    start: int
    end: int
    how: str  # "position", "quote", "fuzzy"


def context_of(text: str, start: int, end: int) -> tuple[str, str, str]:
    """(quote, prefix, suffix) of text[start:end]."""
    return text[start:end], text[max(0, start - CONTEXT):start], text[end:end + CONTEXT]


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def _common_suffix(a: str, b: str) -> int:
    return _common_prefix(a[::-1], b[::-1])


def _context_score(text: str, start: int, end: int, prefix: str, suffix: str) -> int:
    """How many characters of the stored context agree with the text around [start, end)."""
    return (_common_suffix(text[max(0, start - len(prefix)):start], prefix)
            + _common_prefix(text[end:end + len(suffix)], suffix))


def _occurrences(text: str, quote: str) -> list[int]:
    out: list[int] = []
    at = text.find(quote)
    while at != -1 and len(out) < MAX_CANDIDATES:
        out.append(at)
        at = text.find(quote, at + 1)
    return out


def _best(text: str, spots: list[tuple[int, int]], prefix: str, suffix: str, near: int) -> tuple[int, int]:
    return max(spots, key=lambda s: (_context_score(text, s[0], s[1], prefix, suffix), -abs(s[0] - near)))


def _pieces(quote: str) -> list[tuple[int, str]]:
    """Pieces of the quote (offset, text) whose exact hits suggest where it went: runs of
    about three words, or, for a quote of few words, each word of 3+ letters."""
    words = [(m.start(), m.group()) for m in re.finditer(r"\S+", quote)]
    if len(words) <= 3:
        return [(at, w) for at, w in words if len(w) >= 3] or ([(0, quote)] if quote.strip() else [])
    out = []
    for i in range(0, len(words), 3):
        group = words[i:i + 3]
        first, last = group[0], group[-1]
        out.append((first[0], quote[first[0]:last[0] + len(last[1])]))
    return out


#: Characters at each end of a quote aligned on their own to find a fuzzy match's edges.
EDGE = 32
#: A fuzzy match tries at most this many places (those most pieces of the quote point at).
FUZZY_TRIES = 12
#: Quotes longer than this are compared word by word (difflib on characters is quadratic).
CHAR_COMPARE_MAX = 400


def _edge(text: str, edge: str, around: int, slack: int, *, head: bool) -> int:
    """Where a quote's first (head) or last characters begin or end in text near `around`."""
    around = min(max(around, 0), len(text))  # (a negative end would slice from the back)
    lo = max(0, around - slack - len(edge))
    window = text[lo:around + slack + len(edge)]
    blocks = [b for b in SequenceMatcher(None, edge, window, autojunk=False).get_matching_blocks() if b.size]
    if not blocks:
        return around
    if head:
        first = blocks[0]
        return max(0, lo + first.b - first.a)
    last = blocks[-1]
    return min(len(text), lo + last.b + last.size + (len(edge) - last.a - last.size))


def _similarity(quote: str, found: str) -> float:
    if len(quote) <= CHAR_COMPARE_MAX:
        return SequenceMatcher(None, quote, found, autojunk=False).ratio()
    # long quotes: the words, in order where cheap (quick_ratio is linear)
    return SequenceMatcher(None, quote.split(), found.split(), autojunk=False).quick_ratio()


def _fuzzy(text: str, quote: str, prefix: str, suffix: str, near: int) -> Placement | None:
    """The quote with a few words changed: pieces of it found exactly vote for where it
    starts; the places with most votes are tried, their edges aligned with the quote's
    ends, and the most similar one above FUZZY_MIN_RATIO wins. Bounded: a few small
    difflib runs per try, whatever the lengths."""
    slack = max(8, min(len(quote) // 4, 400))
    bucket = max(4, slack // 2)
    votes: dict[int, list[int]] = {}  # bucket -> guesses falling in it
    for offset, piece in _pieces(quote):
        for at in _occurrences(text, piece):
            guess = at - offset
            if -slack <= guess <= len(text):  # a start the quote could have
                votes.setdefault(guess // bucket, []).append(guess)
    if not votes:
        return None
    ranked = sorted(votes.values(), key=lambda g: (-len(g), abs(g[0] - near)))[:FUZZY_TRIES]
    best: tuple[float, int, int] | None = None  # (ratio, context agreeing, -distance)
    best_spot = (0, 0)
    for guesses in ranked:
        guess = sorted(guesses)[len(guesses) // 2]
        start = _edge(text, quote[:EDGE], guess, slack, head=True)
        end = _edge(text, quote[-EDGE:], guess + len(quote), slack, head=False)
        if end <= start or abs((end - start) - len(quote)) > 2 * slack:
            continue
        ratio = _similarity(quote, text[start:end])
        if ratio < FUZZY_MIN_RATIO:
            continue
        key = (round(ratio, 3), _context_score(text, start, end, prefix, suffix), -abs(start - near))
        if best is None or key > best:
            best, best_spot = key, (start, end)
    if best is None:
        return None
    start, end = best_spot
    # a match never starts or ends inside whitespace
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Placement(start, end, "fuzzy") if end > start else None


def place(text: str, quote: str, prefix: str = "", suffix: str = "", start: int = 0,
          end: int = 0) -> Placement | None:
    """Where a highlight is in `text` now, or None when it cannot be found (see above)."""
    if not quote:
        return None
    if 0 <= start <= end <= len(text) and text[start:end] == quote:
        return Placement(start, end, "position")
    # the quote with its whole context, then the quote alone weighed by its context
    hits = _occurrences(text, quote)
    if hits:
        s, e = _best(text, [(h, h + len(quote)) for h in hits], prefix, suffix, start)
        return Placement(s, e, "quote")
    # spacing may differ (a paragraph boundary became a space): match the quote's words
    words = quote.split()
    if len(words) > 1:
        pattern = r"\s+".join(map(re.escape, words))
        spots = [(m.start(), m.end()) for _, m in zip(range(MAX_CANDIDATES), re.finditer(pattern, text))]
        if spots:
            s, e = _best(text, spots, prefix, suffix, start)
            return Placement(s, e, "quote")
    return _fuzzy(text, quote, prefix, suffix, start)


def find_quote(text: str, quote: str) -> tuple[int, int] | None:
    """Where a quote given by a person or another service (a script, a wallabag
    annotation, an Omnivore highlight) is in `text`: exactly, else with any spacing,
    else ignoring case, else fuzzily. None when it is not there."""
    quote = quote.strip()
    if not quote:
        return None
    placed = place(text, quote)
    if placed is not None:
        return placed.start, placed.end
    words = quote.split()
    pattern = r"\s+".join(map(re.escape, words))
    m = re.search(pattern, text, re.IGNORECASE)
    return (m.start(), m.end()) if m else None
