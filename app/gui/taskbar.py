"""Long work in the status bar: a label, a progress bar and a Cancel button.

Any number of ops can be tracked; the bar shows the most recent one still
running and hides itself when none is left, so a short save flashes by while
a long import keeps its bar and its Cancel button in view.
"""

from __future__ import annotations

import time

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from app.gui.ops import Op

UPDATE_S = 0.1  # at most this often the bar and label repaint


class TaskBar(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel("")
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(220)
        self.bar.setTextVisible(False)
        self.bar.setAccessibleName("Progress of the running task")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel the running task")
        self.cancel_button.clicked.connect(self.cancel_current)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self._ops: list[Op] = []
        self._last_update = 0.0
        self.hide()

    def track(self, op: Op, *, cancellable: bool = True) -> None:
        op.setProperty("cancellable", cancellable)
        self._ops.append(op)
        op.progressed.connect(lambda done, total, msg, op=op: self._progress(op, done, total, msg))
        op.finished.connect(lambda op=op: self._finished(op))
        self._show(op)

    def _show(self, op: Op) -> None:
        self.label.setText(op.label)
        self.bar.setRange(0, 0)  # busy until the first progress report
        self.cancel_button.setVisible(bool(op.property("cancellable")))
        self.show()

    def _progress(self, op: Op, done: int, total: int, message: str) -> None:
        if not self._ops or self._ops[-1] is not op:
            return
        now = time.monotonic()
        if done < total and now - self._last_update < UPDATE_S:
            return  # a fast task reports hundreds of times a second: repaint ~10x
        self._last_update = now
        if total > 1:
            self.bar.setRange(0, total)
            self.bar.setValue(done)
            self.label.setText(f"{op.label}  {done}/{total}")
        elif message:
            self.label.setText(message)

    def _finished(self, op: Op) -> None:
        if op in self._ops:
            self._ops.remove(op)
        if self._ops:
            self._show(self._ops[-1])
        else:
            self.hide()

    def cancel_current(self) -> None:
        if self._ops:
            self._ops[-1].cancel()
            self.label.setText("Cancelling…")

    def cancel_all(self) -> None:
        """Cancel every tracked op (the window is closing: a save running in a
        child process stops at its next item instead of holding up the exit)."""
        for op in list(self._ops):
            if op.property("cancellable"):
                op.cancel()

    @property
    def running(self) -> int:
        return len(self._ops)
