"""The words of an incident's history: assignment states, verification methods, extension
units and statuses, and the timeline's lines.

The dialogs of :mod:`console.views.incident_actions`, the detail's lists and the timeline all
say these things the same way. Contexts stay those the words were first written under
(``IncidentActions`` for the dialogs' words, ``IncidentTimeline`` for the timeline's).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from console.comms.clock import hub_clock
from console.domain.model import AssignmentState, Source
from console.domain.sla import Stage
from console.ui.names import DisplayNames, source_name, stage_name
from console.ui.times import local

translate = QCoreApplication.translate  # the name pyside6-lupdate looks for

ASSIGNMENT_STATES = {
    AssignmentState.DISPATCHED: QT_TRANSLATE_NOOP("IncidentActions", "Dispatched"),
    AssignmentState.ACKNOWLEDGED: QT_TRANSLATE_NOOP("IncidentActions", "Acknowledged"),
    AssignmentState.EN_ROUTE: QT_TRANSLATE_NOOP("IncidentActions", "En route"),
    AssignmentState.ON_SCENE: QT_TRANSLATE_NOOP("IncidentActions", "On scene"),
    AssignmentState.CLEARED: QT_TRANSLATE_NOOP("IncidentActions", "Cleared"),
    AssignmentState.CANCELLED: QT_TRANSLATE_NOOP("IncidentActions", "Cancelled"),
}
VERIFY_METHODS = {
    "callback": QT_TRANSLATE_NOOP("IncidentActions", "Callback to the reporter"),
    "site": QT_TRANSLATE_NOOP("IncidentActions", "On site"),
}
#: The reporter's satisfaction on the callback's scale (console/domain/satisfaction.py).
SATISFACTION = {
    "satisfied": QT_TRANSLATE_NOOP("IncidentActions", "Satisfied"),
    "basically_satisfied": QT_TRANSLATE_NOOP("IncidentActions", "Basically satisfied"),
    "dissatisfied": QT_TRANSLATE_NOOP("IncidentActions", "Dissatisfied"),
}
EXTENSION_UNITS = {
    "hours": QT_TRANSLATE_NOOP("IncidentActions", "hours"),
    "working_days": QT_TRANSLATE_NOOP("IncidentActions", "working days"),
    "minutes": QT_TRANSLATE_NOOP("IncidentActions", "minutes"),
}

#: What each event did, as the timeline says it after "time actor".
EVENT_TEXT = {
    "incident.created": QT_TRANSLATE_NOOP("IncidentTimeline", "created ({source})"),
    "incident.accepted": QT_TRANSLATE_NOOP("IncidentTimeline", "accepted"),
    "incident.classified": QT_TRANSLATE_NOOP("IncidentTimeline", "classified it as {category}"),
    "incident.rejected": QT_TRANSLATE_NOOP("IncidentTimeline", "rejected: {reason}"),
    "incident.answered": QT_TRANSLATE_NOOP("IncidentTimeline", "answered and closed: {answer}"),
    "incident.merged": QT_TRANSLATE_NOOP("IncidentTimeline", "merged into {into}"),
    "incident.assigned": QT_TRANSLATE_NOOP("IncidentTimeline", "assigned to {department}"),
    "incident.signed": QT_TRANSLATE_NOOP("IncidentTimeline", "signed for ({department})"),
    "incident.returned": QT_TRANSLATE_NOOP("IncidentTimeline", "returned it: {reason}"),
    "incident.resolved": QT_TRANSLATE_NOOP("IncidentTimeline", "resolved: {result}"),
    "incident.verified": QT_TRANSLATE_NOOP("IncidentTimeline", "verified ({method}): {note}"),
    "incident.verification_failed": QT_TRANSLATE_NOOP(
        "IncidentTimeline", "verification failed ({method}): {note}"),
    "incident.closed": QT_TRANSLATE_NOOP("IncidentTimeline", "closed"),
    "incident.reopened": QT_TRANSLATE_NOOP("IncidentTimeline", "reopened: {reason}"),
    "incident.escalated": QT_TRANSLATE_NOOP("IncidentTimeline",
                                            "escalated to the police: {reason}"),
    "incident.police_acknowledged": QT_TRANSLATE_NOOP("IncidentTimeline",
                                                      "acknowledged for the police"),
    "incident.police_rejected": QT_TRANSLATE_NOOP("IncidentTimeline",
                                                  "returned it for the police: {cause}"),
    "incident.police_disposed": QT_TRANSLATE_NOOP(
        "IncidentTimeline", "reported the police disposition: {disposition}"),
    "incident.police_aborted": QT_TRANSLATE_NOOP("IncidentTimeline",
                                                 "the police could not finish it: {cause}"),
    "incident.police_updated": QT_TRANSLATE_NOOP("IncidentTimeline",
                                                 "the police added to the case"),
    "incident.police_cancelled": QT_TRANSLATE_NOOP("IncidentTimeline",
                                                   "the police withdrew the case: {cause}"),
    "police.message_delivered": QT_TRANSLATE_NOOP("IncidentTimeline",
                                                  "the police received message {message}"),
    "major.incident_linked": QT_TRANSLATE_NOOP("IncidentTimeline",
                                               "linked to major incident {id}"),
    "incident.noted": QT_TRANSLATE_NOOP("IncidentTimeline", "noted: {text}"),
    "incident.attachment_added": QT_TRANSLATE_NOOP("IncidentTimeline", "attached {filename}"),
    "incident.confidentiality_changed": QT_TRANSLATE_NOOP("IncidentTimeline",
                                                          "marked it confidential"),
    "incident.supervised": QT_TRANSLATE_NOOP("IncidentTimeline", "supervised: {note}"),
    "incident.extension_requested": QT_TRANSLATE_NOOP(
        "IncidentTimeline", "asked for {extra} more on the {stage} deadline: {reason}"),
    "incident.extension_approved": QT_TRANSLATE_NOOP("IncidentTimeline",
                                                     "approved extension {request}"),
    "incident.extension_refused": QT_TRANSLATE_NOOP("IncidentTimeline",
                                                    "refused extension {request}: {reason}"),
    "assignment.dispatched": QT_TRANSLATE_NOOP("IncidentTimeline", "dispatched {unit}"),
    "assignment.updated": QT_TRANSLATE_NOOP("IncidentTimeline", "reported {unit} {status}"),
}
EXTENSION_STATUS = {
    "pending": QT_TRANSLATE_NOOP("IncidentTimeline", "Pending"),
    "approved": QT_TRANSLATE_NOOP("IncidentTimeline", "Approved"),
    "refused": QT_TRANSLATE_NOOP("IncidentTimeline", "Refused"),
}
TOOK_DUPLICATE = QT_TRANSLATE_NOOP("IncidentTimeline", "took in duplicate {id}")
NOT_CONFIDENTIAL = QT_TRANSLATE_NOOP("IncidentTimeline", "lifted its confidential mark")
TIMELINE_LINE = QT_TRANSLATE_NOOP("IncidentTimeline", "{time} {actor} {what}")


def when_text(at: datetime | None, today: datetime | None = None) -> str:
    if at is None:
        return ""
    shown, day = local(at), local(today or hub_clock.now())
    return shown.strftime("%H:%M" if shown.date() == day.date() else "%m-%d %H:%M")


def stage_label(stage: str) -> str:
    try:
        return stage_name(Stage(stage))
    except ValueError:
        return stage


def event_text(wire: Mapping[str, Any], incident_id: str, names: DisplayNames,
               display_names: Mapping[str, str]) -> str:
    """One event (wire form) as a timeline line in the user's language, seen from
    ``incident_id``: ``09:14 王调度 accepted``. ``display_names`` maps usernames to names."""
    data: Mapping[str, Any] = wire.get("data") or {}
    name = str(wire.get("name", ""))
    actor = str(wire.get("actor", ""))
    at = wire.get("at")
    when = when_text(datetime.fromisoformat(at) if isinstance(at, str) else at)
    template = EVENT_TEXT.get(name)
    if name == "incident.merged" and data.get("into") == incident_id:
        template = TOOK_DUPLICATE
    if name == "incident.confidentiality_changed" and not data.get("confidential"):
        template = NOT_CONFIDENTIAL
    what = name if template is None else translate("IncidentTimeline", template).format_map(
        _Params(names, data))
    return translate("IncidentTimeline", TIMELINE_LINE).format(
        time=when, actor=display_names.get(actor, actor), what=what)


class _Params(dict[str, str]):
    """Event data as timeline parameters: names instead of codes, "" for what is missing."""

    def __init__(self, names: DisplayNames, data: Mapping[str, Any]) -> None:
        super().__init__()
        self._names = names
        self._data = data

    def __missing__(self, key: str) -> str:
        data, names = self._data, self._names
        value = data.get(key)
        if key == "filename":
            return str((data.get("attachment") or {}).get("filename", ""))
        if key == "department":
            return names.department(str(value)) if value else ""
        if key == "category":
            return names.category(str(value)) if value else ""
        if key == "source" and value in Source._value2member_map_:
            return source_name(Source(value))
        if key == "method" and value in VERIFY_METHODS:
            return translate("IncidentActions", VERIFY_METHODS[str(value)])
        if key == "status" and value in AssignmentState._value2member_map_:
            return translate("IncidentActions", ASSIGNMENT_STATES[AssignmentState(value)])
        if key == "stage" and value:
            return stage_label(str(value))
        if key == "extra" and isinstance(value, Mapping):
            unit = str(value.get("unit", ""))
            unit = translate("IncidentActions", EXTENSION_UNITS.get(unit, unit))
            return f"{value.get('value', '')} {unit}"
        if key == "satisfaction" and value in SATISFACTION:
            return translate("IncidentActions", SATISFACTION[str(value)])
        if key == "note" and not value:
            return translate("IncidentTimeline", "satisfied") if data.get("satisfied") else ""
        return "" if value is None else str(value)
