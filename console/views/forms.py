"""Forms that ask for a command's arguments: a field's error line, and a dialog that will not
close while a field is wrong.

The incident dialogs (:mod:`console.views.incident_actions`), the intake form and the emergency
board's dialogs (:mod:`console.views.major_dialogs`) are built from these.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

translate = QCoreApplication.translate  # the name pyside6-lupdate looks for

_REQUIRED = QT_TRANSLATE_NOOP("IncidentActions", "Required.")


class FieldError(QLabel):
    """The message shown beside a field that is wrong (hidden while it is right)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fieldError")
        self.setStyleSheet("color: #c62828;")
        self.setWordWrap(True)
        self.hide()

    def show_error(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))


class FormDialog(QDialog):
    """A form for one command's arguments. Subclasses build rows and implement
    :meth:`arguments`; after ``accept()`` :attr:`values` holds them. The emergency board's
    dialogs (``major_dialogs``) are forms like these."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values: dict[str, Any] | None = None
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.form = QFormLayout()
        # The buttons themselves are made on show, after the fields: last in the tab chain.
        self.buttons = QDialogButtonBox(self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.buttons)

    def add_row(self, label: str, widget: QWidget) -> FieldError:
        """A labelled field with its error line under it."""
        holder = QWidget(self)
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(widget)
        error = FieldError(holder)
        column.addWidget(error)
        self.form.addRow(label, holder)
        if self.form.rowCount() == 1:
            widget.setFocus()  # the first field has the keyboard when the dialog opens
        return error

    def showEvent(self, event: QShowEvent) -> None:
        if not self.buttons.buttons():
            self.buttons.setStandardButtons(QDialogButtonBox.StandardButton.Ok
                                            | QDialogButtonBox.StandardButton.Cancel)
        super().showEvent(event)

    def arguments(self) -> dict[str, Any] | None:
        """The command's arguments, or None after showing what is wrong."""
        raise NotImplementedError

    def accept(self) -> None:
        values = self.arguments()
        if values is None:
            return
        self.values = values
        super().accept()


def text_edit(parent: QWidget) -> QPlainTextEdit:
    edit = QPlainTextEdit(parent)
    edit.setTabChangesFocus(True)
    edit.setMaximumHeight(90)
    return edit


def required_text(edit: QPlainTextEdit | QLineEdit, error: FieldError) -> str | None:
    text = (edit.toPlainText() if isinstance(edit, QPlainTextEdit) else edit.text()).strip()
    error.show_error("" if text else translate("IncidentActions", _REQUIRED))
    return text or None
