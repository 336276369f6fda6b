"""The formats people bring from other services and browsers, each on a fixture written
from the format's published description: detected from the content, every field each
carries kept (titles, dates, tags, states, notes, stored text, highlights), every broken
entry a problem naming it while the rest import."""
from __future__ import annotations

import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest

from archive.interchange.importers import (
    ImportItem,
    ImportProblem,
    detect_format,
    import_file,
    parse_file,
)
from tests.support.imports import IMPORT_FIXTURES as FIXTURES, by_url, split, zipped_fixture


def places(tmp_path: Path) -> Path:
    """A places.sqlite built from the fixture's SQL (Firefox's own columns)."""
    path = tmp_path / "places.sqlite"
    db = sqlite3.connect(path)
    db.executescript((FIXTURES / "firefox_places.sql").read_text(encoding="utf-8"))
    db.commit()
    db.close()
    return path


def readeck_zip(tmp_path: Path) -> Path:
    return zipped_fixture("readeck_export", tmp_path / "readeck-export.zip")


# Each format's detection from its content (a renamed copy): test_import_parsers.py.


def test_firefox_places_and_readeck_zip_are_detected(tmp_path):
    assert detect_format(places(tmp_path)) == "firefox"
    assert detect_format(readeck_zip(tmp_path)) == "readeck"
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    from archive.base.errors import ImportFileError
    with pytest.raises(ImportFileError, match="not Firefox"):
        detect_format(other)


def test_pinboard_titles_notes_tags_read_state_and_dates():
    items, problems = split(parse_file(FIXTURES / "pinboard.json"))
    urls = by_url(items)
    walking = urls["https://www.example.org/essays/on-walking"]
    assert walking.title == "On Walking"  # Pinboard's "description" is the title
    assert walking.description == "Thoreau's essay, read aloud — the part about sauntering."
    assert walking.tags == ["essays", "walking", "Thoreau"]
    assert not walking.is_read and walking.saved == "2019-04-02T08:15:30+00:00"
    rust = urls["https://blog.example.com/2020/rust-lifetimes"]
    assert rust.is_read and rust.description is None and rust.tags == ["rust", "programming"]
    news = urls["https://news.example.net/item?id=31337"]
    assert news.title == "" and news.saved is None  # a URL-title is no title
    messages = [str(p) for p in problems]
    assert any("entry 3" in m and "not a date" in m for m in messages)
    assert any("entry 4" in m and "javascript:" in m for m in messages)
    assert any("entry 5" in m and "expected an object" in m for m in messages)


def test_linkwarden_collections_become_hierarchical_tags_and_text_is_kept():
    items, problems = split(parse_file(FIXTURES / "linkwarden.json"))
    urls = by_url(items)
    assert urls["https://inbox.example.org/post"].tags == []  # "Unorganized" says nothing
    sky = urls["https://physics.example.edu/sky-blue"]
    assert sky.tags == ["Science", "physics"] and sky.title == "Why the sky is blue"
    assert sky.description == "Rayleigh scattering, simply."
    assert sky.saved == "2024-03-01T12:30:00+00:00"
    assert sky.extracted and "<p>Sunlight is scattered" in sky.html and sky.html.count("<p>") == 2
    andromeda = urls["https://stars.example.com/andromeda"]
    assert andromeda.tags == ["Science/Astronomy", "space", "Physics"]
    assert andromeda.html is None and andromeda.saved is None
    sourdough = urls["https://bread.example.org/sourdough"]
    assert sourdough.tags == ["Recipes; Baking"]
    assert sourdough.saved == "2015-03-14T09:26:53+00:00"  # importDate: first saved elsewhere
    assert sky.is_favorite and not sourdough.is_favorite  # pinnedLinks
    messages = [str(p) for p in problems]
    assert any("'Astronomy' link 1" in m and "not a date" in m for m in messages)
    assert any("'Astronomy' link 2" in m and "no URL" in m for m in messages)


def test_linkwarden_import_saves_stored_text_without_fetching(archive):
    report = import_file(archive, FIXTURES / "linkwarden.json", fetch=False)
    assert report.added == 1 and report.pending == 3 and len(report.failed) == 1
    sky = archive.find_duplicate("https://physics.example.edu/sky-blue")
    assert sky.status == "saved" and sky.description == "Rayleigh scattering, simply."
    assert "Shorter wavelengths" in archive.article_text(sky.id)
    assert dict(archive.tags())["Science/Astronomy"] == 1
    assert {h.id for h in archive.search("wavelengths")} == {sky.id}


def test_karakeep_links_notes_lists_and_states():
    records = parse_file(FIXTURES / "karakeep.json")
    items, problems = split(records)
    assert len(items) == 3
    link = next(i for i in items if i.url == "https://blog.example.org/self-hosting-read-later")
    assert link.title == "Self-hosting a read-later app"
    assert link.saved == "2024-06-01T12:00:00+00:00"
    assert link.tags == ["selfhosted", "Homelab"] and link.is_archived and link.is_read
    assert link.description == "Compare with Quire's approach" and link.authors == ["Sam Host"]
    assert link.collections == ["Reading", "Reading/Weekend"]
    note = next(i for i in items if i.url is None)
    assert note.source_key == "karakeep:k2b3c4d5e6f7g8h9i0j1" and note.html.count("<p>") == 2
    assert note.title.startswith("Idea: a reading log")
    dated = next(i for i in items if i.url == "https://dates.example.com/a")
    assert dated.saved is None and dated.collections == []  # a smart list is no membership
    messages = [str(p) for p in problems]
    assert any("bookmark 3" in m and "no content" in m for m in messages)
    assert any("bookmark 4" in m and "not a date" in m for m in messages)


def test_karakeep_import_keeps_the_note_and_the_lists(archive):
    from archive.library import collections as coll

    report = import_file(archive, FIXTURES / "karakeep.json", fetch=False)
    assert report.added == 1 and report.pending == 2, report
    link = archive.find_duplicate("https://blog.example.org/self-hosting-read-later")
    assert coll.members(archive, "Reading") == [link.id]
    note = archive.find_duplicate(source="karakeep:k2b3c4d5e6f7g8h9i0j1")
    assert note.status == "saved" and "Second paragraph" in archive.article_text(note.id)
    again = import_file(archive, FIXTURES / "karakeep.json", fetch=False)
    assert again.added == 0 and again.pending == 0 and again.duplicates == 3


def test_readwise_reader_tags_list_locations_progress_and_dates():
    items, problems = split(parse_file(FIXTURES / "readwise_reader.csv"))
    urls = by_url(items)
    hiring = urls["https://newsletter.example.com/p/hiring"]
    assert hiring.tags == ["careers", "to cite"] and not hiring.is_read
    assert hiring.saved == "2024-02-18T09:12:44+00:00" and hiring.progress == 0.35
    walk = urls["https://walks.example.org/long-walk"]
    assert walk.is_read and walk.is_archived and walk.tags == []
    assert urls["https://feeds.example.net/2024/03/01/item"].tags == ["feed"]
    broken = urls["https://broken.example.com/tags"]
    assert broken.tags == []
    messages = [str(p) for p in problems]
    assert any("line 5" in m and "Document tags" in m for m in messages)
    assert any("line 6" in m and "no URL" in m for m in messages)


def test_raindrop_folders_tags_notes_favourites_and_highlights():
    items, problems = split(parse_file(FIXTURES / "raindrop.csv"))
    urls = by_url(items)
    ddia = urls["https://books.example.com/ddia/ch5"]
    assert ddia.tags == ["Reading/Books", "databases", "distributed"]
    assert ddia.description == "My notes for chapter 5" and ddia.is_favorite
    assert ddia.saved == "2024-05-11T14:22:03+00:00"
    assert ddia.highlights == [
        {"quote": "Replication means keeping a copy of the same data on multiple machines.",
         "note": "the key definition", "created": None},
        {"quote": "Leaders and followers", "note": None, "created": None}]
    caprese = urls["https://food.example.org/caprese"]
    assert caprese.tags == [] and caprese.description == "Tomato, basil, olive oil."
    assert not caprese.is_favorite
    bad = urls["https://bad.example.net/x"]
    assert bad.saved is None and bad.tags == ["Tools; misc", "cli"]
    messages = [str(p) for p in problems]
    # the first row spans three lines (its highlights cell): lines are the file's
    assert any("line 6" in m and "not a date" in m for m in messages)
    assert any("line 7" in m and "no URL" in m for m in messages)


def test_chrome_bookmarks_file_folders_roots_and_webkit_dates():
    items, problems = split(parse_file(FIXTURES / "chrome_profile" / "Bookmarks", "chrome"))
    urls = by_url(items)
    assert urls["https://doc.example.org/rust/book/"].tags == []  # the bar is a root
    # 13350000000000000 µs after 1601-01-01 = 1705526400 s after 1970-01-01
    assert urls["https://doc.example.org/rust/book/"].saved == "2024-01-17T21:20:00+00:00"
    assert urls["https://kernel.example.org/newbies"].tags == ["Linux; Unix OS; Other stuff"]
    shell = urls["https://shell.example.com/tricks"]
    assert shell.tags == ["Linux; Unix OS; Other stuff", "Shell"] and shell.saved is None
    assert urls["https://mobile.example.net/article"].tags == []
    messages = [str(p) for p in problems]
    assert any("bookmark 9" in m and "WebKit" in m for m in messages)
    assert any("bookmark 10" in m and "javascript:" in m for m in messages)


def test_firefox_places_bookmarks_folders_tags_descriptions_read_only(tmp_path):
    path = places(tmp_path)
    before = path.read_bytes()
    items, problems = split(parse_file(path))
    assert path.read_bytes() == before  # never written to (read-only, on a copy)
    urls = by_url(items)
    assert set(urls) == {"https://www.mozilla.org/firefox/central/", "https://archive.example.org/tides",
                         "https://essays.example.com/slow-web", "https://kitchen.example.net/bread"}
    tides = urls["https://archive.example.org/tides"]
    assert tides.tags == ["Science; Nature", "ocean", "Essays"]
    assert tides.saved == "2023-11-14T22:18:20+00:00" and tides.title == "How tides work"
    slow = urls["https://essays.example.com/slow-web"]
    assert slow.tags == ["Essays"] and slow.description == "Why slowness matters online."
    assert urls["https://kitchen.example.net/bread"].tags == []
    assert [p.where for p in problems] == ["places.sqlite bookmark 14 (Most Visited)"]
    assert "place:" in problems[0].reason


def test_firefox_places_that_is_locked_and_open_is_still_read(tmp_path):
    path = places(tmp_path)
    holder = sqlite3.connect(path)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        items, _ = split(parse_file(path, "firefox"))
        assert len(items) == 4
    finally:
        holder.rollback()
        holder.close()


@pytest.mark.parametrize("as_zip", [False, True])
def test_readeck_export_content_states_and_highlights(tmp_path, as_zip):
    source = readeck_zip(tmp_path) if as_zip else FIXTURES / "readeck_export"
    items, problems = split(parse_file(source))
    assert problems == []
    urls = by_url(items)
    tides = urls["https://longform.example.com/the-tide-tables"]
    assert tides.title == "The Tide Tables" and tides.is_favorite and not tides.is_archived
    assert tides.tags == ["sea", "history"] and tides.progress == 0.4
    assert tides.saved == "2024-07-01T10:20:30+00:00" and tides.published == "2024-06-28T00:00:00+00:00"
    assert tides.authors == ["Ines Marée"] and tides.site == "Longform Example"
    assert tides.description == "How harbours predicted the sea."
    assert tides.extracted and "chandleries" in tides.html
    assert tides.highlights == [{"quote": "Every harbour kept its own tables",
                                 "note": "compare with today", "created": "2024-07-02T09:00:00Z"}]
    video = urls["https://video.example.net/watch?v=abc"]
    assert video.html is None and video.is_archived and video.is_read


def test_readeck_import_saves_the_article_and_its_highlight(archive, tmp_path):
    report = import_file(archive, readeck_zip(tmp_path), fetch=False)
    assert report.format == "readeck" and report.added == 1 and report.pending == 1, report
    tides = archive.find_duplicate("https://longform.example.com/the-tide-tables")
    assert tides.is_favorite and "chandleries" in archive.article_text(tides.id)
    assert [h.quote for h in archive.highlights.list(tides.id)] == ["Every harbour kept its own tables"]


def test_omnivore_keeps_description_and_instapaper_its_selection_and_tags():
    items, _ = split(parse_file(FIXTURES / "omnivore_export"))
    lighthouse = by_url(items)["https://example.org/omnivore/lighthouse-keepers"]
    assert lighthouse.description == "A history of the people who kept the lights burning."
    assert lighthouse.restore.get("lead_image") == "https://example.org/omnivore/lighthouse.jpg"
    items, _ = split(parse_file(FIXTURES / "instapaper.csv"))
    selected = [i for i in items if i.description]
    assert selected, "Instapaper's Selection is the text the user picked: kept as the description"
    tagged, _ = split(parse_file(FIXTURES / "instapaper_tags.csv"))
    assert by_url(tagged)["https://example.org/insta2/a"].tags == ["programming", "go"]


def test_a_readwise_highlights_csv_round_trips_quire_highlights(archive, tmp_path):
    """Quire's own `export --format readwise-csv` (Readwise's import CSV) read back:
    one article per URL with its highlights, notes and dates."""
    from archive.interchange.exporters import export
    from tests.support import make_page

    article = archive.save_html(make_page("Herons", "Grey herons nest in colonies near water. "
                                          "They hunt fish at dawn."), "https://herons.example.org/").article
    archive.highlights.add_quote(article.id, "nest in colonies", note="check the count")
    out = tmp_path / "highlights.csv"
    export(archive, [article.id], "readwise-csv", out)
    assert detect_format(out) == "readwise"
    items, problems = split(parse_file(out))
    assert problems == [] and len(items) == 1
    [item] = items
    assert item.url == "https://herons.example.org/" and item.title == article.title
    assert [(h["quote"], h["note"]) for h in item.highlights] == [("nest in colonies", "check the count")]
    assert item.highlights[0]["created"]
    bad = tmp_path / "bad.csv"
    bad.write_text("Highlight,Title,Author,URL,Note,Location,Date\n"
                   "A quote,T,,,,1,2024-01-01 10:00:00\n,T,,https://x.example/,,1,\n", encoding="utf-8")
    items, problems = split(parse_file(bad, "readwise"))
    assert items == [] and [p.where for p in problems] == ["bad.csv line 2", "bad.csv line 3"]


def test_highlights_for_an_article_already_there_are_added_once(archive, tmp_path):
    from tests.support import make_page

    article = archive.save_html(make_page("Herons", "Grey herons nest in colonies near water. "
                                          "They hunt fish at dawn."), "https://herons.example.org/").article
    csv_file = tmp_path / "h.csv"
    csv_file.write_text("Highlight,Title,Author,URL,Note,Location,Date\n"
                        "hunt fish at dawn,Herons,,https://herons.example.org/,early,1,2024-01-01 10:00:00\n",
                        encoding="utf-8")
    report = import_file(archive, csv_file, fetch=False)
    assert report.merged == 1
    assert [(h.quote, h.note) for h in archive.highlights.list(article.id)] == [("hunt fish at dawn", "early")]
    again = import_file(archive, csv_file, fetch=False)
    assert again.merged == 0 and again.duplicates == 1
    assert len(archive.highlights.list(article.id)) == 1


@pytest.mark.parametrize("name", [
    "pinboard.json", "linkwarden.json", "karakeep.json", "readwise_reader.csv", "raindrop.csv",
    "chrome_profile/Bookmarks", "readeck_export", "omnivore_export", "instapaper_tags.csv",
    "bookmarks_chrome_fr.html", "pocket_near_duplicates.csv",
])
def test_every_fixture_imports_with_a_summary_and_no_exception(archive, name):
    report = import_file(archive, FIXTURES / name, fetch=False)
    assert report.found == report.total > 0
    assert report.added + report.pending + report.merged + report.duplicates + report.combined > 0
    for line in report.failed:  # each refused entry names where it was
        assert (" line " in line or " entry " in line or " link " in line or " bookmark " in line
                or " item " in line), line
    assert "found" in report.counts_text()


def test_readeck_article_from_a_container_zip_or_the_stored_text(tmp_path):
    import json

    export_dir = tmp_path / "export"
    (export_dir / "u1").mkdir(parents=True)
    (export_dir / "u1" / "info.json").write_text(json.dumps({
        "UID": "u1", "URL": "https://a.example/one", "Title": "One", "IsMarked": False,
        "ReadProgress": 0, "Labels": ["x"], "Created": "2024-01-01T00:00:00Z"}), encoding="utf-8")
    with zipfile.ZipFile(export_dir / "u1" / "bookmark.zip", "w") as zf:
        zf.writestr("index.html", "<p>From the bookmark's own container.</p>")
    (export_dir / "u2").mkdir()
    (export_dir / "u2" / "info.json").write_text(json.dumps({
        "UID": "u2", "URL": "https://a.example/two", "Title": "Two", "IsArchived": True,
        "ReadProgress": 100, "Text": "First paragraph.\n\nSecond paragraph."}), encoding="utf-8")
    (export_dir / "users.json").write_text('[{"username": "ada"}]', encoding="utf-8")
    assert detect_format(export_dir) == "readeck"
    items, problems = split(parse_file(export_dir))
    assert problems == []
    urls = by_url(items)
    assert "own container" in urls["https://a.example/one"].html
    assert urls["https://a.example/one"].tags == ["x"]
    two = urls["https://a.example/two"]
    assert two.html.count("<p>") == 2 and two.is_archived and two.is_read


def test_a_browser_profile_folder_is_read_through_its_bookmarks_file(tmp_path):
    chrome_data = tmp_path / "google-chrome"
    (chrome_data / "Default").mkdir(parents=True)
    shutil.copy(FIXTURES / "chrome_profile" / "Bookmarks", chrome_data / "Default" / "Bookmarks")
    (chrome_data / "Default" / "History").write_bytes(b"SQLite format 3\x00not really")
    assert detect_format(chrome_data) == "chrome"
    items, _ = split(parse_file(chrome_data))
    assert "https://kernel.example.org/newbies" in by_url(items)
    profile = tmp_path / "abcd1234.default-release"
    profile.mkdir()
    places(profile)
    (profile / "prefs.js").write_text("// Mozilla User Preferences\n", encoding="utf-8")
    assert detect_format(profile) == "firefox"
    items, _ = split(parse_file(profile))
    assert len(items) == 4
    empty = tmp_path / "empty"
    empty.mkdir()
    items, problems = split(parse_file(empty, "firefox"))
    assert items == [] and "no places.sqlite" in problems[0].reason


def test_a_zip_with_a_damaged_json_member_is_refused_in_words(tmp_path):
    """Detection peeks into a zip's JSON files (Readeck's export has no telling names):
    a member whose compressed data is damaged must not end in a traceback."""
    from archive.base.errors import ImportFileError

    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("info.json", '{"URL": "https://a.example/", "IsMarked": true}' * 50)
    data = bytearray(path.read_bytes())
    start = data.index(b"info.json") + len("info.json") + 10  # inside the deflated data
    data[start:start + 20] = b"\xff" * 20
    path.write_bytes(bytes(data))
    try:
        fmt = detect_format(path)
    except ImportFileError as exc:
        assert "export.zip" in str(exc)
    else:
        assert fmt in ("readeck", "folder")
    for fmt in ("readeck", "omnivore", "folder", "pocket"):
        try:
            records = parse_file(path, fmt)
        except ImportFileError as exc:
            assert "export.zip" in str(exc)
        else:
            assert all(isinstance(r, (ImportItem, ImportProblem)) for r in records)


def test_every_format_into_one_archive_leaves_check_clean(archive, tmp_path):
    """All the formats, one after another, into one archive (tags differing by case
    across files, the same pages met again): the catalog, meta.json and the index agree."""
    from archive.library.check import check_archive

    for name in ["bookmarks_chrome_fr.html", "pinboard.json", "linkwarden.json", "karakeep.json",
                 "readwise_reader.csv", "raindrop.csv", "chrome_profile/Bookmarks", "readeck_export",
                 "omnivore_export", "pocket_near_duplicates.csv", "linkwarden.json"]:
        import_file(archive, FIXTURES / name, fetch=False)
    import_file(archive, places(tmp_path), fetch=False)
    assert check_archive(archive) == []
    names = [name for name, _count in archive.tags()]
    assert len({n.casefold() for n in names}) == len(names)  # one spelling per tag
