"""Raindrop.io's CSV export (Settings > Backups, or Export in a collection):

    id,title,note,excerpt,url,folder,tags,created,cover,highlights,favorite

`folder` is the collection, a nested one as its path "Parent / Child" (one
hierarchical tag "Parent/Child", as Linkwarden's); "Unsorted" is Raindrop's inbox and
no tag. `tags` is comma-separated,
`created` ISO 8601, `favorite` "true"/"false". `note` is the user's note, kept as the
description (`excerpt`, the page's own summary, when there is no note). `highlights`
holds each highlight as "Highlight: <text>" (with "Note: <text>" after it when the
user wrote one), kept on the item for the highlights feature.
"""
from __future__ import annotations

import re
from pathlib import Path

from archive.interchange.importers.items import (
    ImportItem,
    ParseResult,
    dated,
    folder_tag,
    json_flag,
    LinkRow,
    each_link_row,
)

INBOX_FOLDERS = {"unsorted", ""}
_HIGHLIGHT = re.compile(r"^\s*(Highlight|Note):\s*", re.I | re.M)


def parse_highlights(cell: str) -> list[dict[str, str | None]]:
    """The highlights cell as [{"quote", "note", "created"}]; text without the
    "Highlight:" labels is one highlight per non-empty line."""
    cell = cell.strip()
    if not cell:
        return []
    parts = _HIGHLIGHT.split(cell)
    if len(parts) == 1:
        return [{"quote": line.strip(), "note": None, "created": None}
                for line in cell.splitlines() if line.strip()]
    out: list[dict[str, str | None]] = []
    for label, text in zip(parts[1::2], parts[2::2]):
        text = text.strip()
        if not text:
            continue
        if label.lower() == "note" and out:
            out[-1]["note"] = text
        elif label.lower() == "highlight":
            out.append({"quote": text, "note": None, "created": None})
    return out


def parse(path: Path) -> ParseResult:
    """Yield an ImportItem per row; a problem naming the line for each bad row."""
    yield from each_link_row(Path(path), _row)


def _row(row: LinkRow) -> ParseResult:
    where, values, url, title = row.where, row.values, row.url, row.title
    saved = yield from dated(values.get("created", "").strip(), "created", where)
    folder = values.get("folder", "").strip()
    tags = []
    if folder.lower() not in INBOX_FOLDERS:
        tags.append("/".join(folder_tag(part) for part in folder.split("/") if part.strip()))
    tags += [t.strip() for t in values.get("tags", "").split(",")]
    note = values.get("note", "").strip()
    yield ImportItem(url=url, title=title, saved=saved, tags=tags,
                     is_favorite=json_flag(values.get("favorite", "")),
                     description=note or values.get("excerpt", "").strip() or None,
                     highlights=parse_highlights(values.get("highlights", "")))
