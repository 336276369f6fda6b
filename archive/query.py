"""The query language: words, "phrases", AND/OR/NOT, -word, prefix*, fuzzy~,
field filters (title: author: site: tag: url: lang: collection:), dates
(saved:/published: with ranges and relative forms) and is: states.

The friendly forms are rewritten into what Whoosh's parser reads (its date and
>/< plugins), then the parsed tree gets the fast phrase query (phrases.py).
A malformed query never fails: it is searched as plain words instead, and
`ParsedQuery.note` says how it was read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from whoosh import qparser
from whoosh.qparser.dateparse import DateParserPlugin
from whoosh.query import Every, NullQuery, Phrase, Prefix, Query

from .index import make_schema
from .ranges import column_ranges

_SCHEMA = make_schema()
#: Fields a user may name (the others are internal).
PUBLIC_FIELDS = ("title", "author", "site", "tag", "url", "lang", "saved", "published", "is",
                 "collection", "content")
FIELD_ALIASES = {"tags": "tag", "sites": "site", "authors": "author", "by": "author",
                 "language": "lang", "state": "is", "in": "collection", "text": "content",
                 "date": "saved", "added": "saved"}
STATES = ("read", "unread", "favorite", "archived", "uncertain", "pending")
IS_ALIASES = {"favourite": "favorite", "fav": "favorite", "starred": "favorite",
              "new": "unread", "done": "read"}
RELATIVE_FORMS = ("today", "yesterday", "this-week", "last-week", "this-month", "last-month",
                  "this-year", "last-year")


@dataclass
class ParsedQuery:
    query: Query
    note: str = ""  # set when the text was not read as written


def _make_parser() -> qparser.QueryParser:
    # "content" holds the title too (see index.make_document): one field to search
    parser = qparser.QueryParser("content", _SCHEMA)
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.add_plugin(qparser.GtLtPlugin())
    parser.add_plugin(DateParserPlugin(free=False))
    return parser


_PARSER = _make_parser()
_FIELD_RE = re.compile(r"(?<![\w\"])(\w+):(?=\S)")
_URL_RE = re.compile(r"(?<![\w:\"])https?://([^\s\"]+)", re.IGNORECASE)
_RELATIVE_RE = re.compile(r"\b(saved|published):(>=?|<=?)?(" + "|".join(map(re.escape, RELATIVE_FORMS))
                          + r")\b", re.IGNORECASE)
_DATE_VALUE_RE = re.compile(r"\b(saved|published):(\[[^\]]*\]|\S+)")
_IS_RE = re.compile(r"\bis:(\w+)", re.IGNORECASE)


def relative_start(form: str, now: datetime) -> datetime:
    """First moment of a relative period: `this-*` from the calendar start,
    `last-*` the trailing 7/30/365 days, `yesterday` from yesterday's start."""
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return {
        "today": today,
        "yesterday": today - timedelta(days=1),
        "this-week": today - timedelta(days=today.weekday()),
        "last-week": today - timedelta(days=7),
        "this-month": today.replace(day=1),
        "last-month": today - timedelta(days=30),
        "this-year": today.replace(month=1, day=1),
        "last-year": today - timedelta(days=365),
    }[form]


def _rewrite(text: str, now: datetime, notes: list[str]) -> str:
    """Turn the friendly forms into what Whoosh's parser reads."""
    text = _URL_RE.sub(lambda m: f'url:"{m.group(1)}"', text)

    def field(m: re.Match) -> str:
        name = m.group(1).lower()
        name = FIELD_ALIASES.get(name, name)
        if name not in PUBLIC_FIELDS:
            notes.append(f"there is no field {m.group(1)!r}; searched it as a word")
            return f"{m.group(1)} "
        return f"{name}:"

    text = _FIELD_RE.sub(field, text)

    def relative(m: re.Match) -> str:
        start = relative_start(m.group(3).lower(), now).strftime("%Y%m%d")
        op = m.group(2) or ""
        return f"{m.group(1).lower()}:{'<' if op.startswith('<') else '>='}{start}"

    text = _RELATIVE_RE.sub(relative, text)

    def compact_dates(m: re.Match) -> str:
        # Whoosh's date parser reads 20261118 after > or inside [], not 2026-11-18.
        value = re.sub(r"\b(\d{4})-(\d{2})-(\d{2})\b", r"\1\2\3", m.group(2))
        value = re.sub(r"\b(\d{4})-(\d{2})\b", r"\1\2", value)
        return f"{m.group(1)}:{value}"

    text = _DATE_VALUE_RE.sub(compact_dates, text)

    def state(m: re.Match) -> str:
        value = m.group(1).lower()
        value = IS_ALIASES.get(value, value)
        if value not in STATES:
            notes.append(f"is:{m.group(1)} is not a state (use {', '.join(STATES)})")
        return "is:" + value

    text = _IS_RE.sub(state, text)
    # "-word" after a space means NOT word; hyphenated words (e-mail) and dates stay intact.
    return re.sub(r"(^|\s)-(?=[\w\"(])", r"\1NOT ", text)


def _plain(text: str) -> Query:
    """The words of the text (no field names, no operators) as an AND query."""
    text = re.sub(r"\b(" + "|".join(PUBLIC_FIELDS + tuple(FIELD_ALIASES)) + r"):", " ", text,
                  flags=re.IGNORECASE)
    words = [w for w in re.findall(r"\w+", text) if w not in ("AND", "OR", "NOT", "ANDNOT", "ANDMAYBE")]
    if not words:
        return NullQuery
    return _fast_phrases(_PARSER.parse(" ".join(words)))


def _balanced(text: str) -> bool:
    depth = 0
    for ch in re.sub(r'"[^"]*"', "", text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0 and text.count('"') % 2 == 0 and text.count("[") == text.count("]")


def parse_query(text: str, now: datetime | None = None) -> ParsedQuery:
    """Parse user text into a Whoosh query; never raises."""
    text = (text or "").strip()
    if not text:
        return ParsedQuery(Every())
    fallback = f"could not read the query as written; searched the words of: {text}"
    if not _balanced(text):
        return ParsedQuery(_plain(text), note=fallback)
    notes: list[str] = []
    try:
        q = _PARSER.parse(_rewrite(text, now or datetime.now(), notes))
    except Exception:  # Whoosh raises many kinds on odd input
        return ParsedQuery(_plain(text), note=fallback)
    if _has_error(q):
        return ParsedQuery(_plain(text), note=fallback)
    return ParsedQuery(column_ranges(_stem_aware_prefixes(_fast_phrases(q))), note="; ".join(notes))


def _has_error(q: Query) -> bool:
    from whoosh.qparser.dateparse import DateParseError

    stack = [q]
    while stack:
        node = stack.pop()
        if isinstance(node, DateParseError) or type(node).__name__ == "ErrorQuery":
            return True
        if isinstance(node, Query):
            stack.extend(node.children())
    return False


#: Fields whose terms are stems (a prefix of a word may be longer than its stem).
STEMMED_FIELDS = ("content", "title")
#: Porter2 takes at most this many letters off a word's end ("-ational" → "-ate" …).
STEM_SHORTENS_BY = 3


class StemPrefix(Prefix):
    """`prefix*` on a stemmed field: the terms starting with the prefix, plus the
    stems a word starting with it can have that are shorter than the prefix.

    The index holds stems, so "runni*" would miss "running" (stem "run") and
    "universi*" would miss "universities" ("univers"): the prefix someone types
    is often longer than the stem of the word they remember. Any term that is
    the prefix cut short by up to STEM_SHORTENS_BY letters (at least 3 kept),
    or the prefix's own stem ("happy" → "happi"), is taken too.
    """

    def _btexts(self, ixreader):  # noqa: ANN001, ANN202 - Whoosh's signature
        from .index import word_term

        seen = set()
        for btext in super()._btexts(ixreader):
            seen.add(btext)
            yield btext
        text = self.text
        shorter = [text[:n] for n in range(max(3, len(text) - STEM_SHORTENS_BY), len(text))]
        for candidate in [word_term(text)] + shorter:
            btext = candidate.encode("utf-8")
            if btext not in seen and not candidate.startswith(text) and \
                    (self.fieldname, candidate) in ixreader:
                seen.add(btext)
                yield btext


def _stem_aware_prefixes(q: Query) -> Query:
    def fix(node: Query) -> Query:
        if type(node) is Prefix and node.fieldname in STEMMED_FIELDS:
            return StemPrefix(node.fieldname, node.text, boost=node.boost)
        return node.apply(fix)

    return fix(q)


def _fast_phrases(q: Query) -> Query:
    """Content phrases → AdjacentTerms (common-word pairs, lean position check)."""
    from .phrases import AdjacentTerms

    def fix(node: Query) -> Query:
        if isinstance(node, Phrase) and node.fieldname == "content" and node.slop == 1:
            return AdjacentTerms([str(w) for w in node.words], boost=node.boost)
        return node.apply(fix)

    return fix(q)
