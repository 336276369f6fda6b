"""Whether the archive's folder can be written: read-only media (a backup disk, a
mounted image), a folder without write permission (another user's), or a full disk.

Quire opens a read-only archive for reading rather than failing on its first
write, and tells a full disk from damage: an I/O error is never a reason to
delete derived data (the index) and rebuild it.
"""
from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

#: errno values that say "cannot write here", not "the data is damaged"
READ_ONLY_ERRNOS = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})
#: errno values of a disk (or quota) that is full
FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
#: I/O errors that are not damage: nothing derived may be wiped because of them
NOT_DAMAGE_ERRNOS = READ_ONLY_ERRNOS | FULL_ERRNOS | {errno.EIO, errno.EAGAIN, errno.EBUSY,
                                                      errno.ENOMEM, errno.EMFILE, errno.ENFILE}


def is_read_only(root: Path, catalog: Path | None = None) -> bool:
    """True when `root` is an existing archive folder this process cannot write:
    on read-only media (statvfs says so even to root), or without write permission
    on the folder or on its `catalog` file (archive.library.layout names it)."""
    root = Path(root)
    if not root.is_dir():
        return False
    try:
        if os.statvfs(root).f_flag & os.ST_RDONLY:
            return True
    except OSError:
        pass
    if not os.access(root, os.W_OK):
        return True
    return catalog is not None and catalog.exists() and not os.access(catalog, os.W_OK)


def _chain(exc: BaseException | None):
    """The error and the errors it was raised from (an ArchiveError wrapping an OSError)."""
    seen = 0
    while exc is not None and seen < 10:
        yield exc
        exc = exc.__cause__ or exc.__context__
        seen += 1


def is_read_only_error(exc: BaseException) -> bool:
    for e in _chain(exc):
        if isinstance(e, OSError) and e.errno in READ_ONLY_ERRNOS:
            return True
        if isinstance(e, sqlite3.Error) and str(getattr(e, "sqlite_errorname", "")).startswith(
                ("SQLITE_READONLY", "SQLITE_PERM")):
            return True
    return False


#: Below this much free space, an I/O error is taken for the full disk it most likely
#: is: SQLite reports a -shm file it cannot grow as "disk I/O error", not "disk full".
LOW_SPACE = 1 << 20


def full_disk_behind(exc: BaseException, root: Path) -> bool:
    """True when `exc` is a full disk, or an I/O error on a disk with (almost) no
    free space left."""
    if is_disk_full(exc):
        return True
    free = free_bytes(root)
    return free is not None and free < LOW_SPACE and any(is_io_trouble(e) for e in _chain(exc))


def cannot_write(exc: BaseException, root: Path | None = None) -> bool:
    """True when `exc` (or what it was raised from) says the archive cannot be written
    here and now: a full disk, read-only media, no permission. Such an archive is
    opened for reading instead of failing."""
    if root is not None and full_disk_behind(exc, root):
        return True
    return any(is_disk_full(e) or is_read_only_error(e) for e in _chain(exc)) or any(
        isinstance(e, sqlite3.OperationalError) and "unable to open database file" in str(e)
        for e in _chain(exc))


def read_only_sentence(root: Path) -> str:
    """The sentence a write to a read-only archive is refused with."""
    return (f"this archive is read-only: {root} cannot be written (read-only media or no "
            "write permission); reading, searching and exporting work")


def is_disk_full(exc: BaseException) -> bool:
    """An OSError (ENOSPC, EDQUOT) or a SQLite error saying the disk is full (or an
    error raised from one)."""
    for e in _chain(exc):
        if isinstance(e, OSError) and e.errno in FULL_ERRNOS:
            return True
        if isinstance(e, sqlite3.Error) and (
                str(getattr(e, "sqlite_errorname", "")).startswith("SQLITE_FULL") or "disk is full" in str(e)):
            return True
        if "the disk is full" in str(e):
            return True
    return False


def is_io_trouble(exc: BaseException) -> bool:
    """An error that says the disk cannot be written or read just now (full, read-only,
    failing, locked by another process), as opposed to a damaged file."""
    if isinstance(exc, OSError):
        return exc.errno in NOT_DAMAGE_ERRNOS
    if isinstance(exc, sqlite3.OperationalError):
        name = str(getattr(exc, "sqlite_errorname", ""))
        return name.startswith(("SQLITE_FULL", "SQLITE_IOERR", "SQLITE_READONLY", "SQLITE_CANTOPEN",
                                "SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_PERM", "SQLITE_NOMEM")) \
            or "disk is full" in str(exc) or "unable to open" in str(exc)
    return False


def free_bytes(path: Path) -> int | None:
    """Free space on the file system holding `path` for this user, or None if unknown."""
    try:
        return __import__("shutil").disk_usage(path).free
    except OSError:
        return None


def disk_full_message(root: Path, what: str = "") -> str:
    """The one sentence every command says on a full disk."""
    free = free_bytes(root)
    room = f" ({free >> 20} MB free)" if free is not None else ""
    return (f"the disk is full{room}: {what + ' ' if what else ''}nothing more can be written to "
            f"{root}; free some space and try again (reading still works)")
