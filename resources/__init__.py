"""Quire's data files: icons/, themes/, welcome/ and quire.desktop.

A package (not just a folder) so they travel in the wheel as package data and
are found through importlib.resources wherever Quire runs from: a checkout
(`python main.py`), an editable install, or a plain `pip install .`/`pipx install .`.
Modules ask `resource_path("themes")` instead of walking up from their own file.
"""
from __future__ import annotations

from pathlib import Path

#: the same marker in app, archive and resources: the launcher checks that all
#: three top-level packages are Quire's own, from one installation
QUIRE_PACKAGE = "quire"


def resource_path(*parts: str) -> Path:
    """A file or folder of Quire's resources as a real path on disk (Qt, shutil
    and glob want paths). Quire is only ever installed unpacked (a wheel, never a
    zip), so the package's files are plain files."""
    # imported here, not at the top: importlib.resources brings zipfile and tempfile
    # (~5-10 ms), and every start imports this package for the launcher's check
    from importlib.resources import files

    found = files(__name__).joinpath(*parts)
    if not isinstance(found, Path):
        raise RuntimeError(f"Quire's resources are not plain files ({found!r}): "
                           "install Quire from a wheel or a checkout, not a zip")
    return found
