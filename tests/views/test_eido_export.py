"""Export EIDO from the incident dock: the document of what the console shows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from console.comms.bridge import Bridge
from console.domain.rules import Rules
from console.views.incident_detail import IncidentDetail
from tests.views.live import WAIT_MS, create, submit


def test_the_incident_dock_exports_the_incident_with_its_notes_as_eido(
        qtbot: Any, live_bridge: Bridge, rules: Rules, tmp_path: Path) -> None:
    incident_id = create(qtbot, live_bridge)
    assert submit(qtbot, live_bridge, "incident.note",
                  {"id": incident_id, "text": "已联系物业到场"}).ok
    detail = IncidentDetail(live_bridge, rules)
    qtbot.addWidget(detail)
    detail.show_incident(incident_id)
    qtbot.waitUntil(lambda: any("已联系物业到场" in line for line in detail.timeline_lines()),
                    timeout=WAIT_MS)
    assert detail.eido_button.isEnabled()
    target = tmp_path / "case.eido.json"
    assert detail.export_eido(str(target))
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["incidentComponent"]["internalIncidentId"] == incident_id
    notes = [n["notesActionComments"] for n in document["notesComponent"]]
    assert "已联系物业到场" in notes
    # A folder that cannot be written is said, not raised.
    assert not detail.export_eido(str(tmp_path / "missing" / "x.json"))
    assert "could not be written" in detail.message.text()
