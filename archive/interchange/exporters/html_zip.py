"""A zip of plain HTML: index.html plus one self-contained page per article.

Each page carries its images as data: URIs and its style inline, so any page
can be opened alone, offline, in any browser, years from now.
"""
from __future__ import annotations

import html
import zipfile
from pathlib import Path
from urllib.parse import quote

import lxml.html

from archive.extraction.language import is_right_to_left
from archive.base.safe_names import safe_filename, unique_name
from archive.interchange.exporters.common import (
    ExportReport,
    Job,
    atomic_output,
    body_element,
    display_date,
    drop_title_heading,
    inline_images,
)
from archive.interchange.exporters.marks import MARK_STYLE, mark_highlights, note_list_html

STYLE = """
body { max-width: 42em; margin: 2em auto; padding: 0 1em; font: 18px/1.6 Georgia, serif;
       color: #222; background: #fdfdfb; }
header.meta { color: #666; font-size: 0.9em; border-bottom: 1px solid #ddd; margin-bottom: 1.5em; }
img { max-width: 100%; height: auto; }
pre, code { font-family: Menlo, Consolas, monospace; font-size: 0.85em; }
pre { overflow-x: auto; background: #f3f3f0; padding: 0.8em; }
blockquote { border-left: 3px solid #ccc; margin-left: 0; padding-left: 1em; color: #444; }
table.index { border-collapse: collapse; width: 100%; }
table.index td, table.index th { text-align: left; padding: 0.3em 0.5em;
                                 border-bottom: 1px solid #eee; }
.tags { color: #885; }
h1, h2, h3, h4, h5, h6 { color: #111; line-height: 1.25; }
table.index .saved { white-space: nowrap; width: 1%; }
mark { padding: 0 0.1em; }
.highlight-notes { border-top: 1px solid #ddd; margin-top: 2em; font-size: 0.9em; }
""" + MARK_STYLE


def _page(title: str, body: str, lang: str | None = None) -> str:
    lang_attr = f' lang="{html.escape(lang)}"' if lang else ""
    if is_right_to_left(lang):
        lang_attr += ' dir="rtl"'  # Arabic, Hebrew, Persian... read right to left
    return (f"<!DOCTYPE html>\n<html{lang_attr}>\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n"
            f"<body>\n{body}\n</body>\n</html>\n")


def _meta_line(article) -> str:
    parts = []
    if article.url:
        site = article.site or article.url
        parts.append(f'<a href="{html.escape(article.url)}">{html.escape(site)}</a>')
    elif article.site:
        parts.append(html.escape(article.site))
    if article.authors:
        parts.append(html.escape(", ".join(article.authors)))
    if article.published:
        parts.append(f"published {display_date(article.published)}")
    parts.append(f"saved {display_date(article.saved)}")
    line = " · ".join(parts)
    if article.tags:
        line += f' · <span class="tags">{html.escape(", ".join(article.tags))}</span>'
    return line


def export(job: Job, out_path: Path) -> ExportReport:
    archive = job.archive
    report = ExportReport(Path(out_path))
    taken: set[str] = {"index.html"}
    rows: list[str] = []
    with atomic_output(out_path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for number, article in enumerate(job.articles):
            job.step(number, article.title)
            meta = _meta_line(article)
            if article.status != "saved":
                link = (f'<a href="{html.escape(article.url)}">{html.escape(article.title)}</a>'
                        if article.url else html.escape(article.title))
                rows.append(f"<tr><td>{link} <em>(not saved yet: "
                            f"{html.escape(article.error or 'pending')})</em></td>"
                            f"<td>{display_date(article.saved)}</td></tr>")
                report.skipped.append(f"{article.title}: pending, no content to export")
                continue
            name = unique_name(safe_filename(article.title, ".html", fallback=article.id), taken)
            element = body_element(archive, article.id)
            drop_title_heading(element, article.title)
            marked = mark_highlights(element, archive.highlights.text(article.id), article.highlights,
                                     refs=True)
            inline_images(archive, article.id, element)
            content = (html.escape(element.text or "", quote=False) + "".join(
                lxml.html.tostring(child, encoding="unicode") for child in element))
            page = _page(article.title, (
                f'<p><a href="../index.html">← All articles</a></p>\n'
                f"<header class=\"meta\"><h1>{html.escape(article.title)}</h1>\n"
                f"<p>{meta}</p></header>\n"
                f"<article>\n{content}\n</article>{note_list_html(marked)}"), article.lang)
            zf.writestr(f"articles/{name}", page)
            rows.append(f'<tr><td><a href="articles/{quote(name)}">{html.escape(article.title)}</a>'
                        f"<br><small>{meta}</small></td>"
                        f'<td class="saved">{display_date(article.saved)}</td></tr>')
            report.exported += 1
        index = _page("Quire export", (
            f"<h1>Quire export</h1>\n<p>{report.exported} articles.</p>\n"
            "<table class=\"index\">\n<tr><th>Article</th><th class=\"saved\">Saved</th></tr>\n"
            + "\n".join(rows) + "\n</table>"))
        zf.writestr("index.html", index)
        job.step(len(job.articles), "done")
    return report
