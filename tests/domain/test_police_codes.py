"""The police's own classification codes: the table's validation, and what a diversion's code
makes of the case — a category when the table maps it, a case awaiting classification when not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from console.domain.incident import Incident
from console.domain.model import IncidentState, RequestType
from console.domain.permissions import COMMANDS
from console.domain.police_codes import DEFAULT_PATH, PoliceCodes
from console.domain.rules import Rules
from console.domain.taxonomy import UNCLASSIFIED, Taxonomy
from tests.domain.conftest import CALL_TAKER, CONTROLLER, LIAISON, POLICE, Desk, desk_of
from tests.domain.test_police import CASE, divert


def table(rules: Rules, text: str, tmp_path: Path) -> PoliceCodes:
    path = tmp_path / "police_codes.toml"
    path.write_text(text, encoding="utf-8")
    return PoliceCodes.load(rules.taxonomy, path)


# -- the table -----------------------------------------------------------------------------------

def test_the_shipped_table_maps_numeric_codes_and_the_gateway_words(rules: Rules) -> None:
    codes = rules.police_codes
    assert codes.category_for("0301", rules.taxonomy) == "neighbour.dispute"
    assert codes.category_for("noise", rules.taxonomy) == "env.noise_residential"
    assert codes.category_for("0399", rules.taxonomy) is None  # known, deliberately unmapped
    assert codes.category_for("9876", rules.taxonomy) is None  # unknown
    # A gateway that already speaks the center's taxonomy; the reserved category never maps.
    assert codes.category_for("city.streetlight", rules.taxonomy) == "city.streetlight"
    assert codes.category_for(UNCLASSIFIED, rules.taxonomy) is None
    assert codes.code_for("neighbour.dispute") == "0301"
    assert DEFAULT_PATH.name == "police_codes.toml"


def test_a_code_mapped_to_an_unknown_category_is_an_error_naming_file_and_code(
        rules: Rules, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"police_codes.toml: police code '0301' maps to "
                                         r"unknown category 'env.no_such'"):
        table(rules, '[codes]\n"0301" = "env.no_such"\n', tmp_path)


def test_the_rules_do_not_load_with_a_bad_table(rules: Rules, tmp_path: Path) -> None:
    resources = Path(DEFAULT_PATH).parent
    for name in ("taxonomy.json", "sla.toml", "calendar.toml", "roles.toml"):
        (tmp_path / name).write_bytes((resources / name).read_bytes())
    (tmp_path / "police_codes.toml").write_text('[codes]\n"0402" = "nowhere"\n',
                                                encoding="utf-8")
    with pytest.raises(ValueError, match=r"police_codes\.toml: police code .0402."):
        Rules.load(tmp_path)


@pytest.mark.parametrize(("text", "message"), [
    ('[codes]\n"0301" = "unclassified"\n', "reserved category 'unclassified'"),
    ('unmapped = ["0399"]\n[codes]\n"0399" = "neighbour.dispute"\n', "'0399' is listed twice"),
    ('unmapped = ["0399", "0399"]\n', "'0399' is listed twice"),
    ('[codes]\n"03 01" = "neighbour.dispute"\n', "police code '03 01' must be"),
    ('[codes]\n"0301" = 7\n', "'0301' maps to unknown category 7"),
    ('unmapped = "0399"\n', "'unmapped' must be a list"),
    ('codes = "x"\n', r"\[codes\] must be a table"),
    ('[codes\n', "not valid TOML"),
])
def test_a_bad_table_is_refused_naming_the_problem(rules: Rules, tmp_path: Path, text: str,
                                                     message: str) -> None:
    with pytest.raises(ValueError, match=message):
        table(rules, text, tmp_path)


def test_a_taxonomy_without_the_reserved_category_is_refused(rules: Rules) -> None:
    plain = Taxonomy(rules.taxonomy.departments, rules.taxonomy.request_types,
                     rules.taxonomy.classifiable, rules.taxonomy.groups)
    with pytest.raises(ValueError, match="no category 'unclassified'"):
        PoliceCodes.from_dict({}, plain)


def test_search_never_offers_the_reserved_category(rules: Rules) -> None:
    assert UNCLASSIFIED not in [c.code for c in rules.taxonomy.search("unclassified")]
    assert UNCLASSIFIED not in [c.code for c in rules.taxonomy.search("待分类")]
    assert UNCLASSIFIED not in [c.code for c in rules.taxonomy.classifiable]


# -- a diversion's code --------------------------------------------------------------------------

def test_a_mapped_code_becomes_the_mapped_category(desk: Desk) -> None:
    inc = desk.incident(divert(desk, classification="0301"))
    assert inc.category == "neighbour.dispute" and not inc.awaiting_classification
    assert inc.police_code == "0301"
    assert inc.sla_class == desk.rules.taxonomy.category("neighbour.dispute").sla_class


def unclassified(desk: Desk, code: str = "9876", **case: Any) -> Incident:
    return desk.incident(divert(desk, classification=code, **case))


@pytest.mark.parametrize("code", ["9876", "0399", "UNKNOWN-CODE", UNCLASSIFIED])
def test_an_unknown_or_unmapped_code_is_taken_and_awaits_classification(desk: Desk,
                                                                        code: str) -> None:
    inc = unclassified(desk, code)
    assert inc.state is IncidentState.NEW and inc.awaiting_classification
    assert inc.category == UNCLASSIFIED and inc.police_code == code
    assert inc.police is not None and inc.police.shared_id == CASE["shared_id"]
    assert Incident.from_dict(inc.to_dict()) == inc


def test_an_unclassified_case_is_classified_then_accepted_and_routed(desk: Desk) -> None:
    inc = unclassified(desk)
    refusal = desk.refusal(LIAISON, "incident.accept", id=inc.id)
    assert refusal.code == "conflict" and refusal.params["code"] == "9876"
    (event,) = desk.run(LIAISON, "incident.classify", id=inc.id, category="social.wage_arrears")
    assert event.name == "incident.classified" and event.data["previous"] == UNCLASSIFIED
    inc = desk.incident(inc.id)
    assert inc.category == "social.wage_arrears" and not inc.awaiting_classification
    assert inc.request_type is RequestType.COMPLAINT and inc.police_code == "9876"
    assert inc.sla_class == desk.rules.taxonomy.category("social.wage_arrears").sla_class
    desk.run(LIAISON, "incident.accept", id=inc.id)
    desk.run(CONTROLLER, "incident.assign", id=inc.id)
    assert desk.incident(inc.id).lead_department == "hrss"
    again = desk.refusal(LIAISON, "incident.classify", id=inc.id, category="consult.other")
    assert again.code == "conflict" and again.params["category"] == "social.wage_arrears"


def test_classify_wants_a_real_category(desk: Desk) -> None:
    inc = unclassified(desk)
    for code in (UNCLASSIFIED, "no.such", ""):
        assert desk.refusal(CONTROLLER, "incident.classify", id=inc.id,
                            category=code).code == "invalid"


def test_who_may_classify(desk: Desk) -> None:
    inc = unclassified(desk)
    assert "incident.classify" in COMMANDS
    for actor in (CALL_TAKER, desk_of("hrss"), POLICE):
        assert desk.refusal(actor, "incident.classify", id=inc.id,
                            category="consult.other").code == "forbidden"
    desk.run(CONTROLLER, "incident.classify", id=inc.id, category="consult.other")


def test_a_liaison_classifies_only_police_cases(desk: Desk) -> None:
    hotline = desk.create()
    assert desk.refusal(LIAISON, "incident.classify", id=hotline,
                        category="consult.other").code == "forbidden"


def test_nobody_files_a_case_under_the_reserved_category(desk: Desk) -> None:
    refusal = desk.refusal(CONTROLLER, "incident.create", source="hotline",
                           category=UNCLASSIFIED, priority="P3", description="x",
                           location={"lat": 30.6675, "lon": 104.1075})
    assert refusal.code == "invalid" and refusal.params["code"] == UNCLASSIFIED


def test_an_unclassified_case_may_still_be_returned_to_the_police(desk: Desk) -> None:
    inc = unclassified(desk)
    desk.run(LIAISON, "incident.reject", id=inc.id, reason="涉及人身伤害风险，属警务事项")
    assert desk.incident(inc.id).state is IncidentState.REJECTED
