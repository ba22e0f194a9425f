"""Which characters text may hold: refused in commands, cleaned in police messages."""

from __future__ import annotations

import pytest

from console.domain import args as a
from console.domain.errors import Refused
from console.domain.text import clean, clean_police, problem

BAD = ["\x00", "\x01", "\x1b", "\r", "\x0b", "\x7f", "\x80", "\x85", "\x9f",
       "\u202a", "\u202e", "\u2066", "\u2069"]


@pytest.mark.parametrize("char", BAD)
def test_controls_and_bidi_overrides_are_refused_in_both_kinds_of_text(char: str) -> None:
    assert problem(f"a{char}b") == f"U+{ord(char):04X}"
    assert problem(f"a{char}b", multiline=True) == f"U+{ord(char):04X}"


def test_free_text_keeps_lines_and_tabs_single_line_text_does_not() -> None:
    assert problem("第一行\n\t第二行", multiline=True) is None
    assert problem("第一行\n第二行") == "U+000A"
    assert problem("a\tb") == "U+0009"
    # Marks that cannot reorder anything, and ordinary Chinese punctuation, are fine.
    assert problem("\u200e建设路 1 号\u200f，“噪声”") is None


def test_a_refusal_names_the_field_and_the_character() -> None:
    with pytest.raises(Refused) as refused:
        a.text({"description": "噪声\x00扰民"}, "description", multiline=True)
    assert refused.value.code == "invalid"
    assert refused.value.params == {"field": "description", "character": "U+0000"}
    with pytest.raises(Refused):
        a.ident({"id": "CH\u202e-1"}, "id")
    with pytest.raises(Refused):
        a.idents({"skills": ["ok", "bad\x00"]}, "skills")
    assert a.text({"note": " 第一行\n第二行 "}, "note", multiline=True) == "第一行\n第二行"


def test_the_police_rule_removes_and_keeps_line_structure() -> None:
    assert (clean("楼上\x00住户\u202e深夜\r\n噪声\r扰民", multiline=True)
            == "楼上住户深夜\n噪声\n扰民")
    assert clean("建设路\t1 号\r\n3 号楼\x07") == "建设路 1 号 3 号楼"
    message = {"kind": "incident", "message": "110-\x001", "case": {
        "summary": "a\x00\nb", "remarks": ["c\x1b\td", "e\u2067"],
        "location": {"lat": 0, "lon": 0, "address": "f\ng"}, "priority": None}}
    assert clean_police(message) == {"kind": "incident", "message": "110-1", "case": {
        "summary": "a\nb", "remarks": ["c\td", "e"],
        "location": {"lat": 0, "lon": 0, "address": "f g"}, "priority": None}}


@pytest.mark.parametrize("value", ["", "普通文本", "a\u200db", "😀"])
def test_cleaning_leaves_good_text_alone(value: str) -> None:
    assert problem(value, multiline=True) is None
    assert clean(value) == value and clean(value, multiline=True) == value
