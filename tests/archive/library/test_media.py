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


def cli(root, *args):
    return subprocess.run([sys.executable, str(REPO / "main.py"), "--archive", str(root), *args],
                          capture_output=True, text=True, timeout=180)


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@contextmanager
def read_only_view(src: Path, where: Path):
    """`src` as read-only media: a read-only bind mount of it at `where`."""
    if os.geteuid() != 0:
        subprocess.run(["chmod", "-R", "a-w", str(src)], check=True)
        try:
            yield src
        finally:
            subprocess.run(["chmod", "-R", "u+w", str(src)], check=True)
        return
    where.mkdir()
    if not _mount("--bind", str(src), str(where)):
        pytest.skip("no read-only mount possible here (mount --bind refused)")
    try:
        if not _mount("-o", "remount,ro,bind", str(where)):
            pytest.skip("no read-only mount possible here (remount,ro refused)")
        yield where
    finally:
        subprocess.run(["umount", str(where)], capture_output=True)


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
