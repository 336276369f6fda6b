"""Quire's Qt GUI. It calls the archive's API only, and only off the UI thread
for anything slow. Entry point: `run(archive_root, screenshot=None) -> int`."""

from __future__ import annotations

from pathlib import Path


def run(archive_root: Path, screenshot: Path | None = None) -> int:
    """Open the main window (imports Qt only when called, so `import app` is cheap)."""
    from app.gui.main import run as _run

    return _run(archive_root, screenshot)


__all__ = ["run"]
