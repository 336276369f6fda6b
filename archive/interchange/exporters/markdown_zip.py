"""A zip of Markdown notes (markdownify) with YAML front matter and the images beside them.

Unzipped, it is an Obsidian vault: `Title.md` next to a `Title/` folder holding
that note's images, linked relatively. Front matter values are written as JSON
scalars and lists, which are valid YAML, so no value can break the block.
"""
from __future__ import annotations

import json
import zipfile
from pathlib import Path
from urllib.parse import quote

import lxml.html
from markdownify import markdownify

from archive.base.models import Article
from archive.base.safe_names import safe_filename, unique_name
from archive.interchange.exporters.common import (
    EXTENSIONS,
    ExportReport,
    Job,
    atomic_output,
    body_element,
    drop_title_heading,
    image_type,
    local_image,
)


def front_matter(article: Article) -> str:
    fields = {
        "title": article.title,
        "url": article.url,
        "site": article.site or None,
        "author": article.authors or None,
        "published": article.published,
        "saved": article.saved,
        "tags": article.tags,
    }
    lines = ["---"]
    for key, value in fields.items():
        lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    lines.append("---")
    return "\n".join(lines) + "\n"


def export(job: Job, out_path: Path) -> ExportReport:
    archive = job.archive
    report = ExportReport(Path(out_path))
    taken: set[str] = set()
    with atomic_output(out_path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for number, article in enumerate(job.articles):
            job.step(number, article.title)
            if article.status != "saved":
                report.skipped.append(f"{article.title}: pending, no content to export")
                continue
            note = unique_name(safe_filename(article.title, ".md", fallback=article.id), taken)
            stem = note[:-3]
            taken.add(stem.lower())  # the image folder must not collide with another note
            element = body_element(archive, article.id)
            drop_title_heading(element, article.title)
            used: set[str] = set()
            for img in element.iter("img"):
                path = local_image(archive, article.id, img.get("src"))
                img.attrib.pop("srcset", None)
                if path is None:
                    continue
                data = path.read_bytes()
                ext = EXTENSIONS.get(image_type(data) or "", path.suffix.lower())
                image_name = unique_name(safe_filename(path.stem, ext, max_bytes=80), used)
                zf.writestr(f"{stem}/{image_name}", data)
                img.set("src", f"{quote(stem)}/{quote(image_name)}")
            content = (element.text or "") + "".join(
                lxml.html.tostring(child, encoding="unicode") for child in element)
            markdown = markdownify(content, heading_style="ATX", bullets="-").strip()
            source = f"\n<{article.url}>\n" if article.url else ""
            zf.writestr(note, f"{front_matter(article)}\n# {article.title}\n{source}\n{markdown}\n")
            report.exported += 1
        job.step(len(job.articles), "done")
    return report
