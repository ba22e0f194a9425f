"""The command line: the parser on its own (every verb, every kind of mistake), then the widget
against a real hub — commands reach it and change the replica, refusals and offline are shown,
history, completion and intents."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from console.comms.bridge import Bridge
from console.domain.incident import Assignment, Incident
from console.domain.model import IncidentState, UnitStatus
from console.domain.rules import Rules
from console.domain.units import Unit
from console.ui.message import messages
from console.views.command_line import CommandLine
from console.views.command_parser import (
    VERBS,
    Intent,
    Parsed,
    ParseError,
    completion_slot,
    help_text,
    parse,
    progress_slot,
)
from console.views.i18n import Translations
from tests.hub.conftest import PASSWORD, Client, incident_args
from tests.views.conftest import log_in, new_incident, new_unit, then, unit_then

WAIT_MS = 10_000
ID1 = "CH-20261125-000001"
ID7 = "CH-20261125-000007"


def incidents(*made: Incident) -> dict[str, Incident]:
    return {i.id: i for i in made}


@pytest.fixture
def world() -> tuple[dict[str, Incident], dict[str, Unit]]:
    """Incidents 1, 7 and 12 open, 9 closed, and yesterday's 12 rejected (so short number 12
    means today's open one); units U45, U46."""
    closed = then(new_incident(9), "incident.closed")
    old12 = then(new_incident(12, id="CH-20261124-000012"), "incident.rejected", reason="dup")
    made = incidents(new_incident(1), new_incident(7), closed, new_incident(12), old12)
    return made, {u.id: u for u in (new_unit("U45"), new_unit("U46"))}


def ok(result: Parsed | ParseError) -> Parsed:
    assert isinstance(result, Parsed), getattr(result, "text", result)
    return result


def error(result: Parsed | ParseError, code: str) -> ParseError:
    assert isinstance(result, ParseError), result
    assert result.code == code, result.text
    return result


# -- the parser, no Qt application needed ---------------------------------------------------


@pytest.mark.parametrize("line", ["A 1", "a 1", "A1", "accept 1", "受理 1", "A #1", "A 000001",
                                  f"A {ID1}", f"a {ID1.lower()}", "Ａ　１"])
def test_accept_by_short_number_full_id_or_alias(world: Any, line: str) -> None:
    parsed = ok(parse(line, *world))
    assert parsed.verb == "accept" and parsed.incident == ID1
    assert parsed.commands == (("incident.accept", {"id": ID1}),)


def test_a_full_id_need_not_be_on_this_console() -> None:
    parsed = ok(parse("A CH-20261101-000123"))
    assert parsed.commands == (("incident.accept", {"id": "CH-20261101-000123"}),)


def test_reject_escalate_note_and_reopen_keep_the_free_text(world: Any) -> None:
    assert ok(parse("R 1  duplicate of  7 ", *world)).commands == (
        ("incident.reject", {"id": ID1, "reason": "duplicate of  7"}),)
    assert ok(parse("E 7 持刀威胁", *world)).commands == (
        ("incident.escalate", {"id": ID7, "reason": "持刀威胁"}),)
    assert ok(parse("X 7 called back, no answer", *world)).commands == (
        ("incident.note", {"id": ID7, "text": "called back, no answer"}),)
    assert ok(parse("O 9 reporter unsatisfied", *world)).commands == (
        ("incident.reopen", {"id": "CH-20261125-000009", "reason": "reporter unsatisfied"}),)


def test_dispatch_is_one_command_per_unit(world: Any) -> None:
    parsed = ok(parse("D 1 U45 u46", *world))
    assert parsed.commands == (("incident.dispatch", {"id": ID1, "unit": "U45"}),
                               ("incident.dispatch", {"id": ID1, "unit": "U46"}))
    assert len(ok(parse("派 1 U45,U46", *world)).commands) == 2


def test_find_new_and_help_are_intents(world: Any) -> None:
    assert ok(parse("F 7", *world)) == Parsed("find", intent=Intent.OPEN, incident=ID7)
    assert ok(parse("F 9", *world)).incident == "CH-20261125-000009"  # finished ones too
    assert ok(parse("n")).intent is Intent.NEW
    for line in ("H", "?", "？", "帮助", "help"):
        assert ok(parse(line)).intent is Intent.HELP
    assert not ok(parse("N")).commands


@pytest.mark.parametrize(("word", "status"), [
    ("available", UnitStatus.AVAILABLE), ("avail", UnitStatus.AVAILABLE),
    ("AV", UnitStatus.AVAILABLE), ("busy", UnitStatus.BUSY), ("b", UnitStatus.BUSY),
    ("off", UnitStatus.OFF_DUTY), ("off-duty", UnitStatus.OFF_DUTY),
    ("out", UnitStatus.OUT_OF_SERVICE), ("oos", UnitStatus.OUT_OF_SERVICE),
    ("忙碌", UnitStatus.BUSY), ("空闲", UnitStatus.AVAILABLE)])
def test_status_takes_codes_prefixes_and_aliases(world: Any, word: str,
                                                 status: UnitStatus) -> None:
    assert ok(parse(f"S U45 {word}", *world)).commands == (
        ("unit.set_status", {"id": "U45", "status": status.value}),)


def test_status_of_several_units(world: Any) -> None:
    assert [args["id"] for _, args in ok(parse("S u45 U46 busy", *world)).commands] == [
        "U45", "U46"]
    assert ok(parse("S U45 out of service", *world)).commands == (
        ("unit.set_status", {"id": "U45", "status": "out_of_service"}),)
    assert ok(parse("S U45,U46 off duty", *world)).commands[1] == (
        "unit.set_status", {"id": "U46", "status": "off_duty"})


def test_close_verify_assign_and_merge(world: Any) -> None:
    assert ok(parse("C 7", *world)).commands == (("incident.close", {"id": ID7}),)
    assert ok(parse("V 7 ok", *world)).commands == (
        ("incident.verify", {"id": ID7, "method": "callback", "satisfied": True}),)
    assert ok(parse("V 7 基本满意", *world)).commands == (
        ("incident.verify", {"id": ID7, "method": "callback", "satisfied": True,
                             "satisfaction": "basically_satisfied"}),)
    assert ok(parse("回访 7 fail 仍有噪声", *world)).commands == (
        ("incident.verify", {"id": ID7, "method": "callback", "satisfied": False,
                             "note": "仍有噪声"}),)
    assert ok(parse("G 7", *world)).commands == (("incident.assign", {"id": ID7}),)
    departments = {"environment": "environment", "区生态环境局": "environment",
                   "urban_mgmt": "urban_mgmt"}
    assert ok(parse("G 7 env urban", *world, departments)).commands == (
        ("incident.assign", {"id": ID7, "department": "environment",
                             "co_handlers": ["urban_mgmt"]}),)
    assert ok(parse("交办 7 区生态环境局", *world, departments)).commands[0][1][
        "department"] == "environment"
    assert ok(parse("M 7 1", *world)).commands == (("incident.merge", {"id": ID7, "into": ID1}),)


def test_classify_takes_one_category_code(world: Any) -> None:
    for line in ("K 7 env.noise_residential", "classify 7 env.noise_residential",
                 "分类 7 env.noise_residential"):
        parsed = ok(parse(line, *world))
        assert parsed.incident == ID7 and parsed.commands == (
            ("incident.classify", {"id": ID7, "category": "env.noise_residential"}),)
    assert "category code" in error(parse("K 7", *world), "missing").text
    error(parse("K 7 env.noise_residential 1", *world), "too_many")


def test_unknown_verb_and_empty_line() -> None:
    err = error(parse("Q 1"), "unknown_verb")
    assert "'Q'" in err.text and "H" in err.text
    error(parse("   "), "empty")


@pytest.mark.parametrize(("line", "missing"), [
    ("A", "incident number"), ("R 1", "reason"), ("D 1", "unit"), ("D", "incident number"),
    ("S", "unit"), ("S U45", "status"), ("S busy", "unit"), ("V 1", "ok or fail"),
    ("X 1", "note"), ("E 1", "reason"), ("M 1", "merge into"), ("O 9", "reason"),
    ("F", "incident number")])
def test_missing_arguments_say_what_and_how(world: Any, line: str, missing: str) -> None:
    err = error(parse(line, *world), "missing")
    assert missing in err.text and "Usage:" in err.text


def test_too_many_words(world: Any) -> None:
    assert "'7'" in error(parse("A 1 7", *world), "too_many").text
    error(parse("N 1"), "too_many")
    error(parse("M 1 7 9", *world), "too_many")


def test_short_numbers_unknown_ambiguous_or_malformed(world: Any) -> None:
    incidents_, _units = world
    err = error(parse("A 55", incidents_), "unknown_incident")
    assert "55" in err.text
    # Two open incidents ending in -000012 on different days: ambiguous, both named.
    other_day = new_incident(12, id="CH-20261126-000012")
    err = error(parse("A 12", {**incidents_, other_day.id: other_day}), "ambiguous_incident")
    assert err.candidates == ("CH-20261125-000012", "CH-20261126-000012")
    assert all(c in err.text for c in err.candidates)
    # The open one is meant rather than yesterday's rejected one; reopen means the closed one.
    assert ok(parse("A 12", incidents_)).incident == "CH-20261125-000012"
    error(parse("A twelve", incidents_), "bad_incident")


def test_bad_statuses_units_and_verdicts(world: Any) -> None:
    assert "off_duty, available, busy, out_of_service" in error(
        parse("S U45 sleeping", *world), "bad_status").text
    assert error(parse("S U45 o", *world), "ambiguous_status").candidates == (
        "off_duty", "out_of_service")
    error(parse("S U45 en_route", *world), "assignment_status")
    error(parse("S U99 busy", *world), "unknown_unit")
    error(parse("D 1 U99", *world), "unknown_unit")
    error(parse("V 7 maybe", *world), "bad_verdict")
    error(parse("V 7 fail", *world), "note_required")
    error(parse("G 7 nowhere", *world, {"environment": "environment"}), "unknown_department")


@pytest.fixture
def on_the_way() -> tuple[dict[str, Incident], dict[str, Unit]]:
    """Incident 7 with U45 dispatched (then acknowledged) and U46 once sent and cleared;
    incident 1 with nobody; U47 free."""
    seven = then(new_incident(7), "assignment.dispatched", assignment=f"{ID7}/1", unit="U46")
    seven = then(seven, "assignment.updated", assignment=f"{ID7}/1", unit="U46",
                 status="cleared")
    seven = then(seven, "assignment.dispatched", assignment=f"{ID7}/2", unit="U45")
    seven = then(seven, "assignment.updated", assignment=f"{ID7}/2", unit="U45",
                 status="acknowledged")
    at = datetime(2026, 11, 25, 9, tzinfo=UTC)
    u45 = unit_then(new_unit("U45"), "assignment.dispatched", at, assignment=f"{ID7}/2")
    made = incidents(new_incident(1), seven)
    return made, {u.id: u for u in (u45, new_unit("U46"), new_unit("U47"))}


@pytest.mark.parametrize(("line", "step"), [
    ("U 7 U45 onscene", "on_scene"), ("U 7 u45 on_scene", "on_scene"),
    ("U 7 U45 on scene", "on_scene"), ("U U45 on", "on_scene"), ("u u45 到场", "on_scene"),
    ("进展 U45 en route", "en_route"), ("U U45 enroute", "en_route"), ("U U45 出发", "en_route"),
    ("U U45 ack", "acknowledged"), ("U U45 cl", "cleared"), ("U U45 完成", "cleared"),
    ("U U45 cancel", "cancelled"), ("U U45 召回", "cancelled"), (f"U {ID7} U45 clear", "cleared"),
    ("U7 U45 arrived", "on_scene")])
def test_progress_moves_the_units_assignment(on_the_way: Any, line: str, step: str) -> None:
    parsed = ok(parse(line, *on_the_way))
    assert parsed.verb == "progress" and parsed.incident == ID7
    assert parsed.commands == (("assignment.update", {"id": ID7, "assignment": f"{ID7}/2",
                                                      "status": step}),)


def test_progress_without_units_known_finds_the_one_active_assignment(on_the_way: Any) -> None:
    made, _units = on_the_way
    assert ok(parse("U U45 onscene", made)).commands[0][1]["assignment"] == f"{ID7}/2"
    # U46's only assignment is finished: with no incident named there is nothing to move.
    error(parse("U U46 onscene", made), "no_assignment")


def test_progress_of_a_finished_assignment_goes_to_the_hub_to_refuse(on_the_way: Any) -> None:
    # On a named incident the unit's latest assignment there is meant, finished or not: the
    # hub says why it cannot move (the parser holds no rule of the lifecycle).
    assert ok(parse("U 7 U46 onscene", *on_the_way)).commands[0][1]["assignment"] == f"{ID7}/1"


@pytest.mark.parametrize(("line", "code", "said"), [
    ("U", "missing", "a unit"), ("U 7", "missing", "a unit"), ("U U45", "missing", "the step"),
    ("U 7 U45", "missing", "the step"), ("U onscene", "missing", "a unit"),
    ("U 7 onscene", "missing", "a unit"), ("U U45 c", "ambiguous_step", "cleared, cancelled"),
    ("U U45 dispatched", "bad_step", "acknowledged, en_route, on_scene, cleared, cancelled"),
    ("U U45 sleeping", "bad_step", "sleeping"), ("U U47 onscene", "no_assignment", "U47"),
    ("U 1 U45 onscene", "not_assigned", ID1), ("U U99 onscene", "unknown_unit", "U99"),
    ("U 55 U45 onscene", "unknown_incident", "55"), ("U U45 U46 onscene", "too_many", "U46"),
    ("U 7 U45 U46 onscene", "too_many", "U46")])
def test_progress_mistakes_say_what(on_the_way: Any, line: str, code: str, said: str) -> None:
    assert said in error(parse(line, *on_the_way), code).text


def test_progress_completion_knows_the_incident_the_unit_and_the_steps(
        on_the_way: Any) -> None:
    made, units_ = on_the_way
    assert completion_slot("U ") == ("progress", "")
    assert completion_slot("U 7 U4") == ("progress", "U4")
    assert progress_slot([], made, units_) == ("subject", None)
    kind, inc = progress_slot(["7"], made, units_)
    assert kind == "unit" and isinstance(inc, Incident) and inc.id == ID7
    kind, assignment = progress_slot(["7", "U45"], made, units_)
    assert kind == "step" and isinstance(assignment, Assignment)
    assert assignment.id == f"{ID7}/2"
    assert progress_slot(["U45"], made, units_)[1] == assignment
    assert progress_slot(["U47"], made, units_) == ("step", None)
    assert progress_slot(["U45", "on"], made, units_) == (None, None)


def test_completion_slots() -> None:
    assert completion_slot("") == ("verb", "")
    assert completion_slot("ac") == ("verb", "ac")
    assert completion_slot("A ") == ("incident", "")
    assert completion_slot("A 12") == ("incident", "12")
    assert completion_slot("O 1") == ("closed_incident", "1")
    assert completion_slot("D 1 U4") == ("unit", "U4")
    assert completion_slot("S U") == ("unit", "U")
    assert completion_slot("S U45 av") == ("status", "av")
    assert completion_slot("V 1 o") == ("verdict", "o")
    assert completion_slot("M 1 2") == ("incident", "2")
    assert completion_slot("G 1 en") == ("department", "en")
    assert completion_slot("R 1 because") == (None, "because")
    assert completion_slot("N ") == (None, "")


def test_help_lists_every_verb() -> None:
    text = help_text()
    assert all(f"{verb.letter} " in text or verb.letter == text for verb in VERBS)
    assert "S <unit> [<unit>…] <status>" in text and "accept" in text


# -- the widget against a real hub ----------------------------------------------------------


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
