"""The import driver against a real archive and a local HTTP server: content saved without
fetching, the rest fetched, dead links kept pending, re-imports free, cancel and retry."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest
from werkzeug.wrappers import Response

from archive import Archive
from archive.base.errors import ImportFileError
from archive.interchange.importers import import_file, retry_pending
from archive.interchange.importers.driver import NOT_FETCHED

from tests.support import FIXTURES as FIXTURES_ROOT, make_page
from tests.support.imports import zipped_fixture

FIXTURES = FIXTURES_ROOT / "import"


@pytest.fixture
def fetching_archive(tmp_path):
    a = Archive(tmp_path / "arch", seed=False, fetch=True)
    yield a
    a.close()


def serve_pages(httpserver, names: list[str]) -> None:
    for name in names:
        httpserver.expect_request(f"/{name}").respond_with_data(
            make_page(title=f"Article {name}", body=f"The {name} story about herons."),
            content_type="text/html; charset=utf-8")


def pocket_csv(tmp_path: Path, rows: list[tuple[str, str, str, str, str]]) -> Path:
    path = tmp_path / "pocket.csv"
    lines = ["title,url,time_added,tags,status"] + [",".join(row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_pocket_import_fetches_keeps_dead_links_pending_and_reimports_free(
        fetching_archive, httpserver, tmp_path):
    serve_pages(httpserver, ["one", "two", "three"])
    httpserver.expect_request("/gone").respond_with_data("not here", status=404)
    httpserver.expect_request("/paper.pdf").respond_with_data(
        b"%PDF-1.4 binary", content_type="application/pdf")
    source = pocket_csv(tmp_path, [
        ("First", httpserver.url_for("/one"), "1651234567", "birds|marsh", "unread"),
        ("Second", httpserver.url_for("/two"), "1651234568", "", "archive"),
        ("Third", httpserver.url_for("/three"), "1651234569", "birds", "unread"),
        ("Dead link", httpserver.url_for("/gone"), "1651234570", "lost", "archive"),
        ("A PDF", httpserver.url_for("/paper.pdf"), "1651234571", "", "unread"),
        ("Broken row", "", "1651234572", "", "unread"),
    ])
    seen: list[tuple[int, int]] = []
    report = import_file(fetching_archive, source, concurrency=3,
                         progress=lambda done, total, _msg: seen.append((done, total)))
    assert report.format == "pocket"
    assert (report.added, report.pending, report.duplicates) == (3, 2, 0)
    assert report.failed == ["pocket.csv line 7: no URL (Broken row)"]
    assert seen[-1] == (5, 5) and [d for d, _ in seen] == sorted(d for d, _ in seen)

    by_url = {a.url: a for a in fetching_archive.articles()}
    first = by_url[httpserver.url_for("/one")]
    assert first.status == "saved" and first.tags == ["birds", "marsh"]
    assert first.saved == "2022-04-29T12:16:07+00:00"  # Pocket's time_added, not today
    assert "herons" in fetching_archive.article_text(first.id)
    assert by_url[httpserver.url_for("/two")].is_archived
    dead = by_url[httpserver.url_for("/gone")]
    assert dead.status == "pending" and "404" in (dead.error or "")
    assert dead.title == "Dead link" and dead.tags == ["lost"] and dead.is_archived
    pdf = by_url[httpserver.url_for("/paper.pdf")]
    assert pdf.status == "pending" and pdf.error
    # pending articles are findable by their title
    assert {h.id for h in fetching_archive.search("is:pending")} == {dead.id, pdf.id}

    requests_before = len(httpserver.log)
    again = import_file(fetching_archive, source, concurrency=3)
    assert (again.added, again.pending, again.duplicates) == (0, 0, 5)
    assert len(httpserver.log) == requests_before  # a re-import does no network work
    assert len(fetching_archive.articles()) == 5


def test_fetch_false_keeps_items_pending_and_names_bad_rows(archive):
    report = import_file(archive, FIXTURES / "pocket.csv", fetch=False)
    assert (report.added, report.pending) == (0, 6)
    assert len(report.failed) == 3 and len(report.warnings) == 2
    assert all(a.status == "pending" and a.error == NOT_FETCHED for a in archive.articles())
    assert import_file(archive, FIXTURES / "pocket.csv", fetch=False).duplicates == 6


def test_wallabag_content_is_saved_without_fetching(archive):
    report = import_file(archive, FIXTURES / "wallabag.json")
    assert (report.added, report.pending) == (3, 1)
    by_url = {a.url: a for a in archive.articles()}
    moon = by_url["https://example.org/wallabag/moon-drift"]
    assert moon.title == "Why the Moon drifts away"
    assert moon.saved == "2016-09-08T09:55:58+00:00"
    assert moon.is_archived and moon.is_read and not moon.is_favorite
    assert moon.tags == ["science", "space"]
    assert moon.authors == ["Ada Astronomer"] and moon.published == "2016-09-01T00:00:00+00:00"
    assert "3.8 centimetres" in archive.article_text(moon.id)
    assert by_url["https://example.com/wallabag/bread"].is_favorite
    assert by_url["https://example.net/wallabag/unfetched"].status == "pending"
    assert {h.id for h in archive.search("tag:science")} == {moon.id}
    assert import_file(archive, FIXTURES / "wallabag.json").duplicates == 4


def test_omnivore_zip_and_saved_pages(archive, tmp_path):
    export = zipped_fixture("omnivore_export", tmp_path / "omnivore.zip")
    report = import_file(archive, export, fetch=False)
    assert (report.added, report.pending, len(report.failed)) == (2, 1, 1)
    keepers = archive.find_duplicate(url="https://example.org/omnivore/lighthouse-keepers")
    assert keepers is not None and keepers.progress == 1.0 and keepers.is_archived
    assert keepers.tags == ["history", "sea"]

    pages = import_file(archive, FIXTURES / "saved_pages", fetch=False)
    assert (pages.added, pages.failed) == (3, ["saved_pages/empty.html: the file is empty"])
    rivers = archive.find_duplicate(url="https://example.org/saved/singlefile-article")
    assert rivers is not None and rivers.saved == "2024-11-21T09:00:00+00:00"
    assert "ice breaks in spring" in archive.article_text(rivers.id)
    assert import_file(archive, FIXTURES / "saved_pages", fetch=False).duplicates == 3


def test_cancel_stops_and_a_second_run_finishes(archive, tmp_path):
    urls = tmp_path / "urls.txt"
    urls.write_text("\n".join(f"https://example.org/item/{n}" for n in range(40)))
    cancel = threading.Event()

    def progress(done: int, total: int, _message: str) -> None:
        if done >= 3:
            cancel.set()

    report = import_file(archive, urls, fetch=False, concurrency=1, progress=progress,
                         cancel=cancel)
    assert report.cancelled and report.not_reached > 0
    assert report.pending + report.not_reached == 40
    rest = import_file(archive, urls, fetch=False)
    assert rest.pending == report.not_reached and rest.duplicates == report.pending
    assert len(archive.articles()) == 40


def test_retry_pending_fills_articles_in_place(fetching_archive, httpserver, tmp_path):
    state = {"up": False}

    def flaky(_request):
        if not state["up"]:
            return Response("down for maintenance", status=503)
        return Response(make_page(title="Back online", body="The marsh story returns."),
                         content_type="text/html; charset=utf-8")

    httpserver.expect_request("/flaky").respond_with_handler(flaky)
    source = pocket_csv(tmp_path, [("Flaky", httpserver.url_for("/flaky"), "1651234567",
                                    "later", "archive")])
    report = import_file(fetching_archive, source)
    assert report.pending == 1
    pending = fetching_archive.articles(status="pending")[0]
    assert "503" in (pending.error or "")

    still = retry_pending(fetching_archive)
    assert (still.added, still.pending) == (0, 1) and "503" in still.pending_why[0]
    assert still.failed == [] and still.total == 1  # still pending: counted once, not also failed

    state["up"] = True
    retried = retry_pending(fetching_archive)
    assert (retried.added, retried.pending) == (1, 0)
    article = fetching_archive.get(pending.id)  # same id: filled in place
    assert article.status == "saved" and article.error is None
    assert article.tags == ["later"] and article.is_archived
    assert article.saved == "2022-04-29T12:16:07+00:00"
    assert "marsh story returns" in fetching_archive.article_text(article.id)


def test_unusable_files_raise_one_clear_error(archive, tmp_path):
    with pytest.raises(ImportFileError, match="no such file"):
        import_file(archive, tmp_path / "missing.csv")
    odd = tmp_path / "notes.txt"
    odd.write_text("nothing to see here\n")
    with pytest.raises(ImportFileError, match="cannot tell the format"):
        import_file(archive, odd)
    with pytest.raises(ImportFileError, match="unknown import format 'kindle'"):
        import_file(archive, FIXTURES / "pocket.csv", "kindle")
