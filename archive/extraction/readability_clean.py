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

Applied on import (archive.extract imports this module): readability's
functions look `clean` up as a module global on every call.
"""
from __future__ import annotations

import re

from readability import readability as _readability

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
    _readability.clean = clean


apply()
