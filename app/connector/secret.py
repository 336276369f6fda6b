"""The archive's connector secret: the one thing that tells the extension from a web page.

It is a file in the archive folder (so `quire serve`, the window and `quire
connector secret` agree without talking to each other), readable by its owner
only, created on first use. It is created with a hard link from a finished
temporary file, so two processes starting at once end with one secret, never a
torn or a second one; a new secret replaces it with a rename. A running
connector notices a replaced file at its next request.
"""
from __future__ import annotations

import os
import secrets
import tempfile
import threading
from pathlib import Path

from archive.base import atomic
from archive.base.errors import ArchiveError

SECRET_FILE = "connector-secret"
#: A secret shorter than this is not one we wrote (a hand-edited or damaged file): replaced.
MIN_LENGTH = 20


def secret_path(root: Path | str) -> Path:
    return Path(root).expanduser() / SECRET_FILE


def _generate() -> str:
    return secrets.token_urlsafe(32)


def _write_temp(folder: Path, secret: str) -> str:
    fd, tmp = tempfile.mkstemp(prefix=".tmp-secret-", dir=folder)  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secret + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


def _read(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="ascii", errors="replace").strip()
    except FileNotFoundError:
        return None
    return text if len(text) >= MIN_LENGTH and text.isprintable() and " " not in text else None


def read_secret(root: Path | str) -> str:
    """The archive's secret, created (atomically, mode 0600) if there is none yet."""
    path = secret_path(root)
    existing = _read(path)
    if existing is not None:
        return existing
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = _write_temp(path.parent, _generate())
        try:
            if path.exists():  # there but not usable: replaced
                os.replace(tmp, path)
            else:
                os.link(tmp, path)  # fails if another process created it meanwhile
        except FileExistsError:
            pass
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        atomic.fsync_dir(path.parent)
    except OSError as exc:
        raise ArchiveError(f"cannot write the connector secret {path}: {exc.strerror or exc}") from exc
    found = _read(path)
    if found is None:
        raise ArchiveError(f"cannot read the connector secret {path}")
    return found


def new_secret(root: Path | str) -> str:
    """Replace the archive's secret (the extension must be given the new one)."""
    path = secret_path(root)
    secret = _generate()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = _write_temp(path.parent, secret)
        os.replace(tmp, path)
        atomic.fsync_dir(path.parent)
    except OSError as exc:
        raise ArchiveError(f"cannot write the connector secret {path}: {exc.strerror or exc}") from exc
    return secret


class SecretFile:
    """The secret as a running connector sees it: read again whenever the file
    changed (a new secret made by `quire connector secret --new` or the settings)."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self._lock = threading.Lock()
        self._stamp: tuple[int, int, int] | None = None
        self._value = read_secret(self.root)
        self._stamp = self._stat()

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            st = secret_path(self.root).stat()
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def get(self) -> str:
        stamp = self._stat()
        if stamp != self._stamp or stamp is None:
            with self._lock:
                self._value = read_secret(self.root)
                self._stamp = self._stat()
        return self._value
