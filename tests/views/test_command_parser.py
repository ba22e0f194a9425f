"""The command line's parser on its own: every verb, every kind of mistake, completion slots
and the help (the widget against a real hub is in test_command_line.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from console.domain.incident import Assignment, Incident
from console.domain.model import UnitStatus
from console.domain.units import Unit
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
from tests.views.conftest import new_incident, new_unit, then, unit_then

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
