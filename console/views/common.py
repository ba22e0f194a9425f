"""What every dock shares: who the user is, the app-wide message bus, and result wording.

The message bus (qutebrowser's ``message`` idea) lets any part of the console — the hub client,
a dock, a dialog — tell the user something without holding a window: the main window shows
what arrives in its status bar and, for errors, in a message strip.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal
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
