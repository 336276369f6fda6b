"""Chrome, Chromium, Edge, Brave, Vivaldi and Opera keep bookmarks in the profile's
`Bookmarks` file (no export step needed): JSON

    {"checksum": "...", "version": 1,
     "roots": {"bookmark_bar": {"type": "folder", "name": "Bookmarks bar", "children": [...]},
               "other": {...}, "synced": {...}}}

with nodes {"type": "url", "name", "url", "date_added", "guid", "id", "meta_info"} and
{"type": "folder", "name", "children", "date_added"}. date_added is WebKit time:
microseconds since 1601-01-01 UTC, as a string. Folders become tags (one tag each,
as in bookmark files); the roots say nothing and are left out.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from archive.interchange.importers.items import (
    ImportItem,
    ImportProblem,
    ParseResult,
    check_url,
    folder_tag,
    link_title,
    to_iso,
)
from archive.interchange.importers.jsonfile import json_export

WEBKIT_EPOCH = datetime(1601, 1, 1, tzinfo=timezone.utc)
#: Deeper folders than this are cut off (a hostile file must not exhaust the stack).
MAX_DEPTH = 100


def webkit_time(value: object) -> str | None:
    """WebKit microseconds since 1601 (Chrome's date_added) as ISO 8601; None for 0/absent.
    ValueError on garbage."""
    if value in (None, "", "0", 0):
        return None
    micros = int(str(value).strip())
    if micros < 0:
        raise ValueError(f"negative time {value!r}")
    return to_iso(WEBKIT_EPOCH + timedelta(microseconds=micros))


def _walk(node: Any, folders: list[str], where: str, out: list, depth: int = 0) -> None:
    if not isinstance(node, dict) or depth > MAX_DEPTH:
        return
    kind = node.get("type")
    if kind == "url":
        url = str(node.get("url") or "").strip()
        title = link_title(str(node.get("name") or ""), url)
        label = f"{where} bookmark {node.get('id', '?')}" + (f" ({title[:60]})" if title else "")
        problem = check_url(url)
        if problem:
            out.append(ImportProblem(label, problem))
            return
        saved = None
        try:
            saved = webkit_time(node.get("date_added"))
        except (ValueError, OverflowError):
            out.append(ImportProblem(label, f"date_added {node.get('date_added')!r} is not a "
                                            "WebKit time; imported without it", skipped=False))
        out.append(ImportItem(url=url, title=title, saved=saved, tags=list(folders)))
        return
    children = node.get("children")
    if isinstance(children, list):
        name = folder_tag(node.get("name")) if depth > 0 else ""
        inner = folders + [name] if name else folders
        for child in children:
            _walk(child, inner, where, out, depth + 1)


def profile_file(folder: Path) -> Path | None:
    """The Bookmarks file of a browser profile folder (or of its user-data folder's
    Default profile), for people who point at the folder."""
    for candidate in (folder / "Bookmarks", folder / "Default" / "Bookmarks"):
        if candidate.is_file():
            return candidate
    return None


def parse(path: Path) -> ParseResult:
    """Yield an ImportItem per bookmark under every root; a problem for each bad one."""
    path = Path(path)
    if path.is_dir():
        found = profile_file(path)
        if found is None:
            yield ImportProblem(path.name, "no Bookmarks file in this folder (a browser profile "
                                           "folder holds one)")
            return
        path = found
    data = yield from json_export(path, 'expected a browser Bookmarks file: an object with "roots"',
                                  key="roots", kind=dict)
    if data is None:
        return
    roots = data["roots"]
    out: list[ImportItem | ImportProblem] = []
    for root in roots.values():  # bookmark_bar, other, synced (and any a browser adds)
        _walk(root, [], path.name, out)
    yield from out
