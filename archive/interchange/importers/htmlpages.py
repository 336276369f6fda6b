"""A folder or zip of saved web pages (browser "Save page as", SingleFile), or one page.

The page's address comes from what the saver left in it: SingleFile's header
comment, the "saved from url=" comment browsers write, <link rel=canonical> or
og:url. Images that "Save page as" put in the `<name>_files/` folder beside the
page are inlined as data: URIs, so they survive once the page is in the archive.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

import lxml.html
from lxml import etree

from archive.capture.localfiles import inline_local_images
from archive.extraction.pages import HTML_SUFFIXES
from archive.interchange.importers.items import ImportItem, ImportProblem, ParseResult, check_url, decode_text, to_iso
from archive.interchange.importers.zipped import opened_folder

_SINGLEFILE_URL = re.compile(r"Page saved with SingleFile.*?url:\s*(\S+)", re.S | re.I)
_SINGLEFILE_DATE = re.compile(r"Page saved with SingleFile.*?saved date:\s*([^\n(]+)", re.S | re.I)
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([\w-]+)""", re.I)


def decode_page(data: bytes) -> str:
    """Decode a saved page by its declared charset, else by detection."""
    match = _META_CHARSET.search(data[:4096])
    if match:
        try:
            return data.decode(match.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data)


def _singlefile_date(text: str) -> str | None:
    match = _SINGLEFILE_DATE.search(text[:2000])
    if not match:
        return None
    raw = match.group(1).strip()  # "Thu Nov 21 2024 10:00:00 GMT+0100"
    parts = re.match(r"\w{3} (\w{3}) (\d{1,2}) (\d{4}) (\d\d:\d\d:\d\d) GMT([+-]\d{4})", raw)
    if not parts:
        return None
    month, day, year, clock, offset = parts.groups()
    try:
        return to_iso(parsedate_to_datetime(f"{day} {month} {year} {clock} {offset}"))
    except (TypeError, ValueError):
        return None


def _page_url(text: str, doc: etree._Element | None) -> str | None:
    head = text[:3000]
    for pattern in (_SINGLEFILE_URL, _SAVED_FROM):
        match = pattern.search(head)
        if match and check_url(match.group(1)) is None:
            return match.group(1)
    if doc is not None:
        for xpath in ('//link[@rel="canonical"]/@href', '//meta[@property="og:url"]/@content'):
            values = doc.xpath(xpath)
            if values and check_url(values[0].strip()) is None:
                return values[0].strip()
    return None


def _page_item(page: Path, root: Path, source_key: str, where: str) -> ImportItem | ImportProblem:
    try:
        text = decode_page(page.read_bytes())
    except OSError as exc:
        return ImportProblem(where, f"cannot read the file ({exc})")
    if not text.strip():
        return ImportProblem(where, "the file is empty")
    try:
        doc = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        return ImportProblem(where, f"not an HTML page ({exc})")
    title = " ".join((doc.findtext(".//title") or "").split())
    url = _page_url(text, doc)
    if inline_local_images(doc, page, root):
        text = lxml.html.tostring(doc, encoding="unicode", doctype="<!DOCTYPE html>")
    saved = _singlefile_date(text) or to_iso(
        datetime.fromtimestamp(page.stat().st_mtime, tz=timezone.utc)
    )
    return ImportItem(url=url, title=title or page.stem, saved=saved, html=text,
                      source_key=source_key)


def _is_page(path: Path, root: Path) -> bool:
    if path.suffix.lower() not in HTML_SUFFIXES or not path.is_file():
        return False
    # Pages inside "Save page as" resource folders are frames, not articles.
    return not any(part.endswith("_files") for part in path.relative_to(root).parts[:-1])


def parse(path: Path) -> ParseResult:
    """Yield an ImportItem (with its HTML) per saved page in the folder, zip or file."""
    path = Path(path)
    if path.is_file() and path.suffix.lower() in HTML_SUFFIXES:
        yield _page_item(path, path.parent.resolve(), str(path.resolve()), path.name)
        return
    problems: list[ImportProblem] = []
    with opened_folder(path, problems) as folder:
        yield from problems
        root = folder.resolve()
        pages = sorted(p for p in root.rglob("*") if _is_page(p, root))
        if not pages:
            yield ImportProblem(path.name, "no .html or .htm pages found")
            return
        for page in pages:
            relative = page.relative_to(root).as_posix()
            key = f"{path.resolve()}!/{relative}" if path.is_file() else str(page)
            yield _page_item(page, root, key, f"{path.name}/{relative}")
