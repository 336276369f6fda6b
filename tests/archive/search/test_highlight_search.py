"""Highlights and notes in search: highlight:/note: search only them, has:highlights and
has:notes filter, a plain word finds a note, and a hit in a highlight is the snippet."""
from __future__ import annotations

import pytest

from archive.library.highlights import matching
from archive.search.index import INDEX_VERSION, VERSION_FILE
from tests.support import make_page


@pytest.fixture
def marked(archive):
    a = archive.save_html(make_page("Tides", "A study of migrating herons."), "https://example.com/a").article.id
    b = archive.save_html(make_page("Marsh", "Egrets along the river."), "https://example.com/b").article.id
    c = archive.save_html(make_page("Plain", "Nothing marked in this one."), "https://example.com/c").article.id
    archive.highlights.add_quote(a, "spring floods arrived earlier", note="compare with the zebra herd")
    archive.highlights.add_quote(b, "the marsh birds", color="green")
    return archive, a, b, c


def ids(archive, query):
    return sorted(h.id for h in archive.search(query, limit=50))


def test_field_searches_and_filters(marked):
    archive, a, b, c = marked
    assert ids(archive, "highlight:floods") == [a]  # every article has the words; one marked them
    assert ids(archive, "highlight:marsh") == [b]
    assert ids(archive, 'highlight:"spring floods"') == [a]
    assert ids(archive, "note:zebra") == [a] and ids(archive, "note:floods") == []
    assert ids(archive, "zebra") == [a]  # a note's words are found by a plain search too
    assert ids(archive, "has:highlights") == sorted([a, b])
    assert ids(archive, "has:notes") == [a]
    assert ids(archive, "-has:highlights") == [c]
    result = archive.search_full("has:everything")
    assert "has:highlights or has:notes" in result.note


def test_changes_reach_the_index(marked):
    archive, a, b, c = marked
    (mark,) = archive.highlights.list(b)
    archive.highlights.update(mark.id, note="a new zebra note")
    assert ids(archive, "note:zebra") == sorted([a, b])
    archive.highlights.delete(mark.id)
    assert ids(archive, "has:highlights") == [a]


def test_a_hit_in_a_highlight_is_the_snippet(marked):
    archive, a, b, c = marked
    (hit,) = archive.search("highlight:floods")
    assert hit.snippet.startswith('<span class="highlight-snippet">“spring <b class="match">floods</b>')
    assert "zebra" in hit.snippet  # its note under it
    (hit,) = archive.search("zebra")
    assert '<b class="match">zebra</b>' in hit.snippet and "spring floods" in hit.snippet
    (hit,) = [h for h in archive.search("herons") if h.id == a]
    assert "highlight-snippet" not in hit.snippet  # the words are not in a highlight


def test_an_index_of_the_previous_version_is_rebuilt_with_highlights(tmp_path):
    from archive import Archive

    root = tmp_path / "a"
    with Archive(root, seed=False, fetch=False) as archive:
        aid = archive.save_html(make_page(), "https://example.com/a").article.id
        archive.highlights.add_quote(aid, "spring floods", note="zebra")
    (root / "index" / VERSION_FILE).write_text(str(INDEX_VERSION - 1))
    with Archive(root, seed=False, fetch=False) as archive:
        assert ids(archive, "note:zebra") == [aid] and ids(archive, "has:notes") == [aid]


def test_matching_lists_highlights_of_found_articles(marked):
    archive, a, b, c = marked
    assert len(matching(archive)) == 2
    assert [m.article_id for m in matching(archive, "zebra")] == [a]
    assert [m.article_id for m in matching(archive, "title:marsh")] == [b]  # all of a found article's
    assert [m.article_id for m in matching(archive, color="green")] == [b]
    assert matching(archive, "title:plain") == []
