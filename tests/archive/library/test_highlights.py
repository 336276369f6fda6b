"""Highlights and notes: the manager, the merge rule, storage in catalog + meta.json,
re-anchoring after re-extraction, check/repair, backup, and a second process."""
from __future__ import annotations

import json
import multiprocessing
import sqlite3

import pytest

from archive import Archive
from archive.base.errors import QuireError
from archive.library.backup import backup, restore
from archive.library.check import check_archive
from tests.support import make_page

PHRASE = "spring floods arrived earlier"


def _save(archive, body: str = "A study of migrating herons.", url: str = "https://example.com/tides"):
    return archive.save_html(make_page(body=body), url).article


def _span(archive, aid: str, words: str) -> tuple[int, int]:
    text = archive.highlights.text(aid)
    at = text.index(words)
    return at, at + len(words)


def test_add_stores_both_selectors_in_catalog_and_meta_json(archive):
    aid = _save(archive).id
    start, end = _span(archive, aid, PHRASE)
    mark = archive.highlights.add(aid, start, end, note="a first note")
    assert mark.quote == PHRASE and (mark.start, mark.end) == (start, end)
    assert mark.color == "yellow" and mark.note == "a first note" and mark.created and not mark.unplaced
    text = archive.highlights.text(aid)
    assert text[start - len(mark.prefix):start] == mark.prefix and len(mark.prefix) == 32
    assert text[end:end + len(mark.suffix)] == mark.suffix and len(mark.suffix) == 32
    assert archive.highlights.list(aid) == [mark]
    assert archive.get(aid).highlights == [mark]
    meta = json.loads((archive.article_dir(aid) / "meta.json").read_text())
    assert meta["highlights"] == [mark.to_dict()]
    assert check_archive(archive) == []


def test_selection_is_trimmed_and_empty_or_bad_colour_is_refused(archive):
    aid = _save(archive).id
    start, end = _span(archive, aid, " " + PHRASE + " ")
    assert archive.highlights.add(aid, start, end).quote == PHRASE
    with pytest.raises(QuireError):
        archive.highlights.add(aid, start, start + 1)  # only a space
    with pytest.raises(QuireError):
        archive.highlights.add(aid, start, end, color="purple")


def test_overlapping_and_touching_highlights_merge_and_notes_join(archive):
    aid = _save(archive).id
    s1, e1 = _span(archive, aid, "spring floods")
    first = archive.highlights.add(aid, s1, e1, color="green", note="floods")
    s2, e2 = _span(archive, aid, "floods arrived earlier")
    merged = archive.highlights.add(aid, s2, e2, note="timing")
    assert merged.id == first.id and merged.quote == PHRASE
    assert merged.note == "floods\n\ntiming" and merged.color == "green"  # the oldest's colour kept
    s3, e3 = _span(archive, aid, " with every passing year")
    touching = archive.highlights.add(aid, e2, e3 + 0, color="blue")  # starts where the other ends
    assert touching.id == first.id and touching.quote == PHRASE + " with every passing year"
    assert touching.color == "blue"
    assert len(archive.highlights.list(aid)) == 1
    # one spanning two paragraphs swallows both of two separate highlights
    s4, e4 = _span(archive, aid, "The committee will publish")
    second = archive.highlights.add(aid, s4, e4)
    assert len(archive.highlights.list(aid)) == 2 and second.id != first.id
    both = archive.highlights.add(aid, s1 - 5, e4)
    assert [m.id for m in archive.highlights.list(aid)] == [first.id]
    assert "\n" in both.quote and both.quote.endswith("The committee will publish")


def test_update_delete_and_restore_undo(archive):
    aid = _save(archive).id
    mark = archive.highlights.add(aid, *_span(archive, aid, PHRASE))
    changed = archive.highlights.update(mark.id, color="pink", note="line one\nline two")
    assert (changed.color, changed.note) == ("pink", "line one\nline two") and changed.created == mark.created
    gone = archive.highlights.delete(mark.id)
    assert archive.highlights.list(aid) == []
    assert json.loads((archive.article_dir(aid) / "meta.json").read_text())["highlights"] == []
    back = archive.highlights.restore(gone)
    assert back == gone and archive.highlights.list(aid) == [gone]


def test_add_by_quote_with_other_spacing_and_case(archive):
    aid = _save(archive).id
    mark = archive.highlights.add_quote(aid, "Spring  Floods\narrived", note="n", color="blue")
    assert mark.quote == "spring floods arrived" and mark.color == "blue"
    with pytest.raises(QuireError):
        archive.highlights.add_quote(aid, "not in this article at all, no")


def _reextract_with(archive, aid: str, body: str) -> object:
    """Give the article new content the way re-extraction does (its stored original replaced)."""
    from archive.library.highlights import ReanchorReport

    report = ReanchorReport()
    archive.replace_content(aid, make_page(body=body), anchors=report)
    return report


def test_reanchor_after_text_inserted_before(archive):
    aid = _save(archive).id
    mark = archive.highlights.add(aid, *_span(archive, aid, PHRASE), note="kept")
    report = _reextract_with(archive, aid, "A much longer opening now. A study of migrating herons.")
    (after,) = archive.highlights.list(aid)
    assert after.id == mark.id and after.quote == PHRASE and after.note == "kept" and not after.unplaced
    assert after.start == mark.start + len("A much longer opening now. ")
    assert archive.highlights.text(aid)[after.start:after.end] == PHRASE
    assert (report.placed, report.moved, report.unplaced) == (1, 1, [])
    assert check_archive(archive) == []


def test_reanchor_after_a_word_changed_inside(archive):
    aid = _save(archive, body="The old lighthouse keeper wrote down every storm that crossed the bay.").id
    mark = archive.highlights.add(aid, *_span(archive, aid, "keeper wrote down every storm that crossed"))
    report = _reextract_with(archive, aid, "The old lighthouse keeper noted down every storm that crossed the bay.")
    (after,) = archive.highlights.list(aid)
    assert not after.unplaced and after.id == mark.id
    assert after.quote == "keeper noted down every storm that crossed"
    assert report.placed == 1 and report.moved == 1


def test_reanchor_with_the_quote_gone_keeps_and_flags_it(archive):
    aid = _save(archive, body="The old lighthouse keeper wrote down every storm that crossed the bay.").id
    mark = archive.highlights.add(aid, *_span(archive, aid, "lighthouse keeper wrote down"), note="mine")
    report = _reextract_with(archive, aid, "Nothing of that sentence remains here at all.")
    (after,) = archive.highlights.list(aid)
    assert after.unplaced and after.quote == mark.quote and after.note == "mine"
    assert report.placed == 0 and len(report.unplaced) == 1 and "could not be placed" in report.unplaced[0]
    assert "unplaced" in json.dumps(json.loads((archive.article_dir(aid) / "meta.json").read_text()))
    assert check_archive(archive) == []
    # the text comes back: placed again
    _reextract_with(archive, aid, "The old lighthouse keeper wrote down every storm that crossed the bay.")
    assert not archive.highlights.list(aid)[0].unplaced


def test_reextract_reports_reanchored(archive):
    aid = _save(archive).id
    archive.highlights.add(aid, *_span(archive, aid, PHRASE))
    from archive.library.highlights import ReanchorReport

    report = ReanchorReport()
    done, failures = archive.reextract([aid], anchors=report)
    assert (done, failures) == (1, []) and report.placed == 1 and report.unplaced == []
    assert report.summary() == "highlights: 1 re-anchored, 0 could not be placed"


def test_quote_in_a_pending_article_is_placed_when_content_arrives(archive):
    pending = archive.add_pending("https://example.com/later", error="offline").article
    mark = archive.highlights.add_quote(pending.id, PHRASE, note="from an import")
    assert mark.unplaced
    archive.replace_content(pending.id, make_page())
    (after,) = archive.highlights.list(pending.id)
    assert not after.unplaced and archive.highlights.text(pending.id)[after.start:after.end] == PHRASE


def test_deleting_the_article_deletes_its_highlights(archive):
    aid = _save(archive).id
    archive.highlights.add(aid, *_span(archive, aid, PHRASE))
    archive.delete(aid)
    assert archive.highlights.list() == []


def test_files_alone_rebuild_highlights(tmp_path):
    root = tmp_path / "a"
    with Archive(root, seed=False, fetch=False) as archive:
        aid = _save(archive).id
        mark = archive.highlights.add(aid, *_span(archive, aid, PHRASE), color="pink", note="n")
    (root / "catalog.sqlite").unlink()
    for extra in ("catalog.sqlite-wal", "catalog.sqlite-shm"):
        (root / extra).unlink(missing_ok=True)
    with Archive(root, seed=False, fetch=False) as archive:
        assert archive.highlights.list(aid) == [mark]
        assert check_archive(archive) == []


def test_check_repairs_meta_json_out_of_step(archive):
    aid = _save(archive).id
    mark = archive.highlights.add(aid, *_span(archive, aid, PHRASE))
    meta_path = archive.article_dir(aid) / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta["highlights"] = []
    meta_path.write_text(json.dumps(meta))
    problems = check_archive(archive)
    assert [p.kind for p in problems] == ["highlights-mismatch"]
    assert [p.kind for p in check_archive(archive, repair=True)] == ["highlights-mismatch"]
    assert json.loads(meta_path.read_text())["highlights"] == [mark.to_dict()]
    assert check_archive(archive) == []


def test_check_an_upgraded_meta_json_without_highlights_is_no_drift(archive):
    aid = _save(archive).id
    meta_path = archive.article_dir(aid) / "meta.json"
    meta = json.loads(meta_path.read_text())
    del meta["highlights"]
    meta["schema_version"] = 3
    meta_path.write_text(json.dumps(meta))
    assert check_archive(archive) == []


def test_check_removes_a_highlight_for_a_missing_article(archive):
    aid = _save(archive).id
    archive.highlights.add(aid, *_span(archive, aid, PHRASE))
    db = sqlite3.connect(archive.root / "catalog.sqlite")  # foreign keys off: the row stays
    db.execute("INSERT INTO highlights (id, article_id, quote, pos_start, pos_end, created, updated) "
               "VALUES ('feedbeef', 'nosucharticle', 'lost words', 0, 10, '2020', '2020')")
    db.commit()
    db.close()
    problems = check_archive(archive)
    assert [(p.kind, p.article_id) for p in problems] == [("highlight-orphan", "nosucharticle")]
    check_archive(archive, repair=True)
    assert check_archive(archive) == [] and len(archive.highlights.list()) == 1


def test_check_replaces_a_highlight_whose_text_moved_under_it(archive):
    aid = _save(archive).id
    mark = archive.highlights.add(aid, *_span(archive, aid, PHRASE))
    html_path = archive.article_dir(aid) / "article.html"
    html_path.write_text(html_path.read_text().replace("A study of", "A long and careful study of"))
    assert [p.kind for p in check_archive(archive)] == ["highlight-drift"]
    check_archive(archive, repair=True)
    (after,) = archive.highlights.list(aid)
    assert after.id == mark.id and archive.highlights.text(aid)[after.start:after.end] == PHRASE
    assert check_archive(archive) == []


def test_backup_and_restore_carry_highlights(tmp_path):
    with Archive(tmp_path / "a", seed=False, fetch=False) as archive:
        aid = _save(archive).id
        mark = archive.highlights.add(aid, *_span(archive, aid, PHRASE), note="backed up")
        backup(archive, tmp_path / "b.zip")
    restore(tmp_path / "b.zip", tmp_path / "r")
    with Archive(tmp_path / "r", seed=False, fetch=False) as archive:
        assert archive.highlights.list(aid) == [mark]


def test_older_catalog_gains_the_highlights_table(tmp_path):
    root = tmp_path / "a"
    with Archive(root, seed=False, fetch=False) as archive:
        aid = _save(archive).id
    db = sqlite3.connect(root / "catalog.sqlite")
    db.execute("DROP TABLE highlights")
    db.execute("PRAGMA user_version = 3")
    db.commit()
    db.close()
    with Archive(root, seed=False, fetch=False) as archive:
        assert archive.catalog.migrated_from == 3
        mark = archive.highlights.add(aid, *_span(archive, aid, PHRASE))
        assert archive.highlights.list(aid) == [mark]


def _add_from_another_process(root: str, aid: str, quote: str) -> None:
    with Archive(root, seed=False, fetch=False) as other:
        other.highlights.add_quote(aid, quote, note="from the CLI")


def test_another_process_adding_a_highlight_loses_neither(tmp_path):
    """The window has the article open and adds one; a CLI adds another meanwhile."""
    root = tmp_path / "a"
    with Archive(root, seed=False, fetch=False) as window:
        aid = _save(window).id
        stale = window.get(aid)  # the window's copy, read before the other process writes
        proc = multiprocessing.get_context("spawn").Process(
            target=_add_from_another_process, args=(str(root), aid, "The committee will publish"))
        proc.start()
        proc.join(60)
        assert proc.exitcode == 0
        window.highlights.add(aid, *_span(window, aid, PHRASE))
        window.update(stale)  # a later write of the stale copy keeps both as well
        quotes = sorted(m.quote for m in window.highlights.list(aid))
        assert quotes == sorted(["The committee will publish", PHRASE])
        meta = json.loads((window.article_dir(aid) / "meta.json").read_text())
        assert sorted(m["quote"] for m in meta["highlights"]) == quotes
        assert check_archive(window) == []


def test_offset_map_between_renderings_of_one_text():
    from archive.library.textmap import OffsetMap

    canonical = "Hello brave new world.\nSecond para here with words.\nThird."
    other = "A HEADING\nHello brave  new world.\n[picture]\n\u2029Second para here with words.\n\ufffcThird."
    mapping = OffsetMap(canonical, other)
    for words in ("brave new", "Second para", "Third", "Hello", "world.\nSecond"):
        start = canonical.index(words)
        span = mapping.span(start, start + len(words))
        assert " ".join(other[span[0]:span[1]].split()).startswith(words.split()[0])
        assert mapping.back(*span) == (start, start + len(words))
    assert mapping.span(5, 6) is None  # only a space


def test_anchoring_prefers_the_occurrence_whose_context_matches():
    from archive.library.anchoring import context_of, place

    text = "the tide rose. the tide fell at dawn. the tide rose again at noon."
    start = text.index("the tide rose again")
    quote, prefix, suffix = context_of(text, start, start + len("the tide"))
    changed = "NEW. " + text.replace("rose. ", "rose high. ")
    spot = place(changed, quote, prefix, suffix, start, start + len("the tide"))
    assert spot.how == "quote" and changed[spot.end:].startswith(" rose again")


def test_reanchor_merges_what_lands_together_and_keeps_the_older():
    from archive.base.models import Highlight
    from archive.library.highlights import reanchor

    old = "alpha beta gamma delta. alpha beta gamma delta. epsilon"
    def mark(i, start, end, created, note=""):
        return Highlight(id=i, article_id="a", quote=old[start:end], start=start, end=end,
                         prefix=old[max(0, start - 32):start], suffix=old[end:end + 32],
                         created=created, note=note)
    marks = [mark("one", 0, 10, "2020-01-02", "first"), mark("two", 24, 34, "2020-01-01", "second"),
             mark("three", 6, 16, "2020-01-03", "third"), mark("far", 48, 55, "2020-01-04")]
    new = "alpha beta gamma delta. epsilon"  # the repeated sentence is gone
    placed, dropped, report = reanchor(marks, new)
    by_id = {m.id: m for m in placed}
    assert set(dropped) == {"one", "three"} and set(by_id) == {"two", "far"}
    assert by_id["two"].quote == "alpha beta gamma" and by_id["two"].note == "second\n\nfirst\n\nthird"
    assert report.placed == 4 and report.unplaced == []
    assert new[by_id["far"].start:by_id["far"].end] == "epsilon"


def test_a_long_quote_with_a_changed_word_is_placed_with_bounded_work(monkeypatch):
    """A 5,000-character highlight took difflib minutes (quadratic on characters): the
    fuzzy match now compares only the quote's edges by character, the rest by words."""
    import random

    from archive.library import anchoring

    rnd = random.Random(5)
    words = "tide marsh heron winter flood observer spring water bird nest calendar".split()
    text = " ".join(rnd.choice(words) for _ in range(3000))
    quote = text[2000:7000].strip()
    changed = "A new opening line. " + text.replace(quote, quote.replace("heron", "egret", 3))
    work = []
    real = anchoring.SequenceMatcher

    class Counting(real):
        def __init__(self, isjunk=None, a="", b="", autojunk=True):
            if isinstance(a, str):
                work.append(len(a) * len(b))
            super().__init__(isjunk, a, b, autojunk)

    monkeypatch.setattr(anchoring, "SequenceMatcher", Counting)
    spot = anchoring.place(changed, quote, "", "", 2000, 2000 + len(quote))
    assert spot is not None and spot.how == "fuzzy"
    assert changed[spot.start:spot.start + 40] == quote.replace("heron", "egret", 3)[:40]
    assert max(work) <= anchoring.EDGE * (2 * 400 + 2 * anchoring.EDGE)  # edges only, by character
    assert len(work) <= 2 * anchoring.FUZZY_TRIES


def test_a_torn_highlight_in_meta_json_does_not_cost_the_article(tmp_path):
    root = tmp_path / "a"
    with Archive(root, seed=False, fetch=False) as archive:
        aid = _save(archive).id
        mark = archive.highlights.add(aid, *_span(archive, aid, PHRASE))
    meta_path = root / "articles" / aid / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta["highlights"].append({"id": "torn", "quote": "no offsets"})
    meta["highlights"].append("not even an object")
    meta_path.write_text(json.dumps(meta))
    for extra in ("catalog.sqlite", "catalog.sqlite-wal", "catalog.sqlite-shm"):
        (root / extra).unlink(missing_ok=True)
    with Archive(root, seed=False, fetch=False) as archive:
        assert archive.get(aid).title and archive.highlights.list(aid) == [mark]
        check_archive(archive, repair=True)  # meta.json rewritten from the catalog
        assert check_archive(archive) == []
