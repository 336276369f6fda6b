"""The tag pane: library states, then every tag with its count as a tree,
then the open article's own tags with add and remove.

Clicking an entry asks the search pane for its query (`is:unread`,
`tag:topic/sub`…), so filtering is just searching and the query box always
says what the list shows. The pane never calls the archive itself: the main
window fills it from worker results.
"""

from __future__ import annotations

import unicodedata

from PySide6.QtCore import QEvent, QModelIndex, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QColorDialog,
    QCompleter,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QPushButton,
    QTreeView,
    QWidget,
)

from app.gui.layouts import pane_column, side_by_side
from app.gui.plaintext import as_plain
from archive.base.changes import Changes

QueryRole = Qt.ItemDataRole.UserRole + 1
CountRole = Qt.ItemDataRole.UserRole + 2
TagRole = Qt.ItemDataRole.UserRole + 3
RefineRole = Qt.ItemDataRole.UserRole + 4  # a facet's filter, added to the current query

#: (label, query) of the library states, in display order.
STATES: list[tuple[str, str]] = [
    ("All articles", ""),
    ("Unread", "is:unread"),
    ("Favourites", "is:favorite"),
    ("Archived", "is:archived"),
    ("Pending", "is:pending"),
]


def quote_value(value: str) -> str:
    """archive.search.query.quote_value, imported when first used: the query parser it
    comes with is not needed to draw the window."""
    from archive.search.query import quote_value as quote

    return quote(value)


def counted(name: str, count: int, prefix: str = "") -> str:
    """'name  (count)' for the tree. A right-to-left name (Arabic, Hebrew) is
    a bidi isolate, so it keeps its count after it instead of pulling the
    count to its left."""
    if any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in name):
        name = f"\u2068{name}\u2069"
    return f"{prefix}{name}  ({count})"


def tag_query(name: str) -> str:
    """The search query that lists one tag's articles, and those of the tags
    under it (`tag:topic` finds topic/sub too). Names with spaces, quotes or
    other punctuation are quoted so they read back exactly."""
    return f"tag:{quote_value(name)}"


def build_tag_tree(tags: list[tuple[str, int]]) -> list[tuple[str, str, int, list]]:
    """Nest 'topic/sub' names: [(label, full name, count, children)], by name.

    A node counts what clicking it finds: its own articles and those of every
    tag under it, as `tag:topic` does. Names that differ only in case are one
    node, as the search does not tell them apart. (The pane has counts per tag,
    not the articles: one article with two tags under a parent adds to the
    parent twice.)"""
    root: dict[str, dict] = {}
    for name, count in tags:
        node = root
        parts = [p for p in name.split("/") if p] or [name]
        for depth, part in enumerate(parts):
            entry = node.setdefault(part.casefold(), {
                "label": part, "full": "/".join(parts[: depth + 1]), "count": 0, "children": {}})
            entry["count"] += count
            node = entry["children"]

    def convert(level: dict[str, dict]) -> list[tuple[str, str, int, list]]:
        return [(e["label"], e["full"], e["count"], convert(e["children"]))
                for e in sorted(level.values(), key=lambda e: e["label"].casefold())]

    return convert(root)


class TagPane(QWidget):
    """States and tags to filter by, and the open article's tags."""

    query_requested = Signal(str)
    add_tag_requested = Signal(str)
    remove_tag_requested = Signal(str)
    refine_requested = Signal(str)  # a facet: add this filter to the current query
    rename_requested = Signal(str, str)  # old, new (a merge when new exists)
    delete_requested = Signal(str, int)  # tag, number of articles
    colors_changed = Signal(dict)  # tag name (lower case) -> "#rrggbb"
    counts_wanted = Signal()  # the counts shown are stale: the window reads them again

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.colors: dict[str, str] = {}  # tag (lower case) -> "#rrggbb"; kept by the window
        self.model = QStandardItemModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setIndentation(14)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setAccessibleName("Library states and tags")
        self.tree.setObjectName("tagTree")
        self.tree.clicked.connect(self._activated)
        self.tree.activated.connect(self._activated)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._tag_menu)
        # Drag one tag onto another to merge them.
        self.tree.setDragEnabled(True)
        self.tree.setAcceptDrops(True)
        self.tree.setDropIndicatorShown(True)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.tree.viewport().installEventFilter(self)
        self._state_items: dict[str, QStandardItem] = {}
        self._collections_root = QStandardItem("Collections")
        self._facets_root = QStandardItem("In these results")
        self._tags_root = QStandardItem("Tags")
        self._tag_names: list[str] = []
        self._first_fill = True
        self._build_static()
        self._counts_timer = QTimer(self, singleShot=True, interval=0)
        self._counts_timer.timeout.connect(self.counts_wanted)

        self.article_label = QLabel("Tags on this article")
        self.article_label.setObjectName("paneHeading")
        self.article_tags = QStringListModel(self)
        self.article_list = QListView()
        self.article_list.setModel(self.article_tags)
        self.article_list.setFlow(QListView.Flow.LeftToRight)
        self.article_list.setWrapping(True)
        self.article_list.setSpacing(3)
        self.article_list.setMaximumHeight(60)
        self.article_list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.article_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.article_list.setAccessibleName("Tags on the open article")
        self.article_list.setObjectName("articleTags")
        self.tag_input = QLineEdit()
        self.tag_input.setPlaceholderText("Add a tag…")
        self.tag_input.setAccessibleName("Add a tag to the open article")
        self.tag_input.setClearButtonEnabled(True)
        self.completer_model = QStringListModel(self)
        completer = QCompleter(self.completer_model, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.tag_input.setCompleter(completer)
        self.tag_input.returnPressed.connect(self._add_from_input)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Remove the selected tags from the open article")
        self.remove_button.setAccessibleName("Remove selected tags")
        self.remove_button.clicked.connect(self._remove_selected)

        layout = pane_column(self)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.article_label)
        layout.addWidget(self.article_list)
        layout.addLayout(side_by_side(self.tag_input, self.remove_button))
        self.set_article_tags(None)

    def _build_static(self) -> None:
        library = QStandardItem("Library")
        library.setSelectable(False)
        for label, query in STATES:
            item = QStandardItem(label)
            item.setData(query, QueryRole)
            item.setData(label, Qt.ItemDataRole.AccessibleTextRole)
            library.appendRow(item)
            self._state_items[label] = item
        for heading in (library, self._collections_root, self._facets_root, self._tags_root):
            heading.setSelectable(False)
            heading.setDragEnabled(False)
            heading.setDropEnabled(False)
            font = heading.font()
            font.setBold(True)
            heading.setFont(font)
        for item in self._state_items.values():
            item.setDragEnabled(False)
            item.setDropEnabled(False)
        self.model.appendRow(library)
        self.model.appendRow(self._tags_root)
        self.tree.expandAll()

    def set_collections(self, collections: list[tuple[str, int]]) -> None:
        """Show the collections section only when there are collections."""
        root = self._collections_root
        root.removeRows(0, root.rowCount())
        for name, count in collections:
            item = QStandardItem(counted(name, count))
            query = f"collection:{quote_value(name)}"
            item.setData(query, QueryRole)
            item.setData(count, CountRole)
            item.setData(f"collection {name}, {count} articles", Qt.ItemDataRole.AccessibleTextRole)
            item.setDragEnabled(False)
            item.setDropEnabled(False)
            root.appendRow(item)
        present = root.index().isValid()
        if collections and not present:
            self.model.insertRow(1, root)
            self.tree.expand(root.index())
        elif not collections and present:
            self.model.takeRow(root.row())

    # -- filling (main thread, from worker results) ------------------------
    def apply_changes(self, changes: Changes) -> None:
        """Ask for fresh counts when a change touches states, tags, collections or
        which articles exist (several changes at once: one read)."""
        if changes.counts:
            self._counts_timer.start()

    def set_facets(self, facets: dict[str, list[tuple[str, int]]]) -> None:
        """Tag and site counts over the current results; shown only for a query."""
        root = self._facets_root
        root.removeRows(0, root.rowCount())
        for kind, field_name in (("tag", "tag"), ("site", "site")):
            for name, count in (facets.get(kind) or [])[:8]:
                item = QStandardItem(counted(name, count, "#" if kind == "tag" else ""))
                item.setData(f"{field_name}:{quote_value(name)}", RefineRole)
                item.setData(count, CountRole)
                item.setData(
                    f"{kind} {name}: {count} of these results", Qt.ItemDataRole.AccessibleTextRole
                )
                item.setDragEnabled(False)
                item.setDropEnabled(False)
                root.appendRow(item)
        present = root.index().isValid()
        if root.rowCount() and not present:
            self.model.insertRow(1, root)
            self.tree.expand(root.index())
        elif not root.rowCount() and present:
            self.model.takeRow(root.row())

    def set_state_counts(self, counts: dict[str, int]) -> None:
        """counts: {'Unread': 3, ...}, keyed by the labels in STATES."""
        for label, item in self._state_items.items():
            if label in counts:
                item.setText(f"{label}  ({counts[label]})")
                item.setData(counts[label], CountRole)

    def set_tags(self, tags: list[tuple[str, int]]) -> None:
        """Rebuild the tag tree, keeping expanded branches expanded."""
        expanded = self._expanded_names()
        self._tags_root.removeRows(0, self._tags_root.rowCount())
        self._last_tags = list(tags)
        self._tag_names = [name for name, _ in tags]
        self.completer_model.setStringList(self._tag_names)

        def add(parent: QStandardItem, nodes: list) -> None:
            for label, full, count, children in nodes:
                item = QStandardItem(counted(label, count))
                item.setData(tag_query(full), QueryRole)
                item.setData(count, CountRole)
                item.setData(f"tag {full}, {count} articles", Qt.ItemDataRole.AccessibleTextRole)
                item.setToolTip(as_plain(full))
                item.setData(full, TagRole)
                color = self.colors.get(full.lower())
                if color:
                    item.setForeground(QColor(color))
                item.setDragEnabled(True)
                item.setDropEnabled(True)
                parent.appendRow(item)
                add(item, children)

        add(self._tags_root, build_tag_tree(tags))
        if not tags:
            empty = QStandardItem("No tags yet")
            empty.setEnabled(False)
            self._tags_root.appendRow(empty)
        self.tree.expand(self._tags_root.index())
        if self._first_fill:
            self._first_fill = False
            self.tree.expandRecursively(self._tags_root.index())
        else:
            self._restore_expanded(expanded)

    def _expanded_names(self) -> set[str]:
        names: set[str] = set()

        def walk(item: QStandardItem) -> None:
            for r in range(item.rowCount()):
                child = item.child(r)
                if child.hasChildren() and self.tree.isExpanded(child.index()):
                    names.add(child.data(TagRole))
                    walk(child)

        walk(self._tags_root)
        return names

    def _restore_expanded(self, names: set[str]) -> None:
        def walk(item: QStandardItem) -> None:
            for r in range(item.rowCount()):
                child = item.child(r)
                if child.data(TagRole) in names:
                    self.tree.expand(child.index())
                walk(child)

        walk(self._tags_root)

    def set_article_tags(self, tags: list[str] | None) -> None:
        """Show the open article's tags; None when no article is open."""
        enabled = tags is not None
        self.article_tags.setStringList(list(tags or []))
        self.tag_input.setEnabled(enabled)
        self.remove_button.setEnabled(enabled and bool(tags))
        self.article_list.setEnabled(enabled)

    def tag_names(self) -> list[str]:
        return list(self._tag_names)

    def tag_items(self) -> dict[str, int]:
        """{full tag name: count} as shown in the tree (for tests and a11y)."""
        out: dict[str, int] = {}

        def walk(item: QStandardItem) -> None:
            for r in range(item.rowCount()):
                child = item.child(r)
                if child.data(QueryRole):
                    out[child.data(TagRole)] = child.data(CountRole)
                walk(child)

        walk(self._tags_root)
        return out

    # -- rename, merge, delete -------------------------------------------------
    def _tag_menu(self, pos) -> None:
        index = self.tree.indexAt(pos)
        name = index.data(TagRole) if index.isValid() else None
        if not name:
            return
        count = index.data(CountRole) or 0
        menu = QMenu(self)
        menu.addAction("Show articles", lambda: self.query_requested.emit(index.data(QueryRole)))
        menu.addAction("Rename…", lambda: self.ask_rename(name))
        menu.addAction("Colour…", lambda: self.ask_color(name))
        if name.lower() in self.colors:
            menu.addAction("No colour", lambda: self.set_tag_color(name, None))
        menu.addAction(
            f"Delete from {count} article{'s' if count != 1 else ''}…",
            lambda: self.delete_requested.emit(name, count),
        )
        menu.popup(self.tree.viewport().mapToGlobal(pos))

    def ask_color(self, name: str) -> None:
        current = QColor(self.colors.get(name.lower(), "#b0652b"))
        color = QColorDialog.getColor(current, self, f"Colour of the tag {name}")
        if color.isValid():
            self.set_tag_color(name, color.name())

    def set_colors(self, colors: dict[str, str]) -> None:
        """The colours the window remembered (no signal: nothing changed)."""
        self.colors = {k.lower(): v for k, v in colors.items() if QColor(v).isValid()}
        self.set_tags(getattr(self, "_last_tags", []))

    def set_tag_color(self, name: str, color: str | None) -> None:
        """Give a tag a colour (None: the default), shown here and in the results."""
        if color:
            self.colors[name.lower()] = QColor(color).name()
        else:
            self.colors.pop(name.lower(), None)
        self.set_tags(getattr(self, "_last_tags", []))
        self.colors_changed.emit(dict(self.colors))

    def ask_rename(self, name: str) -> None:
        dialog = QInputDialog(self)
        dialog.setObjectName("renameTagDialog")
        dialog.setWindowTitle("Rename tag")
        dialog.setLabelText(as_plain(f"New name for “{name}” (an existing tag merges them):"))
        dialog.setTextValue(name)
        dialog.accepted.connect(lambda: self._rename(name, dialog.textValue().strip()))
        dialog.open()

    def _rename(self, old: str, new: str) -> None:
        if new and new != old:
            self.rename_requested.emit(old, new)

    def eventFilter(self, obj, event) -> bool:
        """A tag dropped on another tag merges it into that one; the model
        itself never moves rows (the archive is the truth)."""
        if obj is self.tree.viewport() and event.type() == QEvent.Type.Drop:
            source = self.tree.currentIndex().data(TagRole)
            target_index = self.tree.indexAt(event.position().toPoint())
            target = target_index.data(TagRole) if target_index.isValid() else None
            event.ignore()
            if source and target and source != target:
                self.rename_requested.emit(source, target)
            return True
        return super().eventFilter(obj, event)

    # -- user actions --------------------------------------------------------
    def _activated(self, index: QModelIndex) -> None:
        refine = index.data(RefineRole)
        if refine:
            self.refine_requested.emit(refine)
            return
        query = index.data(QueryRole)
        if query is not None:
            self.query_requested.emit(query)

    def _add_from_input(self) -> None:
        names = [n.strip() for n in self.tag_input.text().split(",") if n.strip()]
        self.tag_input.clear()
        for name in names:
            self.add_tag_requested.emit(name)

    def _remove_selected(self) -> None:
        rows = self.article_list.selectionModel().selectedRows()
        names = [i.data() for i in rows]
        for name in names:
            self.remove_tag_requested.emit(name)

    def focus_tag_input(self) -> None:
        self.tag_input.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.tag_input.selectAll()
