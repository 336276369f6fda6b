"""Archives on read-only media and on a full disk (issue 18, cases 3 and 4).

Tests run as root here, and root ignores permission bits: `chmod -R a-w` does not
make a folder read-only to it. Read-only media is therefore made real: a read-only
bind mount of the archive (mount needs CAP_SYS_ADMIN, which root has here). A full
disk is a small tmpfs filled to the last byte. Where mounting is not allowed, a
non-root run uses permission bits instead, and a root run without the capability
skips (the in-process read-only tests still run)."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from archive import Archive
from archive.library import collections as coll
from archive.library.catalog import ReadOnlyError
from archive.library.check import check_archive
from tests.support import REPO, make_page
from tests.support.media import mount, read_only_view


def cli(root, *args):
    return subprocess.run([sys.executable, str(REPO / "main.py"), "--archive", str(root), *args],
                          capture_output=True, text=True, timeout=180)


def _fingerprint(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and not p.name.endswith(("-wal", "-shm"))}


def _small_archive(root: Path) -> list[str]:
    with Archive(root, seed=False, fetch=False) as a:
        ids = [a.save_html(make_page(f"Media story {i}", f"mediaword{i} herons"), f"https://media.example/{i}",
                           tags=[f"t{i % 2}"]).article.id for i in range(4)]
        coll.create(a, "Reading list")
        coll.add(a, "Reading list", ids[:2])
        coll.create(a, "Odd", query="tag:t1")
    return ids


def test_a_read_only_archive_reads_and_refuses_writes_in_one_sentence(tmp_path):
    """On read-only media `list`, `search`, `show`, `export` and `check` failed with
    'attempt to write a readonly database' / 'unable to open database file'."""
    src = tmp_path / "arch"
    ids = _small_archive(src)
    before = _fingerprint(src)
    with read_only_view(src, tmp_path / "ro") as root:
        out = cli(root, "list")
        assert out.returncode == 0, out.stderr
        assert sorted(line.split()[0] for line in out.stdout.splitlines()) == sorted(ids)
        assert "read-only" in out.stderr and "Traceback" not in out.stderr
        out = cli(root, "search", "--json", "mediaword2")
        assert out.returncode == 0, out.stderr
        assert [h["id"] for h in json.loads(out.stdout)] == [ids[2]]
        out = cli(root, "show", ids[1])
        assert out.returncode == 0 and "mediaword1" in out.stdout, out.stderr
        out = cli(root, "tags")
        assert out.returncode == 0 and "t0" in out.stdout, out.stderr
        out = cli(root, "collection", "list")
        assert out.returncode == 0 and "Reading list" in out.stdout and "Odd" in out.stdout, out.stderr
        export = tmp_path / "out.json"
        out = cli(root, "export", "--all", "--format", "json", "-o", str(export))
        assert out.returncode == 0, out.stderr
        assert len(json.loads(export.read_text(encoding="utf-8"))["articles"]) == 4 \
            if isinstance(json.loads(export.read_text(encoding="utf-8")), dict) else True
        out = cli(root, "check")
        assert out.returncode == 0 and "consistent" in out.stdout, out.stdout + out.stderr
        out = cli(root, "backup", str(tmp_path / "copy.zip"))
        assert out.returncode == 0, out.stderr

        for args in (("tag", ids[0], "+new"), ("delete", ids[0]), ("check", "--repair"),
                     ("add", str(tmp_path / "nothing.html")), ("collection", "create", "More"),
                     ("reindex",)):
            (tmp_path / "nothing.html").write_text(make_page("Not saved"), encoding="utf-8")
            out = cli(root, *args)
            assert out.returncode != 0, args
            assert "Traceback" not in out.stderr + out.stdout, (args, out.stderr)
            assert "this archive is read-only" in out.stderr + out.stdout, (args, out.stdout, out.stderr)
    assert _fingerprint(src) == before


def test_an_archive_opened_read_only_writes_nothing(tmp_path):
    """The read-only mode itself, anywhere: every reading works and not one byte of
    the archive changes. (SQLite, reading a WAL database it may share with a writer,
    makes an empty -wal and its -shm index beside it when the folder lets it; on
    read-only media it reads the file as immutable instead, as the test above shows.)"""
    root = tmp_path / "arch"
    ids = _small_archive(root)
    before = _fingerprint(root)
    with Archive(root, read_only=True, seed=False, fetch=False) as a:
        assert a.read_only and any("read-only" in n for n in a.notices)
        assert sorted(x.id for x in a.articles()) == sorted(ids)
        assert [h.id for h in a.search("mediaword3")] == [ids[3]]
        assert sorted(coll.members(a, "Reading list")) == sorted(ids[:2])
        assert "mediaword0" in a.article_text(ids[0])
        assert check_archive(a) == []
        for write in (lambda: a.tag(ids[0], add=["x"]), lambda: a.delete(ids[1]),
                      lambda: a.save_html(make_page("New"), "https://media.example/new"),
                      lambda: coll.create(a, "Another"), lambda: a.set_state(ids[0], is_read=True),
                      lambda: check_archive(a, repair=True), lambda: a.reindex()):
            with pytest.raises(ReadOnlyError) as err:
                write()
            assert str(err.value).startswith("this archive is read-only")
    assert _fingerprint(root) == before


@contextmanager
def small_disk(where: Path, size: str = "8m"):
    """A tmpfs of `size` at `where`: a disk that fills up for real."""
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a small tmpfs")
    where.mkdir()
    if not mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)):
        pytest.skip("mounting a tmpfs is not allowed here")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def _fill(disk: Path, leave: int = 0) -> Path:
    """Take all of the disk's free space but `leave` bytes, in one filler file."""
    filler = disk / "filler"
    with open(filler, "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError:
            pass
        try:
            fh.close()
        except OSError:
            pass
    if leave:
        os.truncate(filler, max(0, filler.stat().st_size - leave))
    return filler


def _pages(folder: Path, n: int, start: int = 0) -> list[str]:
    out = []
    for i in range(start, start + n):
        page = folder / f"page{i}.html"
        page.write_text(make_page(f"Disk page {i}", f"pageword{i} " * 1500), encoding="utf-8")
        out.append(str(page))
    return out


def _unlisted_segment_files(root: Path) -> list[str]:
    from whoosh import index as windex

    ix = windex.open_dir(str(root / "index"))
    try:
        listed = {s.segment_id() for s in ix._read_toc().segments}
    finally:
        ix.close()
    return sorted(p.name for p in (root / "index").iterdir()
                  if p.name.startswith("MAIN_") and not p.name.endswith("WRITELOCK")
                  and p.name.split(".", 1)[0] not in listed) + \
        sorted(p.name for p in (root / "index").iterdir() if p.is_dir())


def test_on_a_full_disk_every_command_reads_or_says_the_disk_is_full(tmp_path):
    """A full disk: commands failed with 'disk I/O error' (the catalog's -shm could not
    be made), and an index that could not be opened was taken for damaged and wiped."""
    with small_disk(tmp_path / "disk") as disk:
        root = disk / "arch"
        ids = _small_archive(root)
        index_before = {k: v for k, v in _fingerprint(root).items() if k.startswith("index/")}
        filler = _fill(disk)
        for args in (("list",), ("search", "mediaword1"), ("show", ids[0]), ("tags",), ("check",),
                     ("collection", "list")):
            out = cli(root, *args)
            assert out.returncode == 0, (args, out.stdout, out.stderr)
            assert "the disk is full" in out.stderr, (args, out.stderr)
            assert "Traceback" not in out.stderr
        out = cli(root, "search", "--json", "mediaword1")
        assert [h["id"] for h in json.loads(out.stdout)] == [ids[1]]
        for args in (("add", *_pages(tmp_path, 1)), ("tag", ids[0], "+more"), ("delete", ids[1]),
                     ("reindex",)):
            out = cli(root, *args)
            assert out.returncode != 0, args
            assert "the disk is full" in out.stdout + out.stderr, (args, out.stdout, out.stderr)
            assert "Traceback" not in out.stderr + out.stdout, (args, out.stderr)
        index_after = {k: v for k, v in _fingerprint(root).items() if k.startswith("index/")}
        assert index_after == index_before  # nothing derived was wiped or rebuilt

        filler.unlink()
        out = cli(root, "add", *_pages(tmp_path, 1, start=5))
        assert out.returncode == 0 and "the disk is full" not in out.stderr, out.stdout + out.stderr
        with Archive(root, seed=False, fetch=False) as a:
            assert len(a.articles()) == 5 and not a.read_only
            assert [h.id for h in a.search("pageword5")]
            assert check_archive(a) == []


def test_a_save_that_runs_out_of_space_mid_batch_says_so_and_loses_nothing(tmp_path):
    """`add` of many pages on a nearly full disk ended in an OSError traceback; a failed
    index commit kept its lock and left partial segment files behind."""
    with small_disk(tmp_path / "disk") as disk:
        root = disk / "arch"
        ids = _small_archive(root)
        filler = _fill(disk, leave=400 << 10)
        pages = _pages(tmp_path, 12)
        out = cli(root, "add", *pages)
        assert "Traceback" not in out.stderr + out.stdout, out.stderr
        assert out.returncode != 0 and "the disk is full" in out.stdout + out.stderr, out.stdout + out.stderr
        saved = [line.split()[0] for line in out.stdout.splitlines() if not line.startswith(("FAILED", " "))]
        failed = [line for line in out.stdout.splitlines() if line.startswith("FAILED")]
        assert saved and failed and len(saved) + len(failed) == 12, out.stdout
        assert _unlisted_segment_files(root) == []

        out = cli(root, "reindex")  # no room for a second index beside the first
        assert out.returncode != 0 and "the disk is full" in out.stderr, out.stdout + out.stderr
        assert _unlisted_segment_files(root) == []

        filler.unlink()
        with Archive(root, seed=False, fetch=False) as a:
            have = {x.id for x in a.articles()}
            assert set(saved) | set(ids) == have  # nothing reported saved is lost
            for aid in saved:
                assert a.search(a.get(aid).title.split()[-1] and f"pageword{a.get(aid).title.split()[-1]}")
            assert check_archive(a) == []


def test_a_rebuild_that_fails_leaves_no_files_and_the_old_index(tmp_path, monkeypatch):
    """A rebuild that ran out of space left its half-written segment files behind,
    filling the disk more with each attempt."""
    import errno

    import archive.search.reindex as reindex
    from archive.base.errors import ArchiveError

    root = tmp_path / "arch"
    ids = _small_archive(root)
    real_texts = reindex._texts

    def texts_then_full(items):
        for n, text in enumerate(real_texts(items)):
            if n == 2:
                raise OSError(errno.ENOSPC, "No space left on device")
            yield text

    with Archive(root, seed=False, fetch=False) as a:
        before = sorted(p.name for p in (root / "index").iterdir())
        monkeypatch.setattr(reindex, "_texts", texts_then_full)
        with pytest.raises(ArchiveError) as err:
            a.reindex()
        assert "the disk is full" in str(err.value)
        monkeypatch.undo()
        assert _unlisted_segment_files(root) == []
        assert sorted(p.name for p in (root / "index").iterdir()) == before
        assert [h.id for h in a.search("mediaword2")] == [ids[2]]
        assert check_archive(a) == []
