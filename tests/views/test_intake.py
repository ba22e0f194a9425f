"""The hotline intake form against a real hub: keyboard entry, validation, the caller's earlier
cases, duplicate suggestions with create-and-merge, inquiries answered on the spot."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from console.comms.bridge import Bridge
from console.domain.rules import Rules
from console.views import category_picker, intake
from console.views.intake import IntakeForm
from console.views.intake_lookup import parse_location
from tests.hub.conftest import HubThread
from tests.views import live
from tests.views.conftest import log_in
from tests.views.live import (
    HERE,
    WAIT_MS,
    activate,
    create,
    key,
    state_of,
    type_text,
)

# The live fixtures (this live_hub has an admin and a call taker as well).
bridge_as = live.bridge_as
heard = live.heard
live_hub = live.live_hub
BridgeAs = Callable[[str], Bridge]
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def live_bridge(qtbot: Any, live_hub: HubThread, rules: Rules) -> Iterator[Bridge]:
    """The intake is the call taker's: the one role whose feed carries reporters in full, so
    that the caller's earlier cases are found on the replica (docs/security.md)."""
    bridge = Bridge(rules, backoff_base=0.05, backoff_cap=0.5)
    log_in(qtbot, bridge, live_hub.port, "taker")
    yield bridge
    bridge.shutdown()


def make_form(qtbot: Any, bridge: Bridge, rules: Rules) -> IntakeForm:
    form = IntakeForm(bridge, rules)
    qtbot.addWidget(form)
    form.resize(900, 700)
    activate(qtbot, form)
    return form


def fill(form: IntakeForm, category: str, where: tuple[float, float] = HERE,
         description: str = "夜间施工噪声") -> None:
    form.category.set_category(category)
    form.description.setPlainText(description)
    form.set_location(*where, address="建设路 1 号")


def test_a_call_is_entered_with_the_keyboard_alone(
        qtbot: Any, live_bridge: Bridge, bridge_as: BridgeAs, rules: Rules,
        heard: list[tuple[str, str]]) -> None:
    form = make_form(qtbot, live_bridge, rules)
    assert QApplication.focusWidget() is form.phone
    type_text(qtbot, "13900000002")
    key(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is form.source  # hotline already
    key(qtbot, Qt.Key.Key_Tab)  # the police case number is off for a hotline call
    assert QApplication.focusWidget() is form.category.edit
    type_text(qtbot, "sgzs")  # pinyin initials of the construction noise category
    assert form.category.category() == "env.noise_construction"
    key(qtbot, Qt.Key.Key_Return)  # takes it and moves on
    assert QApplication.focusWidget() is form.request_type
    assert form.request_type.currentData() == "complaint"  # the category's default
    key(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is form.priority
    key(qtbot, Qt.Key.Key_Up)  # P3 → P2
    key(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is form.description
    type_text(qtbot, "工地夜间施工")
    key(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is form.address
    type_text(qtbot, "建设路 1 号")
    key(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is form.location
    type_text(qtbot, f"{HERE[0]}, {HERE[1]}")
    assert form.place.text() == "Mengzhuiwan / Community c01 / g010"
    key(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is form.reporter_name
    type_text(qtbot, "张先生")
    before = set(live_bridge.replica.incidents)
    with qtbot.waitSignal(form.created, timeout=WAIT_MS) as created:
        key(qtbot, Qt.Key.Key_Return, CTRL)
    iid = created.args[0]
    started = time.monotonic()
    qtbot.waitUntil(lambda: iid in live_bridge.replica.incidents, timeout=1_000)
    assert time.monotonic() - started < 1.0
    assert set(live_bridge.replica.incidents) - before == {iid}
    inc = live_bridge.replica.incidents[iid]
    assert (inc.category, inc.priority.value, inc.source.value) == (
        "env.noise_construction", "P2", "hotline")
    assert (inc.description, inc.location.address, inc.location.street) == (
        "工地夜间施工", "建设路 1 号", "street.mengzhuiwan")
    assert (inc.reporter.name, inc.reporter.phone) == ("张先生", "13900000002")
    assert ("info", f"Registered {iid}.") in heard
    # The form is empty again, ready for the next call, and the id was announced there too.
    assert form.phone.text() == "" and form.category.category() is None
    assert iid in form.message.text()
    assert QApplication.focusWidget() is form.phone
    # Another console sees it.
    leader = bridge_as("leader")
    qtbot.waitUntil(lambda: iid in leader.replica.incidents, timeout=WAIT_MS)


def test_category_search_understands_chinese_pinyin_and_english(
        qtbot: Any, live_bridge: Bridge, rules: Rules) -> None:
    form = make_form(qtbot, live_bridge, rules)
    for typed in ("施工噪声", "shigong", "construction noise"):
        form.category.edit.clear()
        type_text(qtbot, typed, form.category.edit)
        assert form.category.category() == "env.noise_construction", typed
    qtbot.keyClicks(form.category.edit, " xyzzy")
    assert form.category.category() is None


def test_wrong_fields_are_marked_and_nothing_is_sent(
        qtbot: Any, live_bridge: Bridge, rules: Rules) -> None:
    form = make_form(qtbot, live_bridge, rules)
    form.phone.setText("call me")
    form.location.setText("north of the bridge")
    sent: list[str] = []
    form.created.connect(sent.append)
    before = live_bridge.replica.seq
    form.phone.setFocus()
    key(qtbot, Qt.Key.Key_Return, CTRL)
    for field in ("phone", "category", "description", "location"):
        assert form.errors[field].isVisible(), field
    assert not form.errors["reporter_name"].isVisible()
    qtbot.wait(300)
    assert sent == [] and live_bridge.replica.seq == before
    form.source.setCurrentIndex(form.source.findData("police"))
    assert form.police_case_no.isEnabled()
    assert form.submit() is False
    assert form.errors["police_case_no"].isVisible()


def test_escape_clears_the_form(qtbot: Any, live_bridge: Bridge, rules: Rules) -> None:
    form = make_form(qtbot, live_bridge, rules)
    form.phone.setText("13900000009")
    fill(form, "env.noise_construction")
    form.priority.setCurrentIndex(0)
    form.description.setFocus()
    key(qtbot, Qt.Key.Key_Escape)
    assert form.phone.text() == "" and form.description.toPlainText() == ""
    assert form.category.category() is None and form.location.text() == ""
    assert form.priority.currentData() == "P3" and form.source.currentData() == "hotline"


def test_the_callers_earlier_cases_are_listed(
        qtbot: Any, live_bridge: Bridge, bridge_as: BridgeAs, rules: Rules) -> None:
    first = create(qtbot, live_bridge, reporter={"name": "王女士", "phone": "13700000007"})
    second = create(qtbot, live_bridge, reporter={"name": "王女士", "phone": "13700000007"},
                    category="city.streetlight")
    create(qtbot, live_bridge, reporter={"name": "李先生", "phone": "13700000008"})
    form = make_form(qtbot, live_bridge, rules)
    qtbot.keyClicks(form.phone, "137-0000-0007")

    def ids() -> list[str]:
        return [form.history.item(n).data(Qt.ItemDataRole.UserRole)
                for n in range(form.history.count())]

    qtbot.waitUntil(lambda: ids() == [second, first], timeout=WAIT_MS)  # newest first
    assert form.reporter_name.text() == "王女士"
    with qtbot.waitSignal(form.open_requested) as opened:
        form.history.itemActivated.emit(form.history.item(1))
    assert opened.args == [first]
    # A third call from the same number appears in the list as it arrives.
    third = create(qtbot, live_bridge, reporter={"name": "王女士", "phone": "13700000007"})
    qtbot.waitUntil(lambda: form.history.count() == 3)
    assert form.history.item(0).data(Qt.ItemDataRole.UserRole) == third
    # A viewer sees no reporters: the record is not asked by phone.
    viewer = bridge_as("viewer")
    qtbot.waitUntil(lambda: third in viewer.replica.incidents, timeout=WAIT_MS)
    theirs = make_form(qtbot, viewer, rules)
    qtbot.keyClicks(theirs.phone, "13700000007")
    assert theirs._callers.filters is None and theirs.history.count() == 0


def test_only_change_sets_that_concern_the_call_rescan_the_lists(
        qtbot: Any, live_bridge: Bridge, rules: Rules) -> None:
    form = make_form(qtbot, live_bridge, rules)
    qtbot.keyClicks(form.phone, "13700000009")
    qtbot.waitUntil(lambda: not form._refresh_lists.isActive())
    scans: list[int] = []
    form._refresh_lists.timeout.connect(lambda: scans.append(1))
    # Another caller, elsewhere: the lists (a scan of every incident held) are left alone.
    other = create(qtbot, live_bridge, reporter={"name": "李先生", "phone": "13700000008"},
                   category="city.streetlight", location={"lat": 30.6620, "lon": 104.1080})
    qtbot.wait(400)
    assert other in live_bridge.replica.incidents and scans == []
    # This caller calls again: the history is refreshed.
    mine = create(qtbot, live_bridge, reporter={"name": "王女士", "phone": "13700000009"})
    qtbot.waitUntil(lambda: form.history.count() == 1, timeout=WAIT_MS)
    assert scans and form.history.item(0).data(Qt.ItemDataRole.UserRole) == mine


def test_nearby_duplicates_are_suggested_and_a_call_merged_into_one(
        qtbot: Any, live_bridge: Bridge, rules: Rules, heard: list[tuple[str, str]]) -> None:
    same = create(qtbot, live_bridge)  # construction noise at HERE
    group = create(qtbot, live_bridge, category="env.noise_commercial",  # same group, ~200 m
                   location={"lat": HERE[0] + 0.0018, "lon": HERE[1], "address": ""})
    create(qtbot, live_bridge, category="city.illegal_parking",  # another group
           location={"lat": HERE[0], "lon": HERE[1], "address": ""})
    create(qtbot, live_bridge,  # same category, ~1.6 km away
           location={"lat": 30.6610, "lon": 104.1080, "address": ""})
    form = make_form(qtbot, live_bridge, rules)
    fill(form, "env.noise_construction", where=(HERE[0] + 0.0004, HERE[1] + 0.0004))
    listed = [form.duplicates.item(n).data(Qt.ItemDataRole.UserRole)
              for n in range(form.duplicates.count())]
    assert listed == [same, group]  # same category first, then the same group
    assert not form.merge_button.isEnabled()
    form.duplicates.setCurrentRow(0)
    assert form.merge_button.isEnabled()
    with qtbot.waitSignal(form.created, timeout=WAIT_MS) as created:
        qtbot.mouseClick(form.merge_button, Qt.MouseButton.LeftButton)
    new = created.args[0]
    qtbot.waitUntil(lambda: new in live_bridge.replica.incidents
                    and state_of(live_bridge, new) == "merged", timeout=WAIT_MS)
    assert live_bridge.replica.incidents[new].merged_into == same
    qtbot.waitUntil(lambda: live_bridge.replica.incidents[same].duplicates == (new,))
    qtbot.waitUntil(lambda: ("info", f"{new} merged into {same}.") in heard)


def test_an_inquiry_is_answered_on_the_spot(
        qtbot: Any, live_bridge: Bridge, rules: Rules) -> None:
    form = make_form(qtbot, live_bridge, rules)
    fill(form, "env.noise_construction")
    assert not form.answered.isEnabled()  # a complaint cannot be closed at intake
    fill(form, "social.social_insurance", description="医保报销比例是多少？")
    assert form.request_type.currentData() == "inquiry"
    assert form.answered.isEnabled() and not form.answer.isEnabled()
    form.answered.setChecked(True)
    assert not form.submit()  # the answer is missing
    assert form.errors["answer"].isVisible()
    form.answer.setPlainText("已告知报销比例及办理地点")
    with qtbot.waitSignal(form.created, timeout=WAIT_MS) as created:
        assert form.submit()
    iid = created.args[0]
    qtbot.waitUntil(lambda: iid in live_bridge.replica.incidents
                    and state_of(live_bridge, iid) == "closed", timeout=WAIT_MS)
    assert live_bridge.replica.incidents[iid].answer == "已告知报销比例及办理地点"


def test_a_refusal_from_the_hub_is_shown_and_the_form_kept(
        qtbot: Any, bridge_as: BridgeAs, live_hub: HubThread, rules: Rules,
        heard: list[tuple[str, str]]) -> None:
    viewer = bridge_as("viewer")
    form = make_form(qtbot, viewer, rules)
    fill(form, "env.noise_construction")
    assert form.submit()
    qtbot.waitUntil(lambda: "may not register new incidents" in form.message.text(),
                    timeout=WAIT_MS)
    assert heard[-1] == ("error", form.message.text())
    assert form.category.category() == "env.noise_construction"  # nothing typed is lost
    assert form.submit_button.isEnabled()
    viewer.disconnect_from_hub()
    assert not form.submit()
    assert form.message.text().startswith("Not connected")


def test_locations_are_read_as_lat_lon() -> None:
    assert parse_location("30.6675, 104.0925") == (30.6675, 104.0925)
    assert parse_location("30.6675，104.0925") == (30.6675, 104.0925)
    assert parse_location("30.6675 104.0925") == (30.6675, 104.0925)
    assert parse_location("104.0925") is None
    assert parse_location("95, 104") is None


def test_pyside_lupdate_finds_the_form_strings(tmp_path: Path) -> None:
    lupdate = Path(sys.executable).with_name("pyside6-lupdate")
    ts = tmp_path / "intake.ts"
    files = [intake.__file__, category_picker.__file__]
    done = subprocess.run([str(lupdate), *files, "-ts", str(ts)], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    found = {m.findtext("source") for c in ElementTree.parse(ts).getroot().iter("context")
             if c.findtext("name") == "IntakeForm" for m in c.iter("message")}
    assert {"Caller phone", "Answered on the phone", "Registered {id}.", "Choose a category.",
            "{id} merged into {into}.", "Register and merge into selected",
            "Not connected to the hub; the incident was not registered."} <= found
    # … and every string the modules mark (each is a literal after the context name).
    marked = {text for file in files
              for text in re.findall(r'"IntakeForm",\s*"([^"]*)"', Path(file).read_text())}
    assert marked == found
