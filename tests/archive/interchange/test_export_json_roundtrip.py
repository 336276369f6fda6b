"""The JSON export is lossless: export everything, import it into an empty archive, and the
catalog, tags, states, collections and text come back the same."""
from __future__ import annotations

import json

import pytest

from archive import Archive
from archive.library import collections as coll
from archive.interchange.exporters import export
from archive.interchange.importers import detect_format, import_file
from archive.library.store import html_to_text
from tests.support.export_library import opened_library

COMPARED = ("title", "url", "site", "authors", "published", "saved", "lang", "description",
            "lead_image", "tags", "is_read", "is_favorite", "is_archived", "uncertain", "status",
            "error", "source", "progress", "word_count", "reading_minutes")


@pytest.fixture
def library(tmp_path):
    with opened_library(tmp_path / "arch") as found:
        yield found


def key(article) -> str:
    return article.url or article.source


def normalized(text: str) -> str:
    return " ".join(text.split())


def test_json_round_trip_into_an_empty_archive(library, tmp_path):
    source, ids = library
    coll.create(source, "Birds")
    coll.add(source, "Birds", [ids["photo"], ids["pending"]])
    coll.create(source, "Notes", query="tag:notes")
    out = tmp_path / "everything.json"
    report = export(source, [a.id for a in source.articles()], "json", out)
    assert report.exported == 6 and report.skipped == []
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["format"] == "quire-export" and len(data["articles"]) == 6
    assert detect_format(out) == "json"

    with Archive(tmp_path / "empty", seed=False, fetch=False) as target:
        imported = import_file(target, out, fetch=False)
        assert (imported.added, imported.pending, imported.failed) == (5, 1, [])
        before = {key(a): a for a in source.articles()}
        after = {key(a): a for a in target.articles()}
        assert set(after) == set(before)
        for name, old in before.items():
            new = after[name]
            for field in COMPARED:
                assert getattr(new, field) == getattr(old, field), (name, field)
            # the indexed text, and the page the reader sees, come back word for word
            assert target.article_text(new.id) == source.article_text(old.id), name
            assert normalized(html_to_text(target.article_html(new.id))) == normalized(
                html_to_text(source.article_html(old.id))), name
        assert target.tags() == source.tags()
        # collections: the manual one with its members, the smart one with its query
        listed = {c.name: c for c in coll.list_collections(target)}
        assert set(listed) == {"Birds", "Notes"}
        assert listed["Notes"].query == "tag:notes"
        assert {after_key(target, i) for i in coll.members(target, "Birds")} == {
            key(source.get(ids["photo"])), key(source.get(ids["pending"]))}
        assert [key(target.get(i)) for i in coll.members(target, "Notes")] == [
            key(source.get(ids["hostile"]))]

        again = import_file(target, out, fetch=False)
        assert (again.added, again.pending, again.duplicates) == (0, 0, 6)


def after_key(archive, article_id: str) -> str:
    return key(archive.get(article_id))


def test_json_round_trip_restores_highlights_exactly(library, tmp_path):
    source, ids = library
    photo = ids["photo"]
    marks = source.highlights
    text = marks.text(photo)
    first = marks.add(photo, text.index("The grey heron"), text.index("The grey heron") + 30,
                      color="green", note="stands still\nfor an hour")
    second = marks.add(photo, text.index("seven weeks"), text.index("seven weeks") + 11)
    waiting = marks.add_quote(ids["pending"], "words that arrive later", note="kept while pending")
    out = tmp_path / "everything.json"
    export(source, [a.id for a in source.articles()], "json", out)
    exported = {a["id"]: a for a in json.loads(out.read_text(encoding="utf-8"))["articles"]}
    assert [m["quote"] for m in exported[photo]["highlights"]] == [first.quote, second.quote]

    with Archive(tmp_path / "empty", seed=False, fetch=False) as target:
        report = import_file(target, out, fetch=False)
        assert report.failed == [] and report.warnings == []
        new_photo = target.find_duplicate(url=source.get(photo).url).id
        assert target.highlights.list(new_photo) == [
            type(m)(**{**m.to_dict(), "article_id": new_photo}) for m in source.highlights.list(photo)]
        new_pending = target.find_duplicate(url=source.get(ids["pending"]).url).id
        (kept,) = target.highlights.list(new_pending)
        assert (kept.id, kept.quote, kept.note, kept.unplaced) == (waiting.id, waiting.quote, waiting.note, True)
        import_file(target, out, fetch=False)  # again: nothing doubled
        assert len(target.highlights.list()) == 3
