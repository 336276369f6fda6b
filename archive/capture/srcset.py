"""Read pictures' attribute values: the address in a lazy-loading attribute, and
the picture to keep from a ``srcset``.

Pages offer one picture at several sizes; the archive keeps one, the largest
that a reader can use, and falls back to the others if it fails to download.
"""
from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass
from typing import Any

#: Keys under which a JSON-valued picture attribute keeps the address.
_ADDRESS_KEYS = ("src", "url")


def picture_address(value: str | None) -> str | None:
    """The address a picture attribute (``src``, ``data-src``…) holds.

    Some lazy-loading scripts keep a JSON object there instead of an address
    (``data-src='{"default": {"w": "80", "src": "//cdn.example/pic.jpg"}}'``); read
    as an address it was fetched relative to the page, a request that could only
    fail. From such a value: the first ``src`` or ``url`` string, the shallowest
    first; None when it has none or is not JSON. Any other value is returned as is.
    """
    if value is None:
        return None
    stripped = value.strip()
    if not stripped.startswith(("{", "[")):
        return value
    try:
        data: Any = json.loads(stripped)
    except ValueError:
        return None
    queue = deque([data])
    while queue:
        item = queue.popleft()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        if isinstance(item, dict):
            for key in _ADDRESS_KEYS:
                found = item.get(key)
                if isinstance(found, str) and found.strip():
                    return found.strip()
        queue.extend(child for child in children if isinstance(child, (dict, list)))
    return None

#: srcset "best candidate": the largest picture up to this size, because
#: readers show articles at most ~1000 px wide (2x on sharp screens) and the
#: 4000 px original would only burn through the per-article budget.
MAX_USEFUL_WIDTH = 2400
MAX_USEFUL_DENSITY = 2.0


@dataclass
class SrcsetCandidate:
    url: str
    width: float | None = None
    density: float | None = None


def parse_srcset(value: str) -> list[SrcsetCandidate]:
    """Parse a srcset the way the HTML standard does.

    URLs may contain commas (``/w_300,h_200/a.jpg`` on image CDNs), so a
    plain split on "," would cut them apart: a URL runs to whitespace, and
    only then do descriptors run to the next comma.
    """
    out: list[SrcsetCandidate] = []
    i, n = 0, len(value or "")
    while i < n:
        while i < n and (value[i].isspace() or value[i] == ","):
            i += 1
        start = i
        while i < n and not value[i].isspace():
            i += 1
        url = value[start:i]
        descriptors = ""
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            start = i
            while i < n and value[i] != ",":
                i += 1
            descriptors = value[start:i]
        if not url:
            continue
        candidate = SrcsetCandidate(url)
        for token in descriptors.split():
            try:
                if token.endswith("w"):
                    candidate.width = float(token[:-1])
                elif token.endswith("x"):
                    candidate.density = float(token[:-1])
            except ValueError:
                pass
        out.append(candidate)
    return out


def rank_srcset(value: str) -> list[str]:
    """srcset URLs, best first: the largest up to a useful size, then larger ones.

    Later entries are fallbacks for when the best one fails to download.
    """
    def size(c: SrcsetCandidate) -> tuple[float, float]:
        if c.width is not None:
            return c.width, MAX_USEFUL_WIDTH
        return (c.density if c.density is not None else 1.0), MAX_USEFUL_DENSITY

    candidates = parse_srcset(value)
    useful = sorted((c for c in candidates if size(c)[0] <= size(c)[1]),
                    key=lambda c: size(c)[0], reverse=True)
    oversized = sorted((c for c in candidates if size(c)[0] > size(c)[1]),
                       key=lambda c: size(c)[0])
    return [c.url for c in (*useful, *oversized)]
