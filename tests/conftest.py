"""Shared fixtures. Tests talk only to 127.0.0.1; archives live in tmp_path.

Helper functions live in the importable package tests.support."""
from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# A window under test listens for the browser extension on a free port, never on the
# user's (a Quire window may be open on this machine).
os.environ.setdefault("QUIRE_CONNECTOR_PORT", "0")


@pytest.fixture
def archive(tmp_path):
    """An empty archive that never fetches (no welcome articles, no network)."""
    from archive import Archive

    a = Archive(tmp_path / "arch", seed=False, fetch=False)
    yield a
    a.close()
