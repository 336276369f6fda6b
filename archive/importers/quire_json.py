"""Quire's own JSON export, read back losslessly (see archive/exporters/json_export.py).

Every catalog field, state, tag, collection membership and the article HTML
(images inlined as data: URIs) is in the file, so an empty archive that
imports it ends up with the same catalog, tags, states and text.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .items import (
    ImportCollection,
    ImportItem,
    ImportProblem,
    ParseResult,
    check_url,
    clean_tags,
    read_text,
)

FORMAT_NAME = "quire-export"
#: Catalog fields copied back as they were (the others are arguments of the save itself,
#: or derived from the text: word_count, reading_minutes).
RESTORED = ("lang", "description", "lead_image", "uncertain")


def parse(path: Path) -> ParseResult:
    path = Path(path)
    try:
        data = json.loads(read_text(path))
    except ValueError as exc:
        yield ImportProblem(path.name, f"not valid JSON ({exc})")
        return
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        yield ImportProblem(path.name, f"not a Quire export (no \"format\": \"{FORMAT_NAME}\")")
        return
    for number, collection in enumerate(data.get("collections") or [], start=1):
        if isinstance(collection, dict) and str(collection.get("name") or "").strip():
            yield ImportCollection(str(collection["name"]).strip(), collection.get("query") or None)
        else:
            yield ImportProblem(f"{path.name} collection {number}", "collection without a name")
    for number, entry in enumerate(data.get("articles") or [], start=1):
        where = f"{path.name} article {number}"
        if not isinstance(entry, dict):
            yield ImportProblem(where, f"expected an object, found {type(entry).__name__}")
            continue
        item = _item(entry, where)
        yield item


def _item(entry: dict[str, Any], where: str) -> ImportItem | ImportProblem:
    title = str(entry.get("title") or "")
    url = entry.get("url") or None
    html = entry.get("html") or None
    if url is not None and check_url(url):
        return ImportProblem(f"{where} ({title[:60]})", check_url(url) or "")
    if url is None and not html:
        return ImportProblem(f"{where} ({title[:60]})", "neither a URL nor content")
    pending = entry.get("status") == "pending" or not html
    return ImportItem(
        url=url,
        title=title,
        saved=entry.get("saved") or None,
        tags=clean_tags(entry.get("tags")),
        is_read=bool(entry.get("is_read")),
        is_archived=bool(entry.get("is_archived")),
        is_favorite=bool(entry.get("is_favorite")),
        html=None if pending else html,
        extracted=True,
        authors=[str(a) for a in entry.get("authors") or []],
        published=entry.get("published") or None,
        site=entry.get("site") or None,
        progress=float(entry.get("progress") or 0.0),
        collections=[str(c) for c in entry.get("collections") or []],
        pending_error=((entry.get("error") or "pending in the exported archive")
                       if pending else None),
        source_key=entry.get("source") or None,
        restore={key: entry[key] for key in RESTORED if key in entry},
        text=None if pending else (entry.get("text") or None),
    )
