"""The query language: words, "phrases", AND/OR/NOT, -word, prefix*, fuzzy~,
field filters (title: author: site: tag: url: lang: collection:), dates
(saved:/published: with ranges and relative forms) and is: states.

A malformed query never fails: it is searched as plain words instead, and
`ParsedQuery.note` says how it was read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from whoosh import qparser
from whoosh.qparser.dateparse import DateParserPlugin
from whoosh.query import Every, NullQuery, Query

from .index import make_schema

_SCHEMA = make_schema()
FIELD_ALIASES = {"tags": "tag", "sites": "site", "authors": "author", "by": "author",
                 "language": "lang", "state": "is", "in": "collection"}
IS_ALIASES = {"favourite": "favorite", "fav": "favorite", "starred": "favorite",
              "unread": "unread", "new": "unread", "done": "read"}
_RELATIVE = {
    "today": 0, "yesterday": 1, "last-week": 7, "this-week": 7, "last-month": 31,
    "this-month": 31, "last-year": 365, "this-year": 365,
}


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
_FIELD_RE = re.compile(r"(?<![\w\"])(\w+):")
_RELATIVE_RE = re.compile(r"\b(saved|published):(>=?|<=?)?(" + "|".join(map(re.escape, _RELATIVE)) + r")\b",
                          re.IGNORECASE)
_DATE_VALUE_RE = re.compile(r"\b(saved|published):(\[[^\]]*\]|\S+)")
_IS_RE = re.compile(r"\bis:(\w+)", re.IGNORECASE)


def _rewrite(text: str, now: datetime | None = None) -> str:
    """Turn the friendly forms into what Whoosh's parser reads."""
    now = now or datetime.now()

    def field(m: re.Match) -> str:
        name = m.group(1).lower()
        name = FIELD_ALIASES.get(name, name)
        return f"{name}:"

    text = _FIELD_RE.sub(field, text)

    def relative(m: re.Match) -> str:
        days = _RELATIVE[m.group(3).lower()]
        start = (now - timedelta(days=days)).strftime("%Y-%m-%d")
        if days == 0:
            start = now.strftime("%Y-%m-%d")
        op = m.group(2) or ""
        if op.startswith("<"):
            return f"{m.group(1).lower()}:<{start}"
        return f"{m.group(1).lower()}:>={start}"

    text = _RELATIVE_RE.sub(relative, text)

    def compact_dates(m: re.Match) -> str:
        # Whoosh's date parser reads 20261118 after > or inside [], not 2026-11-18.
        value = re.sub(r"\b(\d{4})-(\d{2})-(\d{2})\b", r"\1\2\3", m.group(2))
        value = re.sub(r"\b(\d{4})-(\d{2})\b", r"\1\2", value)
        return f"{m.group(1)}:{value}"

    text = _DATE_VALUE_RE.sub(compact_dates, text)
    text = _IS_RE.sub(lambda m: "is:" + IS_ALIASES.get(m.group(1).lower(), m.group(1).lower()), text)
    # "-word" after a space means NOT word; hyphenated words (e-mail) and dates stay intact.
    return re.sub(r"(^|\s)-(?=[\w\"(])", r"\1NOT ", text)


def _plain(text: str) -> Query:
    words = re.findall(r"\w+", text)
    if not words:
        return NullQuery
    return _PARSER.parse(" ".join(words))


def parse_query(text: str) -> ParsedQuery:
    """Parse user text into a Whoosh query; never raises."""
    text = (text or "").strip()
    if not text:
        return ParsedQuery(Every())
    rewritten = _rewrite(text)
    try:
        q = _PARSER.parse(rewritten)
    except Exception:  # Whoosh raises many kinds on odd input
        return ParsedQuery(_plain(text), note=f"could not read the query as written; searched the words of: {text}")
    if _has_error(q):
        return ParsedQuery(_plain(text), note=f"could not read the query as written; searched the words of: {text}")
    q = _fast_phrases(q)
    unknown = [name for name in q.iter_all_terms() if name[0] not in _SCHEMA.names()] if hasattr(q, "iter_all_terms") else []
    if unknown:
        return ParsedQuery(_plain(text), note=f"unknown field {unknown[0][0]!r}; searched the words of: {text}")
    return ParsedQuery(q)


def _has_error(q: Query) -> bool:
    from whoosh.qparser.dateparse import DateParseError
    from whoosh.query import Query as _Q

    stack = [q]
    while stack:
        node = stack.pop()
        if isinstance(node, DateParseError) or type(node).__name__ == "ErrorQuery":
            return True
        if isinstance(node, _Q):
            stack.extend(node.children())
    return False


def _fast_phrases(q: Query) -> Query:
    """Content phrases → AdjacentTerms (common-word pairs, lean position check)."""
    from whoosh.query import Phrase

    from .phrases import AdjacentTerms

    def fix(node: Query) -> Query:
        if isinstance(node, Phrase) and node.fieldname == "content" and node.slop == 1:
            return AdjacentTerms([str(w) for w in node.words], boost=node.boost)
        return node.apply(fix)

    return fix(q)
