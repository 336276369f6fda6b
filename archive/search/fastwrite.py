"""A faster Whoosh segment writer (same files, same format, readable by plain Whoosh).

Profiling `reindex` showed three quarters of the time in Whoosh's posting
writer, per posting: the pool's external sort of (field, term, doc, weight,
value) tuples, a column read of the document's field length, and a checked
`add_posting` call. `FastSegmentWriter` keeps postings grouped by term as
they arrive (documents come in order, so no sort; document numbers and
weights in C arrays), reads each field's lengths once, and writes each term's
blocks and term-table row in one call (`_TermWriter`), with the bytes Whoosh's
W3 writer would write.

More savings, same format:
- a field with a `mirror_of` attribute (index.WordCounts: content's terms
  without positions) is not analysed again: its postings are the mirrored
  field's document ids and weights, written without the values;
- small blocks (most terms of a segment occur in a few documents) are written
  uncompressed — the block header says so and readers skip the decompression;
  zlib's per-call setup cost more than it saved on a few dozen bytes;
- a block is pickled with protocol 5, not 2: protocol 2 has no opcode for
  bytes, so each posting's positions were rebuilt on reading by a call to
  codecs.encode — unpickling a block of a common word took 80 µs, now ~10.

One addition beside Whoosh's files: the frequent terms of the positional
fields also go, flat, into the segment's `.dense` file (archive/dense.py).
"""
from __future__ import annotations

import zlib
from array import array
from itertools import chain, islice
from operator import gt, sub
from pickle import dumps
from typing import Any, Iterator

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.filedb.structfile import StructFile
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

from archive.search.dense import DENSE_FIELDS, DenseWriter, is_frequent

#: Postings per block of a mirror field (ids and weights only); Whoosh writes 128.
POSITIONLESS_BLOCK = 1024
#: Blocks smaller than this (pickled bytes) are stored uncompressed.
COMPRESS_FROM = 512


def _mini_weights(weights: array) -> Any:
    """W3PostingsWriter._mini_weights (None: all 1.0; one float: all the same; else
    a tuple) with the comparisons done by array.count, in C."""
    n = len(weights)
    if weights.count(1.0) == n:
        return None
    if weights.count(weights[0]) == n:
        return weights[0]
    return tuple(weights)


class _TermWriter:
    """One field's terms, each written as W3FieldWriter.start_term, add × n,
    finish_term would write it — the same bytes (tests/test_search_index.py compares
    them) — in one call per term instead of a dozen method calls and attribute
    round trips per term: a commit of 120 news articles writes ~20,000 terms."""

    def __init__(self, fw: Any, pw: Any, fmt: Any) -> None:
        self.tindex_add = fw._tindex.add
        self.fieldid = pack_ushort(fw._fieldid)
        postfile = pw._postfile
        raw = getattr(postfile, "file", None)
        direct = type(postfile) is StructFile and raw is not None
        self.write_bytes = raw.write if direct else postfile.write
        self.tell = raw.tell if direct else postfile.tell
        self.compression = pw._compression
        self.byteids = pw._byteids
        fixed = fmt.fixed_value_size()
        self.has_values = fixed != 0  # a mirror field (no values) is handed its source's
        # W3PostingsWriter._mini_values: a tuple, nothing, or the fixed-size values joined
        self.mini_values = tuple if fixed is None or fixed < 0 else \
            (lambda vs: None) if fixed == 0 else b"".join

    def write(self, btext: bytes, ids: Any, weights: array, values: list,
              lengths: list[int] | None, limit: int) -> None:
        write, n = self.write_bytes, len(ids)
        start_offset = self.tell()
        total_weight, min_length, max_length, max_weight = 0.0, None, 0, 0
        for start in range(0, n, limit):
            block_ids = ids[start:start + limit]
            block_weights = weights[start:start + limit]
            block_values = [v for v in values[start:start + limit] if v] if self.has_values else []
            block_max_weight = max(block_weights)
            if lengths is not None:
                ls = [lengths[d] for d in block_ids if lengths[d]]
                block_min, block_max = (min(ls), max(ls)) if ls else (None, 0)
            else:
                block_min, block_max = None, 0
            # W3TermInfo.add_block
            total_weight += sum(block_weights)
            if min_length is None:
                min_length = block_min
            elif block_min is not None:
                min_length = min(min_length, block_min)
            max_length = max(max_length, block_max)
            max_weight = max(max_weight, block_max_weight)
            # _write_block
            if not start:
                write(WHOOSH3_HEADER_MAGIC)
            mini_ids = block_ids if self.byteids else tuple(map(sub, block_ids, chain((0,), block_ids)))
            databytes = dumps((mini_ids, _mini_weights(block_weights), self.mini_values(block_values)), 5)
            comp = self.compression if len(databytes) >= COMPRESS_FROM else 0
            if comp:
                databytes = zlib.compress(databytes, comp)
            infobytes = dumps((len(block_ids), block_ids[-1], block_max_weight, comp,
                               length_to_byte(block_min), length_to_byte(block_max)), 2)
            blocklength = len(infobytes) + len(databytes)
            write(pack_int(-blocklength if start + limit >= n else blocklength))
            write(infobytes)
            write(databytes)
        # W3TermInfo.to_bytes, not inlined
        info = _TERMINFO.pack(0, total_weight, n, 0 if min_length is None else length_to_byte(min_length),
                              length_to_byte(max_length), max_weight, ids[0], ids[-1])
        info += pack_long(start_offset) + pack_int(self.tell() - start_offset)
        self.tindex_add(self.fieldid + btext, info)


_TERMINFO = W3TermInfo._struct


def _new_entry() -> tuple[array, array, list]:
    """A term's postings while a segment is built: document numbers and weights in
    C arrays (4 bytes each instead of a pointer and a float object: a 50,000-article
    rebuild worker held gigabytes of them), the values in a list. The weights are
    float32, as the posting blocks store them anyway."""
    return array("I"), array("f"), []


class _TermPool:
    """(field, term) → (docnums, weights, [values]) in arrival order."""

    def __init__(self) -> None:
        self.terms: dict[tuple[str, bytes], tuple[array, array, list]] = {}
        self.fieldnames: set[str] = set()

    def add(self, item: tuple) -> None:
        fieldname, btext, docnum, weight, value = item
        entry = self.terms.get((fieldname, btext))
        if entry is None:
            entry = self.terms[(fieldname, btext)] = _new_entry()
            self.fieldnames.add(fieldname)
        entry[0].append(docnum)
        entry[1].append(weight)
        entry[2].append(value)

    def iter_postings(self) -> Iterator[tuple]:
        """Sorted postings, for any code path that wants Whoosh's pool interface."""
        for (fieldname, btext) in sorted(self.terms):
            ids, weights, values = self.terms[(fieldname, btext)]
            order = sorted(range(len(ids)), key=ids.__getitem__)
            for k in order:
                yield fieldname, btext, ids[k], weights[k], values[k]

    def cleanup(self) -> None:
        self.terms.clear()


class FastSegmentWriter(SegmentWriter):
    """SegmentWriter with the grouped pool and block-at-a-time posting output."""

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        self.pool = _TermPool()

    def add_document(self, **fields: Any) -> None:
        """SegmentWriter.add_document with postings put straight into the term pool
        (no tuple per posting). Fields with vectors or separate spelling words take
        Whoosh's own path."""
        schema = self.schema
        if any(schema[name].vector or schema[name].separate_spelling()
               for name in fields if name in schema):
            return super().add_document(**fields)
        self._check_state()
        perdocwriter = self.perdocwriter
        docnum = self.docnum
        terms = self.pool.terms
        seen_fields = self.pool.fieldnames
        docboost = self._doc_boost(fields)
        names = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, names)
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in names:
                value = fields[fieldname]
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed and getattr(field, "mirror_of", None) is None:
                    fieldboost = self._field_boost(fields, fieldname, docboost)
                    scorable = field.scorable
                    for tbytes, freq, weight, vbytes in field.index(value):
                        if scorable:
                            length += freq
                        key = (fieldname, tbytes)
                        entry = terms.get(key)
                        if entry is None:
                            entry = terms[key] = _new_entry()
                            seen_fields.add(fieldname)
                        entry[0].append(docnum)
                        entry[1].append(weight * fieldboost)
                        entry[2].append(vbytes)
                customval = fields.get("_stored_%s" % fieldname, value)
                perdocwriter.add_field(fieldname, field, customval if field.stored else None, length)
                column = field.column_type
                if column and customval is not None:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(customval))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        pdr = self.per_document_reader() if self.codec.length_stats else None
        try:
            self._write_postings(pdr)
        finally:
            self.fieldwriter.close()
            if pdr:
                pdr.close()

    def _write_postings(self, pdr: Any) -> None:
        schema = self.schema
        fw = self.fieldwriter
        ndocs = self.docnum
        byfield: dict[str, list[bytes]] = {}
        for fieldname, btext in self.pool.terms:
            byfield.setdefault(fieldname, []).append(btext)
        # fields mirroring another field's postings (without its values)
        mirrors = {name: schema[name].mirror_of for name in schema.names()
                   if getattr(schema[name], "mirror_of", None) in byfield}
        for name, source in mirrors.items():
            byfield[name] = byfield[source]
        dense = DenseWriter(ndocs)
        for fieldname in sorted(byfield):
            fieldobj = schema[fieldname]
            if pdr is not None and fieldobj.scorable:
                lengths = [pdr.doc_field_length(d, fieldname, 0) for d in range(ndocs)]
            else:
                lengths = None
            fw.start_field(fieldname, fieldobj)
            pw = fw._postwriter
            # postings without values are a few bytes each: big blocks mean fewer block
            # reads for a common word (readers take any block size)
            limit = POSITIONLESS_BLOCK if fieldname in mirrors else pw._blocklimit
            fmt = fieldobj.format
            source = mirrors.get(fieldname, fieldname)
            term_writer = _TermWriter(fw, pw, fmt)
            for btext in sorted(byfield[fieldname]):
                ids, weights, values = self.pool.terms[(source, btext)]
                if len(ids) > 1 and any(map(gt, ids, islice(ids, 1, None))):  # merges only
                    order = sorted(range(len(ids)), key=ids.__getitem__)
                    ids = array("I", [ids[k] for k in order])
                    weights = array("f", [weights[k] for k in order])
                    values = [values[k] for k in order]
                if fieldname in DENSE_FIELDS and is_frequent(len(ids), ndocs):
                    dense.add(fieldname, btext, ids, weights, values)
                term_writer.write(btext, ids, weights, values, lengths, limit)
            fw.finish_field()
        dense.write(self.storage, self.newsegment)
