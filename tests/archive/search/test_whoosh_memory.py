"""The zero-copy reader that stands in for Whoosh's BytesIO behaves like a file."""
from __future__ import annotations

import io
import pickle

from hypothesis import given
from hypothesis import strategies as st

from archive.search import whoosh_internals as whoosh_memory
from archive.search.whoosh_internals import LazyBufferFile
from archive.search.whoosh_internals import ViewReader as _ViewReader


@given(st.binary(max_size=300), st.lists(st.tuples(st.sampled_from(["read", "seek", "readline", "peek"]),
                                                  st.integers(-1, 400)), max_size=12))
def test_reader_matches_bytesio(data, ops):
    mine, ref = _ViewReader(memoryview(data)), io.BytesIO(data)
    for op, n in ops:
        if op == "read":
            assert mine.read(n) == ref.read(n)
        elif op == "seek":
            assert mine.seek(max(0, n)) == ref.seek(max(0, n))
        elif op == "peek":  # the next bytes (some, if any are left), not consumed
            ahead = mine.peek(n)
            rest = data[ref.tell():]
            assert rest.startswith(ahead) and (ahead or not rest)
        else:
            assert mine.readline(n) == ref.readline(n)
        assert mine.tell() == ref.tell()


def test_pickles_load_through_it_and_whoosh_uses_it(archive):
    payload = pickle.dumps({"a": [1, 2, 3]}, protocol=0) + pickle.dumps("x" * 70000)
    reader = _ViewReader(memoryview(payload))
    assert pickle.load(reader) == {"a": [1, 2, 3]}
    assert pickle.load(reader) == "x" * 70000
    # pickle reads ahead through peek() and then consumes only what it used
    blocks = [(k, 3.5, tuple(range(k)), b"v" * k) for k in (1, 40, 300)]
    reader = _ViewReader(memoryview(b"".join(pickle.dumps(b, 2) for b in blocks) + b"tail"))
    assert [pickle.load(reader) for _ in blocks] == blocks and reader.read() == b"tail"
    from whoosh.filedb import compound
    assert compound.BufferFile is LazyBufferFile and whoosh_memory.filestore.BufferFile is LazyBufferFile
    from tests.support import make_page
    archive.save_html(make_page(), "https://daily.example/a")
    assert archive.search("herons")  # searches run through the lazy, zero-copy files
