"""Merging: the same page saved twice in one file (differing by a tracking parameter or
a #fragment) becomes one article that keeps what both copies say, and an import that
meets an article already in the archive adds to it without removing anything."""
from __future__ import annotations

from pathlib import Path

from archive.interchange.importers import import_file
from archive.interchange.importers.items import ImportItem, merge_items

from tests.support import FIXTURES as FIXTURES_ROOT

FIXTURES = FIXTURES_ROOT / "import"


def by_url(archive) -> dict[str, object]:
    return {a.url.split("?")[0].split("#")[0]: a for a in archive.articles()}


def test_near_duplicates_in_one_file_merge_tags_title_dates_and_states(archive):
    report = import_file(archive, FIXTURES / "pocket_near_duplicates.csv", fetch=False)
    assert report.combined == 2 and report.pending == 3 and report.duplicates == 0
    assert report.found == 5
    articles = by_url(archive)
    assert len(articles) == 3
    compounding = articles["https://growth.example.org/compounding"]
    assert compounding.title == "Compounding Knowledge"  # the real title over the URL-title
    assert compounding.tags == ["growth", "reading"]
    assert compounding.is_read and compounding.is_archived  # the second copy was read
    assert compounding.saved == "2020-09-13T12:28:20+00:00"  # the earlier of the two
    sea = articles["https://sea.example.net/around-us"]
    assert sea.title == "The Sea Around Us"
    assert sea.tags == ["nature", "ocean"]  # Ocean and ocean are one tag
    assert sea.saved == "2020-09-13T12:33:20+00:00"


def test_merge_items_keeps_everything_either_copy_says():
    first = ImportItem(url="https://a.example/x?utm_medium=x", title="https://a.example/x",
                       saved="2021-01-02T00:00:00+00:00", tags=["one"], is_favorite=True)
    second = ImportItem(url="https://a.example/x#top", title="Real", saved="2020-01-01T00:00:00+00:00",
                        tags=["two", "ONE"], is_read=True, description="A note", html="<p>x</p>",
                        highlights=[{"quote": "q", "note": None, "created": None}])
    merged = merge_items(first, second)
    assert merged.title == "Real" and merged.tags == ["one", "two"]
    assert merged.saved == "2020-01-01T00:00:00+00:00"
    assert merged.is_favorite and merged.is_read and not merged.is_archived
    assert merged.description == "A note" and merged.html == "<p>x</p>"
    assert merged.highlights == [{"quote": "q", "note": None, "created": None}]


def test_import_into_an_archive_that_has_the_article_merges_and_removes_nothing(archive, tmp_path):
    first = tmp_path / "first.csv"
    first.write_text("title,url,time_added,tags,status\n"
                     "Compounding Knowledge,https://growth.example.org/compounding,1600000100,mine,unread\n"
                     ",https://sea.example.net/around-us,1600000400,,unread\n"
                     "Same,https://same.example.com/,1600000400,x,unread\n", encoding="utf-8")
    import_file(archive, first, fetch=False)
    sea = by_url(archive)["https://sea.example.net/around-us"]
    archive.set_state(sea.id, is_favorite=True)
    report = import_file(archive, FIXTURES / "pocket_near_duplicates.csv", fetch=False)
    assert report.merged == 2 and report.combined == 2 and report.pending == 1
    assert report.duplicates == 0
    articles = by_url(archive)
    compounding = articles["https://growth.example.org/compounding"]
    assert compounding.tags == ["growth", "mine", "reading"]  # nothing the archive had removed
    assert compounding.is_read and compounding.is_archived
    assert compounding.title == "Compounding Knowledge"
    sea = articles["https://sea.example.net/around-us"]
    assert sea.title == "The Sea Around Us"  # the pending article only had its address
    assert sea.is_favorite  # kept
    assert sea.tags == ["nature", "ocean"]
    # meta.json is kept in step with the catalog
    import json
    meta = json.loads((archive.article_dir(sea.id) / "meta.json").read_text(encoding="utf-8"))
    assert meta["tags"] == ["nature", "ocean"] and meta["title"] == "The Sea Around Us"
    # the same file again adds nothing new: all already there
    again = import_file(archive, FIXTURES / "pocket_near_duplicates.csv", fetch=False)
    assert again.merged == 0 and again.duplicates == 3 and again.combined == 2
    # what the merge added is searchable
    assert {h.id for h in archive.search("tag:growth")} >= {compounding.id}


def test_description_from_the_file_is_kept_and_merged_into_an_existing_article(archive, tmp_path):
    path = tmp_path / "bookmarks.html"
    path.write_text('<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n'
                    '<DT><A HREF="https://herons.example.org/">Herons</A>\n'
                    '<DD>Notes on grey herons nesting in colonies\n</DL>\n', encoding="utf-8")
    archive.add_pending("https://herons.example.org/", title="Herons", error="x")
    report = import_file(archive, path, fetch=False)
    assert report.merged == 1
    article = archive.articles()[0]
    assert article.description == "Notes on grey herons nesting in colonies"
    assert {h.id for h in archive.search("colonies")} == {article.id}


def test_the_command_line_summary_says_found_merged_combined_pending_why_and_refused(tmp_path):
    from tests.support.cli import quire

    arch = tmp_path / "arch"
    first = tmp_path / "first.csv"
    first.write_text("title,url,time_added,tags,status\n"
                     ",https://sea.example.net/around-us,1600000400,,unread\n", encoding="utf-8")
    assert quire(arch, "import", "--no-fetch", str(first)).returncode == 0
    broken = tmp_path / "dups.csv"
    broken.write_text((FIXTURES / "pocket_near_duplicates.csv").read_text(encoding="utf-8")
                      + "No address,,1600000700,,unread\n", encoding="utf-8")
    out = quire(arch, "import", "--no-fetch", str(broken))
    assert "Traceback" not in out.stderr
    assert ("found 6: 0 added, 1 merged into existing, 0 already saved, 2 repeated in the file "
            "(merged into their first copy), 2 pending, 1 failed") in out.stdout, out.stdout
    assert "FAILED dups.csv line 7: no URL (No address)" in out.stdout
    assert "2 pending: not fetched (imported without fetching)" in out.stdout
