"""Which remote address each stored picture came from (images/sources.json).

Re-extraction runs the extractor again on source.html.gz and so meets the same
picture addresses again; with this record the pictures already on disk are
reused instead of downloaded, and re-extraction works with the network off.
"""
from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from . import atomic
from .errors import FetchError

SOURCES_NAME = "sources.json"


class RecordingFetcher:
    """Wraps a fetcher; remembers the content hash of each picture it fetched."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.digests: dict[str, str] = {}
        self._lock = threading.Lock()

    def fetch_bytes(self, url: str, max_bytes: int | None = None, referer: str | None = None) -> Any:
        result = self.inner.fetch_bytes(url, max_bytes, referer=referer)
        digest = hashlib.sha256(result.body).hexdigest()
        with self._lock:
            self.digests[url] = digest
        return result

    def write_sources(self, images_dir: Path) -> None:
        """Record url → file for the pictures that ended up stored in images_dir."""
        if not images_dir.is_dir():
            return
        files = {p.stem: p.name for p in images_dir.iterdir() if p.is_file() and p.name != SOURCES_NAME}
        known = read_sources(images_dir)
        for url, digest in self.digests.items():
            for stem, name in files.items():
                if digest.startswith(stem):
                    known[url] = name
                    break
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
