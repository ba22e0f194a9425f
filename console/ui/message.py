"""The app-wide message bus (qutebrowser's ``message`` idea).

Any part of the console — the hub client, a dock, a dialog, the map — tells the user something
without holding a window: :func:`messages` returns the one bus, and the main window shows what
arrives in its status bar and, for errors, in a message strip.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


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
