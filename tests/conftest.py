"""Shared fixtures. Tests talk only to 127.0.0.1; archives live in tmp_path.

Helper functions live in the importable package tests.support."""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests talk only to 127.0.0.1 (pytest-httpserver, the connector): a proxy from the
# user's environment (corporate machines set https_proxy, often in lower case) would
# take those requests elsewhere. Every proxy variable goes, in both cases, before any
# client is made; subprocesses (the CLI tests) inherit the cleaned environment.
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "ftp_proxy", "ws_proxy", "wss_proxy",
                   "socks_proxy")
for _name in list(os.environ):
    if _name.lower() in PROXY_VARIABLES:
        del os.environ[_name]
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost,::1"
# A window under test listens for the browser extension on a free port, never on the
# user's (a Quire window may be open on this machine).
os.environ.setdefault("QUIRE_CONNECTOR_PORT", "0")
# Extraction caches py3langid's decompressed model (67 MB) in the user's cache folder
# (archive/extraction/language_model.py): the suite, and the CLI subprocesses it
# starts, share one in a temporary folder instead, never the user's home.
_MODEL_CACHE = tempfile.mkdtemp(prefix="quire-test-cache-")
os.environ["QUIRE_CACHE_DIR"] = _MODEL_CACHE
atexit.register(shutil.rmtree, _MODEL_CACHE, True)


@pytest.fixture
def archive(tmp_path):
    """An empty archive that never fetches (no welcome articles, no network)."""
    from archive import Archive

    a = Archive(tmp_path / "arch", seed=False, fetch=False)
    yield a
    a.close()
