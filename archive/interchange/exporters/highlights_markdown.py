"""`export --format highlights-markdown`: a zip with one Markdown note per article that
has highlights, holding only them and their notes (what Obsidian and Logseq users
keep): front matter (title, url, site, author, saved, tags, counts), the title, the
link, and the `## Highlights` section the full Markdown export ends with."""
from __future__ import annotations

import zipfile
from pathlib import Path

from archive.base.safe_names import safe_filename, unique_name
from archive.interchange.exporters.common import ExportReport, Job, atomic_output
from archive.interchange.exporters.markdown_zip import front_matter, highlights_section


def export(job: Job, out_path: Path) -> ExportReport:
    report = ExportReport(Path(out_path))
    taken: set[str] = set()
    with atomic_output(out_path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for number, article in enumerate(job.articles):
            job.step(number, article.title)
            if not article.highlights:
                report.skipped.append(f"{article.title}: no highlights")
                continue
            name = unique_name(safe_filename(article.title, ".md", fallback=article.id), taken)
            taken.add(name[:-3].lower())
            source = f"\n<{article.url}>\n" if article.url else ""
            zf.writestr(name, f"{front_matter(article)}\n# {article.title}\n{source}\n"
                              f"{highlights_section(article)}")
            report.exported += 1
        job.step(len(job.articles), "done")
    return report
