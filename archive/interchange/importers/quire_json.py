"""Quire's own JSON export, read back losslessly (see archive/exporters/json_export.py).

Every catalog field, state, tag, collection membership and the article HTML
(images inlined as data: URIs) is in the file, so an empty archive that
imports it ends up with the same catalog, tags, states and text.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from archive.interchange.importers.items import (
    ImportCollection,
    ImportItem,
    ImportProblem,
    ParseResult,
    check_url,
    clean_line,
    each_object,
    iso_from_text,
    titled,
)
from archive.interchange.importers.jsonfile import json_export

FORMAT_NAME = "quire-export"
#: Catalog fields copied back as they were (the others are arguments of the save itself,
#: or derived from the text: word_count, reading_minutes).
RESTORED = ("lang", "description", "lead_image", "uncertain")
RESTORE_TYPES: dict[str, type] = {"lang": str, "description": str, "lead_image": str,
                                  "uncertain": bool}


def parse(path: Path) -> ParseResult:
    path = Path(path)
    expected = f"not a Quire export (no \"format\": \"{FORMAT_NAME}\")"
    data = yield from json_export(path, expected, kind=dict)
    if data is None:
        return
    if data.get("format") != FORMAT_NAME:
        yield ImportProblem(path.name, expected)
        return
    for number, collection in enumerate(data.get("collections") or [], start=1):
        if isinstance(collection, dict) and str(collection.get("name") or "").strip():
            yield ImportCollection(str(collection["name"]).strip(), collection.get("query") or None)
        else:
            yield ImportProblem(f"{path.name} collection {number}", "collection without a name")
    articles = data.get("articles") or []
    if not isinstance(articles, list):
        yield ImportProblem(path.name, f'"articles" is a {type(articles).__name__}, not a list')
        return
    yield from each_object(articles, path.name, "article", _article)


def _article(entry: dict, where: str) -> ParseResult:
    where = titled(where, clean_line(entry.get("title")))
    try:
        yield from _item(entry, where)
    except (TypeError, ValueError, AttributeError) as exc:  # a shape not foreseen below
        yield ImportProblem(where, f"not imported: {type(exc).__name__}: {exc}")


class _Fields:
    """Typed reads of one exported article; a value of the wrong type is dropped with a
    warning naming the field, so a hand-edited file still imports what is good."""

    def __init__(self, entry: dict[str, Any], where: str) -> None:
        self.entry, self.where = entry, where
        self.problems: list[ImportProblem] = []

    def _drop(self, key: str, why: str) -> None:
        self.problems.append(ImportProblem(
            self.where, f"{key} {self.entry.get(key)!r} {why}; imported without it", skipped=False))

    def text(self, key: str) -> str | None:
        value = self.entry.get(key)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            self._drop(key, "is not text")
            return None
        return value

    def names(self, key: str) -> list[str]:
        """A list of names; one name given as a plain string counts as a list of one."""
        value = self.entry.get(key)
        if value is None or value == "":
            return []
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list) or not all(
                isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
            self._drop(key, "is not a list of names")
            return []
        return [str(v) for v in value]

    def date(self, key: str) -> str | None:
        """An ISO 8601 date, kept as written (the export wrote it; only garbage is dropped)."""
        value = self.text(key)
        if value is None:
            return None
        try:
            iso_from_text(value)
        except (ValueError, TypeError, OverflowError):
            self._drop(key, "is not a date")
            return None
        return value.strip()

    def highlights(self) -> list[dict]:
        """The article's highlights: each an object with a text "quote"; others dropped."""
        value = self.entry.get("highlights")
        if value is None:
            return []
        if not isinstance(value, list):
            self._drop("highlights", "is not a list")
            return []
        good = [h for h in value if isinstance(h, dict) and isinstance(h.get("quote"), str) and h["quote"]]
        if len(good) != len(value):
            self.problems.append(ImportProblem(
                self.where, f"{len(value) - len(good)} highlight(s) without a quote were left out", skipped=False))
        return good

    def fraction(self, key: str) -> float | None:
        value = self.entry.get(key)
        if value is None:
            return None
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = float("nan")
        if isinstance(value, bool) or not 0.0 <= number <= 1.0:
            self._drop(key, "is not a fraction between 0 and 1")
            return None
        return number


def _item(entry: dict[str, Any], where: str) -> ParseResult:
    fields = _Fields(entry, where)
    title = clean_line(entry.get("title"))
    if entry.get("url") and not isinstance(entry["url"], str):
        yield ImportProblem(where, f"url {entry['url']!r} is not a web address")
        return
    url = fields.text("url")
    html = fields.text("html")
    if url is not None and check_url(url):
        yield ImportProblem(where, check_url(url) or "")
        return
    if url is None and not html:
        yield ImportProblem(where, "neither a URL nor content")
        return
    pending = entry.get("status") == "pending" or not html
    restore = {key: entry[key] for key in RESTORED if key in entry}
    for key, kind in RESTORE_TYPES.items():
        if key in restore and restore[key] is not None and not isinstance(restore[key], kind):
            fields._drop(key, f"is not {'true/false' if kind is bool else 'text'}")
            del restore[key]
    item = ImportItem(
        url=url,
        title=title,
        saved=fields.date("saved"),
        tags=fields.names("tags"),
        is_read=bool(entry.get("is_read")),
        is_archived=bool(entry.get("is_archived")),
        is_favorite=bool(entry.get("is_favorite")),
        html=None if pending else html,
        extracted=True,
        authors=fields.names("authors"),
        published=fields.date("published"),
        site=fields.text("site"),
        progress=fields.fraction("progress") or 0.0,
        collections=fields.names("collections"),
        pending_error=((fields.text("error") or "pending in the exported archive")
                       if pending else None),
        source_key=fields.text("source"),
        restore=restore,
        text=None if pending else fields.text("text"),
        highlights=fields.highlights(),
    )
    yield from fields.problems
    yield item
