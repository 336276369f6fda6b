"""`quire backup OUT.zip` and `quire restore IN.zip`.

A backup is a zip of the archive as it stands on disk — catalog.sqlite (copied
through SQLite's backup API, so it is consistent while the app runs) and every
article folder — without the search index, which restore rebuilds.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import zipfile
from pathlib import Path

from archive.base import atomic, media
from archive.base.errors import ArchiveError, QuireError
from archive.base.models import ProgressFn
from archive.base.safe_names import safe_extract
from archive.library import layout
from archive.library.lock import OpenLock
from archive.library.store import Archive

BACKUP_MARKER = "quire-backup.txt"


def backup(archive, out: Path | str, progress: ProgressFn | None = None) -> int:
    """Write the archive to a zip; returns the number of article folders stored."""
    out = Path(out).expanduser()
    if out.suffix.lower() != ".zip":
        raise QuireError(f"{out}: a backup is a .zip file")
    try:
        fd, tmp_zip = tempfile.mkstemp(prefix=".backup-", suffix=".zip", dir=out.parent)
        os.close(fd)
    except OSError as exc:
        raise ArchiveError(f"{out}: could not write the backup ({exc.strerror or exc})") from exc
    try:
        with tempfile.TemporaryDirectory() as tmpdir:
            snapshot = Path(tmpdir) / layout.CATALOG_FILE
            with archive.catalog.lock:
                dst = sqlite3.connect(snapshot)
                archive.catalog.connection.backup(dst)
                dst.close()
            # Folders are listed after the catalog is copied: an article saved in
            # between is then in the zip without its row (check --repair adopts it),
            # not a row without its folder (which only a pending article could become).
            folders = sorted(archive.layout.article_folders())
            with zipfile.ZipFile(tmp_zip, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
                zf.writestr(BACKUP_MARKER, "Quire archive backup. Restore with: quire restore THIS.zip\n")
                zf.write(snapshot, layout.CATALOG_FILE)
                for n, folder in enumerate(folders, 1):
                    for f in sorted(folder.rglob("*")):
                        if f.is_file() and not layout.is_unfinished_file(f.name):
                            rel = f.relative_to(archive.root).as_posix()
                            # already-compressed files are stored as they are
                            kind = zipfile.ZIP_STORED if f.suffix in (".gz", ".jpg", ".jpeg", ".png", ".webp", ".gif") else zipfile.ZIP_DEFLATED
                            zf.write(f, rel, compress_type=kind)
                    if progress:
                        progress(n, len(folders), folder.name)
        os.replace(tmp_zip, out)
    except OSError as exc:
        Path(tmp_zip).unlink(missing_ok=True)
        full = "the disk is full: " if media.is_disk_full(exc) else ""
        raise ArchiveError(f"{out}: {full}could not write the backup ({exc.strerror or exc})") from exc
    except BaseException:
        Path(tmp_zip).unlink(missing_ok=True)
        raise
    return len(folders)


def restore(zip_path: Path | str, root: Path | str, *, force: bool = False,
            progress: ProgressFn | None = None) -> int:
    """Unpack a backup into `root` (refusing a non-empty archive unless `force`),
    then open it so the index is rebuilt. Returns the number of articles."""
    zip_path, root = Path(zip_path).expanduser(), Path(root).expanduser()
    try:
        with zipfile.ZipFile(zip_path) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise QuireError(f"{zip_path}: not a readable zip file ({exc})") from exc
    if layout.CATALOG_FILE not in names or BACKUP_MARKER not in names:
        raise QuireError(f"{zip_path}: not a Quire backup (no {layout.CATALOG_FILE} / {BACKUP_MARKER} inside)")
    if root.exists() and any(root.iterdir()):
        if not force:
            raise QuireError(f"{root}: the archive folder is not empty; restore with --force to replace it")
    in_use = OpenLock(root) if root.is_dir() else None
    if in_use is not None and not in_use.open_alone():
        busy = in_use.held  # else the lock file cannot be written: the rename below fails clearly
        in_use.release()
        in_use = None
        if busy:
            raise QuireError(f"{root}: the archive is open in Quire (a window or a command); "
                             "close it before restoring over it")
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=root.parent))
    try:
        free = shutil.disk_usage(staging).free
        result = safe_extract(zip_path, staging, max_total_bytes=max(free - (64 << 20), 0),
                              max_entries=len(names) + 1)
        if result.refused:
            name, why = result.refused[0]
            raise QuireError(f"{zip_path}: refused entry {name!r} ({why})")
        # The restored archive is opened (migrated, indexed) where it was unpacked, and
        # only a whole, readable one replaces the archive there: a damaged backup or one
        # from a newer Quire used to replace, and so delete, the archive it was meant to restore.
        _check_catalog(zip_path, layout.Layout(staging).catalog)
        try:
            with Archive(staging, seed=False, fetch=False, progress=progress) as archive:
                count = archive.catalog.count()
        except sqlite3.DatabaseError as exc:
            raise QuireError(f"{zip_path}: the backup's catalog cannot be read ({exc}); "
                             "nothing was changed") from exc
        (staging / OpenLock.NAME).unlink(missing_ok=True)
        if root.exists():
            atomic.replace_dir(root, staging, root.with_name(root.name + ".replaced"))
        else:
            staging.rename(root)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        if in_use is not None:
            in_use.release()
    return count


def _check_catalog(zip_path: Path, path: Path) -> None:
    """QuireError unless `path` is a whole SQLite database (the backup's catalog)."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            verdict = db.execute("PRAGMA quick_check").fetchone()[0]
            db.execute("SELECT COUNT(*) FROM articles").fetchone()
        finally:
            db.close()
    except sqlite3.Error as exc:
        verdict = str(exc)
    if verdict != "ok":
        raise QuireError(f"{zip_path}: the backup's catalog is damaged ({verdict}); nothing was changed")
