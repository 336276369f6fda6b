"""The suite passes on any user's machine (issue 19): a proxy set in the
environment — lower or upper case, as corporate machines have — must not take
the tests' requests to their local server elsewhere."""
from __future__ import annotations

import os
import subprocess
import sys

from tests.support import REPO


def test_a_local_server_test_passes_with_proxies_set():
    env = dict(os.environ)
    dead = "http://127.0.0.1:9"  # nothing listens there: a proxied request fails
    env.update({"https_proxy": dead, "http_proxy": dead, "all_proxy": dead,
                "HTTPS_PROXY": dead, "HTTP_PROXY": dead, "ALL_PROXY": dead})
    env.pop("NO_PROXY", None)
    env.pop("no_proxy", None)
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/archive/work/test_bulk.py::test_two_items_naming_the_same_url_are_both_answered"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    assert "1 passed" in out.stdout
