"""Reading the whole search index, to tell a damaged one from a sound one.

Opening an index reads only its table of contents; garbage inside a segment
file shows when a search reaches the spoiled block (IndexError, struct.error,
UnpicklingError, "Block tag error" ...), so `check` said "consistent" while
`search '*'` failed. `verify_index` reads every segment's stored fields, every
term's postings (ids, weights, values), field lengths, sortable columns and
frequent terms' flat postings, and the text store; the first failure is the
answer. It costs one pass over the index: `check` and a search that failed pay
it, nothing else.
"""
from __future__ import annotations

import sqlite3
from typing import Any

from whoosh import index as windex
from whoosh.fields import NUMERIC

from archive.search.dense import dense_postings
from archive.search.whoosh_internals import check_term_tables

OK = "ok"


def _read_segment(reader: Any) -> None:
    """Touch every byte of one segment that a search can read."""
    check_term_tables(reader)
    schema = reader.schema
    for docnum in range(reader.doc_count_all()):
        fields = reader.stored_fields(docnum)
        if not isinstance(fields, dict):
            raise ValueError(f"stored fields of document {docnum} are not a record")
    for fieldname in schema.names():
        field = schema[fieldname]
        if getattr(field, "column_type", None) and reader.has_column(fieldname):
            # raw values: a document without a date (no published date) holds the
            # column's default, which is no datetime; every byte is read all the same
            column = reader.column_reader(fieldname, translate=False)
            for docnum in range(reader.doc_count_all()):
                column[docnum]
        if not field.indexed:
            continue
        if field.scorable:
            for docnum in range(reader.doc_count_all()):
                reader.doc_field_length(docnum, fieldname)
        for btext in reader.lexicon(fieldname):
            if not isinstance(field, NUMERIC):  # numbers' range terms are binary by design
                field.from_bytes(btext)  # garbage in the term index does not decode
            matcher = reader.postings(fieldname, btext)
            ids = []
            while matcher.is_active():
                ids.append(matcher.id())
                matcher.weight()
                matcher.value()
                matcher.next()
            if any(b <= a for a, b in zip(ids, ids[1:])) or (ids and ids[-1] >= reader.doc_count_all()):
                raise ValueError(f"postings of {fieldname}:{btext!r} are out of order")
            dense = dense_postings(reader, fieldname, btext) if isinstance(btext, bytes) else None
            if dense is not None and [int(i) for i in dense.ids] != ids:
                raise ValueError(f"flat postings of {fieldname}:{btext!r} disagree with the blocks")


def verify_index(index: Any) -> str:
    """'ok', or what is damaged in the SearchIndex `index` (which part and how)."""
    try:
        ix = windex.open_dir(str(index.path))
    except Exception as exc:  # noqa: BLE001 - any failure to read it is the finding
        return f"its table of contents cannot be read ({type(exc).__name__}: {exc})"
    try:
        with ix.reader() as reader:
            leaves = reader.leaf_readers() if hasattr(reader, "leaf_readers") else [(reader, 0)]
            for leaf, _offset in leaves:
                segment = leaf.segment() if hasattr(leaf, "segment") else None
                name = segment.segment_id() if segment is not None else "?"
                try:
                    _read_segment(leaf)
                except Exception as exc:  # noqa: BLE001 - garbage raises anything at all
                    return f"segment {name} is damaged ({type(exc).__name__}: {exc})"
    except Exception as exc:  # noqa: BLE001
        return f"a segment cannot be opened ({type(exc).__name__}: {exc})"
    finally:
        ix.close()
    try:
        verdict = index.texts.verify()
    except sqlite3.Error as exc:
        verdict = str(exc)
    if verdict != OK:
        return f"its stored texts (texts.sqlite) are damaged ({verdict})"
    return OK
