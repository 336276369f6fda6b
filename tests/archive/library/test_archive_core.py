"""Save, index, search and tag round trips on a real archive folder."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from archive import Archive
from archive.base.errors import ExtractionError, NotFoundError
from tests.support import REPO, corpus_pages, make_page, phrase_from


def test_save_html_writes_every_part(archive):
    res = archive.save_html(make_page(), "https://daily.example/2026/tides")
    assert res.created
    a = res.article
    folder = archive.article_dir(a.id)
    assert (folder / "article.html").is_file()
    assert (folder / "source.html.gz").is_file()
    meta = json.loads((folder / "meta.json").read_text())
    assert meta["id"] == a.id and meta["url"] == "https://daily.example/2026/tides"
    assert a.title == "Tides of the northern marsh"
    assert a.site == "The Daily Example"
    assert a.word_count > 40 and a.reading_minutes >= 1
    html = archive.article_html(a.id)
    assert "<script" not in html and "alert(" not in html
    assert "harbour observatory" in archive.article_text(a.id)
    assert archive.source_html(a.id) == make_page().encode("utf-8")


def test_search_finds_title_body_and_fields(archive):
    a = archive.save_html(make_page(), "https://daily.example/2026/tides").article
    b = archive.save_html(make_page("Bread without yeast", "Sourdough starters explained."),
                          "https://kitchen.example/bread").article
    hits = archive.search("herons")
    assert [h.id for h in hits] == [a.id]
    assert '<b class="match">' in hits[0].snippet
    # stemming: "measuring" finds "measured"
    assert {h.id for h in archive.search("measuring")} == {a.id, b.id}
    assert [h.id for h in archive.search("title:bread")] == [b.id]
    assert [h.id for h in archive.search("site:kitchen.example")] == [b.id]
    assert [h.id for h in archive.search('"spring floods" sourdough')] == [b.id]
    assert [h.id for h in archive.search("measured -sourdough")] == [a.id]
    hit = archive.search("sourdough")[0]
    assert hit.url == "https://kitchen.example/bread" and hit.site and hit.saved and hit.score > 0


def test_tags_round_trip_and_filter(archive):
    a = archive.save_html(make_page(), "https://daily.example/a", tags=["science"]).article
    b = archive.save_html(make_page("Second story", "Other words."), "https://daily.example/b").article
    assert [h.id for h in archive.search("tag:science")] == [a.id]
    archive.tag(b.id, add=["science", "Long reads"])
    assert {h.id for h in archive.search("tag:science")} == {a.id, b.id}
    assert [h.id for h in archive.search('tag:"long reads"')] == [b.id]
    assert dict(archive.tags()) == {"Long reads": 1, "science": 2}
    archive.tag(a.id, remove=["science"])
    assert [h.id for h in archive.search("tag:science")] == [b.id]
    assert archive.get(a.id).tags == []
    meta = json.loads((archive.article_dir(b.id) / "meta.json").read_text())
    assert meta["tags"] == ["Long reads", "science"]


def test_duplicate_url_and_file_return_existing(archive, tmp_path):
    first = archive.save_html(make_page(), "https://daily.example/a?utm_source=x")
    again = archive.save_html(make_page(), "https://daily.example/a")
    assert not again.created and again.article.id == first.article.id
    page = tmp_path / "page.html"
    page.write_text(make_page("A saved file", "Written to disk."), encoding="utf-8")
    f1 = archive.save_file(page)
    f2 = archive.save_file(page)
    assert f1.created and not f2.created and f1.article.id == f2.article.id
    assert len(archive.articles()) == 2


def test_file_charset_from_meta(archive, tmp_path):
    page = tmp_path / "ru.htm"
    html = make_page("Новости науки", "Учёные измерили приливы.").replace('charset="utf-8"', 'charset="windows-1251"')
    page.write_bytes(html.encode("cp1251"))
    a = archive.save_file(page).article
    assert a.title == "Новости науки"
    assert [h.id for h in archive.search("приливы")] == [a.id]


def test_failed_save_leaves_nothing(archive):
    with pytest.raises(ExtractionError):
        archive.save_html("", "https://daily.example/empty")
    assert archive.articles() == []
    assert [p.name for p in (archive.root / "articles").iterdir()] == []
    assert archive.index.doc_count() == 0


def test_delete_and_not_found(archive):
    a = archive.save_html(make_page(), "https://daily.example/a").article
    archive.delete(a.id)
    assert not archive.article_dir(a.id).exists()
    assert archive.search("herons") == []
    with pytest.raises(NotFoundError):
        archive.get(a.id)


def test_reopen_and_reindex(tmp_path):
    root = tmp_path / "arch"
    with Archive(root, seed=False, fetch=False) as a:
        aid = a.save_html(make_page(), "https://daily.example/a", tags=["kept"]).article.id
    with Archive(root, seed=False, fetch=False) as a:
        assert a.get(aid).tags == ["kept"]
        assert a.reindex() == 1
        assert [h.id for h in a.search("tag:kept herons")] == [aid]


def test_corrupted_index_is_rebuilt_on_open(tmp_path):
    root = tmp_path / "arch"
    with Archive(root, seed=False, fetch=False) as a:
        aid = a.save_html(make_page(), "https://daily.example/a").article.id
    for f in (root / "index").iterdir():
        f.write_bytes(b"garbage")
    with Archive(root, seed=False, fetch=False) as a:
        assert [h.id for h in a.search("herons")] == [aid]


def test_welcome_articles_seed_a_new_archive(tmp_path):
    with Archive(tmp_path / "new", fetch=False) as a:
        arts = a.articles()
        assert 3 <= len(arts) <= 5
        titles = {x.title for x in arts}
        assert "Keyboard shortcuts" in titles
        assert a.search("shortcuts")[0].title == "Keyboard shortcuts"
        assert a.search("title:searching")
        for x in arts:  # the heading is not repeated at the top of the text (and snippet)
            assert not a.article_text(x.id).startswith(x.title), x.title
    with Archive(tmp_path / "new", fetch=False) as a:  # not seeded twice
        assert len(a.articles()) == len(arts)


def test_corpus_page_phrase_search(archive):
    html, url, truth = corpus_pages(1)[0]
    a = archive.save_html(html, url).article
    hits = archive.search(f'"{phrase_from(truth)}"')
    assert hits and hits[0].id == a.id


def test_malformed_queries_never_fail(archive):
    archive.save_html(make_page(), "https://daily.example/a")
    for q in ['"unclosed', "(((", "title:", "AND OR NOT", "foo:bar", "saved:>notadate", "*", "~", "tag:"]:
        archive.search(q)  # must not raise
    assert archive.search_full("herons AND (").hits


def test_importing_archive_leaves_qt_out():
    code = "import sys, archive, archive.library.store, app.cli.main, app.launcher, archive.work.bulk; print('PySide6' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_missing_picture_placeholders_are_not_indexed(archive):
    page = make_page().replace("<p>The committee", '<img src="https://img.example/pic.jpg" alt="marsh">'
                                                   "<p>The committee")
    a = archive.save_html(page, "https://daily.example/pic")  # fetching is off: a placeholder
    html = archive.article_html(a.article.id)
    assert "missing-image" in html and "img.example/pic.jpg" in html
    archive.reindex()
    assert "Image not saved" not in archive.article_text(a.article.id)
    assert archive.search('"image not saved"') == []


def test_core_sources_never_import_the_gui():
    import re

    pattern = re.compile(r"^\s*(from|import) (PySide6|app)\b", re.M)
    offenders = [str(p.relative_to(REPO)) for p in (REPO / "archive").rglob("*.py")
                 if pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
