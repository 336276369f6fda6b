"""Tell an export's format from its content, not its name (people rename files).

Each check looks for what only that service writes: the Netscape doctype or
ADD_DATE/time_added attributes, the CSV headers, wallabag's is_starred,
Omnivore's metadata_*.json, Pocket's part_*.csv, Quire's own "format" key.
"""
from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

from archive.base.errors import ImportFileError, UnknownFormatError
from archive.interchange.importers.items import check_url, decode_text

FORMATS = ("netscape", "pocket", "instapaper", "wallabag", "omnivore", "urls", "folder", "json")
_OMNIVORE_META = re.compile(r"(^|/)metadata_\d+_to_\d+\.json$", re.I)
#: Pocket's export since 2025: a zip of part_000000.csv, part_000001.csv, … (10,000 rows each).
POCKET_PART = re.compile(r"(^|/)part_\d+\.csv$", re.IGNORECASE)
_PAGE = re.compile(r"\.(html?|xhtml)$", re.I)
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


def _detect_names(names: list[str], label: str) -> str:
    if any(_OMNIVORE_META.search(n) for n in names):
        return "omnivore"
    if any(POCKET_PART.search(n) for n in names):
        return "pocket"
    if any(_PAGE.search(n) for n in names):
        return "folder"
    raise UnknownFormatError(f"{label}: no Omnivore metadata, no Pocket part_*.csv files and no "
                          ".html pages inside; cannot tell what to import")


def _detect_json(text: str, label: str) -> str:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ImportFileError(f"{label}: looks like JSON but does not parse ({exc})") from exc
    if isinstance(data, dict):
        if data.get("format") == "quire-export":
            return "json"
        if "_embedded" in data:
            return "wallabag"
    if isinstance(data, list):
        first = next((e for e in data if isinstance(e, dict)), {})
        if "is_starred" in first or "is_archived" in first or "content" in first:
            return "wallabag"
        if "slug" in first or "savedAt" in first or "labels" in first:
            return "omnivore"
    raise UnknownFormatError(f"{label}: JSON, but neither a wallabag, Omnivore nor Quire export")


def _detect_text(text: str, label: str) -> str:
    head = text[:65536]
    lowered = head.lower()
    stripped = lowered.lstrip()
    if stripped.startswith(("{", "[")):
        return _detect_json(text, label)
    if "<!doctype netscape-bookmark-file" in lowered or re.search(
        r"<a\s[^>]*\b(add_date|time_added)\s*=", lowered
    ):
        return "netscape"
    if stripped.startswith(("<!doctype html", "<html", "<!--")) or "<body" in lowered:
        return "folder"
    first_line = stripped.splitlines()[0] if stripped else ""
    delimiter = max((",", ";", "\t"), key=first_line.count)
    header = [c.strip().strip('"') for c in first_line.split(delimiter)]
    if "time_added" in header or ("url" in header and "status" in header):
        return "pocket"
    if header[:2] == ["url", "title"] and ("folder" in header or "selection" in header):
        return "instapaper"
    lines = [ln.strip() for ln in head.splitlines() if ln.strip() and not ln.startswith("#")]
    sample = lines[:50]
    web_lines = sum(check_url(ln.split()[0]) is None for ln in sample)
    if sample and web_lines >= max(1, len(sample) // 2):
        return "urls"
    raise UnknownFormatError(
        f"{label}: cannot tell the format from the content: it is not an export Quire reads "
        "(Pocket CSV or HTML, Instapaper CSV, wallabag JSON, Omnivore zip, a bookmarks file, "
        "a list of web addresses, saved pages, Quire JSON)")


def detect_format(path: Path | str) -> str:
    """Return one of FORMATS for `path` (a file, zip or folder); ImportFileError if unknown."""
    path = Path(path)
    label = path.name or str(path)
    if path.is_dir():
        names = [p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file()]
        return _detect_names(names, label)
    if not path.is_file():
        raise ImportFileError(f"{path}: no such file or folder")
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                return _detect_names(archive.namelist(), label)
        except zipfile.BadZipFile as exc:
            raise ImportFileError(f"{label}: a broken zip file ({exc})") from exc
    with open(path, "rb") as handle:
        head = handle.read(65536)
    if not head.strip():
        raise ImportFileError(f"{label}: the file is empty")
    if head.startswith(_ZIP_MAGIC):  # a zip whose directory at the end is missing
        raise ImportFileError(f"{label}: the zip file is damaged or truncated; "
                              "download or copy it again")
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the 64 KiB read is not a wrong encoding.
        cut = exc.start > len(head) - 4
        text = head[: exc.start].decode("utf-8-sig") if cut else decode_text(head)
    if text.lstrip().startswith(("{", "[")):
        return _detect_json(decode_text(path.read_bytes()), label)
    return _detect_text(text, label)
