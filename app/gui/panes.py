"""The side panes give way to the text.

The window is search | reader | tags in one QSplitter. Left alone, a
QSplitter keeps the side panes' widths when the window narrows and the reader
takes the whole loss: at 900×650 it was ~250 px, a word or two a line
(issue 19). `PaneLayout` lays the splitter out itself on every resize:

* the reader keeps at least READER_MIN px;
* the side panes shrink towards their minimum, then fold (width 0): the tags
  pane first, then the search pane; folded for want of room, they come back
  when the window is wide enough again;
* the user can fold and unfold each pane (View menu, or dragging its handle
  to the edge); that choice holds until the user changes it, and it and the
  panes' widths are remembered in QSettings ("window/panes").
"""

from __future__ import annotations

import json

from PySide6.QtCore import QEvent, QObject, QSettings, QSize, Signal
from PySide6.QtWidgets import QSplitter

READER_MIN = 500  # px the reader keeps (a ~400 px text column) before a side pane gives way
SEARCH, READER, TAGS = 0, 1, 2
PANE_MIN = {SEARCH: 220, TAGS: 160}  # px a shown pane keeps before it folds
PANE_DEFAULT = {SEARCH: 360, TAGS: 230}
FOLD_ORDER = (TAGS, SEARCH)  # which pane folds first for want of room
SETTINGS_KEY = "window/panes"


def fit(total: int, wanted: dict[int, int], shown: dict[int, bool]) -> tuple[list[int], set[int]]:
    """Widths [search, reader, tags] for a splitter `total` px wide, and the panes
    folded for want of room. Pure, so the rule is tested without a window."""
    widths = {i: max(PANE_MIN[i], wanted[i]) for i in (SEARCH, TAGS) if shown[i]}
    room = total - READER_MIN
    excess = sum(widths.values()) - room
    if excess > 0:  # shrink the panes towards their minimum, in proportion to their slack
        slack = {i: widths[i] - PANE_MIN[i] for i in widths}
        total_slack = sum(slack.values())
        if total_slack > 0:
            for i in widths:
                widths[i] -= round(min(excess, total_slack) * slack[i] / total_slack)
    folded: set[int] = set()
    for i in FOLD_ORDER:
        if sum(widths.values()) > room and i in widths:
            del widths[i]
            folded.add(i)
    reader = max(0, total - sum(widths.values()))
    return [widths.get(SEARCH, 0), reader, widths.get(TAGS, 0)], folded


class PaneLayout(QObject):
    """Lays out a search | reader | tags splitter; see the module docstring."""

    changed = Signal()  # a pane was folded or unfolded (the View menu follows)

    def __init__(self, splitter: QSplitter, settings: QSettings) -> None:
        super().__init__(splitter)
        self.splitter = splitter
        self.settings = settings
        self.wanted = dict(PANE_DEFAULT)
        self.shown = {SEARCH: True, TAGS: True}  # the user's choice
        self.folded: set[int] = set()  # folded for want of room
        self.paused = False  # distraction-free reading hides the panes itself
        splitter.setChildrenCollapsible(True)
        splitter.setCollapsible(READER, False)
        splitter.setStretchFactor(SEARCH, 0)
        splitter.setStretchFactor(READER, 1)
        splitter.setStretchFactor(TAGS, 0)
        splitter.widget(READER).setMinimumWidth(200)
        splitter.installEventFilter(self)
        splitter.splitterMoved.connect(self._dragged)

    # -- state -------------------------------------------------------------
    def restore(self) -> None:
        try:
            saved = json.loads(str(self.settings.value(SETTINGS_KEY, "{}")))
        except ValueError:
            saved = {}
        if isinstance(saved, dict):
            for i, name in ((SEARCH, "search"), (TAGS, "tags")):
                pane = saved.get(name)
                if isinstance(pane, dict):
                    width = pane.get("width")
                    if isinstance(width, int) and width > 0:
                        self.wanted[i] = width
                    self.shown[i] = pane.get("shown", True) is not False
        self.apply()

    def save(self) -> None:
        self._note_sizes()
        self.settings.setValue(SETTINGS_KEY, json.dumps({
            name: {"width": self.wanted[i], "shown": self.shown[i]}
            for i, name in ((SEARCH, "search"), (TAGS, "tags"))
        }))

    def is_visible(self, pane: int) -> bool:
        """Shown and not folded for want of room."""
        return self.shown[pane] and pane not in self.folded

    def set_shown(self, pane: int, shown: bool) -> None:
        """The user folds or unfolds a pane (View menu, going to it)."""
        self._note_sizes()
        self.shown[pane] = shown
        if shown and pane in self.folded:  # asked for: make room by folding the other
            self.folded.discard(pane)
            other = TAGS if pane == SEARCH else SEARCH
            sizes, _ = fit(self._total(), self.wanted, {pane: True, other: False})
            if sum(sizes) and sizes[pane] == 0:
                self.shown[other] = False
        self.apply()
        self.changed.emit()

    # -- layout ------------------------------------------------------------
    def _total(self, width: int | None = None) -> int:
        width = self.splitter.width() if width is None else width
        handles = sum(self.splitter.handle(i).width() for i in (1, 2))
        return max(0, width - handles)

    def apply(self, width: int | None = None) -> None:
        if self.paused:
            return
        total = self._total(width)
        if total <= 0:
            return
        sizes, folded = fit(total, self.wanted, self.shown)
        if folded != self.folded:
            self.folded = folded
            self.changed.emit()
        if sizes != self.splitter.sizes():
            self.splitter.setSizes(sizes)

    def _note_sizes(self) -> None:
        """Remember the widths of the panes as they are shown now."""
        if self.paused:
            return
        sizes = self.splitter.sizes()
        for i in (SEARCH, TAGS):
            if sizes[i] > 0 and self.is_visible(i):
                self.wanted[i] = sizes[i]

    def _dragged(self, _pos: int, _index: int) -> None:
        """A handle was dragged: a pane dragged shut is folded by the user; a
        reader dragged narrower than READER_MIN is put back."""
        sizes = self.splitter.sizes()
        changed = False
        for i in (SEARCH, TAGS):
            if sizes[i] == 0 and self.is_visible(i):
                self.shown[i] = False
                changed = True
            elif sizes[i] > 0 and not self.is_visible(i):
                self.shown[i] = True
                self.folded.discard(i)
                changed = True
        self._note_sizes()
        self.apply()
        if changed:
            self.changed.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.splitter and event.type() == QEvent.Type.Resize:
            size: QSize = event.size()
            self.apply(size.width())
        return False
