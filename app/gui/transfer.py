"""Import (Ctrl+O) and export (Ctrl+E): the dialogs and the worker functions.

Both call the core's long functions (archive.importers.import_file,
archive.exporters.export) on the work pool, passing the op's progress and
cancel Event, and end with a one-line summary plus the list of problems.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.gui import jobs
from app.gui.add_dialog import AddDialog
from app.gui.ops import Op, OpContext
from archive.base.changes import Changes
from archive.base.errors import QuireError, UnknownFormatError

if TYPE_CHECKING:
    from archive.interchange.exporters.common import ExportReport
    from archive.interchange.importers.driver import ImportReport
    from archive.library.store import Archive

EXPORT_FORMATS = [
    ("EPUB e-book", "epub"),
    ("HTML pages (zip)", "html"),
    ("Markdown for Obsidian (zip)", "markdown"),
    ("Quire JSON (lossless)", "json"),
    ("Bookmarks (Netscape HTML)", "netscape"),
    ("Pocket CSV", "pocket-csv"),
    ("Highlights and notes, Markdown (zip)", "highlights-markdown"),
    ("Highlights for Readwise (CSV)", "readwise-csv"),
]
SCOPES = [
    ("Selected articles", "selected"),
    ("Current results", "results"),
    ("Whole archive", "all"),
]


def import_summary(report: ImportReport) -> str:
    parts = [f"imported {report.added}"]
    if report.updated:
        parts.append(f"{report.updated} waiting articles filled in")
    if getattr(report, "merged", 0):
        parts.append(f"{report.merged} merged into articles already there")
    if report.duplicates:
        parts.append(f"{report.duplicates} already there")
    if getattr(report, "combined", 0):
        parts.append(f"{report.combined} repeated in the file")
    if report.pending:
        parts.append(f"{report.pending} kept to fetch later")
    if report.failed:
        parts.append(f"{len(report.failed)} failed")
    if report.cancelled:
        parts.append(f"cancelled, {report.not_reached} not reached")
    text = ", ".join(parts)
    return text[0].upper() + text[1:]


def import_changes(report: ImportReport) -> Changes:
    """What an import (or a retry of pending articles) changed: articles came or were
    filled in, with their tags and states; which ones, the list finds by searching."""
    touched = bool(report.added or report.pending or report.updated)
    ids = frozenset(report.article_ids)
    return Changes(articles=ids, found=touched, tags=touched, states=touched)


#: The Import dialog's file types: choosing one names the format (the window's
#: --format); the first detects it from the content.
IMPORT_TYPES: list[tuple[str, str]] = [
    ("Detect the format (*.csv *.html *.htm *.json *.zip *.txt *.sqlite Bookmarks)", "auto"),
    ("Pocket export (*.csv *.html *.htm *.zip)", "pocket"),
    ("Instapaper CSV (*.csv)", "instapaper"),
    ("wallabag JSON (*.json)", "wallabag"),
    ("Omnivore export (*.zip)", "omnivore"),
    ("Readwise Reader CSV (*.csv)", "readwise"),
    ("Raindrop.io CSV (*.csv)", "raindrop"),
    ("Pinboard JSON (*.json)", "pinboard"),
    ("Linkwarden JSON (*.json)", "linkwarden"),
    ("Karakeep JSON (*.json)", "karakeep"),
    ("Readeck export (*.zip)", "readeck"),
    ("Browser bookmarks (*.html *.htm)", "netscape"),
    ("Chrome, Edge or Chromium profile bookmarks (Bookmarks)", "chrome"),
    ("Firefox profile bookmarks (places.sqlite)", "firefox"),
    ("Web addresses, one a line (*.txt *.csv *.list)", "urls"),
    ("Quire JSON export (*.json)", "json"),
    ("A zip of saved pages (*.zip)", "folder"),
    ("Any file, format detected (*)", "auto"),
]
CHOOSE_TYPE = ("Choose its format in the Import dialog\u2019s file type list "
               "(File \u2192 Import\u2026).")


def import_format(name_filter: str) -> str:
    """The format an Import dialog file type names ('auto' for the others)."""
    return next((fmt for label, fmt in IMPORT_TYPES if label == name_filter), "auto")


def run_import(archive: Archive, path: str, fetch: bool, ctx: OpContext,
               fmt: str = "auto") -> ImportReport:
    """Import in a child process (archive.child): an import saves hundreds of
    articles on several threads, which would otherwise take turns with the UI
    thread for this process's GIL."""
    # Imports and exports load on first use, not at the window's start: the importers
    # cost 50-120 ms to import, the exporters 90-360 ms (python -X importtime).
    from archive.work.child import run_job
    from archive.interchange.importers import import_file

    return run_job(archive, import_file, progress=ctx.report, cancel=ctx.cancel_event,
                   path=path, fmt=fmt, fetch=fetch)


def run_retry(archive: Archive, ctx: OpContext, ids: list[str] | None = None) -> ImportReport:
    from archive.work.child import run_job  # on first use, as in run_import
    from archive.interchange.importers import retry_pending

    return run_job(archive, retry_pending, size=None if ids is None else len(ids),
                   progress=ctx.report, cancel=ctx.cancel_event, ids=ids)


def run_reindex(archive: Archive, ctx: OpContext) -> int:
    from archive.work.child import reindex_job, run_job  # on first use, as in run_import

    return run_job(archive, reindex_job, progress=ctx.report)


def run_reextract(archive: Archive, ids: list[str], ctx: OpContext) -> tuple[int, list[str], list[str]]:
    """(done, failures, what became of the highlights: a summary line, then those that
    could not be placed)."""
    from archive.work.child import reextract_job, run_job  # on first use, as in run_import

    return run_job(archive, reextract_job, size=len(ids), progress=ctx.report,
                   cancel=ctx.cancel_event, ids=ids, highlights=True)


@dataclass
class ExportRequest:
    fmt: str
    scope: str
    path: str
    selected: list[str] = field(default_factory=list)
    query: str = ""


def run_export(archive: Archive, request: ExportRequest, ctx: OpContext) -> ExportReport:
    from archive.interchange.exporters import export, select_ids  # on first use, as in run_import

    if request.scope == "selected":
        ids = request.selected
    elif request.scope == "results":
        ids = (
            select_ids(archive, query=request.query)
            if request.query.strip()
            else select_ids(archive, all=True)
        )
    else:
        ids = select_ids(archive, all=True)
    return export(
        archive, ids, request.fmt, request.path, progress=ctx.report, cancel=ctx.cancel_event
    )


class ExportDialog(QDialog):
    """Choose what to export, in which format, and where."""

    def __init__(self, selected: list[str], query: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export articles")
        self.setMinimumWidth(480)
        self._selected = selected
        self._query = query
        self.format = QComboBox()
        for label, fmt in EXPORT_FORMATS:
            self.format.addItem(label, fmt)
        self.format.setAccessibleName("Export format")
        self.scope = QComboBox()
        for label, scope in SCOPES:
            if scope == "selected" and not selected:
                continue
            text = f"{label} ({len(selected)})" if scope == "selected" else label
            if scope == "results" and query:
                text = f"{label}: {query}"
            self.scope.addItem(text, scope)
        self.scope.setAccessibleName("Articles to export")
        self.path = QLineEdit(str(Path.home() / "quire-export.epub"))
        self.path.setAccessibleName("Export to file")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        self.format.currentIndexChanged.connect(self._fix_extension)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Format", self.format)
        form.addRow("Articles", self.scope)
        form.addRow("Save to", row)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def _fix_extension(self) -> None:
        from archive.interchange.exporters import EXTENSIONS  # on first use, as in run_import

        text = self.path.text().strip()
        extension = EXTENSIONS.get(self.format.currentData())
        if not text or not extension:
            return  # nothing typed yet: the export names the problem when it runs
        path = Path(text)
        if text.endswith(("/", os.sep)) or path.expanduser().is_dir():
            # a folder: the file goes inside it, not beside it as 'folder.zip'
            self.path.setText(str(path / f"quire-export{extension}"))
        elif path.name not in ("", ".", ".."):
            self.path.setText(str(path.with_suffix(extension)))

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export to", self.path.text())
        if path:
            self.path.setText(path)

    def request(self) -> ExportRequest:
        return ExportRequest(
            fmt=self.format.currentData(),
            scope=self.scope.currentData(),
            path=self.path.text().strip(),
            selected=list(self._selected),
            query=self._query,
        )


class TransferMixin:
    """Saving, import, export and reindex for MainWindow (mixed into it)."""

    def add_dialog(self) -> None:
        dialog = AddDialog(self.tags.tag_names(), self)
        dialog.setObjectName("addDialog")
        dialog.accepted.connect(lambda: self.save_items(dialog.item_list(), dialog.tag_list()))
        dialog.open()

    def save_items(self, items: list[str], tags: list[str] | None = None) -> Op | None:
        """Save URLs or files on the work pool, with progress and Cancel."""
        if not items or self.archive is None:
            return None
        archive = self.archive
        label = "Saving" if len(items) > 1 else f"Saving {items[0][:60]}"
        return self.run_task(
            lambda ctx: jobs.save_items(archive, items, list(tags or []), ctx),
            self._saved,
            label=label,
        )

    def _saved(self, summary: jobs.SaveSummary) -> None:
        self.statusBar().showMessage(summary.message(), 8000)
        self.announce(summary.changes())
        if summary.saved or summary.duplicates:
            first = (summary.saved or summary.duplicates)[0]
            self.open_article(first.id)
        if summary.failed:
            details = "\n".join(f"• {why}" for _item, why in summary.failed)
            box = self.show_error(summary.message(), QuireError(details))
            failed = [item for item, _why in summary.failed]
            retry = box.addButton("Retry", QMessageBox.ButtonRole.ActionRole)
            retry.clicked.connect(lambda: self.save_items(failed, summary.tags))
        self.saved.emit(summary)

    def import_dialog(self) -> None:
        dialog = QFileDialog(self, "Import from Pocket, Instapaper, wallabag, Omnivore, bookmarks…")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilters([label for label, _fmt in IMPORT_TYPES])
        dialog.setObjectName("importDialog")
        dialog.fileSelected.connect(
            lambda path: self.import_path(path, import_format(dialog.selectedNameFilter()))
        )
        dialog.open()

    def import_folder_dialog(self) -> None:
        dialog = QFileDialog(self, "Import a folder of saved pages")
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.fileSelected.connect(self.import_path)
        dialog.open()

    def import_path(self, path: str, fmt: str = "auto") -> Op | None:
        """Import a file or folder (format detected, or `fmt`) with progress and Cancel."""
        archive, fetch = self.archive, self._fetch
        label = f"Importing {Path(path).name}"

        def failed(exc: BaseException) -> None:
            if isinstance(exc, UnknownFormatError):
                exc = UnknownFormatError(f"{exc}. {CHOOSE_TYPE}")
            self.show_error(label, exc)

        def done(report: ImportReport) -> None:
            self._transfer_done(
                import_summary(report),
                report.failed + report.warnings,
                import_changes(report),
            )
            self.imported.emit(report)

        return self.run_op(
            lambda ctx: run_import(archive, path, fetch, ctx, fmt),
            done,
            label=label,
            pool=self.work_pool,
            track=True,
            cancellable=True,
            on_failure=failed,
        )

    def retry_pending(self, ids: list[str] | None = None) -> Op | None:
        """Fetch pending articles again (all, or just `ids`)."""
        archive = self.archive

        def done(report: ImportReport) -> None:
            self._transfer_done(
                import_summary(report).replace("Imported", "Fetched", 1),
                report.failed + report.pending_why,  # why each is still pending
                import_changes(report),
            )
            if self.reader.article_id and (ids is None or self.reader.article_id in ids):
                self.open_article(self.reader.article_id)  # show what was fetched

        return self.run_task(
            lambda ctx: run_retry(archive, ctx, ids),
            done,
            label="Fetching pending articles",
        )

    def export_dialog(self) -> None:
        dialog = ExportDialog(self.search.selected_ids(), self.search.query_text, self)
        dialog.setObjectName("exportDialog")
        dialog.accepted.connect(lambda: self.export(dialog.request()))
        dialog.open()

    def export(self, request: ExportRequest) -> Op | None:
        archive = self.archive

        def done(report: ExportReport) -> None:
            self._transfer_done(
                f"Exported {report.exported} to {report.path}", report.skipped, Changes()
            )
            self.exported.emit(report)

        return self.run_task(
            lambda ctx: run_export(archive, request, ctx),
            done,
            label=f"Exporting to {Path(request.path).name}",
        )

    def _transfer_done(self, summary: str, problems: list[str], changes: Changes) -> None:
        self.statusBar().showMessage(summary, 10000)
        self.announce(changes)
        if problems:
            shown = problems[:30] + (
                [f"… and {len(problems) - 30} more"] if len(problems) > 30 else []
            )
            self.show_error(summary, QuireError("\n".join(f"• {p}" for p in shown)))

    def reindex(self) -> Op | None:
        """Rebuild the index. Not cancellable: a half-built index serves no one."""
        archive = self.archive
        return self.run_task(
            lambda ctx: run_reindex(archive, ctx),
            lambda n: (
                self.statusBar().showMessage(f"Re-indexed {n} articles", 6000),
                self.announce(Changes(found=True)),
            ),
            label="Rebuilding the index",
            cancellable=False,
        )

    def reextract_selected(self) -> Op | None:
        """Run the current extractor again on the selected articles' originals."""
        ids = self.search.selected_ids() or (
            [self.reader.article_id] if self.reader.article_id else []
        )
        if not ids:
            return None
        archive = self.archive

        def done(result: tuple[int, list[str], list[str]]) -> None:
            count, failures, marks = result
            summary = f"Re-extracted {count} of {len(ids)}" + (f"; {marks[0]}" if marks else "")
            lost = [f"highlight {line}" for line in marks[1:]]  # kept, flagged, never dropped
            self._transfer_done(summary, failures + lost, Changes(articles=frozenset(ids), found=True))
            if self.reader.article_id in ids:
                self.open_article(self.reader.article_id)
            self.reextracted.emit(count)

        return self.run_task(
            lambda ctx: run_reextract(archive, ids, ctx),
            done,
            label="Re-extracting",
        )
