"""wallabag annotations and Omnivore highlights, from fixtures written after their
published formats, come in as Quire highlights anchored by their quote."""
from __future__ import annotations

import json

from archive.interchange.importers import import_file
from archive.interchange.importers.omnivore import parse_highlights
from tests.support import FIXTURES as ROOT
from tests.support.imports import zipped_fixture

FIXTURES = ROOT / "import"


def test_wallabag_annotations_become_highlights(archive):
    report = import_file(archive, FIXTURES / "wallabag.json")
    assert report.warnings == [] or all("highlight" not in w for w in report.warnings)
    moon = archive.find_duplicate(url="https://example.org/wallabag/moon-drift")
    marks = archive.highlights.list(moon.id)
    assert [(m.quote, m.note, m.color) for m in marks] == [
        ("Tidal friction slows the Earth's spin", "So the day gets longer.\nCheck the numbers.", "yellow"),
        ("from a few hours to twenty-four", "", "yellow")]
    text = archive.highlights.text(moon.id)
    assert all(text[m.start:m.end] == m.quote and not m.unplaced for m in marks)
    assert marks[0].created == "2016-09-09T18:15:00+00:00"  # when it was made in wallabag
    assert [h.id for h in archive.search("note:numbers")] == [moon.id]
    import_file(archive, FIXTURES / "wallabag.json")  # again: duplicates, nothing doubled
    assert len(archive.highlights.list()) == 2


def test_a_wallabag_annotation_whose_quote_is_gone_is_reported(archive, tmp_path):
    entries = json.loads((FIXTURES / "wallabag.json").read_text(encoding="utf-8"))[:1]
    entries[0]["annotations"][1]["quote"] = "a sentence wallabag's copy had and ours has not"
    path = tmp_path / "wallabag.json"
    path.write_text(json.dumps(entries), encoding="utf-8")
    report = import_file(archive, path)
    assert report.added == 1 and len(archive.highlights.list()) == 1
    assert any("a highlight was not kept" in w and "ours has not" in w for w in report.warnings)


def test_omnivore_highlights_markdown_is_read():
    marks = parse_highlights("> First quote, over\ntwo lines \n> and a second paragraph \n\n#label #other"
                             "\n\nMy note.\n\nSecond para of the note.\n\n> Next one \n\n\n> Third\n\nshort")
    assert marks == [
        {"quote": "First quote, over\ntwo lines\nand a second paragraph",
         "note": "My note.\n\nSecond para of the note."},
        {"quote": "Next one", "note": ""},
        {"quote": "Third", "note": "short"}]


def test_omnivore_export_highlights_become_highlights(archive, tmp_path):
    export = zipped_fixture("omnivore_export", tmp_path / "omnivore.zip")
    import_file(archive, export, fetch=False)
    keepers = archive.find_duplicate(url="https://example.org/omnivore/lighthouse-keepers")
    marks = archive.highlights.list(keepers.id)
    assert [(m.quote, m.note) for m in marks] == [
        ("They trimmed wicks, polished lenses and logged every passing ship.", ""),
        ("The last keepers left when the lights were automated",
         "Automation ended a way of life.\n\nTheir logbooks survive.")]
    assert not any(m.unplaced for m in marks)


def test_hand_edited_quire_highlights_import_what_is_good(archive, tmp_path):
    from archive.interchange.exporters import export

    aid = archive.save_html("<html><body><article><p>" + "The tide comes in twice a day. " * 20
                            + "</p></article></body></html>", "https://example.com/tide").article.id
    archive.highlights.add_quote(aid, "comes in twice", note="n")
    out = tmp_path / "export.json"
    export(archive, [aid], "json", out)
    data = json.loads(out.read_text(encoding="utf-8"))
    marks = data["articles"][0]["highlights"]
    marks.append({**marks[0], "id": 7, "start": "x", "created": 12, "note": None})  # placed by quote
    marks.append({"quote": 5})  # no text: left out with a warning
    marks.append({**marks[0], "id": "backwards", "start": 50, "end": 10, "color": "purple"})
    out.write_text(json.dumps(data), encoding="utf-8")
    from archive import Archive

    with Archive(tmp_path / "other", seed=False, fetch=False) as target:
        report = import_file(target, out, fetch=False)
        assert report.failed == []
        assert any("without a quote" in w for w in report.warnings)
        (kept,) = target.highlights.list()  # the others merged into it: the same words
        assert kept.quote == "comes in twice" and kept.note == "n"
