"""The query language: words, "phrases", AND/OR/NOT (upper case), -word, prefix*,
fuzzy~, field filters (title: author: site: tag: url: lang: collection:, and
highlight: note: for the words of highlights and their notes), dates
(saved:/published: with comparisons, ranges and relative forms: archive.querydates),
is: states and has:highlights / has:notes.

The friendly forms are rewritten into what Whoosh's parser reads. The values of
dates, tags, collections and languages are read here and become queries of
their own (Whoosh parses a placeholder term in their place); then the parsed
tree gets the fast phrase query (phrases.py). A malformed query never fails: a
part that cannot be read is left out, or the whole text is searched as plain
words, and `ParsedQuery.note` says how it was read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any, Iterator

from whoosh import qparser
from whoosh.query import (AndNot, BinaryQuery, CompoundQuery, Every, Not, NullQuery, Or, Phrase,
                          Prefix, Query, Term)

from archive.search.index import WORD_RE, make_schema, url_words, word_term
from archive.search.phrases import AdjacentTerms
from archive.search.whoosh_internals import ExtendedPrefix
from archive.search.querydates import DATE_HELP, DateReader, NotADate, date_text, local_now
from archive.search.ranges import ColumnRange

_SCHEMA = make_schema()
#: Fields a user may name (the others are internal).
PUBLIC_FIELDS = ("title", "author", "site", "tag", "url", "lang", "saved", "published", "is",
                 "collection", "content", "highlight", "note", "has")
FIELD_ALIASES = {"tags": "tag", "sites": "site", "authors": "author", "by": "author",
                 "language": "lang", "state": "is", "in": "collection", "text": "content",
                 "date": "saved", "added": "saved", "highlights": "highlight", "notes": "note"}
OPERATORS = ("AND", "OR", "NOT", "ANDNOT", "ANDMAYBE")
STATES = ("read", "unread", "favorite", "archived", "uncertain", "pending")
#: What `has:` asks about (has:highlights, has:notes; singular forms too).
HAS = ("highlights", "notes")
HAS_ALIASES = {"highlight": "highlights", "note": "notes"}
IS_ALIASES = {"favourite": "favorite", "fav": "favorite", "starred": "favorite",
              "new": "unread", "done": "read"}


@dataclass
class ParsedQuery:
    query: Query
    note: str = ""  # set when the text was not read as written


def _make_parser() -> qparser.QueryParser:
    # "content" holds the title too (see index.make_document): one field to search
    parser = qparser.QueryParser("content", _SCHEMA)
    parser.add_plugin(qparser.FuzzyTermPlugin())
    return parser


_PARSER = _make_parser()
#: Where a value stands in the text while it is rewritten: a quoted string
#: (\x00n\x00, n into `quoted`) or a finished query (\x02n\x02, n into `parts`).
_QUOTE_MARK = re.compile(r"\x00(\d+)\x00")
_PART_MARK = re.compile(r"\x02(\d+)\x02")
_CONTROL = re.compile(r"[\x00-\x02]")
_QUOTED = re.compile(r'"((?:\\.|[^"\\])*)"')
#: In Whoosh's text the parts are terms of the internal `id` field, which no
#: user text can name (an `id:` the user types is searched as a word).
_PART_FIELD = "id"
_PART_PREFIX = "quire-part-"
_BARE_URL = re.compile(r"(?<![\w:/.\x00\x02])(?=(?:https?://|www\.)\w)", re.IGNORECASE)
_FIELD_NAME = re.compile(r"(?<![\w./@\\])(?<!\w-)([^\W\d_]\w*):")
_VALUE = re.compile(r"([ \t]*)(\x00\d+\x00(?:~\d*)?|[\[{][^\]}]*[\]}]|\(|[^\s()\x00\x02]+)")
_URL_VALUE = re.compile(r"([ \t]*)(\x00\d+\x00|[^\s\x00\x02]+)")
_GROUP_TOKEN = re.compile(r"\(|\)|\x00\d+\x00(?:~\d*)?|[\[{][^\]}]*[\]}]|[^\s()]+")



@dataclass
class _Rewriter:
    """One query's rewrite: what was set aside while the text is rewritten."""

    dates: DateReader  # it keeps the notes of the whole rewrite
    quoted: list[str] = field(default_factory=list)
    parts: list[Query | None] = field(default_factory=list)  # None: left out

    @property
    def notes(self) -> list[str]:
        """How parts were read, when not as written (the date reader adds its own)."""
        return self.dates.notes

    def rewrite(self, text: str) -> str:
        """Turn the friendly forms into what Whoosh's parser reads."""
        text = _QUOTED.sub(lambda m: self._quote(m.group(1)), _CONTROL.sub(" ", text))
        text = _BARE_URL.sub("url:", text)
        text = self._fields(text)
        # "-word" after a space or "(" means NOT word; hyphenated words (e-mail) stay intact.
        text = re.sub(r"(^|[\s(])-(?=[\w(\x00\x02])", r"\1NOT ", text)
        # Only * is a wildcard: "?" is punctuation ("what is happiness?").
        text = text.replace("?", " ")
        self._note_lowercase_operators(text)
        text = _QUOTE_MARK.sub(lambda m: f'"{_phrase_text(self.quoted[int(m.group(1))])}"', text)
        return _PART_MARK.sub(lambda m: f" {_PART_FIELD}:{_PART_PREFIX}{m.group(1)} ", text)

    # -- marks ------------------------------------------------------------------
    def _quote(self, text: str) -> str:
        self.quoted.append(text)
        return f"\x00{len(self.quoted) - 1}\x00"

    def _part(self, query: Query | None) -> str:
        self.parts.append(query)
        return f"\x02{len(self.parts) - 1}\x02"

    def _unquote(self, value: str) -> tuple[str, bool]:
        """(the value's text, whether it was quoted)."""
        m = _QUOTE_MARK.match(value)
        if m is None:
            return value, False
        return re.sub(r"\\(.)", r"\1", self.quoted[int(m.group(1))]), True

    def _shown(self, value: str) -> str:
        """A value as the user wrote it (for notes)."""
        return _QUOTE_MARK.sub(lambda m: f'"{self.quoted[int(m.group(1))]}"', value)

    def _ignore(self, why: str) -> str:
        self.notes.append(why)
        return self._part(None)

    # -- field filters -----------------------------------------------------------
    def _fields(self, text: str) -> str:
        out: list[str] = []
        pos = 0
        while (m := _FIELD_NAME.search(text, pos)) is not None:
            out.append(text[pos:m.start()])
            given = m.group(1)
            name = FIELD_ALIASES.get(given.lower(), given.lower())
            glued = m.end() < len(text) and not text[m.end()].isspace()
            pos = m.end()
            if name not in PUBLIC_FIELDS:
                if glued:
                    self.notes.append(f"there is no field {given!r}; searched it as a word")
                    out.append(given + " ")
                else:  # "Note: …" is a word and a colon
                    out.append(m.group(0))
                continue
            v = (_URL_VALUE if name == "url" else _VALUE).match(text, m.end())
            value = v.group(2) if v else ""
            if v and v.group(1) and not self._reads_as(name, value):
                out.append(m.group(0))  # "the question is: why" — words, not a filter
                continue
            if not value or (v.group(1) and not _can_be_value(value)):
                out.append(self._ignore(f"ignored {given}: (nothing after it)"))
                continue
            if value == "(":  # title:(a OR b) → (title:a OR title:b)
                close = _closing_paren(text, v.end() - 1)
                if close is not None:
                    text = text[:m.start()] + "(" + _distribute(given, text[v.end():close]) + ")" \
                        + text[close + 1:]
                    pos = m.start()
                    continue
                out.append(self._ignore(f"ignored {given}: (nothing after it)"))
                continue
            if name == "url" and not value.startswith("\x00"):
                value = _without_unmatched_parens(value)
            pos = v.start(2) + len(value)
            out.append(self._filter(name, given, value))
        out.append(text[pos:])
        return "".join(out)

    def _reads_as(self, name: str, value: str) -> bool:
        """Whether a value set apart by a space (`is: unread`) is one this field
        takes; states and dates are checked, so `the answer is: no` stays words."""
        text = self._unquote(value)[0].strip()
        if name == "is":
            return IS_ALIASES.get(text.lower(), text.lower()) in STATES
        if name == "has":
            return HAS_ALIASES.get(text.lower(), text.lower()) in HAS
        if name in ("saved", "published"):
            notes = len(self.notes)
            try:
                self.dates.range(name, name, date_text(text))
            except NotADate:
                return False
            finally:
                del self.notes[notes:]  # said when the value is read for real
        return True

    def _filter(self, name: str, given: str, value: str) -> str:
        if name in ("saved", "published"):
            return self._dates(name, given, value)
        if name in ("tag", "collection"):
            return self._keyword(name, given, value)
        if name == "lang":
            return self._lang(given, value)
        if name == "url":
            return self._url(given, value)
        if name == "is":
            return self._state(given, value)
        if name == "has":
            return self._has(given, value)
        return self._words(name, given, value)

    def _words(self, name: str, given: str, value: str) -> str:
        """title: author: site: content: a word, a quoted phrase, or the words of
        anything else (title:U.S.A → the phrase "u s a")."""
        if value.startswith(("\x00", "[", "{")) or not re.search(r"[^\w*~^.'’-]", value):
            if name == "site" and value.lower().startswith("www."):
                value = value[4:]
            return f"{name}:{value}"
        words = WORD_RE.findall(value)
        if not words:
            return self._ignore(f"ignored {given}:{self._shown(value)}: no words in it")
        return f"{name}:" + (words[0] if len(words) == 1 else self._quote(" ".join(words)))

    def _keyword(self, name: str, given: str, value: str) -> str:
        """tag: and collection: name one thing, exactly (quoted names may hold
        \\" and \\\\). A tag also stands for the tags under it: tag:health
        finds health/fitness."""
        text, quoted = self._unquote(value)
        if name == "tag" and not quoted and "*" in text:
            return f"tag:{text}"  # Whoosh's prefix/wildcard query
        if name == "collection":
            if not text.strip():
                return self._ignore(f"ignored {given}:{self._shown(value)}: no name in it")
            return self._part(Term("collection", text.strip().lower()))
        tag = text.replace(",", " ").strip().lower().rstrip("/")
        if not tag:
            return self._ignore(f"ignored {given}:{self._shown(value)}: no name in it")
        return self._part(tag_subtree(tag))

    def _lang(self, given: str, value: str) -> str:
        """lang:fr finds fr and its regional forms (fr-ca); any case."""
        text = self._unquote(value)[0].strip().lower().replace("_", "-")
        if not re.fullmatch(r"[a-z0-9-]+\*?", text):
            return self._ignore(f"ignored {given}:{self._shown(value)}: not a language code "
                                "(lang:fr, lang:en-gb)")
        if text.endswith("*"):
            return self._part(Prefix("lang", text[:-1]))
        if "-" in text:
            return self._part(Term("lang", text))
        return self._part(Or([Term("lang", text), Prefix("lang", text + "-")]))

    def _url(self, given: str, value: str) -> str:
        """An address, or part of one, as the words of the url field in order:
        no scheme, no www., no #fragment, no tracking parameters."""
        text, quoted = self._unquote(value)
        if not quoted and "*" in text and not re.search(r"[/:?#]", text):
            return f"url:{text}"
        words = url_words(text)
        if not words:
            return self._ignore(f"ignored {given}:{self._shown(value)}: no address in it")
        return "url:" + (words[0] if len(words) == 1 else self._quote(" ".join(words)))

    def _state(self, given: str, value: str) -> str:
        text = self._unquote(value)[0].strip()
        state = IS_ALIASES.get(text.lower(), text.lower())
        if state not in STATES:
            self.notes.append(f"is:{text} is not a state (use {', '.join(STATES)})")
        return self._part(Term("is", state))

    def _has(self, given: str, value: str) -> str:
        text = self._unquote(value)[0].strip().lower()
        what = HAS_ALIASES.get(text, text)
        if what not in HAS:
            return self._ignore(f"ignored {given}:{text}: use has:highlights or has:notes")
        return self._part(Term("has", what))

    # -- dates ---------------------------------------------------------------------
    def _dates(self, name: str, given: str, value: str) -> str:
        text = date_text(self._unquote(value)[0])
        try:
            start, end = self.dates.range(name, given, text)
        except NotADate:
            return self._ignore(f"ignored {given}:{text}: not a date ({DATE_HELP})")
        if start is None and end is None:
            return self._ignore(f"ignored {given}:{text}: no date in it")
        return self._part(ColumnRange.between(name, start, end))

    # -- notes ---------------------------------------------------------------------
    def _note_lowercase_operators(self, text: str) -> None:
        """Operators are upper case; "or"/"not" between words are searched as
        words (people type phrases), which is worth a word when it changes much."""
        tokens = text.split()
        said = set()
        for before, word, after in zip(tokens, tokens[1:], tokens[2:]):
            if word not in ("or", "not") or word in said:
                continue
            if not all(re.fullmatch(r"[\w'’-]+", t) and t.upper() not in OPERATORS
                       for t in (before, after)):
                continue
            said.add(word)
            if word == "or":
                self.notes.append(f'"or" was searched as a word; '
                                  f'write {before} OR {after} for either word')
            else:
                self.notes.append(f'"not" was searched as a word; '
                                  f'write -{after} to leave {after} out')


def tag_subtree(tag: str) -> Query:
    """Articles tagged `tag` (lower case) or any tag under it (tag/...)."""
    return Or([Term("tag", tag), Prefix("tag", tag + "/")])


def quote_value(value: str) -> str:
    """A field value as the query language reads it back exactly: bare when it
    is plain, else in double quotes with \\ and " escaped."""
    if re.fullmatch(r"[\w][\w./&+'’-]*", value) and value.upper() not in OPERATORS:
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _phrase_text(quoted: str) -> str:
    """A quoted string's text for Whoosh, which has no escapes (punctuation is not indexed)."""
    return re.sub(r'\\["\\]?', " ", quoted)


def _can_be_value(value: str) -> bool:
    """Whether a word after `field: ` (with a space) is that field's value."""
    return not (value in OPERATORS or value.startswith("-") or re.match(r"[^\W\d_]\w*:", value))


def _closing_paren(text: str, open_at: int) -> int | None:
    depth = 0
    for i in range(open_at, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    return None


def _distribute(given: str, inner: str) -> str:
    """The field name on each value of a group: (a OR -b) → (f:a OR -f:b)."""
    out = []
    for token in _GROUP_TOKEN.findall(inner):
        if token in "()" or token in OPERATORS or _FIELD_NAME.match(token.lstrip("-")):
            out.append(token)
        elif token.startswith("-") and len(token) > 1:
            out.append(f"-{given}:{token[1:]}")
        else:
            out.append(f"{given}:{token}")
    return " ".join(out)


def _without_unmatched_parens(value: str) -> str:
    """A pasted address ends before a ")" it did not open: (see https://x.example/a)."""
    while value.endswith(")") and value.count(")") > value.count("("):
        value = value[:-1]
    return value


def _plain(text: str) -> Query:
    """The words of the text (no field names, no operators) as an AND query."""
    text = re.sub(r"\b(" + "|".join(PUBLIC_FIELDS + tuple(FIELD_ALIASES)) + r"):", " ", text,
                  flags=re.IGNORECASE)
    words = [w for w in re.findall(r"\w+", text) if w not in OPERATORS]
    if not words:
        return NullQuery
    return _fast_phrases(_PARSER.parse(" ".join(words)))


def _balanced(text: str) -> bool:
    text = _QUOTED.sub("", text)
    if '"' in text:
        return False
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return False
    # a range may open with [ or { and close with ] or } (brace: that end left out)
    return depth == 0 and text.count("[") + text.count("{") == text.count("]") + text.count("}")


#: A run of non-space characters longer than this is cut to it before parsing: Whoosh's
#: parser tries its patterns at every position of a run, so a pasted 10,000-character
#: "word" took a second (quadratic), and no indexed word is that long.
MAX_QUERY_RUN = 200
_LONG_RUN = re.compile(r"\S{%d,}" % (MAX_QUERY_RUN + 1))


def parse_query(text: str, now: datetime | None = None, tz: tzinfo | None = None) -> ParsedQuery:
    """Parse user text into a Whoosh query; never raises.

    `now` and `tz` (default: the clock and the system's zone) place relative
    dates and the days of saved: in the user's calendar."""
    text = _LONG_RUN.sub(lambda m: m.group()[:MAX_QUERY_RUN], (text or "").strip())
    if not text:
        return ParsedQuery(Every())
    fallback = f"could not read the query as written; searched the words of: {text}"
    if not _balanced(text):
        return ParsedQuery(_plain(text), note=fallback)
    rewriter = _Rewriter(DateReader(local_now(now, tz), tz))
    try:
        q = _PARSER.parse(rewriter.rewrite(text))
    except Exception:  # Whoosh raises many kinds on odd input
        return ParsedQuery(_plain(text), note=fallback)
    if _has_error(q):
        return ParsedQuery(_plain(text), note=fallback)
    q = _put_parts(q, rewriter.parts)
    if q is None:  # every part was left out: as if nothing had been typed
        q = Every()
    return ParsedQuery(_stem_aware_prefixes(_fast_phrases(q)), note="; ".join(rewriter.notes))


def _put_parts(q: Query, parts: list[Query | None]) -> Query | None:
    """The queries read aside in place of their placeholders; a part left out
    (None) leaves its operator out too, and None if nothing is left."""
    if isinstance(q, Term) and q.fieldname == _PART_FIELD and str(q.text).startswith(_PART_PREFIX):
        return parts[int(str(q.text)[len(_PART_PREFIX):])]
    if isinstance(q, Not):
        inner = _put_parts(q.query, parts)
        return None if inner is None else Not(inner)
    if isinstance(q, BinaryQuery):
        a, b = _put_parts(q.a, parts), _put_parts(q.b, parts)
        if a is None or b is None:
            if a is None and b is None:
                return None
            if b is None:
                return a
            return Not(b) if isinstance(q, AndNot) else b
        return type(q)(a, b)
    if isinstance(q, CompoundQuery):
        kids = [k for k in (_put_parts(c, parts) for c in q.subqueries) if k is not None]
        return type(q)(kids, boost=q.boost) if kids else None
    return q.apply(lambda c: _put_parts(c, parts) or NullQuery)


def _has_error(q: Query) -> bool:
    stack = [q]
    while stack:
        node = stack.pop()
        if type(node).__name__ == "ErrorQuery":
            return True
        if isinstance(node, Query):
            stack.extend(node.children())
    return False


#: Fields whose terms are stems (a prefix of a word may be longer than its stem).
STEMMED_FIELDS = ("content", "title")
#: Porter2 takes at most this many letters off a word's end ("-ational" → "-ate" …).
STEM_SHORTENS_BY = 3


class StemPrefix(ExtendedPrefix):
    """`prefix*` on a stemmed field: the terms starting with the prefix, plus the
    stems a word starting with it can have that are shorter than the prefix.

    The index holds stems, so "runni*" would miss "running" (stem "run") and
    "universi*" would miss "universities" ("univers"): the prefix someone types
    is often longer than the stem of the word they remember. Any term that is
    the prefix cut short by up to STEM_SHORTENS_BY letters (at least 3 kept),
    or the prefix's own stem ("happy" → "happi"), is taken too.
    """

    def more_terms(self, ixreader: Any, seen: set[bytes]) -> Iterator[bytes]:
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
    def fix(node: Query) -> Query:
        if isinstance(node, Phrase) and node.fieldname == "content" and node.slop == 1:
            return AdjacentTerms([str(w) for w in node.words], boost=node.boost)
        return node.apply(fix)

    return fix(q)
