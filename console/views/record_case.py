"""One case read from the hub's record (the ``case`` request, docs/protocol.md "Search"): what a
view shows of a case its replica does not hold — closed more than a day ago, opened from the
Records dock or the intake's history. Asked when followed and live (again once the link is back
if unanswered, and whenever the view says the case changed); the answer comes on the GUI thread.
"""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal

from console.comms.bridge import Bridge
from console.domain.incident import Incident


class RecordCase(QObject):
    """The followed case as the hub's record has it (:attr:`incident`, None until it comes, when
    the replica holds it, or when the hub has no such case for this user).

    Signals:
        changed(): :attr:`incident` was answered.
    """

    changed = Signal()

    def __init__(self, bridge: Bridge, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._id: str | None = None
        self._asked = False
        self.incident: Incident | None = None

    def follow(self, incident_id: str | None) -> None:
        """Follow ``incident_id`` (None: none) and ask for it when the replica lacks it."""
        self._id = incident_id
        self.incident = None
        self._asked = False
        self.ask()

    def ask(self, *, unless_asked: bool = False) -> None:
        """Ask the hub for the followed case (when live and the replica lacks it)."""
        iid = self._id
        if iid is None or iid in self._bridge.replica.incidents or self._bridge.state != "live" \
                or (unless_asked and self._asked):
            return
        self._asked = True
        self._bridge.request_case(iid, lambda answer, asked=iid: self._came(asked, answer))

    def _came(self, asked: str, answer: dict[str, Any] | None) -> None:
        if not shiboken6.isValid(self) or asked != self._id:
            return
        if answer is None:
            self._asked = False  # ask again when the link is back
            return
        document = answer.get("case") if answer.get("type") == "case" else None
        try:
            self.incident = Incident.from_dict(document) if document else None
        except (KeyError, TypeError, ValueError):
            self.incident = None
        self.changed.emit()
