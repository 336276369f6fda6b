"""URL hygiene: which URLs may be fetched, and one spelling per page.

The same article arrives under many spellings (upper-case hosts, Unicode
domains, ``#comments`` fragments, ``?utm_source=…`` from a newsletter), so
de-duplication compares :func:`normalize_url` results, never raw strings.
Only the parts that cannot change what the server returns are touched; the
order of the remaining query parameters is kept because some servers care.
"""
from __future__ import annotations

import re
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

import idna

from archive.base.errors import FetchError

ALLOWED_SCHEMES = ("http", "https")

#: Query parameters that only say where a click came from.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
        "twclid", "ttclid", "li_fat_id", "igshid", "igsh", "mc_cid", "mc_eid",
        "ref_src", "ref_url", "_hsenc", "_hsmi", "__hstc", "__hssc", "__hsfp",
        "hsctatracking", "mkt_tok", "_openstat", "oly_anon_id", "oly_enc_id",
        "vero_id", "vero_conv", "wickedid", "s_kwcid", "ncid", "cmpid", "_ga", "_gl",
        "sc_cid", "rb_clickid",
    }
)
#: Prefixes of tracking parameter families (utm_source, utm_medium, …).
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "matomo_")

_DEFAULT_PORTS = {"http": 80, "https": 443}
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_HOST_PORT = re.compile(r"^[A-Za-z0-9.\-]+:\d+(?:[/?#]|$)")
#: Characters left alone when re-quoting a path or query: everything that is
#: already legal, including existing %-escapes, so quoting is idempotent.
_SAFE_PATH = "/%:@!$&'()*+,;=-._~"
_SAFE_QUERY = _SAFE_PATH + "?"


def _scheme_of(url: str) -> str | None:
    found = _SCHEME.match(url.strip())
    return found.group(1).lower() if found else None


def check_scheme(url: str) -> None:
    """Refuse anything but http(s) before a request is made.

    ``file:`` would read local files, ``javascript:``/``data:`` are not pages
    at all; a clear message beats a confusing transport error later.
    """
    scheme = _scheme_of(url)
    if scheme is None:
        raise FetchError(
            f"Cannot fetch {url!r}: not an absolute URL (only http and https URLs can be saved)"
        )
    if scheme not in ALLOWED_SCHEMES:
        raise FetchError(
            f"Cannot fetch {_short(url)!r}: only http and https URLs can be saved, "
            f"not {scheme}: URLs"
        )
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError as exc:
        raise FetchError(f"Cannot fetch {_short(url)!r}: malformed URL ({exc})") from exc
    if not host:
        raise FetchError(f"Cannot fetch {url!r}: the URL has no host name")


def with_default_scheme(url: str) -> str:
    """Add ``https://`` to a bare ``example.com/page`` typed by a user.

    Anything that already has a scheme (even a refused one) is returned
    unchanged, so :func:`check_scheme` can still reject it.
    """
    text = url.strip()
    if text.startswith("//"):
        return "https:" + text
    scheme = _scheme_of(text)
    # "example.com/x" and "localhost:8080/x" look scheme-less or like a
    # scheme followed by a port number; neither is a real scheme.
    if scheme is None or _HOST_PORT.match(text):
        return "https://" + text
    return text


def _short(url: str, limit: int = 80) -> str:
    return url if len(url) <= limit else url[: limit - 1] + "…"


def _punycode_host(host: str) -> str:
    """Lower-case the host and write Unicode labels as xn-- punycode."""
    host = host.rstrip(".").lower()
    if host.isascii() or not host:
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError:
        try:
            return host.encode("idna").decode("ascii")  # older IDNA 2003 rules
        except UnicodeError:
            return host


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def strip_tracking(query: str) -> str:
    """Drop tracking parameters, keeping the others byte for byte and in order."""
    if not query:
        return ""
    kept = []
    for part in query.split("&"):
        if not part:
            continue
        name = part.split("=", 1)[0]
        if not is_tracking_param(name):
            kept.append(part)
    return "&".join(kept)


def normalize_url(url: str) -> str:
    """One spelling per page, for de-duplication and for requests.

    Lower-cases scheme and host, converts IDN hosts to punycode, drops a
    default port, the fragment and tracking parameters, gives an empty path
    its ``/``, and percent-encodes characters that are not legal in a URL
    (spaces, raw Unicode).  Query order and case elsewhere are kept.
    Raises FetchError for a URL that cannot be parsed at all.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:  # "http://[::1", "http://host:99999"
        raise FetchError(f"Cannot use {_short(url)!r}: malformed URL ({exc})") from exc
    scheme = parts.scheme.lower()
    host = _punycode_host(parts.hostname or "")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{port}"
    if parts.username is not None:
        userinfo = parts.username + (f":{parts.password}" if parts.password is not None else "")
        netloc = f"{userinfo}@{netloc}"
    path = quote(parts.path, safe=_SAFE_PATH)
    if not path and scheme in _DEFAULT_PORTS and host:
        path = "/"
    query = quote(strip_tracking(parts.query), safe=_SAFE_QUERY + "=")
    return urlunsplit((scheme, netloc, path, query, ""))


def absolutize(ref: str, base: str | None) -> str | None:
    """Resolve a link or image reference against the page it appeared on.

    Handles relative and protocol-relative (``//cdn/x.png``) references;
    returns None when a relative reference has no base to resolve against.
    """
    ref = ref.strip()
    if not ref:
        return None
    if _scheme_of(ref) and not ref.startswith("//"):
        return ref
    if not base:
        return None
    return urljoin(base, ref)


def other_address(url: str | None) -> str | None:
    """`url` as another address of a page (its canonical link, where its redirects
    ended), or None when it names a site's front page: some sites point every
    article's canonical link there, and paywalls and dead links redirect there, so
    taking such an address at its word would make each new article "already saved"
    as the first one."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if not parts.path.strip("/") and not parts.query:
        return None
    return url
