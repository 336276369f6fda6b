"""File names from strangers and zips from strangers cannot reach outside their folder."""
from __future__ import annotations

import stat
import zipfile

import pytest

from archive.base import safe_names
from archive.base.errors import ImportFileError
from archive.interchange.importers import parse_file
from archive.base.safe_names import safe_extract, safe_filename, unique_name


@pytest.mark.parametrize("title, expected", [
    ("../../etc/passwd", "etc passwd"),
    ("..", "untitled"),
    ("", "untitled"),
    ("CON", "_CON"),
    ("nul.txt", "_nul.txt"),
    ("lpt1", "_lpt1"),
    ('What? A "quote": yes/no <b>', "What A quote yes no b"),
    ("  .hidden title. ", "hidden title"),
    ("tab\tand\nnewline", "tab and newline"),
    ("C:\\Windows\\system32", "C Windows system32"),
])
def test_safe_filename_cleans(title, expected):
    assert safe_filename(title) == expected


def test_safe_filename_caps_utf8_length_and_keeps_extension():
    name = safe_filename("é" * 300, ".md", max_bytes=100)
    assert name.endswith(".md")
    assert len(name.encode("utf-8")) <= 100
    assert name[:-3] == "é" * 48  # cut on a character boundary, never mid-sequence


def test_unique_name_is_case_insensitive():
    taken: set[str] = set()
    assert unique_name("Note.md", taken) == "Note.md"
    assert unique_name("note.md", taken) == "note (2).md"
    assert unique_name("NOTE.md", taken) == "NOTE (3).md"
    assert unique_name("images", taken) == "images"


def test_safe_extract_refuses_escapes_and_links(tmp_path):
    source = tmp_path / "evil.zip"
    with zipfile.ZipFile(source, "w") as archive:
        archive.writestr("ok/page.html", "<p>fine</p>")
        archive.writestr("../outside.txt", "escaped")
        archive.writestr("/abs/path.txt", "absolute")
        archive.writestr("a/../../up.txt", "escaped too")
        link = zipfile.ZipInfo("link")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    dest = tmp_path / "out"
    result = safe_extract(source, dest)
    assert [p.relative_to(dest.resolve()).as_posix() for p in result.files] == ["ok/page.html"]
    refused = dict(result.refused)
    assert set(refused) == {"../outside.txt", "/abs/path.txt", "a/../../up.txt", "link"}
    assert refused["link"] == "symbolic link"
    assert not (tmp_path / "outside.txt").exists() and not (tmp_path / "up.txt").exists()


def test_safe_extract_stops_a_zip_bomb(tmp_path):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for n in range(3):  # 3 × 8 MiB of zeros: a few KiB compressed
            archive.writestr(f"page{n}.html", b"\0" * (8 * 1024 * 1024))
    assert bomb.stat().st_size < 200_000
    with pytest.raises(ImportFileError, match="bomb.zip: inflates to more than 10,000,000 bytes"):
        safe_extract(bomb, tmp_path / "out", max_total_bytes=10_000_000)


def test_zip_import_refuses_a_bomb_as_a_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(safe_names, "DEFAULT_MAX_INFLATED", 1_000_000)
    bomb = tmp_path / "pages.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.html", b"<html><body>" + b" " * 2_000_000 + b"</body></html>")
    with pytest.raises(ImportFileError, match="zip bomb"):
        parse_file(bomb, "folder")


def test_broken_zip_is_a_clear_error(tmp_path):
    broken = tmp_path / "export.zip"
    broken.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(ImportFileError, match="export.zip: not a readable zip"):
        safe_extract(broken, tmp_path / "out")
