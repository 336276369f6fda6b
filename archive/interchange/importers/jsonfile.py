"""Reading a whole JSON export, with the one clear problem when it does not parse."""
from __future__ import annotations

import json
from pathlib import Path

from archive.interchange.importers.items import ImportProblem, read_text


def load_json(path: Path, problems: list[ImportProblem], label: str | None = None) -> object:
    """The parsed file, or None with a problem naming it (not JSON, not text)."""
    try:
        return json.loads(read_text(path))
    except (ValueError, RecursionError) as exc:
        problems.append(ImportProblem(label or path.name, f"not valid JSON ({exc})"))
        return None
