"""Karakeep's (formerly Hoarder's) JSON export (Settings > Import/Export):

    {"bookmarks": [{"id", "createdAt": <Unix seconds>, "title", "tags": ["…"],
                    "lists": ["<list id>"], "note", "archived": false,
                    "content": {"type": "link", "url", "description", "author", …}
                             | {"type": "text", "text": "…"} | null}],
     "lists": [{"id", "name", "description", "icon", "type": "manual"|"smart", "query",
                "parentId"}]}

A link is imported by its address (fetched, as Karakeep's export carries no page);
a text bookmark (a note) is saved as it is, without an address. `note` is the user's
note, kept as the description. Manual lists become Quire collections (a nested list
named "Parent/Child"); smart lists are saved searches in Karakeep's own syntax and are
left out. `archived` means read and put away, as in Pocket.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from archive.interchange.importers.items import (
    ImportItem,
    ImportProblem,
    ParseResult,
    check_url,
    clean_line,
    dated,
    each_object,
    html_from_text,
    json_flag,
    lineage,
    link_title,
    titled,
)
from archive.interchange.importers.jsonfile import json_export


def list_names(lists: Any) -> dict[object, str]:
    """Manual list id -> its name, nested ones as "Parent/Child"."""
    if not isinstance(lists, list):
        return {}
    by_id = {entry.get("id"): entry for entry in lists if isinstance(entry, dict)}
    names: dict[object, str] = {}
    for lid, entry in by_id.items():
        if entry.get("type") == "smart":
            continue
        parts = [clean_line(node.get("name")).replace("/", "-")
                 for node in lineage(entry, lambda node: by_id.get(node.get("parentId")),
                                     key=lambda node: node.get("id"))]
        name = "/".join(p for p in reversed(parts) if p)
        if name:
            names[lid] = name
    return names


def _bookmark(entry: dict, where: str, lists: dict[object, str]) -> ParseResult:
    content = entry.get("content")
    title = clean_line(entry.get("title"))
    where = titled(where, title)
    if not isinstance(content, dict):
        yield ImportProblem(where, "no content (neither a link nor a note)")
        return
    saved = yield from dated(entry.get("createdAt"), "createdAt", where)
    note = entry.get("note")
    member_of = [lists[i] for i in entry.get("lists") or [] if isinstance(i, (str, int)) and i in lists]
    archived = json_flag(entry.get("archived"))
    common = dict(saved=saved, tags=entry.get("tags"),
                  is_read=archived, is_archived=archived, is_favorite=json_flag(entry.get("favourited")),
                  collections=member_of)
    if content.get("type") == "text":
        text = content.get("text")
        if not isinstance(text, str) or not text.strip():
            yield ImportProblem(where, "an empty text bookmark")
            return
        key = str(entry.get("id") or hashlib.sha1(text.encode("utf-8", "replace")).hexdigest())
        yield ImportItem(url=None, title=title or clean_line(text)[:80], html=html_from_text(text),
                         extracted=True, source_key=f"karakeep:{key}",
                         description=note, **common)
        return
    url = str(content.get("url") or "").strip()
    problem = check_url(url)
    if problem:
        yield ImportProblem(where, problem)
        return
    description = note if isinstance(note, str) and note.strip() else content.get("description")
    author = content.get("author")
    yield ImportItem(url=url, title=link_title(title, url), description=description,
                     authors=[str(author)] if isinstance(author, str) and author else [], **common)


def parse(path: Path) -> ParseResult:
    """Yield an ImportItem per bookmark; a problem naming each bad one."""
    path = Path(path)
    data = yield from json_export(path, 'expected a Karakeep export: an object with "bookmarks"',
                                  key="bookmarks")
    if data is None:
        return
    lists = list_names(data.get("lists"))
    yield from each_object(data["bookmarks"], path.name, "bookmark",
                           lambda entry, where: _bookmark(entry, where, lists))
