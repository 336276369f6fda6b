"""Import from other read-it-later services and bookmark files.

Entry points (the CLI's `import` and `retry`, the GUI's Ctrl+O):
    detect_format(path) -> str
    import_file(archive, path, fmt="auto", *, fetch=True, concurrency=8, progress=None,
                cancel=None) -> ImportReport
    retry_pending(archive, progress=None, cancel=None, *, concurrency=8, ids=None) -> ImportReport
Each format lives in its own module with a pure `parse(path)`.
"""
from archive.interchange.importers.detect import FORMATS, detect_format
from archive.interchange.importers.driver import ALIASES, PARSERS, ImportReport, import_file, parse_file, retry_pending
from archive.interchange.importers.items import ImportCollection, ImportItem, ImportProblem

__all__ = [
    "ALIASES", "FORMATS", "PARSERS", "ImportCollection", "ImportItem", "ImportProblem",
    "ImportReport", "detect_format", "import_file", "parse_file", "retry_pending",
]
