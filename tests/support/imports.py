"""Helpers the import tests share: where the import fixtures are, and sorting what a
parser yields into items and problems."""
from __future__ import annotations

import zipfile
from pathlib import Path

from archive.interchange.importers import ImportItem, ImportProblem
from tests.support import FIXTURES as FIXTURES_ROOT

#: The export files of every format the importers read.
IMPORT_FIXTURES = FIXTURES_ROOT / "import"


def split(records) -> tuple[list[ImportItem], list[ImportProblem]]:
    """A parser's records as (items, problems), each in the order yielded."""
    items = [r for r in records if isinstance(r, ImportItem)]
    problems = [r for r in records if isinstance(r, ImportProblem)]
    return items, problems


def by_url(items) -> dict[str | None, ImportItem]:
    return {i.url: i for i in items}


def zipped_fixture(name: str, target: Path) -> Path:
    """The import fixture folder `name` written as the zip `target`, its files at the
    zip's top level, as the service's export arrives."""
    folder = IMPORT_FIXTURES / name
    with zipfile.ZipFile(target, "w") as zf:
        for file in folder.rglob("*"):
            if file.is_file():
                zf.write(file, file.relative_to(folder).as_posix())
    return target
