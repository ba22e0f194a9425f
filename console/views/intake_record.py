"""What the intake asks the hub's record while the call taker types (docs/console.md "Intake"):
the caller's earlier cases and the cases near the place, over the whole record rather than the
replica's day.

:class:`RecordLookup` sends one ``search`` (console/comms/search_wire.py) a short while after
its question last changed, drops answers to questions no longer asked, and hands the rows on.
The question is the ``filters`` of the search; None asks nothing (and clears the answer).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal

from console.comms.bridge import Bridge

#: The intake's address history: cases this near the place, created this lately.
ADDRESS_RADIUS_M = 50.0
ADDRESS_WINDOW = timedelta(days=90)
#: The fewest digits a phone must have before the record is asked (each ask by phone is on the
#: audit trail; a number being typed is not yet anyone's).
PHONE_DIGITS = 7
#: How many earlier cases are listed.
ROWS = 30
#: How long typing must pause before the record is asked.
PAUSE_MS = 400


def caller_filters(phone: str) -> dict[str, Any] | None:
    """The search for a caller's earlier cases, or None while the number is too short."""
    phone = phone.strip()
    if len(re.sub(r"\D", "", phone)) < PHONE_DIGITS:
        return None
    return {"phone": phone}


def place_filters(where: tuple[float, float] | None, now: datetime) -> dict[str, Any] | None:
    """The search for the cases near ``where`` in the last :data:`ADDRESS_WINDOW`."""
    if where is None:
        return None
    return {"near": {"lat": round(where[0], 6), "lon": round(where[1], 6),
                     "metres": ADDRESS_RADIUS_M},
            "created_from": (now - ADDRESS_WINDOW).isoformat()}


class RecordLookup(QObject):
    """One question to the record, asked again whenever it changes.

    Signals:
        found(list): the rows of the latest answer (``search`` rows, newest first); empty when
            nothing is asked, nothing matched or the hub refused.
    """

    found = Signal(list)

    def __init__(self, bridge: Bridge, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._filters: dict[str, Any] | None = None
        self._asked = 0  # the number of the question last sent; older answers are dropped
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PAUSE_MS)
        self._timer.timeout.connect(self._ask)

    @property
    def filters(self) -> dict[str, Any] | None:
        return self._filters

    def ask(self, filters: dict[str, Any] | None, *, again: bool = False) -> None:
        """Ask ``filters`` shortly (None: stop asking and clear). The same question is not asked
        twice unless ``again`` (the record may have changed)."""
        if filters == self._filters and not again:
            return
        self._filters = filters
        self._asked += 1
        if filters is None:
            self._timer.stop()
            self.found.emit([])
        else:
            self._timer.start()

    def _ask(self) -> None:
        if self._filters is None:
            return
        number = self._asked
        self._bridge.request_search({"filters": self._filters, "limit": ROWS},
                                    lambda answer: self._answered(number, answer))

    def _answered(self, number: int, answer: dict[str, Any] | None) -> None:
        if not shiboken6.isValid(self) or number != self._asked:
            return
        rows = answer.get("rows") if answer is not None and answer.get("type") == "search" \
            else None
        self.found.emit(list(rows) if isinstance(rows, list) else [])
