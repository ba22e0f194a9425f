"""The incident queue's columns: what each shows and what it sorts by.

:class:`QueueColumns` holds the translated labels of one language (re-read by
:meth:`~QueueColumns.retranslate`) and the :class:`~console.ui.names.DisplayNames` the model
replaces when the language or the taxonomy changes. Sort keys read both late, so a renamed
category re-sorts without a new key function. The deadline column is the model's own: its text
depends on the model's *now*.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP

from console.comms.replica import Replica
from console.domain.incident import Incident
from console.domain.model import IncidentState, Priority
from console.ui.names import (
    PRIORITY_LABELS,
    SOURCE_LABELS,
    STAGE_LABELS,
    STATE_LABELS,
    DisplayNames,
    tr,
)

_INF = float("inf")
MAX_TEXT = "\U0010ffff"  # sorts after every real label


class Column(IntEnum):
    ID = 0
    PRIORITY = 1
    CATEGORY = 2
    PLACE = 3
    SOURCE = 4
    STATE = 5
    ASSIGNEE = 6
    DEADLINE = 7
    SUPERVISED = 8


_HEADERS = {
    Column.ID: QT_TRANSLATE_NOOP("IncidentQueueModel", "ID"),
    Column.PRIORITY: QT_TRANSLATE_NOOP("IncidentQueueModel", "Priority"),
    Column.CATEGORY: QT_TRANSLATE_NOOP("IncidentQueueModel", "Category"),
    Column.PLACE: QT_TRANSLATE_NOOP("IncidentQueueModel", "Street / community"),
    Column.SOURCE: QT_TRANSLATE_NOOP("IncidentQueueModel", "Source"),
    Column.STATE: QT_TRANSLATE_NOOP("IncidentQueueModel", "State"),
    Column.ASSIGNEE: QT_TRANSLATE_NOOP("IncidentQueueModel", "Assignee"),
    Column.DEADLINE: QT_TRANSLATE_NOOP("IncidentQueueModel", "Next deadline"),
    Column.SUPERVISED: QT_TRANSLATE_NOOP("IncidentQueueModel", "Supervised"),
}
_SUPERVISED = QT_TRANSLATE_NOOP("IncidentQueueModel", "Supervised")
#: Countdowns of a day or more: "2d 04h" (Chinese: "2天04时").
_DAYS_FORMAT = QT_TRANSLATE_NOOP("IncidentQueueModel", "{days}d {hours:02d}h")
_STATE_ORDER = {state: n for n, state in enumerate(IncidentState)}
_PRIORITY_ORDER = {priority: n for n, priority in enumerate(Priority)}
#: The columns whose order depends on names or labels: a language or taxonomy change re-sorts.
LABEL_SORTED = frozenset({Column.CATEGORY, Column.PLACE, Column.SOURCE, Column.ASSIGNEE})


class QueueColumns:
    """The text of every column but the deadline, and the sort key of every column.

    Args:
        names: category, department, street and community names (replace :attr:`names` when
            they change).
    """

    def __init__(self, names: DisplayNames) -> None:
        self.names = names
        self.retranslate()

    def retranslate(self) -> None:
        """Re-read every label through the installed translators."""
        self.headers = [tr(_HEADERS[c]) for c in Column]
        self.priorities = {p: tr(t) for p, t in PRIORITY_LABELS.items()}
        self.sources = {s: tr(t) for s, t in SOURCE_LABELS.items()}
        self.states = {s: tr(t) for s, t in STATE_LABELS.items()}
        self.stages = {s: tr(t) for s, t in STAGE_LABELS.items()}
        self.supervised = tr(_SUPERVISED)
        self.days_format = tr(_DAYS_FORMAT)

    def text(self, column: int, inc: Incident) -> str:
        """What ``column`` shows for ``inc`` ("" for the deadline: the model's to say)."""
        if column == Column.ID:
            return inc.id
        if column == Column.PRIORITY:
            return self.priorities[inc.priority]
        if column == Column.CATEGORY:
            return self.names.category(inc.category)
        if column == Column.PLACE:
            return self.place(inc)
        if column == Column.SOURCE:
            return self.sources[inc.source]
        if column == Column.STATE:
            return self.states[inc.state]
        if column == Column.ASSIGNEE:
            return self.assignee(inc)
        if column == Column.SUPERVISED:
            return self.supervised if inc.supervised else ""
        return ""

    def place(self, inc: Incident) -> str:
        street, community = inc.location.street, inc.location.community
        parts = []
        if street:
            parts.append(self.names.street(street))
        if community:
            parts.append(self.names.community(community))
        return " / ".join(parts)

    def assignee(self, inc: Incident) -> str:
        """The lead department, then the units still out on it: ``城管局 · U45, U46``."""
        units = ", ".join(a.unit for a in inc.assignments if a.active)
        lead = self.names.department(inc.lead_department) if inc.lead_department else ""
        if lead and units:
            return f"{lead} · {units}"
        return lead or units

    def sort_key(self, column: Column, descending: bool, replica: Replica,
                 due: Mapping[str, float]) -> Callable[[str], Any]:
        """The primary sort key of an incident id for ``column`` and the order.

        Rows without a value (no running clock, no street, no assignee) sort last either way.
        ``replica`` is read late (its incidents dict is replaced on a reset), as is ``due``,
        the due timestamps of the running clocks.
        """
        missing_num = -_INF if descending else _INF
        missing_text = "" if descending else MAX_TEXT
        if column == Column.DEADLINE:
            return lambda iid: due.get(iid, missing_num)
        if column == Column.PRIORITY:
            return lambda iid: (_PRIORITY_ORDER[replica.incidents[iid].priority],
                                due.get(iid, missing_num))
        if column == Column.STATE:
            return lambda iid: _STATE_ORDER[replica.incidents[iid].state]
        if column == Column.SUPERVISED:
            return lambda iid: 0 if replica.incidents[iid].supervised else 1
        if column == Column.ID:
            return lambda iid: iid
        text: Callable[[Incident], str] = {
            Column.CATEGORY: lambda inc: self.names.category(inc.category),
            Column.PLACE: self.place,
            Column.SOURCE: lambda inc: self.sources[inc.source],
            Column.ASSIGNEE: self.assignee,
        }[column]
        return lambda iid: text(replica.incidents[iid]) or missing_text
