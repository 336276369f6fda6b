"""Frequent terms' postings as flat arrays: one side file per index segment.

Whoosh keeps a term's postings in blocks of 128 documents, each pickled and
compressed. A phrase with a common word ("the season", "failed to") has to
look at that word's positions in every candidate article, and candidates
spread over a large archive touch nearly every block: at 100,000 articles one
such phrase decompressed and unpickled ~1,000 blocks (over 100 ms). Ranking a
common word reads all its blocks too.

So the segment writer (whoosh_internals.FastSegmentWriter) also writes, for each term of a
positional field that occurs in many of the segment's documents, its postings
as four flat little-endian arrays — document numbers, weights, number of
positions per document, and all the positions — in `<segment>.dense`. Whoosh
packs that file into the compound segment file like its own and deletes it
with the segment. Reading is zero-copy: numpy views over the segment's mmap,
so looking up positions at thousands of candidate documents is a few
vectorised operations instead of a Python loop over blocks.

The block postings stay as they are (Whoosh's own queries read them); a
segment without the file (small segments, older indexes) is read the block
way. The extra space is the uncompressed positions of the frequent terms.

File layout: the arrays (each starting at a multiple of 8), then the pickled
directory {(field, term bytes): (n, ids_at, weights_at, counts_at,
positions_at, npositions)}, then the directory's offset as 8 bytes.
"""
from __future__ import annotations

import pickle
import struct
from typing import Any, NamedTuple, Sequence

import numpy as np

DENSE_EXT = ".dense"
#: fields with positions whose frequent terms are written flat
DENSE_FIELDS = frozenset({"content", "pairs"})
#: a term is frequent when it occurs in at least this many documents of its segment...
MIN_DOCS = 1024
#: ...and in at least this fraction (1/N) of them
FRACTION = 16

_MAGIC = b"QDENSE1\n"


def is_frequent(doc_frequency: int, segment_docs: int) -> bool:
    return doc_frequency >= MIN_DOCS and doc_frequency * FRACTION >= segment_docs


class DensePostings(NamedTuple):
    """One term's postings in one segment (numpy arrays; never changed in place)."""

    ids: np.ndarray  # int64, ascending document numbers
    weights: np.ndarray  # float32, the same values as the block postings' weights
    counts: np.ndarray  # uint8 or uint16, positions per document
    starts: np.ndarray  # int64, where each document's positions begin in `positions`
    positions: np.ndarray  # uint16, each document's ascending positions, one after another


class DenseWriter:
    """Collects the frequent terms of one segment while its postings are written."""

    def __init__(self, segment_docs: int) -> None:
        self.segment_docs = segment_docs
        self._terms: list[tuple[tuple[str, bytes], Sequence[int], Sequence[float], Sequence[bytes]]] = []

    def add(self, fieldname: str, btext: bytes, ids: Sequence[int], weights: Sequence[float],
            values: Sequence[bytes]) -> None:
        """Keep a term whose values are phrases.ArrayPositions encodings; a term with
        a 32-bit posting (an article past 65,535 words) is left to the blocks."""
        if all(v[:1] == b"H" for v in values):
            self._terms.append(((fieldname, btext), ids, weights, values))

    def write(self, storage: Any, segment: Any) -> None:
        """Per term: the documents as a bitmap over the segment (a frequent term is
        in at least 1/FRACTION of them: cheaper than 4-byte numbers), the counts as
        uint8 where they fit, the weights only where they are not the counts (a
        field or document boost), and the positions as uint16."""
        if not self._terms:
            return
        out = segment.create_file(storage, DENSE_EXT)
        try:
            out.write(_MAGIC)
            at = len(_MAGIC)
            directory: dict[tuple[str, bytes], tuple[Any, ...]] = {}

            def put(values: np.ndarray) -> int:
                nonlocal at
                pad = -at % 8
                if pad:
                    out.write(b"\0" * pad)
                    at += pad
                data = values.tobytes()
                out.write(data)
                start, at = at, at + len(data)
                return start

            for key, ids, weights, values in self._terms:
                present = np.zeros(self.segment_docs, dtype=bool)
                present[np.asarray(ids, dtype=np.int64)] = True
                counts = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
                counts -= 1
                counts //= 2
                counts = counts.astype("u1" if counts.max() < 256 else "<u2")
                weights32 = np.asarray(weights, dtype="<f4")
                same = np.array_equal(weights32, counts.astype("<f4"))
                positions = b"".join(v[1:] for v in values)
                directory[key] = (len(ids), put(np.packbits(present, bitorder="little")),
                                  put(counts), counts.dtype.str, -1 if same else put(weights32),
                                  put(np.frombuffer(positions, dtype="<u2")), len(positions) // 2)
            out.write(pickle.dumps({"docs": self.segment_docs, "terms": directory}, 5))
            out.write(struct.pack("<Q", at))
        finally:
            out.close()
        self._terms = []


#: flat postings kept decoded per segment reader (ids and starts: 16 bytes each)
CACHE_POSTINGS = 2_000_000


class _DenseFile:
    def __init__(self, buf: Any, header: dict) -> None:
        self.buf = buf
        self.docs: int = header["docs"]
        self.directory: dict = header["terms"]
        self.cache: dict[tuple[str, bytes], DensePostings] = {}
        self.cached = 0


def _open(reader: Any) -> _DenseFile | None:
    # a segment reader's segment() and storage() (Whoosh's public API; None for others)
    segment = reader.segment() if hasattr(reader, "segment") else None
    storage = reader.storage() if hasattr(reader, "storage") else None
    if segment is None or storage is None:
        return None
    try:
        f = segment.open_file(storage, DENSE_EXT)
    except (NameError, OSError, KeyError):
        return None  # no frequent terms, or written before this file existed
    # inside a compound file: whoosh_internals.LazyBufferFile's view of the mmap
    buf = getattr(f, "buffer", None)
    if buf is None:  # not inside a memory-mapped compound file: read it once
        buf = f.read()
    f.close()  # the memoryview over the segment's mmap stays valid
    if len(buf) < len(_MAGIC) + 8 or bytes(buf[:len(_MAGIC)]) != _MAGIC:
        return None
    try:
        (offset,) = struct.unpack("<Q", bytes(buf[len(buf) - 8:]))
        return _DenseFile(buf, pickle.loads(buf[offset:len(buf) - 8]))
    except Exception:  # noqa: BLE001 - a damaged side file: the blocks still answer
        return None


def _read_term(dense: _DenseFile, n: int, ids_at: int, counts_at: int, counts_type: str, weights_at: int,
               positions_at: int, npositions: int) -> DensePostings | None:
    buf = dense.buf
    bitmap = np.frombuffer(buf, dtype=np.uint8, count=(dense.docs + 7) // 8, offset=ids_at)
    ids = np.flatnonzero(np.unpackbits(bitmap, count=dense.docs, bitorder="little"))
    counts = np.frombuffer(buf, dtype=counts_type, count=n, offset=counts_at)
    if len(ids) != n or int(counts.sum()) != npositions:
        return None  # not what was written
    weights = counts.astype(np.float32) if weights_at < 0 else \
        np.frombuffer(buf, dtype="<f4", count=n, offset=weights_at)
    starts = np.zeros(n, dtype=np.int64)
    np.cumsum(counts[:-1], dtype=np.int64, out=starts[1:])
    return DensePostings(ids, weights, counts, starts,
                         np.frombuffer(buf, dtype="<u2", count=npositions, offset=positions_at))


def dense_postings(reader: Any, fieldname: str, btext: bytes) -> DensePostings | None:
    """The term's flat postings in this segment reader, or None (read its blocks)."""
    dense = reader.__dict__.get("_quire_dense")
    if dense is None:
        dense = reader.__dict__["_quire_dense"] = _open(reader) or False
    if not dense:
        return None
    key = (fieldname, btext)
    found = dense.cache.get(key)
    if found is None:
        entry = dense.directory.get(key)
        if entry is None:
            return None
        try:
            found = _read_term(dense, *entry)
        except (ValueError, TypeError):  # a damaged side file: the blocks still answer
            return None
        if found is None:
            return None
        if dense.cached > CACHE_POSTINGS:
            dense.cache.clear()
            dense.cached = 0
        dense.cache[key] = found
        dense.cached += len(found.ids)
    return found


def postings_of(postings: DensePostings, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(for each of the ascending documents `docs` that has a posting, that posting's
    index; a mask of those documents in `docs`)."""
    where = np.searchsorted(postings.ids, docs)
    where[where == len(postings.ids)] = 0
    hit = postings.ids[where] == docs
    return where[hit], hit


def positions_at(postings: DensePostings, picked: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the positions of the postings at the indexes `picked`, one after another;
    which of `picked` each belongs to, as an index into it)."""
    counts = postings.counts[picked].astype(np.int64)
    total = int(counts.sum())
    if not total:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    owner = np.repeat(np.arange(len(picked)), counts)
    # flat index of each position: its posting's start plus its rank within the posting
    first = np.cumsum(counts) - counts
    flat = postings.starts[picked][owner] + (np.arange(total) - first[owner])
    return postings.positions[flat].astype(np.int64), owner
