"""The EIDO export: each thing the acceptance names, under the field name NENA-STA-021 gives it.

Incidents are made the way the hub makes them (commands decided and applied by the desk), and the
timeline handed to the export is the events those commands wrote.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest

from console.domain import eido
from console.domain.model import Actor, AssignmentState, Event, IncidentState
from tests.domain.conftest import (
    CALL_TAKER,
    CONTROLLER,
    POLICE,
    Desk,
    desk_of,
    field_unit,
)

AGENCY = "center.example.cn"
ENV = desk_of("environment")
PIDF = {"gml": "http://www.opengis.net/gml",
        "ca": "urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr"}


class Recorder:
    """The desk, keeping every event its commands wrote: the incident's timeline."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.timeline: list[Event] = []

    def run(self, actor: Actor, name: str, /, **args: Any) -> list[Event]:
        events = self.desk.run(actor, name, **args)
        self.timeline.extend(events)
        return events

    def create(self, **overrides: Any) -> str:
        args: dict[str, Any] = {
            "source": "hotline", "category": "env.noise_construction", "priority": "P3",
            "description": "工地夜间施工噪声扰民",
            "location": {"lat": 30.6675, "lon": 104.1075, "address": "建设路 1 号"},
            "reporter": {"name": "张先生", "phone": "13800000001"},
        }
        args.update(overrides)
        return str(self.run(CONTROLLER, "incident.create", **args)[0].data["id"])

    def export(self, incident: str, **options: Any) -> dict[str, Any]:
        world = self.desk.world
        return eido.export(world.incident(incident), self.timeline, units=world.units,
                           taxonomy=self.desk.rules.taxonomy,
                           geography=self.desk.rules.geography, agency=AGENCY, **options)


@pytest.fixture
def rec(desk: Desk) -> Recorder:
    return Recorder(desk)


def resolved_with_a_unit_on_scene(rec: Recorder) -> str:
    """Accepted, a note, GW1 dispatched and on scene, assigned, signed, resolved."""
    incident = rec.create()
    rec.desk.register("GW1")
    rec.desk.advance(minutes=2)
    rec.run(CONTROLLER, "incident.accept", id=incident)
    rec.desk.advance(minutes=1)
    rec.run(CONTROLLER, "incident.note", id=incident, text="来电人称 22 点后仍在施工 & <打桩>")
    rec.run(CONTROLLER, "incident.dispatch", id=incident, unit="GW1")
    rec.desk.advance(minutes=9)
    assignment = rec.desk.incident(incident).assignments[0].id
    rec.run(field_unit("GW1"), "assignment.update", id=incident, assignment=assignment,
            status="on_scene")
    rec.run(CONTROLLER, "incident.assign", id=incident, department="environment")
    rec.run(ENV, "incident.sign", id=incident)
    rec.desk.advance(minutes=30)
    rec.run(ENV, "incident.resolve", id=incident, result="已责令夜间停工")
    return incident


def walk(value: Any) -> Iterator[Any]:
    """Every value in a JSON document, the document first."""
    yield value
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        for child in value:
            yield from walk(child)


# -- the acceptance, one field each ----------------------------------------------------------------

def test_id_is_the_incident_tracking_identifier_and_the_internal_id(rec: Recorder) -> None:
    incident = rec.create()
    doc = rec.export(incident)
    assert incident == "CH-20261125-000001"
    assert doc["$id"] == f"urn:emergency:uid:incidentid:{incident}:{AGENCY}"
    assert doc["incidentComponent"]["internalIncidentId"] == incident
    assert doc["eidoVersion"] == "1.0"


def test_type_is_the_category_code_and_name_beside_the_registry_text(rec: Recorder) -> None:
    component = rec.export(rec.create())["incidentComponent"]
    assert component["incidentTypeInternalCode"] == "env.noise_construction"
    assert component["incidentTypeInternalText"] == (
        rec.desk.rules.taxonomy.category("env.noise_construction").name("zh"))
    assert component["incidentTypeCommonRegistryText"] == "Other"
    assert component["incidentPriorityInternalText"] == "P3"
    assert component["incidentCommonPriorityNumber"] == 4


@pytest.mark.parametrize(("steps", "state", "status"), [
    ((), "new", "Pending"),
    ((("incident.accept", {}), ("incident.assign", {"department": "environment"})),
     "assigned", "Dispatched"),
    ((("incident.reject", {"reason": "信息不全"}),), "rejected", "Closed"),
])
def test_status_is_the_state_and_its_registry_status(
        rec: Recorder, steps: tuple[tuple[str, dict[str, str]], ...], state: str,
        status: str) -> None:
    incident = rec.create()
    for name, args in steps:
        rec.run(CONTROLLER, name, id=incident, **args)
    component = rec.export(incident)["incidentComponent"]
    assert component["incidentStatusInternalText"] == [state]
    assert component["incidentStatusCommonRegistryText"] == [status]


def test_every_state_has_a_registry_status() -> None:
    assert set(eido.STATUS) == set(IncidentState)
    assert set(eido.UNIT_STATUS) == set(AssignmentState)


def test_location_is_a_pidf_lo_point_and_civic_address(rec: Recorder) -> None:
    doc = rec.export(rec.create())
    [location] = doc["locationComponent"]
    assert doc["incidentComponent"]["locationReference"] == [{"$ref": location["$id"]}]
    assert location["locationTypeDescriptionRegistryText"] == "CurrentIncident"
    assert location["locationDescriptionText"] == "建设路 1 号"
    assert doc["incidentComponent"]["beatOrDispatchGroupText"] == "g111"
    pidf = ET.fromstring(location["locationByValue"])
    assert pidf.findtext(".//gml:Point/gml:pos", namespaces=PIDF) == "30.6675 104.1075"
    civic = pidf.find(".//ca:civicAddress", PIDF)
    assert civic is not None
    assert [(child.tag.split("}")[1], child.text) for child in civic] == [
        ("country", "CN"), ("A4", "双桥子"), ("A5", "社区c11"), ("LOC", "建设路 1 号")]


def test_notes_carry_author_time_and_text_after_the_description(rec: Recorder) -> None:
    incident = resolved_with_a_unit_on_scene(rec)
    noted = next(e for e in rec.timeline if e.name == "incident.noted")
    doc = rec.export(incident)
    description, note = doc["notesComponent"]
    assert description["notesActionComments"] == "工地夜间施工噪声扰民"
    assert note["notesActionComments"] == (
        "来电人称 22 点后仍在施工 &amp; &lt;打桩&gt;")  # HTML5, as the standard asks
    assert note["lastUpdateTimeStamp"] == noted.at.isoformat(timespec="milliseconds")
    assert note["agentReference"] == {"$ref": f"ctl@{AGENCY}"}
    assert doc["incidentComponent"]["notesReference"] == [
        {"$ref": description["$id"]}, {"$ref": note["$id"]}]
    agents = {a["$id"]: a for a in doc["agentComponent"]}
    assert agents[f"ctl@{AGENCY}"]["agencyReference"] == {"$ref": AGENCY}


def test_units_are_emergency_resources_with_their_status_and_dispatch(rec: Recorder) -> None:
    incident = resolved_with_a_unit_on_scene(rec)
    rec.desk.register("GW2")
    rec.run(CONTROLLER, "incident.dispatch", id=incident, unit="GW2")
    second = rec.desk.incident(incident).assignments[1]
    rec.run(CONTROLLER, "assignment.update", id=incident, assignment=second.id,
            status="cancelled")
    doc = rec.export(incident)
    resources = {r["emergencyResourceName"]: r for r in doc["emergencyResourceComponent"]}
    assert set(resources) == {"Unit GW1", "Unit GW2"}
    on_scene = resources["Unit GW1"]
    assert on_scene["$id"] == f"{AGENCY}:unit:GW1"
    assert on_scene["primaryUnitStatusRegistryText"] == "OnScene"
    assert on_scene["unitStatusInternal"] == ["on_scene"]
    assert on_scene["emergencyResourceTypeInternalText"] == "grid_worker"
    assert resources["Unit GW2"]["unitStatusInternal"] == ["cancelled"]
    first_dispatch = doc["dispatchComponent"][0]
    assert first_dispatch["emergencyResourceReference"] == [{"$ref": on_scene["$id"]}]
    assert first_dispatch["agentReference"] == {"$ref": f"ctl@{AGENCY}"}
    assert first_dispatch["lastUpdateTimeStamp"] == (
        rec.desk.incident(incident).assignments[0].dispatched_at.isoformat(
            timespec="milliseconds"))


def test_a_unit_the_export_is_not_told_about_goes_under_its_id(rec: Recorder) -> None:
    incident = resolved_with_a_unit_on_scene(rec)
    world = rec.desk.world
    doc = eido.export(world.incident(incident), rec.timeline, agency=AGENCY)
    [resource] = doc["emergencyResourceComponent"]
    assert resource["emergencyResourceName"] == "GW1"
    assert "emergencyResourceTypeInternalText" not in resource


def test_disposition_is_the_resolution_under_the_incident(rec: Recorder) -> None:
    incident = resolved_with_a_unit_on_scene(rec)
    [disposition] = rec.export(incident)["incidentComponent"]["dispositionComponent"]
    assert disposition["dispositionCategoryText"] == "resolved"
    assert disposition["dispositionDescriptionText"] == "已责令夜间停工"
    assert disposition["dispositionPrimaryIndicator"] is True
    assert disposition["dispositionCommonRegistryCode"] == "Other"
    assert disposition["updatedByAgentReference"] == {"$ref": f"desk-environment@{AGENCY}"}


def test_disposition_of_an_answer_and_of_the_police(rec: Recorder) -> None:
    inquiry = rec.create(category="consult.policy")
    rec.run(CALL_TAKER, "incident.answer", id=inquiry, answer="已告知办理流程")
    [answered] = rec.export(inquiry)["incidentComponent"]["dispositionComponent"]
    assert (answered["dispositionCategoryText"], answered["dispositionDescriptionText"]) == (
        "answered", "已告知办理流程")

    escalated = rec.create()
    rec.run(CONTROLLER, "incident.escalate", id=escalated, reason="现场有人持刀")
    rec.run(POLICE, "incident.police_dispose", id=escalated, disposition="已处警，嫌疑人被控制")
    [police] = rec.export(escalated)["incidentComponent"]["dispositionComponent"]
    assert (police["dispositionCategoryText"], police["dispositionDescriptionText"]) == (
        "police_disposed", "已处警，嫌疑人被控制")


def test_a_reopened_incident_has_no_disposition_until_resolved_again(rec: Recorder) -> None:
    incident = resolved_with_a_unit_on_scene(rec)
    assignment = rec.desk.incident(incident).assignments[0].id
    rec.run(field_unit("GW1"), "assignment.update", id=incident, assignment=assignment,
            status="cleared")
    rec.run(CONTROLLER, "incident.verify", id=incident, method="callback", satisfied=True)
    rec.run(CONTROLLER, "incident.close", id=incident)
    assert "dispositionComponent" in rec.export(incident)["incidentComponent"]
    rec.run(CONTROLLER, "incident.reopen", id=incident, reason="仍有噪声")
    assert "dispositionComponent" not in rec.export(incident)["incidentComponent"]


# -- the document as a whole -----------------------------------------------------------------------

def test_the_document_is_json_and_every_reference_resolves(rec: Recorder) -> None:
    incident = resolved_with_a_unit_on_scene(rec)
    doc = rec.export(incident, personal=True)
    assert json.loads(json.dumps(doc, ensure_ascii=False)) == doc
    ids = {node["$id"] for node in walk(doc) if isinstance(node, dict) and "$id" in node}
    refs = {node["$ref"] for node in walk(doc) if isinstance(node, dict) and "$ref" in node}
    assert refs, "the document links its components"
    assert refs <= ids, f"dangling references: {refs - ids}"


def test_the_reporter_is_masked_unless_personal_data_is_asked_for(rec: Recorder) -> None:
    incident = rec.create()
    masked = rec.export(incident)
    text = json.dumps(masked, ensure_ascii=False)
    assert "张先生" not in text and "13800000001" not in text
    [person] = masked["personComponent"]
    assert person["personIncidentRoleRegistryText"] == ["Caller"]
    assert person["ncPersonComponent"]["name"] == [{"personFullName": ["张**"]}]
    assert "callbackComponent" not in masked and "callBackReference" not in person

    personal = rec.export(incident, personal=True)
    [person] = personal["personComponent"]
    assert person["ncPersonComponent"]["name"] == [{"personFullName": ["张先生"]}]
    [callback] = personal["callbackComponent"]
    assert callback["callBackInformationUri"] == ["tel:13800000001"]
    assert person["callBackReference"] == {"$ref": callback["$id"]}


def test_an_anonymous_report_has_no_person(rec: Recorder) -> None:
    doc = rec.export(rec.create(reporter={"name": "", "phone": ""}), personal=True)
    assert "personComponent" not in doc
    assert "personReference" not in doc["incidentComponent"]


def test_what_an_incident_lacks_is_left_out_not_null(rec: Recorder) -> None:
    doc = rec.export(rec.create())
    component = doc["incidentComponent"]
    for key in ("emergencyResourceComponent", "dispatchComponent", "callbackComponent"):
        assert key not in doc
    assert "dispositionComponent" not in component
    assert "documentIdentification" not in component  # not diverted by the police
    assert [n["notesActionComments"] for n in doc["notesComponent"]] == ["工地夜间施工噪声扰民"]
    assert not [node for node in walk(doc) if node is None]


def test_a_police_case_number_is_the_document_identification(rec: Recorder) -> None:
    incident = rec.create(source="police", police_case_no="110-20261125-0042")
    component = rec.export(incident)["incidentComponent"]
    assert component["documentIdentification"] == ["110-20261125-0042"]


def test_without_a_timeline_the_incident_still_gives_its_disposition(rec: Recorder) -> None:
    incident = resolved_with_a_unit_on_scene(rec)
    doc = eido.export(rec.desk.incident(incident), [], agency=AGENCY)
    [disposition] = doc["incidentComponent"]["dispositionComponent"]
    assert disposition["dispositionDescriptionText"] == "已责令夜间停工"
    assert [n["notesActionComments"] for n in doc["notesComponent"]] == ["工地夜间施工噪声扰民"]
