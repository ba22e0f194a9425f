"""What keeps a list view calm while the hub changes it: the row being worked holds its place on
screen, and an empty view says what is empty.

:class:`RowAnchor` follows a view's model. When rows are inserted, removed or moved, or the order
changes (a re-sort, a new filter), the view's current row — the one the user has selected and is
working — is kept at the same height in the viewport by scrolling the view by as much as the row
moved. The rows above and below slide; the row under the cursor does not. Without it a queue
sorted by deadline would push the selected case down a row for every more urgent case that
arrives, and a dispatcher reaching for it would click the one that took its place.

:class:`EmptyState` is mixed into a view (``class T(EmptyState, ColumnRepaint, QTableView)``):
while its model has no rows it paints a sentence in the viewport saying why (no cases at all,
or a filter hiding every one).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QAbstractItemView


class RowAnchor(QObject):
    """Keeps ``view``'s current row where it is on screen while the model changes around it.

    Only a current row that is selected and on screen is held: a row the user scrolled away
    from, or none at all, leaves the view to Qt's own behaviour. Attach it after
    ``view.setModel``; it follows that model.
    """

    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self._view = view
        self._held: tuple[QPersistentModelIndex, int] | None = None
        model = view.model()
        for before in (model.rowsAboutToBeInserted, model.rowsAboutToBeRemoved,
                       model.rowsAboutToBeMoved, model.layoutAboutToBeChanged):
            before.connect(self._before)
        for after in (model.rowsInserted, model.rowsRemoved, model.rowsMoved,
                      model.layoutChanged):
            after.connect(self._after)
        model.modelReset.connect(self._forget)

    def _before(self, *_: Any) -> None:
        if self._held is not None:
            return
        view = self._view
        current = view.currentIndex()
        if not current.isValid() or not view.selectionModel().isRowSelected(
                current.row(), current.parent()):
            return
        top = view.visualRect(current).top()
        if 0 <= top < view.viewport().height():
            self._held = (QPersistentModelIndex(current), top)

    def _after(self, *_: Any) -> None:
        held, self._held = self._held, None
        if held is None or not held[0].isValid():
            return
        view: Any = self._view
        # The scroll range follows the row count only at the view's next layout: bring it up to
        # date now, or a move below the old end would be clipped.
        view.updateGeometries()
        moved = view.visualRect(held[0]).top() - held[1]
        if moved:
            bar = view.verticalScrollBar()
            bar.setValue(bar.value() + moved)

    def _forget(self) -> None:
        self._held = None


class EmptyState:
    """Mixed into an item view: while the model has no rows, the viewport says why.

    Set :attr:`empty_text` to a function returning the sentence (asked at each paint, so it
    follows the language and the filter).
    """

    empty_text: Callable[[], str] | None = None

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)  # type: ignore[misc]
        view: Any = self
        model = view.model()
        if model is None or model.rowCount() > 0 or self.empty_text is None:
            return
        text = self.empty_text()
        if not text:
            return
        viewport = view.viewport()
        painter = QPainter(viewport)
        painter.setPen(view.palette().color(QPalette.ColorRole.PlaceholderText))
        area = QRect(viewport.rect()).adjusted(12, 12, -12, -12)
        painter.drawText(area, int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
                                   | Qt.TextFlag.TextWordWrap), text)
        painter.end()

    def placeholder(self) -> str:
        """The sentence shown while empty ("" when the view has rows)."""
        view: Any = self
        model = view.model()
        if model is None or model.rowCount() > 0 or self.empty_text is None:
            return ""
        return self.empty_text()
