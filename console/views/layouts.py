"""Named layouts (perspectives) per user, kept in QSettings and restored at start.

A layout is what a main window's ``save_state`` gives: the window's geometry, the dock manager's
state (floating docks with their geometry included), the extra queue docks and each queue's
filter. :class:`Layouts` stores it as JSON with base64 bytes under ``layouts/<user>/<name>``;
the window puts itself back from it, and refuses a layout of another version (one saved by an
older console) rather than force it onto docks that changed. The layout the window had when it
was closed is kept as :attr:`Layouts.LAST` and restored at the next start.

The store knows nothing of windows: a window is given the store and saves and restores itself
(:class:`WindowLayouts`, the main window's part: its state, putting one back, the Layouts menu).
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import PySide6QtAds as QtAds
from PySide6.QtCore import QByteArray, QCoreApplication, QSettings
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QInputDialog, QMenu, QWidget

from console.ui.message import messages

log = logging.getLogger(__name__)


translate = QCoreApplication.translate  # the name pyside6-lupdate looks for

# Bumped when the docks change so that an old saved state is not forced onto new docks.
LAYOUT_VERSION = 9


class WindowLayouts:
    """A main window's part in named layouts: what a layout holds of the window, putting one
    back, and the Layouts menu (console/views/main_window.py)."""

    dock_manager: QtAds.CDockManager
    layouts: Layouts
    layouts_menu: QMenu
    docks: dict[str, QtAds.CDockWidget]
    queues: list[Any]
    video: Any
    _default_state: QByteArray | None

    if TYPE_CHECKING:  # the window's own, named for the type checker only
        def add_queue(self, name: str | None = None) -> Any: ...
        def extra_queue_names(self) -> list[str]: ...
        def _action(self, menu: QMenu, slot: Any, shortcut: str | None = None,
                    name: str = "") -> QAction: ...
        def saveGeometry(self) -> QByteArray: ...
        def restoreGeometry(self, geometry: QByteArray) -> bool: ...

    def _fill_layouts_menu(self) -> None:
        menu = self.layouts_menu
        menu.clear()
        save = self._action(menu, self._save_layout_dialog, None, "saveLayout")
        save.setText(translate("MainWindow", "Save layout as…"))
        reset = self._action(menu, self.reset_layout, None, "resetLayout")
        reset.setText(translate("MainWindow", "Reset layout"))
        names = self.layouts.names()
        if names:
            menu.addSeparator()
        for name in names:
            action = self._action(menu, lambda name=name: self.restore_layout(name),
                                  None, f"layout_{name}")
            action.setText(name)

    def _save_layout_dialog(self) -> None:
        name, ok = QInputDialog.getText(self, translate("MainWindow", "Save layout"),  # type: ignore[arg-type]
                                        translate("MainWindow", "Layout name:"))
        if ok and name.strip():
            self.save_layout(name.strip())
            messages().info(translate("MainWindow", "Layout “{name}” saved.").format(
                name=name.strip()))

    def reset_layout(self) -> None:
        if self._default_state is not None:
            self.dock_manager.restoreState(self._default_state, LAYOUT_VERSION)

    # -- state -----------------------------------------------------------------------------------

    def save_state(self) -> dict[str, Any]:
        """Everything a layout holds of this window."""
        return {
            "version": LAYOUT_VERSION,
            "geometry": bytes(self.saveGeometry().data()),
            "docks": bytes(self.dock_manager.saveState(LAYOUT_VERSION).data()),
            "queues": self.extra_queue_names(),
            "filters": {name: q.settings() for name, q in zip(
                ["queue", *self.extra_queue_names()], self.queues, strict=True)},
            "video": self.video.settings(),
        }

    def restore_state(self, state: dict[str, Any]) -> bool:
        """Put the window back as ``state`` says; False (and nothing changed) if it cannot."""
        if state.get("version") != LAYOUT_VERSION:
            return False
        for name in state.get("queues", []):
            if name not in self.docks:
                self.add_queue(name)
        if not self.restoreGeometry(QByteArray(state["geometry"])):
            return False
        if not self.dock_manager.restoreState(QByteArray(state["docks"]), LAYOUT_VERSION):
            return False
        names = ["queue", *self.extra_queue_names()]
        for name, queue in zip(names, self.queues, strict=True):
            if name in state.get("filters", {}):
                queue.restore(state["filters"][name])
        if isinstance(state.get("video"), dict):
            self.video.restore(state["video"])
        keep_on_screen([self, *self.dock_manager.floatingWidgets()])
        return True

    def save_layout(self, name: str) -> None:
        """Keep this window's layout as ``name``."""
        self.layouts.save(name, self.save_state())

    def restore_layout(self, name: str) -> bool:
        """Put back layout ``name``; False, and the default layout, if there is none or it
        does not fit."""
        state = self.layouts.load(name)
        if state is None:
            return False
        try:
            restored = self.restore_state(state)
        except (KeyError, TypeError, ValueError):
            restored = False
        if not restored:
            log.warning("layout %r could not be restored; the default stays", name)
            self.reset_layout()
        return restored


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
