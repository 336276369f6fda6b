"""How the side panes lay out their rows, once for the search and the tag pane.

A pane is a column of rows with no margins of its own (the window gives each pane its
frame, main_window sets them) and 6 px between rows; a row is a field that takes the
width with its button or menu beside it at its own size.
"""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

ROW_SPACING = 6  # px between a pane's rows


def pane_column(pane: QWidget) -> QVBoxLayout:
    """The pane's own layout: a column without margins, ROW_SPACING between rows."""
    column = QVBoxLayout(pane)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(ROW_SPACING)
    return column


def side_by_side(main: QWidget, beside: QWidget) -> QHBoxLayout:
    """A row of a pane: `main` stretches, `beside` keeps its own width."""
    row = QHBoxLayout()
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(main, 1)
    row.addWidget(beside)
    return row
