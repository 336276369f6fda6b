"""Readeck's export: a zip (or the folder it unzips to) holding its bookmarks as JSON,
with each bookmark's saved article beside it.

Bookmarks carry the fields of Readeck's API (GET /api/bookmarks):
    {"id", "url", "title", "created", "updated", "site_name", "authors", "published",
     "lang", "description", "is_marked", "is_archived", "labels", "read_progress",
     "word_count", "type", ...}
either all in one JSON file (an array, or {"bookmarks": [...]}) or one file per
bookmark (its folder's info.json). The article is the bookmark's folder's index.html
(<id>/index.html) or <id>.html, saved as it is without fetching (Readeck extracted it
already); a bookmark without one is fetched. is_marked is Readeck's favourite,
is_archived read and put away, read_progress a percentage; labels are tags. Highlights
(an "annotations" or "highlights" list of {"text", "note", "color", "created"}) are
kept on the item for the highlights feature.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

from archive.interchange.importers.items import (
    ImportItem,
    ImportProblem,
    ParseResult,
    check_url,
    clean_line,
    date_or_problem,
    json_flag,
    link_title,
    read_text,
)
from archive.interchange.importers.zipped import opened_folder

#: Keys only Readeck's bookmarks carry (with "url"): how its JSON is told apart.
MARKERS = ("is_marked", "read_progress", "site_name", "document_type")
MAX_JSON_BYTES = 200 * 1024 * 1024


def looks_like_readeck(data: Any) -> bool:
    entries = _entries_of(data)
    return bool(entries) and any(isinstance(e, dict) and ("url" in e or "href" in e)
                                 and any(m in e for m in MARKERS) for e in entries[:20])


def _entries_of(data: Any) -> list:
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        if isinstance(data.get("bookmarks"), list):
            return data["bookmarks"]
        if "url" in data and any(m in data for m in MARKERS):
            return [data]  # one bookmark's info.json
    return []


def _json_files(folder: Path, problems: list[ImportProblem], label: str) -> Iterator[tuple[Path, list]]:
    for path in sorted(folder.rglob("*.json")):
        if not path.is_file() or path.stat().st_size > MAX_JSON_BYTES:
            continue
        try:
            data = json.loads(read_text(path))
        except (ValueError, RecursionError) as exc:
            problems.append(ImportProblem(f"{label}/{path.relative_to(folder).as_posix()}",
                                          f"not valid JSON ({exc})"))
            continue
        if looks_like_readeck(data):
            yield path, _entries_of(data)


def _content(folder: Path, json_path: Path, entry: dict, single: bool) -> str | None:
    bid = str(entry.get("id") or "")
    candidates: list[Path] = []
    if single:
        candidates.append(json_path.parent / "index.html")
    if bid and "/" not in bid and "\\" not in bid and bid not in (".", ".."):
        for base in {json_path.parent, folder}:
            candidates += [base / bid / "index.html", base / f"{bid}.html",
                           base / "bookmarks" / bid / "index.html"]
    for candidate in candidates:
        if candidate.is_file():
            text = read_text(candidate)
            if text.strip():
                return text
    return None


def _highlights(entry: dict) -> list[dict[str, str | None]]:
    marks = entry.get("annotations") or entry.get("highlights") or []
    out: list[dict[str, str | None]] = []
    if isinstance(marks, list):
        for mark in marks:
            if isinstance(mark, dict) and isinstance(mark.get("text"), str) and mark["text"].strip():
                out.append({"quote": mark["text"], "note": mark.get("note") or None,
                            "created": mark.get("created") if isinstance(mark.get("created"), str)
                            else None})
    return out


def _item(entry: dict, where: str, html: str | None) -> ParseResult:
    url = str(entry.get("url") or "").strip()
    title = link_title(clean_line(entry.get("title")), url)
    if title:
        where += f" ({title[:60]})"
    problem = check_url(url)
    if problem:
        yield ImportProblem(where, problem)
        return
    problems: list[ImportProblem] = []
    saved = date_or_problem(entry.get("created"), "created", where, problems)
    published = date_or_problem(entry.get("published"), "published", where, problems)
    yield from problems
    progress = entry.get("read_progress")
    progress = (min(1.0, max(0.0, progress / 100))
                if isinstance(progress, (int, float)) and not isinstance(progress, bool) else None)
    archived = json_flag(entry.get("is_archived"))
    authors = entry.get("authors")
    site = entry.get("site_name")
    description = entry.get("description")
    yield ImportItem(
        url=url, title=title, saved=saved, tags=entry.get("labels") if isinstance(entry.get("labels"), list) else [],
        is_read=archived or (progress is not None and progress >= 1.0), is_archived=archived,
        is_favorite=json_flag(entry.get("is_marked")), html=html, extracted=True,
        authors=[str(a) for a in authors if a] if isinstance(authors, list) else [],
        published=published, site=site if isinstance(site, str) else None,
        progress=progress or None, description=description if isinstance(description, str) else None,
        highlights=_highlights(entry))


def parse(path: Path) -> ParseResult:
    """Yield an ImportItem per bookmark of every Readeck JSON file in the export."""
    path = Path(path)
    problems: list[ImportProblem] = []
    if path.is_file() and path.suffix.lower() == ".json":
        try:
            data = json.loads(read_text(path))
        except (ValueError, RecursionError) as exc:
            yield ImportProblem(path.name, f"not valid JSON ({exc})")
            return
        yield from _items(path.parent, [(path, _entries_of(data))], path.name)
        return
    with opened_folder(path, problems) as folder:
        files = list(_json_files(folder, problems, path.name))
        yield from problems
        if not files:
            yield ImportProblem(path.name, "no Readeck bookmarks (JSON with url, is_marked, "
                                           "read_progress …) inside")
            return
        yield from _items(folder, files, path.name)


def _items(folder: Path, files: list[tuple[Path, list]], label: str) -> ParseResult:
    for json_path, entries in files:
        name = json_path.name if json_path.parent == folder else json_path.relative_to(folder).as_posix()
        single = len(entries) == 1 and json_path.name.lower() != "bookmarks.json"
        for number, entry in enumerate(entries, start=1):
            where = f"{label}/{name} bookmark {number}"
            if not isinstance(entry, dict):
                yield ImportProblem(where, f"expected an object, found {type(entry).__name__}")
                continue
            yield from _item(entry, where, _content(folder, json_path, entry, single))
