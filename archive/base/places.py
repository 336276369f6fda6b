"""The user's folders Quire keeps things in: named in one place, so the archive's
data folder (archive/library/paths.py) and the caches (the language model's,
archive/extraction/language_model.py) sit under the same application name."""
from __future__ import annotations

import os
from pathlib import Path

import platformdirs

#: The folder name platformdirs is given (~/.local/share/Quire, ~/.cache/Quire).
APP_NAME = "Quire"
#: Overrides the cache folder (the test suite points it at a temporary folder so it
#: never writes into the user's home; an empty value turns caching off).
CACHE_ENV = "QUIRE_CACHE_DIR"


def user_data_root() -> Path:
    """The platform's user data folder for Quire."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def cache_root() -> Path | None:
    """The folder caches live in: $QUIRE_CACHE_DIR, else the platform's user cache
    folder (which honours $XDG_CACHE_HOME). None when caching is turned off."""
    override = os.environ.get(CACHE_ENV)
    if override is not None:
        return Path(override).expanduser() if override else None
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))
