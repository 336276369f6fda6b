"""Search results: sorting, paging, snippets, did-you-mean, facets, totals."""
from __future__ import annotations

import re

import pytest

from archive.search.engine import run_search
from archive.search.snippets import MATCH_OPEN, make_snippet

from tests.support.search import add_articles, arch, ids  # noqa: F401 (arch is a fixture)


def test_sort_by_date_newest_and_oldest(arch):
    newest = [h.saved for h in run_search(arch, "", sort="newest", limit=50).hits]
    oldest = [h.saved for h in run_search(arch, "", sort="oldest", limit=50).hits]
    assert len(newest) == 8
    assert newest == sorted(newest, reverse=True)
    assert oldest == list(reversed(newest))


def test_relevance_ranks_the_article_about_it_first(arch):
    # "turbines" twice in the wind article, once nowhere else; title words weigh more
    assert run_search(arch, "turbines solar OR turbines").hits[0].id == "wind000006"
    assert run_search(arch, "marsh").hits[0].id == "tides00001"


def test_paging_with_offset_and_limit(arch):
    every = [h.id for h in run_search(arch, "", sort="newest", limit=50).hits]
    pages = [h.id for off in range(0, 8, 3) for h in run_search(arch, "", sort="newest", offset=off, limit=3).hits]
    assert pages == every
    page = run_search(arch, "", sort="newest", offset=6, limit=3)
    assert page.total == 8 and len(page.hits) == 2


def test_snippet_highlights_matched_word_forms(arch):
    hit = run_search(arch, "run").hits[0]
    marked = re.findall(r'<b class="match">(\w+)</b>', hit.snippet)
    assert {"run", "Running"} <= set(marked) and "Runners" not in marked  # runner is another word


def test_snippet_of_a_phrase_and_a_prefix(arch):
    hit = run_search(arch, '"spring floods"').hits[0]
    assert f"{MATCH_OPEN}spring</b> {MATCH_OPEN}floods</b>" in hit.snippet
    hit = run_search(arch, "photo*").hits[0]
    assert {"photovoltaic", "Photographs"} <= set(re.findall(r'<b class="match">(\w+)</b>', hit.snippet))


def test_snippet_ignores_words_under_not(arch):
    hit = run_search(arch, "solar -battery").hits[0]
    assert "solar" in hit.snippet and "battery" not in re.findall(r'<b class="match">(\w+)</b>', hit.snippet)


def test_snippet_escapes_the_text(arch):
    hit = run_search(arch, "escaping").hits[0]
    assert "<script>" not in hit.snippet and "&lt;script&gt;" in hit.snippet
    assert f"{MATCH_OPEN}escaping</b>" in hit.snippet


def test_snippet_without_a_text_match_shows_the_start(arch):
    hit = run_search(arch, "tag:recipes").hits[0]
    assert hit.snippet.startswith("Feed the starter") and MATCH_OPEN not in hit.snippet


def test_no_snippets_when_not_asked(arch):
    assert run_search(arch, "herons", snippets=False).hits[0].snippet == ""


def test_snippet_has_at_most_three_fragments():
    text = " ".join(f"Paragraph {n} says nothing much until the word heron appears here. " + "filler " * 60
                    for n in range(8))
    snippet = make_snippet(text, {"heron"})
    assert snippet.count(MATCH_OPEN) == 3
    assert snippet.count("…") >= 3  # fragments are separated and cut marks shown
    assert len(snippet) < 3 * 260


def test_did_you_mean_for_a_query_without_hits(arch):
    result = run_search(arch, "heorns marsh")
    assert result.total == 0
    assert result.suggestion == "herons marsh"
    assert ids(run_search(arch, result.suggestion)) == {"tides00001"}


def test_did_you_mean_corrects_several_words(arch):
    assert run_search(arch, "sourduogh bred").suggestion == "sourdough bread"


def test_no_suggestion_when_there_are_hits_or_nothing_is_close(arch):
    assert run_search(arch, "herons").suggestion is None
    assert run_search(arch, "qqqqzzzz").suggestion is None


def test_facets_count_tags_and_sites_of_all_matches(arch):
    result = run_search(arch, "grid OR solar OR herons", limit=1, facets=True)
    assert result.total == 3 and len(result.hits) == 1
    assert dict(result.facets["tag"]) == {"energy": 2, "science": 2, "long reads": 1}
    assert dict(result.facets["site"]) == {"Grid Report": 2, "The Daily Example": 1}
    assert result.facets["tag"][0][1] == 2  # largest first


def test_facets_only_when_asked(arch):
    assert run_search(arch, "solar").facets == {}


def test_tag_change_shows_in_search_and_facets(tmp_path):
    from archive import Archive

    with Archive(tmp_path / "a", seed=False, fetch=False) as a:
        add_articles(a)
        a.tag("wind000006", add=["Coast"])
        assert ids(run_search(a, "tag:coast")) == {"wind000006"}
        assert ("Coast", 1) in run_search(a, "grid", facets=True).facets["tag"]
        a.set_state("wind000006", is_favorite=True)
        assert ids(run_search(a, "is:favorite")) == {"bread00002", "wind000006"}
        a.delete("wind000006")
        assert ids(run_search(a, "turbines")) == set()


def test_totals_match_whoosh_counts_with_deletions(tmp_path):
    """The set-algebra count equals Whoosh's own matcher count, deleted documents excluded."""
    from archive import Archive
    from archive.search.query import parse_query

    with Archive(tmp_path / "a", seed=False, fetch=False) as a:
        add_articles(a)
        a.delete("bread00002")
        a.tag("tides00001", add=["birds"])  # an update: the old document is deleted
        for q in ["the", "-the", "solar OR the", "the -grid", "NOT is:read", "phot*", "marsh the",
                  "tag:science OR tag:energy", '"the marsh"', "saved:2026", "sourdouh~"]:
            with a.index.searcher() as s:
                expected = len(set(s.docs_for_query(parse_query(q).query)))
            assert run_search(a, q, limit=1).total == expected, q


def test_match_spans_for_the_reader(arch):
    from archive.search.engine import match_spans

    text = "Runners run; the café runs late. Running is not photography."
    spans = match_spans(arch, "run cafe -photography", text)
    assert [text[s:e] for s, e in spans] == ["run", "café", "runs", "Running"]
    assert match_spans(arch, "tag:recipes", text) == []


def test_empty_query_lists_the_whole_archive_by_date_with_paging(tmp_path):
    from archive import Archive
    from tests.support import make_page

    with Archive(tmp_path / "a", seed=False, fetch=False) as a:
        ids = [a.save_html(make_page(f"Story {i}"), f"https://e.example/{i}",
                           saved=f"2026-01-{10 + i:02d}T00:00:00+00:00").article.id for i in range(5)]
        newest = a.search_full("", limit=2)
        assert newest.total == 5 and [h.id for h in newest.hits] == [ids[4], ids[3]]
        assert [h.id for h in a.search_full("", limit=2, offset=2).hits] == [ids[2], ids[1]]
        assert [h.id for h in a.search_full("", limit=5, sort="oldest").hits] == ids
        assert all(h.snippet for h in newest.hits)
        assert a.search_full("", facets=True).facets  # facets still come from the index


def test_snippet_matches_equal_a_word_by_word_check():
    """The candidate regex (plain word beginnings, shortened for hundreds of prefix*
    terms, any word with a non-ASCII letter) finds exactly the words whose term is
    wanted, accented or not."""
    from archive.search.index import WORD_RE, word_term
    from archive.search.snippets import find_matches as _find_matches

    text = ("Le café du coin — “Cafés” and CAFE; naïve naive résumé resume. Studies of studying "
            "hope, hoping, hopes: the communities communicated with a committee, commuting in Zürich.")
    words = [m for m in WORD_RE.finditer(text)]
    for terms in ({word_term("cafe"), word_term("naive")}, {word_term("resume"), word_term("study")},
                  {word_term(w) for w in ("hoping", "community", "commute", "zurich")},
                  {word_term(m.group()) for m in words} | {f"zz{k}" for k in range(300)}):
        expected = [(m.start(), m.end()) for m in words if word_term(m.group()) in terms]
        assert _find_matches(text, terms) == expected, terms
        assert _find_matches(text.encode("ascii", "ignore").decode(), terms) == [
            (m.start(), m.end()) for m in WORD_RE.finditer(text.encode("ascii", "ignore").decode())
            if word_term(m.group()) in terms]
    assert [text[s:e] for s, e in _find_matches(text, {word_term("cafe")})] == ["café", "Cafés", "CAFE"]


def test_a_prefix_longer_than_the_stem_still_finds_the_word(tmp_path):
    """The index holds stems: "runni*" must find "running" (stem "run") and
    "universi*" "universities" ("univers"), without pulling in other words."""
    from archive import Archive
    from tests.support import make_page

    with Archive(tmp_path / "a", seed=False, fetch=False) as archive:
        trail = archive.save_html(make_page("Trail notes", "We were running past the universities."), None)
        archive.save_html(make_page("Standing stones", "Rune stones and ruins by the river."), None)
        for query in ("runni*", "runn*", "universi*", "universit*", "title:trai*"):
            assert [h.id for h in run_search(archive, query).hits] == [trail.article.id], query
        assert run_search(archive, "runni*").hits[0].snippet.count(MATCH_OPEN) >= 1
        assert run_search(archive, "zebr*").total == 0
        assert run_search(archive, "run*").total == 2  # "rune" starts with "run": both


def test_did_you_mean_leaves_short_words_and_chinese_alone(tmp_path):
    """"solar's" has the one-letter word "s": it used to be "corrected" to "so"."""
    from archive import Archive
    from tests.support import make_page

    with Archive(tmp_path / "a", seed=False, fetch=False) as a:
        a.save_html(make_page("Solar power", "Solar panels, so many of them, on every roof."), None)
        result = run_search(a, "solar's")
        assert result.total == 0 and result.suggestion is None
        assert run_search(a, "solra panels").suggestion == "solar panels"  # still corrects
        assert run_search(a, "北京").suggestion is None


def test_did_you_mean_despite_a_note_about_the_query(tmp_path):
    """A note the query has anyway ("or" searched as a word) does not stop the
    suggestion; only a correction that makes the query unreadable does."""
    from archive import Archive
    from tests.support import make_page

    with Archive(tmp_path / "a", seed=False, fetch=False) as a:
        a.save_html(make_page("Energy", "Solar or wind, the grid takes both."), None)
        result = run_search(a, "solar or wnd")
        assert result.total == 0 and result.note
        assert result.suggestion == "solar or wind"
