"""Every refusal the hub can send reads in Chinese: its template is in the catalogue lupdate
scans (console/ui/refusals.py, written by tools/refusal_catalogue.py), translated, and the
console fills it with its word parameters translated too."""

from __future__ import annotations

import importlib.util
import re
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from console.comms.client import CommandResult
from console.domain.errors import Refused
from console.ui import refusals
from console.ui.text import WORD_PARAMS, result_text
from console.views.i18n import Translations

ROOT = Path(__file__).resolve().parents[2]
#: Words the translation keeps on purpose: values a user types or reads on the wire, named
#: beside their Chinese ("'method' must be site (a visit) ...").
KEPT = {"GeoJSON", "site", "callback", "up", "down", "accepted", "rejected", "completed",
        "aborted", "minutes", "hours", "working_days", "lon", "lat",
        # File formats and units, and the path a console connects on.
        "MB", "JPEG", "PNG", "WebP", "AAC", "AMR", "WAV", "OGG", "PDF", "ws"}
LATIN = re.compile(r"[A-Za-z][A-Za-z_]+")


def load_tool() -> Any:
    spec = importlib.util.spec_from_file_location("refusal_catalogue",
                                                  ROOT / "tools/refusal_catalogue.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def chinese(qapp: Any) -> Iterator[None]:
    translations = Translations()
    assert translations.apply("zh_CN") == "zh_CN"
    yield
    translations.apply("en")


def test_the_catalogue_lists_every_template_of_the_code() -> None:
    tool = load_tool()
    sentences, words = tool.catalogue()
    assert tool.CATALOGUE.read_text(encoding="utf-8") == tool.render(sentences, words), (
        "console/ui/refusals.py is stale: run make translations and translate what is new")
    # The finder sees the kinds of template there are: a domain refusal, a hub refusal, a
    # password policy refusal, a reason returned by a function, a scope reason in a table.
    for template in ("There is no incident {id}.",
                     "The hub has {limit} connections, as many as it takes; try again later.",
                     "A password needs at least {min} characters.",
                     "This stage is already finished.",
                     "A field unit clocks in only itself."):
        assert template in sentences
    assert {"off_duty", "description", "register new incidents", "signed for"} <= set(words)
    assert len(refusals.TEMPLATES) == len(sentences) and len(refusals.WORDS) == len(words)


def test_the_finder_finds_a_new_template(tmp_path: Path) -> None:
    tool = load_tool()
    for folder in tool.SOURCES:
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "console/domain/new.py").write_text(
        'def f(x):\n    raise Refused("conflict", "Nothing new " "under the sun.", id=x)\n'
        'REASON = {"a": "A reason in a table."}\n'
        'class Colour(StrEnum):\n    RED = "dark_red"\n'
        'def g(args):\n    return a.text(args, "colour_name")\n')
    (tmp_path / "console/hub/door.py").write_text(
        'X = Refused("The door is shut; knock.", {})\nY = Refused("code_only")\n')
    sentences, words = tool.catalogue(tmp_path)
    assert sentences == ["A reason in a table.", "Nothing new under the sun.",
                         "The door is shut; knock."]
    assert words == ["colour_name", "dark_red"]


def sample_params(template: str) -> dict[str, Any]:
    """Values a refusal of ``template`` could carry: ids, numbers, and real words."""
    words = {"field": "description", "state": "in_progress", "status": "off_duty",
             "kind": "complaint", "stage": "arrive", "action": "dispatch field units",
             "target": "en_route", "roles": "viewer, department", "allowed": "I, II, III",
             "wanted": "new or accepted", "doing": "signed for"}
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    return {name: words.get(name, "X-1") for name in names}


def test_every_refusal_reads_in_chinese(chinese: None) -> None:
    english = []
    for template in refusals.TEMPLATES:
        params = sample_params(template)
        refused = Refused("invalid", template, **params).to_dict()
        text = result_text(CommandResult("c1", False, code=refused["code"],
                                         message=refused["message"],
                                         template=template, params=params))
        # Words with digits are codes and formats (data_b64, base64, MP4, M4A).
        coded = re.sub(r"\b\w*\d\w*\b", " ", text.replace("X-1", ""))
        left = {w for w in LATIN.findall(coded)} - KEPT - {"II", "III"}
        if left or text == refused["message"]:
            english.append(f"{template!r} → {text!r}")
    assert not english, "refusals not in Chinese:\n  " + "\n  ".join(english)


def test_word_parameters_are_translated_and_ids_are_not(chinese: None) -> None:
    params = {"id": "I-20260302-0007", "state": "closed", "wanted": "new or accepted",
              "doing": "signed for"}
    text = result_text(CommandResult(
        "c1", False, code="conflict", message="English",
        template="{id} is {state}; only {wanted} incidents can be {doing}.", params=params))
    assert text == "I-20260302-0007 为“已结案”；只有“待受理或已受理”的事件才能签收。"
    assert {"state", "wanted", "doing"} <= WORD_PARAMS
