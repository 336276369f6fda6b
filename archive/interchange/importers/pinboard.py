"""Pinboard's JSON export (pinboard.in/export/format:json/, also what its API's
posts/all returns): an array of

    {"href", "description", "extended", "meta", "hash", "time", "shared", "toread", "tags"}

Careful with the names: `description` is the bookmark's TITLE and `extended` is the
user's notes (kept as the article's description). `tags` is one space-separated
string. `toread` is "yes" for unread ("no": read); `time` is ISO 8601 in UTC.
"""
from __future__ import annotations

from pathlib import Path

from archive.interchange.importers.items import (
    ImportItem,
    ParseResult,
    checked_link,
    dated,
    each_object,
    json_flag,
)
from archive.interchange.importers.jsonfile import json_export


def _bookmark(entry: dict, where: str) -> ParseResult:
    link = yield from checked_link(str(entry.get("href") or ""),
                                   str(entry.get("description") or ""), where)
    if link is None:
        return
    url, title, where = link
    saved = yield from dated(entry.get("time"), "time", where)
    tags = entry.get("tags")
    tags = tags.split() if isinstance(tags, str) else tags  # a non-list: no tags (clean_tags)
    read = not json_flag(entry.get("toread")) if "toread" in entry else False
    yield ImportItem(url=url, title=title, saved=saved, tags=tags, is_read=read,
                     description=entry.get("extended"))


def parse(path: Path) -> ParseResult:
    """Yield an ImportItem per bookmark; a problem naming the entry for each bad one."""
    path = Path(path)
    data = yield from json_export(path, "expected a JSON array of Pinboard bookmarks")
    if data is not None:
        yield from each_object(data, path.name, "entry", _bookmark)
