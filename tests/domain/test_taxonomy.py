"""Tests of the taxonomy: the shipped file, validation, routing to departments, and search."""

from __future__ import annotations

import copy
import json
from collections import Counter
from typing import Any

import pytest

from console.domain.taxonomy import (
    DEFAULT_PATH,
    FALLBACK_DEPARTMENT,
    MIN_CATEGORIES,
    SLA_CLASSES,
    STREET,
    UNCLASSIFIED,
    Category,
    Taxonomy,
)

STREETS = [
    "mengzhuiwan",
    "shuangqiaozi",
    "fuqinglu",
    "erxianqiao",
    "tiaodenghe",
    "shuangshuinian",
    "wannianchang",
    "baohe",
    "qinglong",
    "longtan",
    "bailianchi",
    "taoxilu",
    "simaqiao",
    "shengdeng",
]


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    with DEFAULT_PATH.open(encoding="utf-8") as stream:
        data: dict[str, Any] = json.load(stream)
    return data


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return Taxonomy.load()


def codes(categories: list[Category]) -> list[str]:
    return [c.code for c in categories]


# -- the shipped file ---------------------------------------------------------------------------


def test_shipped_file_has_25_departments_and_14_street_offices(taxonomy: Taxonomy) -> None:
    kinds = Counter(d.kind for d in taxonomy.departments)
    assert kinds == {"department": 25, "street": 14}
    assert {d.code for d in taxonomy.street_offices} == {f"street.{s}" for s in STREETS}
    for required in ("police", "urban_mgmt", "environment", "health", "work_safety", "petitions"):
        assert taxonomy.department(required).kind == "department"
    assert taxonomy.department(FALLBACK_DEPARTMENT).kind == "department"
    assert taxonomy.department("street.shengdeng").zh == "圣灯街道办事处"


def test_shipped_file_has_the_six_request_types(taxonomy: Taxonomy) -> None:
    assert {r.code: r.zh for r in taxonomy.request_types} == {
        "complaint": "投诉",
        "inquiry": "咨询",
        "opinion": "意见",
        "suggestion": "建议",
        "help": "求助",
        "report": "举报",
    }


def test_shipped_categories_are_plentiful_and_complete(taxonomy: Taxonomy) -> None:
    assert len(taxonomy.categories) >= 48
    assert sum(c.police_matter for c in taxonomy.categories) >= 4
    assert {c.sla_class for c in taxonomy.categories} == SLA_CLASSES
    assert {c.group for c in taxonomy.categories} == {g.code for g in taxonomy.groups}
    for category in taxonomy.categories:
        assert category.pinyin.isascii(), category.code
        assert len(category.pinyin.split()) == len(category.zh), category.code
        assert "".join(category.pinyin.split()) in category.keywords, category.code
        assert category.code.isascii(), category.code
        # group.kind, but for the reserved category police cases await classification under
        assert "." in category.code or category.code == UNCLASSIFIED, category.code


def test_police_matters_include_violence_and_go_to_police(taxonomy: Taxonomy) -> None:
    violence = taxonomy.category("police.violence")
    assert violence.police_matter
    assert violence.sla_class == "urgent"
    for category in taxonomy.categories:
        if category.police_matter:
            assert category.department == "police", category.code
    assert not taxonomy.category("env.noise_construction").police_matter


# -- lookups and routing ------------------------------------------------------------------------


def test_unknown_codes_raise_value_error(taxonomy: Taxonomy) -> None:
    with pytest.raises(ValueError, match="unknown category 'x'"):
        taxonomy.category("x")
    with pytest.raises(ValueError, match="unknown department 'nope'"):
        taxonomy.department("nope")
    with pytest.raises(ValueError, match="unknown request type"):
        taxonomy.request_type("nope")
    with pytest.raises(ValueError, match="unknown category"):
        taxonomy.department_for("nope", "baohe")


def test_department_for_a_fixed_department_ignores_the_street(taxonomy: Taxonomy) -> None:
    assert taxonomy.department_for("utility.water_outage", "baohe") == "water"
    assert taxonomy.department_for("utility.water_outage", None) == "water"


@pytest.mark.parametrize("street", ["baohe", "street.baohe"])
def test_department_for_a_street_category_resolves_the_office(
    taxonomy: Taxonomy, street: str
) -> None:
    assert taxonomy.category("neighbour.dispute").department == STREET
    assert taxonomy.department_for("neighbour.dispute", street) == "street.baohe"


@pytest.mark.parametrize("street", [None, "", "atlantis", "street.atlantis", "police"])
def test_department_for_an_unknown_street_falls_back(
    taxonomy: Taxonomy, street: str | None
) -> None:
    assert taxonomy.department_for("neighbour.dispute", street) == FALLBACK_DEPARTMENT


def test_to_wire_is_json_ready_and_complete(taxonomy: Taxonomy) -> None:
    wire = taxonomy.to_wire()
    assert len(wire) == len(taxonomy.categories)
    assert json.loads(json.dumps(wire, ensure_ascii=False)) == wire
    assert set(wire[0]) == {
        "code",
        "zh",
        "en",
        "group",
        "department",
        "sla_class",
        "request_type",
        "police_matter",
    }
    by_code = {w["code"]: w for w in wire}
    assert by_code["police.violence"]["police_matter"] is True


def test_names_follow_the_language(taxonomy: Taxonomy) -> None:
    category = taxonomy.category("city.illegal_parking")
    assert category.name("zh_CN") == "违章停车"
    assert category.name("en") == "Illegal parking"
    assert taxonomy.department("police").name("en").startswith("Public Security")


# -- search -------------------------------------------------------------------------------------

NOISE = {"env.noise_construction", "env.noise_commercial", "env.noise_residential"}


@pytest.mark.parametrize("query", ["噪声", "noise", "zaosheng", "zao sheng", "zs", "ZS", " Noise "])
def test_search_finds_noise_in_every_script(taxonomy: Taxonomy, query: str) -> None:
    found = codes(taxonomy.search(query))
    assert set(found[:3]) == NOISE


def test_search_by_pinyin_initials_and_syllables(taxonomy: Taxonomy) -> None:
    assert codes(taxonomy.search("wztc")) == ["city.illegal_parking"]
    assert codes(taxonomy.search("rqxl"))[0] == "safety.gas_leak"
    assert "utility.power_outage" in codes(taxonomy.search("tingdian"))
    # A full-pinyin word starting mid-name still matches at a syllable boundary ...
    assert "city.illegal_parking" in codes(taxonomy.search("tingche"))
    # ... but not in the middle of a syllable.
    assert "city.illegal_parking" not in codes(taxonomy.search("ngting"))


def test_search_by_keyword_code_and_english_prefix(taxonomy: Taxonomy) -> None:
    assert codes(taxonomy.search("家暴")) == ["police.domestic_violence"]
    assert codes(taxonomy.search("city.illegal_parking")) == ["city.illegal_parking"]
    assert codes(taxonomy.search("elev"))[0] == "safety.lift_entrapment"
    assert codes(taxonomy.search("gas leak"))[0] == "safety.gas_leak"


def test_search_in_a_caller_phrase(taxonomy: Taxonomy) -> None:
    assert codes(taxonomy.search("楼上装修噪音太吵"))[0] == "env.noise_residential"
    assert codes(taxonomy.search("电梯坏了有人被困")) == ["safety.lift_entrapment"]


def test_search_requires_every_word_and_honours_limit(taxonomy: Taxonomy) -> None:
    assert taxonomy.search("") == []
    assert taxonomy.search("   ") == []
    assert taxonomy.search("noise qqqqq") == []
    assert len(taxonomy.search("noise", limit=2)) == 2


# -- validation ---------------------------------------------------------------------------------


def test_from_dict_accepts_the_shipped_data(raw: dict[str, Any]) -> None:
    assert len(Taxonomy.from_dict(raw).categories) == len(raw["categories"])


def _mutated(raw: dict[str, Any], change: Any) -> dict[str, Any]:
    data = copy.deepcopy(raw)
    change(data)
    return data


def _set(section: str, index: int, key: str, value: Any) -> Any:
    def change(data: dict[str, Any]) -> None:
        data[section][index][key] = value

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_set("categories", 1, "code", "city.illegal_parking"), "duplicate category code"),
        (_set("departments", 1, "code", "police"), "duplicate department code 'police'"),
        (_set("categories", 0, "department", "ministry"), "'city.illegal_parking'.*'ministry'"),
        (_set("categories", 0, "sla_class", "asap"), "'city.illegal_parking'.*sla_class 'asap'"),
        (_set("categories", 0, "request_type", "rant"), "'city.illegal_parking'.*'rant'"),
        (_set("categories", 0, "zh", ""), "category 'city.illegal_parking'.*'zh'"),
        (_set("categories", 0, "en", "  "), "category 'city.illegal_parking'.*'en'"),
        (_set("categories", 0, "group", "misc"), "'city.illegal_parking'.*unknown group"),
        (_set("categories", 0, "police_matter", "yes"), "police_matter"),
        (_set("categories", 0, "pinyin", "wéi zhāng"), "pinyin"),
        (_set("categories", 0, "keywords", "parking"), "keywords"),
        (_set("categories", 3, "code", ""), r"categories\[3\].*'code'"),
        (_set("departments", 0, "kind", "bureau"), "department 'police': kind"),
        (_set("departments", 0, "code", "street"), "reserved"),
        (_set("departments", 30, "kind", "department"), "street offices"),
        (_set("request_types", 0, "en", ""), "request type 'complaint'"),
        (lambda d: d.pop("categories"), "'categories' must be a list"),
        (lambda d: d.update(categories=d["categories"][: MIN_CATEGORIES - 1]), "at least 40"),
    ],
)
def test_from_dict_rejects_bad_entries(raw: dict[str, Any], change: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Taxonomy.from_dict(_mutated(raw, change))


def test_street_department_needs_no_entry(raw: dict[str, Any]) -> None:
    data = _mutated(raw, _set("categories", 0, "department", STREET))
    assert Taxonomy.from_dict(data).category("city.illegal_parking").department == STREET


def test_load_reports_bad_json(tmp_path: Any) -> None:
    path = tmp_path / "taxonomy.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid JSON"):
        Taxonomy.load(path)
