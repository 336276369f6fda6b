"""The language of a text, for pages that do not declare theirs.

`lang:` search, the reader's direction and the exports' language all need it;
about one page in six declares nothing (no <html lang>, no content-language).
py3langid (langid.py's maintained fork: a small model shipped inside the
package, 97 languages, no network) reads it from the article's text.
"""
from __future__ import annotations

import re

#: Below this many letters a guess is noise ("OK", a title alone).
MIN_LETTERS = 40
#: The model reads this much of the text: enough to be sure, and cheap.
SAMPLE_CHARS = 3000
#: Languages written right to left (ISO 639-1, and 639-3 where there is no 639-1 code).
RTL_LANGUAGES = frozenset("ar arc ckb dv fa he iw ku ps sd ug ur yi".split())

_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
_identifier = None


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of the language ``text`` is written in, or None when the
    text is too short to say."""
    sample = text[:SAMPLE_CHARS]
    if len(_LETTERS.findall(sample)) < MIN_LETTERS:
        return None
    global _identifier
    if _identifier is None:
        # Loaded on first use, as most pages declare their language: decompressing
        # the model costs 0.4 s of CPU, reading language_model's cache of it a few
        # tens of milliseconds.
        from archive.extraction.language_model import load_identifier

        _identifier = load_identifier(norm_probs=True)
    code, probability = _identifier.classify(sample)
    return code if probability >= 0.5 else None


def is_right_to_left(lang: str | None) -> bool:
    """Whether text in ``lang`` ("ar", "he-IL", "fa_IR") runs right to left."""
    if not lang:
        return False
    return re.split(r"[-_]", lang.strip().lower(), maxsplit=1)[0] in RTL_LANGUAGES


def text_direction(lang: str | None) -> str:
    """"rtl" or "ltr", for a dir attribute."""
    return "rtl" if is_right_to_left(lang) else "ltr"
