"""The selected unit's trail: its stored positions over a chosen period, with playback.

The panel asks the hub for the unit's track (``Bridge.request_track``; the answer comes back
in the GUI thread, never waited for) and has the map draw it as a line. Playback moves a
cursor along the line in the track's own time, at 10×, 60× or 300× real time; the slider
scrubs by hand. Only the cursor crosses into the page at each step — one call, not one per
point.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from datetime import timedelta

import shiboken6
from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from console.comms.bridge import Bridge
from console.comms.client import TrackPoint
from console.comms.clock import hub_clock
from console.ui.times import time_text

PERIOD_HOURS = (1, 4, 12, 24)
SPEEDS = (10, 60, 300)
TICK_MS = 100


class TrailPanel(QWidget):
    """Trail controls for one unit.

    Args:
        draw: shows the points on the map (an empty list clears the trail).
        cursor: puts the playback cursor on a point, with its time as text.

    Signals:
        loaded(int): the track arrived with this many points (-1: no answer).
    """

    loaded = Signal(int)

    def __init__(self, bridge: Bridge, draw: Callable[[Sequence[TrackPoint]], None],
                 cursor: Callable[[TrackPoint, str], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trailPanel")
        self._bridge = bridge
        self._draw = draw
        self._cursor = cursor
        self.unit_id: str | None = None
        self.points: list[TrackPoint] = []
        self._times: list[float] = []
        self._at = 0.0  # playback position, seconds since the first point

        self.title = QLabel(self)
        self.title.setWordWrap(True)
        self.period = QComboBox(self)
        self.period.setObjectName("trailPeriod")
        self.show_button = QPushButton(self)
        self.show_button.setObjectName("trailShow")
        self.play_button = QPushButton(self)
        self.play_button.setObjectName("trailPlay")
        self.play_button.setCheckable(True)
        self.speed = QComboBox(self)
        self.speed.setObjectName("trailSpeed")
        for factor in SPEEDS:
            self.speed.addItem(f"{factor}×", factor)
        self.speed.setCurrentIndex(1)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setObjectName("trailSlider")
        self.slider.setEnabled(False)
        self.time_label = QLabel(self)
        self.close_button = QPushButton(self)
        self.message = QLabel(self)
        self.message.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(self.period, 1)
        top.addWidget(self.show_button)
        play = QHBoxLayout()
        play.addWidget(self.play_button)
        play.addWidget(self.speed)
        play.addWidget(self.time_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.title)
        layout.addLayout(top)
        layout.addLayout(play)
        layout.addWidget(self.slider)
        layout.addWidget(self.message)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.close_button)
        layout.addLayout(bottom)

        self._timer = QTimer(self, interval=TICK_MS)
        self._timer.timeout.connect(self._tick)
        self.show_button.clicked.connect(self.load)
        self.play_button.toggled.connect(self._play)
        self.slider.valueChanged.connect(self._scrub)
        self.close_button.clicked.connect(self.close_panel)
        self.retranslate()

    # -- loading ---------------------------------------------------------------------------

    def show_for(self, unit_id: str) -> None:
        if unit_id != self.unit_id:
            self._forget()
        self.unit_id = unit_id
        self._retitle()
        self.show()

    def show_points(self, unit_id: str, points: Sequence[TrackPoint]) -> None:
        """Show ``points`` (a grid worker's day, read elsewhere) as the unit's trail."""
        self.show_for(unit_id)
        self._came(unit_id, list(points))

    def load(self) -> None:
        """Ask the hub for the unit's positions over the chosen period."""
        if self.unit_id is None:
            return
        until = hub_clock.now()
        since = until - timedelta(hours=int(self.period.currentData() or 1))
        unit_id = self.unit_id
        self.message.setText(self.tr("Asking the hub…"))
        self._bridge.request_track(unit_id, since, until,
                                   lambda points: self._came(unit_id, points))

    def _came(self, unit_id: str, points: list[TrackPoint] | None) -> None:
        if not shiboken6.isValid(self) or unit_id != self.unit_id:
            return
        if points is None:
            self.message.setText(self.tr("No answer from the hub (offline?); try again."))
            self.loaded.emit(-1)
            return
        self._stop()
        self.points = list(points)
        start = self.points[0].at if self.points else None
        self._times = [(p.at - start).total_seconds() for p in self.points] if start else []
        self._draw(self.points)
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(0, len(self.points) - 1))
        self.slider.setValue(max(0, len(self.points) - 1))
        self.slider.blockSignals(False)
        self.slider.setEnabled(len(self.points) > 1)
        self.play_button.setEnabled(len(self.points) > 1)
        if self.points:
            self.message.setText(self.tr("%n position(s).", "", len(self.points)))
            self._at = self._times[-1]
            self._show_cursor(len(self.points) - 1)
        else:
            self.message.setText(self.tr("The unit reported no position in this period."))
            self.time_label.clear()
        self.loaded.emit(len(self.points))

    # -- playback --------------------------------------------------------------------------

    def _play(self, on: bool) -> None:
        if on and self.points:
            if self._at >= self._times[-1]:
                self._at = 0.0
            self._timer.start()
        else:
            self._timer.stop()
        self.play_button.setText(self.tr("Pause") if on else self.tr("Play"))

    def _tick(self) -> None:
        self._at += TICK_MS / 1000 * int(self.speed.currentData() or 1)
        if self._at >= self._times[-1]:
            self._at = self._times[-1]
            self.play_button.setChecked(False)
        index = max(0, bisect.bisect_right(self._times, self._at) - 1)
        self.slider.blockSignals(True)
        self.slider.setValue(index)
        self.slider.blockSignals(False)
        self._show_cursor(index)

    def _scrub(self, index: int) -> None:
        if 0 <= index < len(self.points):
            self._at = self._times[index]
            self._show_cursor(index)

    def _show_cursor(self, index: int) -> None:
        point = self.points[index]
        text = time_text(point.at, "%H:%M:%S")
        self.time_label.setText(text)
        self._cursor(point, text)

    def _stop(self) -> None:
        self._timer.stop()
        self.play_button.blockSignals(True)
        self.play_button.setChecked(False)
        self.play_button.blockSignals(False)
        self.play_button.setText(self.tr("Play"))

    def _forget(self) -> None:
        self._stop()
        if self.points:
            self._draw([])
        self.points, self._times = [], []
        self.slider.setEnabled(False)
        self.play_button.setEnabled(False)
        self.time_label.clear()
        self.message.clear()

    def close_panel(self) -> None:
        self._forget()
        self.unit_id = None
        self.hide()

    # -- language --------------------------------------------------------------------------

    def _retitle(self) -> None:
        self.title.setText(self.tr("Trail of {unit}").format(unit=self.unit_id)
                           if self.unit_id else "")

    def retranslate(self) -> None:
        current = self.period.currentData()
        self.period.blockSignals(True)
        self.period.clear()
        for hours in PERIOD_HOURS:
            self.period.addItem(self.tr("Last %n hour(s)", "", hours), hours)
        found = self.period.findData(current)
        self.period.setCurrentIndex(found if found >= 0 else 0)
        self.period.blockSignals(False)
        self.show_button.setText(self.tr("Show trail"))
        self.play_button.setText(self.tr("Pause") if self.play_button.isChecked()
                                 else self.tr("Play"))
        self.close_button.setText(self.tr("Close"))
        self._retitle()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
