"""One page, from what was received to what is stored: the checks on a saved
page's file (read_page_file, shared by single and bulk saves), decoding and
extraction (prepare_page, the CPU-heavy half of a save, free of archive state so
it can run in a process pool), the standalone article.html around the body, the
plain text of a stored article, and the small normalisations a save applies.
"""
from __future__ import annotations

import html as htmlmod
import re
import stat
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable
from urllib.parse import urlsplit

from lxml.html import fragment_fromstring

from archive.base.errors import QuireError
from archive.base.models import Article, Extracted
from archive.capture.charset import decode_html
from archive.capture.localfiles import with_local_images
from archive.extraction.htmlparse import element_text

#: A saved page larger than this is refused (the fetcher caps downloads at 20 MB).
MAX_FILE_BYTES = 50 * 1024 * 1024
#: What a page saved by a browser is called; anything else (notes.txt, a photo) is not one.
HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")


def shown_path(path: Path | str) -> str:
    """A file name as messages show it: cut short, and quoted if it holds a NUL."""
    return repr(str(path)) if "\x00" in str(path) else str(path)[:300]


def check_page_file(path: Path | str) -> Path:
    """The file as a Path, if it can be a saved web page; else QuireError naming
    the file and the reason. Every file save runs this (single and bulk alike),
    before anything is read: a folder, a text note or a 2 GB video is refused."""
    shown = shown_path(path)
    if "\x00" in str(path):
        raise QuireError(f"{shown}: not a usable file name (it contains a NUL byte)")
    path = Path(path).expanduser()
    try:
        info = path.stat()
    except FileNotFoundError:
        info = None
    except OSError as exc:  # a name too long, a loop of links …
        raise QuireError(f"{shown}: cannot read the file ({exc.strerror or exc})") from exc
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise QuireError(f"{shown}: is a folder; use `import` for a folder of saved pages")
    if path.suffix.lower() not in HTML_SUFFIXES:
        raise QuireError(f"{shown}: not an HTML file (expected .html or .htm)")
    if info is None:
        raise QuireError(f"{shown}: no such file")
    size = info.st_size
    if size > MAX_FILE_BYTES:
        raise QuireError(f"{shown}: the file is {size // (1 << 20)} MB, more than the "
                         f"{MAX_FILE_BYTES // (1 << 20)} MB a page may be")
    return path


def read_page_file(path: Path | str) -> tuple[Path, bytes]:
    """check_page_file, then the file's bytes (QuireError if it cannot be read)."""
    checked = check_page_file(path)
    try:
        data = checked.read_bytes()
    except OSError as exc:
        raise QuireError(f"{shown_path(path)}: cannot read the file ({exc.strerror or exc})") from exc
    if not data.strip(b" \t\r\n\f\v\x00\xef\xbb\xbf\xff\xfe"):
        # named here, where the file is known (the parser would call it "the document")
        raise QuireError(f"{shown_path(path)}: the file is empty")
    return checked, data


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def html_to_text(fragment: str) -> str:
    """Plain text of a stored article (one paragraph per line)."""
    if not fragment.strip():
        return ""
    root = fragment_fromstring(fragment, create_parent="div")
    # placeholders of pictures that could not be saved are not the article's words
    for el in root.xpath('//*[contains(@class, "missing-image") or contains(@class, "missing-media")]'):
        el.drop_tree()
    body = root.find(".//body")
    return element_text(body if body is not None else root, skip_invisible=True)


def host_of(url: str | None) -> str:
    if not url:
        return ""
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


XML_INCOMPATIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def prepare_page(html: str | bytes, page_url: str | None, *, extract: bool = True,
                 title: str | None = None, declared_encoding: str | None = None,
                 page_file: str | None = None) -> tuple[bytes, Extracted]:
    """Decode and extract a page: the CPU-heavy half of a save, free of archive state,
    so bulk saving can run it in a process pool. Returns (raw bytes, extraction).

    `page_file` is where a page saved from disk lies: pictures in files beside it
    are taken in (archive.localfiles), and the original kept is that page with
    them, UTF-8 with a byte-order mark, so re-extraction needs the files no more."""
    # The extractor and sanitizer (readability, lxml_html_clean) cost 40-85 ms to
    # import (python -X importtime): `quire list`, search and the window's start
    # import this module and never extract.
    from archive.extraction.extract import extract_article
    from archive.extraction.sanitize import sanitize_html

    if isinstance(html, bytes):
        raw = html
        text, _encoding = decode_html(html, declared_encoding)
    else:
        raw, text = html.encode("utf-8", errors="surrogatepass"), html
    if page_file:
        inlined = with_local_images(text, Path(page_file))
        if inlined is not None:
            text = inlined
            raw = b"\xef\xbb\xbf" + text.encode("utf-8", errors="surrogatepass")
    # lxml refuses text with characters XML cannot hold (NUL, C0 controls, lone
    # surrogates, U+FFFE/U+FFFF); no page means them, so they go before parsing.
    text = XML_INCOMPATIBLE.sub("", text)
    text, stash = _stash_data_images(text)
    if extract:
        ex = extract_article(text, page_url)
    else:
        body = sanitize_html(text, page_url)
        ex = Extracted(title=title or "", content_html=body, text=html_to_text(body))
    for key, uri in stash.items():
        if key in ex.content_html:
            ex.content_html = ex.content_html.replace(key, uri)
        if ex.lead_image == key:
            ex.lead_image = None
    if title:
        ex.title = title
    return raw, ex


#: Pictures embedded as base64 (SingleFile pages, "Save page as" pages with their
#: images inlined) can be megabytes long; libxml2 stops parsing at a text or
#: attribute that large and the rest of the article would be lost.
#: The base64 runs to its padding; line breaks (with indentation) may wrap it, but
#: not spaces: in an unquoted attribute a space ends the value (``src=data:… alt=x``)
#: and in a srcset it starts the descriptor (``data:… 2x``).
_DATA_IMAGE = re.compile(
    r"data:image/(?:png|jpe?g|gif|webp);base64,[A-Za-z0-9+/]+(?:[\r\n]+[ \t]*[A-Za-z0-9+/]+)*={0,2}",
    re.I)
MIN_STASHED_CHARS = 4096
_STASH_PREFIX = "https://quire.invalid/inline-image/"
MAX_DATA_IMAGE_CHARS = 14 * 1024 * 1024  # ~10 MB of image, the per-image cap


def _stash_data_images(text: str) -> tuple[str, dict[str, str]]:
    """Swap large embedded images for short stand-in URLs while the page is parsed;
    prepare_page puts them back into the article body (images.py then stores them
    as files). A stand-in never reaches the disk: .invalid never resolves."""
    stash: dict[str, str] = {}

    def swap(m: re.Match) -> str:
        if len(m.group(0)) < MIN_STASHED_CHARS:
            return m.group(0)
        if len(m.group(0)) > MAX_DATA_IMAGE_CHARS:
            return "about:blank"
        key = f"{_STASH_PREFIX}{len(stash)}.img"
        stash[key] = re.sub(r"\s+", "", m.group(0))
        return key

    if "data:image" not in text:
        return text, stash
    return _DATA_IMAGE.sub(swap, text), stash


def article_document(article: Article, body_html: str) -> str:
    """article.html: a whole, standalone page, so the folder reads without Quire."""
    lang = f' lang="{htmlmod.escape(article.lang)}"' if article.lang else ""
    return (
        f"<!DOCTYPE html>\n<html{lang}>\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{htmlmod.escape(article.title)}</title>\n</head>\n<body>\n<article>\n"
        f"{body_html}\n</article>\n</body>\n</html>\n"
    )


def title_of_page(page: str) -> str:
    m = re.search(r"<title>(.*?)</title>", page, re.S | re.I)
    return htmlmod.unescape(m.group(1)).strip() if m else ""


def normalize_tags(tags: Iterable[str]) -> list[str]:
    """Trim, drop empties and commas (the index separator), de-duplicate case-insensitively."""
    out: list[str] = []
    seen: set[str] = set()
    for t in tags:
        for part in str(t).split(","):
            name = " ".join(part.split()).strip().lstrip("#")[:100]
            if name and name.lower() not in seen:
                seen.add(name.lower())
                out.append(name)
    return sorted(out, key=lambda t: (t.lower(), t))  # the catalog's order, so meta.json matches
