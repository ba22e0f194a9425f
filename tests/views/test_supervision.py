"""Supervision (督办) reaches the desk that must act: when a duty leader supervises an overdue
case, the ``incident.supervised`` event names the lead department, and that desk's console —
and no other desk's — shows the reminder with a sound; a case no desk leads yet reminds the
center's controllers. A desk that logs in later is told how many of its cases are supervised."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from console.comms.clock import Clock
from console.domain.rules import Rules
from console.views.alerts import alert_sound
from tests.hub.conftest import PASSWORD, Client, HubThread, add_users, incident_args
from tests.views.live import WAIT_MS
from tests.views.test_console import Consoles, consoles, url_of, window_of  # noqa: F401

pytestmark = pytest.mark.filterwarnings("ignore:This plugin does not support:UserWarning")
SPEED = 600.0  # ten world minutes a real second: a 30-minute sign limit runs out in 3 s


@pytest.fixture
def fast_hub(tmp_path: Any, rules: Rules) -> Iterator[HubThread]:
    thread = HubThread(f"sqlite:///{tmp_path}/hub.db", rules, clock=Clock(speed=SPEED))
    add_users(thread.store)
    thread.store.accounts.create_user("desk-urban", PASSWORD, ["department"],
                                      now=datetime.now(UTC), department="urban_mgmt")
    thread.start()
    yield thread
    thread.stop()


def ok(reply: dict[str, Any]) -> dict[str, Any]:
    assert reply["ok"], reply
    return dict(reply["data"])


def supervise_when_overdue(qtbot: Any, hub: HubThread, leader: Client, incident_id: str,
                           note: str, after: timedelta) -> float:
    """Wait until the hub's world clock is ``after`` further on (the case is then overdue), the
    consoles running meanwhile; supervise the case; the monotonic time it was sent."""
    due = hub.config.clock.now() + after
    qtbot.waitUntil(lambda: hub.config.clock.now() >= due,
                    timeout=int(after.total_seconds() / SPEED * 1000) + WAIT_MS)
    sent = time.monotonic()
    ok(leader.command("incident.supervise", id=incident_id, note=note))
    return sent


def test_the_lead_desk_is_reminded_and_no_other(
        qtbot: Any, fast_hub: HubThread, consoles: Consoles) -> None:  # noqa: F811
    env = consoles(url_of(fast_hub), "desk-env")
    urban = consoles(url_of(fast_hub), "desk-urban")
    center = consoles(url_of(fast_hub), "ctl")
    ctl, leader = Client(fast_hub.port), Client(fast_hub.port)
    ctl.login("ctl")
    leader.login("leader")
    try:
        iid = ok(ctl.command("incident.create", **incident_args(priority="P1")))["id"]
        ok(ctl.command("incident.accept", id=iid))
        ok(ctl.command("incident.assign", id=iid, department="environment"))
        # The desk never signs; its 30 minutes run out.
        sent = supervise_when_overdue(qtbot, fast_hub, leader, iid, "请环保局立即签收处理",
                                      timedelta(minutes=31))
        notice = window_of(env).alerts.supervision
        qtbot.waitUntil(notice.isVisible, timeout=1_000)
        print(f"reminder on the desk {(time.monotonic() - sent) * 1000:.0f} ms after the "
              "supervision was sent")
        assert notice.notices == [(iid, "请环保局立即签收处理")]
        assert iid in notice.text.text() and "请环保局立即签收处理" in notice.text.text()
        assert ("supervised", iid) in alert_sound(env.bridge).played
        # The event reached every console; only the lead desk is reminded.
        for other in (urban, center):
            qtbot.waitUntil(lambda o=other: o.bridge.replica.incidents[iid].supervised,
                            timeout=WAIT_MS)
            assert not window_of(other).alerts.supervision.isVisible()
            assert ("supervised", iid) not in alert_sound(other.bridge).played
        # The reminder opens the case; the queue's filter lists it.
        desk = window_of(env)
        notice.text.linkActivated.emit(iid)
        assert desk.detail.incident_id == iid
        desk.queue.supervised.setChecked(True)
        qtbot.waitUntil(lambda: desk.queue.model.row_of(iid) >= 0, timeout=WAIT_MS)
        notice.dismiss.click()
        assert not notice.isVisible()

        # A case no desk leads yet (never accepted): the center's controllers are reminded.
        waiting = ok(ctl.command("incident.create", **incident_args(priority="P1")))["id"]
        supervise_when_overdue(qtbot, fast_hub, leader, waiting, "请尽快受理", timedelta(minutes=6))
        center_notice = window_of(center).alerts.supervision
        qtbot.waitUntil(center_notice.isVisible, timeout=WAIT_MS)
        assert center_notice.notices == [(waiting, "请尽快受理")]
        assert not notice.isVisible() and not window_of(urban).alerts.supervision.isVisible()

        # The desk logging in again later is told what is supervised.
        later = consoles(url_of(fast_hub), "desk-env")
        summary = window_of(later).alerts.supervision
        qtbot.waitUntil(summary.isVisible, timeout=WAIT_MS)
        assert "Your open cases under supervision: 1." in summary.text.text()
    finally:
        ctl.close()
        leader.close()

    names = [(e.event.name, dict(e.event.data).get("department"))
             for e in fast_hub.store.events_after(0) if e.event.name == "incident.supervised"]
    assert names == [("incident.supervised", "environment"), ("incident.supervised", None)]
