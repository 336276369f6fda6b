"""Pocket-style CSV (`title,url,time_added,tags,status`, tags joined by `|`): what
wallabag, Omnivore's successors and most read-it-later services accept."""
from __future__ import annotations

import csv
from pathlib import Path

from archive.interchange.exporters.common import ExportReport, Job, atomic_output
from archive.interchange.exporters.netscape import unix_time

COLUMNS = ["title", "url", "time_added", "tags", "status"]


def export(job: Job, out_path: Path) -> ExportReport:
    report = ExportReport(Path(out_path))
    with atomic_output(out_path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for number, article in enumerate(job.articles):
            job.step(number, article.title)
            if not article.url:
                report.skipped.append(f"{article.title}: no URL (saved from a file)")
                continue
            added = unix_time(article.saved)
            writer.writerow([
                article.title,
                article.url,
                "" if added is None else str(added),
                "|".join(t.replace("|", " ") for t in article.tags),
                "archive" if article.is_archived or article.is_read else "unread",
            ])
            report.exported += 1
    job.step(len(job.articles), "done")
    return report
