"""Netscape bookmark HTML: the one format every browser and bookmark service imports.

States travel as attributes: TOREAD="1"/"0" as Pinboard writes it (unread/read),
and STARRED="1" (favourite) and ARCHIVED="1" (archived), written only when set.
Attributes rather than tags, because services that do not know them ignore them,
where tags would land in the user's tag list there; archive/importers/netscape.py
reads all three back.
"""
from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path

from archive.interchange.exporters.common import ExportReport, Job, atomic_output

HEADER = """<!DOCTYPE NETSCAPE-Bookmark-file-1>
<!-- This is an automatically generated file.
     It will be read and overwritten.
     DO NOT EDIT! -->
<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">
<TITLE>Bookmarks</TITLE>
<H1>Bookmarks</H1>
<DL><p>
"""


def unix_time(iso: str | None) -> int | None:
    if not iso:
        return None
    try:
        return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return None


def export(job: Job, out_path: Path) -> ExportReport:
    report = ExportReport(Path(out_path))
    lines = [HEADER]
    for number, article in enumerate(job.articles):
        job.step(number, article.title)
        if not article.url:
            report.skipped.append(f"{article.title}: no URL (saved from a file)")
            continue
        attrs = [f'HREF="{html.escape(article.url, quote=True)}"']
        added = unix_time(article.saved)
        if added is not None:
            attrs.append(f'ADD_DATE="{added}"')
        if article.tags:
            attrs.append(f'TAGS="{html.escape(",".join(article.tags), quote=True)}"')
        attrs.append(f'TOREAD="{0 if article.is_read else 1}"')
        if article.is_favorite:
            attrs.append('STARRED="1"')
        if article.is_archived:
            attrs.append('ARCHIVED="1"')
        title = html.escape(article.title, quote=False)
        lines.append(f"    <DT><A {' '.join(attrs)}>{title}</A>\n")
        if article.description:
            description = html.escape(" ".join(article.description.split()), quote=False)
            lines.append(f"    <DD>{description}\n")
        report.exported += 1
    lines.append("</DL><p>\n")
    with atomic_output(out_path) as tmp:
        tmp.write_text("".join(lines), encoding="utf-8")
    job.step(len(job.articles), "done")
    return report
