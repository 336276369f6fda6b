"""Everything Quire does with Whoosh below its public API, in one module.

Search is fast because of work done beside Whoosh's own code paths: a segment
writer that writes postings a term at a time, a block scorer and a phrase check
that read posting blocks straight from the codec, length norms read once per
segment, zero-copy reads of compound files. All of them rely on Whoosh's private
classes and attributes (W3LeafMatcher's block fields, SegmentWriter's private
steps, the per-document reader's columns, BufferFile); the rest of Quire calls
only the public, documented functions and classes of this module.

Written for Whoosh-Reloaded 2.7.5 (whoosh.__version__ == (2, 7, 5)); pyproject.toml
allows >=2.7.5,<2.8. Importing this module with a Whoosh outside 2.7 raises
WhooshVersionError (an ImportError naming both versions) rather than let a
changed private field give wrong results or a damaged index: to move to a new
Whoosh, check each section below against its source, run tests/archive/search,
and widen SUPPORTED (and the bound in pyproject.toml).

Sections:
1. version check;
2. zero-copy compound files (the BufferFile patch, applied on import);
3. the fast segment writer (FastSegmentWriter) and its steps for a parallel rebuild;
4. reading posting blocks (block ids, weights, values; skipping blocks);
5. query hooks (a prefix's expansion, a custom query's terms);
6. per-segment data (field lengths, deleted documents, side files).
"""
from __future__ import annotations

import struct
import zlib
from array import array
from itertools import accumulate, chain, islice
from operator import gt, sub
from pickle import dumps
from typing import Any, Iterator

import numpy as np
import whoosh
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3LeafMatcher, W3TermInfo, _lenfield
from whoosh.filedb import compound, filestore, structfile
from whoosh.filedb.structfile import StructFile
from whoosh.matching import wrappers
from whoosh.query import Prefix, Query
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from archive.search.dense import DENSE_FIELDS, DenseWriter, is_frequent

# -- 1. version check -------------------------------------------------------------------
#: The Whoosh this module was written and tested against.
WRITTEN_FOR = (2, 7, 5)
#: The (major, minor) versions it accepts (the bound in pyproject.toml).
SUPPORTED = ((2, 7),)


class WhooshVersionError(ImportError):
    """The installed Whoosh is not one this module was written for."""


def check_version(version: tuple = tuple(getattr(whoosh, "__version__", ()))) -> None:
    """WhooshVersionError unless `version` (the installed one) is in SUPPORTED."""
    if tuple(version[:2]) not in SUPPORTED:
        have = ".".join(map(str, version)) or "unknown"
        want = ".".join(map(str, WRITTEN_FOR))
        raise WhooshVersionError(
            f"Quire's search relies on internals of Whoosh-Reloaded {want}, but {have} is "
            f"installed: install whoosh-reloaded=={want} (pyproject.toml bounds it below 2.8), "
            "or check archive/search/whoosh_internals.py against the new version first")


check_version()


# -- 2. zero-copy compound files ------------------------------------------------------------
# Keep Whoosh from copying the whole index into memory when it opens it.
#
# Whoosh reads a compound segment through an mmap, but its BufferFile wraps each
# sub-file's memoryview in a BytesIO, which copies it: opening an index costs as
# much RAM as the index is large (over 1 GB at 50,000 articles). Almost every
# read goes through BufferFile.get(), which slices the memoryview without a copy;
# only sequential reads need the file object, and those get a small reader over
# the same memoryview that copies only the bytes actually read.
#
# Applied once, when this module is imported (archive.search.index imports it
# before any index is opened).

class ViewReader:
    """A read-only file over a memoryview that never copies more than is read."""

    def __init__(self, buf) -> None:
        self._buf = buf
        self._pos = 0
        self._len = len(buf)

    def read(self, n: int = -1) -> bytes:
        start = self._pos
        if start >= self._len:
            return b""
        end = self._len if n is None or n < 0 else min(self._len, start + n)
        self._pos = end
        return bytes(self._buf[start:end])

    def peek(self, n: int = 1) -> bytes:
        """The next bytes without consuming them: with it, pickle.load (a posting
        block's header) reads ahead once instead of calling read() per opcode."""
        start = self._pos  # at most 256 bytes: pickle asks for 8 KB, a header is ~30
        return bytes(self._buf[start:min(self._len, start + max(1, min(n, 256)))])

    def seek(self, pos: int, whence: int = 0) -> int:
        if whence == 1:
            pos += self._pos
        elif whence == 2:
            pos += self._len
        self._pos = max(0, pos)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def readline(self, limit: int = -1) -> bytes:
        if self._pos >= self._len:
            return b""
        end = self._len if limit is None or limit < 0 else min(self._len, self._pos + limit)
        view = self._buf[self._pos:end]
        nl = bytes(view).find(b"\n") if len(view) < 65536 else -1
        if nl < 0 and len(view) >= 65536:
            chunk = bytes(view[:65536])
            nl = chunk.find(b"\n")
        return self.read(nl + 1 if nl >= 0 else end - self._pos)

    def readinto(self, b) -> int:
        data = self.read(len(b))
        b[:len(data)] = data
        return len(data)

    def close(self) -> None:
        self._buf = b""

    def flush(self) -> None:
        pass


class LazyBufferFile(structfile.BufferFile):
    """BufferFile whose file object is a ViewReader (no copy) instead of a BytesIO."""

    def __init__(self, buf, name=None, onclose=None):  # noqa: D107 - same as BufferFile
        self._buf = buf
        self._name = name
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False
        self._lazy = None

    @property
    def buffer(self) -> Any:
        """The sub-file's bytes: a memoryview over the segment's mmap (archive.search.dense
        reads its side file through it without a copy)."""
        return self._buf

    @property
    def file(self):  # type: ignore[override]
        if self._lazy is None:
            self._lazy = ViewReader(self._buf)
        return self._lazy

    @file.setter
    def file(self, value) -> None:
        self._lazy = value

    def subset(self, position, length, name=None):
        return LazyBufferFile(self.get(position, length), name=name or self._name)

    def close(self) -> None:
        if self.is_closed:
            raise Exception("This file is already closed")
        if self.onclose:
            self.onclose(self)
        if self._lazy is not None:
            self._lazy.close()
        self.is_closed = True


def apply() -> None:
    """Make Whoosh open compound segment files with LazyBufferFile (idempotent)."""
    compound.BufferFile = LazyBufferFile
    filestore.BufferFile = LazyBufferFile


apply()


# -- 3. the fast segment writer -------------------------------------------------------------
# A faster Whoosh segment writer (same files, same format, readable by plain Whoosh).
#
# Profiling `reindex` showed three quarters of the time in Whoosh's posting
# writer, per posting: the pool's external sort of (field, term, doc, weight,
# value) tuples, a column read of the document's field length, and a checked
# `add_posting` call. `FastSegmentWriter` keeps postings grouped by term as
# they arrive (documents come in order, so no sort; document numbers and
# weights in C arrays), reads each field's lengths once, and writes each term's
# blocks and term-table row in one call (`_TermWriter`), with the bytes Whoosh's
# W3 writer would write.
#
# More savings, same format:
# - a field with a `mirror_of` attribute (index.WordCounts: content's terms
#   without positions) is not analysed again: its postings are the mirrored
#   field's document ids and weights, written without the values;
# - small blocks (most terms of a segment occur in a few documents) are written
#   uncompressed — the block header says so and readers skip the decompression;
#   zlib's per-call setup cost more than it saved on a few dozen bytes;
# - a block is pickled with protocol 5, not 2: protocol 2 has no opcode for
#   bytes, so each posting's positions were rebuilt on reading by a call to
#   codecs.encode — unpickling a block of a common word took 80 µs, now ~10.
#
# One addition beside Whoosh's files: the frequent terms of the positional
# fields also go, flat, into the segment's `.dense` file (archive/search/dense.py).

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

    # The steps of a parallel rebuild (archive.search.reindex): each worker writes a
    # segment with its own writer and hands it back; the parent's writer, holding the
    # index lock, commits a table of contents listing just those segments.
    def finish_segment(self) -> Any:
        """Write this writer's segment and return it, without committing anything."""
        return self._finalize_segment()

    def abandon_segment(self) -> None:
        """Drop a segment that will not be committed. Not Whoosh's `cancel`: that deletes
        the index's temporary folder, which every writer of the index shares (a rebuild's
        own writer included). Closing the files is enough; the next commit removes them."""
        try:
            self._close_segment()
        except Exception:  # noqa: BLE001 - already failing, or nothing written
            pass

    def release(self) -> None:
        """After a failed write or commit (a full disk): close the segment's files and
        give back the index lock and the temporary folder, whatever state it is in."""
        for step in (self._close_segment, self._finish):
            try:
                step()
            except Exception:  # noqa: BLE001 - already failing: tidy what can be tidied
                pass

    def release_lock(self) -> None:
        """Give back the index lock and the temporary folder only (after
        `abandon_segment` and a clean-up of the files it left)."""
        try:
            self._finish()
        except Exception:  # noqa: BLE001 - already failing: the first error is the one to report
            pass

    def commit_segments(self, segments: list[Any]) -> None:
        """Commit a table of contents holding exactly `segments` (finished by other
        writers of this index) in place of everything the index held."""
        self._close_segment()
        self._commit_toc(segments)
        self._finish()

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


# -- 4. reading posting blocks -------------------------------------------------------------
# Whoosh's W3LeafMatcher reads a term's postings a block (128 documents; 1024 for
# the positionless `words` field) at a time. The block scorer and the phrase check
# read whole blocks as arrays instead of stepping the matcher a document at a time.
def block_matcher(m: Any) -> "tuple[Any, bool] | None":
    """(the block matcher inside the postings matcher `m`, whether deleted documents
    must still be filtered out), or None when the postings are not plain Whoosh 3
    blocks (the caller then lets Whoosh do the work)."""
    filtered = False
    if isinstance(m, wrappers.WrappingMatcher) and isinstance(m.child, W3LeafMatcher):
        m, filtered = m.child, True  # deletions
    if not isinstance(m, W3LeafMatcher):
        return None
    return m, filtered


def leaf_matcher(reader: Any, fieldname: str, btext: bytes) -> "tuple[Any, bool] | None":
    """block_matcher of a term's postings in the reader (the term must be in it)."""
    return block_matcher(reader.postings(fieldname, btext))


def block_ids(m: Any) -> Any:
    """The document ids of a block matcher's current block: Whoosh's own _read_ids
    with the delta decoding done by itertools.accumulate (C) instead of a
    Python generator — a common word has hundreds of blocks."""
    ids = m._ids
    if ids is None:
        if m._data is None:
            m._read_data()
        ids = m._data[0]
        if not m._byteids:
            ids = tuple(accumulate(ids))
        m._ids = ids
    return ids


def remaining_block_ids(m: Any) -> Iterator[Any]:
    """The ids of each remaining block, from the matcher's position on (no weights read)."""
    while m.is_active():
        yield block_ids(m)[m._i:]
        if m._lastblock:
            break
        m._next_block()


def remaining_blocks(m: Any) -> Iterator[tuple[Any, Any]]:
    """(document ids, weights) of each remaining posting block, from the matcher's
    position on, read straight from it."""
    while m.is_active():
        block_ids(m)
        if m._weights is None:
            m._read_weights()
        i = m._i
        yield m._ids[i:], m._weights[i:]
        if m._lastblock:
            break
        m._next_block()


def blocks_reaching(m: Any, docs: np.ndarray, values: bool = False) -> Iterator[tuple[Any, Any, Any]]:
    """(ids, weights, values or None) of each whole block that may hold one of the
    ascending documents `docs`: a block header says its last id, so blocks before
    the next wanted document are skipped without being decoded."""
    j, ndocs = 0, len(docs)
    while j < ndocs and m.is_active():
        if docs[j] <= m._maxid:
            ids = block_ids(m)
            if values and m._values is None:
                m._read_values()
            if m._weights is None:
                m._read_weights()
            yield ids, m._weights, (m._values if values else None)
            j = int(np.searchsorted(docs, ids[-1], side="right"))
        if m._lastblock:
            break
        m._next_block()


# -- 5. query hooks --------------------------------------------------------------------------
def expanded_terms(q: Any, reader: Any) -> Iterator[bytes]:
    """The index terms a multi-term query (prefix, wildcard, fuzzy term) stands for
    in this reader: Whoosh's own expansion, which its matcher uses too."""
    return q._btexts(reader)


class ExtendedPrefix(Prefix):
    """A Prefix query whose expansion (Whoosh's `_btexts` hook) also takes the terms
    `more_terms` yields after Whoosh's own."""

    def more_terms(self, reader: Any, seen: set[bytes]) -> Iterator[bytes]:
        """Further terms (add each to `seen`); none by default."""
        return iter(())

    def _btexts(self, ixreader):  # noqa: ANN001, ANN202 - Whoosh's signature
        seen: set[bytes] = set()
        for btext in super()._btexts(ixreader):
            seen.add(btext)
            yield btext
        yield from self.more_terms(ixreader, seen)


class TermsQuery(Query):
    """A custom Query whose `terms()` Whoosh's iter_all_terms also sees (its `_terms` hook)."""

    def _terms(self, phrases: bool = True):  # noqa: ANN202 - Whoosh's hook
        return self.terms(phrases)


# -- 6. per-segment data ----------------------------------------------------------------------
_BYTE_LENGTH = [byte_to_length(b) for b in range(256)]


def field_lengths(reader: Any, fieldname: str) -> list[int] | None:
    """Each document's length in the field (as BM25F reads it: the stored length byte),
    read in one pass over the segment's length column; None when the reader has no
    such column reader (then score document by document, Whoosh's way)."""
    perdoc = getattr(reader, "_perdoc", None)
    if perdoc is None or not hasattr(perdoc, "_cached_reader"):
        return None
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    n = reader.doc_count_all()
    if column is None:
        return [1] * n
    return [_BYTE_LENGTH[b] if b else 1 for b in (column[d] for d in range(n))]


def bm25f_b(weighting: Any, fieldname: str) -> float:
    """The B a whoosh.scoring.BM25F gives a field (its per-field `<field>_B` option, else B)."""
    return weighting._field_B.get(fieldname, weighting.B)


def listed_segments(ix: Any) -> set[str]:
    """Ids of the segments the index's table of contents on disk lists (it is read
    again, not the open index's copy); raises when it cannot be read."""
    return {segment.segment_id() for segment in ix._read_toc().segments}


def check_term_tables(reader: Any) -> None:
    """Read every slot of a segment's term hash tables (the part of the term index a
    search looks a word up in, which reading the lexicon in order never touches) and
    raise ValueError at the first slot that cannot be right: pointing outside the
    terms, or at a term whose hash is not the slot's. Garbage there made a search find
    nothing, or fail with struct.error, while every term read in order was sound."""
    tindex = getattr(getattr(reader, "_terms", None), "_tindex", None)
    if tindex is None:  # not a whoosh3 segment reader: nothing of this kind to check
        return
    dbfile = tindex.dbfile
    pointer = struct.Struct("!Iq")
    lengths = struct.Struct("!ii")
    start, end = tindex.startofdata, tindex.endofdata
    for number, (tablestart, numslots) in enumerate(tindex.tables):
        if not numslots:
            continue
        if tablestart < end or numslots < 0:
            raise ValueError(f"term hash table {number} lies inside the terms")
        for slot in range(numslots):
            slothash, itempos = pointer.unpack(dbfile.get(tablestart + slot * pointer.size, pointer.size))
            if not itempos:
                continue
            if not start <= itempos < end:
                raise ValueError(f"term hash table {number} points outside the terms")
            keylen, _datalen = lengths.unpack(dbfile.get(itempos, lengths.size))
            if keylen < 0 or itempos + lengths.size + keylen > end:
                raise ValueError(f"term hash table {number} points at no term")
            key = dbfile.get(itempos + lengths.size, keylen)
            if tindex.hashfn(key) != slothash or slothash & 255 != number:
                raise ValueError(f"term hash table {number} holds a slot for another term")

