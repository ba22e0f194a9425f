"""The SOS strip: a field unit has called for help (``unit.sos``) and no controller has seen to it.

Red, over every other strip, on the consoles of the center's desks (controllers, duty leaders,
the wall display): one line per unit calling, oldest first, with where and what it said. It
sounds with the connection's alert sound (:func:`console.views.alerts.alert_sound`) when a call
arrives and again every :attr:`SosAlarm.REPEAT_S` seconds while any waits. *Acknowledge* sends
``unit.sos_clear`` for the oldest call; the hub's ``unit.sos_cleared`` then takes it off every
console. The calls are the replica's units with ``sos`` set, so a console that connects later
finds them in its snapshot.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from console.comms.bridge import Bridge
from console.comms.replica import ChangeSet
from console.domain.units import Unit
from console.ui.times import time_text
from console.views.alerts import alert_sound

translate = QCoreApplication.translate
#: The desks that hear a unit's call for help.
_HEARING = frozenset({"controller", "duty_leader", "viewer"})


class SosAlarm(QWidget):
    """The strip of waiting calls for help.

    Signals:
        show_unit(str): the user clicked a unit (the map shows it).
    """

    show_unit = Signal(str)
    REPEAT_S = 15.0

    def __init__(self, bridge: Bridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sosAlarm")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet("#sosAlarm { background: #d00000; }"
                           " QLabel { color: white; font-weight: bold; font-size: 115%; }")
        self.bridge = bridge
        self.text = QLabel(self)
        self.text.setObjectName("sosText")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.linkActivated.connect(self.show_unit.emit)
        self.acknowledge = QPushButton(self)
        self.acknowledge.setObjectName("sosAcknowledge")
        self.acknowledge.clicked.connect(self.clear_oldest)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 4, 6, 4)
        row.addWidget(self.text, 1)
        row.addWidget(self.acknowledge)
        #: The units calling, oldest call first (for tests and the map).
        self.calling: list[str] = []
        self._repeat = QTimer(self, interval=int(self.REPEAT_S * 1000))
        self._repeat.timeout.connect(self._ring_again)
        bridge.changed.connect(self._changed)
        self.retranslate()
        self.hide()

    def hears(self) -> bool:
        user = self.bridge.replica.user
        return user is not None and bool(_HEARING & set(user.roles))

    def may_clear(self) -> bool:
        user = self.bridge.replica.user
        return user is not None and self.bridge.rules.roles.allows(
            [r for r in self.bridge.rules.roles.commands if r.value in user.roles],
            "unit.sos_clear")

    def _changed(self, change: ChangeSet) -> None:
        if change.reset or any(u.sos is not None or u.id in self.calling
                               for u in change.units.values()):
            self.refresh()

    def refresh(self) -> None:
        units = self.bridge.replica.units
        calling = sorted((u for u in units.values() if u.sos is not None),
                         key=lambda u: (u.sos.at if u.sos else 0, u.id)) if self.hears() else []
        self.calling = [u.id for u in calling]
        for unit in calling:  # a new call sounds once; repeats while any waits
            assert unit.sos is not None
            alert_sound(self.bridge).play(("sos", unit.id, unit.sos.at.isoformat()))
        if calling and not self._repeat.isActive():
            self._repeat.start()
        elif not calling:
            self._repeat.stop()
        self.text.setText("<br>".join(self.line(u) for u in calling))
        self.acknowledge.setEnabled(self.may_clear())
        self.setVisible(bool(calling))

    @staticmethod
    def line(unit: Unit) -> str:
        sos = unit.sos
        assert sos is not None
        text = translate("SosAlarm", "SOS from {unit} at {time} ({lat:.5f}, {lon:.5f})").format(
            unit=f'<a href="{html.escape(unit.id)}" style="color: white;">'
                 f"{html.escape(unit.name)} ({html.escape(unit.id)})</a>",
            time=time_text(sos.at, "%H:%M:%S"), lat=sos.lat, lon=sos.lon)
        return text + (f" — {html.escape(sos.text)}" if sos.text else "")

    def clear_oldest(self) -> None:
        if self.calling:
            self.bridge.submit("unit.sos_clear", {"id": self.calling[0]})

    def _ring_again(self) -> None:
        units = self.bridge.replica.units
        for uid in self.calling:
            unit = units.get(uid)
            if unit is not None and unit.sos is not None:
                alert_sound(self.bridge).repeat(("sos", uid, unit.sos.at.isoformat()))
                return

    def retranslate(self) -> None:
        self.acknowledge.setText(translate("SosAlarm", "Acknowledge SOS"))
        self.refresh()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
