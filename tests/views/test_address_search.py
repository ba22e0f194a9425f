"""Geocoding at intake: typing part of an address offers the district's; picking one locates."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from console.cli.common import load_rules
from console.comms.bridge import Bridge
from console.domain.geography import Geography
from console.views.address_search import AddressSearch, district_gazetteer
from console.views.intake import IntakeForm


def type_chinese(widget: QWidget, text: str) -> None:
    """Text as a Chinese input method commits it (QTest types ASCII keys only)."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def test_typing_offers_matching_addresses_and_a_pick_gives_the_location(qtbot: Any) -> None:
    gazetteer = district_gazetteer()
    assert gazetteer is not None
    edit = QLineEdit()
    qtbot.addWidget(edit)
    edit.show()
    search = AddressSearch(edit, gazetteer, "zh")
    edit.setFocus()
    type_chinese(edit, "建设路1")
    offered = search.model.stringList()
    assert offered and all("建设路" in label for label in offered)
    assert search.completer.popup().isVisible()
    picked: list[tuple[float, float, str]] = []
    search.chosen.connect(lambda lat, lon, text: picked.append((lat, lon, text)))
    QTest.keyClick(search.completer.popup(), Qt.Key.Key_Down)
    QTest.keyClick(search.completer.popup(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(picked) and edit.text() == picked[0][2])
    lat, lon, text = picked[0]
    chosen = next(a for a in gazetteer.search(text, 1))
    assert (lat, lon) == (chosen.lat, chosen.lon)

    search.set_language("en")
    edit.clear()
    QTest.keyClicks(edit, "jianshe")
    assert all("Jianshe" in label and "(建设" in label for label in search.model.stringList())
    edit.clear()
    QTest.keyClicks(edit, "x")  # one character is not enough to search
    assert search.model.stringList() == []


def test_the_intake_form_locates_a_picked_address(qtbot: Any, live_bridge: Bridge) -> None:
    rules = load_rules()
    assert isinstance(rules.geography, Geography)
    form = IntakeForm(live_bridge, rules)
    qtbot.addWidget(form)
    form.show()
    form.address.setFocus()
    type_chinese(form.address, "龙潭水乡")
    popup = form.address_search.completer.popup()
    qtbot.waitUntil(popup.isVisible)
    QTest.keyClick(popup, Qt.Key.Key_Down)
    QTest.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: form.location.text() != "")
    place = form.located_place()
    assert place is not None and place.street == "street.longtan"
    assert form.address.text().startswith("龙潭水乡")
    assert form.place.text()  # the street, community and cell are shown beside it
