"""Pocket's CSV export: `title,url,time_added,tags,status` (one file, before 2025), or
since 2025 a zip of `part_000000.csv`, `part_000001.csv`, … (10,000 rows each) with
the header `title,url,time_added,cursor,tags,status`.

Tags are separated by `|`; status is `unread` or `archive` (Pocket's word for
read and put away). time_added is Unix seconds. `cursor` is Pocket's paging
token and says nothing about the article. The zip (or the folder it unzips to)
is read part by part, in order, as one import.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

from archive.interchange.importers.detect import POCKET_PART
from archive.interchange.importers.items import (
    ImportItem,
    ImportProblem,
    ParseResult,
    LinkRow,
    each_link_row,
    row_timestamp,
)
from archive.interchange.importers.zipped import opened_folder

KNOWN_STATUSES = {"unread", "archive", "archived", "read", ""}


def _part_order(path: Path) -> tuple[int, str]:
    number = re.search(r"(\d+)\.csv$", path.name, re.IGNORECASE)
    return (int(number.group(1)) if number else 0, path.name)


def _rows(path: Path, label: str) -> ParseResult:
    """The items of one CSV file, named `label` in messages."""
    yield from each_link_row(path, _row, label)


def _row(row: LinkRow) -> ParseResult:
    where, values, url, title = row.where, row.values, row.url, row.title
    status = values.get("status", "").strip().lower()
    if status not in KNOWN_STATUSES:
        yield ImportProblem(where, f"unknown status {status!r}; imported as unread",
                            skipped=False)
    saved = yield from row_timestamp(values, "time_added", where)
    archived = status in ("archive", "archived", "read")
    yield ImportItem(
        url=url,
        title=title,
        saved=saved,
        tags=values.get("tags", "").split("|"),
        is_read=archived,
        is_archived=archived,
        source_key=None,
    )


def parse(path: Path) -> ParseResult:
    """Yield an ImportItem per row of the CSV, or of every part in the zip or folder;
    a problem naming the file and line for each bad row."""
    path = Path(path)
    if path.is_file() and not zipfile.is_zipfile(path):
        yield from _rows(path, path.name)
        return
    problems: list[ImportProblem] = []
    with opened_folder(path, problems) as folder:
        yield from problems
        csvs = [p for p in folder.rglob("*") if p.suffix.lower() == ".csv" and p.is_file()]
        parts = sorted((p for p in csvs if POCKET_PART.search(p.name)), key=_part_order)
        for part in parts or sorted(csvs):
            yield from _rows(part, f"{path.name}/{part.relative_to(folder).as_posix()}")
        if not csvs:
            yield ImportProblem(path.name, "no Pocket CSV (part_000000.csv …) inside")
