"""Saving many items at once: one bad item never stops the others.

URLs are fetched concurrently (bounded); results come back in input order.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterable, Iterator

from .errors import QuireError
from .models import ProgressFn
from .store import Archive, SaveResult


def looks_like_url(item: str) -> bool:
    return "://" in item or item.lower().startswith(("www.", "javascript:", "data:", "mailto:"))


def save_one(archive: Archive, item: str, tags: Iterable[str] = ()) -> SaveResult:
    """Save a URL or a local file, whichever `item` names."""
    if looks_like_url(item):
        url = item if "://" in item or ":" in item.split("/")[0] else f"https://{item}"
        return archive.save_url(url, tags=tags)
    path = Path(item).expanduser()
    if not path.exists():
        raise QuireError(f"{item}: no such file, and not a URL")
    if path.is_dir():
        raise QuireError(f"{item}: is a folder; use `import` for a folder of saved pages")
    return archive.save_file(path, tags=tags)


def save_many(archive: Archive, items: list[str], *, tags: Iterable[str] = (), concurrency: int = 8,
              progress: ProgressFn | None = None,
              cancel: threading.Event | None = None) -> Iterator[tuple[str, SaveResult | Exception]]:
    """Yield (item, SaveResult or the error) for each item, in order."""
    tags = list(tags)
    total = len(items)

    def work(item: str) -> SaveResult | Exception:
        if cancel is not None and cancel.is_set():
            return QuireError(f"{item}: cancelled")
        try:
            return save_one(archive, item, tags)
        except QuireError as exc:
            return exc
        except Exception as exc:  # a bug must not stop the other items; say what it was
            return QuireError(f"{item}: unexpected error ({type(exc).__name__}: {exc})")

    if total <= 1:
        for n, item in enumerate(items, 1):
            outcome = work(item)
            if progress:
                progress(n, total, item)
            yield item, outcome
        return
    with archive.batch(), ThreadPoolExecutor(max_workers=max(1, min(concurrency, total))) as pool:
        futures = [pool.submit(work, item) for item in items]
        for n, (item, fut) in enumerate(zip(items, futures), 1):
            outcome = fut.result()
            if progress:
                progress(n, total, item)
            yield item, outcome
