"""Where archives live and how the archive folder is laid out."""
from __future__ import annotations

import os
from pathlib import Path

from archive.base.places import user_data_root

ENV_VAR = "QUIRE_ARCHIVE"


def default_archive_root() -> Path:
    """The archive used when neither --archive nor $QUIRE_ARCHIVE is given."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    return user_data_root() / "archive"


def resolve_archive_root(cli_value: str | None) -> Path:
    """--archive first, then $QUIRE_ARCHIVE, then the platform's user data folder."""
    if cli_value:
        return Path(cli_value).expanduser()
    return default_archive_root()
