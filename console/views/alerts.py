"""The strips across the top of every main window that nobody at a desk may miss, and the sound.

- :class:`MajorIncidentBanner` — red, while a major incident (重大事件) is active: its level,
  title and commander and the latest broadcast, one line per major incident, gravest first.
  It appears with the alert sound, sounds again for each new broadcast, and goes at stand-down.
- :class:`SupervisionNotice` — amber, on a department desk when a duty leader supervises
  (督办) a case its department leads (the ``incident.supervised`` event names the desk); on the
  center's controllers when the case has no lead department yet. After a fresh snapshot it says
  how many of the desk's open cases are under supervision. Each case links to the incident.
- :func:`alert_sound` — one per connection (the bridge), so the windows of one console do not
  sound twice: a short WAV (``resources/sounds/alert.wav``) through QtMultimedia, or the system
  beep where there is no audio output (a headless test machine).

Both strips read the replica when the bridge says it changed; neither holds a rule.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Hashable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, QObject, Qt, QUrl, Signal
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.comms.bridge import Bridge
from console.comms.replica import ChangeSet
from console.domain.major import Level, MajorIncident
from console.domain.model import IncidentState
from console.domain.resources import RESOURCES
from console.ui.times import time_text

log = logging.getLogger(__name__)
translate = QCoreApplication.translate

SOUND = RESOURCES / "sounds" / "alert.wav"
LEVELS = {
    Level.I: QT_TRANSLATE_NOOP("MajorIncident", "Level I"),
    Level.II: QT_TRANSLATE_NOOP("MajorIncident", "Level II"),
    Level.III: QT_TRANSLATE_NOOP("MajorIncident", "Level III"),
    Level.IV: QT_TRANSLATE_NOOP("MajorIncident", "Level IV"),
}
_LEVEL_ORDER = list(Level)


def level_text(level: Level) -> str:
    return translate("MajorIncident", LEVELS[level])


class AlertSound(QObject):
    """Plays the alert once per reason (``key``), whichever window asks first.

    Attributes:
        played: the keys sounded so far, in order (tests read it: there may be no speaker).
        repeated: the keys sounded again (:meth:`repeat`), in order.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.played: list[Hashable] = []
        self.repeated: list[Hashable] = []
        #: The keys sounded, oldest first: none sounds twice. A console runs for weeks, so the
        #: oldest are forgotten past :attr:`REMEMBERED` (and the lists above keep the latest).
        self._sounded: dict[Hashable, None] = {}
        self._effect: object | None = None
        self._device_checked = False

    REMEMBERED = 20_000

    def play(self, key: Hashable) -> bool:
        """Sound the alert for ``key`` unless it sounded already; True if it did now."""
        if key in self._sounded:
            return False
        self._sounded[key] = None
        if len(self._sounded) > self.REMEMBERED:
            del self._sounded[next(iter(self._sounded))]
        _keep(self.played, key, self.REMEMBERED)
        self._sound()
        return True

    def repeat(self, key: Hashable) -> None:
        """Sound the alert for ``key`` again: it still waits for someone to acknowledge it."""
        _keep(self.repeated, key, self.REMEMBERED)
        self._sound()

    def _sound(self) -> None:
        effect = self._sound_effect()
        if effect is None:
            QApplication.beep()
        else:
            effect.play()  # type: ignore[attr-defined]

    def _sound_effect(self) -> object | None:
        """The QSoundEffect on the bundled WAV, or None without QtMultimedia or an output."""
        if self._device_checked:
            return self._effect
        self._device_checked = True
        try:
            from PySide6.QtMultimedia import QMediaDevices, QSoundEffect
        except ImportError:  # QtMultimedia needs libpulse; the beep does not
            log.info("alert sound: QtMultimedia unavailable, using the system beep")
            return None
        if not QMediaDevices.audioOutputs() or not SOUND.exists():
            return None
        effect = QSoundEffect(self)
        effect.setSource(QUrl.fromLocalFile(str(SOUND)))
        effect.setVolume(0.9)
        self._effect = effect
        return effect


def _keep(latest: list[Hashable], key: Hashable, most: int) -> None:
    latest.append(key)
    if len(latest) > 2 * most:
        del latest[:-most]


def alert_sound(bridge: Bridge) -> AlertSound:
    """The alert sound of the console on ``bridge`` (made on first use, in the GUI thread)."""
    sound = bridge.findChild(AlertSound)
    return sound if sound is not None else AlertSound(bridge)


def active_majors(majors: list[MajorIncident]) -> list[MajorIncident]:
    """The active major incidents, gravest level first, then oldest first."""
    return sorted((m for m in majors if m.active),
                  key=lambda m: (_LEVEL_ORDER.index(m.level), m.declared_at, m.id))


class MajorIncidentBanner(QLabel):
    """The red strip over the docks while a major incident is active.

    Signals:
        open_board(str): the user clicked a major incident (the board shows it).
    """

    open_board = Signal(str)

    def __init__(self, bridge: Bridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("majorIncidentBanner")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setStyleSheet("QLabel { background: #a50e0e; color: white; padding: 6px 10px;"
                           " font-weight: bold; font-size: 110%; }")
        self.linkActivated.connect(self.open_board.emit)
        self.bridge = bridge
        #: The major incidents shown, gravest first (for tests and the board).
        self.shown: list[str] = []
        bridge.changed.connect(self._changed)
        self.refresh()

    def _changed(self, change: ChangeSet) -> None:
        if change.major_incidents is not None:
            self.refresh()

    def refresh(self) -> None:
        majors = active_majors(list(self.bridge.replica.major_incidents.values()))
        self.shown = [m.id for m in majors]
        for major in majors:  # new ones, and each new broadcast, sound once
            alert_sound(self.bridge).play((major.id, major.message_at or major.declared_at))
        if not majors:
            self.hide()
            self.clear()
            return
        self.setText("<br>".join(self.line(m) for m in majors))
        self.show()

    @staticmethod
    def line(major: MajorIncident) -> str:
        """One major incident as the banner says it (rich text, escaped)."""
        text = translate("MajorIncident", "{level} major incident {id}: {title} · commander "
                         "{commander}").format(
            level=level_text(major.level), id=_link(major.id, "white"),
            title=html.escape(major.title), commander=html.escape(major.commander))
        if major.message:
            at = time_text(major.message_at or major.declared_at, "%H:%M")
            text += " — " + translate("MajorIncident", "{time} broadcast: {message}").format(
                time=at, message=html.escape(major.message))
        return text

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.refresh()
        super().changeEvent(event)


class SupervisionNotice(QWidget):
    """The amber strip on a desk whose case a duty leader has put under supervision.

    Signals:
        open_incident(str): the user clicked a case.
    """

    open_incident = Signal(str)

    def __init__(self, bridge: Bridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("supervisionNotice")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet("#supervisionNotice { background: #f6c343; }"
                           " QLabel { color: #3a2a00; font-weight: bold; }")
        self.bridge = bridge
        self.text = QLabel(self)
        self.text.setObjectName("supervisionText")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.linkActivated.connect(self.open_incident.emit)
        self.dismiss = QPushButton(self)
        self.dismiss.setObjectName("supervisionDismiss")
        self.dismiss.clicked.connect(self.clear)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 4, 6, 4)
        row.addWidget(self.text, 1)
        row.addWidget(self.dismiss)
        #: (incident id, note) of the reminders shown, newest first.
        self.notices: list[tuple[str, str]] = []
        self._summary = 0
        bridge.changed.connect(self._changed)
        self.retranslate()
        self.hide()

    def concerns_me(self, department: str | None) -> bool:
        """Whether a supervision of a case led by ``department`` is this desk's to answer: the
        department's own desk, or the center's controllers for a case without a lead."""
        user = self.bridge.replica.user
        if user is None:
            return False
        if department is not None:
            return "department" in user.roles and user.department == department
        return "controller" in user.roles

    def _changed(self, change: ChangeSet) -> None:
        replica = self.bridge.replica
        if change.reset:
            mine = [i for i in replica.incidents.values() if i.supervised and not i.finished
                    and i.state is not IncidentState.WITH_POLICE
                    and self.concerns_me(i.lead_department)]
            self._summary = len(mine)
        fresh = [(str(e.data["id"]), str(e.data.get("note") or "")) for _, e in change.events
                 if e.name == "incident.supervised"
                 and self.concerns_me(e.data.get("department"))]
        if fresh:
            self.notices = [*reversed(fresh), *self.notices][:5]
            for incident_id, _ in fresh:
                alert_sound(self.bridge).play(("supervised", incident_id))
        if fresh or change.reset:
            self._render()

    def clear(self) -> None:
        self.notices = []
        self._summary = 0
        self._render()

    def _render(self) -> None:
        lines = [translate("SupervisionNotice", "Supervised by the duty leader: {id} — "
                           "{note}").format(id=_link(i, "#3a2a00"), note=html.escape(n))
                 for i, n in self.notices]
        if self._summary and not self.notices:
            lines.append(translate("SupervisionNotice", "Your open cases under supervision: "
                                   "%n. The queue's Supervised filter lists them.",
                                   "", self._summary))
        self.text.setText("<br>".join(lines))
        self.setVisible(bool(lines))

    def retranslate(self) -> None:
        self.dismiss.setText(translate("SupervisionNotice", "Dismiss"))
        self._render()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


class AlertStrips(QWidget):
    """Both strips, stacked, for a main window to put over its docks.

    Signals:
        open_incident(str): a supervised case was clicked.
        open_major(str): a major incident was clicked.
    """

    open_incident = Signal(str)
    open_major = Signal(str)

    def __init__(self, bridge: Bridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.major = MajorIncidentBanner(bridge, self)
        self.supervision = SupervisionNotice(bridge, self)
        self.major.open_board.connect(self.open_major.emit)
        self.supervision.open_incident.connect(self.open_incident.emit)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.major)
        column.addWidget(self.supervision)


def _link(target: str, colour: str) -> str:
    """A link in a strip's rich text, in the strip's own colour (a QLabel's style sheet does
    not reach the anchors of its rich text)."""
    return (f'<a href="{html.escape(target)}" style="color: {colour};">'
            f"{html.escape(target)}</a>")
