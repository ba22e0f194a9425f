"""What every dock shares: who the user is, the app-wide message bus, and result wording.

The message bus (qutebrowser's ``message`` idea) lets any part of the console — the hub client,
a dock, a dialog — tell the user something without holding a window: the main window shows
what arrives in its status bar and, for errors, in a message strip.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    Signal,
)
from PySide6.QtWidgets import QComboBox

from console.comms.client import CommandResult
from console.comms.clock import hub_clock
from console.comms.replica import UserInfo
from console.domain.model import Actor, Role
from console.domain.rules import Context, Rules


def actor_of(user: UserInfo | None) -> Actor | None:
    """The domain's actor for the logged-in user (None before login)."""
    if user is None:
        return None
    roles = frozenset(Role(r) for r in user.roles if r in Role._value2member_map_)
    return Actor(user.username, roles, department=user.department, unit=user.unit)


def context_of(rules: Rules, user: UserInfo | None, now: datetime | None = None
               ) -> Context | None:
    """The domain context a button's state is computed in (None before login)."""
    actor = actor_of(user)
    if actor is None:
        return None
    return Context(rules, actor, now or hub_clock.now())


class MessageBus(QObject):
    """Signals:
        message(str, str): a level (``info``, ``warning``, ``error``) and the text to show.
    """

    message = Signal(str, str)

    def info(self, text: str) -> None:
        self.message.emit("info", text)

    def warning(self, text: str) -> None:
        self.message.emit("warning", text)

    def error(self, text: str) -> None:
        self.message.emit("error", text)


_bus: MessageBus | None = None


def messages() -> MessageBus:
    """The one message bus of this process (created on first use, in the GUI thread)."""
    global _bus
    if _bus is None:
        _bus = MessageBus()
    return _bus


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
    not all of it.

    Qt repaints the whole viewport for any ``dataChanged`` wider than one cell, and a table or
    tree then asks every visible cell of every column for all its roles. The queue's countdown
    and the roster's time in status change every second, column-wide: seven to nine times the
    painting they need, 40-80 ms a second for the roster under load (docs/performance.md).
    What changes cells this way is text and colour, never a row's height; item editors (there
    are none in these views) would not be refreshed.
    """

    def dataChanged(self, top_left: QModelIndex | QPersistentModelIndex,
                    bottom_right: QModelIndex | QPersistentModelIndex,
                    roles: list[int] | None = None) -> None:
        column = top_left.column()
        if (top_left.isValid() and column == bottom_right.column()
                and top_left.parent() == bottom_right.parent()):
            view: Any = self  # a QTableView or QTreeView: both place columns
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


def result_text(result: CommandResult) -> str:
    """A refused command's message in the user's language.

    The hub sends an English sentence plus its template and parameters; when a translation of
    the template is installed (context ``Refusal``) it is filled in with the parameters.
    """
    if result.ok:
        return ""
    if result.template:
        translated = QCoreApplication.translate("Refusal", result.template)
        if translated != result.template:
            try:
                return translated.format(**_plain(result.params))
            except (KeyError, IndexError, ValueError):
                pass
    return result.message or result.code or ""


def _plain(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: ("" if v is None else v) for k, v in params.items()}
