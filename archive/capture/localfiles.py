"""Pictures a saved page keeps in files beside it.

A browser's "Save page as…, complete" writes `page.html` and a `page_files/`
folder, and points the page's <img src> there. Such a picture is turned into the
picture itself (a data: URI) before the page is saved, so it is stored with the
article like any other and the article does not depend on that folder staying
where it was. Only files under the given folder are read.
"""
from __future__ import annotations

import base64
import mimetypes
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html
from lxml import etree

from archive.capture.images import LAZY_SRC_ATTRS, LAZY_SRCSET_ATTRS

#: Pictures larger than this stay out (the per-image cap of a save).
MAX_INLINE_IMAGE = 10 * 1024 * 1024
_IMG = re.compile(r"<img\b", re.I)


def inline_local_images(doc: etree._Element, page: Path, root: Path) -> bool:
    """Replace <img src="page_files/x.png"> in `doc` by data: URIs for the image files
    under `root`; True if anything changed."""
    changed = False
    root = root.resolve()
    for img in doc.iter("img"):
        src = (img.get("src") or "").strip()
        if not src or urlsplit(src).scheme or src.startswith("//"):
            continue
        try:
            target = (page.parent / unquote(src.split("?")[0].split("#")[0])).resolve()
            if not target.is_relative_to(root) or not target.is_file() \
                    or target.stat().st_size > MAX_INLINE_IMAGE:
                continue
            mime = mimetypes.guess_type(target.name)[0] or ""
            if not mime.startswith("image/"):
                continue
            data = target.read_bytes()
        except (OSError, ValueError):
            continue  # unreadable, or a name the file system cannot hold: left as it was
        img.set("src", f"data:{mime};base64," + base64.b64encode(data).decode())
        for lazy in (*LAZY_SRC_ATTRS, *LAZY_SRCSET_ATTRS):  # they would win over src
            img.attrib.pop(lazy, None)
        changed = True
    return changed


def with_local_images(text: str, page: Path) -> str | None:
    """`text` (the page saved as `page`) with the pictures beside it inlined, or None
    when it refers to none (the common case costs one substring search)."""
    if not _IMG.search(text):
        return None
    try:
        doc = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return None
    if not inline_local_images(doc, page, page.parent):
        return None
    return lxml.html.tostring(doc, encoding="unicode", doctype="<!DOCTYPE html>")
