"""The reader lays pictures, captions and paragraphs out as a book does
(issue 19): no blank band under a picture (a 155 % line height once made the
picture's line half as tall again), the caption close under its picture, and
clearly more space before the next paragraph than between picture and caption
— in every theme and at every reading size. Measured on the laid-out
QTextDocument of a real saved article."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QColor, QFontMetricsF, QImage, QPainter

from app.gui.reader import ReaderView, load_article_content
from app.gui.themes import THEME_NAMES, ReadingSettings, load_theme

PARA = ("The harbour wall was built in 1870 from granite quarried on the island, and it "
        "has stood through every winter storm since. ")
CAPTION = "The wall at low tide, seen from the lighthouse."
OBJECT = "\ufffc"  # how a QTextDocument holds an image


def picture(width: int, height: int, color: str) -> bytes:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(color))
    painter = QPainter(image)
    painter.fillRect(width // 5, height // 5, width // 3, height // 3, QColor("#ffffff"))
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


@pytest.fixture(scope="module")
def pictured(tmp_path_factory):
    """A saved article with a captioned wide picture, a captioned narrow one, a
    picture without caption and a picture alone in a paragraph."""
    from archive import Archive

    folder = tmp_path_factory.mktemp("pictured")
    files = folder / "harbour_files"
    files.mkdir()
    for name, (w, h, c) in {"wide": (900, 560, "#4a7ba6"), "narrow": (260, 180, "#a6784a"),
                            "bare": (700, 300, "#5a8a5a"), "inp": (640, 320, "#8a5a8a")}.items():
        (files / f"{name}.png").write_bytes(picture(w, h, c))
    page = folder / "harbour.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>The harbour wall'
        "</title></head><body><article><h1>The harbour wall</h1>"
        f"<p>{PARA * 3}</p>"
        f'<figure><img src="harbour_files/wide.png" alt="The wall"><figcaption>{CAPTION}'
        f"</figcaption></figure><p>{PARA * 3}</p><p>{PARA * 2}</p>"
        '<figure><img src="harbour_files/narrow.png" alt="A block">'
        f"<figcaption>Granite blocks, each cut by hand.</figcaption></figure><p>{PARA * 2}</p>"
        f'<img src="harbour_files/bare.png" alt="The quay"><p>{PARA * 2}</p>'
        f'<p><img src="harbour_files/inp.png" alt="Boats"></p><p>{PARA * 2}</p>'
        "</article></body></html>",
        encoding="utf-8",
    )
    root = folder / "arch"
    with Archive(root, seed=False, fetch=False) as archive:
        article_id = archive.save_file(page).article.id
        content = load_article_content(archive, article_id)
    assert len(content.images) == 4  # four pictures
    return content


def body_blocks(reader: ReaderView) -> list[dict]:
    """Each block after the header: its text, top, bottom and image height."""
    doc = reader.document()
    layout = doc.documentLayout()
    start = reader._body_start()
    out = []
    block = doc.findBlock(start)
    while block.isValid():
        rect = layout.blockBoundingRect(block)
        image_height = 0.0
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isImageFormat():
                image_height = max(image_height, fmt.toImageFormat().height())
            it += 1
        text = block.text().replace(OBJECT, "").strip()
        if text or image_height:
            out.append({"text": text, "top": rect.top(), "bottom": rect.bottom(),
                        "image": image_height})
        block = block.next()
    return out


@pytest.mark.parametrize("theme", THEME_NAMES)
@pytest.mark.parametrize("size", [9.0, 13.0, 20.0, 30.0])
def test_pictures_captions_and_paragraphs_are_spaced_like_a_book(qtbot, pictured, theme, size):
    settings = ReadingSettings(theme=theme, font_size=size)
    look = load_theme(theme, settings)
    reader = ReaderView()
    qtbot.addWidget(reader)
    reader.resize(1000, 900)
    reader.show()
    reader.set_line_width(680)
    reader.set_stylesheet(look.css, settings.font(), look.highlight_bg, look.highlight_fg)
    reader.show_content(pictured)
    line = QFontMetricsF(settings.font()).height()

    blocks = body_blocks(reader)
    pictures = [i for i, b in enumerate(blocks) if b["image"]]
    assert len(pictures) == 4, [b["text"][:20] for b in blocks]
    for i in pictures:
        shown = blocks[i]
        assert not shown["text"], "a picture stands in a block of its own, not inside a paragraph"
        below = blocks[i + 1]
        under = below["top"] - (shown["top"] + shown["image"])  # blank band under the picture
        before = shown["top"] - blocks[i - 1]["bottom"]
        assert before >= 0.8 * line, ("room above the picture", before, line)
        if below["text"].startswith(("The wall at low", "Granite")):  # its caption
            assert 2 <= under <= 0.8 * line, ("the caption sits under its picture", under, line)
            after = blocks[i + 2]["top"] - below["bottom"]
            assert after >= max(1.2 * line, under + 0.5 * line), (
                "the next paragraph is clearly apart from the caption", after, under, line)
            assert after <= 3.5 * line
        else:
            assert 0.8 * line <= under <= 3 * line, ("no blank band under the picture", under, line)
    paragraphs = [(a, b) for a, b in zip(blocks, blocks[1:])
                  if a["text"].startswith("The harbour") and b["text"].startswith("The harbour")]
    assert paragraphs
    for a, b in paragraphs:
        gap = b["top"] - a["bottom"]
        assert 0.4 * line <= gap <= 1.5 * line, ("paragraphs are a line apart", gap, line)


def test_book_html_gives_pictures_blocks_and_leaves_icons_in_their_line():
    from app.gui.book_html import book_html

    linked = book_html('<figure><a href="/big"><img src="a.png"></a><figcaption>A <b>cap</b>'
                       "</figcaption></figure><p>Text</p>")
    assert linked == ('<div class="figure"><p class="captioned"><a href="/big"><img src="a.png">'
                      '</a></p><p class="caption">A <b>cap</b></p></div><p>Text</p>')
    icon = '<p>Press <img src="key.png"> to start.</p>'
    assert book_html(icon) == icon
    assert book_html("<p>No pictures at all.</p>") == "<p>No pictures at all.</p>"
    assert book_html('<div><img src="b.png">after</div>') == (
        '<div><p class="picture"><img src="b.png"></p>after</div>')
