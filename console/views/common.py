"""Widget helpers the docks share: refilling a combo in place, repainting one column, and
keeping the keyboard focus where it was.

What views share with the map — the message bus, names of domain codes, formatting, the user's
domain context — lives in :mod:`console.ui`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtWidgets import QApplication, QComboBox


@contextmanager
def keeping_focus() -> Iterator[None]:
    """Give the keyboard focus back to the widget that had it, should what runs inside take it
    (a dock brought forward while the dispatcher types in the command line)."""
    focus = QApplication.focusWidget()
    yield
    if focus is not None and focus is not QApplication.focusWidget():
        focus.setFocus(Qt.FocusReason.OtherFocusReason)


def refill_combo(combo: QComboBox, entries: list[tuple[str, Any]]) -> None:
    """Refill a combo (text, data) keeping what was chosen, without signalling a change."""
    current = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    for text, data in entries:
        combo.addItem(text, data)
    found = combo.findData(current)
    combo.setCurrentIndex(found if found >= 0 else 0)
    combo.blockSignals(False)


class ColumnRepaint:
    """Mixed into a table or tree view (``class T(ColumnRepaint, QTableView)``): a
    ``dataChanged`` over many rows of one column repaints that column's strip of the viewport,
    and one over the columns of one row that row's strip, not all of it.

    Qt repaints the whole viewport for any ``dataChanged`` wider than one cell, and a table or
    tree then asks every visible cell of every column for all its roles. The queue's countdown
    and the roster's time in status change every second, column-wide: several times the
    painting they need, a share of the GUI thread that shows under load (docs/performance.md).
    What changes cells this way is text and colour, never a row's height; item editors (there
    are none in these views) would not be refreshed.
    """

    def dataChanged(self, top_left: QModelIndex | QPersistentModelIndex,
                    bottom_right: QModelIndex | QPersistentModelIndex,
                    roles: list[int] | None = None) -> None:
        column = top_left.column()
        view: Any = self  # a QTableView or QTreeView: both place columns and rows
        if (top_left.isValid() and top_left.row() == bottom_right.row()
                and column != bottom_right.column()
                and top_left.parent() == bottom_right.parent()):
            # One row across columns (its colour changed: an alert flashing): that row's strip.
            rect = view.visualRect(top_left).united(view.visualRect(bottom_right))
            if not rect.isEmpty():
                viewport = view.viewport()
                viewport.update(QRect(0, rect.top(), viewport.width(), rect.height()))
            return
        if (top_left.isValid() and column == bottom_right.column()
                and top_left.parent() == bottom_right.parent()):
            if top_left == bottom_right:
                # The cell alone: a tree's own handling would also measure the whole row
                # again when the cell is in its first row.
                view.update(top_left)
                return
            width = view.columnWidth(column)
            if width > 0:
                viewport = view.viewport()
                viewport.update(QRect(view.columnViewportPosition(column), 0, width,
                                      viewport.height()))
            return
        super().dataChanged(top_left, bottom_right, roles or [])  # type: ignore[misc]

