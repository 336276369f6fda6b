"""One article per address, also across processes: the catalog's unique index on the
normalized URL, its upgrade path for catalogs that already hold duplicates, and
`check` listing (and, for pending copies, merging) the duplicates."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from archive import Archive
from archive.library.catalog import UNIQUE_URL_INDEX, DuplicateURLError
from archive.library.check import check_archive
from archive.base.models import Article
from archive.capture.urls import normalize_url

from tests.support import REPO

#: An import in its own process that starts when told to, so two start together.
IMPORTER = """
import sys
from archive import Archive
from archive.interchange.importers import import_file

archive = Archive(sys.argv[1], seed=False, fetch=False)
print("ready", flush=True)
sys.stdin.readline()
report = import_file(archive, sys.argv[2], fetch=False)
print(report.pending, report.duplicates, len(report.failed), flush=True)
archive.close()
"""


def test_two_imports_of_one_file_at_once_save_each_address_once(tmp_path):
    urls = [f"https://example.invalid/both/{n}" for n in range(800)]
    source = tmp_path / "pocket.csv"
    source.write_text("title,url,time_added,tags,status\n" + "".join(
        f"Item {n},{url},{1700000000 + n},,unread\n" for n, url in enumerate(urls)))
    root = tmp_path / "arch"
    Archive(root, seed=False, fetch=False).close()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [subprocess.Popen([sys.executable, "-c", IMPORTER, str(root), str(source)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, cwd=REPO, env=env)
             for _ in range(2)]
    try:
        for proc in procs:
            assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        for proc in procs:  # both go at once
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = []
        for proc in procs:
            out, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, err
            results.append([int(n) for n in out.split()])
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    # every address was either added by one import or found "already saved" by the other
    assert sum(r[0] for r in results) == len(urls)
    assert sum(r[1] for r in results) == len(urls)
    assert [r[2] for r in results] == [0, 0]
    with Archive(root, seed=False, fetch=False) as archive:
        assert sorted(a.url for a in archive.articles()) == sorted(urls)
        assert check_archive(archive) == []


def test_the_catalog_refuses_a_second_row_for_an_address(tmp_path):
    root = tmp_path / "arch"
    with Archive(root, seed=False, fetch=False) as first, \
            Archive(root, seed=False, fetch=False, recover=False) as second:
        kept = first.add_pending("https://example.invalid/a?utm_source=x", error="later").article
        twin = Article(id="0123456789", title="Twin", url="https://example.invalid/a",
                       saved="2024-01-01T00:00:00+00:00", status="pending", error="later")
        with pytest.raises(DuplicateURLError):  # as another process's insert would
            second.catalog.insert(twin, normalize_url(twin.url))
        assert [a.id for a in second.articles()] == [kept.id]
        again = second.add_pending("https://example.invalid/a", error="later")
        assert not again.created and again.article.id == kept.id


def _make_duplicate(archive: Archive, url: str) -> Article:
    """A pending second copy of `url`, as two imports at once left them before the
    catalog had its unique index: the index is dropped for the occasion."""
    copy = archive.add_pending(url + "-other", title="Copy", tags=["from-copy"],
                               error="not fetched", is_favorite=True).article
    with archive.catalog.lock:
        archive.catalog.connection.execute(f"DROP INDEX {UNIQUE_URL_INDEX}")
    copy.url = url
    return archive.update(copy)


def test_a_catalog_with_duplicates_is_upgraded_without_losing_any(tmp_path):
    root = tmp_path / "arch"
    url = "https://example.invalid/story"
    page = "<html><body><article><p>" + "Words on herons and tides. " * 30 + "</p></article></body></html>"
    with Archive(root, seed=False, fetch=False) as archive:
        saved = archive.save_html(page, url, tags=["original"]).article
        copy = _make_duplicate(archive, url)
    with Archive(root, seed=False, fetch=False) as archive:  # the upgrade: index made on open
        assert {a.id for a in archive.articles()} == {saved.id, copy.id}
        sql = archive.catalog.connection.execute(
            "SELECT sql FROM sqlite_master WHERE name = ?", (UNIQUE_URL_INDEX,)).fetchone()[0]
        assert copy.id in sql and saved.id not in sql  # the extra copy is left out, by id
        third = Article(id="abcdefabcd", title="Third", url=url,
                        saved="2024-01-01T00:00:00+00:00", status="pending")
        with pytest.raises(DuplicateURLError):  # the rest stays guarded
            archive.catalog.insert(third, normalize_url(url))

        problems = check_archive(archive)
        assert [(p.kind, p.article_id, p.repaired) for p in problems] == [
            ("duplicate-url", saved.id, False)]
        assert copy.id in problems[0].detail

        repaired = check_archive(archive, repair=True)
        assert [(p.kind, p.repaired) for p in repaired] == [("duplicate-url", True)]
        [kept] = archive.articles()
        assert kept.id == saved.id and kept.status == "saved"
        assert kept.tags == ["from-copy", "original"] and kept.is_favorite  # merged in
        assert check_archive(archive) == []
        sql = archive.catalog.connection.execute(
            "SELECT sql FROM sqlite_master WHERE name = ?", (UNIQUE_URL_INDEX,)).fetchone()[0]
        assert "NOT IN" not in sql


def test_check_leaves_two_copies_with_content_to_the_user(tmp_path):
    root = tmp_path / "arch"
    url = "https://example.invalid/twice"
    page = "<html><body><article><p>" + "Words on herons and tides. " * 30 + "</p></article></body></html>"
    with Archive(root, seed=False, fetch=False) as archive:
        first = archive.save_html(page, url).article
        second = _make_duplicate(archive, url)
        archive.replace_content(second.id, page)
    with Archive(root, seed=False, fetch=False) as archive:
        problems = check_archive(archive, repair=True)
        assert [(p.kind, p.repaired) for p in problems] == [("duplicate-url", False)]
        assert "quire delete" in problems[0].detail
        assert {a.id for a in archive.articles()} == {first.id, second.id}

