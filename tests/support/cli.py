"""Running the command line as a user does: `python main.py ...` in a subprocess."""
from __future__ import annotations

import os
import subprocess
import sys

from tests.support import REPO


def quire(archive_dir, *args, env_archive: bool = False) -> subprocess.CompletedProcess:
    """`quire ARGS` on the archive at `archive_dir` (named by --archive, or by
    $QUIRE_ARCHIVE with env_archive), its output captured as text."""
    env = dict(os.environ)
    env.pop("QUIRE_ARCHIVE", None)
    cmd = [sys.executable, str(REPO / "main.py")]
    if env_archive:
        env["QUIRE_ARCHIVE"] = str(archive_dir)
    else:
        cmd += ["--archive", str(archive_dir)]
    return subprocess.run(cmd + list(args), capture_output=True, text=True, env=env, timeout=120)
