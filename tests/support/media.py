"""Read-only media made real for the tests (issue 18, case 3): root ignores permission
bits, so a read-only folder is a read-only bind mount (mount needs CAP_SYS_ADMIN)."""
from __future__ import annotations

import os
import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest


def mount(*args: str) -> bool:
    """`mount ARGS`; False when it is refused (no capability)."""
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@contextmanager
def read_only_view(src: Path, where: Path) -> Iterator[Path]:
    """`src` as read-only media: a read-only bind mount of it at `where` (unmounted
    lazily afterwards, so a file still open does not leave it mounted). Not root: the
    permission bits of `src` instead. Skips the test where mounting is refused."""
    if os.geteuid() != 0:
        subprocess.run(["chmod", "-R", "a-w", str(src)], check=True)
        try:
            yield src
        finally:
            subprocess.run(["chmod", "-R", "u+w", str(src)], check=True)
        return
    where.mkdir()
    if not mount("--bind", str(src), str(where)):
        pytest.skip("no read-only mount possible here (mount --bind refused)")
    try:
        if not mount("-o", "remount,ro,bind", str(where)):
            pytest.skip("no read-only mount possible here (remount,ro refused)")
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)
