"""Turn the bytes of a web page into text, the way a browser would.

Pages lie about their encoding often enough that trusting one source is not
enough: the order below follows the HTML standard (BOM, HTTP header, <meta>),
but a declaration the bytes plainly contradict is skipped instead of producing
mojibake, and detection (charset-normalizer) is the last resort.  Decoding
never raises: junk comes out with U+FFFD replacement characters.
"""
from __future__ import annotations

import codecs
import re

import charset_normalizer

#: How much of the page is searched for <meta charset>.  The standard says
#: 1024 bytes, but real pages put the tag after long <script>/<link> blocks.
META_SCAN_BYTES = 16 * 1024

#: Labels browsers decode with a superset encoding (WHATWG Encoding standard):
#: a page labelled iso-8859-1 that uses curly quotes from windows-1252 shows
#: them in every browser, so it must here too.
_SUPERSETS = {
    "latin_1": "cp1252",
    "iso8859_1": "cp1252",
    "ascii": "cp1252",
    "iso8859_9": "cp1254",
    "iso8859_11": "cp874",
    "shift_jis": "cp932",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc_kr": "cp949",
    "big5": "big5hkscs",
    "utf_16": "utf-8",  # a <meta> or header saying utf-16 without a BOM is wrong
    "utf_16_le": "utf-8",
    "utf_16_be": "utf-8",
}

#: Labels Python does not know under the name pages use.
_ALIASES = {
    "x-sjis": "shift_jis",
    "windows-31j": "cp932",
    "ms_kanji": "cp932",
    "x-euc-jp": "euc_jp",
    "x-gbk": "gbk",
    "x-mac-roman": "mac_roman",
    "macintosh": "mac_roman",
    "x-mac-cyrillic": "mac_cyrillic",
    "unicode-1-1-utf-8": "utf-8",
    "utf8": "utf-8",
    "x-user-defined": "cp1252",
}

#: Encodings in which a successful strict decode proves nothing (every byte
#: sequence decodes), so a stronger signal may override them.
_SINGLE_BYTE_PREFIXES = ("cp1", "cp8", "iso8859", "latin", "koi8", "mac_", "cp4", "cp7")

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts the same way
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_META_CHARSET = re.compile(
    rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)""", re.IGNORECASE
)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._:\-]+)""")


def normalize_encoding(label: str | None) -> str | None:
    """Python codec name for an encoding label, widened to what browsers use.

    Returns None for labels nobody knows, so callers can fall through to the
    next source instead of failing.
    """
    if not label:
        return None
    cleaned = label.strip().strip("\"'").lower()
    cleaned = _ALIASES.get(cleaned, cleaned)
    try:
        name = codecs.lookup(cleaned).name
    except LookupError:
        return None
    name = name.replace("-", "_")
    wider = _SUPERSETS.get(name)
    if wider:
        return codecs.lookup(wider).name
    return codecs.lookup(name).name


def _is_single_byte(codec: str) -> bool:
    return codec.replace("-", "_").startswith(_SINGLE_BYTE_PREFIXES)


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def sniff_bom(data: bytes) -> str | None:
    """Encoding given by a byte order mark, which overrides every label."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec
    return None


def meta_charset(data: bytes) -> str | None:
    """The charset named in <meta charset>, <meta http-equiv> or <?xml encoding>."""
    head = data[:META_SCAN_BYTES]
    found = _XML_DECL.search(head) or _META_CHARSET.search(head)
    return found.group(1).decode("ascii", "replace") if found else None


_NON_ASCII = re.compile("[^\x00-\x7f\ufffd]")


def _mostly_utf8(data: bytes) -> str | None:
    """The text, if the bytes are non-ASCII UTF-8 with at most a stray bad byte.

    Legacy 8-bit text almost never forms valid multi-byte UTF-8 sequences by
    accident, so many valid ones are strong evidence for UTF-8, even when a
    label says otherwise or a truncated/pasted fragment left one bad byte
    (which would otherwise send a whole UTF-8 page to the detector).
    """
    if data.isascii():
        return None
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = len(_NON_ASCII.findall(text))
    if (bad == 0 and good > 0) or (good >= 8 and bad * 20 <= good):
        return text
    return None


#: Tie-breaker when the detector finds several equally plausible encodings
#: (short Latin text fits cp1250 and cp1252 equally): prefer the ones most
#: common on the web.
_WEB_PREFERENCE = (
    "utf_8", "cp1252", "cp1251", "cp932", "gb18030", "euc_jp", "cp949", "big5hkscs",
    "cp1250", "cp1253", "cp1254", "cp1256", "cp1255", "koi8_r", "cp874", "cp1257",
)


def _detect(data: bytes, candidates: list[str] | None = None) -> str | None:
    """Best guess from charset-normalizer, optionally among a few candidates."""
    try:
        matches = list(charset_normalizer.from_bytes(data, cp_isolation=candidates or None))
    except Exception:  # the detector must never break decoding
        return None
    if not matches:
        return None
    best = matches[0]
    tied = [m for m in matches if m.chaos == best.chaos and m.coherence == best.coherence]

    def rank(match: charset_normalizer.CharsetMatch) -> int:
        name = match.encoding.replace("-", "_")
        return _WEB_PREFERENCE.index(name) if name in _WEB_PREFERENCE else len(_WEB_PREFERENCE)

    return normalize_encoding(min(tied, key=rank).encoding)


def decode_html(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode a page's bytes; return (text, Python codec name actually used).

    ``declared`` is the charset from the HTTP Content-Type header, if any.
    Order: BOM, header, <meta>, detection.  A multi-byte declaration (UTF-8,
    Shift_JIS, …) is trusted when the bytes decode strictly under it; a
    single-byte one (iso-8859-1, windows-1251, …) decodes anything, so it
    loses to valid non-ASCII UTF-8 and, when header and <meta> disagree, the
    detector picks between the two.  Never raises.
    """
    bom = sniff_bom(data)
    if bom:
        text = data.decode(bom, errors="replace")
        return (text[1:] if text.startswith("\ufeff") else text), codecs.lookup(bom).name

    labels: list[str] = []
    for label in (declared, meta_charset(data)):
        codec = normalize_encoding(label)
        if codec and codec not in labels:
            labels.append(codec)

    single_byte_ok: list[str] = []
    for codec in labels:
        if _is_single_byte(codec):
            single_byte_ok.append(codec)
            continue
        text = _strict(data, codec)
        if text is not None:
            if single_byte_ok:
                break  # an earlier single-byte label exists: arbitrate below
            return text, codec

    if single_byte_ok:
        text = _mostly_utf8(data)
        if text is not None:
            return text, "utf-8"
        contenders = [c for c in labels if _is_single_byte(c) or _strict(data, c) is not None]
        if len(contenders) > 1:
            chosen = _detect(data, contenders)
            if chosen in contenders:
                return data.decode(chosen, errors="replace"), chosen
        chosen = single_byte_ok[0]
        return data.decode(chosen, errors="replace"), chosen

    # No usable declaration: valid UTF-8 is by far the most common case and
    # cheaper to check than running the detector.
    text = _strict(data, "utf-8")
    if text is None:
        text = _mostly_utf8(data)
    if text is not None:
        return text, "utf-8"
    guessed = _detect(data)
    if guessed:
        text = _strict(data, guessed)
        if text is not None:
            return text, guessed
        return data.decode(guessed, errors="replace"), guessed
    return data.decode("utf-8", errors="replace"), "utf-8"
