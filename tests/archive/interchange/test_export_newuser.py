"""Exports as a new user met them (issue 19): `--tag world` takes world/news as
search's tag:world does; a Markdown export to a .md path is that note (one
article) and never a zip with a .md name; no file gets a wrong extension; EPUB
readers find a creator and the articles' language; the HTML index keeps each
date on one line and its headings dark."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from archive.base.errors import QuireError
from archive.interchange.exporters import export, select_ids
from tests.support import make_page


def save(archive, n: int, title: str, tags=(), html: str | None = None, lang_page: str = "en") -> str:
    page = html or make_page(title, f"Notes number {n} about the tides.")
    page = page.replace('<html lang="en">', f'<html lang="{lang_page}">')
    return archive.save_html(page, f"https://news.example/{n}", tags=list(tags),
                             download_images=False).article.id


def test_export_by_tag_takes_the_tags_under_it(archive):
    world = save(archive, 1, "World", ["world"])
    news = save(archive, 2, "World news", ["world/news"])
    save(archive, 3, "Worldly", ["worldly"])  # a longer name, not a child
    assert sorted(select_ids(archive, tag="world")) == sorted([world, news])
    assert sorted(select_ids(archive, tag="World/")) == sorted([world, news])
    assert select_ids(archive, tag="world/news") == [news]
    searched = archive.search_full("tag:world", limit=10)
    assert sorted(h.id for h in searched.hits) == sorted(select_ids(archive, tag="world"))


def test_one_article_to_a_md_path_is_that_note_with_its_pictures_beside(archive, tmp_path):

    aid = pictured_article(archive, tmp_path)
    out = tmp_path / "export" / "notes.md"
    report = export(archive, [aid], "markdown", out)
    assert report.exported == 1 and report.path == out
    text = out.read_text(encoding="utf-8")
    assert text.startswith("---") and "# The harbour wall" in text
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert links and all(link.startswith("notes/") for link in links)
    for link in links:
        assert (out.parent / link).is_file()
    assert not zipfile.is_zipfile(out)


def test_several_articles_to_a_md_path_are_refused_and_nothing_is_written(archive, tmp_path):
    ids = [save(archive, n, f"Tide {n}") for n in range(3)]
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "notes.md"
    with pytest.raises(QuireError, match=r"notes.md: a Markdown file holds one article.*notes\.zip"):
        export(archive, ids, "markdown", out)
    assert list(out.parent.iterdir()) == []


def test_no_export_gets_a_wrong_extension(archive, tmp_path):
    aid = save(archive, 1, "Tide")
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    with pytest.raises(QuireError, match=r"book\.zip: a epub export is a \.epub file; name it book\.epub"):
        export(archive, [aid], "epub", tmp_path / "book.zip")
    with pytest.raises(QuireError, match=r"\.md for a single"):
        export(archive, [aid], "markdown", tmp_path / "notes.txt")
    report = export(archive, [aid], "markdown", tmp_path / "vault")  # none given: the format's
    assert report.path == tmp_path / "vault.zip" and zipfile.is_zipfile(tmp_path / "vault.zip")
    assert list(tmp_path.iterdir()) == [tmp_path / "vault.zip"]


def opf(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as zf:
        container = etree.fromstring(zf.read("META-INF/container.xml"))
        name = container.find(".//{*}rootfile").get("full-path")
        return etree.fromstring(zf.read(name))


def dc(root: etree._Element, field: str) -> list[str]:
    return [e.text for e in root.iter("{http://purl.org/dc/elements/1.1/}" + field)]


def test_epub_names_its_creators_and_the_articles_language(archive, tmp_path):
    bylined = make_page("Les marées", "Des notes sur les marées du nord.").replace(
        "<head>", '<head><meta name="author" content="Jeanne Marin">')
    french = save(archive, 1, "Les marées", html=bylined, lang_page="fr")
    french2 = save(archive, 2, "Le port", lang_page="fr")
    assert archive.get(french).authors == ["Jeanne Marin"]
    export(archive, [french, french2], "epub", tmp_path / "book.epub")
    root = opf(tmp_path / "book.epub")
    assert dc(root, "creator") == ["Jeanne Marin"]
    assert dc(root, "language") == ["fr"]
    anonymous = save(archive, 3, "Anonymous tides")
    export(archive, [anonymous], "epub", tmp_path / "anon.epub")
    assert dc(opf(tmp_path / "anon.epub"), "creator") == ["Quire"]  # never "Unknown"


def pictured_article(archive, tmp_path) -> str:
    """A saved article with two pictures (from a page saved with its files)."""
    import struct
    import zlib

    def png(seed: int, w: int = 64, h: int = 48) -> bytes:
        rows = b"".join(b"\x00" + bytes((x * seed + y) % 256 for x in range(3 * w)) for y in range(h))

        def chunk(kind: bytes, data: bytes) -> bytes:
            return (struct.pack(">I", len(data)) + kind + data
                    + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))

    folder = tmp_path / "page"
    (folder / "harbour_files").mkdir(parents=True)
    (folder / "harbour_files" / "a.png").write_bytes(png(3))
    (folder / "harbour_files" / "b.png").write_bytes(png(7))
    para = "The harbour wall was built in 1870 from granite quarried on the island. " * 6
    (folder / "harbour.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>The harbour wall</title>'
        f"</head><body><article><h1>The harbour wall</h1><p>{para}</p>"
        '<figure><img src="harbour_files/a.png" alt="The wall"><figcaption>The wall.</figcaption>'
        f'</figure><p>{para}</p><figure><img src="harbour_files/b.png" alt="Stone"></figure>'
        f"<p>{para}</p></article></body></html>", encoding="utf-8")
    return archive.save_file(folder / "harbour.html").article.id
