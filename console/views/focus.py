"""Keyboard focus goes back where it was when a dialog closes.

A window manager usually re-activates the window under a closed dialog, but not always the
widget that had the keyboard; without one (a kiosk, a wall display, the offscreen tests) nothing
is active afterwards and the next key a controller types goes nowhere. :class:`FocusReturn`
watches the main windows: when a modal dialog blocks one (``QEvent.WindowBlocked``: an action
dialog opened window-modal, a message box, a file or input dialog) it remembers the widget of
that window that had the focus, and when the window is unblocked again (the last dialog over it
closed) it activates the window and gives that widget the focus back — on the next turn of the
event loop, after the dialog's own handling.

It filters the events of the main windows only, never every event of the application: an
application-wide filter would run Python for each paint and mouse move of the whole console.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget
from shiboken6 import getCppPointer, isValid


class FocusReturn(QObject):
    """The application's one focus keeper (:func:`keep_focus_after_dialogs` makes it)."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.setObjectName("focusReturn")
        # By the window's C++ address. The widget's wrapper does not keep it alive; isValid()
        # says whether it still is.
        self._had_focus: dict[int, QWidget] = {}

    def watch(self, window: QWidget) -> None:
        """Give ``window`` its focus back after every modal dialog over it."""
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.WindowBlocked and isinstance(watched, QWidget):
            focus = watched.focusWidget()
            if focus is not None:
                self._had_focus[_key(watched)] = focus
        elif kind == QEvent.Type.WindowUnblocked and isinstance(watched, QWidget):
            focus = self._had_focus.pop(_key(watched), None)
            if focus is not None:
                QTimer.singleShot(0, self, lambda: _give_back(focus))
        return False


def _key(widget: QObject) -> int:
    return int(getCppPointer(widget)[0])


def _give_back(widget: QWidget) -> None:
    if not isValid(widget) or not widget.isVisible():
        return
    window = widget.window()
    if QApplication.activeModalWidget() is not None:
        return  # another dialog came up meanwhile: its closing gives the focus back
    window.activateWindow()
    widget.setFocus(Qt.FocusReason.ActiveWindowFocusReason)


def keep_focus_after_dialogs(window: QWidget) -> FocusReturn | None:
    """Give ``window`` its keyboard focus back after each dialog (None without an application).

    One keeper serves every window of the application.
    """
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return None
    keeper = app.findChild(FocusReturn, "focusReturn") or FocusReturn(app)
    keeper.watch(window)
    return keeper
