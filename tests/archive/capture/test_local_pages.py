"""Saving pages from disk: a browser's "Save page as…, complete" leaves the page's
pictures in a folder beside it; they are kept with the article, singly and in bulk,
and stay after that folder is gone (re-extraction included)."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

from archive import Archive
from archive.work.bulk import save_many
from tests.support import make_page


def photo(seed: int, size: int = 24) -> bytes:
    """A small PNG of noise: a real picture's size, not a one-colour pixel (tiny
    inline images are dropped as spacers and trackers)."""
    import random
    import struct
    import zlib

    rng = random.Random(seed)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    rows = b"".join(b"\x00" + bytes(rng.randrange(256) for _ in range(3 * size)) for _ in range(size))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


RED, GREEN, BLUE = photo(1), photo(2), photo(3)


def saved_page(folder: Path, name: str, title: str, picture: bytes) -> Path:
    """`name`.html with its picture in `name`_files/, as browsers save them."""
    files = folder / f"{name}_files"
    files.mkdir(parents=True)
    (files / "photo 1.png").write_bytes(picture)
    page = folder / f"{name}.html"
    body = ("Otters float on their backs in the kelp. " * 12 + "</p>"
            f'<figure><img src="{name}_files/photo%201.png" data-src="https://cdn.invalid/x.png" '
            'alt="An otter"></figure><p>They hold hands while they sleep.')
    page.write_text(make_page(title, body), encoding="utf-8")
    return page


def stored_pictures(archive: Archive, article_id: str) -> list[bytes]:
    html = (archive.article_dir(article_id) / "article.html").read_text(encoding="utf-8")
    names = re.findall(r'<img[^>]*src="(images/[^"]+)"', html)
    return [(archive.article_dir(article_id) / n).read_bytes() for n in names]


def test_a_saved_page_keeps_the_pictures_beside_it(tmp_path):
    page = saved_page(tmp_path / "pages", "otters", "Otters at rest", RED)
    with Archive(tmp_path / "a", seed=False, fetch=False) as archive:
        article = archive.save_file(page).article
        assert stored_pictures(archive, article.id) == [RED]
        # the folder beside the page may go: re-extraction still has the picture
        shutil.rmtree(page.parent / "otters_files")
        done, failures = archive.reextract([article.id])
        assert (done, failures) == (1, [])
        assert stored_pictures(archive, article.id) == [RED]


def test_bulk_saving_of_pages_keeps_their_pictures(tmp_path):
    colours = [RED, GREEN, BLUE] * 3
    pages = [saved_page(tmp_path / "pages", f"p{i}", f"Otter story {i}", colour)
             for i, colour in enumerate(colours)]
    with Archive(tmp_path / "a", seed=False, fetch=False) as archive:
        results = dict(save_many(archive, [str(p) for p in pages]))  # 9 items: the process pool
        for page, colour in zip(pages, colours):
            result = results[str(page)]
            assert not isinstance(result, Exception), result
            assert stored_pictures(archive, result.article.id) == [colour]


def test_pictures_outside_the_page_folder_are_not_read(tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(GREEN)
    pages = tmp_path / "pages"
    pages.mkdir()
    page = pages / "sly.html"
    page.write_text(make_page("A sly page", "Words enough to be an article. " * 15
                              + '</p><p><img src="../secret.png" alt="x">'), encoding="utf-8")
    with Archive(tmp_path / "a", seed=False, fetch=False) as archive:
        article = archive.save_file(page).article
        assert stored_pictures(archive, article.id) == []


def test_pictures_that_could_not_be_kept_are_reported(tmp_path):
    """Each picture that ends as a placeholder is named, with why, in the result:
    the CLI prints it under the article and the window counts it."""
    import subprocess
    import sys

    from app.gui.jobs import SaveSummary
    from tests.support import REPO

    page = tmp_path / "pictures.html"
    page.write_text(make_page("Pictures", "Words enough to be an article here. " * 15
                              + '</p><figure><img src="pictures_files/gone.png" alt="gone"></figure>'
                              '<p>The end.'), encoding="utf-8")
    with Archive(tmp_path / "a", seed=False, fetch=False) as archive:
        result = archive.save_file(page)
        assert len(result.picture_problems) == 1
        assert result.picture_problems[0].startswith("pictures_files/gone.png: ")
        summary = SaveSummary(saved=[result.article], missing_pictures=len(result.picture_problems))
        assert summary.message() == "Saved 1, 1 picture not saved (marked in the article)"
    page2 = tmp_path / "again.html"
    page2.write_text(page.read_text(encoding="utf-8").replace("Pictures", "Again"), encoding="utf-8")
    out = subprocess.run([sys.executable, str(REPO / "main.py"), "--archive", str(tmp_path / "b"),
                          "add", str(page2)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "picture not saved: pictures_files/gone.png" in out.stdout
