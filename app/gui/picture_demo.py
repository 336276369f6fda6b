"""An article with pictures and captions, for the README's reader screenshots
(app/gui/screenshots.py: pictures-light/sepia/dark.png) — how pictures, captions
and paragraphs are spaced in each theme.

The pictures are drawn here (a harbour at dusk, a stone wall), written as PNG
with zlib alone, and saved with the page as a browser's "Save page as…" leaves
it, so nothing is fetched. Qt-free.
"""
from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from archive.library.store import Archive

TITLE = "The harbour wall at Skerry Head"
PARAGRAPHS = [
    "The harbour wall at Skerry Head was built in 1870 from granite quarried on the "
    "island itself, and it has stood through every winter storm since. The masons cut "
    "each block by hand and fitted them without mortar, so that the sea, which finds "
    "every weakness, found none.",
    "For a century and a half the wall has sheltered the fishing fleet. On a calm "
    "evening the boats lie quiet in its lee, and the keepers of the light across the "
    "bay say they can tell the state of the tide by the sound of the water against it.",
    "The stone came from a quarry on the north side of the island, where the granite "
    "splits cleanly along its grain. The quarrymen worked it with wedges and "
    "feathers, a method older than the harbour itself.",
    "Engineers who surveyed the wall last spring found it sound. Their report asks for "
    "nothing more than the repointing of a few upper courses, and it ends with a line "
    "the islanders have taken to quoting: the wall was built to outlast its builders, "
    "and it has.",
]
CAPTIONS = [
    "The harbour at dusk, seen from the lighthouse; the wall runs from the right.",
    "Granite blocks in the upper courses, each cut by hand.",
]


def _png(width: int, height: int, pixel) -> bytes:
    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            rows.extend(pixel(x, y))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes(rows), 6)) + chunk(b"IEND", b""))


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> bytes:
    t = max(0.0, min(1.0, t))
    return bytes(round(a[i] + (b[i] - a[i]) * t) for i in range(3))


def harbour(width: int = 960, height: int = 540) -> bytes:
    """Dusk sky over the sea, a headland and the long line of the wall."""
    horizon = int(height * 0.58)

    def pixel(x: int, y: int) -> bytes:
        hill = horizon - int(90 * max(0.0, 1 - abs(x - width * 0.22) / (width * 0.28)))
        wall = horizon + 40 + int((width - x) * 0.05)
        if y < hill:
            return _mix((38, 52, 96), (236, 160, 110), y / horizon)
        if y < horizon:
            return b"\x2a\x33\x3a"
        if x > width * 0.45 and wall - 14 < y < wall:
            return b"\x8a\x84\x7a" if (x // 18 + y // 7) % 2 else b"\x7c\x76\x6d"
        glint = 22 if (x * 7 + y * 13) % 97 < 3 else 0
        return bytes(min(255, c + glint) for c in _mix((58, 86, 120), (20, 34, 52), (y - horizon) / (height - horizon)))

    return _png(width, height, pixel)


def stones(width: int = 520, height: int = 360) -> bytes:
    """Courses of granite blocks."""
    def pixel(x: int, y: int) -> bytes:
        course = y // 60
        offset = 45 if course % 2 else 0
        if y % 60 < 4 or (x + offset) % 110 < 4:
            return b"\x3d\x3a\x36"
        tone = 150 + ((x + offset) // 110 * 37 + course * 53) % 40 - 20 + ((x * y) % 7)
        return bytes((tone, tone - 6, tone - 14))

    return _png(width, height, pixel)


def write_page(folder: Path) -> Path:
    """skerry.html and skerry_files/ in `folder`; returns the page."""
    files = folder / "skerry_files"
    files.mkdir(parents=True, exist_ok=True)
    (files / "harbour.png").write_bytes(harbour())
    (files / "stones.png").write_bytes(stones())
    p = [f"<p>{text}</p>" for text in PARAGRAPHS]
    page = folder / "skerry.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f'<title>{TITLE}</title><meta property="og:site_name" content="Island Notes">'
        '<meta name="author" content="Morag Finlay"></head><body><article>'
        f"<h1>{TITLE}</h1>{p[0]}"
        f'<figure><img src="skerry_files/harbour.png" alt="The harbour at dusk">'
        f"<figcaption>{CAPTIONS[0]}</figcaption></figure>{p[1]}{p[2]}"
        f'<figure><img src="skerry_files/stones.png" alt="Granite blocks">'
        f"<figcaption>{CAPTIONS[1]}</figcaption></figure>{p[3]}"
        "</article></body></html>", encoding="utf-8")
    return page


def add_to(archive: Archive, folder: Path) -> str:
    """Save the demo article into `archive`; returns its id."""
    return archive.save_file(write_page(folder), tags=["places"]).article.id
