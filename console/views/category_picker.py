"""The category search of the intake form: a field over the taxonomy and the list of what it
finds, in Chinese, pinyin (full or initials) and English.

Up/Down move through the list without leaving the field; Enter takes the highlighted category
and moves on. Its strings keep the ``IntakeForm`` translation context.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from console.domain.taxonomy import Taxonomy
from console.ui.names import DisplayNames

translate = QCoreApplication.translate  # the name pyside6-lupdate looks for


class CategoryPicker(QWidget):
    """A search field over the taxonomy and the list of what it finds.

    Signals:
        category_changed(object): the chosen category code, or None.
    """

    category_changed = Signal(object)

    def __init__(self, taxonomy: Taxonomy, names: DisplayNames,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._taxonomy = taxonomy
        self._names = names
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText(translate(
            "IntakeForm", "Search in Chinese, pinyin or English"))
        self.results = QListWidget(self)
        self.results.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.results.setMaximumHeight(110)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.edit)
        column.addWidget(self.results)
        self.setFocusProxy(self.edit)
        self._current: str | None = None
        self.edit.textEdited.connect(self._search)
        self.results.currentItemChanged.connect(self._chosen)
        self.edit.installEventFilter(self)

    def category(self) -> str | None:
        return self._current

    def set_category(self, code: str | None) -> None:
        self.results.clear()
        if code is None:
            self.edit.clear()
        else:
            self.edit.setText(self._names.category(code))
            self._add(code)
            self.results.setCurrentRow(0)
        self._set(code)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            count = self.results.count()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and count:
                step = 1 if key == Qt.Key.Key_Down else -1
                self.results.setCurrentRow(max(0, min(count - 1,
                                                      self.results.currentRow() + step)))
                return True
            if (key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                    and event.modifiers() == Qt.KeyboardModifier.NoModifier
                    and self._current is not None):
                self.edit.setText(self._names.category(self._current))
                self.edit.focusNextChild()
                return True
        return super().eventFilter(watched, event)

    def _add(self, code: str) -> None:
        category = self._taxonomy.category(code)
        try:
            group = self._taxonomy.group(category.group).name(self._names.language)
        except ValueError:
            group = category.group
        item = QListWidgetItem(f"{self._names.category(code)}  ·  {group}", self.results)
        item.setData(Qt.ItemDataRole.UserRole, code)
        item.setToolTip(code)

    def _search(self, text: str) -> None:
        self.results.blockSignals(True)
        self.results.clear()
        for category in self._taxonomy.search(text, limit=12):
            self._add(category.code)
        self.results.blockSignals(False)
        if self.results.count():
            self.results.setCurrentRow(0)
        else:
            self._set(None)

    def _chosen(self, item: QListWidgetItem | None) -> None:
        self._set(item.data(Qt.ItemDataRole.UserRole) if item is not None else None)

    def _set(self, code: str | None) -> None:
        if code != self._current:
            self._current = code
            self.category_changed.emit(code)
