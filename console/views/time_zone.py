"""*Settings → Time zone*: the district's zone (the default) or this computer's.

Every time the console shows goes through ``console.ui.times``; this menu sets its zone from
the ``time_zone`` setting when a window is made, and when the user picks another one it asks
every widget to draw itself again (the same ``LanguageChange`` a language switch sends, which
every view already answers by redrawing its texts).
"""

from __future__ import annotations

from datetime import tzinfo

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSettings
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QApplication, QMenu

from console.ui import times

KEY = "time_zone"
translate = QCoreApplication.translate  # the name pyside6-lupdate looks for


def apply_setting(settings: QSettings, district: tzinfo) -> None:
    """Show times in the zone the settings name (the district's unless chosen otherwise)."""
    times.use_zone(times.zone_for(settings.value(KEY, times.DISTRICT), district))


class TimeZoneMenu(QObject):
    """The submenu of the settings menu that chooses the zone times are shown in."""

    def __init__(self, settings_menu: QMenu, settings: QSettings, district: tzinfo) -> None:
        super().__init__(settings_menu)
        self._settings = settings
        self._district = district
        self.menu = settings_menu.addMenu("")
        self.menu.setObjectName("timeZoneMenu")
        group = QActionGroup(self)
        self.actions: dict[str, QAction] = {}
        for value in (times.DISTRICT, times.COMPUTER):
            action = QAction(self.menu)
            action.setCheckable(True)
            action.setObjectName(f"time_zone_{value}")
            action.triggered.connect(lambda _c=False, value=value: self.choose(value))
            group.addAction(action)
            self.menu.addAction(action)
            self.actions[value] = action
        apply_setting(settings, district)
        self.retranslate()

    def choose(self, value: str) -> None:
        self._settings.setValue(KEY, value)
        apply_setting(self._settings, self._district)
        for widget in QApplication.allWidgets():
            QCoreApplication.postEvent(widget, QEvent(QEvent.Type.LanguageChange))

    def retranslate(self) -> None:
        self.menu.setTitle(translate("TimeZoneMenu", "Time zone"))
        self.actions[times.DISTRICT].setText(
            translate("TimeZoneMenu", "The district's time ({zone})").format(zone=self._district))
        self.actions[times.COMPUTER].setText(
            translate("TimeZoneMenu", "This computer's time ({zone})").format(
                zone=times.computer_zone()))
        chosen = times.COMPUTER if self._settings.value(KEY) == times.COMPUTER \
            else times.DISTRICT
        for value, action in self.actions.items():
            action.setChecked(value == chosen)
