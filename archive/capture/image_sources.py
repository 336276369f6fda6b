"""Which remote address each stored picture came from (images/sources.json).

Re-extraction runs the extractor again on source.html.gz and so meets the same
picture addresses again; with this record the pictures already on disk are
reused instead of downloaded, and re-extraction works with the network off.
"""
from __future__ import annotations

import json
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from archive.base import atomic
from archive.base.errors import FetchError

SOURCES_NAME = "sources.json"


class RecordingFetcher:
    """Wraps a fetcher; remembers the file each picture it fetched was stored as.

    archive.images calls record_stored with the stored name, because the file is
    not always the bytes downloaded (an SVG is stored sanitized), so a content
    hash of the download would not find it."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.stored: dict[str, str] = {}  # url -> images/<hash>.<ext>
        self._lock = threading.Lock()

    def fetch_bytes(self, url: str, max_bytes: int | None = None, referer: str | None = None) -> Any:
        return self.inner.fetch_bytes(url, max_bytes, referer=referer)

    def record_stored(self, url: str, name: str) -> None:
        with self._lock:
            self.stored[url] = name.rsplit("/", 1)[-1]

    def write_sources(self, images_dir: Path) -> None:
        """Record url → file for the pictures that ended up stored in images_dir."""
        if not images_dir.is_dir():
            return
        known = read_sources(images_dir)
        with self._lock:
            known.update((url, name) for url, name in self.stored.items()
                         if (images_dir / name).is_file())
        if known:
            atomic.write_json(images_dir / SOURCES_NAME, known)


class LocalFirstFetcher:
    """Serves pictures already stored (by their recorded address) from disk; asks the
    network (if any) only for the others."""

    def __init__(self, images_dir: Path, inner: Any | None) -> None:
        self.images_dir = images_dir
        self.known = read_sources(images_dir)
        self.inner = inner

    def fetch_bytes(self, url: str, max_bytes: int | None = None, referer: str | None = None) -> Any:
        name = self.known.get(url)
        if name:
            path = self.images_dir / name
            if path.is_file():
                return SimpleNamespace(body=path.read_bytes(), url=url, content_type="")
        if self.inner is None:
            raise FetchError(f"{url}: not stored, and fetching is turned off")
        return self.inner.fetch_bytes(url, max_bytes, referer=referer)


def read_sources(images_dir: Path) -> dict[str, str]:
    try:
        data = json.loads((images_dir / SOURCES_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)} if isinstance(data, dict) else {}
