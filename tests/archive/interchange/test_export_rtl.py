"""An article in a right-to-left language reads right to left in every export."""
from __future__ import annotations

import zipfile

import lxml.html
import yaml

from archive import Archive
from archive.interchange.exporters import export

ARABIC = """<!DOCTYPE html><html lang="ar"><head><meta charset="utf-8"><title>الأنهار تعود إلى الحياة</title></head>
<body><article><h1>الأنهار تعود إلى الحياة</h1>
<p>بعد عقود من التلوث، عاد السلمون إلى النهر مرة أخرى، كما قال العلماء يوم الاثنين في مؤتمر صحفي.</p>
<p>جاء التغيير بعد إغلاق آخر مصنع في أعلى النهر، وصفت المياه في غضون عامين فقط من ذلك اليوم.</p>
<p>ويقول الصيادون المحليون الذين كانوا قد استسلموا إنهم يصطادون الآن ما يضاهي صيد أجدادهم.</p>
</article></body></html>"""


def test_right_to_left_articles_keep_their_direction_in_html_markdown_and_epub(tmp_path):
    with Archive(tmp_path / "arch", seed=False, fetch=False) as archive:
        art = archive.save_html(ARABIC, "https://news.example/rivers").article
        assert art.lang == "ar"
        export(archive, [art.id], "html", tmp_path / "out.zip")
        with zipfile.ZipFile(tmp_path / "out.zip") as zf:
            page = next(n for n in zf.namelist() if n.endswith(".html") and "index" not in n)
            root = lxml.html.fromstring(zf.read(page))
            assert root.get("dir") == "rtl" and root.get("lang") == "ar"
        export(archive, [art.id], "markdown", tmp_path / "notes.zip")
        with zipfile.ZipFile(tmp_path / "notes.zip") as zf:
            note = zf.read(next(n for n in zf.namelist() if n.endswith(".md"))).decode("utf-8")
            front = yaml.safe_load(note.split("---")[1])
            assert front["dir"] == "rtl" and front["lang"] == "ar"
            assert '<div dir="rtl">' in note and "السلمون" in note.split('<div dir="rtl">')[1]
        export(archive, [art.id], "epub", tmp_path / "book.epub")
        with zipfile.ZipFile(tmp_path / "book.epub") as zf:
            chapter = zf.read(next(n for n in zf.namelist() if "article-" in n)).decode("utf-8")
            assert 'dir="rtl"' in chapter
