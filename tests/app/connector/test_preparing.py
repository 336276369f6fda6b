"""Pages are extracted in the request's thread when a save comes alone, and in a
pool of processes while saves come together; the pool goes when idle or closed."""
from __future__ import annotations

import time

from app.connector import preparing
from app.connector.preparing import Preparer
from archive.extraction.pages import prepare_page
from tests.support import make_page


def _one_more_running(preparer: Preparer, delta: int) -> None:
    with preparer._lock:  # as if another save were being extracted right now
        preparer._running += delta


def test_a_save_alone_starts_no_process_and_saves_together_share_a_pool(monkeypatch):
    monkeypatch.setattr(preparing, "IDLE_SECONDS", 0.3)
    page = make_page("Pooled herons")
    preparer = Preparer(workers=1)
    try:
        raw, ex = preparer.prepare(page, "https://example.com/alone", None)
        assert not preparer.pooled and ex.title == "Pooled herons"
        _one_more_running(preparer, 1)
        try:
            raw2, ex2 = preparer.prepare(page, "https://example.com/together", None)
        finally:
            _one_more_running(preparer, -1)
        assert preparer.pooled
        expected_raw, expected = prepare_page(page, "https://example.com/together")
        assert raw2 == expected_raw and ex2.content_html == expected.content_html
        deadline = time.monotonic() + 60
        while preparer.pooled and time.monotonic() < deadline:  # idle: the pool is let go
            time.sleep(0.1)
        assert not preparer.pooled
    finally:
        preparer.close()
    assert not preparer.pooled


def test_a_closed_preparer_extracts_in_the_thread():
    preparer = Preparer(workers=1)
    preparer.close()
    _one_more_running(preparer, 1)
    _raw, ex = preparer.prepare(make_page("After close"), "https://example.com/c", None)
    assert ex.title == "After close" and not preparer.pooled
