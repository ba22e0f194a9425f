#!/usr/bin/env python3
"""The Grid workers dock's screenshots (docs/grid-workers.md), in English and Chinese.

    S="-screen 0 1600x950x24"
    xvfb-run -a -s "$S" .venv/bin/python docs/screenshot_workers.py en docs/workers-en.png
    xvfb-run -a -s "$S" .venv/bin/python docs/screenshot_workers.py zh_CN docs/workers-zh.png

The test district (tests/geo.py) with six grid workers and their day yesterday, written
through the store as the hub writes it: rosters, clock-ins (one late, one outside its cell, one
off roster), fixes every minute walking their cells, checkpoint passes and reports. A hub runs
in this process; the console logs in as the duty leader, ranks community c00 in the Grid
workers dock, opens G01's day and replays it on the map. The Chinese one also loads the
strings still waiting in ``i18n-new.tsv`` for the translation file.
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

if os.geteuid() == 0:  # Chromium (the map) refuses to run as root with its sandbox
    os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox")
import PySide6.QtWebEngineWidgets  # noqa: E402, F401 - before the QApplication
from PySide6.QtCore import QDate, QSettings, QTimer, QTranslator  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from console.domain.model import Actor, Role  # noqa: E402
from console.domain.roster import Shift  # noqa: E402
from console.domain.rules import Rules  # noqa: E402
from console.hub.embedded import EmbeddedHub  # noqa: E402
from console.store.store import Store  # noqa: E402
from console.store.writer import Command  # noqa: E402
from console.views.app import ConsoleApp  # noqa: E402
from tests.geo import small_geography  # noqa: E402

LOCAL = ZoneInfo("Asia/Shanghai")
ADMIN = Actor("admin", frozenset({Role.ADMIN}))
#: (unit, name, tier, community, cell, clock-in minutes after 08:00, rostered).
WORKERS = [("G01", "李建国", 1, "c00", "g000", 0, True),
           ("G02", "王秀英", 2, "c00", "g001", 12, True),
           ("G03", "张伟", 3, "c00", "g000", -5, True),
           ("G04", "刘芳", 3, "c00", "g001", 3, False),
           ("G05", "陈静", 2, "c01", "g010", 0, True),
           ("G06", "杨磊", 1, "c01", "g011", 20, True)]
#: The south-west corner of each cell of tests/geo.py.
CELLS = {"g000": (30.660, 104.090), "g001": (30.660, 104.095),
         "g010": (30.665, 104.090), "g011": (30.665, 104.095)}
#: Minutes into a worker's walk where its community has a checkpoint (G01's and G02's paths).
CHECKPOINT_AT = [("cp.c00.1", "文化广场", "Culture square", "G01", 25),
                 ("cp.c00.2", "幼儿园门口", "Kindergarten gate", "G01", 95),
                 ("cp.c00.3", "停车场", "Car park", "G02", 60),
                 ("cp.c00.4", "党群服务中心", "Service centre", "G02", 150)]


def walk(n: int, unit: str, cell: str, start: datetime) -> list[tuple[Any, ...]]:
    """A worker's fixes, one a minute, looping through its cell."""
    south, west = CELLS["g001" if unit == "G03" else cell]  # G03 works the next cell
    fixes = []
    for k in range(0, 230 - 30 * (n % 3)):
        angle = k / 18 + n
        lat = south + 0.0025 + 0.0019 * math.sin(angle) * math.cos(angle / 3)
        lon = west + 0.0025 + 0.0021 * math.cos(angle)
        fixes.append((unit, lat, lon, 0.0, 1.2, start + timedelta(minutes=k)))
    return fixes


def seed(url: str, rules: Rules, day: datetime) -> None:
    at = [day]
    store = Store(url, rules, clock=lambda: at[0])

    def do(when: datetime, actor: Actor, command: str, /, **args: Any) -> None:
        at[0] = when
        result = store.execute(Command(str(uuid.uuid4()), command, args), actor)
        if not result.ok:
            print("refused:", command, args, result.error)

    now = datetime.now(UTC)
    store.accounts.create_user("zhao", "demo", ["duty_leader"], now=now,
                               display_name="赵值班长")
    eight = day.replace(hour=8)
    walks = {unit: walk(n, unit, cell, eight + timedelta(minutes=late))
             for n, (unit, _, _, _, cell, late, _) in enumerate(WORKERS)}
    checkpoints = []
    for cp, zh, en, unit, minute in CHECKPOINT_AT:
        _, lat, lon, *_ = walks[unit][minute]
        grid = rules.geography.locate(lat, lon).grid if rules.geography else None
        checkpoints.append({"id": cp, "zh": zh, "en": en, "lat": lat, "lon": lon,
                            "grid": grid, "community": "c00"})
    store.put_checkpoints(checkpoints)
    shifts = []
    for unit, name, tier, community, cell, _, rostered in WORKERS:
        do(day, ADMIN, "unit.register", id=unit, name=name, type="grid_worker", tier=tier,
           street="street.mengzhuiwan", community=community, grid=cell)
        if rostered:
            shifts.append(Shift(f"{unit}-am", unit, "shift", eight, eight + timedelta(hours=4)))
    shifts.append(Shift("G01-eve", "G01", "flex", day.replace(hour=18),
                        day.replace(hour=22), "晚间弹性"))
    store.import_roster(shifts)
    for n, (unit, *_rest) in enumerate(WORKERS):
        device = Actor(f"dev-{unit}", frozenset({Role.FIELD}), unit=unit)
        fixes = walks[unit]
        store.positions.append(fixes[:1])
        do(fixes[0][5], device, "unit.clock_in", id=unit)
        for k, fix in enumerate(fixes[1:], start=1):  # passes where the walk meets one
            store.positions.append([fix])
            for cp in checkpoints:
                near = math.hypot((fix[1] - cp["lat"]) * 111_195,
                                  (fix[2] - cp["lon"]) * 95_600) < 30
                if near and (k % 7 == 0 or unit in ("G01", "G02")):
                    do(fix[5], device, "unit.checkpoint", id=unit, checkpoint=cp["id"])
        south, west = CELLS[_rest[3]]
        for r in range(2 - n % 2):
            do(fixes[40 + 50 * r][5], device, "incident.create",
               source="grid", category="city.garbage_collection", priority="P4",
               description="垃圾桶满溢无人清运", reporter={},
               location={"lat": south + 0.002, "lon": west + 0.002, "address": "建设路"})
        do(fixes[-1][5], device, "unit.clock_out", id=unit)
    store.close()


def pending_translations(folder: Path) -> QTranslator | None:
    """The strings not yet in resources/i18n (``i18n-new.tsv``: context, source, Chinese) as
    a translator of their own, so the Chinese screenshot shows them as they will read."""
    import subprocess
    from xml.sax.saxutils import escape

    pending = ROOT / "i18n-new.tsv"
    if not pending.exists():
        return None
    contexts: dict[str, list[tuple[str, str]]] = {}
    for line in pending.read_text(encoding="utf-8").splitlines():
        if line.count("\t") == 2:
            context, source, chinese = line.split("\t")
            contexts.setdefault(context, []).append((source, chinese))
    body = "".join(
        f"<context><name>{escape(c)}</name>" + "".join(
            f"<message><source>{escape(s)}</source><translation>{escape(t)}</translation>"
            "</message>" for s, t in pairs) + "</context>" for c, pairs in contexts.items())
    ts, qm = folder / "pending.ts", folder / "pending.qm"
    ts.write_text('<?xml version="1.0" encoding="utf-8"?><!DOCTYPE TS><TS version="2.1" '
                  f'language="zh_CN">{body}</TS>', encoding="utf-8")
    subprocess.run([str(Path(sys.executable).with_name("pyside6-lrelease")), "-silent",
                    str(ts), "-qm", str(qm)], check=True)
    translator = QTranslator()
    return translator if translator.load(str(qm)) else None


def main() -> None:
    language = sys.argv[1] if len(sys.argv) > 1 else "en"
    out = Path(sys.argv[2] if len(sys.argv) > 2 else f"workers-{language}.png")
    folder = Path(tempfile.mkdtemp())
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    rules = Rules.load(geography=small_geography())
    url = f"sqlite:///{folder / 'demo.db'}"
    yesterday = (datetime.now(LOCAL) - timedelta(days=1)).replace(
        hour=0, minute=0, second=0, microsecond=0)
    seed(url, rules, yesterday)
    store = Store(url, rules)
    hub = EmbeddedHub(store, rules).start()
    app = QApplication.instance() or QApplication([])
    keep = pending_translations(folder) if language.startswith("zh") else None
    if keep is not None:
        app.installTranslator(keep)
    settings = QSettings()
    settings.setValue("language", language)
    from tests.map.district import write_small_district

    settings.setValue("map/geography_dir", str(write_small_district(folder / "geo")))
    console = ConsoleApp(rules, settings)
    console.log_in(hub.url, "zhao", "demo")

    def shoot(window: Any) -> None:
        window.screen().grabWindow(0).save(str(out))
        print("saved", out)
        console.quit()
        app.quit()

    def show() -> None:
        window = console.windows[0]
        window.showMaximized()
        dock = window.workers
        if dock is None:
            print("no Grid workers dock for this user")
            app.quit()
            return
        for name in ("queue", "roster", "liaison", "command_line"):  # the map and the dock, large
            window.docks[name].toggleView(False)
        window.docks["workers"].toggleView(True)
        window.docks["workers"].setAsCurrentTab()
        window.dock_manager.setSplitterSizes(window.docks["workers"].dockAreaWidget(),
                                             [800, 800])
        dock.day.setDate(QDate(yesterday.year, yesterday.month, yesterday.day))
        dock.area.setCurrentIndex(dock.area.findData("c00"))
        dock.refresh()

        def ranked() -> None:
            if dock.table.rowCount() == 0:
                QTimer.singleShot(200, ranked)
                return
            units = [dock.table.item(row, 0).text() for row in range(dock.table.rowCount())]
            dock.table.setCurrentCell(units.index("G01") if "G01" in units else 0, 0)

            def opened() -> None:
                if not dock.replay_button.isEnabled():
                    QTimer.singleShot(200, opened)
                    return
                dock.replay_button.click()
                window.map.trail.slider.setValue(window.map.trail.slider.maximum() * 2 // 3)
                QTimer.singleShot(4000, lambda: shoot(window))

            opened()

        ranked()

    def wait() -> None:
        if console.windows and console.bridge.state == "live" \
                and console.bridge.replica.user is not None:
            QTimer.singleShot(2500, show)
        else:
            QTimer.singleShot(200, wait)

    QTimer.singleShot(200, wait)
    QTimer.singleShot(90_000, app.quit)
    app.exec()
    hub.stop()
    store.close()


if __name__ == "__main__":
    main()
