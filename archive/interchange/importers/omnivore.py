"""Omnivore's export zip (or the folder it unzips to, or one metadata file).

Layout, as Omnivore wrote it before shutting down:
  metadata_0_to_20.json ...   arrays of {id, slug, title, description, author, url,
                              state, readingProgress, thumbnail, labels, savedAt,
                              updatedAt, publishedAt}
  content/<slug>.html         the saved article, when Omnivore had it
  highlights/<slug>.md        highlights: each "> quote" (a paragraph break inside
                              it written as a "> " line), then, after blank lines,
                              its labels ("#name ...") and its note (see
                              highlightToMarkdown in Omnivore's exporter); imported
                              as highlights anchored by their quote
state is "Succeeded", "Archived", …; readingProgress is a percentage; labels are
tag names. Items with content are imported as they are; others get fetched.
"""
from __future__ import annotations

import re
from pathlib import Path

from archive.interchange.importers.items import (
    ImportItem,
    ImportProblem,
    ParseResult,
    checked_entries,
    dated,
    read_text,
)
from archive.interchange.importers.jsonfile import json_export
from archive.interchange.importers.zipped import opened_folder

_METADATA = re.compile(r"metadata_(\d+)_to_\d+\.json$", re.IGNORECASE)


def _metadata_order(path: Path) -> tuple[int, str]:
    match = _METADATA.search(path.name)
    return (int(match.group(1)) if match else 0, path.name)


_LABELS = re.compile(r"^#\S+(\s+#\S+)*$")


def parse_highlights(markdown: str) -> list[dict]:
    """Omnivore's highlights/<slug>.md as ImportItem highlights (quote, note)."""
    out: list[dict] = []
    blocks = re.split(r"\n\s*\n", markdown.replace("\r\n", "\n"))
    current: dict | None = None
    notes: list[str] = []

    def close() -> None:
        if current is not None:
            current["note"] = "\n\n".join(notes).strip()
            out.append(current)

    for block in blocks:
        block = block.strip("\n")
        if not block.strip():
            continue
        if block.startswith(">"):
            close()
            lines = [(line[1:].lstrip() if line.startswith(">") else line).rstrip() for line in block.split("\n")]
            current, notes = {"quote": "\n".join(lines).strip()}, []
        elif current is not None and not _LABELS.match(block.strip()):
            notes.append(block.strip())
    close()
    return [h for h in out if h["quote"]]


def _highlights(highlights_dir: Path | None, slug: str) -> list[dict]:
    if highlights_dir is None or not slug or "/" in slug or "\\" in slug:
        return []
    path = highlights_dir / f"{slug}.md"
    if not path.is_file():
        return []
    return parse_highlights(read_text(path))


def _entries(meta_file: Path, content_dir: Path | None) -> ParseResult:
    data = yield from json_export(meta_file, "expected a JSON array of Omnivore items")
    if data is None:
        return
    for checked in checked_entries(data, meta_file.name, "item"):
        if isinstance(checked, ImportProblem):
            yield checked
            continue
        where, entry, url, title = checked.where, checked.entry, checked.url, checked.title
        html = None
        slug = str(entry.get("slug") or "")
        if content_dir is not None and slug and "/" not in slug and "\\" not in slug:
            content_file = content_dir / f"{slug}.html"
            if content_file.is_file():
                html = read_text(content_file)
        saved = yield from dated(entry.get("savedAt"), "savedAt", where)
        published = yield from dated(entry.get("publishedAt"), "publishedAt", where)
        state = str(entry.get("state") or "").lower()
        progress = entry.get("readingProgress")
        archived = state == "archived"
        author = entry.get("author")
        yield ImportItem(
            url=url,
            title=title,
            saved=saved,
            tags=entry.get("labels"),
            is_read=archived or (isinstance(progress, (int, float)) and progress >= 100),
            is_archived=archived,
            html=html if html and html.strip() else None,
            extracted=True,
            authors=[str(author)] if author else [],
            published=published,
            progress=(min(1.0, max(0.0, progress / 100))
                      if isinstance(progress, (int, float)) else None),
            source_key=None,
            highlights=_highlights(meta_file.parent / "highlights", slug),
            description=entry.get("description"),
            restore=({"lead_image": entry["thumbnail"]} if isinstance(entry.get("thumbnail"), str)
                     and entry["thumbnail"].startswith(("http://", "https://")) else {}),
        )


def parse(path: Path) -> ParseResult:
    """Yield an ImportItem per Omnivore item in every metadata file of the export."""
    path = Path(path)
    if path.is_file() and path.suffix.lower() == ".json":
        yield from _entries(path, path.parent / "content")
        return
    problems: list[ImportProblem] = []
    with opened_folder(path, problems) as folder:
        yield from problems
        meta_files = sorted((p for p in folder.rglob("*.json") if _METADATA.search(p.name)),
                            key=_metadata_order)
        if not meta_files:
            yield ImportProblem(path.name, "no metadata_*.json file: not an Omnivore export")
            return
        for meta_file in meta_files:
            yield from _entries(meta_file, meta_file.parent / "content")
