"""Never lose a saved article: check/repair, versions, backup, locks, disk trouble."""
from __future__ import annotations

import errno
import json
import os
import shutil
import sqlite3
import subprocess
import sys

import pytest

from archive import Archive
from archive.library.backup import backup, restore
from archive.library.check import check_archive
from archive.base.errors import ArchiveError, QuireError
from archive.library.lock import WindowLock
from archive.base.models import SCHEMA_VERSION
from tests.support import REPO, make_page


def _fill(archive, n=3):
    return [archive.save_html(make_page(f"Story number {i}", f"Body word{i}."),
                              f"https://daily.example/{i}", tags=[f"t{i}"]).article for i in range(n)]


def test_consistent_archive_has_no_problems(archive):
    _fill(archive)
    assert check_archive(archive) == []


def test_check_finds_and_repairs_each_kind_of_drift(archive):
    a, b, c = _fill(archive)
    # orphan folder: catalog row lost (crash between rename and catalog insert)
    archive.catalog.delete(a.id)
    archive.catalog.dequeue_indexed([a.id])
    # meta.json out of step
    meta_path = archive.article_dir(b.id) / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta["tags"] = ["wrong"]
    meta_path.write_text(json.dumps(meta))
    # index entry missing for c
    archive.index.delete(c.id)
    # index entry for an article that does not exist
    from archive.search.index import make_document
    ghost = archive.get(b.id)
    ghost.id = "0000000000"
    archive.index.add(make_document(ghost, "ghost text"))

    kinds = {(p.kind, p.article_id) for p in check_archive(archive)}
    assert ("orphan-folder", a.id) in kinds
    assert ("meta-mismatch", b.id) in kinds
    assert ("index-missing", c.id) in kinds
    assert ("index-orphan", "0000000000") in kinds
    assert ("index-orphan", a.id) in kinds  # a is indexed but no longer catalogued

    problems = check_archive(archive, repair=True)
    assert problems and all(p.repaired for p in problems)
    assert check_archive(archive) == []
    assert archive.get(a.id).tags == ["t0"]  # adopted from meta.json, state kept
    assert json.loads(meta_path.read_text())["tags"] == ["t1"]
    assert [h.id for h in archive.search("word2")] == [c.id]


def test_missing_folder_becomes_pending_not_lost(archive):
    a, = _fill(archive, 1)
    shutil.rmtree(archive.article_dir(a.id))
    problems = check_archive(archive, repair=True)
    assert [(p.kind, p.repaired) for p in problems] == [("missing-folder", True)]
    kept = archive.get(a.id)
    assert kept.status == "pending" and kept.tags == ["t0"] and kept.url == a.url
    assert check_archive(archive) == []


def test_missing_article_html_is_reextracted_and_bad_source_reported(archive):
    a, b = _fill(archive, 2)
    (archive.article_dir(a.id) / "article.html").unlink()
    (archive.article_dir(b.id) / "source.html.gz").write_bytes(b"\x1f\x8b\x08\x00broken")
    problems = {p.kind: p for p in check_archive(archive, repair=True)}
    assert problems["missing-html"].repaired
    assert "herons" not in archive.article_html(a.id) or "Story number 0" in archive.article_html(a.id)
    assert "observatory" in archive.article_html(a.id)
    assert not problems["bad-source"].repaired and b.id in problems["bad-source"].article_id


def test_cli_check_json_and_exit_code(tmp_path):
    root = tmp_path / "arch"
    with Archive(root, seed=False, fetch=False) as a:
        art, = _fill(a, 1)
    os.remove(root / "articles" / art.id / "meta.json")
    run = lambda *args: subprocess.run([sys.executable, str(REPO / "main.py"), "--archive", str(root), *args],
                                       capture_output=True, text=True, timeout=120)
    out = run("check", "--json")
    assert out.returncode == 1
    assert [p["kind"] for p in json.loads(out.stdout)] == ["meta-mismatch"]
    assert run("check", "--repair").returncode == 0
    out = run("check")
    assert out.returncode == 0 and "consistent" in out.stdout


def _make_v1_archive(root):
    """A hand-made archive as the first release wrote it (schema 1: no progress, no index queue)."""
    (root / "articles" / "abcdef0123").mkdir(parents=True)
    folder = root / "articles" / "abcdef0123"
    (folder / "article.html").write_text("<html><body><article><p>An old saved essay about lighthouses.</p>"
                                         "</article></body></html>")
    import gzip
    (folder / "source.html.gz").write_bytes(gzip.compress(b"<p>An old saved essay about lighthouses.</p>"))
    meta = {"id": "abcdef0123", "title": "Old essay", "url": "https://old.example/essay", "site": "old.example",
            "authors": [], "published": None, "saved": "2020-05-01T10:00:00+00:00", "lang": "en",
            "description": "", "lead_image": None, "word_count": 6, "reading_minutes": 1, "tags": ["old"],
            "is_read": True, "is_favorite": False, "is_archived": False, "uncertain": False,
            "status": "saved", "error": None, "source": None, "schema_version": 1}
    (folder / "meta.json").write_text(json.dumps(meta))
    db = sqlite3.connect(root / "catalog.sqlite")
    db.executescript("""
        CREATE TABLE articles (id TEXT PRIMARY KEY, title TEXT NOT NULL DEFAULT '', url TEXT, norm_url TEXT,
          source TEXT, site TEXT NOT NULL DEFAULT '', authors TEXT NOT NULL DEFAULT '[]', published TEXT,
          saved TEXT NOT NULL, lang TEXT, description TEXT NOT NULL DEFAULT '', lead_image TEXT,
          word_count INTEGER NOT NULL DEFAULT 0, reading_minutes INTEGER NOT NULL DEFAULT 0,
          is_read INTEGER NOT NULL DEFAULT 0, is_favorite INTEGER NOT NULL DEFAULT 0,
          is_archived INTEGER NOT NULL DEFAULT 0, uncertain INTEGER NOT NULL DEFAULT 0,
          status TEXT NOT NULL DEFAULT 'saved', error TEXT);
        CREATE TABLE tags (article_id TEXT NOT NULL, tag TEXT NOT NULL, PRIMARY KEY (article_id, tag));
        INSERT INTO articles (id, title, url, norm_url, site, saved, lang, word_count, reading_minutes, is_read)
          VALUES ('abcdef0123', 'Old essay', 'https://old.example/essay', 'https://old.example/essay',
                  'old.example', '2020-05-01T10:00:00+00:00', 'en', 6, 1, 1);
        INSERT INTO tags VALUES ('abcdef0123', 'old');
        PRAGMA user_version = 1;
    """)
    db.commit()
    db.close()


def test_older_archive_is_migrated_on_open(tmp_path):
    root = tmp_path / "v1"
    _make_v1_archive(root)
    with Archive(root, fetch=False) as a:
        assert a.catalog.schema_version == SCHEMA_VERSION
        assert a.catalog.migrated_from == 1
        old = a.get("abcdef0123")
        assert old.title == "Old essay" and old.tags == ["old"] and old.is_read and old.progress == 0
        assert [h.id for h in a.search("lighthouses")] == ["abcdef0123"]  # indexed during migration
        assert [h.id for h in a.search("tag:old is:read")] == ["abcdef0123"]
        assert len(a.articles()) == 1  # not seeded: the archive was not empty
        assert check_archive(a, repair=True) is not None
        assert check_archive(a) == []


def test_newer_archive_is_refused_untouched(tmp_path):
    root = tmp_path / "future"
    root.mkdir()
    db = sqlite3.connect(root / "catalog.sqlite")
    db.execute("CREATE TABLE articles (id TEXT)")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    before = {p.name: p.read_bytes() for p in root.iterdir()}
    with pytest.raises(ArchiveError) as err:
        Archive(root, fetch=False)
    assert "newer" in str(err.value)
    after = {p.name: p.read_bytes() for p in root.iterdir() if p.name != "articles"}
    assert after == before


def test_backup_and_restore(tmp_path):
    src = tmp_path / "src"
    with Archive(src, seed=False, fetch=False) as a:
        arts = _fill(a, 3)
        a.set_state(arts[0].id, is_favorite=True)
        zip_path = tmp_path / "backup.zip"
        assert backup(a, zip_path) == 3
    dest = tmp_path / "dest"
    assert restore(zip_path, dest) == 3
    with Archive(dest, seed=False, fetch=False) as b:
        assert {x.id for x in b.articles()} == {x.id for x in arts}
        assert b.get(arts[0].id).is_favorite
        assert [h.id for h in b.search("word1 tag:t1")] == [arts[1].id]
        assert check_archive(b) == []
    with pytest.raises(QuireError) as err:  # non-empty target without --force
        restore(zip_path, dest)
    assert "--force" in str(err.value)
    assert restore(zip_path, dest, force=True) == 3
    bad = tmp_path / "not-backup.zip"
    import zipfile
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("../evil.txt", "x")
    with pytest.raises(QuireError):
        restore(bad, tmp_path / "other")
    assert not (tmp_path / "evil.txt").exists()


def test_second_window_is_refused(tmp_path):
    root = tmp_path / "arch"
    with WindowLock(root):
        code = ("import sys; from archive.library.lock import WindowLock; from archive.base.errors import ArchiveError\n"
                f"try:\n    WindowLock({str(root)!r}).acquire()\nexcept ArchiveError as e:\n    print(e); sys.exit(3)")
        out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
        assert out.returncode == 3 and "already open" in out.stdout
    WindowLock(root).acquire()  # free again once released


def test_cli_writes_while_this_process_writes(tmp_path):
    """Two processes saving to one archive at once: no LockError, no lost write."""
    root = tmp_path / "arch"
    files = []
    for i in range(12):
        f = tmp_path / f"cli{i}.html"
        f.write_text(make_page(f"Parallel cli story {i}", f"clibody{i}"), encoding="utf-8")
        files.append(str(f))
    with Archive(root, seed=False, fetch=False) as a:
        proc = subprocess.Popen([sys.executable, str(REPO / "main.py"), "--archive", str(root), "add", *files],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        mine = [a.save_html(make_page(f"Local story {i}", f"localbody{i}"), f"https://local.example/{i}").article
                for i in range(12)]
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert "LockError" not in err
        assert len(a.articles()) == 24
        for i in range(12):
            assert len(a.search(f"clibody{i}")) == 1
            assert [h.id for h in a.search(f"localbody{i}")] == [mine[i].id]
        assert check_archive(a) == []


def test_read_only_archive_fails_clearly_and_changes_nothing(archive, monkeypatch):
    """Tests run as root here, which ignores chmod; a read-only mount is stood in for
    by making folder creation fail with EROFS, as the kernel would."""
    a, = _fill(archive, 1)
    import pathlib

    real_mkdir = pathlib.Path.mkdir

    def read_only(self, *args, **kwargs):
        if archive.root in self.parents:
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "mkdir", read_only)
    with pytest.raises(ArchiveError) as err:
        archive.save_html(make_page("Cannot land"), "https://daily.example/ro")
    assert "Read-only file system" in str(err.value) and "daily.example/ro" in str(err.value)
    monkeypatch.undo()
    assert [x.id for x in archive.articles()] == [a.id]
    assert check_archive(archive) == []


def test_disk_full_leaves_archive_as_it_was(archive, monkeypatch):
    a, = _fill(archive, 1)
    before = sorted(p.name for p in (archive.root / "articles").iterdir())
    import archive.base.atomic as atomic

    def full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic, "write_bytes", full)
    with pytest.raises(ArchiveError) as err:
        archive.save_html(make_page("Will not fit"), "https://daily.example/full")
    assert "No space left" in str(err.value) and "daily.example/full" in str(err.value)
    monkeypatch.undo()
    assert sorted(p.name for p in (archive.root / "articles").iterdir()) == before
    assert [x.id for x in archive.articles()] == [a.id]
    assert check_archive(archive) == []


def test_a_second_process_leaves_folders_in_the_making_alone(tmp_path):
    """A CLI command opened beside the window must not take the window's half-built
    folder for a crash's leftover (it deleted it, and the window's save failed);
    the next open with nobody else on the archive still cleans real leftovers."""
    root = tmp_path / "arch"
    with Archive(root, seed=False, fetch=False) as live:
        building = root / "articles" / ".tmp-0123456789"
        building.mkdir()
        (building / "article.html").write_text("<p>being written</p>", encoding="utf-8")
        done = subprocess.run([sys.executable, str(REPO / "main.py"), "--archive", str(root), "list"],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert (building / "article.html").exists()
        live.save_html(make_page("Saved while the CLI ran"), "https://live.example/a")
    with Archive(root, seed=False, fetch=False) as alone:
        assert not building.exists()
        assert "Saved while the CLI ran" in [a.title for a in alone.articles()]
        assert check_archive(alone) == []
