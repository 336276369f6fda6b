"""Import (Ctrl+O) and export (Ctrl+E): the dialogs and the worker functions.

Both call the core's long functions (archive.importers.import_file,
archive.exporters.export) on the work pool, passing the op's progress and
cancel Event, and end with a one-line summary plus the list of problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.ops import OpContext

EXPORT_FORMATS = [
    ("EPUB e-book", "epub"),
    ("HTML pages (zip)", "html"),
    ("Markdown for Obsidian (zip)", "markdown"),
    ("Quire JSON (lossless)", "json"),
    ("Bookmarks (Netscape HTML)", "netscape"),
    ("Pocket CSV", "pocket-csv"),
]
SCOPES = [
    ("Selected articles", "selected"),
    ("Current results", "results"),
    ("Whole archive", "all"),
]


def import_summary(report: Any) -> str:
    parts = [f"imported {report.added}"]
    if report.duplicates:
        parts.append(f"{report.duplicates} already there")
    if report.pending:
        parts.append(f"{report.pending} kept to fetch later")
    if report.failed:
        parts.append(f"{len(report.failed)} failed")
    if report.cancelled:
        parts.append(f"cancelled, {report.not_reached} not reached")
    text = ", ".join(parts)
    return text[0].upper() + text[1:]


def run_import(archive: Any, path: str, fetch: bool, ctx: OpContext) -> Any:
    from archive.importers import import_file

    return import_file(
        archive, path, "auto", fetch=fetch, progress=ctx.report, cancel=ctx.cancel_event
    )


def run_retry(archive: Any, ctx: OpContext, ids: list[str] | None = None) -> Any:
    from archive.importers import retry_pending

    return retry_pending(archive, progress=ctx.report, cancel=ctx.cancel_event, ids=ids)


@dataclass
class ExportRequest:
    fmt: str
    scope: str
    path: str
    selected: list[str] = field(default_factory=list)
    query: str = ""


def run_export(archive: Any, request: ExportRequest, ctx: OpContext) -> Any:
    from archive.exporters import export, select_ids

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
        from archive.exporters import EXTENSIONS

        path = Path(self.path.text())
        self.path.setText(
            str(path.with_suffix(EXTENSIONS.get(self.format.currentData(), path.suffix)))
        )

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
