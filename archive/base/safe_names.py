"""File names and zip extraction that cannot hurt the user's disk.

Titles become file names in exports and zip entries become files in imports;
both come from strangers. A title may be "../../.bashrc", "CON", 400 bytes of
emoji or empty; a zip may hold "../x" or inflate 10 MB into 10 GB. Everything
that turns outside text into a path goes through here (as calibre does for
its library folders).
"""
from __future__ import annotations

import re
import stat
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from archive.base.errors import ImportFileError

#: Names Windows refuses whatever the extension ("con.txt" too).
WINDOWS_RESERVED = {
    "con", "prn", "aux", "nul",
    *(f"com{i}" for i in range(1, 10)),
    *(f"lpt{i}" for i in range(1, 10)),
}
_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
#: Bidirectional embedding, override and isolate controls (and the invisible direction
#: marks): in a file name they make "gpj.exe" display as "exe.jpg".
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: Most file systems cap a name at 255 bytes; stay well below so a suffix fits.
DEFAULT_MAX_BYTES = 120
#: Imports refuse zips that inflate to more than this (a zip bomb guard).
DEFAULT_MAX_INFLATED = 2 * 1024**3
DEFAULT_MAX_ENTRIES = 200_000


def _truncate_utf8(text: str, max_bytes: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= max_bytes:
        return text
    return encoded[:max_bytes].decode("utf-8", errors="ignore")


def safe_filename(name: str, ext: str = "", *, max_bytes: int = DEFAULT_MAX_BYTES,
                  fallback: str = "untitled") -> str:
    """A single path component made from `name`, plus `ext` (".md").

    No separators, control or bidi characters or characters Windows forbids; no
    leading dot (hidden files, "..") and no trailing dot or space; never a
    reserved device name; at most `max_bytes` bytes of UTF-8 with the extension.
    """
    text = unicodedata.normalize("NFC", name or "")
    text = _FORBIDDEN.sub(" ", _BIDI.sub("", text))
    text = " ".join(text.split())
    text = text.lstrip(". ").rstrip(". ")
    budget = max(8, max_bytes - len(ext.encode("utf-8")))
    text = _truncate_utf8(text, budget).rstrip(". ")
    if not text:
        text = fallback
    if text.split(".")[0].lower() in WINDOWS_RESERVED:
        text = f"_{text}"
    return text + ext


def unique_name(name: str, taken: set[str]) -> str:
    """`name`, or "name (2).ext" etc. when already taken; remembers the result.

    Compares case-insensitively because macOS and Windows do.
    """
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, ext = name, ""
    else:
        ext = "." + ext
    candidate, number = name, 1
    while candidate.lower() in taken:
        number += 1
        candidate = f"{stem} ({number}){ext}"
    taken.add(candidate.lower())
    return candidate


@dataclass
class ExtractResult:
    files: list[Path] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (entry name, reason)


def _entry_problem(info: zipfile.ZipInfo) -> str | None:
    """Why an entry must not be written, or None."""
    name = info.filename.replace("\\", "/")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "absolute path"
    if any(part == ".." for part in PurePosixPath(name).parts):
        return "path escapes the target folder (..)"
    mode = info.external_attr >> 16
    if mode and stat.S_ISLNK(mode):
        return "symbolic link"
    return None


def safe_extract(zip_path: Path | str, dest: Path | str, *,
                 max_total_bytes: int | None = None,
                 max_entries: int | None = None) -> ExtractResult:
    """Extract a zip under `dest`, refusing entries that would land outside it.

    The inflated size is counted as bytes actually come out (the sizes in the
    zip's directory can lie), and extraction stops with ImportFileError once
    the total passes `max_total_bytes` (default: DEFAULT_MAX_INFLATED).
    """
    max_total_bytes = DEFAULT_MAX_INFLATED if max_total_bytes is None else max_total_bytes
    max_entries = DEFAULT_MAX_ENTRIES if max_entries is None else max_entries
    dest = Path(dest).resolve()
    dest.mkdir(parents=True, exist_ok=True)
    result = ExtractResult()
    total = 0
    try:
        archive = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportFileError(f"{Path(zip_path).name}: not a readable zip file ({exc})") from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > max_entries:
            raise ImportFileError(
                f"{Path(zip_path).name}: {len(infos)} entries, more than the {max_entries} allowed"
            )
        for info in infos:
            problem = _entry_problem(info)
            target = (dest / info.filename.replace("\\", "/")).resolve()
            if problem is None and not target.is_relative_to(dest):
                problem = "path escapes the target folder"
            if problem:
                result.refused.append((info.filename, problem))
                continue
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with archive.open(info) as source, open(target, "wb") as out:
                    while chunk := source.read(1024 * 1024):
                        total += len(chunk)
                        if total > max_total_bytes:
                            raise ImportFileError(
                                f"{Path(zip_path).name}: inflates to more than "
                                f"{max_total_bytes:,} bytes; refusing it as a possible zip bomb"
                            )
                        out.write(chunk)
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError,
                    NotImplementedError) as exc:  # damaged data, bad CRC, odd compression
                target.unlink(missing_ok=True)
                reason = f"unreadable entry, damaged or in an unsupported form ({exc})"
                result.refused.append((info.filename, reason))
                continue
            result.files.append(target)
    return result
