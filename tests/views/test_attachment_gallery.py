"""The detail's gallery against a real hub, on SQLite and PostgreSQL: a photo a field session
sends shows as a thumbnail in another console's detail; a click opens the whole picture."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from console.comms.bridge import Bridge
from console.domain.rules import Rules
from console.views.incident_detail import IncidentDetail
from tests.hub.attachment_files import b64, jpeg, pdf
from tests.hub.conftest import Client, HubThread, add_users, incident_args
from tests.store.conftest import db_url, pg_url  # noqa: F401 - the fixtures
from tests.views.conftest import log_in

WAIT_MS = 20_000


@pytest.fixture
def hub(db_url: str, rules: Rules) -> Iterator[HubThread]:  # noqa: F811
    thread = HubThread(db_url, rules)
    add_users(thread.store)
    thread.start()
    yield thread
    thread.stop()


@pytest.fixture
def bridge(qtbot: Any, hub: HubThread, rules: Rules) -> Iterator[Bridge]:
    made = Bridge(rules, backoff_base=0.05, backoff_cap=0.5)
    log_in(qtbot, made, hub.port, "leader")
    yield made
    made.shutdown()


def test_a_photo_from_the_field_shows_as_a_thumbnail_in_the_detail(
        qtbot: Any, hub: HubThread, bridge: Bridge, rules: Rules) -> None:
    desk = Client(hub.port)
    desk.login("ctl")
    created = desk.command("incident.create", **incident_args())
    incident = created["data"]["id"]
    qtbot.waitUntil(lambda: incident in bridge.replica.incidents, timeout=WAIT_MS)
    detail = IncidentDetail(bridge, rules)
    qtbot.addWidget(detail)
    detail.resize(900, 800)
    detail.show()
    detail.show_incident(incident)
    assert detail.gallery.count() == 0 and not detail.gallery.isVisible()

    field = Client(hub.port, "/field")
    field.hello("gateway")
    field.sync()
    photo = jpeg(800, 600)
    sent = field.command("attachment.add", incident=incident, filename="现场.jpg",
                         content_type="image/jpeg", data_b64=b64(photo))
    assert sent["ok"], sent
    attachment = sent["data"]["attachment"]["id"]
    sent = field.command("attachment.add", incident=incident, filename="report.pdf",
                         content_type="application/pdf", data_b64=b64(pdf()))
    assert sent["ok"], sent

    qtbot.waitUntil(lambda: attachment in detail.gallery.thumbnails, timeout=WAIT_MS)
    gallery = detail.gallery
    qtbot.waitUntil(lambda: gallery.count() == 2, timeout=WAIT_MS)  # the PDF's event may follow
    assert gallery.isVisible()
    assert [gallery.item(row).text() for row in range(2)] == ["现场.jpg", "report.pdf"]
    thumbnail = gallery.thumbnails[attachment]
    assert max(thumbnail.width(), thumbnail.height()) == 256
    assert any("现场.jpg" in line for line in detail.timeline_lines())

    item = gallery.item(0)
    rect = gallery.visualItemRect(item)
    qtbot.mouseClick(gallery.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(gallery.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: gallery.viewer is not None, timeout=WAIT_MS)
    viewer = gallery.viewer
    assert viewer is not None
    label = viewer.findChild(QLabel, "picture")
    assert label is not None and label.pixmap().width() == 800
    viewer.close()
    QApplication.processEvents()
    desk.close()
    field.close()
