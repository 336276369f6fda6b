"""Readeck's export (`readeck export -config config.toml export.zip`): a zip (or the
folder it unzips to) with one folder per bookmark holding its info.json and its files.

info.json carries the bookmark's fields as Readeck's Go model names them ("URL",
"Title", "Labels", "Created", "IsArchived", "IsMarked", "ReadProgress", "SiteName",
"Authors", "Published", "Description", "Annotations", ...); Readeck's API
(GET /api/bookmarks) writes the same fields in snake case ("url", "is_marked",
"read_progress", "site_name", ...). Both spellings are read, and bookmarks may also
come all in one JSON file (an array, or {"bookmarks": [...]}). The article is the
bookmark folder's index.html (or <id>/index.html, <id>.html, or index.html inside a
zip in the folder), saved as it is without fetching (Readeck extracted it already);
else its stored "Text", as paragraphs; a bookmark with neither is fetched. IsMarked
is Readeck's favourite, IsArchived read and put away, ReadProgress a percentage;
Labels are tags. Highlights (its "Annotations": Text, Note, Color, Created) are kept
on the item for the highlights feature.
"""
from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any, Iterator

from archive.interchange.importers.items import (
    checked_link,
    clean_line,
    dated,
    decode_text,
    each_object,
    html_from_text,
    ImportItem,
    ImportProblem,
    json_flag,
    ParseResult,
    read_text,
)
from archive.interchange.importers.jsonfile import load_json, loaded_json
from archive.interchange.importers.zipped import opened_folder

#: Keys (folded: lower case, no underscores) only Readeck's bookmarks carry besides
#: their URL: how its JSON is told apart from other services'.
MARKERS = ("ismarked", "readprogress", "documenttype", "readanchor")
MAX_JSON_BYTES = 200 * 1024 * 1024
MAX_CONTAINER_PAGE = 50 * 1024 * 1024


def folded(entry: dict) -> dict:
    """The entry with its keys as one spelling: "IsMarked", "is_marked" -> "ismarked"."""
    return {str(k).lower().replace("_", ""): v for k, v in entry.items()}


def _is_bookmark(entry: Any) -> bool:
    if not isinstance(entry, dict):
        return False
    keys = folded(entry)
    return "url" in keys and any(m in keys for m in MARKERS)


def looks_like_readeck(data: Any) -> bool:
    entries = _entries_of(data)
    return bool(entries) and any(_is_bookmark(e) for e in entries[:20])


def _entries_of(data: Any) -> list:
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        if isinstance(data.get("bookmarks"), list):
            return data["bookmarks"]
        if _is_bookmark(data):
            return [data]  # one bookmark's info.json
    return []


def _json_files(folder: Path, problems: list[ImportProblem], label: str) -> Iterator[tuple[Path, list]]:
    for path in sorted(folder.rglob("*.json")):
        if not path.is_file() or path.stat().st_size > MAX_JSON_BYTES:
            continue
        data = load_json(path, problems, f"{label}/{path.relative_to(folder).as_posix()}")
        if looks_like_readeck(data):
            yield path, _entries_of(data)


def _container_page(directory: Path) -> str | None:
    """index.html inside a zip in the bookmark's folder (Readeck keeps a bookmark's files
    as one zip), read with a size cap."""
    for candidate in sorted(directory.glob("*.zip")):
        try:
            with zipfile.ZipFile(candidate) as container:
                info = next((i for i in container.infolist()
                             if i.filename.rsplit("/", 1)[-1].lower() == "index.html"), None)
                if info is not None and info.file_size <= MAX_CONTAINER_PAGE:
                    return decode_text(container.read(info))
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
            continue
    return None


def _content(folder: Path, json_path: Path, entry: dict, single: bool) -> str | None:
    bid = str(entry.get("uid") or entry.get("id") or "")
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
    if single:
        page = _container_page(json_path.parent)
        if page and page.strip():
            return page
    text = entry.get("text")
    if isinstance(text, str) and text.strip():
        return html_from_text(text)
    return None


def _highlights(entry: dict) -> list[dict[str, str | None]]:
    marks = entry.get("annotations") or entry.get("highlights") or []
    out: list[dict[str, str | None]] = []
    if isinstance(marks, list):
        for mark in marks:
            mark = folded(mark) if isinstance(mark, dict) else mark
            if isinstance(mark, dict) and isinstance(mark.get("text"), str) and mark["text"].strip():
                out.append({"quote": mark["text"], "note": mark.get("note") or None,
                            "created": mark.get("created") if isinstance(mark.get("created"), str)
                            else None})
    return out


def _item(entry: dict, where: str, html: str | None) -> ParseResult:
    link = yield from checked_link(str(entry.get("url") or ""), clean_line(entry.get("title")), where)
    if link is None:
        return
    url, title, where = link
    saved = yield from dated(entry.get("created"), "created", where)
    published = yield from dated(entry.get("published"), "published", where)
    progress = entry.get("readprogress")
    progress = (min(1.0, max(0.0, progress / 100))
                if isinstance(progress, (int, float)) and not isinstance(progress, bool) else None)
    archived = json_flag(entry.get("isarchived"))
    authors = entry.get("authors")
    yield ImportItem(
        url=url, title=title, saved=saved, tags=entry.get("labels"),
        is_read=archived or (progress is not None and progress >= 1.0), is_archived=archived,
        is_favorite=json_flag(entry.get("ismarked")), html=html, extracted=True,
        authors=[str(a) for a in authors if a] if isinstance(authors, list) else [],
        published=published, site=entry.get("sitename"), progress=progress or None,
        description=entry.get("description"),
        highlights=_highlights(entry))


def parse(path: Path) -> ParseResult:
    """Yield an ImportItem per bookmark of every Readeck JSON file in the export."""
    path = Path(path)
    problems: list[ImportProblem] = []
    if path.is_file() and path.suffix.lower() == ".json":
        data = yield from loaded_json(path)
        if data is None:
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

        def read(entry: dict, where: str, json_path: Path = json_path, single: bool = single) -> ParseResult:
            entry = folded(entry)
            return _item(entry, where, _content(folder, json_path, entry, single))

        yield from each_object(entries, f"{label}/{name}", "bookmark", read)
