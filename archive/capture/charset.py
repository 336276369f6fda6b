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
    # A <meta> saying utf-16 is wrong: it could not have been read to find it. (An
    # HTTP header saying so is believed when the bytes agree: _utf16_by_header.)
    "utf_16": "utf-8",
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


#: Western single-byte code pages. Every byte decodes in them, and a page in a
#: Cyrillic or Greek code page comes out as plausible-looking accented Latin
#: letters ("Ìîñêâà" for "Москва"), so such a label is checked against the text.
_WESTERN = frozenset({"cp1252", "latin_1", "iso8859_15"})
#: A Western label is doubted when most words with accented letters are made of
#: them: Western languages sprinkle a few into ASCII words ("crème", "Größe",
#: "Þórður"), while Russian misread as windows-1252 is whole words of them
#: ("Ìîñêâà"). English beside the Russian on the same page changes nothing ...
_FOREIGN_WORD_SHARE = 0.5
_MIN_FOREIGN_WORDS = 10
_FOREIGN_WORD_LETTERS = 0.75  # a word this much accented letters, of 3 letters or more
#: ... and the label is replaced when detection's reading is mostly letters of
#: another script.
_OTHER_SCRIPT_SHARE = 0.8
_WORDS = re.compile(r"[^\W\d_]{3,}")
_SCRIPTS_AND_STYLES = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.I | re.S)
_TAGS = re.compile(r"<[^>]*>")
_SAMPLE_CHARS = 256 * 1024


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


def undo_mojibake(text: str) -> str | None:
    """The text read right, if ``text`` is UTF-8 that was decoded as Latin-1 ("FundacjÄ\x99",
    "MÃ¤scot"): every character fits in a byte and the bytes are UTF-8 by the rule
    above. None when the text is fine as it is (or cannot be told apart).

    Pages arrive so when a tool upstream guessed the encoding from one stray byte.
    """
    if text.isascii():
        return None
    try:
        data = text.encode("latin-1")
    except UnicodeEncodeError:
        return None  # characters beyond Latin-1: decoded knowingly, not mojibake
    return _mostly_utf8(data)


#: Tie-breaker when the detector finds several equally plausible encodings
#: (short Latin text fits cp1250 and cp1252 equally): prefer the ones most
#: common on the web.
_WEB_PREFERENCE = (
    "utf_8", "cp1252", "cp1251", "cp932", "gb18030", "euc_jp", "cp949", "big5hkscs",
    "cp1250", "cp1253", "cp1254", "cp1256", "cp1255", "koi8_r", "cp874", "cp1257",
)


def _detect(data: bytes, candidates: list[str] | None = None) -> str | None:
    """Best guess from charset-normalizer, optionally among a few candidates."""
    # here, not at the top: only pages without a trustworthy declared charset need the
    # detector (importing it alone: ~48 M instructions)
    # (with the lazy imports in charset, images and reindex together: a window start
    # 2.462 G -> 2.414 G instructions under cachegrind, peak RSS 125 -> 122 MB)
    import charset_normalizer

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


def _utf16_by_header(data: bytes, declared: str | None) -> tuple[str, str] | None:
    """The text, when the HTTP header says UTF-16 and the bytes, read so, are HTML.

    Unlike <meta> (which the WHATWG standard reads as UTF-8, since it was found
    by reading ASCII), the header can rightly say UTF-16 for a page without a
    BOM: the standard takes the label as UTF-16LE. Wrong headers exist too, so
    the text must decode strictly and show markup, little-endian tried first."""
    label = (declared or "").strip().strip("\"'").lower()
    try:
        name = codecs.lookup(label).name.replace("-", "_") if label else ""
    except LookupError:
        return None
    if name not in ("utf_16", "utf_16_le", "utf_16_be"):
        return None
    order = ("utf-16-be", "utf-16-le") if name == "utf_16_be" else ("utf-16-le", "utf-16-be")
    for codec in order:
        text = _strict(data[: len(data) // 2 * 2], codec)
        head = text[:4096] if text is not None else ""
        if head.count("<") >= 2 and head.count(">") >= 2 and "\x00" not in head:
            return text, codec
    return None


def _foreign_words(text: str) -> tuple[int, int]:
    """(words with non-ASCII letters, those made almost only of them) in the
    readable text of a page."""
    text = _TAGS.sub(" ", _SCRIPTS_AND_STYLES.sub(" ", text[:_SAMPLE_CHARS]))
    accented = foreign = 0
    for word in _WORDS.findall(text):
        if word.isascii():
            continue
        accented += 1
        if sum(1 for ch in word if not ch.isascii()) >= _FOREIGN_WORD_LETTERS * len(word):
            foreign += 1
    return accented, foreign


def _other_script(data: bytes, codec: str) -> str | None:
    """A better codec than a Western ``codec`` for these bytes, if the text read
    with it is implausible (words made of accented letters) and detection's
    reading is mostly letters of another script (Cyrillic, Greek, Hebrew, CJK…)."""
    if codec not in _WESTERN:
        return None
    # a single-byte codec: the sample's bytes are its characters
    accented, foreign = _foreign_words(data[:_SAMPLE_CHARS].decode(codec, errors="replace"))
    if foreign < _MIN_FOREIGN_WORDS or foreign < _FOREIGN_WORD_SHARE * accented:
        return None
    guessed = _detect(data)
    if guessed is None or guessed in _WESTERN:
        return None
    text = _TAGS.sub(" ", data[:_SAMPLE_CHARS].decode(guessed, errors="replace"))
    foreign = [ch for ch in text if not ch.isascii() and ch.isalpha()]
    beyond_latin = sum(1 for ch in foreign if ord(ch) > 0x24F)
    if foreign and beyond_latin >= _OTHER_SCRIPT_SHARE * len(foreign):
        return guessed
    return None


def decode_html(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode a page's bytes; return (text, Python codec name actually used).

    ``declared`` is the charset from the HTTP Content-Type header, if any.
    Order: BOM, header, <meta>, detection.  A multi-byte declaration (UTF-8,
    Shift_JIS, …) is trusted when the bytes decode strictly under it; a
    single-byte one (iso-8859-1, windows-1251, …) decodes anything, so it
    loses to valid non-ASCII UTF-8 and, when header and <meta> disagree, the
    detector picks between the two; a lone Western label loses to detection
    when the text it gives is mostly accented letters that detection reads as
    another script.  Never raises.
    """
    bom = sniff_bom(data)
    if bom:
        text = data.decode(bom, errors="replace")
        return (text[1:] if text.startswith("\ufeff") else text), codecs.lookup(bom).name
    wide = _utf16_by_header(data, declared)
    if wide is not None:
        return wide

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
        chosen = _other_script(data, chosen) or chosen  # "iso-8859-1" on a Russian page
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
