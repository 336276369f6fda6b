"""Date ranges (saved:/published:) answered from the sortable date column.

Whoosh would turn a numeric range into an OR of dozens of tiered terms, each
with its own posting list. The dates are also stored as a sortable column, so a
segment's (date, document) pairs are read once, kept sorted on the segment
reader, and a range becomes two binary searches and a list of documents. The
query parser (query.py) reads date values itself and builds these directly.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import datetime
from typing import Any, Iterator

from whoosh import matching
from whoosh.query import Query
from whoosh.util.times import datetime_to_long


def _sorted_column(reader: Any, fieldname: str) -> tuple[list[int], list[int]] | None:
    """(values ascending, their document numbers) of one segment, cached on the reader."""
    cache = reader.__dict__.setdefault("_quire_columns", {})
    if fieldname not in cache:
        if not reader.has_column(fieldname):
            cache[fieldname] = None
        else:
            column = reader.column_reader(fieldname, translate=False)
            missing = reader.schema[fieldname].column_type.default_value()
            pairs = sorted((v, d) for d, v in enumerate(column) if v != missing)
            cache[fieldname] = ([v for v, _ in pairs], [d for _, d in pairs])
    return cache[fieldname]


class ColumnRange(Query):
    """Documents whose column value lies in [start, end] (None: open); constant score."""

    def __init__(self, fieldname: str, start: int | None, end: int | None,
                 startexcl: bool = False, endexcl: bool = False, boost: float = 1.0) -> None:
        self.fieldname = fieldname
        self.start, self.end = start, end
        self.startexcl, self.endexcl = startexcl, endexcl
        self.boost = boost

    @classmethod
    def between(cls, fieldname: str, start: datetime | None, end: datetime | None) -> "ColumnRange":
        """Dates from `start` (included) to `end` (left out), naive UTC as the
        index stores them; None: open."""
        return cls(fieldname, None if start is None else datetime_to_long(start),
                   None if end is None else datetime_to_long(end), endexcl=end is not None)

    def __repr__(self) -> str:
        return f"ColumnRange({self.fieldname!r}, {self.start!r}, {self.end!r})"

    def __unicode__(self) -> str:
        return f"{self.fieldname}:[{self.start} TO {self.end}]"

    __str__ = __unicode__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ColumnRange) and (
            other.fieldname, other.start, other.end, other.startexcl, other.endexcl, other.boost) == (
            self.fieldname, self.start, self.end, self.startexcl, self.endexcl, self.boost)

    def __hash__(self) -> int:
        return hash(("ColumnRange", self.fieldname, self.start, self.end, self.startexcl, self.endexcl))

    def normalize(self) -> Query:
        return self

    def has_terms(self) -> bool:
        return False

    def terms(self, phrases: bool = False) -> Iterator[tuple[str, str]]:
        return iter(())

    def estimate_size(self, ixreader: Any) -> int:
        return ixreader.doc_count_all()

    def docnums(self, reader: Any) -> list[int]:
        """Matching document numbers of one segment, ascending, deletions excluded."""
        column = _sorted_column(reader, self.fieldname)
        if column is None:
            return []
        values, docs = column
        lo = 0 if self.start is None else (
            bisect_right(values, self.start) if self.startexcl else bisect_left(values, self.start))
        hi = len(values) if self.end is None else (
            bisect_left(values, self.end) if self.endexcl else bisect_right(values, self.end))
        found = sorted(docs[lo:hi])
        if reader.has_deletions():
            found = [d for d in found if not reader.is_deleted(d)]
        return found

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        ids = self.docnums(searcher.reader())
        if not ids:
            return matching.NullMatcher()
        return matching.ListMatcher(ids, all_weights=self.boost)
