"""Pocket's CSV export: `title,url,time_added,tags,status`.

Tags are separated by `|`; status is `unread` or `archive` (Pocket's word for
read and put away). time_added is Unix seconds.
"""
from __future__ import annotations

from pathlib import Path

from .items import (
    ImportItem,
    ImportProblem,
    ParseResult,
    clean_tags,
    read_link_rows,
    row_timestamp,
)

KNOWN_STATUSES = {"unread", "archive", "archived", "read", ""}


def parse(path: Path) -> ParseResult:
    """Yield an ImportItem per row; a problem naming the line for each bad row."""
    path = Path(path)
    for row in read_link_rows(path):
        if isinstance(row, ImportProblem):
            yield row
            continue
        where, values, url, title = row.where, row.values, row.url, row.title
        status = values.get("status", "").strip().lower()
        if status not in KNOWN_STATUSES:
            yield ImportProblem(where, f"unknown status {status!r}; imported as unread",
                                skipped=False)
        saved, problem = row_timestamp(values, "time_added", where)
        if problem:
            yield problem
        archived = status in ("archive", "archived", "read")
        yield ImportItem(
            url=url,
            title=title if title != url else "",
            saved=saved,
            tags=clean_tags(values.get("tags", "").split("|")),
            is_read=archived,
            is_archived=archived,
            source_key=None,
        )
