"""Mapping offsets of the canonical plain text onto another rendering of the same text.

Highlights count characters of the canonical plain text (html_to_text of
article.html, see archive.library.highlights). Other places show the same words
with other spacing: the reader's QTextDocument (list bullets, tables, paragraph
breaks as U+2029), an exported page's DOM text nodes. Both keep the same
non-space characters in the same order, so offsets are mapped through them: the
k-th non-space character here is the k-th there. Where the two differ (a picture's
placeholder or caption in one, a heading left out of the other) the runs that agree
are found again by `_align` (a greedy walk that resynchronises on the next 16
characters, with str.find: linear in practice, where difflib on 40,000 characters
takes seconds), and an offset falls on the nearest aligned character. Pure: no IO,
no Qt.
"""
from __future__ import annotations

import bisect


def _solid(text: str) -> tuple[str, list[int]]:
    """(the non-space characters of text, each one's offset in text)."""
    chars: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if not ch.isspace() and ch != "\ufffc":  # U+FFFC: an image in a QTextDocument
            chars.append(ch)
            where.append(i)
    return "".join(chars), where


class OffsetMap:
    """Offsets of `canonical` → offsets of `other` (see the module docstring)."""

    def __init__(self, canonical: str, other: str) -> None:
        self.canonical, self.other = canonical, other
        self._c_solid, self._c_where = _solid(canonical)
        o_solid, self._o_where = _solid(other)
        self._reverse: OffsetMap | None = None
        if self._c_solid == o_solid:
            self._blocks: list[tuple[int, int, int]] | None = None  # the k-th is the k-th
        else:
            self._blocks = _align(self._c_solid, o_solid)
            self._block_keys = [b[0] for b in self._blocks]

    def _solid_index(self, offset: int) -> int:
        """How many non-space characters of the canonical text come before `offset`."""
        return bisect.bisect_left(self._c_where, offset)

    def _other_solid(self, k: int, *, end: bool) -> int | None:
        """The other text's solid index of the canonical's k-th solid character (for an
        end: just after the (k-1)-th); the nearest aligned one where it has none."""
        if self._blocks is None:
            return k
        blocks = self._blocks
        if not blocks:
            return None
        if end:
            i = bisect.bisect_right(self._block_keys, k - 1) - 1  # the block at or before k-1
            if i < 0:
                return None
            a, b, n = blocks[i]
            return b + min(k - a, n)
        i = bisect.bisect_right(self._block_keys, k) - 1
        if i >= 0 and k < blocks[i][0] + blocks[i][2]:
            a, b, _n = blocks[i]
            return b + (k - a)
        i += 1  # k is in a gap: the next aligned character
        return blocks[i][1] if i < len(blocks) else None

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """Where canonical[start:end] is in the other text: from its first non-space
        character to just after its last. None when nothing of it is there."""
        ks, ke = self._solid_index(start), self._solid_index(end)
        if ke <= ks:
            return None
        os_ = self._other_solid(ks, end=False)
        oe = self._other_solid(ke, end=True)
        if os_ is None or oe is None or oe <= os_:
            return None
        return self._o_where[os_], self._o_where[oe - 1] + 1

    def back(self, start: int, end: int) -> tuple[int, int] | None:
        """The other way: where other[start:end] is in the canonical text."""
        if self._reverse is None:
            self._reverse = OffsetMap(self.other, self.canonical)
        return self._reverse.span(start, end)


#: Characters that must agree to pick the two texts up again after they differ.
_SYNC = 16
#: Give up aligning after this many differences (two unrelated texts).
_MAX_GAPS = 500


def _align(a: str, b: str) -> list[tuple[int, int, int]]:
    """Runs (start in a, start in b, length) where a and b agree, in order."""
    blocks: list[tuple[int, int, int]] = []
    i = j = 0
    gaps = 0
    while i < len(a) and j < len(b) and gaps <= _MAX_GAPS:
        # the run that agrees from here (compared in chunks, at C speed)
        n = 0
        step = 64
        while i + n < len(a) and j + n < len(b):
            chunk = min(step, len(a) - i - n, len(b) - j - n)
            if a[i + n:i + n + chunk] == b[j + n:j + n + chunk]:
                n += chunk
                continue
            if chunk == 1:
                break
            step = max(1, chunk // 2)
        if n:
            blocks.append((i, j, n))
            i, j = i + n, j + n
            continue
        gaps += 1
        # they differ here: where does each text's next stretch appear in the other?
        in_b = b.find(a[i:i + _SYNC], j) if len(a) - i >= _SYNC else -1
        in_a = a.find(b[j:j + _SYNC], i) if len(b) - j >= _SYNC else -1
        if in_b < 0 and in_a < 0:
            i, j = i + 1, j + 1  # a character changed
        elif in_a < 0 or (0 <= in_b and in_b - j <= in_a - i):
            j = in_b  # b has something a lacks
        else:
            i = in_a  # a has something b lacks
    return blocks
