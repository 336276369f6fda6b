"""The search-syntax help: a panel laid over the window under the query box.

It is a child of the main window, not a popup window: a Qt popup grabs the
keyboard and the mouse, and on X11 a grab that goes wrong leaves the user
with a window where Esc, Ctrl+Q and the menus do nothing (issue 19). As a
child it grabs nothing, so every shortcut and menu keeps working; it closes
with Esc, F1 (or the ? button) again, and a click anywhere outside it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QSize, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QFrame, QTextBrowser, QVBoxLayout, QWidget

# Each table row: the syntax, then what it does. Qt's rich text has no CSS
# padding on cells that every version honours, so a spacer column of fixed
# width keeps the two apart ("…2015..2017" once ran into "a period").
_ROWS = [
    ("<code>solar battery</code>", "both words"),
    ('<code>"solar battery"</code>', "the exact phrase"),
    ("<code>solar OR wind</code>", "either word (operators in capitals)"),
    ("<code>solar -battery</code>", "without a word"),
    ("<code>photo*</code> &nbsp; <code>colour~</code>",
     "prefix, nearly-spelled (<code>?</code> is not a wildcard)"),
    ("<code>title: site: author: url: lang:</code>", "one field; paste an address to find its page"),
    ('<code>tag:health</code> &nbsp; <code>tag:"long reads"</code>',
     "a tag, and the tags under it (health/diet)"),
    ("<code>saved:2026-03</code> &nbsp; <code>published:2015..2017</code>",
     "a period; a range, both ends included"),
    ("<code>saved:&lt;2020</code> &nbsp; <code>saved:&gt;=last-week</code>",
     "before 2020 began; since last week began"),
    ("<code>saved:today</code> &nbsp; <code>saved:last-month</code>",
     "your calendar (last-: all of the previous one)"),
    ("<code>is:unread is:favorite is:archived</code>", "reading state"),
    ("<code>highlight:tide</code> &nbsp; <code>note:idea</code> &nbsp; <code>has:notes</code>",
     "your highlights and notes; articles that have them"),
]
COLUMN_GAP = 20  # px between the syntax and its meaning

SEARCH_HELP = (
    "<p><b>Search as you type</b> &mdash; words are stemmed and accents ignored.</p>"
    '<table cellspacing="0" cellpadding="2">'
    + "".join(
        f'<tr><td style="white-space: nowrap">{syntax}</td><td width="{COLUMN_GAP}"></td>'
        f"<td>{meaning}</td></tr>"
        for syntax, meaning in _ROWS
    )
    + "</table>"
    "<p><b>Down</b> moves into the results, <b>Enter</b> opens, <b>Esc</b> clears.<br>"
    "<b>Esc</b> or <b>F1</b> closes this help.</p>"
)
MARGIN = 12  # px kept free between the panel and the window's edges


class SearchHelp(QFrame):
    """The help panel. `toggle(anchor)` shows it under anchor, or hides it."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("searchHelp")
        self.setAccessibleName("Search syntax")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.text = QTextBrowser(self)
        self.text.setObjectName("searchHelpText")
        # Read-only and unfocusable: no caret, no selection painted over it.
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.text.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.text.setFrameShape(QFrame.Shape.NoFrame)
        self.text.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.text.setHtml(SEARCH_HELP)
        self.text.document().setDocumentMargin(MARGIN)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(1, 1, 1, 1)
        layout.addWidget(self.text)
        self._anchor: QWidget | None = None
        self._owners: tuple[QWidget, ...] = ()
        self.hide()

    def document(self):  # the laid-out text (tests measure it)
        return self.text.document()

    def toPlainText(self) -> str:
        return self.text.toPlainText()

    def toggle(self, anchor: QWidget, *owners: QWidget) -> None:
        """Show under `anchor`, or hide if shown. Clicks on `owners` (the ? button)
        do not count as outside: the button's own click toggles."""
        if self.isVisible():
            self.close_help()
            return
        self._anchor = anchor
        self._owners = owners
        self._place()
        self.show()
        self.raise_()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def close_help(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.hide()

    def _place(self) -> None:
        window = self.parentWidget()
        anchor = self._anchor
        if window is None or anchor is None:
            return
        top_left = anchor.mapTo(window, QPoint(0, anchor.height() + 2))
        # Measured on a copy: the browser's own document is laid out to its viewport.
        probe = self.text.document().clone(self)
        probe.setDefaultFont(self.text.font())
        probe.setTextWidth(-1)
        bar = self.text.verticalScrollBar().sizeHint().width()
        ideal = int(probe.idealWidth()) + 6
        width = max(240, min(ideal, window.width() - top_left.x() - MARGIN))
        probe.setTextWidth(width - 6)
        wanted = int(probe.size().height()) + 6
        room = window.height() - top_left.y() - MARGIN
        if wanted > room:
            width = min(width + bar, window.width() - top_left.x() - MARGIN)
        height = max(120, min(wanted, room))
        probe.deleteLater()
        x = max(0, min(top_left.x(), window.width() - width - MARGIN))
        self.setGeometry(x, top_left.y(), width, height)

    def sizeHint(self) -> QSize:
        return self.size()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """While shown: Esc closes, a press outside closes (and still reaches
        its target), the window resizing moves the panel along."""
        if not self.isVisible():
            return False
        kind = event.type()
        if kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() == Qt.Key.Key_Escape and event.modifiers() in (
                Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier
            ):
                self.close_help()
                return True  # Esc here does not also clear the query
        elif kind == QEvent.Type.MouseButtonPress and isinstance(watched, QWidget):
            if not self._inside(watched):
                self.close_help()
        elif kind == QEvent.Type.Resize and watched is self.parentWidget():
            self._place()
        elif kind == QEvent.Type.WindowDeactivate and watched is self.parentWidget():
            self.close_help()
        return False

    def _inside(self, widget: QWidget) -> bool:
        for mine in (self, *self._owners):
            if widget is mine or mine.isAncestorOf(widget):
                return True
        return False
