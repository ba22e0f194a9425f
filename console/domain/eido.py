"""An incident as a NENA Emergency Incident Data Object (EIDO), the JSON that CAD systems exchange.

:func:`export` turns an incident, its timeline and its units into one EIDO document, ready for
``json.dumps``. It is a pure function: the CLI (``main.py admin export-eido``) reads the store and
writes the file.

**Version followed**: NENA-STA-021.1a-2022 (EIDO ``eidoVersion`` "1.0"), field names as in the
standard's normative OpenAPI schema ``Schema/openapi.yaml`` version 1.0.0 of the NENA911/EIDO-JSON
repository (note its spelling ``lastUpdateTimeStamp``), the layout of that repository's
``Samples/Sample call transfer EIDO.json``, and the section notes of the EidoLib C# library for
STA-021.1a-2022. Locations go by value as a PIDF-LO document (RFC 4119/5491) holding a WGS-84
point and a civic address (RFC 5139), as the standard's ``locationByValue`` asks.

**Mapping** (our data → EIDO):

- id → document ``$id`` = the Incident Tracking Identifier
  ``urn:emergency:uid:incidentid:<id>:<agency>`` (NENA-STA-010 form, as in NENA's sample), and
  ``incidentComponent.internalIncidentId`` = our id as it is.
- category → ``incidentTypeInternalCode`` (code) and ``incidentTypeInternalText`` (its name);
  ``incidentTypeCommonRegistryText`` is "Other" (no incident type of the 9-1-1 registry fits
  city-service matters).
- state → ``incidentStatusInternalText`` ``[state]`` and ``incidentStatusCommonRegistryText``
  through :data:`STATUS`: new/accepted → Pending, assigned → Dispatched, in_progress/resolved/
  verified/with_police → Active, closed/rejected/merged → Closed.
- priority P1–P4 → ``incidentPriorityInternalText`` and ``incidentCommonPriorityNumber``
  (0–10, 10 highest) 10/7/4/1; grid cell → ``beatOrDispatchGroupText``; police case number →
  ``documentIdentification``.
- location → one ``locationComponent`` of type "CurrentIncident": point, country CN, street
  (sub-district) name as A4, community name as A5, the typed address as LOC; the address also
  as ``locationDescriptionText``.
- description and every ``incident.noted`` → ``notesComponent`` (``notesActionComments`` in
  HTML, the author as ``agentReference``, the time as ``lastUpdateTimeStamp``).
- each dispatched unit → one ``emergencyResourceComponent`` (its latest assignment): name,
  ``unitStatusInternal`` ``[assignment state]`` and ``primaryUnitStatusRegistryText`` through
  :data:`UNIT_STATUS`; each dispatch → a ``dispatchComponent`` (who sent which unit, when).
- the result of ``incident.resolved``, the disposition of ``incident.police_disposed`` or the
  answer of ``incident.answered`` → ``incidentComponent.dispositionComponent``
  (``dispositionCategoryText`` = resolved / police_disposed / answered,
  ``dispositionDescriptionText`` = the text, ``dispositionCommonRegistryCode`` "Other").
- reporter → a ``personComponent`` in the role "Caller", its name masked
  (:mod:`console.domain.privacy`) unless ``personal``; only a personal export carries the phone
  (``callbackComponent``, a ``tel:`` URI — a masked number is no number to call back).
- source (hotline, grid, video …) has no field in EIDO 1.0's incident and is not exported.

The registry values (incident type and status, unit status, disposition, agent role, location
type) follow the standard's examples; the NENA registries themselves were not at hand, so check
:data:`STATUS`, :data:`UNIT_STATUS` and the "Other" codes against them before a live exchange.
Every registry value goes with our own code in the matching ``…Internal…`` field, so a receiver
loses nothing. An absent thing is an absent key, never a null or an empty component.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from console.domain import privacy
from console.domain.geography import Area, Geography
from console.domain.incident import Assignment, Incident
from console.domain.model import AssignmentState, Event, IncidentState, Priority
from console.domain.taxonomy import Taxonomy
from console.domain.units import Unit

EIDO_VERSION = "1.0"
#: Who we are, as a NENA agency identifier (a domain name). ``.invalid`` until the center has one.
DEFAULT_AGENCY = "linkage-center.invalid"
COUNTRY = "CN"
OTHER = "Other"

STATUS: Mapping[IncidentState, str] = {
    IncidentState.NEW: "Pending",
    IncidentState.ACCEPTED: "Pending",
    IncidentState.ASSIGNED: "Dispatched",
    IncidentState.IN_PROGRESS: "Active",
    IncidentState.RESOLVED: "Active",
    IncidentState.VERIFIED: "Active",
    IncidentState.WITH_POLICE: "Active",
    IncidentState.CLOSED: "Closed",
    IncidentState.REJECTED: "Closed",
    IncidentState.MERGED: "Closed",
}
UNIT_STATUS: Mapping[AssignmentState, str] = {
    AssignmentState.DISPATCHED: "Dispatched",
    AssignmentState.ACKNOWLEDGED: "Dispatched",
    AssignmentState.EN_ROUTE: "Enroute",
    AssignmentState.ON_SCENE: "OnScene",
    AssignmentState.CLEARED: "Cleared",
    AssignmentState.CANCELLED: "Cancelled",
}
PRIORITY_NUMBER: Mapping[Priority, int] = {
    Priority.P1: 10, Priority.P2: 7, Priority.P3: 4, Priority.P4: 1,
}
#: The events whose text is the incident's disposition, and the category each gives it.
DISPOSITIONS: Mapping[str, tuple[str, str]] = {
    "incident.resolved": ("resolved", "result"),
    "incident.police_disposed": ("police_disposed", "disposition"),
    "incident.answered": ("answered", "answer"),
}


def export(incident: Incident, timeline: Sequence[Event], *,
           units: Mapping[str, Unit] | None = None, taxonomy: Taxonomy | None = None,
           geography: Geography | None = None, agency: str = DEFAULT_AGENCY,
           personal: bool = False, lang: str = "zh") -> dict[str, Any]:
    """The EIDO document of ``incident``.

    Args:
        timeline: the incident's events in order (notes, who dispatched, the disposition).
        units: the dispatched units by id, for their names and types; a unit not given is
            exported under its id.
        taxonomy: for the name of the category; without it, the code only.
        geography: for the names of the street and the community; without it, their codes.
        agency: the center's NENA agency identifier (a domain name).
        personal: the reporter's name and phone as they are; otherwise masked or left out.
        lang: the language of the names.
    """
    doc = _Document(incident, agency)
    events = [e for e in timeline if e.data.get("id") == incident.id]
    location = doc.location(incident, geography, lang)
    notes = doc.notes(incident, events)
    resources = doc.resources(incident, units or {})
    dispatches = doc.dispatches(incident)
    person, callback = doc.reporter(incident, personal)

    component: dict[str, Any] = {
        **doc.prologue(doc.part("incident"), incident.updated_at or incident.created_at),
        "incidentTypeInternalCode": incident.category,
        **_some("incidentTypeInternalText", _category_name(incident.category, taxonomy, lang)),
        "incidentTypeCommonRegistryText": OTHER,
        "incidentStatusInternalText": [incident.state.value],
        "incidentStatusCommonRegistryText": [STATUS[incident.state]],
        "internalIncidentId": incident.id,
        "incidentPriorityInternalText": incident.priority.value,
        "incidentCommonPriorityNumber": PRIORITY_NUMBER[incident.priority],
        **_some("beatOrDispatchGroupText", incident.location.grid),
        **_some("documentIdentification",
                [incident.police_case_no] if incident.police_case_no else None),
        "agentReference": [doc.agent(incident.created_by, incident.created_at, creator=True)],
        "locationReference": [_ref(location)],
        **_some("personReference", [_ref(person)] if person else None),
        **_some("notesReference", [_ref(n) for n in notes]),
        **_some("dispositionComponent", doc.disposition(incident, events)),
    }
    return {
        **doc.prologue(doc.tracking_id, incident.updated_at or incident.created_at),
        "eidoVersion": EIDO_VERSION,
        "issuingElementIdentification": f"console.{agency}",
        "incidentComponent": component,
        **_some("dispatchComponent", dispatches),
        **_some("notesComponent", notes),
        **_some("emergencyResourceComponent", resources),
        "agencyComponent": [doc.agency_component(incident)],
        "agentComponent": doc.agent_components(),
        "locationComponent": [location],
        **_some("personComponent", [person] if person else None),
        **_some("callbackComponent", [callback] if callback else None),
        "@context": {"@vocab": "./JSON-LD_Contexts/EmergencyIncidentDataObjectType.jsonld"},
    }


class _Document:
    """The ids, prologues and agents one export shares between its components."""

    def __init__(self, incident: Incident, agency: str) -> None:
        self.incident = incident
        self.agency = agency
        self.tracking_id = f"urn:emergency:uid:incidentid:{incident.id}:{agency}"
        # Agent id → [last time seen, whether they registered the incident], in first-seen order.
        self._agents: dict[str, list[Any]] = {}

    def part(self, *parts: object) -> str:
        return ":".join((self.tracking_id, *map(str, parts)))

    def prologue(self, component_id: str, at: datetime,
                 agent: dict[str, str] | None = None) -> dict[str, Any]:
        return {"$id": component_id, "lastUpdateTimeStamp": _timestamp(at),
                "updatedByAgencyReference": {"$ref": self.agency},
                **({"updatedByAgentReference": agent} if agent else {})}

    def agent(self, username: str, at: datetime, *, creator: bool = False) -> dict[str, str]:
        """A reference to the agent ``username``, listed in ``agentComponent``."""
        agent_id = f"{username}@{self.agency}"
        seen = self._agents.setdefault(agent_id, [at, creator])
        seen[0], seen[1] = max(seen[0], at), seen[1] or creator
        return {"$ref": agent_id}

    def agent_components(self) -> list[dict[str, Any]]:
        return [{**self.prologue(agent_id, at),
                 "agentRoleRegistryText": ["Call Taking" if creator else "Dispatching"],
                 "agencyReference": {"$ref": self.agency}}
                for agent_id, (at, creator) in self._agents.items()]

    def agency_component(self, incident: Incident) -> dict[str, Any]:
        return {**self.prologue(self.agency, incident.updated_at or incident.created_at),
                "agencyRoleDescriptionRegistryText": ["CallReceiving"],
                "agencyType": ["psap"],
                "incidentOwningAgencyIndicator": True}

    def location(self, incident: Incident, geography: Geography | None,
                 lang: str) -> dict[str, Any]:
        return {**self.prologue(self.part("location"), incident.created_at),
                "locationTypeDescriptionRegistryText": "CurrentIncident",
                "locationByValue": pidf_lo(incident, self.agency, geography, lang),
                **_some("locationDescriptionText", incident.location.address)}

    def notes(self, incident: Incident, events: Sequence[Event]) -> list[dict[str, Any]]:
        written = [(incident.created_by, incident.created_at, incident.description)]
        written += [(e.actor, e.at, str(e.data["text"])) for e in events
                    if e.name == "incident.noted"]
        return [{**self.prologue(self.part("note", n), at, self.agent(author, at)),
                 "notesActionComments": html.escape(text).replace("\n", "<br>"),
                 "agentReference": self.agent(author, at)}
                for n, (author, at, text) in enumerate(written) if text]

    def resources(self, incident: Incident, units: Mapping[str, Unit]) -> list[dict[str, Any]]:
        latest: dict[str, Assignment] = {a.unit: a for a in incident.assignments}
        components = []
        for unit_id, assignment in latest.items():
            unit = units.get(unit_id)
            at = max((at for _, at in assignment.times), default=assignment.dispatched_at)
            components.append({
                **self.prologue(self.resource_id(unit_id), at),
                "emergencyResourceTypeCommonRegistryText": OTHER,
                **_some("emergencyResourceTypeInternalText", unit.type.value if unit else None),
                "resourceAttributeRegistryText": [],
                "emergencyResourceName": unit.name if unit else unit_id,
                "primaryUnitStatusRegistryText": UNIT_STATUS[assignment.state],
                "secondaryUnitStatusRegistryText": [],
                "unitStatusInternal": [assignment.state.value],
                "agentReference": [self.agent(assignment.dispatched_by,
                                              assignment.dispatched_at)],
            })
        return components

    def resource_id(self, unit_id: str) -> str:
        return f"{self.agency}:unit:{unit_id}"

    def dispatches(self, incident: Incident) -> list[dict[str, Any]]:
        return [{**self.prologue(self.part("dispatch", n), a.dispatched_at,
                                 self.agent(a.dispatched_by, a.dispatched_at)),
                 "agencyReference": {"$ref": self.agency},
                 "agentReference": self.agent(a.dispatched_by, a.dispatched_at),
                 "emergencyResourceReference": [{"$ref": self.resource_id(a.unit)}]}
                for n, a in enumerate(incident.assignments, start=1)]

    def disposition(self, incident: Incident, events: Sequence[Event]) -> list[dict[str, Any]]:
        found: tuple[str, str, str | None, datetime] | None = None
        for event in events:
            if event.name == "incident.reopened":
                found = None  # the reporter was not satisfied: that disposition no longer holds
            elif event.name in DISPOSITIONS:
                category, key = DISPOSITIONS[event.name]
                found = (category, str(event.data[key]), event.actor, event.at)
        if found is None and (incident.answer or incident.resolution):
            # No timeline given: the incident still knows the text, if not who gave it when.
            category = "answered" if incident.answer else "resolved"
            text = incident.answer or incident.resolution or ""
            found = (category, text, None, incident.updated_at or incident.created_at)
        if found is None:
            return []
        category, text, actor, at = found
        return [{**self.prologue(self.part("disposition"), at,
                                 self.agent(actor, at) if actor else None),
                 "dispositionCommonRegistryCode": OTHER,
                 "dispositionPrimaryIndicator": True,
                 "dispositionCategoryText": category,
                 "dispositionDescriptionText": text}]

    def reporter(self, incident: Incident,
                 personal: bool) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        name, phone = incident.reporter.name, incident.reporter.phone
        if not (name or phone):
            return None, None
        callback = None
        if personal and phone:
            callback = {**self.prologue(self.part("reporter", "callback"), incident.created_at),
                        "callBackInformationUri": [f"tel:{phone}"]}
        shown = name if personal else privacy.mask_name(name)
        person = {
            **self.prologue(self.part("reporter"), incident.created_at),
            "personIncidentRoleRegistryText": ["Caller"],
            **_some("ncPersonComponent", {"name": [{"personFullName": [shown]}]} if shown
                    else None),
            **_some("callBackReference", _ref(callback) if callback else None),
        }
        return person, callback


def pidf_lo(incident: Incident, agency: str, geography: Geography | None = None,
            lang: str = "zh") -> str:
    """The incident's location as a PIDF-LO document: a WGS-84 point and a civic address.

    The street (街道, a sub-district) is the city division A4, the community (社区) the
    neighbourhood A5, and the address as the call taker typed it goes whole into LOC.
    """
    where = incident.location
    civic = [("country", COUNTRY),
             ("A4", _area_name(where.street, geography.street if geography else None, lang)),
             ("A5", _area_name(where.community, geography.community if geography else None,
                               lang)),
             ("LOC", where.address or None)]
    address = "".join(f"<ca:{tag}>{escape(value)}</ca:{tag}>" for tag, value in civic if value)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<presence xmlns="urn:ietf:params:xml:ns:pidf"'
        ' xmlns:gp="urn:ietf:params:xml:ns:pidf:geopriv10"'
        ' xmlns:ca="urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr"'
        ' xmlns:gml="http://www.opengis.net/gml"'
        ' xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"'
        f' entity={quoteattr(f"pres:{incident.id}@{agency}")}>'
        '<dm:device id="incident"><gp:geopriv><gp:location-info>'
        '<gml:Point srsName="urn:ogc:def:crs:EPSG::4326">'
        f'<gml:pos>{where.lat!r} {where.lon!r}</gml:pos></gml:Point>'
        f'<ca:civicAddress xml:lang="zh">{address}</ca:civicAddress>'
        '</gp:location-info><gp:usage-rules/></gp:geopriv>'
        f'<dm:timestamp>{_timestamp(incident.created_at)}</dm:timestamp>'
        '</dm:device></presence>'
    )


def _timestamp(at: datetime) -> str:
    return at.isoformat(timespec="milliseconds")


def _ref(component: Mapping[str, Any]) -> dict[str, str]:
    return {"$ref": component["$id"]}


def _some(key: str, value: Any) -> dict[str, Any]:
    """``{key: value}``, or nothing for a value that is absent or empty."""
    return {key: value} if value else {}


def _category_name(code: str, taxonomy: Taxonomy | None, lang: str) -> str | None:
    if taxonomy is None or not taxonomy.has_category(code):
        return None
    return taxonomy.category(code).name(lang)


def _area_name(code: str | None, area: Callable[[str], Area] | None,
               lang: str) -> str | None:
    """The name of a street or community; its code when the geography does not know it."""
    if code is None or area is None:
        return code
    try:
        return area(code).name(lang)
    except ValueError:
        return code
