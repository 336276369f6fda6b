"""The query language, form by form, on a small archive with known articles."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.search.query import parse_query
from archive.search.engine import run_search

from tests.support.search import add_articles, arch, ids  # noqa: F401 (arch is a fixture)


@pytest.fixture
def fresh(archive):
    """An archive of its own, for tests that change it (collections)."""
    add_articles(archive)
    return archive


def found(arch, text: str) -> set[str]:
    result = run_search(arch, text, limit=50)
    assert result.total == len(result.hits)
    return ids(result)


@pytest.mark.parametrize("text, expected", [
    ("heron", {"tides00001"}),  # stemmed: the text says "herons"
    ("measuring", {"bread00002"}),  # "measured"
    ("HERONS", {"tides00001"}),  # case
    ("CAFE", {"cafe000003"}),  # accents folded both ways
    ("crème brulee", {"cafe000003"}),
    ("run", {"run0000004"}),  # runners, run, running
    ('"spring floods"', {"tides00001"}),
    ('"floods spring"', set()),
    ('"the marsh birds"', {"tides00001"}),  # a phrase with common words (indexed pairs)
    ('"of the"', {"tides00001", "bread00002", "solar00005"}),
    ('"the marsh water"', set()),
    ('"floods earlier"', set()),
    ('"floods earlier"~2', {"tides00001"}),  # a slop phrase: Whoosh's own Phrase reads the positions
    ("solar battery", {"solar00005"}),
    ("solar AND battery", {"solar00005"}),
    ("solar OR sourdough", {"solar00005", "wind000006", "bread00002"}),
    ("solar NOT battery", {"wind000006"}),
    ("solar -battery", {"wind000006"}),
    ("photo*", {"solar00005"}),
    ("sourdouh~", {"bread00002"}),
    ("title:bread", {"bread00002"}),
    ("title:marsh", {"tides00001"}),
    ("author:okafor", {"bread00002"}),
    ("site:kitchen.example", {"bread00002"}),
    ("site:kitchen", {"bread00002"}),
    ('site:"grid report"', {"solar00005", "wind000006"}),
    ("tag:recipes", {"bread00002"}),
    ('tag:"long reads"', {"tides00001"}),
    ("tag:energy solar", {"solar00005", "wind000006"}),
    ("url:lemonde", {"cafe000003"}),
    ("https://lemonde.example/cafe", {"cafe000003"}),
    ("lang:fr", {"cafe000003"}),
    ("title:volcanoes", {"pend000007"}),  # a pending item is found by title
])
def test_words_phrases_operators_and_fields(arch, text, expected):
    assert found(arch, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("published:2016", {"tides00001"}),
    ("published:[2019 to 2021]", {"bread00002"}),
    ("published:>2021-01-01", {"solar00005"}),
    ("saved:2025", {"bread00002"}),
    ("saved:2026-01", {"tides00001"}),
    ("saved:[2023-01-01 to 2024-12-31]", {"solar00005", "wind000006"}),
    ("saved:<2022-06-01", {"pend000007", "escape0008"}),
    ("saved:>=last-week", {"cafe000003"}),  # more in test_query_dates.py
])
def test_dates_with_ranges_and_relative_forms(arch, text, expected):
    assert found(arch, text) == expected


def test_saved_after_a_date(arch):
    expected = {"tides00001", "cafe000003", "run0000004"}
    assert found(arch, "saved:>2026-01-01") == expected


@pytest.mark.parametrize("text, expected", [
    ("is:read", {"bread00002"}),
    ("is:favorite", {"bread00002"}),
    ("is:favourite", {"bread00002"}),
    ("is:archived", {"cafe000003"}),
    ("is:uncertain", {"run0000004"}),
    ("is:pending", {"pend000007"}),
    ("grid is:unread", {"solar00005", "wind000006"}),
    ("tag:energy -is:read", {"solar00005", "wind000006"}),
])
def test_states(arch, text, expected):
    assert found(arch, text) == expected


def test_unknown_state_is_explained(arch):
    result = run_search(arch, "is:sleepy")
    assert result.hits == [] and "not a state" in result.note


def test_collection_filter_manual_and_smart(fresh):
    from archive.library import collections

    arch = fresh
    collections.create(arch, "Reading list")
    collections.add(arch, "Reading list", ["tides00001", "bread00002"])
    collections.create(arch, "Power", query="tag:energy")
    assert found(arch, 'collection:"reading list"') == {"tides00001", "bread00002"}
    assert found(arch, 'collection:"Reading list" sourdough') == {"bread00002"}
    assert found(arch, "collection:power") == {"solar00005", "wind000006"}
    assert found(arch, "collection:power -turbines") == {"solar00005"}
    # membership is read at search time: a change shows at once
    collections.remove(arch, "Reading list", ["tides00001"])
    assert found(arch, 'collection:"reading list"') == {"bread00002"}
    missing = run_search(arch, "collection:nowhere")
    assert missing.hits == [] and "no collection named" in missing.note


def test_smart_collection_referring_to_itself_does_not_loop(fresh):
    from archive.library import collections

    arch = fresh
    collections.create(arch, "Loop", query="collection:loop OR solar")
    result = run_search(arch, "collection:loop")
    assert ids(result) == {"solar00005", "wind000006"}
    assert "refers to itself" in result.note


@pytest.mark.parametrize("text", ['herons AND (', '"spring floods', "herons)", "title:[marsh"])
def test_malformed_query_is_searched_as_plain_words_with_a_note(arch, text):
    result = run_search(arch, text)
    assert "tides00001" in ids(result)
    assert result.note.startswith("could not read the query as written")


def test_unknown_field_is_searched_as_a_word_with_a_note(arch):
    result = run_search(arch, "colour:herons")
    assert ids(result) == set()  # "colour" and "herons" together: no article has both
    assert "no field 'colour'" in result.note
    assert ids(run_search(arch, "northern:herons")) == {"tides00001"}


def test_a_well_formed_query_has_no_note(arch):
    assert run_search(arch, 'tag:science "spring floods" -is:read saved:2026').note == ""


def test_empty_query_lists_everything(arch):
    assert run_search(arch, "", limit=50).total == 8


query_text = st.lists(st.sampled_from(list('abc xyzé"()[]:*~-<>=^\\/!?,.{}#&\x00\x02') + [
    "AND ", "OR ", "NOT ", "or ", "not ", "title:", "saved:", "is:", "tag:", "published:>", "to ",
    "collection:", "url:", "lang:", "https://", "www.", "?utm_source=x", "..", "last-week", "2016",
    "2016-02-30", "herons", "*", "~2", ": "]), max_size=20).map("".join)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=60), query_text))
def test_parse_query_never_raises(text):
    parsed = parse_query(text)
    assert parsed.query is not None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query_text)
def test_run_search_never_raises(arch, text):
    result = run_search(arch, text, facets=True)
    assert result.total >= len(result.hits)


# -- punctuation, operators and fields as people type them ---------------------------
ALL = {"tides00001", "bread00002", "cafe000003", "run0000004", "solar00005", "wind000006",
       "pend000007", "escape0008"}


@pytest.mark.parametrize("text, expected", [
    ("herons?", {"tides00001"}),  # "?" is punctuation, not a wildcard
    ("which marsh has herons?", set()),  # every word counts: no article has "which"
    ("marsh herons?", {"tides00001"}),
    ("what?marsh", set()),
    ("title:marsh?", {"tides00001"}),
    ("phot*", {"solar00005"}),  # * still is one
])
def test_question_mark_is_punctuation(arch, text, expected):
    result = run_search(arch, text, limit=50)
    assert ids(result) == expected and result.note == ""


@pytest.mark.parametrize("text, expected", [
    ("(-battery solar)", {"wind000006"}),
    ("(solar -battery)", {"wind000006"}),
    ("(-battery) AND solar", {"wind000006"}),
    ("(-battery) OR turbines", ALL - {"solar00005"}),
    ("(grid OR marsh) (-battery)", {"tides00001", "wind000006"}),
    ("(-tag:energy) grid", set()),
    ("e-mail", set()),  # a hyphen inside a word is not NOT
])
def test_minus_after_a_bracket_is_not(arch, text, expected):
    assert found(arch, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("title: marsh", {"tides00001"}),
    ("title:  marsh herons", {"tides00001"}),
    ("author: okafor", {"bread00002"}),
    ("is: read", {"bread00002"}),
    ('tag: "long reads"', {"tides00001"}),
    ("title: (bread OR marsh)", {"tides00001", "bread00002"}),
])
def test_a_space_after_a_field_name_is_allowed(arch, text, expected):
    result = run_search(arch, text, limit=50)
    assert ids(result) == expected and result.note == ""


@pytest.mark.parametrize("text, expected", [
    ("herons title:", {"tides00001"}),
    ("title:", ALL),  # nothing else: as if nothing had been typed
    ("herons tag:", {"tides00001"}),
    ("herons OR title:", {"tides00001"}),
    ("herons title: AND marsh", {"tides00001"}),
])
def test_a_field_name_with_nothing_after_it_is_left_out_with_a_note(arch, text, expected):
    result = run_search(arch, text, limit=50)
    assert ids(result) == expected
    assert "ignored" in result.note and "nothing after it" in result.note


def test_words_ending_in_a_colon_stay_words(arch):
    result = run_search(arch, "the question is: herons")
    assert result.note == ""
    assert ids(run_search(arch, "marsh is: herons")) == set()  # "is" is searched, as typed


@pytest.mark.parametrize("text, expected", [
    ("lang:FR", {"cafe000003"}),
    ("lang:Fr", {"cafe000003"}),
    ('lang:"FR"', {"cafe000003"}),
    ("-lang:EN", {"cafe000003", "pend000007"}),
])
def test_lang_ignores_case(arch, text, expected):
    assert found(arch, text) == expected


def test_lang_finds_regional_forms(fresh):
    from archive.base.models import Article
    from tests.support.search import add_articles as add

    add(fresh, [dict(id="british001", title="Colour of the sea", url="https://uk.example/sea", tags=[],
                     saved="2026-01-01T00:00:00+00:00", lang="en-GB", text="The colour of the sea.")])
    assert isinstance(fresh.get("british001"), Article)
    assert "british001" in found(fresh, "lang:en")
    assert found(fresh, "lang:en-GB") == found(fresh, "lang:en_gb") == {"british001"}
    assert found(fresh, "lang:en-us") == set()


@pytest.mark.parametrize("text", ["solar or sourdough", "herons or turbines", "solar Or wind"])
def test_lowercase_or_is_a_word_with_a_note(arch, text):
    result = run_search(arch, text)
    first, _or, second = text.split()
    if _or == "or":
        assert f'"or" was searched as a word; write {first} OR {second}' in result.note
    else:
        assert result.note == ""  # only the lower-case word gets a note


def test_lowercase_not_is_a_word_with_a_note(arch):
    result = run_search(arch, "solar not battery")
    assert ids(result) == set()  # no article has "not"
    assert '"not" was searched as a word; write -battery' in result.note


@pytest.mark.parametrize("text", ["to be or not to be", "rock and roll", '"solar or wind"', "or herons",
                                  "herons or"])
def test_no_operator_note_where_it_would_not_read_naturally(arch, text):
    assert run_search(arch, text).note == ""


# -- url: and site: ----------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "url:daily.example",
    "url:www.daily.example",
    "url:daily.example/tides",
    "url:https://www.daily.example/tides",
    "https://www.daily.example/tides",
    "https://daily.example/tides",
    "http://daily.example/tides?utm_source=tw&utm_medium=social",
    "https://www.daily.example/tides#top",
    "www.daily.example/tides",
    'url:"https://daily.example/tides?fbclid=abc"',
    "(marsh https://www.daily.example/tides)",
    "site:www.daily.example",
])
def test_url_and_pasted_addresses(arch, text):
    result = run_search(arch, text)
    assert ids(result) == {"tides00001"}
    assert result.note == ""


def test_url_keeps_what_tells_pages_apart(arch):
    assert found(arch, "https://daily.example/tides/other") == set()
    assert found(arch, "https://other.example/tides") == set()
    assert found(arch, "url:grid.example") == {"solar00005", "wind000006"}


def test_a_saved_address_with_tracking_parameters_is_found_without_them(tmp_path):
    """The article was saved from a shared link (utm_ parameters before the one that
    matters); the address pasted clean finds it, and so does the shared one."""
    from archive import Archive
    from tests.support import make_page

    shared = "https://www.news.example/2026/story?utm_source=feed&utm_medium=rss&id=5"
    with Archive(tmp_path / "a", seed=False, fetch=False) as archive:
        aid = archive.save_html(make_page("Story five"), shared).article.id
        for text in ("https://news.example/2026/story?id=5", shared, "url:news.example/2026/story"):
            assert [h.id for h in run_search(archive, text).hits] == [aid], text
        assert run_search(archive, "https://news.example/2026/story?id=6").total == 0


# -- tags: hierarchy, and names with quotes ---------------------------------------
TREE_TAGS = {
    "fit0000001": ["health/fitness"],
    "diet000002": ["health/diet", "Health/Diet/Vegan"],
    "both000003": ["health/fitness", "health/diet"],
    "top0000004": ["Health"],
    "near000005": ["healthy"],
    "quote00006": ['say "hi"'],
    "paren00007": ["notes (old)", "c*"],
}


@pytest.fixture
def tagged(archive):
    add_articles(archive, [
        dict(id=aid, title=f"Article {aid}", url=f"https://tags.example/{aid}", tags=tags,
             saved="2026-01-01T00:00:00+00:00", lang="en", text="plain words")
        for aid, tags in TREE_TAGS.items()])
    return archive


@pytest.mark.parametrize("text, expected", [
    ("tag:health", {"fit0000001", "diet000002", "both000003", "top0000004"}),
    ("tag:Health", {"fit0000001", "diet000002", "both000003", "top0000004"}),
    ("tag:health/diet", {"diet000002", "both000003"}),
    ("tag:health/diet/vegan", {"diet000002"}),
    ("tag:health/fitness", {"fit0000001", "both000003"}),
    ("-tag:health", {"near000005", "quote00006", "paren00007"}),
    ("words -tag:health/diet", {"fit0000001", "top0000004", "near000005", "quote00006", "paren00007"}),
    ("tag:heal*", {"fit0000001", "diet000002", "both000003", "top0000004", "near000005"}),
    ("tag:(fitness OR healthy)", {"near000005"}),
    ('tag:"say \\"hi\\""', {"quote00006"}),
    ('tag:"c*"', {"paren00007"}),
])
def test_a_tag_finds_the_tags_under_it(tagged, text, expected):
    result = run_search(tagged, text, limit=50)
    assert ids(result) == expected and result.note == ""


def test_the_tag_panes_queries_find_what_it_counts(tagged):
    from app.gui.tag_pane import build_tag_tree, tag_query

    def walk(nodes):
        for _label, full, count, children in nodes:
            yield full, count
            yield from walk(children)

    def under(tag: str, node: str) -> bool:
        return tag.lower() == node.lower() or tag.lower().startswith(node.lower() + "/")

    shown = dict(walk(build_tag_tree(tagged.tags())))
    # Health and health are one node, as they are one tag to the search
    assert [(full, count) for full, count in shown.items() if full.lower() == "health"] == [("Health", 6)]
    for full, count in shown.items():
        result = run_search(tagged, tag_query(full), limit=50)
        assert result.note == "", full
        pairs = {aid: sum(under(t, full) for t in tags) for aid, tags in TREE_TAGS.items()}
        assert ids(result) == {aid for aid, n in pairs.items() if n}, full
        # the pane counts (article, tag) pairs: an article with two tags under
        # one node (both000003: health/fitness and health/diet) counts twice
        assert count == sum(pairs.values()), full
        if max(pairs.values()) <= 1:
            assert result.total == count, full


def test_tag_query_quotes_what_needs_it():
    from app.gui.tag_pane import tag_query

    assert tag_query("recipes") == "tag:recipes"
    assert tag_query("topic/sub") == "tag:topic/sub"
    assert tag_query("long reads") == 'tag:"long reads"'
    assert tag_query('say "hi"') == 'tag:"say \\"hi\\""'
    assert tag_query("c*") == 'tag:"c*"'
    assert tag_query("OR") == 'tag:"OR"'
