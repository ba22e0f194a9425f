"""The incident detail against a real hub: its buttons take an incident through its life, the
rules decide what is enabled, refusals are shown, the timeline follows, a pop-out follows."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from console.comms.bridge import Bridge
from console.domain.lifecycle import INCIDENT_COMMANDS
from console.domain.rules import Rules
from console.views import (
    forms,
    incident_actions,
    incident_detail,
    incident_sheet,
    incident_words,
)
from console.views.incident_actions import (
    ACTIONS,
    POLICE_PEER_COMMANDS,
    AssignDialog,
    AssignmentUpdateDialog,
    DispatchDialog,
    ExtensionDecisionDialog,
    ExtensionRequestDialog,
    MergeDialog,
    TextDialog,
    VerifyDialog,
)
from console.views.incident_detail import IncidentDetail, IncidentWindow, pop_out
from tests.hub.conftest import HubThread
from tests.views import live
from tests.views.live import (
    WAIT_MS,
    activate,
    create,
    key,
    register_units,
    state_of,
    submit,
    wait_state,
)

# The live fixtures (this live_hub has an admin and a call taker as well).
bridge_as = live.bridge_as
heard = live.heard
live_hub = live.live_hub
BridgeAs = Callable[[str], Bridge]


def make_detail(qtbot: Any, bridge: Bridge, rules: Rules, iid: str | None = None
                ) -> IncidentDetail:
    detail = IncidentDetail(bridge, rules)
    qtbot.addWidget(detail)
    detail.resize(700, 800)
    detail.show()
    if iid is not None:
        detail.show_incident(iid)
    return detail


def click(qtbot: Any, detail: IncidentDetail, command: str) -> None:
    """Click ``command``'s button once it is enabled: a console that just logged in shows the
    incident after its snapshot's change set, a moment after it went live."""
    button = detail.buttons[command]
    try:
        qtbot.waitUntil(button.isEnabled, timeout=WAIT_MS)
    except AssertionError:
        raise AssertionError(f"{command}: {button.toolTip()}") from None
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def open_dialog(qtbot: Any, detail: IncidentDetail, command: str, kind: type) -> Any:
    click(qtbot, detail, command)
    dialog = detail.dialog
    assert isinstance(dialog, kind)
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def test_every_console_command_has_an_action_with_a_shortcut() -> None:
    assert {spec.command for spec in ACTIONS} == set(INCIDENT_COMMANDS) - POLICE_PEER_COMMANDS
    shortcuts = [spec.shortcut for spec in ACTIONS]
    assert all(shortcuts) and len(set(shortcuts)) == len(shortcuts)


def test_the_buttons_take_an_incident_from_new_to_closed(
        qtbot: Any, live_hub: HubThread, live_bridge: Bridge, bridge_as: BridgeAs,
        rules: Rules) -> None:
    register_units(live_hub, [("U1", "available", 30.6610, 104.1080),   # ~1.6 km away
                              ("U2", "available", 30.6680, 104.0930),   # ~70 m away
                              ("U3", "busy", 30.6676, 104.0926)])       # next door, busy
    qtbot.waitUntil(lambda: {"U1", "U2", "U3"} <= set(live_bridge.replica.positions),
                    timeout=WAIT_MS)
    iid = create(qtbot, live_bridge)
    detail = make_detail(qtbot, live_bridge, rules, iid)
    assert detail.fields["id"].text() == iid
    assert detail.fields["state"].text() == "New"
    # A controller's feed has the reporter masked ("Show reporter…" asks for it in full).
    assert "138****0001" in detail.fields["reporter"].text()

    click(qtbot, detail, "incident.accept")
    wait_state(qtbot, live_bridge, iid, "accepted")
    qtbot.waitUntil(lambda: detail.fields["state"].text() == "Accepted")

    dialog = open_dialog(qtbot, detail, "incident.assign", AssignDialog)
    assert dialog.department.currentData() == "environment"  # the category's department
    dialog.set_co_handlers(["urban_mgmt"])
    dialog.accept()
    wait_state(qtbot, live_bridge, iid, "assigned")
    assert live_bridge.replica.incidents[iid].co_handlers == ("urban_mgmt",)

    dialog = open_dialog(qtbot, detail, "incident.dispatch", DispatchDialog)
    assert dialog.offered() == ["U2", "U1", "U3"]  # available first, nearest first
    dialog.accept()  # the nearest available unit is preselected
    qtbot.waitUntil(lambda: [a.unit for a in live_bridge.replica.incidents[iid].assignments]
                    == ["U2"], timeout=WAIT_MS)
    qtbot.waitUntil(lambda: detail.assignments.topLevelItemCount() == 1)

    assert not detail.action("incident.sign").isEnabled()  # the department desk signs
    desk = bridge_as("desk-env")
    desk_detail = make_detail(qtbot, desk, rules, iid)
    assert not desk_detail.action("incident.assign").isEnabled()
    click(qtbot, desk_detail, "incident.sign")
    wait_state(qtbot, live_bridge, iid, "in_progress")

    dialog = open_dialog(qtbot, detail, "incident.resolve", TextDialog)
    dialog.text.setPlainText("工地已停止夜间施工")
    dialog.accept()
    wait_state(qtbot, live_bridge, iid, "resolved")

    dialog = open_dialog(qtbot, detail, "incident.verify", VerifyDialog)
    dialog.method.setCurrentIndex(dialog.method.findData("callback"))
    dialog.satisfaction.setCurrentIndex(dialog.satisfaction.findData("basically_satisfied"))
    assert dialog.arguments() == {"method": "callback", "satisfaction": "basically_satisfied",
                                  "note": ""}
    dialog.accept()
    wait_state(qtbot, live_bridge, iid, "verified")

    qtbot.waitUntil(lambda: not detail.action("incident.close").isEnabled())
    assert "U2" in detail.buttons["incident.close"].toolTip()  # still out: the rule says why
    dialog = open_dialog(qtbot, detail, "assignment.update", AssignmentUpdateDialog)
    dialog.choose("cleared")
    dialog.accept()
    qtbot.waitUntil(lambda: not live_bridge.replica.incidents[iid].assignments[0].active,
                    timeout=WAIT_MS)

    qtbot.waitUntil(lambda: detail.action("incident.close").isEnabled())
    click(qtbot, detail, "incident.close")
    wait_state(qtbot, live_bridge, iid, "closed")
    qtbot.waitUntil(lambda: detail.fields["state"].text() == "Closed")
    assert detail.fields["resolution"].text() == "工地已停止夜间施工"
    assert detail.fields["verification"].text()

    # The timeline: every event once, in order, in words.
    expected = ["created (Hotline)", "accepted", "assigned to", "dispatched U2",
                "signed for", "resolved: 工地已停止夜间施工", "verified (Callback to the reporter)",
                "reported U2 Cleared", "closed"]
    qtbot.waitUntil(lambda: len(detail.timeline_lines()) == len(expected), timeout=WAIT_MS)
    for line, words in zip(detail.timeline_lines(), expected, strict=True):
        assert words in line, (line, words)
    assert "desk-env signed for" in detail.timeline_lines()[4]


def test_the_timeline_starts_with_what_happened_before_the_detail_opened(
        qtbot: Any, live_bridge: Bridge, bridge_as: BridgeAs, rules: Rules) -> None:
    iid = create(qtbot, live_bridge)
    assert submit(qtbot, live_bridge, "incident.note", {"id": iid, "text": "来电人很着急"}).ok
    assert submit(qtbot, live_bridge, "incident.accept", {"id": iid}).ok
    other = bridge_as("leader")
    qtbot.waitUntil(lambda: iid in other.replica.incidents and state_of(other, iid)
                    == "accepted", timeout=WAIT_MS)
    detail = make_detail(qtbot, other, rules, iid)
    qtbot.waitUntil(lambda: len(detail.timeline_lines()) == 3, timeout=WAIT_MS)
    lines = detail.timeline_lines()
    assert "ctl created" in lines[0] and "ctl noted: 来电人很着急" in lines[1]
    assert lines[2].endswith("ctl accepted")
    # Live events follow, each once, after the ones the hub listed.
    assert submit(qtbot, live_bridge, "incident.note", {"id": iid, "text": "再次来电"}).ok
    qtbot.waitUntil(lambda: len(detail.timeline_lines()) == 4, timeout=WAIT_MS)
    qtbot.wait(300)
    assert detail.timeline_lines()[3].endswith("noted: 再次来电")
    assert len(detail.timeline_lines()) == 4


def test_the_timeline_names_people_by_their_display_names(
        qtbot: Any, live_bridge: Bridge, bridge_as: BridgeAs, rules: Rules) -> None:
    taker = bridge_as("taker")  # display name "Call taker Li"
    iid = create(qtbot, taker)
    assert submit(qtbot, taker, "incident.note", {"id": iid, "text": "来电人很着急"}).ok
    qtbot.waitUntil(lambda: iid in live_bridge.replica.incidents, timeout=WAIT_MS)
    detail = make_detail(qtbot, live_bridge, rules, iid)
    qtbot.waitUntil(lambda: len(detail.timeline_lines()) == 2, timeout=WAIT_MS)
    lines = detail.timeline_lines()
    assert "Call taker Li created" in lines[0], lines
    assert "Call taker Li noted: 来电人很着急" in lines[1], lines
    assert not any(re.match(r"\S+ taker ", line) for line in lines), lines
    assert detail.fields["created"].text().endswith("Call taker Li")
    # A live event by someone the timeline named keeps the name.
    assert submit(qtbot, taker, "incident.note", {"id": iid, "text": "再次来电"}).ok
    qtbot.waitUntil(lambda: len(detail.timeline_lines()) == 3, timeout=WAIT_MS)
    assert "Call taker Li noted: 再次来电" in detail.timeline_lines()[2]


def test_a_viewer_sees_the_actions_disabled_with_the_reason(
        qtbot: Any, live_bridge: Bridge, bridge_as: BridgeAs, rules: Rules) -> None:
    iid = create(qtbot, live_bridge)
    viewer = bridge_as("viewer")
    qtbot.waitUntil(lambda: iid in viewer.replica.incidents, timeout=WAIT_MS)
    detail = make_detail(qtbot, viewer, rules, iid)
    for spec in ACTIONS:
        assert not detail.action(spec.command).isEnabled()
    accept = detail.buttons["incident.accept"]
    assert accept.toolTip() == "Your role (viewer) may not accept incidents."
    assert detail.fields["reporter"].text() == "(not shown to you)"  # withheld by the hub
    # The controller's detail of the same incident offers accept, with its shortcut.
    mine = make_detail(qtbot, live_bridge, rules, iid)
    assert mine.action("incident.accept").isEnabled()
    assert "Alt+A" in mine.buttons["incident.accept"].toolTip()
    assert not mine.action("incident.close").isEnabled()
    assert "only verified incidents can be closed" in mine.buttons["incident.close"].toolTip()


def test_a_stale_version_is_refused_and_shown(
        qtbot: Any, live_bridge: Bridge, bridge_as: BridgeAs, rules: Rules,
        heard: list[tuple[str, str]]) -> None:
    iid = create(qtbot, live_bridge)
    detail = make_detail(qtbot, live_bridge, rules, iid)
    dialog = open_dialog(qtbot, detail, "incident.reject", TextDialog)
    dialog.text.setPlainText("重复来电")
    leader = bridge_as("leader")  # meanwhile, someone else accepts it
    qtbot.waitUntil(lambda: iid in leader.replica.incidents, timeout=WAIT_MS)
    assert submit(qtbot, leader, "incident.accept", {"id": iid}).ok
    wait_state(qtbot, live_bridge, iid, "accepted")
    dialog.accept()
    qtbot.waitUntil(lambda: "has changed since you opened it" in detail.message.text(),
                    timeout=WAIT_MS)
    assert detail.message.isVisible()
    assert ("error", detail.message.text()) in heard
    assert state_of(live_bridge, iid) == "accepted"


def test_merging_into_an_unknown_incident_is_refused_and_shown(
        qtbot: Any, live_bridge: Bridge, rules: Rules, heard: list[tuple[str, str]]) -> None:
    target = create(qtbot, live_bridge)
    iid = create(qtbot, live_bridge)
    detail = make_detail(qtbot, live_bridge, rules, iid)
    dialog = open_dialog(qtbot, detail, "incident.merge", MergeDialog)
    assert target in dialog.candidates and iid not in dialog.candidates
    dialog.accept()  # empty: the dialog says so and stays open
    assert dialog.isVisible() and dialog.error.isVisible()
    dialog.target.setText("CH-20000101-999999")
    dialog.accept()
    qtbot.waitUntil(lambda: "CH-20000101-999999" in detail.message.text(), timeout=WAIT_MS)
    assert heard[-1][0] == "error"
    # … and into a real one it works, and both details say so.
    dialog = open_dialog(qtbot, detail, "incident.merge", MergeDialog)
    dialog.target.setText(target)
    dialog.accept()
    wait_state(qtbot, live_bridge, iid, "merged")
    qtbot.waitUntil(lambda: detail.fields["merged_into"].text() == target)
    assert heard[-1][0] == "info"
    assert live_bridge.replica.incidents[target].duplicates == (iid,)


def test_extensions_are_requested_and_decided_through_their_dialogs(
        qtbot: Any, live_bridge: Bridge, bridge_as: BridgeAs, rules: Rules) -> None:
    iid = create(qtbot, live_bridge)
    detail = make_detail(qtbot, live_bridge, rules, iid)
    reply_due = {c.stage.value: c.due_at for c in detail_clocks(live_bridge, rules, iid)}["reply"]
    dialog = open_dialog(qtbot, detail, "incident.request_extension", ExtensionRequestDialog)
    stages = [dialog.stage.itemData(n) for n in range(dialog.stage.count())]
    assert stages == ["accept", "reply"]  # the deadlines running now
    dialog.stage.setCurrentIndex(1)
    dialog.value.setValue(2)
    dialog.unit.setCurrentIndex(dialog.unit.findData("hours"))
    dialog.accept()  # no reason yet
    assert dialog.isVisible() and dialog.error.isVisible()
    dialog.reason.setPlainText("需要现场复核")
    dialog.accept()
    qtbot.waitUntil(lambda: detail.extensions.topLevelItemCount() == 1, timeout=WAIT_MS)
    assert detail.extensions.topLevelItem(0).text(3) == "Pending"
    assert not detail.action("incident.approve_extension").isEnabled()  # a duty leader's call
    assert "controller" in detail.buttons["incident.approve_extension"].toolTip()

    leader = bridge_as("leader")
    qtbot.waitUntil(lambda: iid in leader.replica.incidents
                    and bool(leader.replica.incidents[iid].extensions), timeout=WAIT_MS)
    theirs = make_detail(qtbot, leader, rules, iid)
    dialog = open_dialog(qtbot, theirs, "incident.approve_extension", ExtensionDecisionDialog)
    assert dialog.request.currentData() == f"{iid}/X1"
    dialog.accept()
    qtbot.waitUntil(lambda: detail.extensions.topLevelItem(0).text(3) == "Approved",
                    timeout=WAIT_MS)
    new_due = {c.stage.value: c.due_at for c in detail_clocks(live_bridge, rules, iid)}["reply"]
    assert (new_due - reply_due).total_seconds() == 2 * 3600

    dialog = open_dialog(qtbot, detail, "incident.request_extension", ExtensionRequestDialog)
    dialog.reason.setPlainText("再延一次")
    dialog.accept()
    qtbot.waitUntil(lambda: theirs.extensions.topLevelItemCount() == 2, timeout=WAIT_MS)
    assert theirs.action("incident.refuse_extension").isEnabled()
    dialog = open_dialog(qtbot, theirs, "incident.refuse_extension", ExtensionDecisionDialog)
    dialog.accept()  # refusing needs a reason
    assert dialog.isVisible() and dialog.error.isVisible()
    dialog.reason.setPlainText("时限充足")
    dialog.accept()
    qtbot.waitUntil(lambda: detail.extensions.topLevelItemCount() == 2
                    and detail.extensions.topLevelItem(1).text(3) == "Refused", timeout=WAIT_MS)


def detail_clocks(bridge: Bridge, rules: Rules, iid: str) -> list[Any]:
    from console.domain.deadlines import clocks

    return clocks(bridge.replica.incidents[iid], rules)


def test_keyboard_shortcuts_trigger_the_actions(
        qtbot: Any, live_bridge: Bridge, rules: Rules) -> None:
    iid = create(qtbot, live_bridge)
    detail = make_detail(qtbot, live_bridge, rules, iid)
    activate(qtbot, detail)
    detail.timeline.setFocus()
    key(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    wait_state(qtbot, live_bridge, iid, "accepted")
    qtbot.waitUntil(lambda: detail.action("incident.note").isEnabled())
    detail.timeline.setFocus()
    key(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    dialog = detail.dialog
    assert isinstance(dialog, TextDialog)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    assert QApplication.focusWidget() is dialog.text
    qtbot.keyClicks(dialog.text, "ok")
    dialog.accept()
    qtbot.waitUntil(lambda: any(line.endswith("noted: ok") for line in detail.timeline_lines()),
                    timeout=WAIT_MS)


def test_while_not_connected_the_detail_is_stale_and_refuses_visibly(
        qtbot: Any, live_bridge: Bridge, rules: Rules, heard: list[tuple[str, str]]) -> None:
    iid = create(qtbot, live_bridge)
    detail = make_detail(qtbot, live_bridge, rules, iid)
    assert not detail.stale
    live_bridge.disconnect_from_hub()
    qtbot.waitUntil(lambda: detail.stale)
    assert detail.fields["state"].text() == "New"  # still shown, as last heard
    click(qtbot, detail, "incident.accept")
    assert detail.message.text().startswith("Not connected")
    assert heard[-1] == ("error", detail.message.text())
    assert detail.dialog is None
    click(qtbot, detail, "incident.reject")  # no dialog whose input could not be sent
    assert detail.dialog is None


def test_a_popped_out_window_shows_the_incident_and_follows_it(
        qtbot: Any, live_bridge: Bridge, bridge_as: BridgeAs, rules: Rules) -> None:
    iid = create(qtbot, live_bridge)
    window = pop_out(live_bridge, rules, iid)
    qtbot.addWidget(window)
    assert isinstance(window, IncidentWindow) and window.isVisible()
    assert window.windowTitle() == f"{iid} — Construction noise"
    assert window.detail.fields["state"].text() == "New"
    titles = [a.text() for a in window.menuBar().actions()[0].menu().actions()]
    assert titles == [spec.text for spec in ACTIONS]
    leader = bridge_as("leader")
    qtbot.waitUntil(lambda: iid in leader.replica.incidents, timeout=WAIT_MS)
    assert submit(qtbot, leader, "incident.accept", {"id": iid}).ok
    qtbot.waitUntil(lambda: window.detail.fields["state"].text() == "Accepted",
                    timeout=WAIT_MS)
    qtbot.waitUntil(lambda: any("leader accepted" in line
                                for line in window.detail.timeline_lines()), timeout=WAIT_MS)
    window.close()


def test_pyside_lupdate_finds_the_detail_and_dialog_strings(tmp_path: Path) -> None:
    lupdate = Path(sys.executable).with_name("pyside6-lupdate")
    ts = tmp_path / "detail.ts"
    modules = (incident_actions, incident_detail, incident_sheet, incident_words, forms)
    done = subprocess.run([str(lupdate), *(module.__file__ for module in modules),
                           "-ts", str(ts)], capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    found = {(c.findtext("name"), m.findtext("source"))
             for c in ElementTree.parse(ts).getroot().iter("context") for m in c.iter("message")}
    wanted = {("IncidentActions", spec.label) for spec in ACTIONS}
    wanted |= {("IncidentTimeline", text) for text in incident_words.EVENT_TEXT.values()}
    wanted |= {("IncidentDetail", text) for text in incident_sheet.FIELDS.values()}
    wanted |= {("IncidentActions", "Choose an available unit."),
               ("IncidentDetail", "Not connected to the hub; the command was not sent.")}
    assert wanted <= found
    # … and every string the modules mark (each is a literal after its context's name).
    for module in modules:
        marked = set(re.findall(r'"(Incident(?:Actions|Detail|Timeline))",\s*"([^"]*)"',
                                Path(module.__file__).read_text()))
        assert marked <= found, marked - found


def test_a_unit_sent_to_verify_on_site_says_so_in_the_units_list(
        qtbot: Any, live_hub: HubThread, live_bridge: Bridge, rules: Rules) -> None:
    register_units(live_hub, [("U7", "available", 30.6680, 104.0930)])
    iid = create(qtbot, live_bridge)
    detail = make_detail(qtbot, live_bridge, rules, iid)
    live_bridge.submit("incident.dispatch", {"id": iid, "unit": "U7", "purpose": "verify"})
    qtbot.waitUntil(lambda: detail.assignments.topLevelItemCount() == 1, timeout=WAIT_MS)
    assert detail.assignments.topLevelItem(0).text(0) == "U7 (verify on site)"
