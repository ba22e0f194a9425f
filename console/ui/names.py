"""Names of domain codes and places in the user's language.

The labels of incident states, priorities, sources and SLA stages (translation context
``IncidentQueueModel``) and of unit types and statuses (context ``UnitRosterModel``) are
``QT_TRANSLATE_NOOP`` source strings: :func:`tr` or the ``*_name`` functions turn them into the
installed language when shown, so a language change needs only a re-read. The contexts are those
of the models the labels were first written for; the Chinese translation is filed under them.
:class:`DisplayNames` names categories, departments, streets and communities from the rules and
the hub's taxonomy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QLocale

from console.domain.model import IncidentState, Priority, Source, UnitStatus, UnitType
from console.domain.rules import Rules
from console.domain.sla import Stage

# The translation context of the incident labels (and the default of tr()).
CONTEXT = "IncidentQueueModel"
# The translation context of the unit labels.
UNIT_CONTEXT = "UnitRosterModel"

PRIORITY_LABELS = {
    Priority.P1: QT_TRANSLATE_NOOP("IncidentQueueModel", "P1"),
    Priority.P2: QT_TRANSLATE_NOOP("IncidentQueueModel", "P2"),
    Priority.P3: QT_TRANSLATE_NOOP("IncidentQueueModel", "P3"),
    Priority.P4: QT_TRANSLATE_NOOP("IncidentQueueModel", "P4"),
}
SOURCE_LABELS = {
    Source.HOTLINE: QT_TRANSLATE_NOOP("IncidentQueueModel", "Hotline"),
    Source.POLICE: QT_TRANSLATE_NOOP("IncidentQueueModel", "Police 110"),
    Source.GRID: QT_TRANSLATE_NOOP("IncidentQueueModel", "Grid worker"),
    Source.PUBLIC: QT_TRANSLATE_NOOP("IncidentQueueModel", "Public"),
    Source.VIDEO: QT_TRANSLATE_NOOP("IncidentQueueModel", "Video"),
    Source.SENSOR: QT_TRANSLATE_NOOP("IncidentQueueModel", "Sensor"),
    Source.DEPARTMENT: QT_TRANSLATE_NOOP("IncidentQueueModel", "Department"),
    Source.WALK_IN: QT_TRANSLATE_NOOP("IncidentQueueModel", "Walk-in"),
}
STATE_LABELS = {
    IncidentState.NEW: QT_TRANSLATE_NOOP("IncidentQueueModel", "New"),
    IncidentState.ACCEPTED: QT_TRANSLATE_NOOP("IncidentQueueModel", "Accepted"),
    IncidentState.ASSIGNED: QT_TRANSLATE_NOOP("IncidentQueueModel", "Assigned"),
    IncidentState.IN_PROGRESS: QT_TRANSLATE_NOOP("IncidentQueueModel", "In progress"),
    IncidentState.RESOLVED: QT_TRANSLATE_NOOP("IncidentQueueModel", "Resolved"),
    IncidentState.VERIFIED: QT_TRANSLATE_NOOP("IncidentQueueModel", "Verified"),
    IncidentState.CLOSED: QT_TRANSLATE_NOOP("IncidentQueueModel", "Closed"),
    IncidentState.REJECTED: QT_TRANSLATE_NOOP("IncidentQueueModel", "Rejected"),
    IncidentState.MERGED: QT_TRANSLATE_NOOP("IncidentQueueModel", "Merged"),
    IncidentState.WITH_POLICE: QT_TRANSLATE_NOOP("IncidentQueueModel", "With police"),
}
STAGE_LABELS = {
    Stage.ACCEPT: QT_TRANSLATE_NOOP("IncidentQueueModel", "Accept"),
    Stage.ASSIGN: QT_TRANSLATE_NOOP("IncidentQueueModel", "Assign"),
    Stage.SIGN: QT_TRANSLATE_NOOP("IncidentQueueModel", "Sign"),
    Stage.ARRIVE: QT_TRANSLATE_NOOP("IncidentQueueModel", "Arrive"),
    Stage.RESOLVE: QT_TRANSLATE_NOOP("IncidentQueueModel", "Resolve"),
    Stage.REPLY: QT_TRANSLATE_NOOP("IncidentQueueModel", "Reply"),
}
UNIT_TYPE_LABELS = {
    UnitType.GRID_WORKER: QT_TRANSLATE_NOOP("UnitRosterModel", "Grid worker"),
    UnitType.COMMUNITY_POLICE: QT_TRANSLATE_NOOP("UnitRosterModel", "Community police"),
    UnitType.URBAN_MANAGEMENT: QT_TRANSLATE_NOOP("UnitRosterModel", "Urban management"),
    UnitType.PATROL: QT_TRANSLATE_NOOP("UnitRosterModel", "Patrol"),
    UnitType.MEDIATOR: QT_TRANSLATE_NOOP("UnitRosterModel", "Mediator"),
    UnitType.EMERGENCY: QT_TRANSLATE_NOOP("UnitRosterModel", "Emergency team"),
    UnitType.VOLUNTEER: QT_TRANSLATE_NOOP("UnitRosterModel", "Volunteer"),
    UnitType.DEPARTMENT_CREW: QT_TRANSLATE_NOOP("UnitRosterModel", "Department crew"),
}
UNIT_STATUS_LABELS = {
    UnitStatus.OFF_DUTY: QT_TRANSLATE_NOOP("UnitRosterModel", "Off duty"),
    UnitStatus.AVAILABLE: QT_TRANSLATE_NOOP("UnitRosterModel", "Available"),
    UnitStatus.DISPATCHED: QT_TRANSLATE_NOOP("UnitRosterModel", "Dispatched"),
    UnitStatus.EN_ROUTE: QT_TRANSLATE_NOOP("UnitRosterModel", "En route"),
    UnitStatus.ON_SCENE: QT_TRANSLATE_NOOP("UnitRosterModel", "On scene"),
    UnitStatus.BUSY: QT_TRANSLATE_NOOP("UnitRosterModel", "Busy"),
    UnitStatus.OUT_OF_SERVICE: QT_TRANSLATE_NOOP("UnitRosterModel", "Out of service"),
}


def tr(text: object, context: str = CONTEXT) -> str:
    """``text`` (a ``QT_TRANSLATE_NOOP`` source string) through the installed translators."""
    return QCoreApplication.translate(context, str(text))


def state_name(state: IncidentState) -> str:
    return tr(STATE_LABELS[state])


def priority_name(priority: Priority) -> str:
    return tr(PRIORITY_LABELS[priority])


def source_name(source: Source) -> str:
    return tr(SOURCE_LABELS[source])


def stage_name(stage: Stage) -> str:
    return tr(STAGE_LABELS[stage])


def unit_type_name(kind: UnitType) -> str:
    return tr(UNIT_TYPE_LABELS[kind], UNIT_CONTEXT)


def unit_status_name(status: UnitStatus) -> str:
    return tr(UNIT_STATUS_LABELS[status], UNIT_CONTEXT)


def ui_language(language: str | None = None) -> str:
    """``"zh"`` or ``"en"``: from ``language`` if given, else from the default ``QLocale``."""
    if language:
        return "zh" if language.lower().startswith("zh") else "en"
    return "zh" if QLocale().language() == QLocale.Language.Chinese else "en"


class DisplayNames:
    """Names of categories, departments, streets and communities in one language.

    Categories come from the hub's snapshot taxonomy (``replica.taxonomy``), falling back to the
    locally loaded rules; departments from the rules' taxonomy; streets and communities from the
    rules' geography. Anything unknown shows its code.
    """

    def __init__(self, language: str, rules: Rules | None,
                 taxonomy: Iterable[Mapping[str, Any]] = ()) -> None:
        self.language = language
        zh = language == "zh"
        self.categories: dict[str, str] = {}
        self.departments: dict[str, str] = {}
        if rules is not None:
            self.categories = {c.code: c.name(language) for c in rules.taxonomy.categories}
            self.departments = {d.code: d.name(language) for d in rules.taxonomy.departments}
        for entry in taxonomy:
            name = entry.get("zh" if zh else "en") or entry.get("en") or entry["code"]
            self.categories[entry["code"]] = name
        self._geography = rules.geography if rules is not None else None
        self._streets: dict[str, str] = {}
        self._communities: dict[str, str] = {}

    def category(self, code: str) -> str:
        return self.categories.get(code, code)

    def department(self, code: str) -> str:
        return self.departments.get(code, code)

    def street(self, code: str) -> str:
        name = self._streets.get(code)
        if name is None:
            name = self._streets[code] = self._area_name("street", code)
        return name

    def community(self, code: str) -> str:
        name = self._communities.get(code)
        if name is None:
            name = self._communities[code] = self._area_name("community", code)
        return name

    def _area_name(self, level: str, code: str) -> str:
        if self._geography is None:
            return code
        try:
            if level == "street":
                return self._geography.street_name(code, self.language)
            return self._geography.community_name(code, self.language)
        except ValueError:
            return code
