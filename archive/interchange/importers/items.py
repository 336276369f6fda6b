"""The records every import parser yields, and the small readers they share.

Parsers are pure (file in, records out, no archive, no network), so each one can
be tested on its fixture alone and the driver treats every format the same way.
A bad row becomes an ImportProblem naming the file and row, and parsing goes on:
one broken line must not cost the user the other 4,999.
"""
from __future__ import annotations

import csv
import html as htmlmod
import io
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Generator, Iterator, TypeVar
from urllib.parse import urlsplit

from charset_normalizer import from_bytes

from archive.capture.charset import sniff_bom


@dataclass
class ImportItem:
    """One article found in an export file."""

    url: str | None
    title: str = ""
    saved: str | None = None  # ISO 8601 (UTC) from the original service's date
    tags: list[str] = field(default_factory=list)  # as the export gives them: cleaned below
    is_read: bool = False
    is_archived: bool = False
    is_favorite: bool = False
    html: str | None = None  # the article's content when the export carries it
    extracted: bool = False  # html is already a readable article body (wallabag, Omnivore)
    source_key: str | None = None  # where it came from (file + row), for de-duplication
    # Metadata some exports carry; handed to the extractor with the content.
    authors: list[str] = field(default_factory=list)
    published: str | None = None  # ISO 8601
    site: str | None = None
    # Extra fields only a lossless (Quire JSON) export carries.
    progress: float | None = None
    pending_error: str | None = None  # kept pending as it was, not fetched
    text: str | None = None  # the article's indexed text as exported (Quire JSON only)
    # More catalog fields to restore as they were (lang, description, lead_image, uncertain).
    restore: dict[str, object] = field(default_factory=dict)
    collections: list[str] = field(default_factory=list)
    #: highlights the export carries: each a dict with at least "quote", and "note",
    #: "color", "created" where known; a Quire export also gives "id", "start", "end",
    #: "prefix", "suffix", "updated", "unplaced", restored exactly
    highlights: list[dict] = field(default_factory=list)
    #: The export's own note or summary of the article (a bookmark's <DD>, Pinboard's
    #: "extended", Raindrop's note): kept as the article's description, searchable.
    description: str | None = None

    def __post_init__(self) -> None:
        # Every parser's text fields pass here: an export may carry control characters
        # (which XML, and so EPUB export, cannot hold) or a title spread over lines.
        self.title = clean_line(self.title)
        authors = [self.authors] if isinstance(self.authors, str) else self.authors
        self.authors = [name for name in (clean_line(a) for a in authors) if name]
        self.tags = clean_tags(self.tags)
        collections = [self.collections] if isinstance(self.collections, str) else self.collections
        self.collections = [name for name in (clean_line(c) for c in collections) if name]
        # An export's field may hold a number or an object where text belongs: only
        # text is kept, so no parser has to check the type of what it hands over.
        self.site = (clean_line(self.site) if isinstance(self.site, str) else "") or None
        self.description = (clean_text(self.description)
                            if isinstance(self.description, str) else "") or None


def merge_items(first: ImportItem, other: ImportItem) -> ImportItem:
    """Fold `other` (the same page saved again: it differs by a tracking parameter or a
    #fragment) into `first`, losing nothing either says: the union of tags and
    collections, the real title over a blank one (link_title blanks a URL-as-title),
    the earliest saved date, a state set on either side, content and metadata from
    whichever has them. Returns `first`, changed in place."""
    first.tags = clean_tags([*first.tags, *other.tags])
    first.collections = list(dict.fromkeys([*first.collections, *other.collections]))
    if not first.title or (looks_like_url(first.title) and other.title
                           and not looks_like_url(other.title)):
        first.title = other.title or first.title
    first.saved = earliest(first.saved, other.saved)
    first.is_read = first.is_read or other.is_read
    first.is_archived = first.is_archived or other.is_archived
    first.is_favorite = first.is_favorite or other.is_favorite
    if first.html is None and other.html is not None:
        first.html, first.extracted, first.text = other.html, other.extracted, other.text
    if first.html is None and first.pending_error is not None and other.pending_error is None:
        first.pending_error = None  # the other copy may be fetched
    first.description = first.description or other.description
    first.authors = first.authors or other.authors
    first.published = first.published or other.published
    first.site = first.site or other.site
    if other.progress is not None:
        first.progress = max(first.progress or 0.0, other.progress)
    for name, value in other.restore.items():
        first.restore.setdefault(name, value)
    first.highlights = [*first.highlights,
                        *(h for h in other.highlights if h not in first.highlights)]
    return first


def looks_like_url(text: str | None) -> bool:
    """A title that is only an address (some exports write the URL when there is no title)."""
    return bool(text) and re.match(r"^[a-z][a-z0-9+.-]*://\S+$", text.strip(), re.I) is not None


def earliest(a: str | None, b: str | None) -> str | None:
    """The earlier of two ISO 8601 UTC dates (the archive writes one spelling, so they
    compare as text); None only when both are."""
    dates = [d for d in (a, b) if d]
    return min(dates) if dates else None


@dataclass
class ImportProblem:
    """A row or entry that could not be imported, and why."""

    where: str  # "pocket.csv line 7", "wallabag.json entry 12"
    reason: str
    # False for a warning: the item was still imported (e.g. with its bad date dropped).
    skipped: bool = True

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass
class ImportCollection:
    """A collection definition carried by a Quire JSON export."""

    name: str
    query: str | None = None  # set for a smart collection

    def __post_init__(self) -> None:
        self.name = clean_line(self.name)


ParseResult = Iterator["ImportItem | ImportProblem | ImportCollection"]

_WEB_SCHEMES = {"http", "https"}


def check_url(url: str | None) -> str | None:
    """Return why `url` is not a fetchable web address, or None when it is fine."""
    if not url or not url.strip():
        return "no URL"
    try:
        parts = urlsplit(url.strip())
    except ValueError as exc:
        return f"malformed URL {url!r} ({exc})"
    if parts.scheme.lower() not in _WEB_SCHEMES:
        return f"not a web address: {url!r}"
    if not parts.hostname:
        return f"URL has no host: {url!r}"
    return None


def link_title(title: str, url: str) -> str:
    """A title that only repeats the address is no title: blank, so the page's own
    title is used once fetched (a pending article shows its address). Every importer
    applies the same rule, whether the export left the title empty or wrote the URL."""
    title = title.strip()
    return "" if title == url.strip() else title


def iso_from_timestamp(value: str | int | float | None) -> str | None:
    """Unix time (seconds, or milliseconds/microseconds as some exporters write) to ISO 8601.

    Raises ValueError on garbage so the caller can name the row.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = float(value)
    # Seconds stay below 1e11 until the year 5138; anything bigger is ms or µs.
    while number > 1e11:
        number /= 1000
    if number < 0:
        raise ValueError(f"negative timestamp {value!r}")
    return to_iso(datetime.fromtimestamp(number, tz=timezone.utc))


def iso_from_text(value: str | None) -> str | None:
    """Parse the ISO-ish dates services write ('2016-09-08T11:55:58+0200',
    '2024-03-01T10:00:00.000Z', '2024-03-01 10:00:00') into UTC ISO 8601."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return iso_from_timestamp(text)
    text = text.replace("Z", "+00:00").replace(" ", "T", 1)
    # Python < 3.12 wants a colon in the offset: +0200 -> +02:00.
    text = re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", text)
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return to_iso(moment)


def to_iso(moment: datetime) -> str:
    """The one ISO 8601 spelling the archive uses: UTC, whole seconds, '+00:00'."""
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat()


#: Characters no title, name or tag should hold: C0 and C1 controls and DEL (XML 1.0
#: refuses most of them), lone surrogates (not encodable as UTF-8) and non-characters.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean_line(text: object) -> str:
    """One line of text from an export field: control characters dropped, line breaks,
    tabs and runs of spaces made one space. None becomes ""."""
    if text is None:
        return ""
    spaced = " ".join(str(text).split())  # line breaks (CR, LF, NEL) and tabs first
    return " ".join(_CONTROL.sub("", spaced).split())


def clean_text(text: object) -> str:
    """A multi-line text field (a description, a note): control characters dropped,
    lines kept, each line's runs of spaces made one, blank lines at the ends trimmed."""
    if text is None:
        return ""
    lines = [" ".join(_CONTROL.sub("", line).split()) for line in str(text).splitlines()]
    return "\n".join(lines).strip()


def html_from_text(text: str) -> str:
    """Plain text an export stores (Linkwarden's textContent, a Karakeep note) as a
    readable article body: one <p> per paragraph (blank lines), lines kept as <br>."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]
    return "\n".join("<p>" + "<br>".join(htmlmod.escape(line.strip()) for line in p.splitlines())
                     + "</p>" for p in paragraphs)


def date_or_problem(value: object, name: str, where: str,
                    problems: list["ImportProblem"]) -> str | None:
    """An exported date (ISO text, or Unix seconds/ms/µs as a number or text) as ISO 8601;
    a bad one is a warning in `problems` and the item is kept without it."""
    if value is None or value == "":
        return None
    try:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return iso_from_timestamp(value)
        return iso_from_text(str(value))
    except (ValueError, TypeError, OverflowError, OSError):
        problems.append(ImportProblem(where, f"{name} {value!r} is not a date; imported without it",
                                      skipped=False))
        return None


def json_flag(value: object) -> bool:
    """A yes/no an export writes as true, 1, "yes", "true" or "1"."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "y", "on")
    return bool(value) if isinstance(value, (bool, int, float)) else False


def folder_tag(name: object) -> str:
    """A folder (or collection) name as ONE tag. A comma separates tags everywhere in
    Quire (typing tags, the index, a bookmark file's TAGS attribute), so a folder named
    "Linux, Unix OS, Other stuff" would fall apart into three; its commas become
    semicolons, which read the same and separate nothing: "Linux; Unix OS; Other stuff"."""
    return clean_line(name).replace(",", ";")


Node = TypeVar("Node")


def lineage(node: Node | None, parent_of: Callable[[Node], Node | None],
            key: Callable[[Node], object]) -> Iterator[Node]:
    """`node`, then its parent, its parent's parent, ... up to the top: the walk behind
    a nested folder's "Parent/Child" name (Firefox folders, Linkwarden collections,
    Karakeep lists). Exports are not to be trusted, so a missing parent ends it and a
    cycle (a node whose `key` came already) ends it too, instead of looping forever."""
    seen: set[object] = set()
    while node is not None and key(node) not in seen:
        seen.add(key(node))
        yield node
        node = parent_of(node)


def clean_tags(tags: object) -> list[str]:
    """Trimmed, de-duplicated, order-kept tag names from a list, one name or None;
    anything else an export holds where its tags belong (a number, an object) is no
    tags, so no parser has to check the type of what it hands over."""
    if isinstance(tags, str):
        tags = [tags]
    if not isinstance(tags, (list, tuple)):
        return []
    seen: dict[str, None] = {}
    for tag in tags:
        if isinstance(tag, dict):  # wallabag {"label": ...}, Linkwarden/Omnivore {"name": ...}
            tag = tag.get("label") or tag.get("name") or tag.get("slug") or ""
        name = clean_line(tag)
        if name and name.lower() not in {t.lower() for t in seen}:
            seen[name] = None
    return list(seen)


#: Single-byte encodings for Western and Central European text. Between them the
#: detector often ties (the same ASCII-heavy bytes decode sensibly in each, and a
#: short file has few accented letters to tell them apart), and then cp1252 -- what
#: Excel on Windows writes in every Western locale -- is by far the likeliest.
_LATIN_SINGLE_BYTE = re.compile(
    r"^(cp125[02478]|iso8859_(1|2|3|4|9|10|13|14|15|16)|latin_1|mac_(roman|latin2|iceland|"
    r"turkish)|cp(437|775|850|852|858))$")
#: How much worse cp1252's chaos (mess) score may be than the best guess's and still
#: count as a tie; real Central European text decoded as cp1252 scores far worse.
_NEAR_TIE_CHAOS = 0.02
#: Icelandic letters that are what Baltic (cp1257 Ž ų š) and Turkish (cp1254 ğ ş)
#: letters look like read as cp1252; with them in the text, cp1252 is no safe bet.
_MISREAD_AS_CP1252 = re.compile("[ÐðÞþ]")


def _detected(data: bytes) -> str | None:
    """The detector's best reading of `data`, preferring cp1252 among near-ties of
    Latin single-byte guesses (so "crêpes" does not come out as cp1257's "crźpes");
    Cyrillic, Greek and other guesses are left alone."""
    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        return None
    if best.encoding != "cp1252" and _LATIN_SINGLE_BYTE.match(best.encoding):
        for match in matches:
            names = {match.encoding, *match.could_be_from_charset}
            if "cp1252" in names and match.chaos <= best.chaos + _NEAR_TIE_CHAOS:
                try:
                    text = data.decode("cp1252")
                except UnicodeDecodeError:  # 0x81, 0x8d, 0x8f, 0x90, 0x9d are unassigned
                    break
                if not _MISREAD_AS_CP1252.search(text):
                    return text
                break
    return str(best)


def decode_text(data: bytes) -> str:
    """Bytes to text: a byte order mark first, then UTF-8, then a detected encoding.

    Exports opened and re-saved in a spreadsheet come back as cp1252 or UTF-16;
    guessing beats refusing the whole file. The detector's guess among look-alike
    Western encodings is steered to cp1252 (see _detected).
    """
    codec = sniff_bom(data)
    if codec is not None:  # a truncated last unit is not fatal
        text = data.decode(codec, errors="replace")
        return text[1:] if text.startswith("\ufeff") else text
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    detected = _detected(data)
    if detected is not None:
        return detected
    return data.decode("cp1252", errors="replace")


def read_text(path: Path) -> str:
    return decode_text(path.read_bytes())


@dataclass
class CsvRow:
    line: int  # 1-based line number of the row's first line in the file
    values: dict[str, str]


def read_csv(path: Path, required: set[str],
             label: str | None = None) -> Iterator[CsvRow | ImportProblem]:
    """Rows of a CSV with a header, keyed by lower-cased column name.

    A missing required column is one problem for the whole file; a row with the
    wrong number of fields is a problem for that row only. Messages name the file
    as `label` (default: its name), e.g. "export.zip/part_000001.csv".
    """
    label = label or path.name
    text = read_text(path).replace("\x00", "")  # NUL bytes stop the csv module cold
    first_line = text.split("\n", 1)[0]
    # A spreadsheet re-save may use ";" (European locales) or tabs ("Unicode text").
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        yield ImportProblem(label, "the file is empty")
        return
    except csv.Error as exc:
        yield ImportProblem(f"{label} line 1", f"unreadable CSV header ({exc})")
        return
    columns = [name.strip().lower() for name in header]
    missing = sorted(required - set(columns))
    if missing:
        yield ImportProblem(
            label,
            f"missing column(s) {', '.join(missing)}; the header is {','.join(header)!r}",
        )
        return
    while True:
        line = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield ImportProblem(f"{label} line {line}", f"broken CSV row ({exc})")
            continue
        if not any(value.strip() for value in fields):
            continue
        if len(fields) > len(columns) and not any(v.strip() for v in fields[len(columns):]):
            fields = fields[: len(columns)]  # trailing empty cells a spreadsheet added
        if len(fields) != len(columns):
            yield ImportProblem(
                f"{label} line {line}",
                f"expected {len(columns)} fields, found {len(fields)}",
            )
            continue
        yield CsvRow(line, dict(zip(columns, fields)))


@dataclass
class LinkRow:
    """A CSV row of a link export whose URL checked out."""

    where: str  # "file line N", for messages
    values: dict[str, str]
    url: str
    title: str


def read_link_rows(path: Path, label: str | None = None) -> Iterator[LinkRow | ImportProblem]:
    """The rows of a link CSV (Pocket, Instapaper): each with a usable `url`, or a
    problem naming the line and the reason."""
    for row in read_csv(path, required={"url"}, label=label):
        if isinstance(row, ImportProblem):
            yield row
            continue
        where = f"{label or path.name} line {row.line}"
        url = row.values.get("url", "").strip()
        title = link_title(row.values.get("title", ""), url)
        problem = check_url(url)
        if problem:
            yield ImportProblem(where, problem + (f" ({title})" if title else ""))
            continue
        yield LinkRow(where, row.values, url, title)


def each_link_row(path: Path, read: Callable[[LinkRow], Iterator[Any]],
                  label: str | None = None) -> Iterator[Any]:
    """What `read` makes of each usable row of a link CSV, with the problems of the
    unusable rows in their places: the loop every CSV importer would otherwise repeat."""
    for row in read_link_rows(path, label):
        if isinstance(row, ImportProblem):
            yield row
        else:
            yield from read(row)


@dataclass
class JsonEntry:
    """An object of a JSON export whose URL checked out."""

    where: str  # "file entry N (title)", for messages
    entry: dict
    url: str
    title: str


def checked_entries(entries: list, label: str, noun: str,
                    url_keys: tuple[str, ...] = ("url",)) -> Iterator[JsonEntry | ImportProblem]:
    """The objects of an exported JSON array (wallabag, Omnivore): each with a usable
    URL (the first of `url_keys` present), or a problem naming the entry."""

    def checked(entry: dict, where: str) -> Iterator[JsonEntry | ImportProblem]:
        title = str(entry.get("title") or "").strip()
        where = titled(where, title)
        url = next((str(entry[k]).strip() for k in url_keys if entry.get(k)), "")
        problem = check_url(url)
        if problem:
            yield ImportProblem(where, problem)
            return
        yield JsonEntry(where, entry, url, link_title(title, url))

    yield from each_object(entries, label, noun, checked)


def each_object(entries: list, label: str, noun: str,
                read: Callable[[dict, str], Iterator[Any]]) -> Iterator[Any]:
    """What `read(entry, where)` makes of each object of an exported JSON array, `where`
    naming it ("file bookmark 3"); anything else in the array is a problem naming it."""
    for number, entry in enumerate(entries, start=1):
        where = f"{label} {noun} {number}"
        if not isinstance(entry, dict):
            yield ImportProblem(where, f"expected an object, found {type(entry).__name__}")
            continue
        yield from read(entry, where)


def titled(where: str, title: str) -> str:
    """A message's place with the item's title after it, so the user can find it."""
    return f"{where} ({title[:60]})" if title else where


def checked_link(url: str, title: str,
                 where: str) -> Generator[ImportProblem, None, tuple[str, str, str] | None]:
    """An exported link as (url, title, where): the URL stripped, a title that only
    repeats it blanked (link_title), `where` naming the title. None, after a problem
    naming it, when the URL is no web address. Use as `link = yield from checked_link(...)`."""
    url = url.strip()
    title = link_title(title, url)
    where = titled(where, title)
    problem = check_url(url)
    if problem:
        yield ImportProblem(where, problem)
        return None
    return url, title, where


def dated(value: object, name: str, where: str) -> Generator[ImportProblem, None, str | None]:
    """date_or_problem with its warning yielded: `saved = yield from dated(...)`."""
    problems: list[ImportProblem] = []
    date = date_or_problem(value, name, where, problems)
    yield from problems
    return date


def row_timestamp(values: dict[str, str], column: str,
                  where: str) -> Generator[ImportProblem, None, str | None]:
    """A CSV row's Unix-time column as ISO 8601; a bad value is a problem, yielded, that
    keeps the row (imported without the date). Use as `saved = yield from row_timestamp(...)`,
    like `dated`."""
    raw = values.get(column.lower(), "").strip()
    if not raw:
        return None
    try:
        return iso_from_timestamp(raw)
    except (ValueError, OverflowError, OSError):
        yield ImportProblem(where, f"{column} {raw!r} is not a Unix time; imported without it",
                            skipped=False)
        return None
