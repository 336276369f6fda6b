"""HTML zip, Markdown zip, Netscape and Pocket CSV exports, read back the way their users
would: links resolve inside the zip, front matter parses as YAML, bookmark files import."""
from __future__ import annotations

import zipfile
from pathlib import Path
from urllib.parse import unquote

import lxml.html
import pytest
import yaml

from archive.base.errors import QuireError
from archive.interchange.exporters import export, select_ids
from archive.interchange.importers import ImportItem, parse_file
from tests.support.export_library import opened_library


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    with opened_library(tmp_path_factory.mktemp("formats") / "arch") as found:
        yield found


def all_ids(ids: dict[str, str]) -> list[str]:
    return [ids[k] for k in ("photo", "messy", "hostile", "twin1", "twin2", "pending")]


def assert_safe_entry(name: str) -> None:
    parts = name.split("/")
    assert not name.startswith("/") and ".." not in parts and "\\" not in name
    for part in parts:
        assert part.split(".")[0].lower() not in {"con", "nul", "prn", "aux"}
        assert not any(c in part for c in '<>:"|?*')


def test_html_zip_index_and_self_contained_pages(library, tmp_path):
    archive, ids = library
    out = tmp_path / "articles.zip"
    report = export(archive, all_ids(ids), "html", out)
    assert report.exported == 5
    assert report.skipped == ["Gone for now: pending, no content to export"]
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        for name in names:
            assert_safe_entry(name)
        index = lxml.html.fromstring(zf.read("index.html"))
        local_links = [unquote(a.get("href")) for a in index.iter("a")
                       if a.get("href", "").startswith("articles/")]
        assert len(local_links) == 5 and set(local_links) <= names
        assert {"articles/Same title.html", "articles/Same title (2).html"} <= names
        assert "Gone for now" in index.text_content()  # pending ones are listed, linked out
        photo_page = zf.read("articles/Herons of the marsh.html").decode()
    page = lxml.html.fromstring(photo_page)
    srcs = [img.get("src") for img in page.iter("img")]
    assert len(srcs) == 2 and all(s.startswith(("data:image/png;base64,", "data:image/gif;base64,"))
                                  for s in srcs)
    assert "forty nests" in page.text_content() and "Marsh Notes" in page.text_content()


def test_markdown_zip_front_matter_and_images_beside(library, tmp_path):
    archive, ids = library
    out = tmp_path / "vault.zip"
    report = export(archive, all_ids(ids), "markdown", out)
    assert report.exported == 5
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        for name in names:
            assert_safe_entry(name)
        notes = sorted(n for n in names if n.endswith(".md"))
        assert len(notes) == 5 and "Same title (2).md" in notes
        text = zf.read("Herons of the marsh.md").decode()
    assert text.startswith("---\n")
    meta = yaml.safe_load(text.split("---\n")[1])
    assert meta["title"] == "Herons of the marsh"
    assert meta["site"] == "Marsh Notes" and meta["author"] == ["Wren Walker"]
    assert meta["tags"] == ["birds", "marsh"] and meta["saved"] == "2024-03-02T10:00:00+00:00"
    assert str(meta["published"]).startswith("2024-03-01")
    assert meta["url"].endswith("/photo")
    body = text.split("---\n", 2)[2]
    assert "forty nests" in body and "<p>" not in body
    images = [unquote(part.split(")")[0]) for part in body.split("](")[1:]
              if not part.startswith("http")]
    assert len(images) == 2 and all(i in names and i.startswith("Herons of the marsh/")
                                    for i in images)
    # "../../CON: bad/name?" loses its separators and colon; "CON bad name" is not reserved
    assert "CON bad name.md" in notes


def test_netscape_and_pocket_csv_read_back_with_the_importers(library, tmp_path):
    archive, ids = library
    for fmt, name, parsed_fmt in (("netscape", "bookmarks.html", "netscape"),
                                  ("pocket-csv", "pocket.csv", "pocket")):
        out = tmp_path / name
        report = export(archive, all_ids(ids), fmt, out)
        # the note saved from a file has no URL to bookmark
        assert report.exported == 5 and report.skipped == [
            "../../CON: bad/name?: no URL (saved from a file)"]
        items = [r for r in parse_file(out) if isinstance(r, ImportItem)]
        assert [i for i in parse_file(out) if not isinstance(i, ImportItem)] == []
        by_url = {i.url: i for i in items}
        for key in ("photo", "messy", "twin1", "twin2", "pending"):
            article = archive.get(ids[key])
            item = by_url[article.url]
            assert item.title == article.title
            assert item.tags == article.tags
            assert item.saved == article.saved
        assert by_url[archive.get(ids["messy"]).url].is_read  # both formats carry "read"


def test_selection_helpers_and_errors(library, tmp_path):
    archive, ids = library
    assert set(select_ids(archive, all=True)) == set(all_ids(ids))
    assert select_ids(archive, tag="BIRDS") == [ids["photo"]]
    assert ids["photo"] in select_ids(archive, query="herons")
    with pytest.raises(QuireError, match="nothing to export"):
        export(archive, [], "epub", tmp_path / "x.epub")
    with pytest.raises(QuireError, match="unknown export format 'pdf'"):
        export(archive, [ids["photo"]], "pdf", tmp_path / "x.pdf")
    assert not any(Path(tmp_path).iterdir())
