"""The query language, form by form, on a small archive with known articles."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.query import parse_query
from archive.search import run_search

from search_fixtures import add_articles, arch, ids  # noqa: F401 (arch is a fixture)


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
    ("saved:last-week", {"cafe000003"}),
    ("saved:last-month", {"cafe000003", "run0000004"}),
    ("saved:>=last-week", {"cafe000003"}),
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
    from archive import collections

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
    from archive import collections

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


query_text = st.lists(st.sampled_from(list('abc xyzé"()[]:*~-<>=^\\/!?,.{}') + [
    "AND ", "OR ", "NOT ", "title:", "saved:", "is:", "tag:", "published:>", "to ", "collection:",
    "last-week", "2016", "herons", "*", "~2"]), max_size=20).map("".join)


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
