"""Incidents and units held in memory while commands are decided and their events applied.

The store subclasses :class:`Aggregates` to load from the database (row-locked) what a decision
asks for; tests use it as it is. Either way, an event is applied to every aggregate it concerns
by the same code.
"""

from __future__ import annotations

from console.domain import incident as incident_rules
from console.domain import units as unit_rules
from console.domain.errors import Refused
from console.domain.incident import Incident
from console.domain.model import Event
from console.domain.units import Unit


class Aggregates:
    """The aggregates a unit of work has seen, and which of them it changed."""

    def __init__(self) -> None:
        self.incidents: dict[str, Incident] = {}
        self.units: dict[str, Unit] = {}
        self.dirty_incidents: set[str] = set()
        self.dirty_units: set[str] = set()

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

    def apply(self, event: Event) -> list[str]:
        """Apply ``event`` to every aggregate it concerns; returns the incident ids among them."""
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
