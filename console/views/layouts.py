"""Named layouts (perspectives) per user, kept in QSettings and restored at start.

A layout is what a main window's ``save_state`` gives: the window's geometry, the dock manager's
state (floating docks with their geometry included), the extra queue docks and each queue's
filter. :class:`Layouts` stores it as JSON with base64 bytes under ``layouts/<user>/<name>``;
the window puts itself back from it, and refuses a layout of another version (one saved by an
older console) rather than force it onto docks that changed. The layout the window had when it
was closed is kept as :attr:`Layouts.LAST` and restored at the next start.

The store knows nothing of windows: a window is given the store and saves and restores itself.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)


class Layouts:
    """The saved layouts of one user (``user``, set once the hub has accepted the login)."""

    LAST = "(last)"

    def __init__(self, settings: QSettings, user: str = "") -> None:
        self.settings = settings
        self.user = user

    def _key(self, name: str = "") -> str:
        return f"layouts/{self.user or '-'}/{name}" if name else f"layouts/{self.user or '-'}"

    def names(self) -> list[str]:
        self.settings.beginGroup(self._key())
        try:
            keys = self.settings.childKeys()
        finally:
            self.settings.endGroup()
        return sorted(k for k in keys if k != self.LAST)

    def save(self, name: str, state: dict[str, Any]) -> None:
        """Keep ``state`` (a window's ``save_state``; bytes values allowed) as ``name``."""
        encoded = {k: (base64.b64encode(v).decode() if isinstance(v, bytes) else v)
                   for k, v in state.items()}
        encoded["bytes"] = [k for k, v in state.items() if isinstance(v, bytes)]
        self.settings.setValue(self._key(name), json.dumps(encoded))
        self.settings.sync()

    def load(self, name: str) -> dict[str, Any] | None:
        """The state saved as ``name``; None if there is none or it is unreadable."""
        raw = self.settings.value(self._key(name))
        if not raw:
            return None
        try:
            state: dict[str, Any] = json.loads(str(raw))
            for key in state.pop("bytes", []):
                state[key] = base64.b64decode(state[key])
        except (ValueError, KeyError, TypeError):
            log.warning("layout %r is unreadable; ignored", name)
            return None
        return state

    def delete(self, name: str) -> None:
        self.settings.remove(self._key(name))


def keep_on_screen(widgets: Iterable[QWidget]) -> None:
    """A monitor unplugged since the layout was saved must not hide a window or a dock."""
    screen = QGuiApplication.primaryScreen()
    if screen is None:
        return
    area = screen.availableGeometry()
    for widget in widgets:
        centre = widget.frameGeometry().center()
        if QGuiApplication.screenAt(centre) is None:
            widget.move(area.topLeft())
