"""Each import parser on its fixture: good rows become items with their dates, tags and
states; every bad row becomes a problem naming the file and row; the rest still import."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from archive.base.errors import ImportFileError
from archive.interchange.importers import detect_format, parse_file
from tests.support.imports import IMPORT_FIXTURES as FIXTURES, by_url, split, zipped_fixture


@pytest.mark.parametrize("name, fmt", [
    ("bookmarks_firefox.html", "netscape"),
    ("pocket_export.html", "netscape"),
    ("pocket.csv", "pocket"),
    ("pocket_cp1252.csv", "pocket"),
    ("pocket_missing_url.csv", "pocket"),
    ("instapaper.csv", "instapaper"),
    ("instapaper_tags.csv", "instapaper"),
    ("urls.txt", "urls"),
    ("wallabag.json", "wallabag"),
    ("omnivore_export", "omnivore"),
    ("omnivore_export/metadata_0_to_3.json", "omnivore"),
    ("saved_pages", "folder"),
    ("saved_pages/Garden.html", "folder"),
    ("pinboard.json", "pinboard"),
    ("linkwarden.json", "linkwarden"),
    ("karakeep.json", "karakeep"),
    ("readwise_reader.csv", "readwise"),
    ("raindrop.csv", "raindrop"),
    ("chrome_profile/Bookmarks", "chrome"),
    ("readeck_export", "readeck"),
])
def test_detect_format_from_content(name, fmt, tmp_path):
    # Renamed copies prove the content decides, not the file name: people rename files.
    source = FIXTURES / name
    renamed = tmp_path / "export.dat"
    if source.is_dir():
        shutil.copytree(source, renamed)
    else:
        shutil.copy(source, renamed)
    assert detect_format(renamed) == fmt
    assert detect_format(source) == fmt


def test_detect_format_refuses_unknown_content(tmp_path):
    odd = tmp_path / "notes.txt"
    odd.write_text("just some words\nand more words\n")
    with pytest.raises(ImportFileError, match="notes.txt: cannot tell the format"):
        detect_format(odd)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ImportFileError, match="empty"):
        detect_format(empty)


def test_netscape_folders_become_tags_and_bad_links_are_named():
    items, problems = split(parse_file(FIXTURES / "bookmarks_firefox.html"))
    urls = by_url(items)
    assert set(urls) == {
        "https://example.org/essays/slow-web", "https://example.org/science/tides",
        "https://example.com/café/menu?x=1", "https://example.net/news/today",
    }
    essay = urls["https://example.org/essays/slow-web"]
    assert essay.title == "The Slow Web & Why It Matters"
    assert essay.tags == ["Reading", "web", "essay"]
    assert essay.saved == "2023-11-14T22:15:00+00:00"
    assert urls["https://example.org/science/tides"].tags == ["Reading", "Science"]
    # The toolbar is a browser root folder: it says nothing about the bookmark.
    assert urls["https://example.com/café/menu?x=1"].tags == ["food"]
    assert urls["https://example.net/news/today"].saved is None
    messages = [str(p) for p in problems]
    assert any("line 20" in m and "javascript:" in m and "A bookmarklet" in m for m in messages)
    assert any("line 25" in m and "place:" in m for m in messages)
    warning = next(p for p in problems if "not-a-date" in p.reason)
    assert warning.skipped is False and "line 26" in warning.where


def test_pocket_html_export_read_archive_section():
    items, problems = split(parse_file(FIXTURES / "pocket_export.html"))
    urls = by_url(items)
    assert urls["https://example.org/pocket/one"].tags == ["tech", "longread"]
    assert not urls["https://example.org/pocket/one"].is_archived
    assert urls["https://example.org/pocket/three"].is_archived
    assert urls["https://example.org/pocket/three"].is_read
    assert urls["https://example.org/pocket/three"].saved == "2014-01-18T12:32:56+00:00"
    assert [p.where for p in problems] == ["pocket_export.html line 18"]
    assert "no URL" in problems[0].reason and "Broken entry" in problems[0].reason


def test_pocket_csv_rows_and_bad_rows():
    items, problems = split(parse_file(FIXTURES / "pocket.csv"))
    urls = by_url(items)
    paper = urls["https://example.org/papers/how-to-read"]
    assert paper.title == "How to Read a Paper, Carefully"
    assert paper.tags == ["research", "academia"]
    assert paper.saved == "2022-04-29T12:16:07+00:00"
    assert not paper.is_read
    cast_iron = urls["https://example.com/food/cast-iron?utm_source=pocket_mylist"]
    assert cast_iron.is_archived and cast_iron.is_read
    # a title spread over lines in the CSV is one line in the archive
    assert urls["https://example.org/multiline"].title == "Multi-line title"
    assert urls["https://example.org/bad-date"].saved is None
    skipped = {p.where: p.reason for p in problems if p.skipped}
    assert skipped == {
        "pocket.csv line 5": "no URL (A row missing its address)",
        "pocket.csv line 7": "expected 5 fields, found 6",
        "pocket.csv line 11": "not a web address: 'ftp://example.org/file.txt' (ftp link)",
    }
    warnings = {p.where for p in problems if not p.skipped}
    assert warnings == {"pocket.csv line 6", "pocket.csv line 10"}
    assert len(items) == 6


def test_pocket_csv_in_windows_1252_is_decoded():
    items, problems = split(parse_file(FIXTURES / "pocket_cp1252.csv"))
    assert problems == []
    assert [i.title for i in items] == ["Über Größe und Straße", "Café crème – “quotes”"]
    assert items[0].tags == ["deutsch", "sprache"]


def test_pocket_csv_without_url_column_is_one_clear_problem():
    items, problems = split(parse_file(FIXTURES / "pocket_missing_url.csv", "pocket"))
    assert items == []
    assert len(problems) == 1
    assert problems[0].where == "pocket_missing_url.csv"
    assert "missing column(s) url" in problems[0].reason


def test_instapaper_folders_states_and_tags():
    items, problems = split(parse_file(FIXTURES / "instapaper.csv"))
    urls = by_url(items)
    assert urls["https://example.org/insta/archived"].is_archived
    assert urls["https://example.org/insta/starred"].is_favorite
    assert not urls["https://example.org/insta/starred"].is_archived
    assert urls["https://example.org/insta/in-folder"].tags == ["Recipes"]
    assert urls["https://example.org/insta/unread-one"].tags == []
    assert urls["https://example.org/insta/unread-one"].saved == "2023-11-14T22:13:20+00:00"
    skipped = {p.where: p.reason for p in problems if p.skipped}
    assert skipped == {
        "instapaper.csv line 6": "not a web address: 'not a url' (A broken row)",
        "instapaper.csv line 8": "expected 5 fields, found 2",
    }
    items2, problems2 = split(parse_file(FIXTURES / "instapaper_tags.csv"))
    assert by_url(items2)["https://example.org/insta2/a"].tags == ["programming", "go"]
    assert [p.where for p in problems2] == ["instapaper_tags.csv line 4"]


def test_wallabag_entries_keep_content_and_states():
    items, problems = split(parse_file(FIXTURES / "wallabag.json"))
    urls = by_url(items)
    moon = urls["https://example.org/wallabag/moon-drift"]
    assert moon.html and "3.8 centimetres" in moon.html and moon.extracted
    assert moon.is_archived and not moon.is_favorite
    assert moon.saved == "2016-09-08T09:55:58+00:00"  # +0200 taken into account
    assert moon.authors == ["Ada Astronomer"] and moon.published == "2016-09-01T00:00:00+00:00"
    assert moon.tags == ["science", "space"]
    bread = urls["https://example.com/wallabag/bread"]
    assert bread.is_favorite and not bread.is_archived
    # wallabag's own "could not fetch" placeholder is not content: fetch it again.
    assert urls["https://example.net/wallabag/unfetched"].html is None
    assert urls["https://example.org/wallabag/strange-date"].is_archived  # "1" as a string
    reasons = {p.where: p.reason for p in problems if p.skipped}
    assert reasons == {
        "wallabag.json entry 4 (An entry that lost its URL)": "no URL",
        "wallabag.json entry 5": "expected an object, found str",
    }


def test_wallabag_broken_json_is_one_problem(tmp_path):
    broken = tmp_path / "wallabag.json"
    broken.write_text('[{"url": "https://example.org/a", "title": "cut off')
    items, problems = split(parse_file(broken, "wallabag"))
    assert items == [] and len(problems) == 1 and "not valid JSON" in problems[0].reason


def omnivore_zip(tmp_path: Path) -> Path:
    return zipped_fixture("omnivore_export", tmp_path / "Omnivore Export.zip")


@pytest.mark.parametrize("as_zip", [False, True])
def test_omnivore_export_folder_and_zip(tmp_path, as_zip):
    source = omnivore_zip(tmp_path) if as_zip else FIXTURES / "omnivore_export"
    assert detect_format(source) == "omnivore"
    items, problems = split(parse_file(source))
    urls = by_url(items)
    keepers = urls["https://example.org/omnivore/lighthouse-keepers"]
    assert keepers.html and "logbooks remain" in keepers.html
    assert keepers.is_archived and keepers.is_read and keepers.progress == 1.0
    assert keepers.tags == ["history", "sea"] and keepers.authors == ["Maria Coast"]
    assert keepers.saved == "2023-06-01T09:30:00+00:00"
    typography = urls["https://example.com/omnivore/typography"]
    assert typography.progress == pytest.approx(0.4) and not typography.is_archived
    assert urls["https://example.net/omnivore/no-content"].html is None
    assert [str(p) for p in problems] == [
        "metadata_0_to_3.json item 4 (An item without a URL): no URL"]


def test_url_list_skips_comments_and_names_bad_lines():
    items, problems = split(parse_file(FIXTURES / "urls.txt"))
    assert [i.url for i in items] == [
        "https://example.org/list/first", "https://example.org/list/second",
        "https://example.org/list/third"]
    assert [p.where for p in problems] == ["urls.txt line 5", "urls.txt line 7"]


def test_saved_pages_folder(tmp_path):
    items, problems = split(parse_file(FIXTURES / "saved_pages"))
    by_name = {Path(i.source_key).name: i for i in items}
    assert set(by_name) == {"Garden.html", "singlefile_page.html", "creme-brulee.htm"}
    single = by_name["singlefile_page.html"]
    assert single.url == "https://example.org/saved/singlefile-article"
    assert single.saved == "2024-11-21T09:00:00+00:00"
    garden = by_name["Garden.html"]
    assert garden.url == "https://example.com/saved/garden-in-winter"
    # the image from Garden_files/ travels inside the page
    assert 'src="data:image/png;base64,' in garden.html
    creme = by_name["creme-brulee.htm"]
    assert creme.url is None and "Crème brûlée" in creme.html  # latin-1 declared in <meta>
    assert [str(p) for p in problems] == ["saved_pages/empty.html: the file is empty"]


def test_saved_pages_zip_refuses_escaping_entries(tmp_path):
    source = tmp_path / "pages.zip"
    with zipfile.ZipFile(source, "w") as archive:
        archive.write(FIXTURES / "saved_pages" / "singlefile_page.html", "pages/rivers.html")
        archive.writestr("../../escape.html", "<html><body><p>evil</p></body></html>")
    items, problems = split(parse_file(source))
    assert [i.url for i in items] == ["https://example.org/saved/singlefile-article"]
    assert items[0].source_key.endswith("pages.zip!/pages/rivers.html")
    assert any("../../escape.html" in p.where and "escapes" in p.reason for p in problems)
    assert not (tmp_path.parent / "escape.html").exists()


def test_spreadsheet_resaves_utf16_semicolons_tabs_and_nul_bytes(tmp_path):
    resaved = tmp_path / "pocket.csv"
    resaved.write_bytes(("title;url;time_added;tags;status\r\n"
                         "Über;https://example.org/a;1651234567;x|y;archive\r\n"
                         "Bad\x00row;https://example.org/b;1651234568;;unread\r\n").encode("utf-16"))
    assert detect_format(resaved) == "pocket"
    items, problems = split(parse_file(resaved))
    assert problems == []
    assert [(i.title, i.tags, i.is_archived) for i in items] == [
        ("Über", ["x", "y"], True), ("Badrow", [], False)]
    tabbed = tmp_path / "instapaper.txt"
    tabbed.write_text("URL\tTitle\tSelection\tFolder\tTimestamp\n"
                      "https://example.org/c\tTab title\t\tStarred\t1700000000\n")
    assert detect_format(tabbed) == "instapaper"
    items, _ = split(parse_file(tabbed))
    assert [(i.title, i.is_favorite) for i in items] == [("Tab title", True)]


def test_netscape_folder_is_one_tag_dd_is_the_description_and_roots_in_any_language():
    items, problems = split(parse_file(FIXTURES / "bookmarks_chrome_fr.html"))
    assert problems == []
    urls = by_url(items)
    # "Barre de favoris" (PERSONAL_TOOLBAR_FOLDER) says nothing; the folder is one tag
    assert urls["https://lwn.net/Articles/900000/"].tags == []
    grep = urls["https://man.example.org/grep.1"]
    assert grep.tags == ["Linux; Unix OS; Other stuff"]
    assert grep.description == "Searching text with regular expressions;\nalso the -P flag"
    make = urls["https://dev.example.org/make"]
    assert make.tags == ["Linux; Unix OS; Other stuff", "Dev", "Build"]  # dev = Dev
    assert make.description is None
    crepes = urls["https://recettes.example.fr/crepes"]
    assert crepes.tags == [] and crepes.description == "La pâte doit reposer une heure."
    # German and Spanish root names are roots too; a "Favoris" folder inside one is the user's
    assert urls["https://zeitung.example.de/"].tags == []
    assert urls["https://nested.example.com/"].tags == ["Favoris"]
    assert urls["https://movil.example.es/"].tags == []
    assert urls["https://movil.example.es/"].saved == "2023-07-22T04:38:20+00:00"
