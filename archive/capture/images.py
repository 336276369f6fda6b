"""Keep an article's pictures offline: download, store by content hash, rewrite.

A saved article must look the same with the network unplugged, so after
:func:`localize_images` runs, nothing in the HTML asks for a remote resource:
every picture points at ``images/<sha256>.<ext>`` next to article.html, and
whatever could not be saved becomes a visible placeholder naming the
original URL (a failed picture never fails the save).  Links (``<a href>``)
stay remote on purpose: following one is the reader's choice, not a load.

Files are named by content hash so the same picture under two URLs (or two
sizes of a srcset that a CDN serves identically) is stored once, and a
re-run finds what is already there.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import html as htmlmod
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote_to_bytes

import lxml.html
from lxml import etree

from archive.base import atomic
from archive.base.errors import QuireError
from archive.base.markup import EMBED_MARK, repair_void_elements
from archive.capture.imagefiles import (
    CSS_IMPORT,
    CSS_LOADERS,
    CSS_URL,
    LOCAL_REF,
    XLINK_NS,
    local_name,
    neutralize_image_sets,
    remove_keeping_tail,
    sanitize_svg,
    sniff_image,
)
from archive.capture.srcset import picture_address, rank_srcset
from archive.capture.urls import absolutize

MB = 1024 * 1024
IMAGES_DIR_NAME = "images"

#: Where lazy-loading scripts keep the real picture while ``src`` holds a
#: placeholder (the sanitizer keeps these too: one list).  Ordered: the first one
#: present wins, and any of them wins over ``src``, which is often a grey
#: placeholder file; ``src`` is still tried when they fail.  ``lowsrc`` is the
#: exception: a low-resolution stand-in, tried after ``src``.
LAZY_SRC_ATTRS = (
    "data-src", "data-lazy-src", "data-original", "data-lazy", "data-url", "data-hi-res-src",
    "data-full-src", "data-orig-src", "data-orig-file", "data-large-file", "data-echo",
    "data-original-src", "data-actualsrc", "data-pagespeed-lazy-src", "data-img-src",
    "data-delayed-url", "lowsrc",
)
LAZY_SRCSET_ATTRS = ("data-srcset", "data-lazy-srcset", "data-original-set", "srcset")
#: Attributes removed from every image once it points at a local file.
IMAGE_ATTRS_TO_DROP = (*LAZY_SRC_ATTRS, *LAZY_SRCSET_ATTRS, "sizes", "data-sizes", "dynsrc")

#: Attributes that make a browser load something.  After rewriting, any of
#: them still pointing outside images/ is removed.
RESOURCE_ATTRS = frozenset(
    {"src", "srcset", "poster", "background", "lowsrc", "dynsrc", "data", "codebase",
     "archive", "manifest", "ping", "xlink:href", "imagesrcset", "longdesc", "usemap",
     "formaction", "profile", "classid"} | set(LAZY_SRC_ATTRS) | set(LAZY_SRCSET_ATTRS)
)
#: Elements that only load or run things; no offline article needs them.
DROP_ELEMENTS = ("script", "link", "base", "applet", "frameset")
#: Embedded media and frames: replaced by a placeholder link to the original.
EMBED_ELEMENTS = ("iframe", "frame", "embed", "object", "audio", "video", "portal")


_UNSHOWABLE = re.compile(r"\.(?:avif|heic|heif|jxl)$", re.IGNORECASE)
_DOCUMENT_START = re.compile(r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype|html)\b",
                             re.IGNORECASE | re.DOTALL)


class BytesFetcher(Protocol):
    """What localize_images needs from a fetcher (archive.fetch.Fetcher fits).

    A fetcher that also has ``record_stored(url, name)`` is told the file each
    fetched picture was stored as (archive.image_sources records them)."""

    def fetch_bytes(self, url: str, max_bytes: int | None = None,
                    referer: str | None = None) -> Any: ...


# -- the work ---------------------------------------------------------------------------
@dataclass
class _Outcome:
    name: str | None = None  # images/<hash>.<ext> on success
    error: str | None = None


@dataclass
class _Job:
    """Shared state of one localize_images run (used from worker threads)."""

    images_dir: Path
    fetcher: BytesFetcher | None
    referer: str | None
    max_image_bytes: int
    max_total_bytes: int
    stored_bytes: int = 0
    stored: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, url: str) -> _Outcome:
        try:
            if url.lower().startswith("data:"):
                data = _decode_data_uri(url)
            elif self.fetcher is None:
                return _Outcome(error="not downloaded (saved without network access)")
            else:
                data = self.fetcher.fetch_bytes(url, self.max_image_bytes,
                                                referer=self.referer).body
            if len(data) > self.max_image_bytes:
                return _Outcome(error=f"larger than the {self.max_image_bytes // MB} MB "
                                      "limit for one image")
            outcome = self._store(data)
            record = getattr(self.fetcher, "record_stored", None)
            if outcome.name and record is not None and not url.lower().startswith("data:"):
                record(url, outcome.name)  # the stored name: an SVG is stored cleaned
            return outcome
        except QuireError as exc:
            return _Outcome(error=str(exc))
        except Exception as exc:  # one broken picture must never fail the save
            return _Outcome(error=f"unexpected error ({exc!r})")

    def _store(self, data: bytes) -> _Outcome:
        ext = sniff_image(data)
        if ext is None:
            return _Outcome(error="not an image (the server sent something else)")
        if ext == "svg":
            cleaned = sanitize_svg(data)
            if cleaned is None:
                return _Outcome(error="an SVG that could not be checked, so it was dropped")
            data = cleaned
        name = f"{hashlib.sha256(data).hexdigest()[:32]}.{ext}"
        with self.lock:
            if name not in self.stored:
                if self.stored_bytes + len(data) > self.max_total_bytes:
                    return _Outcome(error=f"the article's {self.max_total_bytes // MB} MB "
                                          "image budget is used up")
                self.stored_bytes += len(data)
                self.stored.add(name)
        _write_once(self.images_dir / name, data)
        return _Outcome(name=f"{IMAGES_DIR_NAME}/{name}")


def _decode_data_uri(uri: str) -> bytes:
    header, sep, payload = uri.partition(",")
    if not sep:
        raise QuireError("a malformed data: URI")
    try:
        if header.lower().endswith(";base64"):
            return base64.b64decode(unquote_to_bytes(payload), validate=False)
        return unquote_to_bytes(payload)
    except (binascii.Error, ValueError) as exc:
        raise QuireError(f"a malformed data: URI ({exc})") from exc


def _write_once(path: Path, data: bytes) -> None:
    """Write atomically; identical content may already be there (same hash)."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_bytes(path, data)


class _Rewriter:
    """Finds every picture reference in a tree and applies download outcomes."""

    def __init__(self, root: Any, base_url: str | None, images_dir: Path) -> None:
        self.root = root
        self.base_url = base_url
        self.images_dir = images_dir
        #: element -> ordered candidate URLs (absolute, or data:)
        self.images: list[tuple[Any, list[str], str]] = []
        self.css: list[tuple[Any, str | None]] = []  # (element, attribute or None for text)

    def resolve(self, ref: str | None) -> str | None:
        """Absolute http(s)/data: URL for a reference, or the reference itself
        when it already names a file in images_dir (re-running on saved HTML)."""
        if not ref:
            return None
        ref = ref.strip()
        if not ref:
            return None
        if LOCAL_REF.match(ref) and (self.images_dir / ref.split("/", 1)[1]).exists():
            return ref
        if ref.lower().startswith("data:"):
            return ref
        if ref.startswith("//") and not self.base_url:
            return "https:" + ref
        return absolutize(ref, self.base_url) or ref

    def candidates_for(self, element: Any, extra_srcsets: list[str] | None = None) -> list[str]:
        """The picture's possible URLs, best first (later ones are fallbacks)."""
        refs: list[str] = []
        for attr in LAZY_SRCSET_ATTRS:
            if element.get(attr):
                refs.extend(rank_srcset(element.get(attr)))
        refs.extend(picture_address(element.get(attr)) for attr in LAZY_SRC_ATTRS
                    if attr != "lowsrc" and element.get(attr))
        src = (element.get("src") or element.get("href") or element.get("xlink:href")
               or element.get(f"{{{XLINK_NS}}}href"))
        if src and not (refs and src.strip().lower().startswith("data:")):
            refs.append(src)  # a data: src next to lazy attributes is a placeholder
        if element.get("lowsrc"):
            refs.append(element.get("lowsrc"))
        for srcset in extra_srcsets or ():
            refs.extend(rank_srcset(srcset))
        seen: list[str] = []
        for ref in refs:
            resolved = self.resolve(ref)
            if resolved is not None and resolved not in seen:
                seen.append(resolved)
        # Formats the reader cannot show go last: any other candidate is better.
        seen.sort(key=lambda url: bool(_UNSHOWABLE.search(url.split("?", 1)[0])))
        return seen[:6]

    def collect(self) -> None:
        for element in list(self.root.iter(*EMBED_ELEMENTS, "a")):
            if element.tag != "a" or element.get(EMBED_MARK) is not None:
                self._replace_embed(element)
        handled = set()
        for picture in list(self.root.iter("picture")):
            img, srcsets = self._flatten_picture(picture)
            handled.add(img)
            self.images.append((img, self.candidates_for(img, srcsets), img.get("alt") or ""))
        for img in self.root.iter("img"):
            if img not in handled:
                self.images.append((img, self.candidates_for(img), img.get("alt") or ""))
        for element in self.root.iter("input"):
            if (element.get("type") or "").lower() == "image":
                alt = element.get("alt") or ""
                self.images.append((element, self.candidates_for(element), alt))
        for element in self.root.iter("image"):  # inline <svg><image href=…>
            self.images.append((element, self.candidates_for(element), ""))
        for element in self.root.iter():
            if not isinstance(element.tag, str):
                continue
            if element.tag == "style" and element.text and _loads(element.text):
                self.css.append((element, None))
            style = element.get("style")
            if style and _loads(style):
                self.css.append((element, "style"))

    def _flatten_picture(self, picture: Any) -> tuple[Any, list[str]]:
        """Fold <source> candidates into the picture's <img>, then drop the sources.

        The <img> inside a <picture> is what browsers show and its own source
        is usually the most compatible format (JPEG/PNG rather than AVIF),
        so it comes first; <source> sets are fallbacks (and the only source
        when a lazy loader left the <img> empty).
        """
        sources = [s for s in picture.iter("source")]
        srcsets = []
        for source in sources:
            if "avif" in (source.get("type") or "").lower():
                continue  # the reader cannot show AVIF
            for attr in LAZY_SRCSET_ATTRS + ("src", "data-src"):
                if source.get(attr):
                    srcsets.append(source.get(attr))
        img = next(iter(picture.iter("img")), None)
        if img is None:
            img = lxml.html.Element("img")
            picture.append(img)
        for source in sources:
            remove_keeping_tail(source)
        return img, srcsets

    def _replace_embed(self, element: Any) -> None:
        """Video, audio and frames cannot be kept offline: leave a link (and the poster).

        ``element`` is the media element itself (a whole page) or the empty
        ``<a EMBED_MARK=kind href=original>`` archive.htmlparse left in its place
        (an extracted article), with the poster as an <img> inside."""
        marked = element.get(EMBED_MARK) if element.tag == "a" else None
        tag = marked if marked is not None else element.tag
        url = element.get("href") if marked is not None else (element.get("src")
                                                              or element.get("data"))
        if not url and marked is None:
            source = next((s for s in element.iter("source") if s.get("src")), None)
            url = source.get("src") if source is not None else None
        resolved = self.resolve(url) if url else None
        holder = lxml.html.Element("span")
        holder.set("class", "missing-media")
        poster = element.get("poster")
        if poster:
            img = lxml.html.Element("img", src=poster, alt="")
            holder.append(img)
        if marked is not None:
            for img in list(element.iter("img")):
                img.tail = None
                holder.append(img)
        kind = {"video": "Video", "audio": "Audio"}.get(tag, "Embedded content")
        label = lxml.html.Element("span")
        label.text = f"[{kind} not saved"
        if resolved and resolved.startswith(("http://", "https://")):
            label.text += ": "
            link = lxml.html.Element("a", href=resolved)
            link.text = resolved
            link.tail = "]"
            label.append(link)
        else:
            label.text += "]"
        holder.append(label)
        holder.tail = element.tail
        parent = element.getparent()
        if parent is not None:
            parent.replace(element, holder)

    def apply_image(self, element: Any, name: str | None, original: str | None, alt: str) -> None:
        for attr in IMAGE_ATTRS_TO_DROP:
            element.attrib.pop(attr, None)
        if element.tag == "image":
            for attr in ("href", f"{{{XLINK_NS}}}href", "xlink:href"):
                element.attrib.pop(attr, None)
            if name:
                element.set("href", name)
            return
        if name:
            element.set("src", name)
            return
        self._placeholder(element, original, alt)

    def _placeholder(self, element: Any, original: str | None, alt: str) -> None:
        span = lxml.html.Element("span")
        span.set("class", "missing-image")
        inside_link = any(a.tag == "a" for a in element.iterancestors())
        text = "[Image not saved" + (f" ({alt.strip()})" if alt.strip() else "")
        if original and original.startswith(("http://", "https://")):
            if inside_link:
                span.text = f"{text}: {original}]"
            else:
                span.text = f"{text}: "
                link = lxml.html.Element("a", href=original)
                link.text = original
                link.tail = "]"
                span.append(link)
        elif original and original.lower().startswith("data:"):
            span.text = f"{text}: an embedded image]"
        elif original:
            span.text = f"{text}: {original[:300]}]"
        else:
            span.text = f"{text}]"
        span.tail = element.tail
        parent = element.getparent()
        if parent is not None:
            parent.replace(element, span)


def _loads(css: str) -> bool:
    lowered = css.lower()
    return any(marker in lowered for marker in CSS_LOADERS)


def _is_fetchable(url: str) -> bool:
    return url.lower().startswith(("http://", "https://", "data:"))


def localize_images(
    html: str,
    base_url: str | None,
    images_dir: Path,
    fetcher: BytesFetcher | None,
    *,
    max_image_bytes: int = 10 * MB,
    max_total_bytes: int = 50 * MB,
    concurrency: int = 6,
) -> tuple[str, list[str]]:
    """Download the article's pictures into ``images_dir``; return (html, problems).

    ``html`` may be a fragment (an extracted article body) or a whole page;
    the same kind comes back.  ``fetcher=None`` means "do not touch the
    network": remote pictures become placeholders (data: URIs are still
    kept).  ``problems`` has one line per picture that could not be saved.
    """
    images_dir = Path(images_dir)
    is_document = bool(_DOCUMENT_START.match(html))
    try:
        root = (lxml.html.document_fromstring(html) if is_document
                else lxml.html.fragment_fromstring(html, create_parent="div"))
    except (etree.ParserError, ValueError):
        return "", ["the HTML could not be parsed, so it was left empty"] if html.strip() else []
    repair_void_elements(root)

    base_element = next(iter(root.iter("base")), None)
    if base_element is not None and base_element.get("href"):
        base_url = absolutize(base_element.get("href"), base_url) or base_url

    rewriter = _Rewriter(root, base_url, images_dir)
    rewriter.collect()
    images = rewriter.images

    css_refs: dict[tuple[Any, str | None], list[str]] = {}
    for element, attr in rewriter.css:
        text = element.text if attr is None else element.get(attr)
        css_refs[(element, attr)] = [
            next(g for g in m.groups() if g is not None) for m in CSS_URL.finditer(text or "")
        ]

    job = _Job(images_dir, fetcher, base_url, max_image_bytes, max_total_bytes)
    outcomes: dict[str, _Outcome] = {}

    def run(urls: list[str]) -> None:
        todo = [u for u in dict.fromkeys(urls) if u not in outcomes]
        for url in todo:
            if LOCAL_REF.match(url):
                outcomes[url] = _Outcome(name=url)  # already stored by an earlier run
        todo = [u for u in todo if u not in outcomes]
        unfetchable = [u for u in todo if not _is_fetchable(u)]
        for url in unfetchable:
            relative = not re.match(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:", url)
            outcomes[url] = _Outcome(
                error="a relative address with no page URL to resolve it against" if relative
                else "not an http, https or data: address")
        todo = [u for u in todo if _is_fetchable(u)]
        if not todo:
            return
        # here, not at the top: only a save with pictures needs the pool, and the store
        # imports this module at every start
        # (with the lazy imports in charset, images and reindex together: a window start
        # 2.462 G -> 2.414 G instructions under cachegrind, peak RSS 125 -> 122 MB)
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(todo)))) as pool:
            for url, outcome in zip(todo, pool.map(job.get, todo), strict=True):
                outcomes[url] = outcome

    # Round 1: every picture's best candidate (and CSS url()s); later rounds
    # try the next candidate only for pictures whose best one failed.
    css_urls = [rewriter.resolve(r) for refs in css_refs.values() for r in refs
                if not r.strip().startswith("#")]
    run([c[0] for _, c, _ in images if c] + [u for u in css_urls if u])
    for depth in range(1, 6):
        retry = [c[depth] for _, c, _ in images
                 if len(c) > depth and all(outcomes.get(x, _Outcome()).name is None
                                           for x in c[:depth])]
        if not retry:
            break
        run(retry)

    problems: list[str] = []
    reported: set[str] = set()
    for element, candidates, alt in images:
        chosen = next((c for c in candidates if c in outcomes and outcomes[c].name), None)
        if chosen is not None:
            rewriter.apply_image(element, outcomes[chosen].name, chosen, alt)
            continue
        original = candidates[0] if candidates else None
        if original is not None and original not in reported:
            reported.add(original)
            reason = outcomes[original].error if original in outcomes else "no address"
            problems.append(f"{_shorten(original)}: {reason}")
        elif original is None:
            problems.append("an image without any address was removed")
        rewriter.apply_image(element, None, original, alt)

    for element, attr in css_refs:
        text = element.text if attr is None else element.get(attr)
        new_text = _rewrite_css(text or "", rewriter, outcomes, problems, reported)
        if attr is None:
            element.text = new_text
        else:
            element.set(attr, new_text)

    _scrub(root)
    return _serialize(root, is_document), problems


def _shorten(url: str) -> str:
    if url.lower().startswith("data:"):
        return "an embedded data: image"
    return url if len(url) <= 200 else url[:199] + "…"


def _rewrite_css(text: str, rewriter: _Rewriter, outcomes: dict[str, _Outcome],
                 problems: list[str], reported: set[str]) -> str:
    text = CSS_IMPORT.sub("", text)

    def swap(match: re.Match[str]) -> str:
        ref = next(g for g in match.groups() if g is not None).strip()
        if ref.startswith("#"):
            return match.group(0)
        url = rewriter.resolve(ref)
        outcome = outcomes.get(url or "")
        if outcome is not None and outcome.name:
            return f'url("{outcome.name}")'
        if url and url not in reported:
            reported.add(url)
            problems.append(f"{_shorten(url)}: {outcome.error if outcome else 'not an image'}")
        return "none"

    return neutralize_image_sets(CSS_URL.sub(swap, text))


def _is_local_value(value: str) -> bool:
    value = value.strip()
    return value.startswith("#") or bool(LOCAL_REF.match(value))


def _scrub(root: Any) -> None:
    """Remove anything left that would make the reader load from elsewhere."""
    for element in list(root.iter(*DROP_ELEMENTS)):
        remove_keeping_tail(element)
    for element in list(root.iter("meta")):
        if (element.get("http-equiv") or "").lower() in ("refresh", "set-cookie", "link"):
            remove_keeping_tail(element)
    for element in list(root.iter("source", "track")):
        remove_keeping_tail(element)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for attr in list(element.attrib):
            name = attr.lower()
            local = local_name(name)
            value = element.attrib[attr]
            if name in RESOURCE_ATTRS or (local == "href" and element.tag not in ("a", "area")):
                if not _is_local_value(value):
                    del element.attrib[attr]
            elif element.tag == "a" and name == "ping":
                del element.attrib[attr]
            elif name.startswith("data-") and ("://" in value or value.strip().startswith("//")):
                del element.attrib[attr]  # leftovers of lazy loaders: nothing should use them


def _serialize(root: Any, is_document: bool) -> str:
    if is_document:
        doctype = root.getroottree().docinfo.doctype or "<!DOCTYPE html>"
        return lxml.html.tostring(root, encoding="unicode", doctype=doctype)
    inner = htmlmod.escape(root.text or "", quote=False)
    return inner + "".join(lxml.html.tostring(child, encoding="unicode") for child in root)
