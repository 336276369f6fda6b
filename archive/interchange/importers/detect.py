"""Tell an export's format from its content, not its name (people rename files).

Each check looks for what only that service writes: the Netscape doctype or
ADD_DATE/time_added attributes, the CSV headers, wallabag's is_starred,
Omnivore's metadata_*.json, Pocket's part_*.csv, Quire's own "format" key.
"""
from __future__ import annotations

import json
import re
import zipfile
import zlib
from pathlib import Path
from typing import Callable

from archive.base.errors import ImportFileError, UnknownFormatError
from archive.interchange.formats import IMPORT_FORMATS as FORMATS

from archive.interchange.importers.firefox import SQLITE_MAGIC, is_places
from archive.interchange.importers.chrome import profile_file
from archive.interchange.importers.items import check_url, decode_text
from archive.interchange.importers.readeck import looks_like_readeck

_OMNIVORE_META = re.compile(r"(^|/)metadata_\d+_to_\d+\.json$", re.I)
#: Pocket's export since 2025: a zip of part_000000.csv, part_000001.csv, … (10,000 rows each).
POCKET_PART = re.compile(r"(^|/)part_\d+\.csv$", re.IGNORECASE)
_PAGE = re.compile(r"\.(html?|xhtml)$", re.I)
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
#: JSON files up to this size inside a zip or folder are read to tell Readeck's export.
_PEEK_BYTES = 20 * 1024 * 1024


def _peek_file(path: Path) -> bytes:
    return path.read_bytes() if path.stat().st_size <= _PEEK_BYTES else b""


def _detect_names(names: list[str], label: str,
                  read: "Callable[[str], bytes] | None" = None) -> str:
    """The format of a zip or folder from its file names (and, for Readeck, whose files
    have no telling names, the content of its small JSON files through `read`)."""
    if any(_OMNIVORE_META.search(n) for n in names):
        return "omnivore"
    if any(POCKET_PART.search(n) for n in names):
        return "pocket"
    if read is not None and _has_readeck_json(names, read):
        return "readeck"
    if any(_PAGE.search(n) for n in names):
        return "folder"
    raise UnknownFormatError(f"{label}: no Omnivore metadata, no Pocket part_*.csv files and no "
                          ".html pages inside; cannot tell what to import")


def _has_readeck_json(names: list[str], read: "Callable[[str], bytes]") -> bool:
    for name in [n for n in names if n.lower().endswith(".json")][:50]:
        try:
            data = json.loads(decode_text(read(name)))
        except (ValueError, RecursionError, OSError, KeyError, EOFError, NotImplementedError,
                zipfile.BadZipFile, RuntimeError, zlib.error):
            continue  # an unreadable member tells nothing; the parser names it
        if looks_like_readeck(data):
            return True
    return False


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
        if isinstance(data.get("roots"), dict):
            return "chrome"
        if isinstance(data.get("collections"), list):
            return "linkwarden"
        if isinstance(data.get("bookmarks"), list) and not looks_like_readeck(data):
            return "karakeep"
    if looks_like_readeck(data):
        return "readeck"
    if isinstance(data, list):
        first = next((e for e in data if isinstance(e, dict)), {})
        if "href" in first and ("toread" in first or "extended" in first or "hash" in first):
            return "pinboard"
        if "is_starred" in first or "is_archived" in first or "content" in first:
            return "wallabag"
        if "slug" in first or "savedAt" in first or "labels" in first:
            return "omnivore"
    raise UnknownFormatError(f"{label}: JSON, but not an export Quire reads (wallabag, Omnivore, "
                             "Pinboard, Linkwarden, Karakeep, Readeck, a browser's Bookmarks file, "
                             "Quire)")


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
    if "url" in header and (("document tags" in header and "location" in header)
                            or "highlight" in header):
        return "readwise"  # Reader's library, or a highlights CSV
    if "url" in header and "folder" in header and ("excerpt" in header or "cover" in header):
        return "raindrop"
    if header[:2] == ["url", "title"] and ("folder" in header or "selection" in header):
        return "instapaper"
    lines = [ln.strip() for ln in head.splitlines() if ln.strip() and not ln.startswith("#")]
    sample = lines[:50]
    web_lines = sum(check_url(ln.split()[0]) is None for ln in sample)
    if sample and web_lines >= max(1, len(sample) // 2):
        return "urls"
    raise UnknownFormatError(
        f"{label}: cannot tell the format from the content: it is not an export Quire reads "
        "(Pocket CSV or HTML, Instapaper, Readwise Reader or Raindrop.io CSV, wallabag, "
        "Pinboard, Linkwarden or Karakeep JSON, Omnivore or Readeck zip, a bookmarks file, a "
        "browser's Bookmarks or places.sqlite, a list of web addresses, saved pages, Quire "
        "JSON)")


def detect_format(path: Path | str) -> str:
    """Return one of FORMATS for `path` (a file, zip or folder); ImportFileError if unknown."""
    path = Path(path)
    label = path.name or str(path)
    if path.is_dir():
        if (path / "places.sqlite").is_file() and is_places(path / "places.sqlite"):
            return "firefox"  # a Firefox profile folder
        bookmarks = profile_file(path)
        if bookmarks is not None and bookmarks.stat().st_size <= _PEEK_BYTES:
            try:
                if isinstance(json.loads(decode_text(bookmarks.read_bytes())).get("roots"), dict):
                    return "chrome"  # a Chrome/Edge profile (or user-data) folder
            except (ValueError, AttributeError, RecursionError):
                pass
        names = [p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file()]
        return _detect_names(names, label, lambda n: _peek_file(path / n))
    if not path.is_file():
        raise ImportFileError(f"{path}: no such file or folder")
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                small = {i.filename for i in archive.infolist() if i.file_size <= _PEEK_BYTES}
                return _detect_names(archive.namelist(), label,
                                     lambda n: archive.read(n) if n in small else b"")
        except zipfile.BadZipFile as exc:
            raise ImportFileError(f"{label}: a broken zip file ({exc})") from exc
    with open(path, "rb") as handle:
        head = handle.read(65536)
    if not head.strip():
        raise ImportFileError(f"{label}: the file is empty")
    if head.startswith(SQLITE_MAGIC):
        if is_places(path):
            return "firefox"
        raise UnknownFormatError(f"{label}: a SQLite database, but not Firefox's places.sqlite")
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
