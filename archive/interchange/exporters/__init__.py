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
from archive.extraction.pages import normalize_tags
from archive.interchange.formats import EXPORT_FORMATS
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
FORMATS = EXPORT_FORMATS  # the light list the CLI's --help reads; a test keeps it equal to EXPORTERS
ALIASES = {"md": "markdown", "obsidian": "markdown", "pocket": "pocket-csv", "csv": "pocket-csv",
           "pocket_csv": "pocket-csv", "bookmarks": "netscape", "zip": "html",
           "highlights": "highlights-markdown", "readwise": "readwise-csv"}
#: The file extension each format writes (the CLI/GUI suggest it for the output name).
EXTENSIONS = {"epub": ".epub", "html": ".zip", "markdown": ".zip", "json": ".json",
              "netscape": ".html", "pocket-csv": ".csv", "highlights-markdown": ".zip",
              "readwise-csv": ".csv"}
#: Every extension a format's file may be given (a .md for one article's note).
ACCEPTED = {**{name: {ext} for name, ext in EXTENSIONS.items()},
            "markdown": {".zip", ".md"}, "netscape": {".html", ".htm"}}


def output_path(out_path: Path | str, fmt: str) -> Path:
    """Where a `fmt` export is written: the path as given when its extension fits
    the format, the format's extension added when it has none; a file is never
    given a wrong one (a zip called notes.md): QuireError naming the right one."""
    out = Path(out_path).expanduser()
    if out.is_dir() or not out.name:
        return out  # atomic_output says what is wrong with it
    suffix = out.suffix.lower()
    if not suffix:
        return out.with_name(out.name + EXTENSIONS[fmt])
    if suffix not in ACCEPTED[fmt]:
        right = " or ".join(sorted(ACCEPTED[fmt]))
        hint = " (.md for a single article's note)" if fmt == "markdown" else ""
        raise QuireError(f"{out.name}: a {fmt} export is a {right} file{hint}; "
                         f"name it {out.with_suffix(EXTENSIONS[fmt]).name}")
    return out


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
    out = output_path(out_path, name)
    job = Job(archive, load_articles(archive, ids), progress, cancel)
    return EXPORTERS[name](job, out)


def select_ids(archive: "Archive", *, query: str | None = None, tag: str | None = None,
               collection: str | None = None, all: bool = False) -> list[str]:
    """The article ids an export command line names (newest saved first)."""
    if all:
        return [a.id for a in archive.articles()]
    if collection is not None:
        return collections.members(archive, collection)
    if tag is not None:  # the tag and the tags under it, as search's tag: reads it
        given = tag.strip().strip("/")
        wanted = (normalize_tags([given]) or [given])[0].lower()
        return [a.id for a in archive.articles()
                if any(t.lower() == wanted or t.lower().startswith(wanted + "/") for t in a.tags)]
    if query is not None:
        total = max(1, archive.catalog.count())
        return [hit.id for hit in archive.search_full(query, limit=total, sort="newest",
                                                      snippets=False).hits]
    raise QuireError("say what to export: a query, a tag, a collection or everything")


__all__ = ["ACCEPTED", "ALIASES", "EXPORTERS", "EXTENSIONS", "FORMATS", "ExportCancelled", "ExportReport",
           "export", "output_path", "select_ids"]
