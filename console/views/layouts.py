"""Named layouts (perspectives) per user, kept in QSettings and restored at start.

A layout is the window's geometry, the dock manager's state (floating docks with their
geometry included), the extra queue docks and each queue's filter. It is stored as JSON with
base64 bytes under ``layouts/<user>/<name>``, with a version: a layout saved by an older console
is ignored rather than forced onto docks that changed. The layout the window had when it was
closed is kept as :attr:`Layouts.LAST` and restored at the next start.
"""

from __future__ import annotations

import base64
import json
import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication

if TYPE_CHECKING:
    from console.views.main_window import MainWindow

log = logging.getLogger(__name__)


class Layouts:
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

    def save(self, window: MainWindow, name: str) -> None:
        state = window.save_state()
        encoded = {k: (base64.b64encode(v).decode() if isinstance(v, bytes) else v)
                   for k, v in state.items()}
        encoded["bytes"] = [k for k, v in state.items() if isinstance(v, bytes)]
        self.settings.setValue(self._key(name), json.dumps(encoded))
        self.settings.sync()

    def load(self, name: str) -> dict[str, Any] | None:
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

    def restore(self, window: MainWindow, name: str) -> bool:
        """Restore layout ``name`` onto ``window``; False if there is none or it does not fit."""
        state = self.load(name)
        if state is None:
            return False
        try:
            restored = window.restore_state(state)
        except (KeyError, TypeError, ValueError):
            restored = False
        if not restored:
            log.warning("layout %r could not be restored; the default stays", name)
            window.reset_layout()
        return restored

    def delete(self, name: str) -> None:
        self.settings.remove(self._key(name))

    @staticmethod
    def keep_on_screen(window: MainWindow) -> None:
        """A monitor unplugged since the layout was saved must not hide a window or a dock."""
        screen = QGuiApplication.primaryScreen()
        if screen is None:
            return
        area = screen.availableGeometry()
        widgets = [window, *window.dock_manager.floatingWidgets()]
        for widget in widgets:
            centre = widget.frameGeometry().center()
            if QGuiApplication.screenAt(centre) is None:
                widget.move(area.topLeft())
