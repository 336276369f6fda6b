"""Instapaper's CSV export: `URL,Title,Selection,Folder,Timestamp` (+ `Tags` since late 2025).

Folder is `Unread`, `Archive`, `Starred` or the name of a user folder, which
becomes a tag. Selection is the text the user selected when saving: the description. Tags, when present, is a JSON array of names. Timestamp is Unix
seconds.
"""
from __future__ import annotations

import json
from pathlib import Path

from archive.interchange.importers.items import (
    ImportItem,
    ImportProblem,
    ParseResult,
    LinkRow,
    each_link_row,
    row_timestamp,
)

STATUS_FOLDERS = {"unread", "archive", "starred"}


def parse(path: Path) -> ParseResult:
    """Yield an ImportItem per row; a problem naming the line for each bad row."""
    yield from each_link_row(Path(path), _row)


def _row(row: LinkRow) -> ParseResult:
    where, values, url, title = row.where, row.values, row.url, row.title
    folder = values.get("folder", "").strip()
    tags: list[str] = []
    if folder and folder.lower() not in STATUS_FOLDERS:
        tags.append(folder)
    raw_tags = values.get("tags", "").strip()
    if raw_tags:
        try:
            parsed = json.loads(raw_tags)
            if not isinstance(parsed, list):
                raise ValueError("not a list")
            tags.extend(str(t) for t in parsed)
        except ValueError:
            yield ImportProblem(
                where, f"Tags {raw_tags!r} is not a JSON list; imported without them",
                skipped=False,
            )
    saved = yield from row_timestamp(values, "Timestamp", where)
    starred = folder.lower() == "starred"
    archived = folder.lower() == "archive"
    yield ImportItem(
        url=url,
        title=title,
        saved=saved,
        tags=tags,
        is_read=archived,
        is_archived=archived,
        is_favorite=starred,
        source_key=None,
        description=values.get("selection", "").strip() or None,
    )
