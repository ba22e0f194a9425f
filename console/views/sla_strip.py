"""The SLA strip at the top of the incident detail: the clock that falls due next, at a glance.

One line — the stage whose clock runs (accept, assign, sign, arrive, resolve, reply), when it
falls due and how long is left — on a background that says how far the clock has run: neutral
below 80 % of its limit, amber from 80 %, red once overdue (the levels are the domain's,
:meth:`~console.domain.sla.SlaClock.level`, the same as the queue's countdown).

The clock is the replica's (``replica.deadlines``): the client works it out off the GUI thread
from the working calendar, so the strip's once-a-second update is a subtraction and a format,
never a walk of the calendar. Due times go through the console's one time format
(:func:`~console.views.incident_words.when_text`), so they follow the district's zone with
everything else.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel, QWidget

from console.domain.sla import ClockLevel, SlaClock
from console.ui.text import countdown_text
from console.views.incident_words import stage_label, when_text

CONTEXT = "SlaStrip"
translate = QCoreApplication.translate  # the name pyside6-lupdate looks for

#: Background and text colour per level (the queue's countdown colours, and a calm neutral).
COLOURS = {
    ClockLevel.OK: ("#e8f0fe", "#1a3a6b"),
    ClockLevel.HALF: ("#e8f0fe", "#1a3a6b"),
    ClockLevel.AMBER: ("#f6c343", "#3a2a00"),
    ClockLevel.OVERDUE: ("#d93a3a", "#ffffff"),
}
_NO_CLOCK = ("#eeeeee", "#5f6368")


class SlaStrip(QLabel):
    """Stage, due time and time left of the incident's running clock, coloured by its level.

    Attributes:
        level: the level shown (None: no clock runs, or no incident).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("slaStrip")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.level: ClockLevel | None = None
        self._clock: SlaClock | None = None
        self._shown = False
        self._colours: tuple[str, str] | None = None
        self.show_clock(None, None)

    def show_clock(self, clock: SlaClock | None, now: datetime | None,
                   incident_shown: bool = True) -> None:
        """Show ``clock`` as of ``now`` (None: no running clock; ``incident_shown`` False: the
        detail shows no incident and the strip hides)."""
        self._clock, self._shown = clock, incident_shown
        self.setVisible(incident_shown)
        if clock is None or now is None:
            self.level = None
            self.setText(translate("SlaStrip", "No time limit is running."))
            self.setToolTip("")
            self._paint(_NO_CLOCK)
            return
        self.level = clock.level(now)
        remaining = clock.remaining(now)
        values = {"stage": stage_label(clock.stage.value), "due": when_text(clock.due_at, now),
                  "time": countdown_text(abs(remaining))}
        if self.level is ClockLevel.OVERDUE:
            text = translate("SlaStrip", "{stage} · due {due} · overdue by {time}")
        else:
            text = translate("SlaStrip", "{stage} · due {due} · {time} left")
        self.setText(text.format(**values))
        self.setToolTip(translate(
            "SlaStrip", "The time limit that falls due next: amber from 80 % of it, red once it "
                       "has passed. {used:.0f} % used.").format(used=clock.fraction(now) * 100))
        self._paint(COLOURS[self.level])

    def _paint(self, colours: tuple[str, str]) -> None:
        if colours == self._colours:
            return  # a style sheet costs a re-polish: only when the level changes
        self._colours = colours
        background, text = colours
        self.setStyleSheet(f"QLabel#slaStrip {{ background: {background}; color: {text};"
                           " font-weight: bold; padding: 4px 8px; border-radius: 3px; }")
