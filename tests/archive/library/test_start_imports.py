"""What opening the store costs every start (the window, every `quire …` that opens
an archive): modules needed only by rare paths stay out until used."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]

#: loaded by: a page without a trustworthy charset (charset_normalizer), an index
#: rebuild's workers (multiprocessing), a save with pictures (the thread pool). Measured
#: with cachegrind, bench/startup.py's window start: 2.462 G -> 2.414 G instructions.
RARE = ("charset_normalizer", "multiprocessing", "concurrent.futures.thread")


def test_importing_the_store_leaves_the_rarely_needed_modules_out():
    code = ("import sys, archive.library.store; "
            f"print(sorted(m for m in {RARE!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
