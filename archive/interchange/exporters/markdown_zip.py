"""A zip of Markdown notes (markdownify) with YAML front matter and the images beside them;
or, to a .md path, one article as that note (its pictures in a folder of the same name
beside it). Several articles to a .md path are refused: a .zip holds them.

Unzipped, it is an Obsidian vault: `Title.md` next to a `Title/` folder holding
that note's images, linked relatively. Front matter values are written as JSON
scalars and lists, which are valid YAML, so no value can break the block.

An article with highlights ends with a `## Highlights` section (highlights_section):
each quote as a blockquote, its note under it, its colour as a tag
(#highlight/yellow); the front matter counts them (highlights:, notes:).
"""
from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from urllib.parse import quote

import lxml.html
from markdownify import markdownify

from archive.base.errors import QuireError
from archive.extraction.language import is_right_to_left
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


def highlights_section(article: Article, heading: str = "## Highlights") -> str:
    """The article's highlights as Markdown (empty when it has none), in text order;
    one that could not be placed in the current text says so."""
    if not article.highlights:
        return ""
    out = [heading, ""]
    for mark in article.highlights:
        for line in mark.quote.splitlines() or [""]:
            out.append(f"> {_md_text(line)}".rstrip())
        out.append("")
        if mark.note:
            out.extend(mark.note.splitlines())
            out.append("")
        tag = f"#highlight/{mark.color}"
        if mark.unplaced:
            tag += " (could not be placed in the current text)"
        out.extend([tag, ""])
    return "\n".join(out)


def _md_text(line: str) -> str:
    """A line of quoted text that Markdown shows as written (no heading, list or HTML)."""
    line = line.replace("\\", "\\\\").replace("<", "&lt;")
    return re.sub(r"^([#>*+-]|\d+\.)", r"\\\1", line)


def front_matter(article: Article, extra: dict | None = None) -> str:
    fields = {
        "title": article.title,
        "url": article.url,
        "site": article.site or None,
        "author": article.authors or None,
        "published": article.published,
        "saved": article.saved,
        "tags": article.tags,
        "lang": article.lang or None,
    }
    if is_right_to_left(article.lang):
        fields["dir"] = "rtl"
    if article.highlights:
        fields["highlights"] = len(article.highlights)
        fields["notes"] = sum(1 for m in article.highlights if m.note)
    fields.update(extra or {})
    lines = ["---"]
    for key, value in fields.items():
        lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    lines.append("---")
    return "\n".join(lines) + "\n"


def note_of(archive, article: Article, stem: str) -> tuple[str, list[tuple[str, bytes]]]:
    """One article as a Markdown note whose pictures live in the folder `stem`
    beside it: (the note's text, [(picture name, bytes)])."""
    element = body_element(archive, article.id)
    drop_title_heading(element, article.title)
    used: set[str] = set()
    pictures: list[tuple[str, bytes]] = []
    for img in element.iter("img"):
        path = local_image(archive, article.id, img.get("src"))
        img.attrib.pop("srcset", None)
        if path is None:
            continue
        data = path.read_bytes()
        ext = EXTENSIONS.get(image_type(data) or "", path.suffix.lower())
        image_name = unique_name(safe_filename(path.stem, ext, max_bytes=80), used)
        pictures.append((image_name, data))
        img.set("src", f"{quote(stem)}/{quote(image_name)}")
    content = (element.text or "") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in element)
    markdown = markdownify(content, heading_style="ATX", bullets="-").strip()
    if is_right_to_left(article.lang):
        # an HTML block around Markdown (blank lines inside: CommonMark, Obsidian
        # and pandoc still read the Markdown) so the note reads right to left
        markdown = f'<div dir="rtl">\n\n{markdown}\n\n</div>'
    source = f"\n<{article.url}>\n" if article.url else ""
    marks = highlights_section(article)
    text = (f"{front_matter(article)}\n# {article.title}\n{source}\n{markdown}\n"
            + (f"\n{marks}" if marks else ""))
    return text, pictures


def export(job: Job, out_path: Path) -> ExportReport:
    """A .md path: one article as that note, its pictures in the folder of the same
    name beside it; otherwise a zip of notes (see the module docstring)."""
    if Path(out_path).suffix.lower() == ".md":
        return export_note(job, Path(out_path))
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
            text, pictures = note_of(archive, article, stem)
            for image_name, data in pictures:
                zf.writestr(f"{stem}/{image_name}", data)
            zf.writestr(note, text)
            report.exported += 1
        job.step(len(job.articles), "done")
    return report


def export_note(job: Job, out_path: Path) -> ExportReport:
    """One article to `out_path` (…/notes.md), its pictures in …/notes/ beside it,
    as the zip lays each note out. More than one article does not fit in one note:
    a QuireError says to name a .zip (never a zip given a .md name)."""
    report = ExportReport(out_path)
    saved = [a for a in job.articles if a.status == "saved"]
    if len(saved) != 1:
        raise QuireError(
            f"{out_path.name}: a Markdown file holds one article, and "
            + (f"{len(saved)} are" if saved else "none is") + " to be exported"
            + (f"; name a .zip instead ({out_path.with_suffix('.zip').name}): a note per "
               "article, its pictures beside it" if saved else ""))
    for number, article in enumerate(job.articles):
        job.step(number, article.title)
        if article.status != "saved":
            report.skipped.append(f"{article.title}: pending, no content to export")
    article = saved[0]
    folder = out_path.with_suffix("")
    text, pictures = note_of(job.archive, article, folder.name)
    written: list[Path] = []
    try:
        if pictures:
            folder.mkdir(parents=True, exist_ok=True)
        for image_name, data in pictures:  # the pictures first: the note links them
            target = folder / image_name
            with atomic_output(target) as tmp:
                tmp.write_bytes(data)
            written.append(target)
        with atomic_output(out_path) as tmp:
            tmp.write_text(text, encoding="utf-8")
    except BaseException:
        for path in written:  # no half export left behind
            path.unlink(missing_ok=True)
        raise
    report.exported = 1
    job.step(len(job.articles), "done")
    return report
