"""Finding what was read in other scripts and spellings, and marking it right.

Chinese and Japanese are written without spaces; some pages write é as e plus a
combining accent; German writes ss as ß, Russian ё for е. Each must be found by
the way a person would type it, and the snippet must mark the words found (and
only where a phrase really is)."""
from __future__ import annotations

import re

import pytest

from archive import Archive
from archive.search.engine import run_search
from archive.search.snippets import MATCH_OPEN, find_matches, make_snippet
from tests.support import make_page

JAPANESE = "東京の寿司は美味しい。浅草で天ぷらを食べた。東京タワーは夜も綺麗だった。"
CHINESE = "北京烤鸭很好吃。我们在胡同里喝茶，聊了很久。"


def marked(snippet: str) -> list[str]:
    return re.findall(re.escape(MATCH_OPEN) + r"(.*?)</b>", snippet)


@pytest.fixture()
def archive(tmp_path):
    with Archive(tmp_path / "a", seed=False, fetch=False) as a:
        yield a


def _save(archive: Archive, title: str, body: str) -> str:
    return archive.save_html(make_page(title, body), None).article.id


def test_words_inside_chinese_and_japanese_sentences_are_found(archive):
    tokyo = _save(archive, "東京の旅", JAPANESE * 3)
    beijing = _save(archive, "北京の思い出", CHINESE * 3)
    for query, expected in [("寿司", {tokyo}), ("東京", {tokyo}), ("天ぷら", {tokyo}),
                            ("東京タワー", {tokyo}), ("烤鸭", {beijing}), ("胡同", {beijing}),
                            ("茶", {beijing}), ("北京", {beijing}), ("title:旅", {tokyo}),
                            ("寿司 -烤鸭", {tokyo}), ('"喝茶"', {beijing})]:
        assert {h.id for h in run_search(archive, query).hits} == expected, query
    # characters that are in the text, but not next to each other: no match
    assert run_search(archive, "寿茶").total == 0
    assert run_search(archive, "司北").total == 0


def test_a_chinese_word_is_marked_as_one_piece(archive):
    _save(archive, "北京", CHINESE * 3)
    snippet = run_search(archive, "烤鸭").hits[0].snippet
    assert marked(snippet) and set(marked(snippet)) == {"烤鸭"}
    assert "吃" not in marked(snippet)


def test_decomposed_accents_are_one_word(archive):
    """é written as e + U+0301 (some publishing tools do): found as résumé and as
    resume, and marked as the whole word."""
    body = "Her re\u0301sume\u0301 listed the ho\u0302tel in Montre\u0301al. " * 3
    aid = _save(archive, "A job", body)
    for query in ("résumé", "resume", "re\u0301sume\u0301", "hotel", "montreal"):
        assert [h.id for h in run_search(archive, query).hits] == [aid], query
    assert marked(run_search(archive, "resume").hits[0].snippet)[0] == "résumé"


@pytest.mark.parametrize(("written", "typed"), [
    ("Die Straße war nass.", "strasse"),
    ("Die Strasse war nass.", "straße"),
    ("Новогодняя ёлка стояла в углу.", "елка"),
    ("Новогодняя елка стояла в углу.", "ёлка"),
    ("Une œuvre d'art.", "oeuvre"),
    ("Encyclopædia entries.", "encyclopaedia"),
])
def test_letters_written_two_ways_find_each_other(archive, written, typed):
    aid = _save(archive, "Spelling", (written + " ") * 5)
    hits = run_search(archive, typed).hits
    assert [h.id for h in hits] == [aid], typed
    assert marked(hits[0].snippet), typed  # and the word is marked in the snippet


def test_phrase_words_are_marked_only_where_the_phrase_is(archive):
    aid = _save(archive, "Music", "The history of rock and roll. And more and more people came. "
                "Rock music and roll cakes are not it.")
    snippet = run_search(archive, '"rock and roll"').hits[0].snippet
    assert marked(snippet) == ["rock", "and", "roll"]
    assert run_search(archive, '"rock and roll"').hits[0].id == aid
    # a word searched on its own is marked everywhere, even beside the phrase
    both = marked(run_search(archive, '"rock and roll" more').hits[0].snippet)
    assert both.count("more") == 2 and both.count("and") == 1


def test_a_word_with_a_special_stem_is_marked():
    """Porter2 stems "skies" to "sky" and "dying" to "die": not prefixes of their words."""
    from archive.search.index import word_term

    text = "Clear skies over the sea. The dying light."
    assert [text[s:e] for s, e in find_matches(text, {word_term("sky"), word_term("die")})] == \
        ["skies", "dying"]


def test_snippet_pieces_never_repeat_text():
    """Two runs of matches close together make one piece, marked throughout (they
    used to be widened separately and shown twice, the second time unmarked)."""
    from archive.search.index import word_term

    text = ("Le café du coin sert une crème brûlée parfaite. Les habitués lisent le journal au "
            "comptoir pendant des heures. Les garçons de café sont célèbres à Paris, où l'on boit "
            "un café noir.")
    snippet = make_snippet(text, {word_term("cafe")})
    plain = re.sub(r"<[^>]+>", "", snippet)
    for sentence in ("Les garçons de café sont célèbres", "une crème brûlée"):
        assert plain.count(sentence) <= 1, snippet
    assert marked(snippet) == ["café"] * 3


def test_snippets_of_long_texts_keep_three_separate_pieces():
    from archive.search.index import word_term

    text = " ".join(f"Part {n}: the heron waits." + " filler" * 80 for n in range(6))
    snippet = make_snippet(text, {word_term("heron")})
    assert marked(snippet) == ["heron"] * 3
    assert snippet.count("…") >= 3


def test_a_latin_word_written_against_japanese_is_marked():
    """"Pythonで": the Latin word ends where the Japanese begins. (One right after a
    Japanese character, "とPython", is found by search but not marked: a regex word
    boundary is not there, and a class of those scripts costs milliseconds to compile
    for every query.)"""
    from archive.search.index import word_term

    text = "Pythonで書く。 Python。"
    assert [text[s:e] for s, e in find_matches(text, {word_term("python")})] == ["Python", "Python"]
    assert [text[s:e] for s, e in find_matches(text, {word_term("python"), "書"})] == \
        ["Python", "書", "Python"]
