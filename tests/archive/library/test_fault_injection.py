"""Writes that fail at every point of an operation (issue 18): a save, an import, a tag
change, a re-extraction and a backup run while the Nth write, fsync or open-for-write
call of this process fails with ENOSPC or EIO (and every call after it: a full disk
stays full), for N = 1, 2, 3 ... until the operation no longer meets a failure. After
each failure, with the disk working again: the archive opens, `check` finds it
consistent, and nothing the operation reported saved is lost; the operation itself
failed with a QuireError (one sentence), never a bare OSError.

An injection point is each open() for writing, the first write() to each file so
opened (later writes to it fail too once the disk has failed, but are not points of
their own: a segment is written in thousands of pieces), each os.open() for writing,
os.write(), os.fsync() and os.mkdir(): the Python-level calls, which are what can be
wrapped here (SQLite writes from C: the tmpfs tests in test_media.py cover those)."""
from __future__ import annotations

import builtins
import errno
import io
import os
import shutil
import zipfile
from pathlib import Path
from typing import Any, Callable

import pytest

from archive import Archive
from archive.base.errors import QuireError
from archive.library.backup import backup
from archive.library.check import check_archive
from tests.support import make_page

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


class DiskFails(Exception):
    pass


class Injector:
    """Counts this process's write calls; from call number `fail_at` on, each raises
    OSError(`err`). Only calls under `root` or any path when `root` is None."""

    def __init__(self) -> None:
        self.calls = 0
        self.fail_at: int | None = None
        self.err = errno.ENOSPC
        self.active = False

    def hit(self, what: str) -> None:
        if not self.active:
            return
        self.calls += 1
        if self.fail_at is not None and self.calls >= self.fail_at:
            raise OSError(self.err, os.strerror(self.err), what)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        real_open, real_os_open = builtins.open, os.open
        real_write, real_fsync, real_mkdir = os.write, os.fsync, os.mkdir
        inj = self

        class Writing(io.IOBase):
            """A file opened for writing whose write() counts as a write call."""

            def __init__(self, fh: Any) -> None:
                object.__setattr__(self, "_fh", fh)

            def write(self, data):  # noqa: D401
                # the first write to a file is an injection point of its own; later
                # ones fail once a point before them has (a full disk stays full), but
                # are not each a point: a segment is written in thousands of pieces
                if not self.__dict__.get("_counted"):
                    object.__setattr__(self, "_counted", True)
                    inj.hit("write")
                elif inj.active and inj.fail_at is not None and inj.calls >= inj.fail_at:
                    raise OSError(inj.err, os.strerror(inj.err), "write")
                return self._fh.write(data)

            def writelines(self, lines):
                for line in lines:
                    self.write(line)

            def __getattr__(self, name):
                return getattr(self._fh, name)

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self._fh.close()

            def __iter__(self):
                return iter(self._fh)

            def close(self):
                self._fh.close()

            @property
            def closed(self):
                return self._fh.closed

            def fileno(self):
                return self._fh.fileno()

            def flush(self):
                return self._fh.flush()

            def seek(self, *args):
                return self._fh.seek(*args)

            def tell(self):
                return self._fh.tell()

            def read(self, *args):
                return self._fh.read(*args)

            def readable(self):
                return self._fh.readable()

            def writable(self):
                return True

            def seekable(self):
                return self._fh.seekable()

            def truncate(self, *args):
                return self._fh.truncate(*args)

        def fake_open(file, mode="r", *args, **kwargs):
            if isinstance(mode, str) and any(c in mode for c in "wax+") and not isinstance(file, int):
                inj.hit(f"open {file}")
                return Writing(real_open(file, mode, *args, **kwargs))
            return real_open(file, mode, *args, **kwargs)

        def fake_os_open(path, flags, *args, **kwargs):
            if flags & _WRITE_FLAGS:
                inj.hit(f"os.open {path}")
            return real_os_open(path, flags, *args, **kwargs)

        def fake_write(fd, data):
            inj.hit("os.write")
            return real_write(fd, data)

        def fake_fsync(fd):
            inj.hit("os.fsync")
            return real_fsync(fd)

        def fake_mkdir(path, *args, **kwargs):
            inj.hit(f"mkdir {path}")
            return real_mkdir(path, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", fake_open)
        monkeypatch.setattr(io, "open", fake_open)
        monkeypatch.setattr(os, "open", fake_os_open)
        monkeypatch.setattr(os, "write", fake_write)
        monkeypatch.setattr(os, "fsync", fake_fsync)
        monkeypatch.setattr(os, "mkdir", fake_mkdir)


# -- the operations: each returns the ids it reported saved (with what must hold) ----------
def _save(a: Archive, work: Path) -> dict:
    result = a.save_html(make_page("Injected save", "injectword saved"), "https://inject.example/new")
    return {"saved": [result.article.id]}


def _import(a: Archive, work: Path) -> dict:
    from archive.interchange.importers.driver import import_file

    report = import_file(a, work / "pages", "folder", fetch=False)
    return {"saved": list(report.article_ids)}


def _tag(a: Archive, work: Path) -> dict:
    aid = sorted(x.id for x in a.articles())[0]
    a.tag(aid, add=["injected"])
    return {"tagged": aid}


def _reextract(a: Archive, work: Path) -> dict:
    ids = sorted(x.id for x in a.articles())[:2]
    done, failures = a.reextract(ids)
    if failures:
        raise QuireError("; ".join(failures))
    return {}


def _backup(a: Archive, work: Path) -> dict:
    out = work / "backup.zip"
    backup(a, out)
    return {"backup": out}


OPERATIONS: dict[str, Callable[[Archive, Path], dict]] = {
    "save": _save, "import": _import, "tag": _tag, "reextract": _reextract, "backup": _backup}


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("inject") / "arch"
    with Archive(root, seed=False, fetch=False) as a:
        with a.batch():
            for i in range(3):
                a.save_html(make_page(f"Base story {i}", f"baseword{i} herons"), f"https://base.example/{i}",
                            tags=["base"])
    return root


def _run(base: Path, work: Path, op: str, inj: Injector, fail_at: int | None, err: int) -> tuple[dict | None, BaseException | None]:
    root = work / "arch"
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(base, root)
    for leftover in work.glob("backup*.zip"):
        leftover.unlink()
    pages = work / "pages"
    if not pages.exists():
        pages.mkdir()
        for i in range(2):
            (pages / f"imported{i}.html").write_text(make_page(f"Imported page {i}", f"importword{i}"),
                                                     encoding="utf-8")
    a = Archive(root, seed=False, fetch=False)
    inj.calls, inj.fail_at, inj.err = 0, fail_at, err
    inj.active = True
    outcome: dict | None = None
    error: BaseException | None = None
    try:
        outcome = OPERATIONS[op](a, work)
    except BaseException as exc:  # noqa: BLE001 - judged below
        error = exc
    finally:
        inj.active = False
        try:
            a.close()
        except QuireError:
            pass
    return outcome, error


def _verify(root: Path, work: Path, op: str, outcome: dict | None, error: BaseException | None,
            where: str) -> None:
    if error is not None:
        assert isinstance(error, QuireError), f"{where}: {type(error).__name__}: {error}"
    with Archive(root, seed=False, fetch=False) as a:
        problems = check_archive(a)
        assert problems == [], f"{where}: {problems}"
        have = {x.id for x in a.articles()}
        assert len(have) >= 3, where
        if outcome:
            for aid in outcome.get("saved", []):
                assert aid in have, f"{where}: {aid} was reported saved and is gone"
                assert a.get(aid).status == "saved"
                assert a.article_html(aid), f"{where}: {aid} has no text"
            if "tagged" in outcome:
                assert "injected" in a.get(outcome["tagged"]).tags, where
        for aid in have:
            assert a.article_html(aid), f"{where}: {aid} lost its text"
    if op == "backup":
        zips = sorted(p.name for p in work.iterdir() if p.suffix == ".zip" or p.name.startswith(".backup-"))
        if outcome:
            with zipfile.ZipFile(outcome["backup"]) as zf:
                assert zf.testzip() is None and "catalog.sqlite" in zf.namelist()
        else:
            assert zips == [], f"{where}: a failed backup left {zips}"


@pytest.mark.parametrize("op", list(OPERATIONS))
def test_writes_failing_at_every_point_lose_nothing(base, tmp_path, monkeypatch, op):
    import archive.search.index as index

    monkeypatch.setattr(index, "WRITER_TIMEOUT", 2.0)  # a lock a failure left held shows at once
    inj = Injector()
    inj.install(monkeypatch)
    outcome, error = _run(base, tmp_path, op, inj, None, errno.ENOSPC)
    assert error is None, error
    total = inj.calls
    assert total > 0
    covered = 0
    for n in range(1, total + 1):
        err = errno.ENOSPC if n % 2 else errno.EIO
        outcome, error = _run(base, tmp_path, op, inj, n, err)
        where = f"{op}: write call {n} of {total} failed with {errno.errorcode[err]}"
        _verify(tmp_path / "arch", tmp_path, op, outcome, error, where)
        covered += 1
    print(f"\n{op}: {covered} injection points")
    INJECTION_POINTS[op] = covered


INJECTION_POINTS: dict[str, int] = {}
