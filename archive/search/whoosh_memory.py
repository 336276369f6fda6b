"""Keep Whoosh from copying the whole index into memory when it opens it.

Whoosh reads a compound segment through an mmap, but its BufferFile wraps each
sub-file's memoryview in a BytesIO, which copies it: opening an index costs as
much RAM as the index is large (over 1 GB at 50,000 articles). Almost every
read goes through BufferFile.get(), which slices the memoryview without a copy;
only sequential reads need the file object, and those get a small reader over
the same memoryview that copies only the bytes actually read.

Applied once, on import, by archive.index.
"""
from __future__ import annotations

from whoosh.filedb import compound, filestore, structfile


class _ViewReader:
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
    def __init__(self, buf, name=None, onclose=None):  # noqa: D107 - same as BufferFile
        self._buf = buf
        self._name = name
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False
        self._lazy = None

    @property
    def file(self):  # type: ignore[override]
        if self._lazy is None:
            self._lazy = _ViewReader(self._buf)
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
    compound.BufferFile = LazyBufferFile
    filestore.BufferFile = LazyBufferFile


apply()
