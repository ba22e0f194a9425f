"""A live switch from English to Chinese leaves no English label anywhere in a whole console.

A console logged in to a real hub, with an incident open in the detail (its actions enabled and
disabled with their reasons), units in the roster and every dock shown, switches its language
with ``ConsoleApp.set_language``; then every widget's visible texts are walked — labels,
buttons, tab titles, dock titles, headers, placeholders, tooltips, group boxes, combo boxes,
menus and their actions — and none may hold an English word.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QSettings, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QTabBar,
    QTableView,
    QTextEdit,
    QTreeView,
    QWidget,
)

from console.domain.rules import Rules
from console.views.app import ConsoleApp
from console.views.main_window import MainWindow
from tests.hub.conftest import PASSWORD, Client, HubThread, incident_args
from tests.views import live
from tests.views.live import HERE, WAIT_MS, register_units

live_hub = live.live_hub
pytestmark = pytest.mark.filterwarnings("ignore:This plugin does not support:UserWarning")

WORD = re.compile(r"[A-Za-z][A-Za-z']+")
#: Latin words a Chinese console keeps: keys, units, codes and names of things that have no
#: Chinese name (a product, a standard, a file format).
ALLOWED = {
    "Ctrl", "Shift", "Alt", "Enter", "Esc", "Del", "Tab", "Space", "Backspace", "PgUp", "PgDown",
    "km", "ms", "EIDO", "NENA", "GeoJSON", "MBTiles", "XYZ", "URL", "OpenStreetMap", "Leaflet",
    "Linkage", "Console", "ws", "wss", "id", "SLA", "Qt", "UTC",
    # A language menu names each language in itself.
    "English",
}


def words_of(text: str | None, data: set[str]) -> set[str]:
    """The English words of ``text``, leaving out ids and data the hub sent (``data``)."""
    if not text:
        return set()
    for value in data:
        text = text.replace(value, " ")
    # Ids, codes and unit names are data: CH-20261207-000001, U2, P1, street.mengzhuiwan.
    text = re.sub(r"\b[\w.-]*\d[\w.-]*\b|\b\w+\.\w+(\.\w+)*\b", " ", text)
    # A time zone's name is the standard's (Asia/Shanghai).
    text = re.sub(r"\b[A-Z][a-z]+/[A-Za-z_]+\b", " ", text)
    # A code the user types, named beside its Chinese: "off_duty（下班）", "ok|fail".
    text = re.sub(r"\b[a-z_]+(?=（)|\b[a-z]+(\|[a-z]+)+\b|\b(ok|fail)(?= 须)", " ", text)
    return {w for w in WORD.findall(text) if w not in ALLOWED}


def header_texts(view: QAbstractItemView) -> Iterator[str]:
    header = view.horizontalHeader() if isinstance(view, QTableView) else (
        view.header() if isinstance(view, QTreeView) else None)
    model = view.model()
    if header is None or model is None or header.isHidden():
        return
    for section in range(header.count()):
        if header.isSectionHidden(section):
            continue
        for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            value = model.headerData(section, Qt.Orientation.Horizontal, role)
            if isinstance(value, str):
                yield value


def cell_texts(view: QAbstractItemView, rows: int = 30) -> Iterator[str]:
    """What the first rows of a list, table or tree say (their children too)."""
    model = view.model()
    if model is None:
        return
    pending = [QModelIndex()]
    while pending and rows > 0:
        parent = pending.pop(0)
        for row in range(min(model.rowCount(parent), rows)):
            rows -= 1
            first = model.index(row, 0, parent)
            pending.append(first)
            column = 0
            while (index := model.index(row, column, parent)).isValid():
                for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                    value = index.data(role)
                    if isinstance(value, str):
                        yield value
                column += 1


def menu_texts(menu: QMenu) -> Iterator[str]:
    yield menu.title()
    for action in menu.actions():
        yield action.text()
        yield action.toolTip() if action.toolTip() != action.text().replace("&", "") else ""
        if action.menu() is not None:
            yield from menu_texts(action.menu())


def texts_of(widget: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) for every text ``widget`` shows a user."""
    name = f"{type(widget).__name__}({widget.objectName()})"
    if widget.isWindow() or type(widget).__name__ == "CDockWidget":
        yield name + ".windowTitle", widget.windowTitle()
    yield name + ".toolTip", widget.toolTip()
    if isinstance(widget, QLineEdit):
        yield name + ".placeholder", widget.placeholderText()
    if isinstance(widget, QPlainTextEdit | QTextEdit):
        yield name + ".placeholder", widget.placeholderText()
    if isinstance(widget, QLabel) and not widget.property("data"):
        yield name + ".text", widget.text()
    if isinstance(widget, QAbstractButton):
        yield name + ".text", widget.text()
    if isinstance(widget, QGroupBox):
        yield name + ".title", widget.title()
    if isinstance(widget, QComboBox):
        for index in range(widget.count()):
            yield f"{name}.item{index}", widget.itemText(index)
    if isinstance(widget, QTabBar):
        for index in range(widget.count()):
            yield f"{name}.tab{index}", widget.tabText(index)
            yield f"{name}.tabTip{index}", widget.tabToolTip(index)
    if isinstance(widget, QAbstractItemView):
        for text in header_texts(widget):
            yield name + ".header", text
        for text in cell_texts(widget):
            yield name + ".cell", text
    if isinstance(widget, QMenu):
        for text in menu_texts(widget):
            yield name + ".menu", text
    for action in widget.actions():
        yield name + ".action", action.text()
        tip = action.toolTip()
        if tip != action.text().replace("&", ""):
            yield name + ".actionTip", tip


def shown(widget: QWidget, window: MainWindow) -> bool:
    """Does ``widget`` show its texts: on screen, or in a dock that is merely behind another
    tab (the walk reads every dock, not only the front ones)."""
    if widget.isVisible():
        return True
    for dock in window.docks.values():
        content = dock.widget()
        if content is not None and (widget is content or content.isAncestorOf(widget)):
            return widget is content or widget.isVisibleTo(content)
    return False


def english_left(window: MainWindow, data: set[str]) -> list[str]:
    found = []
    widgets = [window, *window.findChildren(QWidget)]
    for dock in window.docks.values():
        floating = dock.floatingDockContainer()
        if floating is not None:
            widgets += [floating, *floating.findChildren(QWidget)]
    for widget in widgets:
        if isinstance(widget, QMenu | QHeaderView) or not shown(widget, window):
            continue  # menus: from the menu bar below
        for where, text in texts_of(widget):
            if left := words_of(text, data):
                found.append(f"{where}: {text!r} → {sorted(left)}")
    for action in window.menuBar().actions():
        if action.menu() is not None:
            for text in menu_texts(action.menu()):
                if left := words_of(text, data):
                    found.append(f"menu {action.text()!r}: {text!r} → {sorted(left)}")
    return sorted(set(found))


@pytest.fixture
def start_console(qtbot: Any, tmp_path: Path, rules: Rules, live_hub: HubThread
                  ) -> Iterator[Any]:
    made: list[ConsoleApp] = []

    def start(username: str) -> ConsoleApp:
        settings = QSettings(str(tmp_path / f"{username}.ini"), QSettings.Format.IniFormat)
        settings.setValue("language", "en")
        app = ConsoleApp(rules, settings, backoff_base=0.05, backoff_cap=0.5)
        made.append(app)
        app.log_in(f"ws://127.0.0.1:{live_hub.port}/ws", username, PASSWORD)
        qtbot.waitUntil(lambda: bool(app.windows) and app.bridge.state == "live",
                        timeout=WAIT_MS)
        return app

    yield start
    for app in made:
        app.set_language("en")
        app.quit()


# The duty leader's window has every dock but one; the administrator's has the audit trail.
@pytest.mark.parametrize("username", ["leader", "admin"])
def test_a_live_switch_leaves_no_english_label(qtbot: Any, live_hub: HubThread,
                                               start_console: Any, username: str) -> None:
    register_units(live_hub, [("U2", "available", 30.6680, 104.0930),
                              ("U3", "off_duty", 30.6690, 104.0940)])
    ctl = Client(live_hub.port)
    try:
        ctl.login("ctl")
        incident = str(ctl.command("incident.create", **incident_args(
            location={"lat": HERE[0], "lon": HERE[1], "address": "建设路 1 号"}))["data"]["id"])
    finally:
        ctl.close()
    console = start_console(username)
    window = console.windows[0]
    qtbot.waitUntil(lambda: "U2" in console.bridge.replica.units, timeout=WAIT_MS)
    if incident in console.bridge.replica.incidents:
        window.open_and_select(incident)
        qtbot.waitUntil(lambda: window.detail.incident_id == incident, timeout=WAIT_MS)
    for show in (window.show_liaison, window.show_dashboard, window.show_emergency_board,
                 window.show_video_wall):
        show()
    data = {incident, "U2", "U3", "Grid worker U2", "Grid worker U3", "Grid worker",
            username, "ctl", "建设路 1 号"}
    english = english_left(window, data)
    assert english, "the walk sees the English console"

    console.set_language("zh_CN")
    qtbot.waitUntil(lambda: window.file_menu.title() == "文件(&F)", timeout=WAIT_MS)
    left = english_left(window, data)
    assert not left, "English after the switch:\n  " + "\n  ".join(left)
