"""A plain list of URLs, one a line. Blank lines and lines starting with # are skipped."""
from __future__ import annotations

from pathlib import Path

from archive.interchange.importers.items import ImportItem, ImportProblem, ParseResult, check_url, read_text


def parse(path: Path) -> ParseResult:
    path = Path(path)
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        url = text.split()[0]
        problem = check_url(url)
        if problem:
            yield ImportProblem(f"{path.name} line {number}", problem)
            continue
        yield ImportItem(url=url, source_key=None)
