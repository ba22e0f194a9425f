"""The detail's "Show reporter…": a reason asked for, the hub's answer shown and on record;
the confidential mark at intake and on the detail — against a real hub."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt

from console.comms.bridge import Bridge
from console.domain.rules import Rules
from console.views.incident_actions import ConfidentialDialog
from console.views.incident_detail import IncidentDetail
from console.views.intake import IntakeForm
from console.views.reporter_reveal import ReasonDialog
from tests.hub.conftest import HubThread
from tests.views import live
from tests.views.live import WAIT_MS, activate, create, type_text

# The live fixtures (this live_hub has a call taker as well).
bridge_as = live.bridge_as
heard = live.heard
live_hub = live.live_hub
BridgeAs = Callable[[str], Bridge]
DESCRIPTION = "夜间施工，邻居电话 13912345678"


def make_detail(qtbot: Any, bridge: Bridge, rules: Rules, iid: str) -> IncidentDetail:
    detail = IncidentDetail(bridge, rules)
    qtbot.addWidget(detail)
    detail.resize(700, 800)
    activate(qtbot, detail)
    detail.show_incident(iid)
    qtbot.waitUntil(lambda: detail.incident is not None, timeout=WAIT_MS)
    return detail


def test_the_reporter_is_shown_after_a_reason_and_the_read_is_on_record(
        qtbot: Any, live_hub: HubThread, live_bridge: Bridge, bridge_as: BridgeAs, rules: Rules,
        heard: list[tuple[str, str]]) -> None:
    iid = create(qtbot, live_bridge, description=DESCRIPTION)
    other = create(qtbot, live_bridge)
    detail = make_detail(qtbot, live_bridge, rules, iid)
    assert detail.fields["reporter"].text() == "张**  138****0001"
    assert detail.fields["description"].text() == "夜间施工，邻居电话 139****5678"
    action = detail.reveal.action
    assert action.isEnabled() and "Alt+I" in action.toolTip()

    # The keyboard reaches it; the dialog will not go without a reason.
    detail.timeline.setFocus()
    qtbot.keyClick(detail.timeline, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)
    dialog = detail.reveal.dialog
    assert isinstance(dialog, ReasonDialog)
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.focusWidget() is dialog.reason  # typed into at once
    dialog.accept()
    assert dialog.isVisible() and dialog.error.text() == "Required."
    type_text(qtbot, "回访核实地址", dialog.reason)
    dialog.accept()

    qtbot.waitUntil(lambda: "13800000001" in detail.fields["reporter"].text(), timeout=WAIT_MS)
    assert detail.fields["reporter"].text() == "张先生  13800000001"
    assert detail.fields["description"].text() == DESCRIPTION
    assert heard[-1] == ("info", f"Reporter of {iid} shown; your reading is on record.")
    assert not action.isEnabled()  # shown already
    rows = live_hub.store.audit.rows(action="personal.", subject=iid)
    assert [(r.entry.action, r.entry.actor, r.entry.detail["reason"]) for r in rows] == [
        ("personal.unmasked", "ctl", "回访核实地址")]
    # Only this view holds it: the replica keeps the masked reporter, and it is gone once
    # another incident is shown.
    assert live_bridge.replica.incidents[iid].reporter.phone == "138****0001"
    detail.show_incident(other)
    qtbot.waitUntil(lambda: detail.incident is not None and detail.incident.id == other)
    detail.show_incident(iid)
    qtbot.waitUntil(lambda: detail.fields["reporter"].text() == "张**  138****0001")
    assert action.isEnabled()

    # A role without need cannot ask, and is told why.
    viewer = bridge_as("viewer")
    qtbot.waitUntil(lambda: iid in viewer.replica.incidents, timeout=WAIT_MS)
    theirs = make_detail(qtbot, viewer, rules, iid)
    assert theirs.fields["reporter"].text() == "(not shown to you)"
    assert not theirs.reveal.action.isEnabled()
    assert theirs.reveal.action.toolTip() == f"Your role does not need the reporter of {iid}."


def test_a_case_marked_confidential_at_intake_is_hidden_until_the_leader_lifts_it(
        qtbot: Any, live_hub: HubThread, live_bridge: Bridge, bridge_as: BridgeAs,
        rules: Rules) -> None:
    taker = bridge_as("taker")
    form = IntakeForm(taker, rules)
    qtbot.addWidget(form)
    activate(qtbot, form)
    form.phone.setText("13800000001")
    form.reporter_name.setText("张先生")
    form.category.set_category("env.noise_construction")
    form.description.setPlainText("夜间施工噪声")
    form.set_location(*live.HERE, address="建设路 1 号")
    form.confidential.setChecked(True)
    with qtbot.waitSignal(form.created, timeout=WAIT_MS) as created:
        assert form.submit()
    iid = created.args[0]
    assert not form.confidential.isChecked()  # the next call starts unmarked
    # Each connection's events arrive by its own process, in no fixed order between them.
    qtbot.waitUntil(lambda: iid in live_bridge.replica.incidents and iid in taker.replica.incidents,
                    timeout=WAIT_MS)
    assert taker.replica.incidents[iid].reporter.phone == "13800000001"

    mine = make_detail(qtbot, live_bridge, rules, iid)
    assert mine.fields["reporter"].text() == "(not shown to you)  [Confidential]"
    assert not mine.reveal.action.isEnabled()
    assert "confidential" in mine.reveal.action.toolTip()
    assert not mine.action("incident.set_confidential").isEnabled()

    leader = bridge_as("leader")
    qtbot.waitUntil(lambda: iid in leader.replica.incidents, timeout=WAIT_MS)
    theirs = make_detail(qtbot, leader, rules, iid)
    assert theirs.fields["reporter"].text() == "张**  138****0001  [Confidential]"
    assert theirs.reveal.action.isEnabled()
    theirs.trigger("incident.set_confidential")
    dialog = theirs.dialog
    assert isinstance(dialog, ConfidentialDialog)
    assert not dialog.confidential.isChecked()  # offered: lift the mark
    dialog.accept()
    qtbot.waitUntil(lambda: not live_bridge.replica.incidents[iid].confidential,
                    timeout=WAIT_MS)
    qtbot.waitUntil(lambda: mine.reveal.action.isEnabled(), timeout=WAIT_MS)
    assert "[Confidential]" not in mine.fields["reporter"].text()
