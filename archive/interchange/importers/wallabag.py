"""wallabag v2's JSON export: an array of entries that carry their content.

Each entry has url, title, content (the extracted HTML), tags, is_archived,
is_starred, created_at ('2016-09-08T11:55:58+0200'), published_at,
published_by, domain_name, annotations and more. Content is imported as it is,
without fetching; an entry whose content wallabag failed to fetch is fetched again.
Annotations (wallabag's annotator.js records: quote, text, ranges, created_at)
become highlights, anchored by their quote (the ranges are XPaths into
wallabag's own copy of the page, which Quire's copy need not share).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from archive.interchange.importers.items import (
    ImportItem,
    ImportProblem,
    ParseResult,
    checked_entries,
    dated,
    iso_from_text,
)
from archive.interchange.importers.jsonfile import json_export

#: What wallabag stores as content when its own fetch failed.
_FAILED_CONTENT_MARKERS = ("wallabag can't retrieve contents for this article",)


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def _content(entry: dict[str, Any]) -> str | None:
    content = entry.get("content")
    if not isinstance(content, str) or not content.strip():
        return None
    if any(marker in content for marker in _FAILED_CONTENT_MARKERS):
        return None
    return content


def _annotations(entry: dict[str, Any]) -> list[dict]:
    """The entry's annotations as ImportItem highlights (quote, note, created)."""
    out: list[dict] = []
    raw = entry.get("annotations")
    for note in raw if isinstance(raw, list) else []:
        if not isinstance(note, dict) or not isinstance(note.get("quote"), str) or not note["quote"].strip():
            continue
        try:
            created = iso_from_text(note.get("created_at"))
        except (ValueError, TypeError, OverflowError):
            created = None
        text = note.get("text")
        out.append({"quote": note["quote"], "note": text if isinstance(text, str) else "",
                    "created": created})
    return out


def _unwrapped(data: dict[str, Any]) -> object:
    """The entries of an API dump, whatever shape its wrapper has; None if there are none."""
    embedded = data.get("_embedded")
    if isinstance(embedded, dict) and "items" in embedded:
        return embedded["items"]
    if isinstance(embedded, list):  # not the API's shape, but plainly a list of entries
        return embedded
    return data.get("items")


def parse(path: Path) -> ParseResult:
    """Yield an ImportItem per entry; a problem naming the entry for each bad one."""
    path = Path(path)
    expected = ("expected a JSON array of wallabag entries (or an API "
                'dump with "_embedded": {"items": [...]})')
    data = yield from json_export(path, expected, kind=(list, dict))
    if isinstance(data, dict):  # API dumps wrap entries: {"_embedded": {"items": [...]}}
        data = _unwrapped(data)
        if not isinstance(data, list):
            yield ImportProblem(path.name, expected)
            return
    if data is None:
        return
    for checked in checked_entries(data, path.name, "entry", url_keys=("url", "given_url")):
        if isinstance(checked, ImportProblem):
            yield checked
            continue
        where, entry, url, title = checked.where, checked.entry, checked.url, checked.title
        dates: dict[str, str | None] = {}
        for key in ("created_at", "published_at"):
            dates[key] = yield from dated(entry.get(key), key, where)
        authors = entry.get("published_by") or []
        yield ImportItem(
            url=url,
            title=title,
            saved=dates["created_at"],
            tags=entry.get("tags"),
            is_read=_flag(entry.get("is_archived")),
            is_archived=_flag(entry.get("is_archived")),
            is_favorite=_flag(entry.get("is_starred")),
            html=_content(entry),
            extracted=True,
            authors=[str(a) for a in authors if a] if isinstance(authors, list) else [str(authors)],
            published=dates["published_at"],
            site=entry.get("domain_name"),
            source_key=None,
            highlights=_annotations(entry),
        )
