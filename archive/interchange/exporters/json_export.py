"""Quire's lossless JSON: every catalog field, state, tag, collection and the content.

Images travel inside the HTML as data: URIs, so the one file is the whole
archive; archive/importers/quire_json.py reads it back. Articles are written
one at a time so a large archive never sits in memory as one JSON tree.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import lxml.html

from archive.library import collections as collections_mod
from archive.interchange.exporters.common import ExportReport, Job, atomic_output, body_element, inline_images

FORMAT_NAME = "quire-export"
VERSION = 1


def export(job: Job, out_path: Path) -> ExportReport:
    archive = job.archive
    report = ExportReport(Path(out_path))
    definitions = collections_mod.list_collections(archive)
    header = {
        "format": FORMAT_NAME,
        "version": VERSION,
        "exported": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "generator": "Quire",
        "collections": [{"name": c.name, "query": c.query} for c in definitions],
    }
    with atomic_output(out_path) as tmp, open(tmp, "w", encoding="utf-8") as out:
        # The header object, left open for the articles array that follows.
        out.write(json.dumps(header, ensure_ascii=False)[:-1] + ',\n "articles": [\n')
        for number, article in enumerate(job.articles):
            job.step(number, article.title)
            record = article.to_dict()
            record["collections"] = [
                name for name in collections_mod.collections_of(archive, article.id)]
            if article.status == "saved":
                element = body_element(archive, article.id)
                inline_images(archive, article.id, element)
                record["html"] = (element.text or "") + "".join(
                    lxml.html.tostring(child, encoding="unicode") for child in element)
                record["text"] = archive.article_text(article.id)
            else:
                record["html"], record["text"] = None, ""
            separator = "  " if number == 0 else ", "
            out.write(separator + json.dumps(record, ensure_ascii=False) + "\n")
            report.exported += 1
        out.write(" ]\n}\n")
        job.step(len(job.articles), "done")
    return report
