"""Crash-safe file writes: write a temp file, fsync, rename over the target.

A reader (or a restart after SIGKILL) sees either the old file or the new one,
never a torn one.
"""
from __future__ import annotations

import gzip
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

#: The name a file is written under before it is renamed over its target
#: (archive.library.layout.is_unfinished_file recognises leftovers of a crash).
TEMP_PREFIX = ".tmp-"


def fsync_dir(path: Path) -> None:
    """Make a rename inside `path` durable."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_bytes(path: Path, data: bytes) -> None:
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_json(path: Path, data: Any) -> None:
    write_text(path, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


def write_gzip(path: Path, data: bytes) -> None:
    write_bytes(path, gzip.compress(data, compresslevel=6, mtime=0))


def replace_dir(target: Path, replacement: Path, aside: Path) -> None:
    """Put the complete folder `replacement` in the place of `target`. The old folder
    stays whole (renamed to `aside`, which crash recovery brings back) until the new
    one is in place, is put back if the new one cannot be, and is removed after."""
    shutil.rmtree(aside, ignore_errors=True)
    target.rename(aside)
    try:
        replacement.rename(target)
    except BaseException:
        aside.rename(target)
        raise
    fsync_dir(target.parent)
    shutil.rmtree(aside, ignore_errors=True)

