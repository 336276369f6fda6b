"""Open a folder-or-zip import source as a folder, safely.

Omnivore's export and "a zip of saved pages" are zips; both parsers read a
folder. Zips are extracted with safe_extract (no zip-slip, inflated size
capped) into a temporary folder that lives as long as the parser does.
"""
from __future__ import annotations

import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from archive.base.safe_names import safe_extract
from archive.interchange.importers.items import ImportProblem


@contextmanager
def opened_folder(path: Path, problems: list[ImportProblem]) -> Iterator[Path]:
    """Yield a folder with the source's files; refused zip entries go to `problems`."""
    path = Path(path)
    if path.is_dir():
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="quire-import-") as tmp:
        result = safe_extract(path, tmp)
        for name, reason in result.refused:
            problems.append(ImportProblem(f"{path.name} entry {name!r}", f"refused: {reason}"))
        yield Path(tmp)
