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
    ImportProblem,
    ParseResult,
    check_url,
    date_or_problem,
    json_flag,
    link_title,
)
from archive.interchange.importers.jsonfile import load_json


def parse(path: Path) -> ParseResult:
    """Yield an ImportItem per bookmark; a problem naming the entry for each bad one."""
    path = Path(path)
    problems: list[ImportProblem] = []
    data = load_json(path, problems)
    yield from problems
    if data is None:
        return
    if not isinstance(data, list):
        yield ImportProblem(path.name, "expected a JSON array of Pinboard bookmarks")
        return
    for number, entry in enumerate(data, start=1):
        where = f"{path.name} entry {number}"
        if not isinstance(entry, dict):
            yield ImportProblem(where, f"expected an object, found {type(entry).__name__}")
            continue
        url = str(entry.get("href") or "").strip()
        title = link_title(str(entry.get("description") or ""), url)
        if title:
            where += f" ({title[:60]})"
        problem = check_url(url)
        if problem:
            yield ImportProblem(where, problem)
            continue
        problems = []
        saved = date_or_problem(entry.get("time"), "time", where, problems)
        yield from problems
        tags = entry.get("tags")
        tags = tags.split() if isinstance(tags, str) else tags if isinstance(tags, list) else []
        read = not json_flag(entry.get("toread")) if "toread" in entry else False
        extended = entry.get("extended")
        yield ImportItem(url=url, title=title, saved=saved, tags=tags, is_read=read,
                         description=extended if isinstance(extended, str) else None)
