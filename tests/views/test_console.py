"""The whole console — main window, docks, layouts, reconnects — driven against a real hub."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QApplication

from console.domain.rules import Rules
from console.store.store import Store
from console.views.app import ConsoleApp
from console.views.incident_actions import (
    AssignDialog,
    AssignmentUpdateDialog,
    DispatchDialog,
    TextDialog,
    VerifyDialog,
)
from console.views.main_window import MainWindow
from console.views.queue_columns import Column
from tests.comms.conftest import seed
from tests.hub.conftest import PASSWORD, Client, HubProcess, HubThread, incident_args
from tests.views import live
from tests.views.live import HERE, WAIT_MS, key, register_units, type_text, wait_state
from tests.views.test_incident_detail import click, open_dialog

live_hub = live.live_hub
CTRL = Qt.KeyboardModifier.ControlModifier
pytestmark = pytest.mark.filterwarnings(
    # The offscreen platform cannot raise windows or grab the keyboard; it says so on stderr
    # as a Qt warning each time a popup or a new window opens. Nothing is wrong with the code.
    "ignore:This plugin does not support:UserWarning")

Consoles = Callable[..., ConsoleApp]


@pytest.fixture
def consoles(qtbot: Any, tmp_path: Path, rules: Rules) -> Iterator[Consoles]:
    """Start a console logged in as ``username`` on the hub at ``url``; all are quit after."""
    made: list[ConsoleApp] = []

    def start(url: str, username: str, **options: Any) -> ConsoleApp:
        folder = tmp_path / f"settings-{len(made)}"
        settings = QSettings(str(folder / "console.ini"), QSettings.Format.IniFormat)
        settings.setValue("language", "en")
        app = ConsoleApp(rules, settings, backoff_base=options.pop("backoff", 0.05),
                         backoff_cap=options.pop("backoff_cap", 0.5), **options)
        made.append(app)
        app.log_in(url, username, PASSWORD)
        qtbot.waitUntil(lambda: bool(app.windows) and app.bridge.state == "live",
                        timeout=WAIT_MS)
        return app

    yield start
    for app in made:
        app.quit()


def url_of(hub: HubThread) -> str:
    return f"ws://127.0.0.1:{hub.port}/ws"


def window_of(app: ConsoleApp) -> MainWindow:
    window = app.windows[0]
    window.activateWindow()
    return window


def test_an_intake_reaches_another_console_and_is_closed_with_the_detail_buttons(
        qtbot: Any, live_hub: HubThread, consoles: Consoles) -> None:
    register_units(live_hub, [("U2", "available", 30.6680, 104.0930)])
    controller = consoles(url_of(live_hub), "ctl")
    leader = consoles(url_of(live_hub), "leader")
    window = window_of(controller)
    assert "ctl" in window.windowTitle() and "controller" in window.windowTitle()

    window.focus_intake()
    form = window.intake
    qtbot.waitUntil(lambda: QApplication.focusWidget() is form.phone, timeout=WAIT_MS)
    type_text(qtbot, "13900000002")
    key(qtbot, Qt.Key.Key_Tab)
    key(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "sgzs")
    key(qtbot, Qt.Key.Key_Return)
    form.description.setFocus()
    type_text(qtbot, "工地夜间施工")
    form.location.setFocus()
    type_text(qtbot, f"{HERE[0]}, {HERE[1]}")
    with qtbot.waitSignal(form.created, timeout=WAIT_MS) as created:
        key(qtbot, Qt.Key.Key_Return, CTRL)
    iid = created.args[0]
    started = time.monotonic()
    other_queue = window_of(leader).queue
    qtbot.waitUntil(lambda: other_queue.model.row_of(iid) >= 0, timeout=1_000)
    assert time.monotonic() - started < 1.0
    # The new incident opened in the controller's detail dock.
    detail = window.detail
    assert detail.incident_id == iid

    click(qtbot, detail, "incident.accept")
    wait_state(qtbot, controller.bridge, iid, "accepted")
    dialog = open_dialog(qtbot, detail, "incident.assign", AssignDialog)
    dialog.accept()
    wait_state(qtbot, controller.bridge, iid, "assigned")
    dialog = open_dialog(qtbot, detail, "incident.dispatch", DispatchDialog)
    dialog.accept()
    qtbot.waitUntil(lambda: [a.unit for a in controller.bridge.replica.incidents[iid]
                             .assignments] == ["U2"], timeout=WAIT_MS)
    # The lead department's desk signs for it on its own console.
    desk = consoles(url_of(live_hub), "desk-env")
    desk_window = window_of(desk)
    qtbot.waitUntil(lambda: iid in desk.bridge.replica.incidents, timeout=WAIT_MS)
    desk_window.open_incident(iid)
    click(qtbot, desk_window.detail, "incident.sign")
    wait_state(qtbot, controller.bridge, iid, "in_progress")
    dialog = open_dialog(qtbot, detail, "incident.resolve", TextDialog)
    dialog.text.setPlainText("已协调工地停止夜间施工")
    dialog.accept()
    wait_state(qtbot, controller.bridge, iid, "resolved")
    dialog = open_dialog(qtbot, detail, "incident.verify", VerifyDialog)
    dialog.method.setCurrentIndex(dialog.method.findData("callback"))
    dialog.accept()
    wait_state(qtbot, controller.bridge, iid, "verified")
    dialog = open_dialog(qtbot, detail, "assignment.update", AssignmentUpdateDialog)
    dialog.choose("cleared")
    dialog.accept()
    qtbot.waitUntil(lambda: detail.action("incident.close").isEnabled(), timeout=WAIT_MS)
    click(qtbot, detail, "incident.close")
    wait_state(qtbot, controller.bridge, iid, "closed")
    # The other console followed every step.
    wait_state(qtbot, leader.bridge, iid, "closed")


def test_a_forbidden_action_is_disabled_and_refused_through_the_command_line(
        qtbot: Any, live_hub: HubThread, consoles: Consoles) -> None:
    controller = consoles(url_of(live_hub), "ctl")
    iid = live.create(qtbot, controller.bridge)
    viewer = consoles(url_of(live_hub), "viewer")
    window = window_of(viewer)
    qtbot.waitUntil(lambda: iid in viewer.bridge.replica.incidents, timeout=WAIT_MS)
    window.open_incident(iid)
    accept = window.detail.action("incident.accept")
    assert not accept.isEnabled()
    assert "viewer" in window.detail.buttons["incident.accept"].toolTip()
    seq_before = live_hub.store.last_seq()

    window.focus_command_line()
    type_text(qtbot, f"A {iid}", window.command_line.edit)
    with qtbot.waitSignal(window.command_line.answered, timeout=WAIT_MS) as answered:
        key(qtbot, Qt.Key.Key_Return)
    ok, text = answered.args
    assert not ok
    assert "may not accept incidents" in text
    assert "may not accept incidents" in window.command_line.outcome.text()
    assert live_hub.store.last_seq() == seq_before
    assert viewer.bridge.replica.incidents[iid].version == 1


def test_a_killed_hub_is_shown_survived_and_nothing_is_lost_or_doubled(
        qtbot: Any, tmp_path: Path, rules: Rules, consoles: Consoles) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    seed(url, rules)
    hub = HubProcess(url, "first")
    port = hub.port
    try:
        other = Client(port)
        other.login("leader")
        before = [other.command("incident.create", **incident_args(description=f"前 {n}"))
                  for n in range(3)]
        other.close()
        # Slow reconnects, so that another client gets in first after the restart.
        app = consoles(f"ws://127.0.0.1:{port}/ws", "ctl", backoff=1.5, backoff_cap=1.5)
        window = window_of(app)
        qtbot.waitUntil(lambda: window.queue.model.rowCount() == 3, timeout=WAIT_MS)

        hub.kill()
        qtbot.waitUntil(lambda: app.bridge.state == "reconnecting", timeout=WAIT_MS)
        qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=WAIT_MS)
        assert "Not connected" in window.banner.text()
        assert "Reconnecting" in window.status.connection.text()
        # The last known state stays on screen, marked stale.
        assert window.queue.model.rowCount() == 3
        assert window.queue.table.property("stale") is True
        # A command while the hub is down is refused where the user typed it.
        window.focus_command_line()
        type_text(qtbot, f"A {before[0]['data']['id']}", window.command_line.edit)
        with qtbot.waitSignal(window.command_line.answered, timeout=WAIT_MS) as answered:
            key(qtbot, Qt.Key.Key_Return)
        assert answered.args[0] is False
        assert "not connected" in window.command_line.outcome.text().lower()

        hub = HubProcess(url, "second", port=port)
        other = Client(port)
        other.login("leader")
        meanwhile = [other.command("incident.create", **incident_args(description=f"后 {n}"))
                     ["data"]["id"] for n in range(4)]
        other.close()
        qtbot.waitUntil(lambda: app.bridge.state == "live", timeout=WAIT_MS)
        qtbot.waitUntil(lambda: window.queue.model.rowCount() == 7, timeout=WAIT_MS)
        ids = window.queue.model.incident_ids()
        assert len(ids) == len(set(ids)) == 7
        assert set(meanwhile) <= set(ids)
        assert not window.banner.isVisible()
        assert window.queue.table.property("stale") is False
        # The refused command was not applied later either.
        qtbot.wait(500)
        assert all(i.state.value == "new" for i in app.bridge.replica.incidents.values())
    finally:
        hub.stop()
    store = Store(url, rules)
    try:
        names = [e.event.name for e in store.events_after(0)]
    finally:
        store.close()
    assert names.count("incident.created") == 7 and "incident.accepted" not in names


def test_a_saved_layout_restores_onto_a_new_window_floating_docks_included(
        qtbot: Any, live_hub: HubThread, consoles: Consoles) -> None:
    app = consoles(url_of(live_hub), "ctl")
    window = window_of(app)
    extra = window.add_queue()
    extra.overdue.setChecked(True)
    detail = window.docks["detail"]
    detail.setFloating()
    qtbot.waitUntil(lambda: detail.isFloating(), timeout=WAIT_MS)
    floating = detail.floatingDockContainer()
    floating.move(QPoint(120, 140))
    floating.resize(640, 520)
    window.docks["roster"].toggleView(False)
    window.save_layout("night shift")
    assert app.layouts.names() == ["night shift"]

    second = app.new_window()
    assert second is not window and len(app.windows) == 2
    assert not second.docks["detail"].isFloating()
    assert second.restore_layout("night shift")
    qtbot.waitUntil(lambda: second.docks["detail"].isFloating(), timeout=WAIT_MS)
    restored = second.docks["detail"].floatingDockContainer()
    assert (restored.width(), restored.height()) == (640, 520)
    assert (restored.x(), restored.y()) == (120, 140)
    assert second.docks["roster"].isClosed()
    assert "queue_2" in second.docks and len(second.queues) == 2
    assert second.queues[1].overdue.isChecked()


def test_an_unreadable_layout_leaves_the_default(
        qtbot: Any, live_hub: HubThread, consoles: Consoles) -> None:
    app = consoles(url_of(live_hub), "ctl")
    window = window_of(app)
    app.settings.setValue("layouts/ctl/broken", "{not json")
    assert not window.restore_layout("broken")
    assert not window.restore_layout("missing")
    assert not window.docks["detail"].isFloating()
    assert not window.docks["queue"].isClosed()


def test_the_language_switches_live(qtbot: Any, live_hub: HubThread,
                                    consoles: Consoles) -> None:
    app = consoles(url_of(live_hub), "ctl")
    window = window_of(app)
    assert window.file_menu.title() == "&File"
    app.set_language("zh_CN")
    try:
        # Qt posts LanguageChange to every widget; each retranslates when it arrives.
        qtbot.waitUntil(lambda: window.file_menu.title() != "&File", timeout=WAIT_MS)
        assert window.file_menu.title() == "文件(&F)"
        assert window.queue.overdue.text() != "Overdue"
        assert window.docks["queue"].windowTitle() != "Incident queue"
        assert window.queue.model.headerData(
            Column.DEADLINE, Qt.Orientation.Horizontal) == "下一时限"
        assert app.settings.value("language") == "zh_CN"
    finally:
        app.set_language("en")
    qtbot.waitUntil(lambda: window.file_menu.title() == "&File", timeout=WAIT_MS)
    assert window.queue.overdue.text() == "Overdue"


def test_the_menus_ask_the_application_for_windows_languages_and_quitting(
        qtbot: Any, live_hub: HubThread, consoles: Consoles) -> None:
    app = consoles(url_of(live_hub), "ctl")
    window = window_of(app)
    window.a_new_window.trigger()
    assert len(app.windows) == 2 and app.windows[0] is window
    second = app.windows[1]
    assert second.number == 2 and second.windowTitle().endswith("[2]")

    second.language_actions["zh_CN"].trigger()
    try:
        assert app.settings.value("language") == "zh_CN"
        qtbot.waitUntil(lambda: window.file_menu.title() == "文件(&F)", timeout=WAIT_MS)
        assert window.language_actions["zh_CN"].isChecked()
        assert not window.language_actions["en"].isChecked()
    finally:
        window.language_actions["en"].trigger()
    qtbot.waitUntil(lambda: window.file_menu.title() == "&File", timeout=WAIT_MS)
    assert app.settings.value("language") == "en"

    second.a_quit.trigger()
    assert app.windows == []
    assert app.bridge.state == "stopped"


def test_the_login_dialog_refuses_a_bad_address_and_a_wrong_password(
        qtbot: Any, live_hub: HubThread, tmp_path: Path, rules: Rules) -> None:
    settings = QSettings(str(tmp_path / "login.ini"), QSettings.Format.IniFormat)
    app = ConsoleApp(rules, settings, backoff_base=0.05, backoff_cap=0.5)
    try:
        dialog = app.show_login(hub="ftp://nowhere", user="ctl")
        dialog.password.setText(PASSWORD)
        dialog.submit()
        assert "is not a hub address" in dialog.error.text() and dialog.isVisible()
        assert app.bridge.client is None  # nothing was started

        dialog.hub.setEditText(f"127.0.0.1:{live_hub.port}")
        dialog.password.setText("wrong")
        dialog.submit()
        qtbot.waitUntil(lambda: "refused" in dialog.error.text(), timeout=WAIT_MS)
        assert dialog.isVisible() and not app.windows and dialog.password.text() == ""

        dialog.password.setText(PASSWORD)
        dialog.submit()
        qtbot.waitUntil(lambda: bool(app.windows), timeout=WAIT_MS)
        assert not dialog.isVisible()
        assert settings.value("login/user") == "ctl"
    finally:
        app.quit()
