"""`main.py admin export-eido` in a subprocess, as an operator runs it, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from console.domain.model import Actor, Role
from console.store.store import Store
from tests.store.conftest import ADMIN, CONTROLLER, Clock, command, new_incident_args
from tests.store.test_cli import run

FIELD_GW1 = Actor("field-GW1", frozenset({Role.FIELD}), unit="GW1")


def execute(store: Store, actor: Actor, name: str, /, **args: Any) -> dict[str, Any]:
    result = store.execute(command(name, **args), actor)
    assert result.ok, result.error
    return result.data


def incident_with_a_note_and_a_unit_on_scene(store: Store, clock: Clock) -> str:
    incident = str(execute(store, CONTROLLER, "incident.create", **new_incident_args())["id"])
    execute(store, ADMIN, "unit.register", id="GW1", name="网格员 GW1", type="grid_worker",
            status="available")
    clock.advance(minutes=2)
    execute(store, CONTROLLER, "incident.note", id=incident, text="来电人称 22 点后仍在施工")
    execute(store, CONTROLLER, "incident.dispatch", id=incident, unit="GW1")
    clock.advance(minutes=8)
    dispatched = store.incident(incident)
    assert dispatched is not None
    assignment = dispatched.assignments[0].id
    execute(store, FIELD_GW1, "assignment.update", id=incident, assignment=assignment,
            status="on_scene")
    return incident


def test_export_eido_writes_the_incident_from_the_store(store: Store, clock: Clock,
                                                         db_url: str) -> None:
    incident = incident_with_a_note_and_a_unit_on_scene(store, clock)
    done = run("admin", "export-eido", incident, "--db", db_url, "--agency", "center.example.cn")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["$id"] == f"urn:emergency:uid:incidentid:{incident}:center.example.cn"
    component = doc["incidentComponent"]
    assert component["internalIncidentId"] == incident
    assert component["incidentStatusInternalText"] == ["new"]
    assert [n["notesActionComments"] for n in doc["notesComponent"]] == [
        "工地夜间施工噪声扰民", "来电人称 22 点后仍在施工"]
    [resource] = doc["emergencyResourceComponent"]
    assert (resource["emergencyResourceName"], resource["unitStatusInternal"]) == (
        "网格员 GW1", ["on_scene"])
    # The reporter is masked unless asked for.
    assert "13800000001" not in done.stdout and "张先生" not in done.stdout


@pytest.mark.slow
def test_export_eido_to_a_file_with_personal_data(store: Store, clock: Clock, db_url: str,
                                                  tmp_path: Path) -> None:
    incident = incident_with_a_note_and_a_unit_on_scene(store, clock)
    out = tmp_path / "eido.json"
    done = run("admin", "export-eido", incident, "--db", db_url, "--out", str(out),
               "--personal")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["callbackComponent"][0]["callBackInformationUri"] == ["tel:13800000001"]


@pytest.mark.slow
def test_export_eido_of_an_unknown_incident_is_a_plain_error(store: Store, db_url: str) -> None:
    done = run("admin", "export-eido", "CH-20261125-999999", "--db", db_url)
    assert done.returncode == 1
    assert "export-eido: there is no incident CH-20261125-999999" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
