"""Highlights: what they cost on the UI thread.

1. An article of ~60 paragraphs with 200 highlights: the time show_content takes
   on the UI thread (setHtml, mapping the plain text, painting 200 char formats)
   through to the first complete layout, against the same article without them.
2. The Highlights view with 10,000 highlights: creating the window, loading the
   rows into its model and showing it (grouped by article), then filtering as
   one types (a word, a colour, back to everything), each on the UI thread.
   Reading the 10,000 rows from the catalog (a worker thread's part) is timed too.

Everything is offscreen and local. Prints JSON (milliseconds; medians of --runs).

usage: python bench/highlights.py [--marks 200] [--view-marks 10000] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

WORDS = ("tide marsh heron winter flood observer spring measure water bird nest calendar "
         "harbour committee finding season river estuary migration coast").split()


def article_page(paragraphs: int, seed: int = 1) -> str:
    rnd = random.Random(seed)
    paras = []
    for n in range(paragraphs):
        words = [rnd.choice(WORDS) for _ in range(rnd.randint(60, 110))]
        words[0] = words[0].capitalize()
        if n % 7 == 3:
            words[5] = f"<em>{words[5]}</em>"
            words[12] = f'<a href="https://example.org/{n}">{words[12]}</a>'
        paras.append("<p>" + " ".join(words) + ".</p>")
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>A long article"
            "</title></head><body><article><h1>A long article</h1>" + "".join(paras)
            + "</article></body></html>")


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--marks", type=int, default=200)
    parser.add_argument("--view-marks", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from PySide6.QtWidgets import QApplication

    from app.gui.highlights_view import HighlightsWindow, Row
    from app.gui.reader import ReaderView, load_article_content
    from archive import Archive
    from archive.base.models import HIGHLIGHT_COLORS, Highlight
    from archive.library.anchoring import context_of

    app = QApplication.instance() or QApplication([])
    out: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        archive = Archive(Path(tmp) / "arch", seed=False, fetch=False)
        plain_id = archive.save_html(article_page(60), "https://bench.example/plain").article.id
        marked_id = archive.save_html(article_page(60), "https://bench.example/marked").article.id
        text = archive.highlights.text(marked_id)
        # 200 highlights spread over the text, a few words each, some with notes
        step = max(1, len(text) // args.marks)
        marks = []
        for n in range(args.marks):
            start = n * step
            while start < len(text) and text[start].isspace():
                start += 1
            end = min(len(text), start + min(step - 2, 40))
            while end > start and text[end - 1].isspace():
                end -= 1
            if end <= start:
                continue
            quote, prefix, suffix = context_of(text, start, end)
            marks.append(Highlight(id=f"m{n:05d}", article_id=marked_id, quote=quote, start=start,
                                   end=end, prefix=prefix, suffix=suffix,
                                   color=HIGHLIGHT_COLORS[n % 4], note="a note" if n % 3 == 0 else "",
                                   created=f"2026-01-01T00:{n // 60:02d}:{n % 60:02d}.000+00:00"))
        archive.highlights.put_exact(marked_id, marks)
        out["article_chars"] = len(text)
        out["article_highlights"] = len(archive.highlights.list(marked_id))

        reader = ReaderView()
        reader.resize(1000, 800)
        reader.show()
        app.processEvents()

        def show_time(article_id: str) -> float:
            content = load_article_content(archive, article_id)  # the worker thread's part
            reader.show_placeholder()
            app.processEvents()
            began = time.perf_counter()
            reader.show_content(content)
            reader.document().documentLayout().documentSize()  # the whole first layout
            reader.viewport().repaint()
            return time.perf_counter() - began

        for _ in range(2):  # warm caches (fonts, stemmer)
            show_time(plain_id)
            show_time(marked_id)
        plain = [show_time(plain_id) for _ in range(args.runs)]
        marked = [show_time(marked_id) for _ in range(args.runs)]
        out["show_article_without_highlights_ms"] = ms(statistics.median(plain))
        out["show_article_with_highlights_ms"] = ms(statistics.median(marked))
        out["show_article_with_highlights_max_ms"] = ms(max(marked))
        out["painted_highlights"] = len(reader._mark_spans)

        # -- the Highlights view -------------------------------------------------------
        rnd = random.Random(7)
        articles = [(f"a{n:05d}", f"Article number {n} about the {rnd.choice(WORDS)}", "bench.example")
                    for n in range(args.view_marks // 20)]
        rows = []
        for n in range(args.view_marks):
            aid, title, site = articles[n % len(articles)]
            quote = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(4, 25)))
            mark = Highlight(id=f"h{n:06d}", article_id=aid, quote=quote, start=n * 10, end=n * 10 + len(quote),
                             color=HIGHLIGHT_COLORS[n % 4], note=("note " + rnd.choice(WORDS)) if n % 5 == 0 else "",
                             created=f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}T10:00:00.000+00:00")
            rows.append(Row(mark, title, site, "2025-01-01T00:00:00+00:00"))

        def open_view() -> tuple[float, HighlightsWindow]:
            began = time.perf_counter()
            view = HighlightsWindow()
            view.resize(900, 600)
            view.set_rows(rows)
            view.show()
            app.processEvents()
            return time.perf_counter() - began, view

        opened = []
        for _ in range(args.runs):
            seconds, view = open_view()
            opened.append(seconds)
            view.close()
            view.deleteLater()
            app.processEvents()
        out["view_highlights"] = len(rows)
        out["view_open_ms"] = ms(statistics.median(opened))
        out["view_open_max_ms"] = ms(max(opened))
        _s, view = open_view()

        def timed(fn) -> float:
            began = time.perf_counter()
            fn()
            app.processEvents()
            return time.perf_counter() - began

        word = [timed(lambda: (view.filter.setText("heron"), view._apply_filter())) for _ in range(args.runs)]
        out["view_filter_word_ms"] = ms(statistics.median(word))
        out["view_filter_word_shown"] = view.model.shown_count()
        typed = []
        for prefix in ("m", "ma", "mar", "mars", "marsh"):  # keystroke by keystroke
            typed.append(timed(lambda p=prefix: (view.filter.setText(p), view._apply_filter())))
        out["view_filter_per_keystroke_max_ms"] = ms(max(typed))
        color = [timed(lambda: view.color.setCurrentIndex(2)) for _ in range(1)]
        out["view_filter_colour_ms"] = ms(color[0])
        out["view_clear_filter_ms"] = ms(timed(lambda: (view.filter.setText(""), view.color.setCurrentIndex(0),
                                                        view._apply_filter())))
        out["view_group_by_date_ms"] = ms(timed(lambda: view.grouping.setCurrentIndex(1)))

        # reading 10,000 highlights from the catalog (a worker thread's part)
        with archive.catalog.transaction() as db:
            for aid, title, _site in articles:
                db.execute("INSERT INTO articles (id, title, saved) VALUES (?, ?, ?)",
                           (aid, title, "2025-01-01T00:00:00+00:00"))
            for row in rows:
                archive.catalog.put_highlight(row.mark, db)
        from app.gui.highlight_ops import load_rows

        began = time.perf_counter()
        loaded = load_rows(archive)
        out["catalog_rows_read"] = len(loaded)
        out["catalog_read_ms_worker_thread"] = ms(time.perf_counter() - began)
        archive.close()
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
