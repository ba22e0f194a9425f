"""The command line against a real hub: commands reach it and change the replica, refusals and
offline are shown, history, completion and intents (the parser alone: test_command_parser.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from console.comms.bridge import Bridge
from console.domain.model import IncidentState, UnitStatus
from console.domain.rules import Rules
from console.ui.message import messages
from console.views.command_line import CommandLine
from console.views.i18n import Translations
from tests.hub.conftest import PASSWORD, Client, incident_args
from tests.views.conftest import log_in

WAIT_MS = 10_000
ID1 = "CH-20261125-000001"
ID7 = "CH-20261125-000007"


@pytest.fixture
def heard(qapp: Any) -> Iterator[list[tuple[str, str]]]:
    got: list[tuple[str, str]] = []

    def keep(level: str, text: str) -> None:
        got.append((level, text))

    messages().message.connect(keep)
    yield got
    messages().message.disconnect(keep)


@pytest.fixture
def ctl_client(live_hub: Any) -> Iterator[Client]:
    client = Client(live_hub.port)
    client.login("ctl")
    yield client
    client.close()


def create(client: Client) -> str:
    reply = client.command("incident.create", **incident_args())
    assert reply["ok"], reply
    return str(reply["data"]["id"])


def short(incident_id: str) -> str:
    return str(int(incident_id.rsplit("-", 1)[1]))


def register_units(live_hub: Any, *specs: dict[str, Any]) -> None:
    live_hub.store.accounts.create_user("admin", PASSWORD, ["admin"], now=datetime.now(UTC))
    admin = Client(live_hub.port)
    admin.login("admin")
    try:
        for n, spec in enumerate(specs):
            # Sent by hand: the test client's command() has a parameter called ``name`` too.
            admin.send({"type": "command", "id": f"register-{n}", "name": "unit.register",
                        "args": spec})
            reply = admin.until("result")
            assert reply["ok"], reply
    finally:
        admin.close()


def unit(uid: str, **more: Any) -> dict[str, Any]:
    return {"id": uid, "name": f"网格员 {uid}", "type": "grid_worker", "status": "available",
            "street": "street.mengzhuiwan", **more}


def make_line(qtbot: QtBot, bridge: Bridge) -> CommandLine:
    line = CommandLine(bridge)
    qtbot.addWidget(line)
    return line


def type_and_run(qtbot: QtBot, line: CommandLine, text: str) -> tuple[bool, str]:
    qtbot.keyClicks(line.edit, text)
    with qtbot.waitSignal(line.answered, timeout=WAIT_MS) as answer:
        qtbot.keyClick(line.edit, Qt.Key.Key_Return)
    return answer.args[0], answer.args[1]


def test_accept_by_short_number_changes_the_incident(qtbot: QtBot, live_bridge: Bridge,
                                                     ctl_client: Client,
                                                     heard: list[Any]) -> None:
    iid = create(ctl_client)
    qtbot.waitUntil(lambda: iid in live_bridge.replica.incidents, timeout=WAIT_MS)
    line = make_line(qtbot, live_bridge)
    done, text = type_and_run(qtbot, line, f"A {short(iid)}")
    assert done and text == f"{iid} accepted."
    qtbot.waitUntil(lambda: live_bridge.replica.incidents[iid].state is IncidentState.ACCEPTED,
                    timeout=WAIT_MS)
    assert line.outcome.text() == text and line.outcome.property("ok") is True
    assert line.edit.text() == "" and line.history() == [f"A {short(iid)}"]
    assert ("info", text) in heard


def test_dispatch_sends_two_units_one_after_the_other(qtbot: QtBot, live_hub: Any,
                                                      live_bridge: Bridge,
                                                      ctl_client: Client) -> None:
    register_units(live_hub, unit("U45"), unit("U46"))
    iid = create(ctl_client)
    replica = live_bridge.replica
    qtbot.waitUntil(lambda: iid in replica.incidents and {"U45", "U46"} <= replica.units.keys(),
                    timeout=WAIT_MS)
    line = make_line(qtbot, live_bridge)
    done, text = type_and_run(qtbot, line, f"D {short(iid)} U45 u46")
    # The second dispatch carried the version the first one returned, so no conflict.
    assert done, text
    assert text == f"U45 dispatched to {iid}. U46 dispatched to {iid}."
    qtbot.waitUntil(lambda: len(replica.incidents[iid].assignments) == 2, timeout=WAIT_MS)
    assert {a.unit for a in replica.incidents[iid].assignments} == {"U45", "U46"}
    qtbot.waitUntil(lambda: replica.units["U46"].status is UnitStatus.DISPATCHED,
                    timeout=WAIT_MS)


def test_a_refused_command_shows_the_hubs_reason_and_changes_nothing(
        qtbot: QtBot, live_hub: Any, ctl_client: Client, rules: Rules,
        heard: list[Any]) -> None:
    iid = create(ctl_client)
    viewer = Bridge(rules, backoff_base=0.05, backoff_cap=0.5)
    try:
        log_in(qtbot, viewer, live_hub.port, "viewer")
        qtbot.waitUntil(lambda: iid in viewer.replica.incidents, timeout=WAIT_MS)
        before, seq = live_hub.store.incident(iid).version, live_hub.store.last_seq()
        line = make_line(qtbot, viewer)
        done, text = type_and_run(qtbot, line, f"A {short(iid)}")
        assert not done
        assert text == "Your role (viewer) may not accept incidents."
        assert line.outcome.text() == text and line.outcome.property("ok") is False
        assert ("error", text) in heard
        # The result is sent after the commit, so nothing can still be on its way.
        assert live_hub.store.incident(iid).version == before
        assert live_hub.store.incident(iid).state is IncidentState.NEW
        assert live_hub.store.last_seq() == seq
        assert viewer.replica.incidents[iid].state is IncidentState.NEW
    finally:
        viewer.shutdown()


def test_offline_says_so(qtbot: QtBot, rules: Rules) -> None:
    offline = Bridge(rules)
    line = make_line(qtbot, offline)
    done, text = type_and_run(qtbot, line, f"C {ID1}")
    assert not done and text.startswith("Offline:")
    assert line.outcome.text() == text


def test_a_line_that_does_not_parse_stays_for_fixing(qtbot: QtBot, rules: Rules,
                                                     heard: list[Any]) -> None:
    line = make_line(qtbot, Bridge(rules))
    qtbot.keyClicks(line.edit, "A 404")
    qtbot.keyClick(line.edit, Qt.Key.Key_Return)
    assert line.edit.text() == "A 404"
    assert line.outcome.text() == "No incident numbered 404 is on this console."
    assert heard == [("warning", line.outcome.text())]
    assert line.history() == ["A 404"]
    qtbot.keyClick(line.edit, Qt.Key.Key_Escape)
    assert line.edit.text() == ""
    qtbot.keyClick(line.edit, Qt.Key.Key_Return)  # an empty line does nothing
    assert line.history() == ["A 404"] and len(heard) == 1


def test_history_up_and_down(qtbot: QtBot, rules: Rules) -> None:
    line = make_line(qtbot, Bridge(rules))
    line.set_history(["A 1", "", "D 1 U45", "F 7"])
    assert line.history() == ["A 1", "D 1 U45", "F 7"]
    qtbot.keyClicks(line.edit, "G 3")
    seen = []
    for _ in range(4):
        qtbot.keyClick(line.edit, Qt.Key.Key_Up)
        seen.append(line.edit.text())
    assert seen == ["F 7", "D 1 U45", "A 1", "A 1"]
    qtbot.keyClick(line.edit, Qt.Key.Key_Down)
    assert line.edit.text() == "D 1 U45"
    qtbot.keyClick(line.edit, Qt.Key.Key_Down)
    qtbot.keyClick(line.edit, Qt.Key.Key_Down)
    assert line.edit.text() == "G 3"  # what was being typed comes back
    qtbot.keyClick(line.edit, Qt.Key.Key_Down)
    assert line.edit.text() == "G 3"
    with qtbot.waitSignal(line.new_intake, timeout=WAIT_MS):
        line.execute("N")
    assert line.history()[-1] == "N"
    line.execute("N")
    assert line.history().count("N") == 1  # a repeat is kept once


def test_intents_are_signalled(qtbot: QtBot, live_bridge: Bridge, ctl_client: Client) -> None:
    iid = create(ctl_client)
    qtbot.waitUntil(lambda: iid in live_bridge.replica.incidents, timeout=WAIT_MS)
    line = make_line(qtbot, live_bridge)
    with qtbot.waitSignal(line.open_incident, timeout=WAIT_MS) as opened:
        qtbot.keyClicks(line.edit, f"F {short(iid)}")
        qtbot.keyClick(line.edit, Qt.Key.Key_Return)
    assert opened.args == [iid]
    with qtbot.waitSignal(line.new_intake, timeout=WAIT_MS):
        qtbot.keyClicks(line.edit, "n")
        qtbot.keyClick(line.edit, Qt.Key.Key_Enter)
    with qtbot.waitSignal(line.help_requested, timeout=WAIT_MS):
        qtbot.keyClicks(line.edit, "?")
        qtbot.keyClick(line.edit, Qt.Key.Key_Return)
    assert "D <incident> <unit>" in line.edit.toolTip()


def test_completion_offers_what_fits_the_position(qtbot: QtBot, live_hub: Any,
                                                  live_bridge: Bridge,
                                                  ctl_client: Client) -> None:
    register_units(live_hub, unit("U45"), unit("U46", name="Patrol Li"))
    first, second = create(ctl_client), create(ctl_client)
    replica = live_bridge.replica
    qtbot.waitUntil(lambda: {first, second} <= replica.incidents.keys()
                    and {"U45", "U46"} <= replica.units.keys(), timeout=WAIT_MS)
    line = make_line(qtbot, live_bridge)
    line.show()
    qtbot.keyClicks(line.edit, "d")
    assert line.completions() == ["D"]
    qtbot.keyClick(line.edit, Qt.Key.Key_Backspace)
    qtbot.keyClicks(line.edit, "A ")
    assert line.completions() == sorted([first, second])  # all open incidents
    qtbot.keyClicks(line.edit, short(second))
    assert line.completions() == [second]
    assert line.completer.popup().isVisible()
    assert not line.completer.popup().currentIndex().isValid()  # Enter still runs the line
    line.insert_completion(second)
    assert line.edit.text() == f"A {second} "
    line.clear()
    qtbot.keyClicks(line.edit, f"a {short(first)}")
    qtbot.keyClick(line.edit, Qt.Key.Key_Tab)  # Tab takes the first completion
    assert line.edit.text() == f"a {first} "
    line.clear()
    assert not line.completer.popup().isVisible()
    qtbot.keyClicks(line.edit, f"D {short(first)} patrol")
    assert line.completions() == ["U46"]
    line.clear()
    qtbot.keyClicks(line.edit, "S U45 b")
    assert line.completions() == ["busy"]
    line.clear()
    qtbot.keyClicks(line.edit, f"G {short(first)} urban")
    assert line.completions()[0] == "urban_mgmt"  # codes first, then names that fit
    line.clear()
    qtbot.keyClicks(line.edit, f"V {short(first)} ")
    assert line.completions() == ["ok", "basic", "fail"]
    line.clear()
    qtbot.keyClicks(line.edit, "O 1")
    assert line.completions() == []  # nothing closed here


@pytest.fixture
def chinese(qapp: Any) -> Iterator[None]:
    translations = Translations()
    assert translations.apply("zh_CN") == "zh_CN"
    yield
    translations.apply("en")


def test_progress_in_one_line_moves_the_assignment_on_the_hub(
        qtbot: QtBot, live_hub: Any, live_bridge: Bridge, ctl_client: Client) -> None:
    register_units(live_hub, unit("U45"))
    iid = create(ctl_client)
    assert ctl_client.command("incident.dispatch", id=iid, unit="U45")["ok"]
    replica = live_bridge.replica
    # bool(): waitUntil takes only True, False or None, and an empty tuple is none of them.
    qtbot.waitUntil(lambda: bool(iid in replica.incidents and replica.incidents[iid].assignments
                                 and replica.units["U45"].assignment is not None),
                    timeout=WAIT_MS)
    line = make_line(qtbot, live_bridge)
    line.show()
    # Completion: the incident's units after the incident, then the steps it may take.
    qtbot.keyClicks(line.edit, f"U {short(iid)} ")
    assert line.completions() == ["U45"]
    qtbot.keyClicks(line.edit, "U45 ")
    assert line.completions() == ["acknowledged", "en_route", "on_scene", "cleared",
                                  "cancelled"]
    line.clear()
    with qtbot.waitSignal(line.acted_on, timeout=WAIT_MS) as acted:
        done, text = type_and_run(qtbot, line, f"U {short(iid)} U45 onscene")
    assert acted.args == [iid]
    assert done and text == f"U45 on {iid}: On scene."
    assignment = live_hub.store.incident(iid).assignments[0]
    assert assignment.unit == "U45" and assignment.state.value == "on_scene"
    qtbot.waitUntil(lambda: replica.units["U45"].status is UnitStatus.ON_SCENE,
                    timeout=WAIT_MS)
    # The unit's one assignment needs no incident; only clearing is left.
    qtbot.keyClicks(line.edit, "U U45 ")
    assert line.completions() == ["cleared"]
    line.clear()
    done, text = type_and_run(qtbot, line, "U U45 clear")
    assert done and live_hub.store.incident(iid).assignments[0].state.value == "cleared"


def test_a_refused_progress_reads_in_chinese(qtbot: QtBot, live_hub: Any,
                                            live_bridge: Bridge, ctl_client: Client,
                                            chinese: None) -> None:
    register_units(live_hub, unit("U45"))
    iid = create(ctl_client)
    assert ctl_client.command("incident.dispatch", id=iid, unit="U45")["ok"]
    aid = f"{iid}/1"
    assert ctl_client.command("assignment.update", id=iid, assignment=aid,
                              status="on_scene")["ok"]
    replica = live_bridge.replica
    qtbot.waitUntil(lambda: iid in replica.incidents
                    and replica.units.get("U45") is not None
                    and replica.units["U45"].status is UnitStatus.ON_SCENE, timeout=WAIT_MS)
    seq = live_hub.store.last_seq()
    line = make_line(qtbot, live_bridge)
    for typed in ("U U45 en route", "U U45 cancel"):
        done, text = type_and_run(qtbot, line, typed)
        assert not done
        left = text.replace(aid, "").replace("U45", "")
        assert not re.search(r"[A-Za-z]{2,}", left), text
        assert re.search(r"[\u4e00-\u9fff]", text), text
    assert live_hub.store.last_seq() == seq
    assert live_hub.store.incident(iid).assignments[0].state.value == "on_scene"


def test_assign_names_the_department_it_assigned_to(qtbot: QtBot, live_hub: Any,
                                                    live_bridge: Bridge, ctl_client: Client,
                                                    rules: Rules) -> None:
    iid = create(ctl_client)
    assert ctl_client.command("incident.accept", id=iid)["ok"]
    qtbot.waitUntil(lambda: iid in live_bridge.replica.incidents
                    and live_bridge.replica.incidents[iid].state is IncidentState.ACCEPTED,
                    timeout=WAIT_MS)
    inc = live_bridge.replica.incidents[iid]
    default = rules.taxonomy.department_for(inc.category, inc.location.street)
    names = {d.code: d.en for d in rules.taxonomy.departments}
    line = make_line(qtbot, live_bridge)
    done, text = type_and_run(qtbot, line, f"G {short(iid)}")
    assert done and text == f"{iid} assigned to {names[default]}."
    assert live_hub.store.incident(iid).lead_department == default
    # Named, with a co-handler: each by its name.
    second = create(ctl_client)
    assert ctl_client.command("incident.accept", id=second)["ok"]
    qtbot.waitUntil(lambda: second in live_bridge.replica.incidents
                    and live_bridge.replica.incidents[second].state is IncidentState.ACCEPTED,
                    timeout=WAIT_MS)
    other = next(code for code in names if code != default)
    done, text = type_and_run(qtbot, line, f"G {short(second)} {other} {default}")
    assert done and text == f"{second} assigned to {names[other]}, with {names[default]}."
