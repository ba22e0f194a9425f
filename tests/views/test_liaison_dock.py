"""The liaison dock, end to end: the police divert, the liaison signs or returns from the
keyboard, the police hear it; an unsigned case raises the alarm and shows red."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from console.comms.clock import Clock
from console.domain.rules import Rules
from console.views.incident_actions import ClassifyDialog, TextDialog
from tests.hub.conftest import Client, HubThread, add_users
from tests.views.live import WAIT_MS, bridge_as, live_hub  # noqa: F401 - fixtures
from tests.views.test_console import Consoles, consoles, url_of, window_of  # noqa: F401

CASE: dict[str, Any] = {
    "police_case_no": "110-20261127-0457", "sent_at": "2026-11-27T11:02:10+08:00",
    "location": {"lat": 30.6675, "lon": 104.0925, "address": "建设路 1 号"},
    "classification": "env.noise_residential", "summary": "楼上住户深夜噪声扰民",
    "remarks": ["报警人情绪平稳"]}


def police_center(hub: HubThread) -> Client:
    client = Client(hub.port, "/police")
    client.hello("police110")
    return client


def divert(center: Client, **case: Any) -> str:
    message = f"110-{uuid.uuid4()}"
    center.send({"type": "incident", "id": message,
                 "case": {**CASE, "shared_id": str(uuid.uuid4()), **case}})
    while True:
        reply = center.recv()
        if reply.get("id") == message:
            assert reply["type"] == "ack", reply
            return str(reply["incident"])
        center.other.append(reply)


def handoff(center: Client) -> dict[str, Any]:
    message = center.other.pop(0) if center.other else center.recv()
    center.send({"type": "ack", "id": message["id"]})
    return message


def test_a_diversion_is_signed_and_another_returned_from_the_keyboard(
        qtbot: Any, live_hub: HubThread, consoles: Consoles) -> None:  # noqa: F811
    app = consoles(url_of(live_hub), "liaison")
    window = window_of(app)
    dock = window.liaison
    assert window.docks["liaison"].isCurrentTab()  # a liaison's desk opens on police cases
    center = police_center(live_hub)
    sent = time.monotonic()
    signed = divert(center)
    qtbot.waitUntil(lambda: signed in dock.rows("sign"), timeout=WAIT_MS)
    assert time.monotonic() - sent < 1.0
    returned = divert(center)
    qtbot.waitUntil(lambda: returned in dock.rows("sign"), timeout=WAIT_MS)

    dock.select(signed)
    dock.cases.setFocus()
    qtbot.keyClick(dock.cases, Qt.Key.Key_Return)  # opens the case, police remarks and all
    qtbot.waitUntil(lambda: window.detail.incident_id == signed, timeout=WAIT_MS)
    assert window.detail.fields["police_remarks"].text() == "报警人情绪平稳"
    assert window.detail.fields["police_case_no"].text() == "110-20261127-0457"
    dock.cases.setFocus()
    qtbot.keyClick(dock.cases, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    message = handoff(center)
    assert (message["type"], message["status"]) == ("acknowledgement", "accepted")
    qtbot.waitUntil(lambda: signed in dock.rows("feedback"), timeout=WAIT_MS)

    dock.select(returned)
    dock.cases.setFocus()
    qtbot.keyClick(dock.cases, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    dialog = window.detail.dialog
    assert isinstance(dialog, TextDialog)
    dialog.text.setPlainText("涉及人身伤害，属警务事项")
    dialog.accept()
    message = handoff(center)
    assert (message["status"], message["cause"]) == ("rejected", "涉及人身伤害，属警务事项")
    qtbot.waitUntil(lambda: returned in dock.rows("returned"), timeout=WAIT_MS)
    # Both answers acknowledged by the police: nothing waits any more.
    qtbot.waitUntil(lambda: "0 messages waiting" in dock.link.text(), timeout=WAIT_MS)
    assert "connected" in dock.link.text()


def test_a_case_with_an_unknown_police_code_is_classified_then_signed(
        qtbot: Any, live_hub: HubThread, consoles: Consoles) -> None:  # noqa: F811
    app = consoles(url_of(live_hub), "liaison")
    window = window_of(app)
    dock = window.liaison
    center = police_center(live_hub)
    waiting = divert(center, classification="0698", summary="楼道内有人私拉电线给电动车充电")
    qtbot.waitUntil(lambda: waiting in dock.rows("sign"), timeout=WAIT_MS)
    item = dock.row_item(waiting)
    assert item is not None
    assert item.text(2) == "Awaiting classification"
    assert item.text(5) == "awaiting classification (police code 0698)"

    dock.select(waiting)
    dock.cases.setFocus()
    qtbot.keyClick(dock.cases, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.detail.incident_id == waiting, timeout=WAIT_MS)
    detail = window.detail
    assert detail.fields["police_code"].text() == "0698 — awaiting classification"
    assert not detail.action("incident.accept").isEnabled()  # classified first
    assert "classify it first" in detail.action("incident.accept").toolTip()
    assert detail.action("incident.classify").isEnabled()

    dock.cases.setFocus()
    qtbot.keyClick(dock.cases, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    dialog = detail.dialog
    assert isinstance(dialog, ClassifyDialog)
    dialog.accept()  # nothing chosen yet: it stays, saying why
    assert dialog.isVisible() and dialog.error.text() == "Choose a category."
    qtbot.keyClicks(dialog.picker.edit, "ebike")
    assert dialog.picker.category() == "safety.ebike_charging"
    dialog.accept()
    qtbot.waitUntil(lambda: dock.row_item(waiting) is not None
                    and dock.row_item(waiting).text(5) == "to sign", timeout=WAIT_MS)
    assert dock.row_item(waiting).text(2) == "E-bike charged indoors"
    qtbot.waitUntil(lambda: detail.fields["police_code"].text() == "0698", timeout=WAIT_MS)
    assert "classified it as E-bike charged indoors" in "\n".join(detail.timeline_lines())

    # From now on it is an ordinary diversion: signed for, and the police hear it.
    qtbot.waitUntil(lambda: detail.action("incident.accept").isEnabled(), timeout=WAIT_MS)
    # The offscreen platform does not hand activation back to the window when a dialog closes
    # (a desktop does); the dock's keys work only in the active window.
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    dock.cases.setFocus()
    qtbot.keyClick(dock.cases, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    message = handoff(center)
    assert (message["type"], message["status"]) == ("acknowledgement", "accepted")
    qtbot.waitUntil(lambda: waiting in dock.rows("feedback"), timeout=WAIT_MS)


@pytest.fixture
def fast_hub(tmp_path: Any, rules: Rules) -> Iterator[HubThread]:
    """A hub whose world runs 100 times faster: the 5-minute sign limit passes in 3 s."""
    thread = HubThread(f"sqlite:///{tmp_path}/fast.db", rules, clock=Clock(speed=100.0))
    add_users(thread.store)
    thread.start()
    yield thread
    thread.stop()


def test_a_case_not_signed_in_time_raises_the_alarm_and_shows_red(
        qtbot: Any, fast_hub: HubThread, consoles: Consoles) -> None:  # noqa: F811
    app = consoles(url_of(fast_hub), "liaison")
    window = window_of(app)
    dock = window.liaison
    center = police_center(fast_hub)
    late = divert(center)
    qtbot.waitUntil(lambda: late in dock.rows("sign"), timeout=WAIT_MS)
    item = dock.row_item(late)
    assert item is not None and not dock.alarm.isVisible()
    qtbot.waitUntil(dock.alarm.isVisible, timeout=WAIT_MS)
    item = dock.row_item(late)
    assert item is not None
    assert item.background(4).color() == QColor("#d93a3a")
    assert item.text(4).startswith("-")
    assert "1 not signed for in time" in dock.alarm.text()
    assert "police cases overdue: 1" in window.status.police.text()
    # Signing it late ends the alarm.
    dock.select(late)
    dock.cases.setFocus()
    qtbot.keyClick(dock.cases, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not dock.alarm.isVisible(), timeout=WAIT_MS)
