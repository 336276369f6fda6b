"""Readwise Reader's CSV export (Preferences > Export library):

    Title,URL,ID,Document tags,Saved date,Reading progress,Location,Seen

`Document tags` is written as a Python list literal ("['history', 'to cite']"),
`Saved date` as "2024-03-01 10:00:00+00:00", `Reading progress` as 0..1,
`Location` is Reader's place for it: new (inbox), later, shortlist, archive (read and
put away) or feed (RSS items never saved by hand), and `Seen` is True once opened.
Feed items are imported too (the user may want them), tagged "feed" so they can be
found and removed. `Seen` (opened once) is not "read": an article is read when it is
archived or its progress reached the end; how far it was read is kept as its
reading progress (Quire has no separate seen state).

Readwise's highlights CSV (the file Readwise imports, and Quire's `export --format
readwise-csv` writes: Highlight,Title,Author,URL,Note,Location,Date; the export of
Readwise itself adds Book Title/Book Author/Highlighted at/Tags columns) is read too:
one item per URL, carrying its highlights (quote, note, date) for the highlights
feature; rows without a URL cannot be matched to an article and are named.
"""
from __future__ import annotations

import ast
from pathlib import Path

from archive.interchange.importers.items import (
    ImportItem,
    ImportProblem,
    ParseResult,
    date_or_problem,
    LinkRow,
    dated,
    each_link_row,
    read_text,
)

LOCATIONS = {"new", "later", "shortlist", "archive", "feed", ""}
#: The longest tags cell parsed as a list literal (a larger one is refused, not evaluated).
MAX_TAGS_CELL = 20_000


def parse_tag_list(cell: str) -> list[str]:
    """Reader's "['a', 'b']" (a Python list literal); ValueError when it is not one.
    A bare "a, b" (a spreadsheet re-save) is read as comma-separated names."""
    cell = cell.strip()
    if not cell:
        return []
    if not cell.startswith("["):
        return [part.strip() for part in cell.split(",") if part.strip()]
    if len(cell) > MAX_TAGS_CELL:
        raise ValueError("too long")
    try:
        value = ast.literal_eval(cell)  # literals only: never runs code
    except (ValueError, SyntaxError, MemoryError, RecursionError) as exc:
        raise ValueError(str(exc)) from exc
    if not isinstance(value, (list, tuple)):
        raise ValueError("not a list")
    return [str(v) for v in value if isinstance(v, (str, int, float))]


def is_highlights_header(columns: list[str]) -> bool:
    return "highlight" in columns and "url" in columns


def _highlight_rows(path: Path) -> ParseResult:
    """The highlights CSV: one ImportItem per URL, its highlights in file order."""
    items: dict[str, ImportItem] = {}

    def highlight(row: LinkRow) -> ParseResult:
        values = row.values
        quote = values.get("highlight", "").strip()
        if not quote:
            yield ImportProblem(row.where, "an empty highlight")
            return
        raw_date = (values.get("date") or values.get("highlighted at") or "").strip()
        created = yield from dated(raw_date, "Date", row.where)
        item = items.get(row.url)
        if item is None:
            title = row.title or values.get("book title", "").strip()
            author = (values.get("author") or values.get("book author") or "").strip()
            item = items[row.url] = ImportItem(url=row.url, title=title,
                                               authors=[author] if author else [])
        item.highlights.append({"quote": quote, "note": values.get("note", "").strip() or None,
                                "created": created})

    yield from each_link_row(path, highlight)
    yield from items.values()


def parse(path: Path) -> ParseResult:
    """Yield an ImportItem per document row (or per article of a highlights CSV); a
    problem naming the line for each bad row."""
    path = Path(path)
    header = read_text(path).split("\n", 1)[0].lower()
    if is_highlights_header([c.strip().strip('"').strip() for c in header.replace(";", ",").split(",")]):
        yield from _highlight_rows(path)
        return
    yield from each_link_row(path, _document_row)


def _document_row(row: LinkRow) -> ParseResult:
    where, values, url, title = row.where, row.values, row.url, row.title
    problems: list[ImportProblem] = []
    tags: list[str] = []
    raw_tags = values.get("document tags", "")
    try:
        tags = parse_tag_list(raw_tags)
    except ValueError:
        problems.append(ImportProblem(where, f"Document tags {raw_tags[:80]!r} is not a list of "
                                             "tags; imported without them", skipped=False))
    saved = date_or_problem(values.get("saved date", "").strip(), "Saved date", where, problems)
    location = values.get("location", "").strip().lower()
    if location not in LOCATIONS:
        problems.append(ImportProblem(where, f"unknown Location {location!r}; imported as new",
                                      skipped=False))
    progress = None
    raw_progress = values.get("reading progress", "").strip()
    if raw_progress:
        try:
            progress = min(1.0, max(0.0, float(raw_progress.rstrip("%"))
                                    / (100 if raw_progress.endswith("%") else 1)))
        except ValueError:
            problems.append(ImportProblem(where, f"Reading progress {raw_progress!r} is not a "
                                                 "number; imported without it", skipped=False))
    yield from problems
    if location == "feed":
        tags.append("feed")
    archived = location == "archive"
    yield ImportItem(url=url, title=title, saved=saved, tags=tags,
                     is_read=archived or (progress is not None and progress >= 0.99),
                     is_archived=archived,
                     progress=progress if progress else None)
