"""Mapping offsets of the canonical plain text onto another rendering of the same text.

Highlights count characters of the canonical plain text (html_to_text of
article.html, see archive.library.highlights). Other places show the same words
with other spacing: the reader's QTextDocument (list bullets, tables, paragraph
breaks as U+2029), an exported page's DOM text nodes. Both keep the same
non-space characters in the same order, so offsets are mapped through them: the
k-th non-space character here is the k-th there. Where the two differ (a picture's
alt text in one, a character composed differently) difflib aligns the non-space
characters, and an offset falls on the nearest aligned one. Pure: no IO, no Qt.
"""
from __future__ import annotations

import bisect
import unicodedata
from difflib import SequenceMatcher


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
        if self._c_solid == o_solid:
            self._pairs: list[tuple[int, int]] | None = None  # the k-th is the k-th
        else:
            a = unicodedata.normalize("NFC", self._c_solid)
            b = unicodedata.normalize("NFC", o_solid)
            if len(a) != len(self._c_solid) or len(b) != len(o_solid):
                a, b = self._c_solid, o_solid
            matcher = SequenceMatcher(None, a, b, autojunk=False)
            pairs: list[tuple[int, int]] = []
            for block in matcher.get_matching_blocks():
                pairs.extend((block.a + i, block.b + i) for i in range(block.size))
            self._pairs = pairs
            self._pair_keys = [p[0] for p in pairs]

    def _solid_index(self, offset: int) -> int:
        """How many non-space characters of the canonical text come before `offset`."""
        return bisect.bisect_left(self._c_where, offset)

    def _other_solid(self, k: int, *, end: bool) -> int | None:
        """The other text's solid index of the canonical's k-th solid character (for an
        end, of the (k-1)-th, plus one); the nearest aligned one where it has none."""
        if self._pairs is None:
            return k
        if not self._pairs:
            return None
        if end:
            i = bisect.bisect_left(self._pair_keys, k) - 1  # last aligned before k
            if i < 0:
                return None
            return self._pairs[i][1] + 1
        i = bisect.bisect_left(self._pair_keys, k)  # first aligned at or after k
        if i >= len(self._pairs):
            return None
        return self._pairs[i][1]

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
        return OffsetMap(self.other, self.canonical).span(start, end)
