"""Tag and state changes on articles: the open one, a multi-selection, or a
tag across the archive (rename, merge, delete). Each runs as an Op and then
announces what it changed (MainWindow.changed): the panes refresh from that."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QUrl
from PySide6.QtWidgets import QInputDialog, QMenu, QMessageBox

from app.gui import jobs
from app.gui.ops import Op
from app.gui.plaintext import as_plain
from app.gui.tag_pane import tag_query
from archive.base.changes import Changes
from archive.base.errors import QuireError
from PySide6.QtGui import QDesktopServices


class LibraryOpsMixin:
    """Mixed into MainWindow."""

    def tag_open_article(self, add: list[str] = (), remove: list[str] = ()) -> None:  # type: ignore[assignment]
        article_id = self.reader.article_id
        if article_id is None:
            return
        archive = self.archive

        self.run_op(
            lambda _ctx: archive.tag(article_id, add=list(add), remove=list(remove)),
            lambda article: self.announce(Changes.of_articles([article], tags=True)),
            label="Tagging",
        )

    def set_selected_state(self, **state: bool) -> None:
        ids = [t[0] for t in self._targets()]
        self._bulk(ids, "Updating", **state)

    def _targets(self) -> list[tuple[str, bool, bool]]:
        """(id, is_favorite, is_archived) of the selected rows, else the open article."""
        rows = [
            self.search.model.row_at(i.row())
            for i in self.search.view.selectionModel().selectedRows()
        ]
        if len(rows) > 1:
            return [(r.id, r.is_favorite, r.is_archived) for r in rows]
        content = self.reader.content
        if content is not None:
            return [(content.article.id, content.article.is_favorite, content.article.is_archived)]
        return [(r.id, r.is_favorite, r.is_archived) for r in rows]

    def toggle_favorite(self) -> None:
        targets = self._targets()
        if targets:
            on = not all(fav for _id, fav, _arch in targets)
            self._bulk([t[0] for t in targets], "Favourite", is_favorite=on)

    def toggle_archived(self) -> None:
        targets = self._targets()
        if targets:
            on = not all(arch for _id, _fav, arch in targets)
            self._bulk([t[0] for t in targets], "Archive", is_archived=on)

    def tag_selected_dialog(self, remove: bool = False) -> None:
        """Add (or remove) tags on every selected article."""
        ids = self.search.selected_ids()
        if not ids:
            return
        dialog = QInputDialog(self)
        dialog.setObjectName("bulkTagDialog")
        dialog.setWindowTitle("Remove tags" if remove else "Add tags")
        dialog.setLabelText(
            f"{'Remove' if remove else 'Add'} tags (comma-separated) "
            f"{'from' if remove else 'to'} {len(ids)} article{'s' if len(ids) != 1 else ''}:"
        )
        if remove:
            present = sorted(
                {
                    t
                    for r in range(self.search.model.rowCount())
                    for t in self.search.model.row_at(r).tags
                    if self.search.model.row_at(r).id in ids
                },
                key=str.casefold,
            )
            dialog.setComboBoxItems(present)
            dialog.setComboBoxEditable(True)

        def accepted() -> None:
            names = [n.strip() for n in dialog.textValue().split(",") if n.strip()]
            if names:
                self._bulk(ids, "Tagging", **({"remove": names} if remove else {"add": names}))

        dialog.accepted.connect(accepted)
        dialog.open()

    def rename_tag(self, old: str, new: str) -> Op | None:
        """Rename (or merge, or with new='' delete) a tag on every article."""
        archive = self.archive

        def done(change: jobs.TagChange) -> None:
            self.announce(change.changes())
            what = "Deleted" if not new else "Renamed"
            self.statusBar().showMessage(
                f"{what} tag {old} on {len(change.articles)} articles", 6000
            )
            query = self.search.query_text
            if any(tag_query(name) in query for name in change.renamed):
                self.search.set_query(tag_query(new) if new else "")

        label = f"Deleting tag {old}" if not new else f"Renaming tag {old}"
        return self.run_task(
            lambda ctx: jobs.rename_tag(archive, old, new, ctx),
            done,
            label=label,
            cancellable=False,
        )

    def confirm_delete_tag(self, name: str, count: int) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Delete tag",
            as_plain(f"Remove the tag “{name}” from {count} article{'s' if count != 1 else ''}? "
                     "The articles stay in the archive."),
            QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("confirmDeleteTag")
        remove = box.addButton("Remove tag", QMessageBox.ButtonRole.DestructiveRole)
        box.finished.connect(lambda _r: box.clickedButton() is remove and self.rename_tag(name, ""))
        box.open()

    def results_menu(self, pos: QPoint) -> None:
        if not self.search.selected_ids():
            return
        menu = QMenu(self)
        menu.addAction("Mark read", lambda: self.set_selected_state(is_read=True))
        menu.addAction("Mark unread", lambda: self.set_selected_state(is_read=False))
        menu.addSeparator()
        menu.addAction("Favourite", lambda: self.set_selected_state(is_favorite=True))
        menu.addAction("Unfavourite", lambda: self.set_selected_state(is_favorite=False))
        menu.addAction("Archive", lambda: self.set_selected_state(is_archived=True))
        menu.addAction("Unarchive", lambda: self.set_selected_state(is_archived=False))
        menu.addSeparator()
        menu.addAction("Add tags…", self.tag_selected_dialog)
        menu.addAction("Remove tags…", lambda: self.tag_selected_dialog(remove=True))
        menu.addSeparator()
        menu.addAction("Delete…", self.delete_selected)
        menu.popup(self.search.view.viewport().mapToGlobal(pos))

    def _bulk(self, ids: list[str], label: str, **kwargs: bool | list[str]) -> Op | None:
        if not ids:
            return None
        archive = self.archive

        def done(result: jobs.BulkResult) -> None:
            self.announce(result.changes())
            if result.failed:
                self.show_error(
                    label, QuireError("\n".join(f"{i}: {why}" for i, why in result.failed))
                )

        pool = self.work_pool if len(ids) > 1 else self.read_pool
        return self.run_op(
            lambda ctx: jobs.bulk(archive, ids, ctx, **kwargs),
            done,
            label=label,
            pool=pool,
            track=len(ids) > 1,
        )

    def delete_selected(self) -> None:
        ids = self.search.selected_ids()
        if not ids:
            return
        what = "this article" if len(ids) == 1 else f"these {len(ids)} articles"
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Delete articles",
            f"Delete {what} from the archive? Its saved text and images are removed.",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        delete_btn = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setObjectName("confirmDelete")
        box.finished.connect(
            lambda _r: box.clickedButton() is delete_btn and self.delete_with_undo(ids)
        )
        box.open()

    def delete_with_undo(self, ids: list[str]) -> None:
        """Hide the articles at once and delete them a few seconds later.

        Until then the status bar offers Undo. The archive's delete is final,
        so the undo window lives here: nothing is removed on disk before it
        closes (or the window does), and a crash in between loses nothing."""
        self.commit_pending_delete()  # an earlier deletion can no longer be undone
        self._pending_delete = list(ids)
        self.search.hidden_ids.update(ids)
        self.search.model.remove_ids(set(ids))
        if self.reader.article_id in ids:
            self.reader.show_placeholder("The article was deleted.")
            self.tags.set_article_tags(None)
            self._update_article_actions()
        n = len(ids)
        self.undo_label.setText(f"Deleted {n} article{'s' if n != 1 else ''}.")
        self.undo_box.show()
        self._delete_timer.start()

    def undo_delete(self) -> None:
        ids = getattr(self, "_pending_delete", [])
        self._pending_delete = []
        self._delete_timer.stop()
        self.undo_box.hide()
        if ids:
            self.search.hidden_ids.difference_update(ids)
            self.search.refresh()
            self.statusBar().showMessage("Deletion undone", 4000)

    def commit_pending_delete(self) -> Op | None:
        ids = getattr(self, "_pending_delete", [])
        self._pending_delete = []
        self._delete_timer.stop()
        self.undo_box.hide()
        if not ids:
            return None
        return self._bulk(ids, "Deleting", delete=True)

    def open_original(self) -> None:
        content = self.reader.content
        if (
            content
            and content.article.url
            and content.article.url.startswith(("http://", "https://"))
        ):
            QDesktopServices.openUrl(QUrl(content.article.url))

    def refresh_library(self) -> None:
        """Refresh state counts and the tag tree (after anything changed them)."""
        archive = self.archive

        def done(counts: jobs.LibraryCounts) -> None:
            self.tags.set_state_counts(counts.states)
            self.tags.set_collections(counts.collections)
            self.tags.set_tags(counts.tags)
            self.library_refreshed.emit()

        self.run_op(lambda _ctx: jobs.library_counts(archive), done, label="Counting")
