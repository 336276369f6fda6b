"""EPUB export: a valid EPUB 3 (epubcheck, when installed), a chapter per saved article with
its header, images embedded, a TOC and a cover; pending articles listed as skipped."""
from __future__ import annotations

import re
import shutil
import subprocess
import threading
import zipfile
from pathlib import Path

import pytest
from ebooklib import ITEM_DOCUMENT, epub

from archive.interchange.exporters import ExportCancelled, export
from tests.support.export_library import opened_library


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    with opened_library(tmp_path_factory.mktemp("epub") / "arch") as found:
        yield found


def epubcheck_command() -> list[str] | None:
    """epubcheck as Debian installs it: /usr/bin/epubcheck is a symlink to a jar that only
    runs through binfmt_misc, so call it through java when needed."""
    found = shutil.which("epubcheck")
    if not found:
        return None
    target = Path(found).resolve()
    if target.suffix == ".jar":
        java = shutil.which("java")
        # C1-only JIT and the serial GC halve the JVM's start-up cost for one short run.
        return [java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", str(target)] \
            if java else None
    return [found]


def saved_ids(ids: dict[str, str]) -> list[str]:
    return [ids[k] for k in ("photo", "messy", "hostile", "twin1", "twin2")]


def test_epub_passes_epubcheck(library, tmp_path):
    archive, ids = library
    command = epubcheck_command()
    if command is None:
        pytest.skip("epubcheck (Debian package `epubcheck`, needs java) is not installed")
    out = tmp_path / "book.epub"
    export(archive, saved_ids(ids) + [ids["pending"]], "epub", out)
    result = subprocess.run([*command, str(out)], capture_output=True, text=True, timeout=180)
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert re.search(r"\b0 errors\b|No errors or warnings", report), report
    assert "ERROR" not in report and "FATAL" not in report, report


def test_epub_chapters_images_toc_and_cover(library, tmp_path):
    archive, ids = library
    out = tmp_path / "book.epub"
    progress: list[int] = []
    report = export(archive, saved_ids(ids) + [ids["pending"]], "epub", out,
                    progress=lambda done, total, msg: progress.append(done))
    assert report.exported == 5
    assert report.skipped == ["Gone for now: pending, no content to export"]
    assert progress[-1] == 6

    book = epub.read_epub(str(out))
    chapters = [i for i in book.get_items_of_type(ITEM_DOCUMENT)
                if i.get_name().startswith("article-")]
    assert len(chapters) == 5
    assert [entry.title for entry in book.toc] == [
        "Herons of the marsh", "A messy page", "../../CON: bad/name?", "Same title", "Same title"]
    first = chapters[0].get_content().decode()
    assert "<h1>Herons of the marsh</h1>" in first
    assert "Marsh Notes" in first and "Wren Walker" in first and "2024-03-01" in first
    assert first.count("<h1>") == 1  # the article's own repeated title heading is dropped
    assert "forty nests" in first

    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        images = [n for n in names if "/images/" in n]
        assert len(images) == 2  # the PNG and the GIF, embedded
        assert any(n.endswith("cover.svg") for n in names)
        assert zf.read("mimetype") == b"application/epub+zip"
    srcs = re.findall(r'<img src="([^"]+)"', first)
    assert len(srcs) == 2 and all(s.startswith("images/") for s in srcs)

    # the messy page keeps its words in valid XHTML: loose list text becomes an item
    messy = chapters[1].get_content().decode()
    assert "<li>loose text in a list</li>" in messy
    assert "a paragraph in a list" in messy and "nested links" in messy
    assert "javascript:" not in messy


def test_epub_cancel_writes_nothing(library, tmp_path):
    archive, ids = library
    cancel = threading.Event()
    cancel.set()
    out = tmp_path / "book.epub"
    with pytest.raises(ExportCancelled):
        export(archive, saved_ids(ids), "epub", out, cancel=cancel)
    assert list(tmp_path.iterdir()) == []


def test_language_tags_are_checked_before_they_reach_the_book():
    from archive.interchange.exporters.epub import _language

    assert _language("pt_BR") == "pt-BR" and _language("en") == "en"
    assert _language("English (UK)") is None and _language("") is None
