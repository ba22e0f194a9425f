"""Incidents, units, major incidents and warnings held in memory while commands are decided
and their events applied.

The store subclasses :class:`Aggregates` to load from the database (row-locked) what a decision
asks for; tests and the console's live state use it as it is. Either way, an event is applied to
every aggregate it concerns by the same code. ``major.*`` and ``warning.*`` events name their own
aggregate as ``id`` (not an incident), so they are applied before the incident/unit rule.
"""

from __future__ import annotations

from console.domain import incident as incident_rules
from console.domain import major as major_rules
from console.domain import units as unit_rules
from console.domain import warning as warning_rules
from console.domain.errors import Refused
from console.domain.field import FieldTask
from console.domain.incident import Incident
from console.domain.major import MajorIncident
from console.domain.model import Event
from console.domain.units import Unit
from console.domain.warning import EarlyWarning


class Aggregates:
    """The aggregates a unit of work has seen, and which of them it changed."""

    def __init__(self) -> None:
        self.incidents: dict[str, Incident] = {}
        self.units: dict[str, Unit] = {}
        self.dirty_incidents: set[str] = set()
        self.dirty_units: set[str] = set()
        self.majors: dict[str, MajorIncident] = {}
        self.warnings: dict[str, EarlyWarning] = {}
        self.dirty_majors: set[str] = set()
        self.dirty_warnings: set[str] = set()
        #: Major incidents and warnings brought into being here (new rows, not updates).
        self.created: set[str] = set()

    def load_incident(self, incident_id: str) -> Incident | None:
        """Where incidents not yet held come from; none, in memory."""
        return None

    def load_unit(self, unit_id: str) -> Unit | None:
        return None

    def incident(self, incident_id: str) -> Incident:
        if incident_id not in self.incidents:
            found = self.load_incident(incident_id)
            if found is None:
                raise Refused("not_found", "There is no incident {id}.", id=incident_id)
            self.incidents[incident_id] = found
        return self.incidents[incident_id]

    def load_incident_by_shared_id(self, shared_id: str) -> Incident | None:
        """Where an incident is found by the shared id of its police hand-off; none, in memory."""
        return None

    def incident_by_shared_id(self, shared_id: str) -> Incident | None:
        """The incident whose police hand-off ``shared_id`` names (any it had), or None."""
        held = next((i for i in self.incidents.values()
                     if i.police is not None and i.police.shared_id == shared_id), None)
        if held is not None:
            return held
        found = self.load_incident_by_shared_id(shared_id)
        if found is not None:
            self.incidents.setdefault(found.id, found)
            return self.incidents[found.id]
        return None

    def unit(self, unit_id: str) -> Unit:
        if unit_id not in self.units:
            found = self.load_unit(unit_id)
            if found is None:
                raise Refused("not_found", "There is no unit {unit}.", unit=unit_id)
            self.units[unit_id] = found
        return self.units[unit_id]

    def load_field_task(self, task_id: str) -> FieldTask | None:
        """Where a task of the field outbox comes from; none, in memory."""
        return None

    def field_task(self, task_id: str) -> FieldTask:
        found = self.load_field_task(task_id)
        if found is None:
            raise Refused("not_found", "There is no task {task}.", task=task_id)
        return found

    def load_major(self, major_id: str) -> MajorIncident | None:
        return None

    def major(self, major_id: str) -> MajorIncident:
        if major_id not in self.majors:
            found = self.load_major(major_id)
            if found is None:
                raise Refused("not_found", "There is no major incident {id}.", id=major_id)
            self.majors[major_id] = found
        return self.majors[major_id]

    def load_warning(self, warning_id: str) -> EarlyWarning | None:
        return None

    def warning(self, warning_id: str) -> EarlyWarning:
        if warning_id not in self.warnings:
            found = self.load_warning(warning_id)
            if found is None:
                raise Refused("not_found", "There is no warning {id}.", id=warning_id)
            self.warnings[warning_id] = found
        return self.warnings[warning_id]

    def stored_number(self, prefix: str) -> int:
        """The highest number taken after ``prefix`` where ids are stored; none, in memory."""
        return 0

    def next_number(self, prefix: str) -> int:
        """The next free number after ``prefix`` (``MI-20261127-``): past the stored ones and
        those held here (made earlier in the same batch)."""
        held = [int(i[len(prefix):]) for i in (*self.majors, *self.warnings)
                if i.startswith(prefix) and i[len(prefix):].isdigit()]
        return max([self.stored_number(prefix), *held]) + 1

    def apply(self, event: Event) -> list[str]:
        """Apply ``event`` to every aggregate it concerns; returns the incident ids among them
        (for their timelines: an incident linked to a major incident is one)."""
        if event.name.startswith("major."):
            return self._apply_major(event)
        if event.name.startswith("warning."):
            if event.name == "warning.raised":
                found = warning_rules.raised(event)
                self.created.add(found.id)
            else:
                found = warning_rules.evolve(self.warning(event.data["id"]), event)
            self.warnings[found.id] = found
            self.dirty_warnings.add(found.id)
            return []
        if event.name == "incident.created":
            inc = incident_rules.created(event)
            self.incidents[inc.id] = inc
            self.dirty_incidents.add(inc.id)
            return [inc.id]
        if event.name == "unit.registered":
            unit = unit_rules.registered(event)
            self.units[unit.id] = unit
            self.dirty_units.add(unit.id)
            return []
        concerned: list[str] = []
        for key in ("id", "into"):
            incident_id = event.data.get(key)
            if isinstance(incident_id, str):
                self.incidents[incident_id] = incident_rules.evolve(self.incident(incident_id),
                                                                    event)
                self.dirty_incidents.add(incident_id)
                concerned.append(incident_id)
        unit_id = event.data.get("unit")
        if isinstance(unit_id, str):
            self.units[unit_id] = unit_rules.evolve(self.unit(unit_id), event)
            self.dirty_units.add(unit_id)
        return concerned

    def _apply_major(self, event: Event) -> list[str]:
        if event.name == "major.declared":
            major = major_rules.declared(event)
            self.created.add(major.id)
        else:
            major = major_rules.evolve(self.major(event.data["id"]), event)
        self.majors[major.id] = major
        self.dirty_majors.add(major.id)
        linked = event.data.get("incident") if event.name == "major.incident_linked" else None
        return [linked] if isinstance(linked, str) else []
