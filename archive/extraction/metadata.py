"""Facts about an article (title, authors, date, site, ...) read from its page.

The page's own machine-readable markup is trusted first, in this order:
JSON-LD (schema.org Article), OpenGraph / article:*, Twitter cards, plain
<meta> tags and microdata, then <time> elements and bylines; only when those
are silent do text heuristics (the <title>, the first <h1>, a "By ..." line)
fill in. Publishers fill those tags for search engines and social previews, so
they are far more reliable than anything guessed from the layout.
"""
from __future__ import annotations

import copy
import html
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml.html import HtmlElement

#: schema.org types whose JSON-LD object describes the article itself.
ARTICLE_TYPES = frozenset(
    """
    article newsarticle blogposting reportagenewsarticle analysisnewsarticle opinionnewsarticle
    reviewnewsarticle backgroundnewsarticle techarticle scholarlyarticle report socialmediaposting
    liveblogposting webpage medicalwebpage creativework review posting liveblog claimreview
    videoobject recipe howto qapage discussionforumposting
    """.split()
)
#: Types that are preferred over a generic WebPage (or a recipe inside a post).
_STRONG_TYPES = ARTICLE_TYPES - {"webpage", "creativework", "medicalwebpage", "videoobject", "recipe", "howto"}

STRONG_TITLE_SEPARATORS = re.compile(r"\s+(?:\||::|·|•|»|«)\s+")
TITLE_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|::|·|•|»|«|/|:)\s+")
_BY_PREFIX = re.compile(r"^\s*(?:by|von|par|por|di|door|av|af)\s*[:\s]\s*", re.I)
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|\band\b|\bund\b|\bet\b|\by\b|&|\|)\s*", re.I)
_AUTHOR_NOISE = re.compile(
    r"\b(?:updated|published|posted|follow|email|twitter|\d{4})\b.*$",
    re.I,
)
#: A name part holding one of these words is a job title ("AP Auto Writer").
_ROLE_WORDS = re.compile(
    r"\b(?:writer|reporter|correspondent|editor|editors|staff|contributor|columnist|"
    r"journalist|producer|photographer|bureau|desk|team|newsroom)\b",
    re.I,
)
_NOT_NAMES = frozenset({"by", "and", "von", "par", "por", "staff", "admin", "administrator", "unknown"})
_DOMAIN_LIKE = re.compile(r"^[\w-]+(?:\.[\w-]+)+$")
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|[^\d]|$)")
_WORD = re.compile(r"\w+", re.UNICODE)
_DATE_IN_TEXT = re.compile(
    r"\b(\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?)\b"
)
_LANG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")

WORDS_PER_MINUTE = 230

# Compiled once: compiling an XPath costs more than running it on a page.
_JSONLD_SCRIPTS = etree.XPath('//script[contains(translate(@type, "LDJSON", "ldjson"), "ld+json")]')
_AUTHOR_MARKUP = etree.XPath(
    '//*[@itemprop="author"]//*[@itemprop="name"] | //a[@rel="author"]'
    ' | //*[@itemprop="author" and not(.//*[@itemprop="name"])]'
)
_BYLINE_CLASSES = etree.XPath(
    '//*[contains(concat(" ", normalize-space(@class), " "), " byline ")'
    ' or contains(@class, "author-name") or contains(@class, "byline__name")'
    ' or contains(@class, "byline-name")]'
)
_DATE_MARKUP = etree.XPath('//*[@itemprop="datePublished"] | //time[@pubdate] | //time[@datetime]')
_CANONICAL = etree.XPath('//link[contains(concat(" ", normalize-space(@rel), " "), " canonical ")]/@href')


@dataclass
class Metadata:
    """What the page says about itself; every field may be missing."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None  # ISO 8601
    modified: str | None = None  # ISO 8601
    site_name: str | None = None
    lang: str | None = None
    lead_image: str | None = None  # absolute URL
    description: str | None = None
    canonical_url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --------------------------------------------------------------------------- helpers


def _clean(text: str | None) -> str:
    """Whitespace collapsed and HTML entities decoded (pages often escape twice)."""
    text = " ".join((text or "").split())
    return html.unescape(text) if "&" in text else text


def _first(values: Iterable[str | None]) -> str | None:
    for value in values:
        value = _clean(value)
        if value:
            return value
    return None


def _absolute(url: str | None, base: str | None) -> str | None:
    url = _clean(url)
    if not url or url.lower().startswith(("javascript:", "data:")):
        return None
    try:
        absolute = urljoin(base, url) if base else url
    except ValueError:
        return None
    return absolute if urlsplit(absolute).scheme in ("http", "https") else None


def normalize_date(value: str | None) -> str | None:
    """``value`` as ISO 8601 (date, or date and time with offset), or None.

    Accepts ISO forms, RFC 2822 (feeds, HTTP) and compact ``YYYYMMDD``.
    """
    value = _clean(value)
    if not value:
        return None
    candidates = [value]
    match = _DATE_IN_TEXT.search(value)
    if match:
        candidates.append(match.group(1))
    for candidate in candidates:
        text = candidate.replace(" ", "T", 1) if re.match(r"\d{4}-\d{2}-\d{2} \d", candidate) else candidate
        text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            continue
        if not 1990 <= parsed.year <= 2100:
            return None
        if len(text) <= 10:
            return parsed.date().isoformat()
        return parsed.isoformat()
    try:
        parsed = parsedate_to_datetime(value)
        if 1990 <= parsed.year <= 2100:
            return parsed.isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    compact = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", value)
    if compact:
        try:
            return datetime(*map(int, compact.groups())).date().isoformat()
        except ValueError:
            return None
    return None


def normalize_lang(value: str | None) -> str | None:
    """``en_US`` / ``en-us`` / ``EN`` -> ``en-US`` / ``en``; junk -> None."""
    value = _clean(value).split(",")[0].strip()
    if not value or not _LANG.match(value):
        return None
    parts = re.split(r"[-_]", value)
    primary = parts[0].lower()
    if len(parts) > 1 and len(parts[1]) == 2:
        return f"{primary}-{parts[1].upper()}"
    return primary


def _is_person_name(value: str) -> bool:
    """Reject URLs, e-mail addresses and sentences that land in author fields."""
    if not value or len(value) > 80 or "://" in value or "@" in value or value.startswith("/"):
        return False
    words = value.split()
    return 1 <= len(words) <= 6 and any(ch.isalpha() for ch in value)


def clean_authors(values: Iterable[str], site_name: str | None = None) -> list[str]:
    """Split "A, B and C", drop a "By " prefix, job titles ("AP Writer"), the
    publication's own name and domain names, and de-duplicate.

    ALL-CAPS names (wire bylines) are title-cased.
    """
    seen: dict[str, str] = {}
    site_key = _key(site_name) if site_name else None
    for raw in values:
        text = _BY_PREFIX.sub("", _clean(raw))
        text = _AUTHOR_NOISE.sub("", text).strip(" ,;|-–—:")
        for part in _AUTHOR_SPLIT.split(text):
            part = _BY_PREFIX.sub("", part).strip(" ,;|-–—:.")
            if not _is_person_name(part) or _ROLE_WORDS.search(part) or _DOMAIN_LIKE.match(part):
                continue
            if any(ch.isdigit() for ch in part) or part.lower() in _NOT_NAMES:
                continue
            if seen and ((site_key and site_key in _key(part)) or (" " not in part and len(part) <= 4)):
                # "Jane Doe, CNN" / "Jane Doe, MS, RD": the outlet or a degree, not a co-author.
                continue
            if part.isupper() and len(part) > 3:
                part = part.title()
            if part.lower() not in seen:
                seen[part.lower()] = part
    return list(seen.values())


def authors_from_bylines(lines: Iterable[str], site_name: str | None = None) -> list[str]:
    """Authors from byline lines found in the article's text ("By LISA MASCARO, AP
    Congressional Correspondent"). A byline that names a desk rather than a person
    ("By Mirror Staff") is the author the page gives, so it is kept as written."""
    lines = list(lines)
    names = clean_authors(lines, site_name)
    if names:
        return names
    for line in lines:
        credit = _BY_PREFIX.sub("", _clean(line)).strip(" ,;|-–—:.")
        words = credit.split()
        if 0 < len(words) <= 4 and all(w[:1].isupper() for w in words) and not any(c.isdigit() for c in credit):
            return [credit.title() if credit.isupper() else credit]
    return []


def strip_title_suffix(
    title: str, site_name: str | None, h1: str | None = None, host: str | None = None
) -> str:
    """Drop " | Site" / " - Site" (or "Site: ...") from a <title>.

    A part is dropped when it names the site; failing that, the longest part
    wins if it is clearly the headline (the page's <h1>, or much longer than
    the rest and the rest is short, as site names are).
    """
    title = _clean(title)
    site_keys = _site_keys(site_name, host)
    head, sep, rest = title.partition(":")
    if sep and rest.strip() and _key(head) in site_keys:  # "Site: Headline"
        return rest.strip()
    parts = TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    if h1:
        h1 = _clean(h1)
        if h1 and h1 in title and len(h1) >= 0.4 * len(title):
            return h1
    kept = [p for p in parts if _key(p) not in site_keys]
    if kept and len(kept) < len(parts):
        return _join_kept(title, kept)
    # Without a known site name only a strong separator ("|", "::", "·", "»") is
    # trusted: " - " joins clauses of real headlines too often.
    strong = STRONG_TITLE_SEPARATORS.split(title)
    if len(strong) >= 2:
        last, rest = strong[-1], title[: title.rfind(strong[-1])]
        if len(last.split()) <= 5 and len(rest) > len(last):
            return _join_kept(title, strong[:-1])
    return title


def _site_keys(site_name: str | None, host: str | None) -> set[str]:
    """Comparable forms of the site's name: "BBC News", "bbc.co.uk" -> bbcnews, bbc, bbcco..."""
    keys = set()
    for name in (site_name, host):
        if not name:
            continue
        name = name.lower().removeprefix("www.")
        keys.add(_key(name))
        if "." in name and " " not in name:
            keys.add(_key(name.split(".")[0]))
            keys.add(_key(name.rsplit(".", 1)[0]))
    keys.discard("")
    return keys


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower().removeprefix("www."))


def _join_kept(title: str, kept: list[str]) -> str:
    """Rebuild the kept parts with their original separators."""
    start = title.find(kept[0])
    end = title.rfind(kept[-1]) + len(kept[-1])
    return title[start:end] if start >= 0 and end > start else " ".join(kept)


# --------------------------------------------------------------------------- JSON-LD


def _jsonld_objects(doc: HtmlElement) -> list[dict[str, Any]]:
    """All JSON objects in the page's ld+json scripts, @graph flattened."""
    objects: list[dict[str, Any]] = []
    for script in _JSONLD_SCRIPTS(doc):
        raw = (script.text or "").strip()
        if not raw or len(raw) > 2_000_000:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            try:  # a trailing comma or a stray control character is common
                data = json.loads(re.sub(r",\s*([}\]])", r"\1", raw), strict=False)
            except ValueError:
                continue
        stack = [data]
        while stack and len(objects) < 200:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                objects.append(item)
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(reversed(graph))
    return objects


def _types(obj: dict[str, Any]) -> set[str]:
    value = obj.get("@type", "")
    values = value if isinstance(value, list) else [value]
    return {str(v).lower().rsplit("/", 1)[-1] for v in values}


def _ld_text(value: Any) -> str | None:
    if isinstance(value, str):
        return _clean(value) or None
    if isinstance(value, dict):
        return _ld_text(value.get("name") or value.get("@value"))
    if isinstance(value, list) and value:
        return _ld_text(value[0])
    return None


def _ld_names(value: Any) -> list[str]:
    if isinstance(value, list):
        return [name for item in value for name in _ld_names(item)]
    if isinstance(value, dict):
        name = value.get("name")
        if isinstance(name, str):
            return [name]
        given, family = value.get("givenName"), value.get("familyName")
        if isinstance(given, str) and isinstance(family, str):
            return [f"{given} {family}"]
        return []
    if isinstance(value, str):
        return [value]
    return []


def _ld_url(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return _ld_url(value.get("url") or value.get("contentUrl") or value.get("@id"))
    if isinstance(value, list) and value:
        return _ld_url(value[0])
    return None


def _pick_article(objects: list[dict[str, Any]]) -> dict[str, Any] | None:
    strong = [o for o in objects if _types(o) & _STRONG_TYPES]
    if strong:
        return max(strong, key=lambda o: len(o))
    weak = [o for o in objects if _types(o) & ARTICLE_TYPES]
    return weak[0] if weak else None


# --------------------------------------------------------------------------- meta tags


def _meta_map(doc: HtmlElement) -> dict[str, list[str]]:
    """<meta> contents by lower-cased property/name/itemprop/http-equiv."""
    found: dict[str, list[str]] = {}
    for meta in doc.iter("meta"):
        content = meta.get("content")
        if content is None:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = meta.get(attr)
            if key:
                found.setdefault(key.strip().lower(), []).append(content)
    return found


def _meta(metas: dict[str, list[str]], *keys: str) -> str | None:
    return _first(v for key in keys for v in metas.get(key, []))


# --------------------------------------------------------------------------- main entry


def _byline_authors(doc: HtmlElement, site_name: str | None = None) -> list[str]:
    """Names from rel=author links, itemprop=author and byline/author classes."""
    texts: list[str] = []
    for el in _AUTHOR_MARKUP(doc)[:10]:
        texts.append(el.get("content") or el.text_content())
    if texts:
        return clean_authors(texts, site_name)
    for el in _BYLINE_CLASSES(doc)[:5]:
        text = _clean(el.text_content())
        if 0 < len(text) <= 120:
            texts.append(text)
    return clean_authors(texts, site_name)


def _time_published(doc: HtmlElement) -> str | None:
    for el in _DATE_MARKUP(doc)[:10]:
        value = normalize_date(el.get("datetime") or el.get("content") or el.text_content())
        if value:
            return value
    return None


class _LinkedData:
    """The page's schema.org article objects; a field missing from the main one is
    looked up in the others (pages often split Article and WebPage facts)."""

    def __init__(self, doc: HtmlElement) -> None:
        objects = _jsonld_objects(doc)
        main = _pick_article(objects)
        others = [o for o in objects if o is not main and _types(o) & ARTICLE_TYPES]
        self.objects = ([main] if main else []) + others

    def get(self, *keys: str) -> Any:
        for obj in self.objects:
            for key in keys:
                value = obj.get(key)
                if value:
                    return value
        return None


_PUBLISHED_META = (
    "article:published_time", "article:published", "og:published_time", "og:article:published_time",
    "published_time", "datepublished", "parsely-pub-date", "sailthru.date", "dc.date.issued",
    "dcterms.issued", "dc.date", "dcterms.date", "date", "pubdate", "publish-date", "publish_date",
    "publishdate", "article.published", "citation_publication_date", "citation_date",
)


def _declared_site_name(metas: dict[str, list[str]], ld: _LinkedData) -> bool:
    return bool(
        _meta(metas, "og:site_name", "application-name", "apple-mobile-web-app-title", "twitter:site")
        or _ld_text(ld.get("publisher"))
    )


def _site_name(metas: dict[str, list[str]], ld: _LinkedData, url: str | None) -> str | None:
    """The publication's name; its host name when the page does not say."""
    name = _first(
        [
            _meta(metas, "og:site_name"),
            _ld_text(ld.get("publisher")),
            _meta(metas, "application-name", "apple-mobile-web-app-title"),
            (_meta(metas, "twitter:site") or "").lstrip("@"),
        ]
    )
    if name and "://" in name:
        name = urlsplit(name).hostname
    if name:
        name = TITLE_SEPARATORS.split(name)[0].strip().lstrip("@") or name
        return name.removeprefix("www.")
    host = urlsplit(url).hostname if url else None
    return host.removeprefix("www.") if host else None


def _published(
    doc: HtmlElement, metas: dict[str, list[str]], ld: _LinkedData, url: str | None,
    text_heuristics: bool = True,
) -> str | None:
    """Markup first (JSON-LD, meta, microdata, <time>), then htmldate's reading of
    the visible text, then a date in the URL path."""
    found = (
        normalize_date(_ld_text(ld.get("datePublished", "dateCreated", "uploadDate")))
        or normalize_date(_meta(metas, *_PUBLISHED_META))
        or _time_published(doc)
    )
    if found:
        return found
    try:
        # htmldate (and the dateparser it loads) costs a few hundred ms to import
        # (python -X importtime); most pages date themselves in their markup
        from htmldate import find_date

        if not text_heuristics:
            raise LookupError("page too large for a text search")

        found = find_date(
            # extensive_search would hand free text to dateparser: seconds, not milliseconds.
            copy.deepcopy(doc), url=url, original_date=True, extensive_search=False,
            outputformat="%Y-%m-%d",
        )
    except Exception:  # a heuristic that fails just leaves the date unknown
        found = None
    if found:
        return normalize_date(found)
    match = _URL_DATE.search(urlsplit(url).path) if url else None
    if match:
        return normalize_date("{}-{:02d}-{:02d}".format(*map(int, match.groups())))
    return None


def extract_metadata(doc: HtmlElement, url: str | None, text_heuristics: bool = True) -> Metadata:
    """Everything ``doc`` (a parsed whole page) says about the article at ``url``.

    ``text_heuristics=False`` skips searching the visible text for a date, which
    is slow on huge pages.
    """
    metas = _meta_map(doc)
    ld = _LinkedData(doc)
    meta = Metadata()
    meta.site_name = _site_name(metas, ld, url)

    h1 = _first(el.text_content() for el in doc.iter("h1"))
    title_el = doc.find(".//title")
    page_title = _clean(title_el.text_content()) if title_el is not None else ""
    title = _first(
        [
            _ld_text(ld.get("headline")),
            _meta(metas, "og:title", "twitter:title", "dc.title", "title"),
            page_title,
            h1,
        ]
    )
    host = urlsplit(url).hostname if url else None
    if title:
        meta.title = strip_title_suffix(title, meta.site_name, h1, host)
    if meta.title and page_title.startswith(meta.title) and not _declared_site_name(metas, ld):
        # No markup names the site: the suffix cut from "Headline | Site" does.
        suffix = page_title[len(meta.title):].strip(" |-–—:·•»«")
        if suffix and len(suffix.split()) <= 5:
            meta.site_name = suffix

    authors = clean_authors(_ld_names(ld.get("author", "creator")), meta.site_name)
    if not authors:
        authors = clean_authors(
            [v for key in ("author", "article:author", "parsely-author", "sailthru.author",
                           "dc.creator", "dcterms.creator", "byl", "citation_author")
             for v in metas.get(key, [])],
            meta.site_name,
        )
    meta.authors = authors or _byline_authors(doc, meta.site_name)

    meta.published = _published(doc, metas, ld, url, text_heuristics)
    meta.modified = normalize_date(_ld_text(ld.get("dateModified"))) or normalize_date(
        _meta(metas, "article:modified_time", "article:modified", "og:updated_time", "datemodified")
    )

    html_el = doc if doc.tag == "html" else doc.find(".//html")
    meta.lang = (
        normalize_lang(html_el.get("lang") or html_el.get("xml:lang") if html_el is not None else None)
        or normalize_lang(_meta(metas, "content-language", "og:locale", "language", "dc.language"))
        or normalize_lang(_ld_text(ld.get("inLanguage")))
    )

    meta.lead_image = _absolute(
        _meta(metas, "og:image", "og:image:url", "og:image:secure_url", "twitter:image",
              "twitter:image:src")
        or _ld_url(ld.get("image", "thumbnailUrl")),
        url,
    )
    meta.description = _first(
        [
            _meta(metas, "og:description", "description", "twitter:description", "dc.description"),
            _ld_text(ld.get("description")),
        ]
    )
    canonical = _CANONICAL(doc)
    meta.canonical_url = _absolute(
        (canonical[0] if canonical else None) or _meta(metas, "og:url") or _ld_url(ld.get("url")),
        url,
    )
    return meta


def reading_stats(text: str) -> tuple[int, int]:
    """(word count, reading minutes at ~230 words per minute, at least 1 if any text)."""
    words = len(_WORD.findall(text or ""))
    minutes = (words + WORDS_PER_MINUTE - 1) // WORDS_PER_MINUTE if words else 0
    return words, minutes
