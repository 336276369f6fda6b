"""Netscape bookmark files: browsers, Pocket's old HTML export, Karakeep, Linkwarden, Pinboard.

The format is not well-formed HTML (<DT> is never closed, folders are an <H3>
followed by a <DL>), so a tree parser guesses the nesting wrong; an event
parser that keeps a stack of open folders reads it the way browsers write it.
Folders become tags, except the browsers' own root folders, which every
bookmark is in and so say nothing.

Read state: Pinboard (and our own export) write TOREAD="1" for unread and
TOREAD="0" for read; an explicit TOREAD decides, and without one a bookmark is
unread unless it sits under Pocket's "Read Archive" heading (browsers' bookmarks
were never "read"). STARRED="1" marks a favourite and ARCHIVED="1" an archived
article: our exporter writes them (other services ignore attributes they do not
know, while tags would clutter their tag lists), so an export reads back whole.
"""
from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from archive.interchange.importers.items import (
    ImportItem,
    ImportProblem,
    ParseResult,
    check_url,
    iso_from_timestamp,
    link_title,
    read_text,
)

ROOT_FOLDERS = {
    "bookmarks",
    "bookmarks bar",
    "bookmarks toolbar",
    "bookmarks menu",
    "other bookmarks",
    "mobile bookmarks",
    "favorites bar",
    "favourites bar",
    "imported",
}
_TRUE = {"1", "yes", "true", "on"}
_FALSE = {"0", "no", "false", "off"}
#: Pocket's HTML export splits items under these <h1> headings.
_POCKET_ARCHIVE_HEADINGS = {"read archive", "archive"}


class _BookmarkParser(HTMLParser):
    def __init__(self, file_name: str) -> None:
        super().__init__(convert_charrefs=True)
        self.file_name = file_name
        self.results: list[ImportItem | ImportProblem] = []
        self.folders: list[str | None] = []  # one entry per open <DL>/<UL>
        self.pending_folder: str | None = None
        self.in_archive_section = False
        self._text: list[str] | None = None  # text of the open <a>, <h1> or <h3>
        self._link: tuple[dict[str, str], int] | None = None

    # -- events -----------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._link = ({k.lower(): (v or "") for k, v in attrs}, self.getpos()[0])
            self._text = []
        elif tag in ("h1", "h3"):
            self._text = []
        elif tag in ("dl", "ul"):
            self.folders.append(self.pending_folder)
            self.pending_folder = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._link is not None:
            attrs, line = self._link
            self._add_bookmark(attrs, line, "".join(self._text or []))
            self._link, self._text = None, None
        elif tag == "h3" and self._text is not None:
            self.pending_folder = " ".join("".join(self._text).split()) or None
            self._text = None
        elif tag == "h1" and self._text is not None:
            heading = " ".join("".join(self._text).split()).lower()
            self.in_archive_section = heading in _POCKET_ARCHIVE_HEADINGS
            self._text = None
        elif tag in ("dl", "ul") and self.folders:
            self.folders.pop()

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    # -- items --------------------------------------------------------------
    def _add_bookmark(self, attrs: dict[str, str], line: int, text: str) -> None:
        where = f"{self.file_name} line {line}"
        url = attrs.get("href", "").strip()
        title = link_title(" ".join(text.split()), url)
        problem = check_url(url)
        if problem:
            label = f" ({title})" if title else ""
            self.results.append(ImportProblem(where, f"{problem}{label}"))
            return
        folder_tags = [f for f in self.folders if f and f.lower() not in ROOT_FOLDERS]
        attr_tags = [t for t in attrs.get("tags", "").split(",")]
        saved = None
        raw_date = attrs.get("add_date") or attrs.get("time_added")
        if raw_date:
            try:
                saved = iso_from_timestamp(raw_date)
            except (ValueError, OverflowError, OSError):
                self.results.append(
                    ImportProblem(where, f"date {raw_date!r} is not a Unix time; imported "
                                         "without it", skipped=False)
                )
        self.results.append(
            ImportItem(
                url=url,
                title=title,
                saved=saved,
                tags=folder_tags + attr_tags,
                is_read=_flag(attrs, "toread", inverse=True, default=self.in_archive_section),
                is_archived=_flag(attrs, "archived", default=self.in_archive_section),
                is_favorite=_flag(attrs, "starred", default=False),
                source_key=None,
            )
        )


def _flag(attrs: dict[str, str], name: str, *, default: bool, inverse: bool = False) -> bool:
    """A yes/no attribute (TOREAD="1", STARRED="true"); `default` when absent or unclear.
    `inverse` for TOREAD, which says unread when set."""
    value = attrs.get(name, "").strip().lower()
    if value in _TRUE:
        return not inverse
    if value in _FALSE:
        return inverse
    return default


def parse(path: Path) -> ParseResult:
    """Yield one ImportItem per <A HREF> in a Netscape bookmark file."""
    path = Path(path)
    parser = _BookmarkParser(path.name)
    parser.feed(read_text(path))
    parser.close()
    if parser._link is not None:  # file cut off inside a link
        attrs, line = parser._link
        parser._add_bookmark(attrs, line, "".join(parser._text or []))
    if not any(isinstance(r, ImportItem) for r in parser.results) and not parser.results:
        yield ImportProblem(path.name, "no bookmarks (<A HREF=…>) found in the file")
    yield from parser.results
