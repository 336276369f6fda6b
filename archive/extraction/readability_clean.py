"""readability-lxml's `clean`, the same result in linear time.

readability scores every candidate element by the length of its cleaned text
(`text_length` → `clean`), thousands of calls per page, and `clean` was about
a quarter of extraction's CPU (bulk saving is CPU-bound). Two of its three
regex passes, `\\s{255,}` and `\\s*\\n\\s*`, restart at every character inside a
run of whitespace that does not match, so an indented page costs the square of
its runs' lengths.

Both passes can only match starting at the first character of a whitespace
run: a match that starts inside a run could have started earlier, and regex
search takes the leftmost one. So a `(?<!\\s)` guard gives the very same
matches while skipping the hopeless restarts, and a pass whose required
character is absent ("\\n", a tab or two spaces, 255 characters) is skipped.
tests/test_extract.py checks the result against readability's own on
generated text.

Applied on import (archive.extraction.extract imports this module): readability's
functions look `clean` up as a module global on every call.

Written for readability-lxml 0.8.1 to 0.9 (pyproject.toml allows >=0.8.1,<0.10);
extract.py's Document subclass overrides its private steps (_parse, ...) too.
Importing this module with another version raises ReadabilityVersionError (an
ImportError naming both versions) instead of extracting with a changed
internal: check this module and extract.py's _Readability against the new
version, run tests/archive/extraction, then widen SUPPORTED.
"""
from __future__ import annotations

import re

import readability
from readability import readability as _readability

#: The readability-lxml versions (major, minor) this module and extract.py were written for.
SUPPORTED = ((0, 8), (0, 9))


class ReadabilityVersionError(ImportError):
    """The installed readability-lxml is not one Quire's extraction was written for."""


def check_version(version: str = str(getattr(readability, "__version__", ""))) -> None:
    """ReadabilityVersionError unless `version` (the installed one) is in SUPPORTED."""
    try:
        major_minor = tuple(int(part) for part in version.split(".")[:2])
    except ValueError:
        major_minor = ()
    if major_minor not in SUPPORTED or not hasattr(_readability, "clean"):
        want = ", ".join(".".join(map(str, v)) for v in SUPPORTED)
        raise ReadabilityVersionError(
            f"Quire's extraction relies on internals of readability-lxml {want}, but "
            f"{version or 'an unknown version'} is installed: install readability-lxml<0.10 "
            "(pyproject.toml bounds it), or check archive/extraction/readability_clean.py "
            "and extract.py against the new version first")


check_version()

#: readability's own, kept for the tests' comparison
original_clean = _readability.clean

_LONG_RUN = re.compile(r"(?<!\s)\s{255,}")
_NEWLINE_RUN = re.compile(r"(?<!\s)\s*\n\s*")
_TABS_AND_SPACES = re.compile(r"\t|[ \t]{2,}")
_MANY_SPACES = " " * 255


def clean(text: str) -> str:
    """readability.readability.clean: whitespace runs of 255 or more cut to 255
    spaces, runs holding a newline made one newline, tabs and runs of spaces
    made one space, the ends stripped."""
    if len(text) >= 255:
        text = _LONG_RUN.sub(_MANY_SPACES, text)
    if "\n" in text:
        text = _NEWLINE_RUN.sub("\n", text)
    if "\t" in text or "  " in text:
        text = _TABS_AND_SPACES.sub(" ", text)
    return text.strip()


def apply() -> None:
    """Make readability use this `clean` (idempotent)."""
    _readability.clean = clean


apply()
