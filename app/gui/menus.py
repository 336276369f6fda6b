"""The window's actions, menus and toolbar, with their standard shortcuts.

Every action is also added to the window itself, so its shortcut works when
menus and toolbar are hidden (distraction-free reading).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu

from app.gui.themes import LINE_SPACINGS, LINE_WIDTHS, THEME_CHOICES

#: The value a choice menu sets (a theme name, a width in px…).
V = TypeVar("V")


class MenusMixin:
    """Builds MainWindow's actions; mixed into MainWindow."""

    def _action(
        self,
        text: str,
        slot: Callable[[], None],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        *,
        tip: str = "",
        checkable: bool = False,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(
            f"{tip or text.replace('&', '').rstrip('…')}"
            + (
                f" ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
                if shortcut is not None
                else ""
            )
        )
        action.setCheckable(checkable)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)  # shortcuts work even when menus are hidden (F11)
        return action

    def _choice_menu(
        self, parent: QMenu, title: str, choices: dict[str, V], setter: Callable[[V], None]
    ) -> QActionGroup:
        """A submenu of exclusive choices (label → value); each calls setter(value).
        The group's actions carry their values, so the window can check the current one."""
        menu = parent.addMenu(title)
        group = QActionGroup(self)
        for label, value in choices.items():
            act = QAction(label, self, checkable=True)
            act.setData(value)
            act.triggered.connect(lambda _c=False, v=value: setter(v))
            group.addAction(act)
            menu.addAction(act)
        return group

    def _build_actions(self) -> None:
        a = self._action
        self.act_add = a(
            "&Save link or page…", self.add_dialog, "Ctrl+L", tip="Save a link or a saved page"
        )
        self.act_import = a(
            "&Import…", self.import_dialog, "Ctrl+O", tip="Import from Pocket, Wallabag, Omnivore…"
        )
        self.act_export = a(
            "&Export…", self.export_dialog, "Ctrl+E", tip="Export the current results"
        )
        self.act_quit = a("&Quit", self.close, QKeySequence.StandardKey.Quit)
        # Some platform themes bind no key to Quit (the generic and offscreen
        # ones): Ctrl+Q always quits, as the menu shows.
        quit_keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Quit)
        if QKeySequence("Ctrl+Q") not in quit_keys:
            self.act_quit.setShortcuts([QKeySequence("Ctrl+Q"), *quit_keys])
        self.act_search = a(
            "&Search", lambda: (self.show_pane(0), self.search.focus_query()), "Ctrl+F",
            tip="Jump to the search box"
        )
        self.act_tag = a(
            "&Tag article…", lambda: (self.show_pane(2), self.tags.focus_tag_input()), "Ctrl+T",
            tip="Tag the open article"
        )
        self.act_delete = a(
            "&Delete…",
            self.delete_selected,
            QKeySequence.StandardKey.Delete,
            tip="Delete the selected articles",
        )
        self.act_read = a("Mark &read", lambda: self.set_selected_state(is_read=True), "Ctrl+R")
        self.act_unread = a(
            "Mark &unread", lambda: self.set_selected_state(is_read=False), "Ctrl+U"
        )
        self.act_fav = a(
            "&Favourite", self.toggle_favorite, "Ctrl+D", tip="Favourite / unfavourite"
        )
        self.act_archive = a(
            "&Archive", self.toggle_archived, "Ctrl+Shift+A", tip="Archive / unarchive"
        )
        self.act_find = a("&Find in article…", self.find_bar.open_bar, "Ctrl+Shift+F")
        self.act_find_next = a("Find next", lambda: self.find_bar.find(False), "F3")
        self.act_find_prev = a("Find previous", lambda: self.find_bar.find(True), "Shift+F3")
        self.act_focus = a(
            "&Distraction-free reading", self.toggle_distraction_free, "F11", checkable=True
        )
        self.act_bigger = a(
            "&Larger text", lambda: self.change_font_size(1), QKeySequence.StandardKey.ZoomIn
        )
        self.act_smaller = a(
            "S&maller text", lambda: self.change_font_size(-1), QKeySequence.StandardKey.ZoomOut
        )
        self.act_reindex = a("Re&build search index", self.reindex)
        self.act_reextract = a("Re-e&xtract from the saved original", self.reextract_selected)
        self.act_font = a("Reading &font…", self.choose_font)
        self.act_import_folder = a("Import a &folder of saved pages…", self.import_folder_dialog)
        self.act_retry = a("&Fetch pending articles again", lambda: self.retry_pending())
        self.act_open_original = a("Open &original", self.open_original, "Ctrl+Shift+O")
        self.act_focus_results = a(
            "Go to &results", lambda: (self.show_pane(0), self.search.view.setFocus()), "Ctrl+1"
        )
        self.act_focus_reader = a("Go to the &reader", lambda: self.reader.setFocus(), "Ctrl+2")
        self.act_focus_tags = a(
            "Go to the &tags", lambda: (self.show_pane(2), self.tags.tree.setFocus()), "Ctrl+3"
        )
        self.act_show_search = a(
            "Search &pane", lambda: self.show_pane(0, self.act_show_search.isChecked()),
            "Ctrl+Shift+1", checkable=True, tip="Show or fold the search pane",
        )
        self.act_show_tags = a(
            "Ta&gs pane", lambda: self.show_pane(2, self.act_show_tags.isChecked()),
            "Ctrl+Shift+3", checkable=True, tip="Show or fold the tags pane",
        )
        self.act_show_search.setChecked(True)
        self.act_show_tags.setChecked(True)
        self.act_help = a(
            "Search &syntax", lambda: (self.show_pane(0), self.search.show_help()),
            QKeySequence.StandardKey.HelpContents
        )
        self.act_connector = a(
            "&Browser connector…", self.connector_settings,
            tip="Let the browser extension save pages into Quire: port and secret",
        )
        self.act_extension_help = a(
            "Save from the &browser…", self._open_extension_help,
            tip="How to install the browser extension",
        )

        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        for act in (self.act_add, self.act_import, self.act_import_folder, self.act_export):
            file_menu.addAction(act)
        file_menu.addAction(self.act_retry)
        file_menu.addAction(self.act_connector)
        file_menu.addSeparator()
        file_menu.addAction(self.act_reindex)
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)
        article_menu = menu.addMenu("&Article")
        for act in (
            self.act_tag,
            self.act_read,
            self.act_unread,
            self.act_fav,
            self.act_archive,
            self.act_open_original,
            self.act_find,
        ):
            article_menu.addAction(act)
        article_menu.addSeparator()
        article_menu.addAction(self.act_reextract)
        article_menu.addSeparator()
        article_menu.addAction(self.act_delete)
        view_menu = menu.addMenu("&View")
        view_menu.addAction(self.act_search)
        for act in (self.act_focus_results, self.act_focus_reader, self.act_focus_tags):
            view_menu.addAction(act)
        view_menu.addAction(self.act_focus)
        view_menu.addAction(self.act_show_search)
        view_menu.addAction(self.act_show_tags)
        view_menu.addSeparator()
        theme_menu = view_menu.addMenu("Reader &theme")
        self.theme_group = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        for name in THEME_CHOICES:
            act = QAction(
                "Follow the system" if name == "system" else name.capitalize(), self, checkable=True
            )
            act.setData(name)
            act.triggered.connect(lambda _c=False, n=name: self.set_theme(n))
            self.theme_group.addAction(act)
            theme_menu.addAction(act)
            self.theme_actions[name] = act
        self.width_group = self._choice_menu(view_menu, "Line &width", LINE_WIDTHS,
                                             self.set_line_width)
        self.spacing_group = self._choice_menu(view_menu, "Line &spacing", LINE_SPACINGS,
                                               self.set_line_spacing)
        view_menu.addAction(self.act_font)
        view_menu.addAction(self.act_bigger)
        view_menu.addAction(self.act_smaller)
        help_menu = menu.addMenu("&Help")
        help_menu.addAction(self.act_help)
        help_menu.addAction(self.act_extension_help)

        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.setAccessibleName("Main toolbar")
        self.act_add.setIconText("+ Save")
        self.act_fav.setIconText("☆ Favourite")
        self.act_archive.setIconText("Archive")
        self.act_read.setIconText("✓ Read")
        self.act_focus.setIconText("Focus")
        for act in (self.act_add, self.act_import):
            toolbar.addAction(act)
        toolbar.addSeparator()
        for act in (self.act_read, self.act_fav, self.act_archive, self.act_delete):
            toolbar.addAction(act)
        toolbar.addSeparator()
        toolbar.addAction(self.act_focus)
        self.toolbar = toolbar
        self._update_article_actions()
