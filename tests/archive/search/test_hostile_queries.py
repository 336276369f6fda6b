"""Queries a person can type or paste that used to cost too much or answer wrongly:
a pasted page of text (seconds in "did you mean"), and --limit 0 / -1 (one hit)."""
from __future__ import annotations

import random
import string

import pytest

import archive.search.engine as engine
from tests.support import make_page


@pytest.fixture
def filled(archive):
    for i in range(4):
        archive.save_html(make_page(f"Story {i}", "herons tides marsh observatory"), f"https://x.example/{i}")
    return archive


def _count_spelling_work(monkeypatch) -> dict[str, int]:
    """Counts the did-you-mean work (edit distances, corrector look-ups): the test
    measures work, not wall-clock time."""
    from whoosh.spelling import Corrector

    work = {"distance": 0, "suggest": 0}
    distance, suggest = engine._edit_distance, Corrector.suggest

    def counted_distance(a, b):
        work["distance"] += 1
        return distance(a, b)

    def counted_suggest(self, *args, **kwargs):
        work["suggest"] += 1
        return suggest(self, *args, **kwargs)

    monkeypatch.setattr(engine, "_edit_distance", counted_distance)
    monkeypatch.setattr(Corrector, "suggest", counted_suggest)
    return work


def _gibberish(n_chars: int, seed: int = 1) -> str:
    rnd = random.Random(seed)
    words = ("".join(rnd.choice(string.ascii_lowercase) for _ in range(rnd.randint(4, 12)))
             for _ in range(n_chars))
    return " ".join(words)[:n_chars]


def test_a_pasted_page_of_text_does_bounded_spelling_work(filled, monkeypatch):
    """A pasted 10,000-character query took 3-30 s, nearly all in did-you-mean (a
    corrector look-up and up to 8 edit distances for every unknown word)."""
    work = _count_spelling_work(monkeypatch)
    result = filled.search_full(_gibberish(10_000))
    assert result.total == 0 and result.suggestion is None
    assert work["suggest"] == 0 and work["distance"] == 0

    # a long query still under the length cap: only the first few unknown words are looked up
    result = filled.search_full(_gibberish(900, seed=2))
    assert result.total == 0
    assert work["suggest"] <= engine.MAX_SUGGEST_WORDS
    assert work["distance"] <= engine.MAX_SUGGEST_WORDS * 8

    # one enormous word is not spelt at all
    work["suggest"] = work["distance"] = 0
    filled.search_full("x" * 5000)
    assert work["suggest"] == 0


def test_did_you_mean_still_corrects_a_typed_query(filled):
    result = filled.search_full("herrons")
    assert result.total == 0 and result.suggestion == "herons"


@pytest.mark.parametrize("limit", [0, -1])
def test_a_limit_of_zero_or_less_returns_no_hits(filled, limit):
    """`search --limit 0` and `--limit -1` returned one result (the limit was raised to 1)."""
    for query in ("herons", "", "tag:none OR herons", "*"):
        result = filled.search_full(query, limit=limit)
        assert result.hits == [], query
    assert filled.search_full("herons", limit=limit).total == 4
    for sort in ("newest", "oldest"):
        assert filled.search("herons", limit=limit, sort=sort) == []


def test_one_enormous_word_is_parsed_in_bounded_work(filled, monkeypatch):
    """Whoosh's parser tries its patterns at every position of a run of characters:
    a pasted 10,000-character "word" made 170,000 pattern matches (about a second)."""
    from whoosh.qparser import taggers

    from archive.search.query import MAX_QUERY_RUN

    tries = {"n": 0}
    match = taggers.RegexTagger.match

    def counted(self, parser, text, pos):
        tries["n"] += 1
        return match(self, parser, text, pos)

    monkeypatch.setattr(taggers.RegexTagger, "match", counted)
    filled.search_full("x" * 10_000)
    assert 0 < tries["n"] <= 30 * MAX_QUERY_RUN, tries
    assert filled.search_full("herons " + "y" * 10_000).total == 0
    assert filled.search_full("herons").total == 4
