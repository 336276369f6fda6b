"""Export articles: EPUB, HTML zip, Markdown zip (Obsidian), lossless JSON, Netscape, Pocket CSV,
and their highlights: highlights-only Markdown (Obsidian/Logseq), Readwise CSV.

Entry points (the CLI's `export`, the GUI's Ctrl+E):
    export(archive, article_ids, fmt, out_path, progress=None, cancel=None) -> ExportReport
    select_ids(archive, *, query=None, tag=None, collection=None, all=False) -> list[str]
FORMATS lists the format names; each lives in its own module.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from archive.base.errors import QuireError
from archive.base.models import ProgressFn
from archive.interchange.exporters import epub
from archive.interchange.exporters import highlights_markdown
from archive.interchange.exporters import html_zip
from archive.interchange.exporters import json_export
from archive.interchange.exporters import markdown_zip
from archive.interchange.exporters import netscape
from archive.interchange.exporters import pocket_csv
from archive.interchange.exporters import readwise_csv
from archive.interchange.exporters.common import ExportCancelled, ExportReport, Job, load_articles
from archive.library import collections

if TYPE_CHECKING:
    from archive.library.store import Archive

EXPORTERS: dict[str, Callable[[Job, Path], ExportReport]] = {
    "epub": epub.export,
    "html": html_zip.export,
    "markdown": markdown_zip.export,
    "json": json_export.export,
    "netscape": netscape.export,
    "pocket-csv": pocket_csv.export,
    "highlights-markdown": highlights_markdown.export,
    "readwise-csv": readwise_csv.export,
}
FORMATS = tuple(EXPORTERS)
ALIASES = {"md": "markdown", "obsidian": "markdown", "pocket": "pocket-csv", "csv": "pocket-csv",
           "pocket_csv": "pocket-csv", "bookmarks": "netscape", "zip": "html",
           "highlights": "highlights-markdown", "readwise": "readwise-csv"}
#: The file extension each format writes (the CLI/GUI suggest it for the output name).
EXTENSIONS = {"epub": ".epub", "html": ".zip", "markdown": ".zip", "json": ".json",
              "netscape": ".html", "pocket-csv": ".csv", "highlights-markdown": ".zip",
              "readwise-csv": ".csv"}


def export(archive: "Archive", article_ids: list[str], fmt: str, out_path: Path | str,
           progress: ProgressFn | None = None,
           cancel: threading.Event | None = None) -> ExportReport:
    """Write the given articles (in this order) to `out_path` in format `fmt`.

    The file appears only when complete; cancelling raises ExportCancelled and
    leaves nothing behind. Pending articles (no content yet) are listed in
    report.skipped by the formats that need content.
    """
    name = ALIASES.get(fmt.strip().lower(), fmt.strip().lower())
    if name not in EXPORTERS:
        raise QuireError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    ids = list(article_ids)
    if not ids:
        raise QuireError("nothing to export: the selection is empty")
    job = Job(archive, load_articles(archive, ids), progress, cancel)
    return EXPORTERS[name](job, Path(out_path).expanduser())


def select_ids(archive: "Archive", *, query: str | None = None, tag: str | None = None,
               collection: str | None = None, all: bool = False) -> list[str]:
    """The article ids an export command line names (newest saved first)."""
    if all:
        return [a.id for a in archive.articles()]
    if collection is not None:
        return collections.members(archive, collection)
    if tag is not None:
        wanted = tag.strip().lower()
        return [a.id for a in archive.articles() if wanted in {t.lower() for t in a.tags}]
    if query is not None:
        total = max(1, archive.catalog.count())
        return [hit.id for hit in archive.search_full(query, limit=total, sort="newest",
                                                      snippets=False).hits]
    raise QuireError("say what to export: a query, a tag, a collection or everything")


__all__ = ["ALIASES", "EXPORTERS", "EXTENSIONS", "FORMATS", "ExportCancelled", "ExportReport",
           "export", "select_ids"]
