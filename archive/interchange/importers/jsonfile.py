"""Reading a whole JSON export, with the one clear problem when it does not parse."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Generator

from archive.interchange.importers.items import ImportProblem, read_text


def load_json(path: Path, problems: list[ImportProblem], label: str | None = None) -> object:
    """The parsed file, or None with a problem naming it (not JSON, not text)."""
    try:
        return json.loads(read_text(path))
    except (ValueError, RecursionError) as exc:
        problems.append(ImportProblem(label or path.name, f"not valid JSON ({exc})"))
        return None


def loaded_json(path: Path) -> Generator[ImportProblem, None, Any]:
    """load_json with its problem yielded: `data = yield from loaded_json(path)`
    (None both for a file that does not parse and for one that holds only null)."""
    problems: list[ImportProblem] = []
    data = load_json(path, problems)
    yield from problems
    return data


def json_export(path: Path, expected: str, key: str | None = None,
                kind: type | tuple[type, ...] = list) -> Generator[ImportProblem, None, Any]:
    """The parsed export when it (or its member `key`, when given) is a `kind`; else
    None after one problem naming the file: "not valid JSON", or `expected`.
    Use as `data = yield from json_export(...)`."""
    problems: list[ImportProblem] = []
    data = load_json(path, problems)
    yield from problems
    if problems:
        return None
    part = data if key is None else data.get(key) if isinstance(data, dict) else None
    if not isinstance(part, kind):
        yield ImportProblem(path.name, expected)
        return None
    return data
