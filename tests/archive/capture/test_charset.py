"""Pages in legacy and mislabelled encodings must decode to the right text."""
from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.capture.charset import decode_html, meta_charset, normalize_encoding

RUSSIAN = "Съешь же ещё этих мягких французских булок, да выпей чаю. Москва — столица."
JAPANESE = "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。①②"
FRENCH = "Le garçon a mangé une crème brûlée à la fenêtre. Où est la bibliothèque ? «Très» bien."


def page(body: str, meta: str = "") -> str:
    head = f'<meta charset="{meta}">' if meta else ""
    return (f"<!DOCTYPE html><html><head>{head}<title>t</title></head>"
            f"<body><p>{body}</p></body></html>")


def test_header_charset_windows_1251() -> None:
    text, enc = decode_html(page(RUSSIAN).encode("cp1251"), "windows-1251")
    assert RUSSIAN in text
    assert enc == "cp1251"


def test_meta_charset_shift_jis_including_nec_symbols() -> None:
    # Browsers decode Shift_JIS as windows-31j, which has the circled digits.
    text, enc = decode_html(page(JAPANESE, "Shift_JIS").encode("cp932"))
    assert JAPANESE in text
    assert enc == "cp932"


def test_meta_http_equiv_iso_8859_1() -> None:
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">'
        f"</head><body>{FRENCH}</body></html>"
    )
    text, _ = decode_html(html.encode("latin-1"))
    assert FRENCH in text


def test_iso_8859_1_label_decodes_windows_1252_quotes_like_browsers() -> None:
    body = "\u201cquoted\u201d \u2014 caf\u00e9 \u20ac5"
    text, _ = decode_html(page(body).encode("cp1252"), "iso-8859-1")
    assert body in text


def test_undeclared_windows_1251_is_detected() -> None:
    text, enc = decode_html(page(RUSSIAN * 3).encode("cp1251"))
    assert RUSSIAN in text
    assert enc == "cp1251"


def test_undeclared_shift_jis_is_detected() -> None:
    text, _ = decode_html(page(JAPANESE * 2).encode("cp932"))
    assert JAPANESE in text


def test_header_says_utf8_but_page_is_windows_1251() -> None:
    # The bytes are not valid UTF-8, so the header is plainly wrong.
    text, enc = decode_html(page(RUSSIAN, "windows-1251").encode("cp1251"), "utf-8")
    assert RUSSIAN in text
    assert enc == "cp1251"


def test_header_says_utf8_but_page_is_latin1_without_meta() -> None:
    text, _ = decode_html(page(FRENCH).encode("latin-1"), "utf-8")
    assert FRENCH in text


def test_header_says_latin1_but_page_is_utf8() -> None:
    text, enc = decode_html(page(RUSSIAN + FRENCH).encode("utf-8"), "iso-8859-1")
    assert RUSSIAN in text and FRENCH in text
    assert enc == "utf-8"


def test_utf8_page_with_one_stray_byte_stays_utf8() -> None:
    raw = page(RUSSIAN * 3 + JAPANESE).encode("utf-8")
    raw = raw.replace("булок".encode(), b"\xff", 1)
    text, enc = decode_html(raw, "utf-8")
    assert enc == "utf-8"
    assert JAPANESE in text and "\ufffd" in text


def test_header_latin1_default_loses_to_meta_when_text_is_cyrillic() -> None:
    # Old servers add "charset=ISO-8859-1" to everything; the page knows better.
    text, enc = decode_html(page(RUSSIAN * 2, "windows-1251").encode("cp1251"), "ISO-8859-1")
    assert RUSSIAN in text
    assert enc == "cp1251"


GREEK = "Η Αθήνα είναι η πρωτεύουσα της Ελλάδας και μία από τις αρχαιότερες πόλεις του κόσμου."
ENGLISH = "The council met on Tuesday to discuss the bridge, the ferries and the detours. " * 6


@pytest.mark.parametrize(("words", "codec"), [(RUSSIAN, "cp1251"), (GREEK, "cp1253")])
def test_lone_latin1_label_on_another_script_loses_to_detection(words: str, codec: str) -> None:
    """A server that says iso-8859-1 for everything, on a Russian (or Greek) page
    with English beside it: the label would give "Ìîñêâà" for "Москва"."""
    raw = page(ENGLISH + (words + " ") * 8).encode(codec)
    text, enc = decode_html(raw, "iso-8859-1")
    assert words in text and enc == codec


@pytest.mark.parametrize("words", [
    FRENCH,
    "Größere Übungen für Mädchen: Straße, schön, Bäume, Öfen, Füße, weiß, Äpfel über Tür.",
    "Þórður fór í búðina og keypti ýmislegt. Þú ert góður maður, Þjóðverji, æðarfugl á ævi.",
    "Ação, coração, não, informação, será, você, está, três, mãe, irmão, João, São Paulo.",
])
def test_latin1_label_on_western_text_is_kept(words: str) -> None:
    text, enc = decode_html(page((words + " ") * 12).encode("cp1252"), "iso-8859-1")
    assert words in text and enc == "cp1252"


def test_header_utf16_without_bom_is_believed_when_the_bytes_agree() -> None:
    """The WHATWG rule that reads a utf-16 label as UTF-8 is for <meta> only."""
    text, enc = decode_html(page(RUSSIAN).encode("utf-16-le"), "utf-16")
    assert RUSSIAN in text and enc == "utf-16-le"
    text, enc = decode_html(page(RUSSIAN).encode("utf-16-be"), "UTF-16BE")
    assert RUSSIAN in text and enc == "utf-16-be"
    # a wrong header: the bytes are UTF-8
    text, enc = decode_html(page(RUSSIAN).encode("utf-8"), "utf-16")
    assert RUSSIAN in text and enc == "utf-8"
    # <meta charset=utf-16> on ASCII-compatible bytes still means UTF-8
    text, enc = decode_html(page(RUSSIAN, "utf-16").encode("utf-8"))
    assert RUSSIAN in text and enc == "utf-8"


@pytest.mark.parametrize(
    ("bom_codec", "label"),
    [("utf-8-sig", "utf-8"), ("utf-16", "utf-16-le"), ("utf-16-be", "utf-16-be")],
)
def test_bom_beats_a_wrong_header(bom_codec: str, label: str) -> None:
    raw = page(RUSSIAN).encode(bom_codec)
    if bom_codec == "utf-16-be":
        raw = codecs.BOM_UTF16_BE + raw
    text, enc = decode_html(raw, "windows-1252")
    assert text.startswith("<!DOCTYPE html>")
    assert RUSSIAN in text
    assert enc == codecs.lookup(label).name


def test_meta_found_after_long_head() -> None:
    head = "<script>" + "var x = 1;" * 300 + "</script>"
    russian = RUSSIAN.replace("—", "-")  # KOI8-R has no em dash
    html = f"<html><head>{head}<meta charset='koi8-r'></head><body>{russian}</body></html>"
    assert meta_charset(html.encode("koi8-r")) == "koi8-r"
    text, enc = decode_html(html.encode("koi8-r"))
    assert russian in text and enc == "koi8-r"


def test_unknown_labels_fall_through() -> None:
    text, enc = decode_html(page(FRENCH, "no-such-charset").encode("utf-8"), "bogus")
    assert FRENCH in text and enc == "utf-8"


def test_junk_never_raises() -> None:
    junk = bytes(range(256)) * 16 + b"\x00\xff\xfe\x81\x8d"
    text, enc = decode_html(junk, "utf-8")
    assert isinstance(text, str) and text
    assert enc


@pytest.mark.parametrize(
    ("label", "expected"),
    [("ISO-8859-1", "cp1252"), ("latin1", "cp1252"), ("Shift_JIS", "cp932"),
     ("x-sjis", "cp932"), ("gb2312", "gb18030"), ("UTF8", "utf-8"), ("nonsense", None),
     (None, None)],
)
def test_normalize_encoding(label: str | None, expected: str | None) -> None:
    assert normalize_encoding(label) == expected


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=3000),
       declared=st.sampled_from([None, "utf-8", "windows-1251", "shift_jis", "iso-8859-1",
                                 "utf-16", "bogus", ""]))
def test_decode_never_raises(data: bytes, declared: str | None) -> None:
    text, enc = decode_html(data, declared)
    assert isinstance(text, str)
    codecs.lookup(enc)  # a real codec name


def test_undo_mojibake_reads_utf8_that_was_decoded_as_latin1() -> None:
    from archive.capture.charset import undo_mojibake

    text = "Fundację Lux Veritatis — Mäscot, weiß"
    assert undo_mojibake(text.encode("utf-8").decode("latin-1")) == text
    assert undo_mojibake(text) is None  # already right (beyond Latin-1)
    assert undo_mojibake("Grüße aus Köln, weiß und schön") is None  # Latin-1 text indeed
    assert undo_mojibake("plain ascii") is None
