"""What every exporter needs: an article's body, its local images, safe names, atomic output.

Exports read only the archive's files and catalog (never the network), and
write to a temporary file renamed into place at the end, so a cancelled or
failed export never leaves half a book where the user expects a whole one.
"""
from __future__ import annotations

import base64
import csv
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Sequence
from urllib.parse import unquote, urlsplit

import lxml.html
from lxml import etree

from archive.base.errors import QuireError
from archive.base.models import Article, ProgressFn

if TYPE_CHECKING:
    from archive.library.store import Archive


class ExportCancelled(QuireError):
    """The user cancelled the export; nothing was written."""


@dataclass
class ExportReport:
    path: Path
    exported: int = 0
    skipped: list[str] = field(default_factory=list)  # "Title: why it is not in the export"


@dataclass
class Job:
    """The common arguments of one export run."""

    archive: "Archive"
    articles: list[Article]
    progress: ProgressFn | None = None
    cancel: threading.Event | None = None

    def step(self, done: int, message: str) -> None:
        """Report progress and stop here if the user cancelled."""
        if self.cancel is not None and self.cancel.is_set():
            raise ExportCancelled("export cancelled; nothing was written")
        if self.progress:
            self.progress(done, len(self.articles), message)


def load_articles(archive: "Archive", article_ids: list[str]) -> list[Article]:
    """Articles in the given order; an unknown id is an error naming it."""
    return [archive.get(aid) for aid in dict.fromkeys(article_ids)]


def body_element(archive: "Archive", article_id: str) -> etree._Element:
    """The article's content as a <div> element (article.html is a whole page;
    the body is what is inside its <article>)."""
    page = archive.article_html(article_id)
    wrapper = lxml.html.fragment_fromstring("", create_parent="div")
    if not page.strip():
        return wrapper
    doc = lxml.html.document_fromstring(page)
    container = doc.find(".//article")
    if container is None:
        container = doc.find(".//body")
    if container is None:
        return wrapper
    wrapper.text = container.text
    for child in list(container):
        wrapper.append(child)
    return wrapper


def drop_title_heading(element: etree._Element, title: str) -> None:
    """Remove a leading <h1> that repeats the title: exports print their own header."""
    for child in element:
        if not isinstance(child.tag, str):
            continue
        if child.tag == "h1" and " ".join(child.text_content().split()) == " ".join(title.split()):
            if child.tail and child.tail.strip():
                previous = child.getprevious()
                if previous is not None:
                    previous.tail = (previous.tail or "") + child.tail
                else:
                    element.text = (element.text or "") + child.tail
            element.remove(child)
        return


def local_image(archive: "Archive", article_id: str, src: str | None) -> Path | None:
    """The file an <img src> points at inside the article's folder, or None
    (remote, data:, missing, or trying to climb out of the folder)."""
    if not src or urlsplit(src).scheme or src.startswith(("//", "/")):
        return None
    folder = archive.article_dir(article_id).resolve()
    target = (folder / unquote(src.split("#")[0].split("?")[0])).resolve()
    if not target.is_relative_to(folder) or not target.is_file():
        return None
    return target


_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def image_type(data: bytes) -> str | None:
    """The media type from the bytes themselves (file extensions lie)."""
    for signature, mime in _SIGNATURES:
        if data.startswith(signature):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    head = data[:512].lstrip().lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head):
        return "image/svg+xml"
    if data[4:12] in (b"ftypavif", b"ftypavis"):
        return "image/avif"
    return None


EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif",
              "image/webp": ".webp", "image/svg+xml": ".svg", "image/avif": ".avif"}


def data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def inline_images(archive: "Archive", article_id: str, element: etree._Element) -> None:
    """Replace local <img src> by data: URIs, so one file carries the article whole."""
    for img in element.iter("img"):
        path = local_image(archive, article_id, img.get("src"))
        if path is None:
            continue
        data = path.read_bytes()
        mime = image_type(data)
        if mime:
            img.set("src", data_uri(data, mime))
        img.attrib.pop("srcset", None)


@contextmanager
def atomic_output(out_path: Path) -> Iterator[Path]:
    """Yield a temporary path beside `out_path`; rename it into place only on success.

    A folder in the way, a folder that cannot be created or a file that cannot be
    written (permissions, a full disk) is a QuireError naming the output and the
    reason, never a traceback; nothing is left behind.
    """
    out_path = Path(out_path).expanduser()
    if out_path.is_dir():
        raise QuireError(f"{out_path}: is a folder; name the file to write (a new name, "
                         "or a file inside the folder)")
    if not out_path.name:
        raise QuireError(f"{out_path}: name the file to write")
    tmp = out_path.with_name(f".{out_path.name}.part")
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, out_path)
    except BaseException as exc:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        if isinstance(exc, OSError) and _is_output_error(exc, out_path, tmp):
            raise QuireError(f"{out_path}: cannot write the export "
                             f"({exc.strerror or exc})") from exc
        raise


def _is_output_error(exc: OSError, out_path: Path, tmp: Path) -> bool:
    """Whether an OSError is about writing the export (not about reading the archive)."""
    if exc.filename is None:  # a write or fsync that failed: disk full, I/O error
        return True
    named = {Path(str(exc.filename)), Path(str(exc.filename2 or ""))}
    return bool(named & {out_path, tmp, *out_path.parents})


def display_date(iso: str | None) -> str:
    """'2024-03-01' from an ISO 8601 timestamp (what a header or index shows)."""
    return (iso or "")[:10]


def export_csv(job: Job, out_path: Path, header: Sequence[str],
               rows: Callable[[Article], "list[Sequence[object]] | str"]) -> ExportReport:
    """What every CSV exporter does: the header, then each article's rows, written
    atomically with progress (and a cancel) at each article. `rows(article)` gives the
    article's rows, or a string: why it is skipped ("no URL (saved from a file)")."""
    report = ExportReport(Path(out_path))
    with atomic_output(out_path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)  # quotes inside a field doubled, as Readwise and Pocket want
        writer.writerow(header)
        for number, article in enumerate(job.articles):
            job.step(number, article.title)
            found = rows(article)
            if isinstance(found, str):
                report.skipped.append(f"{article.title}: {found}")
                continue
            writer.writerows(found)
            report.exported += 1
        job.step(len(job.articles), "done")
    return report
