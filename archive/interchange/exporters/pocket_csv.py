"""Pocket-style CSV (`title,url,time_added,tags,status`, tags joined by `|`): what
wallabag, Omnivore's successors and most read-it-later services accept."""
from __future__ import annotations

from pathlib import Path

from archive.base.models import Article
from archive.interchange.exporters.common import ExportReport, Job, export_csv
from archive.interchange.exporters.netscape import unix_time

COLUMNS = ["title", "url", "time_added", "tags", "status"]


def _rows(article: Article) -> list[list[str]] | str:
    if not article.url:
        return "no URL (saved from a file)"
    added = unix_time(article.saved)
    return [[
        article.title,
        article.url,
        "" if added is None else str(added),
        "|".join(t.replace("|", " ") for t in article.tags),
        "archive" if article.is_archived or article.is_read else "unread",
    ]]


def export(job: Job, out_path: Path) -> ExportReport:
    return export_csv(job, out_path, COLUMNS, _rows)
