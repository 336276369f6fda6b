"""Imports and exports meeting what real files hold: spreadsheet encodings, Pocket's
zip of CSV parts, content for an article still pending, control characters, and
broken input that must end in a message naming the file and the reason, never a
traceback, with whatever is good still imported."""
from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path

import pytest
from tests.support.cli import quire

from archive import Archive
from archive.base.errors import ImportFileError, QuireError
from archive.interchange.exporters import export
from archive.interchange.importers import detect_format, import_file, parse_file
from archive.interchange.importers.items import decode_text
from archive.base.safe_names import safe_filename
from tests.support.imports import split

POCKET_HEADER = "title,url,time_added,tags,status"
#: Pocket's export since 2025 has a paging `cursor` column.
POCKET_PART_HEADER = "title,url,time_added,cursor,tags,status"


def csv_text(titles: list[str], header: str = POCKET_HEADER) -> str:
    rows = [f'"{t}",https://example.invalid/{n},{1700000000 + n},,unread'
            for n, t in enumerate(titles)]
    return "\r\n".join([header, *rows]) + "\r\n"


# -- 1. spreadsheet encodings ----------------------------------------------------------

WESTERN = ["Les 10 meilleures crêpes de Bretagne", "Über die Zukunft der Straßenbahn",
           "¿Qué es la programación?", "Naïve Bayes explained — a primer",
           "Café society: “the new normal”", "Größenwahn und Führung",
           "São Paulo’s façade problem", "El niño y la señal", "Déjà vu all over again",
           "Smörgåsbord of ideas"]


def test_single_byte_csvs_decode_in_their_own_encoding():
    # Excel on Windows saves Western text as cp1252; the detector ties it with cp1257
    # and cp1250 and used to pick those ("crźpes", "nińo", "Sćo Paulo").
    western = csv_text(WESTERN)
    assert decode_text(western.encode("cp1252")) == western
    instapaper = ("URL,Title,Selection,Folder,Timestamp\r\n"
                  "https://example.invalid/ic1,Café – naïve “quotes”,,Archive,1700000000\r\n")
    assert decode_text(instapaper.encode("cp1252")) == instapaper
    # ... while text that really is Cyrillic, Greek, Czech or Lithuanian stays so
    for encoding, titles in {
        "cp1251": ["Новости дня", "Как приготовить борщ", "Исследование погоды в Москве"],
        "cp1253": ["Η Ελλάδα σήμερα", "Καλημέρα κόσμε"],
        "cp1250": ["Příliš žluťoučký kůň úpěl ďábelské ódy", "Zażółć gęślą jaźń",
                   "Árvíztűrő tükörfúrógép", "Šťastný nový rok", "Łódź i Kraków",
                   "Čeština pro začátečníky"],
        "cp1257": ["Žąsų kelias", "Ąžuolas ir šiltas vėjas", "Labas rytas, Lietuva – ėė"],
    }.items():
        text = csv_text(titles)
        assert decode_text(text.encode(encoding)) == text, encoding
    # UTF-8 with and without BOM, UTF-16 with BOM
    assert decode_text(western.encode("utf-8")) == western
    assert decode_text(western.encode("utf-8-sig")) == western
    assert decode_text(western.encode("utf-16")) == western


def test_cp1252_and_cp1251_pocket_csvs_import_with_their_titles(archive, tmp_path):
    western = tmp_path / "pocket_excel.csv"
    western.write_bytes(csv_text(WESTERN).encode("cp1252"))
    russian = tmp_path / "pocket_ru.csv"
    russian_titles = ["Новости дня", "Как приготовить борщ", "Исследование погоды в Москве"]
    russian.write_bytes(csv_text(russian_titles).replace("invalid/", "invalid/ru").encode("cp1251"))
    assert import_file(archive, western, fetch=False).pending == 10
    assert import_file(archive, russian, fetch=False).pending == 3
    titles = {a.title for a in archive.articles()}
    assert set(WESTERN) | set(russian_titles) == titles


# -- 2. Pocket's zip of CSV parts --------------------------------------------------------

def pocket_zip(tmp_path: Path) -> Path:
    """Pocket's 2025 export: parts of (here) two rows, annotations beside them."""
    path = tmp_path / "pocket_export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("part_000000.csv", "\n".join([
            POCKET_PART_HEADER,
            '"Hello, world",https://example.invalid/p1,1700000000,abc,tech|python,unread',
            ",https://example.invalid/p2,1700000001,abd,,archive"]) + "\n")
        zf.writestr("part_000001.csv", "\n".join([
            POCKET_PART_HEADER,
            "Third,https://example.invalid/p3,1700000002,abe,,unread",
            "Again the first,https://example.invalid/p1,1700000003,abf,,unread",
            "No address,,1700000004,abg,,unread"]) + "\n")
        zf.writestr("annotations/part_000000.json", "[]")
    return path


def test_pocket_zip_of_csv_parts_imports_every_part_as_one_report(archive, tmp_path):
    source = pocket_zip(tmp_path)
    assert detect_format(source) == "pocket"
    report = import_file(archive, source, fetch=False)
    assert report.format == "pocket"
    assert (report.pending, report.duplicates, report.combined) == (3, 0, 1)  # p1 is in both parts
    assert report.failed == ["pocket_export.zip/part_000001.csv line 4: no URL (No address)"]
    by_url = {a.url: a for a in archive.articles()}
    assert by_url["https://example.invalid/p1"].tags == ["python", "tech"]
    assert by_url["https://example.invalid/p2"].is_archived
    assert by_url["https://example.invalid/p3"].title == "Third"

    # the folder it unzips to, and the zip named as Pocket explicitly, read the same
    folder = tmp_path / "unzipped"
    with zipfile.ZipFile(source) as zf:
        zf.extractall(folder)
    assert detect_format(folder) == "pocket"
    for path in (folder, source):
        again = import_file(archive, path, "pocket", fetch=False)
        assert (again.pending, again.duplicates, again.combined, len(again.failed)) == (0, 3, 1, 1)


# -- 3. content for an article still pending ------------------------------------------------

def test_content_from_a_later_import_fills_the_pending_article(archive, tmp_path):
    pocket = tmp_path / "pocket.csv"
    pocket.write_text(POCKET_HEADER + "\nSaved in Pocket,https://example.invalid/p3,1700000002,"
                      "a|b,unread\n", encoding="utf-8")
    assert import_file(archive, pocket, fetch=False).pending == 1
    wallabag = tmp_path / "wallabag.json"
    wallabag.write_text(json.dumps([{
        "url": "https://example.invalid/p3", "title": "The wallabag title",
        "content": "<p>Full content from wallabag about estuary herons.</p>",
        "is_archived": 1, "is_starred": 1, "tags": ["fromwb", "A"],
        "created_at": "2023-01-01T00:00:00+0000"}]), encoding="utf-8")
    report = import_file(archive, wallabag, fetch=False)
    assert (report.added, report.updated, report.duplicates, report.pending) == (0, 1, 0, 0)
    [article] = archive.articles()
    assert report.article_ids == [article.id]
    assert article.status == "saved" and article.error is None
    assert article.title == "The wallabag title"
    assert article.tags == ["a", "b", "fromwb"]
    assert article.is_read and article.is_archived and article.is_favorite
    assert article.saved == "2023-11-14T22:13:22+00:00"  # the first save's date stays
    assert "estuary herons" in archive.article_text(article.id)
    assert [h.id for h in archive.search("estuary")] == [article.id]
    # once it has content, the same export is a plain duplicate
    again = import_file(archive, wallabag, fetch=False)
    assert (again.updated, again.duplicates) == (0, 1)


# -- 4. control characters -----------------------------------------------------------------

def test_control_characters_are_cleaned_on_import_and_epub_export_works(archive, tmp_path):
    source = tmp_path / "wallabag.json"
    source.write_text(json.dumps([{
        "url": "https://example.invalid/ctl", "title": "Bad\u0001title\r\nsecond line",
        "content": "<p>Body text here, with enough words to be an article.</p>",
        "tags": ["ta\u0002g", "line\nbreak"], "published_by": ["Jane\u0007 Doe"],
        "created_at": "2020-01-01T00:00:00+0000"}]), encoding="utf-8")
    assert import_file(archive, source, fetch=False).added == 1
    [article] = archive.articles()
    assert article.title == "Badtitle second line"
    assert article.tags == ["line break", "tag"]
    assert article.authors == ["Jane Doe"]
    report = export(archive, [article.id], "epub", tmp_path / "book.epub")
    assert report.exported == 1


def test_epub_export_of_an_older_archive_with_control_characters(archive, tmp_path):
    page = ("<html><head><title>x</title></head><body><article><h1>Heading</h1>"
            "<p>Some body \u0002 text that is long enough to be kept as the article body by "
            "the extractor, about tides and herons.</p></article></body></html>")
    saved = archive.save_html(page, "https://example.invalid/old").article
    # what an archive written before imports cleaned titles may hold
    saved.title, saved.authors, saved.site = "Bad\u0001title", ["J\u0002ane"], "S\u0003ite"
    archive.update(saved)
    out = tmp_path / "old.epub"
    export(archive, [saved.id], "epub", out)
    with zipfile.ZipFile(out) as book:
        opf = next(book.read(n).decode() for n in book.namelist() if n.endswith(".opf"))
        chapter = next(book.read(n).decode() for n in book.namelist() if "article-" in n)
    assert "<dc:title>Badtitle</dc:title>" in opf and "Jane" in opf
    assert "Badtitle" in chapter and "\u0001" not in chapter and "\u0002" not in chapter


# -- 6. Netscape states ----------------------------------------------------------------------

def test_netscape_export_and_import_keep_read_favourite_and_archived(archive, tmp_path):
    pocket = tmp_path / "pocket.csv"
    pocket.write_text(POCKET_HEADER + "".join(
        f"\nItem {n},https://example.invalid/n{n},{1700000000 + n},,unread" for n in range(4)),
        encoding="utf-8")
    import_file(archive, pocket, fetch=False)
    by_url = {a.url: a for a in archive.articles()}
    archive.set_state(by_url["https://example.invalid/n1"].id, is_read=True)
    archive.set_state(by_url["https://example.invalid/n2"].id, is_favorite=True)
    archive.set_state(by_url["https://example.invalid/n3"].id, is_read=True, is_archived=True,
                      is_favorite=True)
    out = tmp_path / "bookmarks.html"
    export(archive, [a.id for a in archive.articles()], "netscape", out)
    with Archive(tmp_path / "other", seed=False, fetch=False) as other:
        assert import_file(other, out, fetch=False).pending == 4
        states = {a.url: (a.is_read, a.is_favorite, a.is_archived) for a in other.articles()}
    assert states == {
        "https://example.invalid/n0": (False, False, False),
        "https://example.invalid/n1": (True, False, False),
        "https://example.invalid/n2": (False, True, False),
        "https://example.invalid/n3": (True, True, True),
    }


def test_pinboard_toread_decides_the_read_state(tmp_path):
    source = tmp_path / "pinboard.html"
    source.write_text(
        "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n"
        '<DT><A HREF="https://example.invalid/a" ADD_DATE="1700000000" TOREAD="1">Unread</A>\n'
        '<DT><A HREF="https://example.invalid/b" ADD_DATE="1700000000" TOREAD="0">Read</A>\n'
        '<DT><A HREF="https://example.invalid/c" ADD_DATE="1700000000">No word</A>\n'
        "</DL><p>\n", encoding="utf-8")
    items, problems = split(parse_file(source))
    assert problems == []
    assert [(i.title, i.is_read) for i in items] == [
        ("Unread", False), ("Read", True), ("No word", False)]


# -- 7. broken input: messages, not tracebacks ---------------------------------------------------

def corrupt_member_zip(tmp_path: Path) -> Path:
    """An Omnivore export whose first article's compressed bytes are damaged."""
    path = tmp_path / "omnivore.zip"
    meta = [{"slug": "first", "title": "First", "url": "https://example.invalid/o1"},
            {"slug": "second", "title": "Second", "url": "https://example.invalid/o2"}]
    body = "<html><body><article><p>" + "Words about herons. " * 200 + "</p></article></body></html>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("metadata_0_to_2.json", json.dumps(meta))
        zf.writestr("content/first.html", body)
        zf.writestr("content/second.html", body)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("content/first.html")
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26:info.header_offset + 30])
    start = info.header_offset + 30 + name_len + extra_len
    data[start] = 0xFF  # deflate block type 3 does not exist: zlib.error, not a CRC error
    path.write_bytes(bytes(data))
    return path


def test_corrupt_zip_member_is_reported_and_the_rest_imported(archive, tmp_path):
    report = import_file(archive, corrupt_member_zip(tmp_path), fetch=False)
    assert report.format == "omnivore"
    assert len(report.failed) == 1 and "content/first.html" in report.failed[0]
    assert "damaged" in report.failed[0]
    by_url = {a.url: a for a in archive.articles()}
    assert by_url["https://example.invalid/o2"].status == "saved"
    assert by_url["https://example.invalid/o1"].status == "pending"  # kept, to fetch later


def test_truncated_zip_says_so(tmp_path):
    whole = pocket_zip(tmp_path).read_bytes()
    cut = tmp_path / "cut.zip"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ImportFileError, match="cut.zip: the zip file is damaged or truncated"):
        detect_format(cut)


def test_a_folder_given_with_a_file_format_is_a_clear_error(archive, tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "x.csv").write_text("URL,Title,Selection,Folder,Timestamp\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="export: is a folder, and the instapaper format "
                                              "reads one file"):
        import_file(archive, folder, "instapaper", fetch=False)


def test_export_to_a_folder_or_an_unwritable_path_is_a_clear_error(archive, tmp_path):
    page = "<html><body><article><p>" + "Tidal words. " * 40 + "</p></article></body></html>"
    aid = archive.save_html(page, "https://example.invalid/e").article.id
    folder = tmp_path / "out"
    folder.mkdir()
    for fmt in ("epub", "json", "netscape", "html"):
        with pytest.raises(QuireError, match="out: is a folder; name the file to write"):
            export(archive, [aid], fmt, folder)
    a_file = tmp_path / "plain.txt"
    a_file.write_text("x")
    with pytest.raises(QuireError, match=r"plain.txt/sub/book.epub: cannot write the export"):
        export(archive, [aid], "epub", a_file / "sub" / "book.epub")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["arch", "out", "plain.txt"]
    assert list(folder.iterdir()) == []


def test_wallabag_embedded_list_is_read_and_bad_entries_named(tmp_path):
    source = tmp_path / "wb.json"
    source.write_text(json.dumps({"_embedded": [1, {"url": "https://example.invalid/w",
                                                    "title": "W", "content": "<p>x</p>"}]}))
    items, problems = split(parse_file(source, "wallabag"))
    assert [i.url for i in items] == ["https://example.invalid/w"]
    assert [str(p) for p in problems] == ["wb.json entry 1: expected an object, found int"]
    odd = tmp_path / "odd.json"
    odd.write_text(json.dumps({"_embedded": {"items": "x"}}))
    _, problems = split(parse_file(odd, "wallabag"))
    assert len(problems) == 1 and problems[0].where == "odd.json"


def test_quire_json_with_wrong_field_types_imports_what_is_good(archive, tmp_path):
    source = tmp_path / "quire.json"
    source.write_text(json.dumps({"format": "quire-export", "version": 1, "collections": [], "articles": [
        {"url": "https://example.invalid/q1", "title": "Q1", "html": "<p>hello q1 text</p>",
         "status": "saved", "progress": "half", "tags": ["a"]},
        {"url": "https://example.invalid/q2", "title": "Q2", "html": "<p>hello q2</p>",
         "status": "saved", "authors": "Jane Doe", "collections": "C1", "saved": "yesterday",
         "published": {"when": "then"}},
        {"url": 42, "title": "Numbered"},
    ]}), encoding="utf-8")
    report = import_file(archive, source, fetch=False)
    assert report.added == 2
    assert report.failed == ["quire.json article 3 (Numbered): url 42 is not a web address"]
    warnings = "\n".join(report.warnings)
    assert "quire.json article 1 (Q1): progress 'half' is not a fraction" in warnings
    assert "quire.json article 2 (Q2): saved 'yesterday' is not a date" in warnings
    assert "article 2 (Q2): published {'when': 'then'} is not text" in warnings
    by_url = {a.url: a for a in archive.articles()}
    q1, q2 = by_url["https://example.invalid/q1"], by_url["https://example.invalid/q2"]
    assert q1.progress == 0 and q1.tags == ["a"]
    assert q2.authors == ["Jane Doe"] and q2.collections == ["C1"]
    assert q2.saved[:2] == "20" and q2.saved != "yesterday"


def test_cli_prints_messages_for_bad_input(tmp_path):
    arch = tmp_path / "arch"
    folder = tmp_path / "pz"
    folder.mkdir()
    (folder / "part_000000.csv").write_text(
        POCKET_PART_HEADER + "\nOne,https://example.invalid/c1,1700000000,x,,unread\n",
        encoding="utf-8")
    out = quire(arch, "import", "--no-fetch", "--format", "pocket", str(folder))
    assert out.returncode == 0 and "1 pending" in out.stdout, out.stdout + out.stderr
    out = quire(arch, "import", "--no-fetch", "--format", "wallabag", str(folder))
    assert out.returncode != 0 and "Traceback" not in out.stderr
    assert "pz: is a folder" in out.stderr
    out = quire(arch, "export", "--all", "--format", "epub", "-o", str(folder))
    assert out.returncode != 0 and "Traceback" not in out.stderr
    assert "is a folder; name the file to write" in out.stderr
    wallabag = tmp_path / "wb.json"
    wallabag.write_text(json.dumps([{"url": "https://example.invalid/c1", "title": "Filled",
                                     "content": "<p>Now with its content.</p>"}]))
    out = quire(arch, "import", "--no-fetch", str(wallabag))
    assert "0 added, 1 updated, 0 already saved" in out.stdout, out.stdout + out.stderr


# -- 8. smaller things -----------------------------------------------------------------------------

def test_a_title_that_is_only_the_address_is_no_title_in_every_importer(tmp_path):
    pocket = tmp_path / "pocket.csv"
    pocket.write_text(POCKET_HEADER + "\nhttps://example.invalid/t,https://example.invalid/t,"
                      "1700000000,,unread\n,https://example.invalid/u,1700000000,,unread\n")
    bookmarks = tmp_path / "bookmarks.html"
    bookmarks.write_text('<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n'
                         '<DT><A HREF="https://example.invalid/t">https://example.invalid/t</A>\n'
                         '<DT><A HREF="https://example.invalid/u"></A>\n</DL><p>\n')
    for source in (pocket, bookmarks):
        items, _ = split(parse_file(source))
        assert [(i.url, i.title) for i in items] == [
            ("https://example.invalid/t", ""), ("https://example.invalid/u", "")], source.name


def test_export_file_names_drop_bidi_controls():
    assert safe_filename("invoice\u202egpj.exe") == "invoicegpj.exe"
    assert safe_filename("\u2066Title\u2069 \u202aone\u202c", ".md") == "Title one.md"


@pytest.mark.parametrize("module, expected", [
    ("pinboard", "expected a JSON array of Pinboard bookmarks"),
    ("karakeep", 'expected a Karakeep export: an object with "bookmarks"'),
    ("linkwarden", 'expected a Linkwarden export: an object with "collections"'),
    ("omnivore", "expected a JSON array of Omnivore items"),
    ("quire_json", 'not a Quire export (no "format": "quire-export")'),
])
def test_a_json_export_holding_only_null_is_named_not_silently_empty(module, expected, tmp_path):
    """Every JSON importer reads its file through jsonfile.json_export, so a file that
    parses but holds only `null` gets the same clear problem from each of them."""
    import importlib
    parser = importlib.import_module(f"archive.interchange.importers.{module}")
    path = tmp_path / "export.json"
    path.write_text("null", encoding="utf-8")
    records = list(parser.parse(path))
    assert [str(r) for r in records] == [f"export.json: {expected}"]


def test_a_description_or_site_that_is_no_text_is_dropped_not_spelled_out(tmp_path):
    """An export's field may hold a number or an object where text belongs: the item keeps
    no description or site rather than "42" or "{'a': 1}", whichever parser made it."""
    from archive.interchange.importers.items import ImportItem

    item = ImportItem(url="https://a.example/", description=42, site={"a": 1})  # type: ignore[arg-type]
    assert item.description is None and item.site is None
    kept = ImportItem(url="https://a.example/", description=" A note \n", site=" Site ")
    assert kept.description == "A note" and kept.site == "Site"
    pinboard = tmp_path / "pinboard.json"
    pinboard.write_text(json.dumps([{"href": "https://a.example/", "description": "A",
                                     "extended": {"a": 1}, "toread": "no"}]))
    items, _ = split(parse_file(pinboard))
    assert [i.description for i in items] == [None]


@pytest.mark.parametrize("tags", [5, True, {"label": "x"}, 1.5])
def test_tags_that_are_no_list_import_the_entry_without_them(tags, tmp_path):
    """wallabag's "tags" (or Omnivore's "labels") holding a number or an object instead
    of a list: the entry imports without tags instead of the whole import failing."""
    export = tmp_path / "wallabag.json"
    export.write_text(json.dumps([{"url": "https://a.example/", "title": "A", "tags": tags,
                                   "content": "<p>Words.</p>"}]))
    items, _ = split(parse_file(export))
    assert [(i.url, i.tags) for i in items] == [("https://a.example/", [])]
