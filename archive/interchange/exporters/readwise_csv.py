"""`export --format readwise-csv`: highlights as the CSV Readwise's importer reads.

Columns Highlight, Title, Author, URL, Note, Location, Date; written with the csv
module, so quotes inside a field are escaped by doubling them (Readwise wants "",
not \\"). Location is the highlight's place in the article (its offset in the plain
text), so Readwise keeps them in reading order; Date is when it was made, in UTC
as "YYYY-MM-DD HH:MM:SS". One row per highlight, articles in the order given."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from archive.base.models import Article
from archive.interchange.exporters.common import ExportReport, Job, export_csv

HEADER = ("Highlight", "Title", "Author", "URL", "Note", "Location", "Date")


def _date(iso: str) -> str:
    try:
        when = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return ""
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc)
    return when.strftime("%Y-%m-%d %H:%M:%S")


def _rows(article: Article) -> list[tuple] | str:
    if not article.highlights:
        return "no highlights"
    return [(mark.quote, article.title, ", ".join(article.authors),
             article.url or "", mark.note, mark.start, _date(mark.created))
            for mark in article.highlights]


def export(job: Job, out_path: Path) -> ExportReport:
    return export_csv(job, out_path, HEADER, _rows)
