"""`export --format readwise-csv`: highlights as the CSV Readwise's importer reads.

Columns Highlight, Title, Author, URL, Note, Location, Date; written with the csv
module, so quotes inside a field are escaped by doubling them (Readwise wants "",
not \\"). Location is the highlight's place in the article (its offset in the plain
text), so Readwise keeps them in reading order; Date is when it was made, in UTC
as "YYYY-MM-DD HH:MM:SS". One row per highlight, articles in the order given."""
from __future__ import annotations

import csv
from datetime import datetime, timezone
from pathlib import Path

from archive.interchange.exporters.common import ExportReport, Job, atomic_output

HEADER = ("Highlight", "Title", "Author", "URL", "Note", "Location", "Date")


def _date(iso: str) -> str:
    try:
        when = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return ""
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc)
    return when.strftime("%Y-%m-%d %H:%M:%S")


def export(job: Job, out_path: Path) -> ExportReport:
    report = ExportReport(Path(out_path))
    with atomic_output(out_path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, doublequote=True)
        writer.writerow(HEADER)
        for number, article in enumerate(job.articles):
            job.step(number, article.title)
            if not article.highlights:
                report.skipped.append(f"{article.title}: no highlights")
                continue
            for mark in article.highlights:
                writer.writerow((mark.quote, article.title, ", ".join(article.authors),
                                 article.url or "", mark.note, mark.start, _date(mark.created)))
            report.exported += 1
        job.step(len(job.articles), "done")
    return report
