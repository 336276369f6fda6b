"""Highlights in every export: Markdown's ## Highlights section and front matter counts,
highlights-only Markdown, Readwise CSV (read back with the csv module), <mark> and
footnotes in the HTML pages and the EPUB (through epubcheck when it is installed)."""
from __future__ import annotations

import csv
import io
import re
import subprocess
import zipfile

import lxml.html
import pytest
from ebooklib import ITEM_DOCUMENT, epub

from archive.interchange.exporters import export
from tests.archive.interchange.test_export_epub import epubcheck_command
from tests.support.export_library import opened_library

QUOTE_1 = "The grey heron stands for an hour"
QUOTE_2 = "seven weeks and spend the summer"  # crosses the paragraph's inline words only


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    with opened_library(tmp_path_factory.mktemp("marks") / "arch") as (archive, ids):
        photo = ids["photo"]
        archive.highlights.add_quote(photo, QUOTE_1, color="green", note='He said "wait"\nthen struck')
        archive.highlights.add_quote(photo, QUOTE_2)
        text = archive.highlights.text(photo)
        # one that spans two paragraphs
        start = text.index("than in any year before.")
        end = text.index("Their young leave") + len("Their young leave")
        archive.highlights.add(photo, start, end, color="pink", note="across paragraphs")
        yield archive, ids


def test_markdown_has_a_highlights_section_and_counts(library, tmp_path):
    archive, ids = library
    out = tmp_path / "vault.zip"
    export(archive, [ids["photo"], ids["messy"]], "markdown", out)
    with zipfile.ZipFile(out) as zf:
        note = zf.read("Herons of the marsh.md").decode("utf-8")
        other = zf.read("A messy page.md").decode("utf-8")
    front = note.split("---")[1]
    assert "highlights: 3" in front and "notes: 2" in front
    section = note.split("## Highlights", 1)[1]
    assert f"> {QUOTE_1}" in section and "#highlight/green" in section
    assert 'He said "wait"\nthen struck' in section
    assert "> than in any year before.\n> " in section and "\n> Their young leave\n" in section
    assert "#highlight/pink" in section
    assert section.index(QUOTE_1) < section.index("Their young leave") < section.index(QUOTE_2)
    assert "## Highlights" not in other and "highlights:" not in other


def test_highlights_markdown_has_only_the_highlights(library, tmp_path):
    archive, ids = library
    out = tmp_path / "highlights.zip"
    report = export(archive, [ids["photo"], ids["messy"]], "highlights-markdown", out)
    assert report.exported == 1 and report.skipped == ["A messy page: no highlights"]
    with zipfile.ZipFile(out) as zf:
        assert zf.namelist() == ["Herons of the marsh.md"]
        note = zf.read("Herons of the marsh.md").decode("utf-8")
    assert note.startswith("---\ntitle: \"Herons of the marsh\"")
    assert "# Herons of the marsh" in note and "## Highlights" in note and f"> {QUOTE_1}" in note
    assert "Observers on the northern marsh counted" not in note  # not the article's text


def test_readwise_csv_reads_back(library, tmp_path):
    archive, ids = library
    out = tmp_path / "readwise.csv"
    export(archive, [ids["photo"], ids["messy"]], "readwise-csv", out)
    raw = out.read_text(encoding="utf-8")
    assert '"He said ""wait""' in raw  # quotes escaped by doubling
    rows = list(csv.DictReader(io.StringIO(raw)))
    assert list(rows[0]) == ["Highlight", "Title", "Author", "URL", "Note", "Location", "Date"]
    assert [r["Highlight"] for r in rows][0] == QUOTE_1 and len(rows) == 3
    first = rows[0]
    assert first["Title"] == "Herons of the marsh" and first["Author"] == "Wren Walker"
    assert first["URL"].endswith("/photo") and first["Note"] == 'He said "wait"\nthen struck'
    assert int(rows[0]["Location"]) < int(rows[1]["Location"]) < int(rows[2]["Location"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", first["Date"])


def _marks_of(root) -> list[tuple[str, str]]:
    return [(m.get("class"), m.text_content()) for m in root.iter("{*}mark", "mark")]


def test_html_pages_mark_highlights_and_list_notes(library, tmp_path):
    archive, ids = library
    out = tmp_path / "pages.zip"
    export(archive, [ids["photo"]], "html", out)
    with zipfile.ZipFile(out) as zf:
        page = zf.read("articles/Herons of the marsh.html").decode("utf-8")
    doc = lxml.html.document_fromstring(page)
    marks = _marks_of(doc)
    joined = " ".join(t for _c, t in marks)
    assert ("hl-green", QUOTE_1) in marks and QUOTE_2 in joined
    assert [c for c, t in marks if "Their young" in t] == ["hl-pink"]  # split per paragraph
    assert [c for c, t in marks if "any year before" in t] == ["hl-pink"]
    notes = doc.xpath('//section[@class="highlight-notes"]//li')
    assert [li.text_content().rstrip(" ↩") for li in notes] == ['He said "wait"then struck', "across paragraphs"]
    assert doc.xpath('//sup/a[@href="#hl-note-1"]')[0].getparent().getprevious().text == QUOTE_1


def test_epub_marks_highlights_with_footnotes(library, tmp_path):
    archive, ids = library
    out = tmp_path / "book.epub"
    export(archive, [ids["photo"], ids["messy"]], "epub", out)
    book = epub.read_epub(str(out))
    chapter = next(i for i in book.get_items_of_type(ITEM_DOCUMENT) if "article-" in i.get_name()
                   and b"grey heron" in i.get_content())
    xhtml = chapter.get_content().decode("utf-8")
    assert f'<mark class="hl-green">{QUOTE_1}</mark>' in xhtml
    assert 'epub:type="noteref"' in xhtml and 'epub:type="footnote"' in xhtml
    assert xhtml.count("<aside") == 2
    command = epubcheck_command()
    if command is None:
        pytest.skip("epubcheck (Debian package `epubcheck`, needs java) is not installed")
    result = subprocess.run([*command, str(out)], capture_output=True, text=True, timeout=180)
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert "ERROR" not in report and "FATAL" not in report, report


def test_a_note_reference_never_lands_inside_a_link():
    from archive.base.models import Highlight
    from archive.extraction.pages import html_to_text
    from archive.interchange.exporters.marks import mark_highlights, note_list_html

    frag = '<div><p>Read <a href="https://x.example/">the long <b>report</b> here</a> today.</p></div>'
    root = lxml.html.fragment_fromstring(frag)
    text = html_to_text(frag)
    start, end = text.index("Read"), text.index("report") + len("report")
    done = mark_highlights(root, text, [Highlight(id="1", article_id="a", quote=text[start:end], start=start,
                                                  end=end, note="why")], refs=True)
    assert not root.xpath("//a//a")  # no link inside a link
    ref = root.xpath('//a[@id="hl-ref-1"]')[0]
    assert ref.getparent().tag == "sup" and ref.getparent().getprevious().tag == "a"
    assert " ".join(root.text_content().split()) == "Read the long report here1 today."
    assert [m.get("class") for m in root.iter("mark")] == ["hl-yellow"] * 3
    assert 'href="#hl-ref-1"' in note_list_html(done)
