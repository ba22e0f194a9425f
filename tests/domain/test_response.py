"""Response plans: the shipped file covers every category, keys resolve most-specific first,
and a wrong entry is refused with a message naming it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from console.domain.model import UnitType
from console.domain.response import Need, ResponsePlans
from console.domain.taxonomy import Taxonomy


@pytest.fixture(scope="module")
def plans() -> ResponsePlans:
    return ResponsePlans.load()


def test_every_category_of_the_taxonomy_resolves_to_a_plan(plans: ResponsePlans) -> None:
    taxonomy = Taxonomy.load()
    for category in taxonomy.categories:
        plan = plans.plan_for(category.code)
        assert plan.needs, category.code
    # Every key names a category or a prefix of one: a typo would silently never match.
    assert plans.unknown_keys(c.code for c in taxonomy.categories) == []
    # A category nobody planned for gets the default.
    assert plans.plan_for("consult.policy") is plans.default
    assert plans.plan_for("no.such.code") is plans.default
    assert plans.ack_limit == timedelta(minutes=2)


def test_a_gas_leak_needs_an_emergency_team_police_and_the_gas_crew(
        plans: ResponsePlans) -> None:
    plan = plans.plan_for("safety.gas_leak")
    assert plan.key == "safety.gas_leak"
    assert plan.needs == (Need(UnitType.EMERGENCY), Need(UnitType.COMMUNITY_POLICE),
                          Need(UnitType.DEPARTMENT_CREW, "gas_leak"))
    assert plan.fits(UnitType.DEPARTMENT_CREW, ("gas", "gas_leak"))
    assert not plan.fits(UnitType.DEPARTMENT_CREW, ("plumbing",))
    assert not plan.fits(UnitType.GRID_WORKER, ("first_aid",))


def test_the_most_specific_key_wins(plans: ResponsePlans) -> None:
    assert plans.plan_for("city.garbage_collection").key == "city"  # rubbish: urban management
    assert plans.plan_for("city.garbage_collection").needs[0] == Need(UnitType.URBAN_MANAGEMENT)
    assert plans.plan_for("city.road_damage").key == "city.road_damage"
    assert plans.plan_for("safety.dangerous_building").key == "safety"


@pytest.mark.parametrize(("text", "says"), [
    ("[plans.city]\nneeds = [{ type = 'grid_worker' }]", "[default] is missing"),
    ("[default]\nneeds = []", "non-empty"),
    ("[default]\nneeds = [{ type = 'tank' }]", "type must be one of"),
    ("[default]\nneeds = [{ type = 'patrol', count = 0 }]", "count must be"),
    ("[default]\nneeds = [{ type = 'patrol', skil = 'x' }]", "unknown keys: skil"),
    ("[default]\nneeds = [{ type = 'patrol' }, { type = 'patrol' }]", "same need twice"),
    ("[default]\nneeds = [{ type = 'patrol' }]\n[plans.'city.']\nneeds = [{ type = 'patrol' }]",
     "not a category code"),
    ("[default]\nneeds = [{ type = 'patrol' }]\n[plan]\n", "unknown tables: plan"),
    ("[default\n", "not valid TOML"),
    ("acknowledge_within_minutes = 0\n[default]\nneeds = [{ type = 'patrol' }]",
     "acknowledge_within_minutes must be"),
])
def test_a_wrong_entry_is_refused_naming_it(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "response_plans.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=r"response_plans\.toml") as refused:
        ResponsePlans.load(path)
    assert says in str(refused.value)


def test_unknown_keys_are_found(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text("[default]\nneeds = [{ type = 'patrol' }]\n"
                    "[plans.safety]\nneeds = [{ type = 'emergency' }]\n"
                    "[plans.'safety.gas_lek']\nneeds = [{ type = 'emergency' }]\n",
                    encoding="utf-8")
    assert ResponsePlans.load(path).unknown_keys(["safety.gas_leak"]) == ["safety.gas_lek"]
