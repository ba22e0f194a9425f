#!/usr/bin/env python3
"""The README's screenshots: the console on a small seeded district, in English and Chinese.

    S="-screen 0 1600x950x24"
    xvfb-run -a -s "$S" .venv/bin/python docs/screenshots.py en docs/console-en.png
    xvfb-run -a -s "$S" .venv/bin/python docs/screenshots.py zh_CN docs/console-zh.png
    xvfb-run -a -s "$S" .venv/bin/python docs/screenshots.py map-en docs/map-en.png
    xvfb-run -a -s "$S" .venv/bin/python docs/screenshots.py map-zh_CN docs/map-zh.png
    xvfb-run -a -s "$S" .venv/bin/python docs/screenshots.py video-en docs/video-wall.png
    xvfb-run -a -s "$S" .venv/bin/python docs/screenshots.py dashboard-en docs/dashboard.png
    xvfb-run -a -s "$S" .venv/bin/python docs/screenshots.py emergency-en docs/emergency-board.png
    xvfb-run -a -s "$S" .venv/bin/python docs/screenshots.py liaison-en docs/liaison.png
    xvfb-run -a -s "$S" .venv/bin/python docs/screenshots.py sos-en docs/sos-en.png
    xvfb-run -a -s "$S" .venv/bin/python docs/screenshots.py sos-zh_CN docs/sos-zh.png
    xvfb-run -a -s "$S" .venv/bin/python docs/screenshots.py help-en docs/command-help-en.png
    xvfb-run -a -s "$S" .venv/bin/python docs/screenshots.py help-zh_CN docs/command-help-zh.png
    xvfb-run -a -s "$S" .venv/bin/python docs/screenshots.py recommend-zh_CN \\
        docs/recommendation-zh.png
    xvfb-run -a -s "$S" .venv/bin/python docs/screenshots.py reports-en docs/reports-en.png
    xvfb-run -a -s "$S" .venv/bin/python docs/screenshots.py reports-zh_CN docs/reports-zh.png

A hub runs in this process on a temporary SQLite file with the test district's geography; some
incidents are registered "earlier" through a store whose clock is set back, so the queue shows
countdowns that are fine, amber and overdue. The console logs in as a controller, opens the
first incident, and the whole screen is grabbed.

``map-<language>``: the demo district itself (``console/resources/geography``), seeded as
``main.py`` seeds it, its simulator running against the hub at ten times real speed for half a
minute (units on patrol, calls coming in), then the console with its map enlarged over the whole
district.

``video-<language>``: the same running district with the simulator serving its cameras; the
console opens the first incident and fills a nine-tile video wall with the cameras near it.

``dashboard-<language>``: the same running district, seeded with a whole day of history (so
every hour of the last 24 has its incidents), a minute into the simulation; the console shows its
dashboard tab over most of the screen.

``recommend-<language>``: the same running district half a minute in; a gas leak is reported
at a place of its gazetteer, and the map's nearest-units panel and the command line's
``D <n> `` completion show the units its response plan recommends; the two docks are cut out.

``emergency-<language>``: the small district as for ``en``, with a major incident declared by
the duty leader (two incidents linked, a unit committed, a note and a broadcast) and an early
warning raised by the hub; the console logs in as the duty leader, so the banner is across the
window and the emergency board is the current tab on the right.

``liaison-<language>``: the small district as for ``en``, with cases the police 110 center
diverted over the last minutes (one signed, one returned, one past its 5-minute sign limit, one
just in) and one escalated to the police; the console logs in as a liaison officer, whose desk
opens on the police liaison dock.

``sos-<language>``: the small district as for ``en``, with two grid workers calling for help
(``unit.sos`` through the field gateway, one saying why): the red SOS strip over the console.

``reports-<language>``: the small district as for ``en``, with last month's record (the six
cases of tests/store/reports_seed.py and 300 more written by benchmarks/reports.py's generator
over last month's first week, whatever the machine's month); the Reports dock floats over the
window with last month's department assessment.

``help-<language>``: the small district as for ``en``; ``H`` typed in the command line opens the
command help under the incident, and ``U `` is being typed with the help still open.

``records-<language>``: the small district as for ``en`` with a month and a half of older cases
(handled and closed, one not resolved at the first verification, a few left late and
supervised); the Records dock is brought forward and enlarged, searches the closed cases of the
group "environment", and the second case of the result is opened in the detail from the record.
"""

from __future__ import annotations

import random
import sys
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import os  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402

if os.geteuid() == 0:  # Chromium (the map) refuses to run as root with its sandbox
    os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox")
import PySide6.QtWebEngineWidgets  # noqa: E402, F401 - before the QApplication
from PySide6.QtCore import QPoint, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from console.domain.model import Actor, Role  # noqa: E402
from console.domain.rules import Rules  # noqa: E402
from console.hub.embedded import EmbeddedHub  # noqa: E402
from console.store.store import Store  # noqa: E402
from console.store.writer import Command  # noqa: E402
from console.views.app import ConsoleApp  # noqa: E402
from docs.screenshot_reports import seed_last_month, show_reports  # noqa: E402
from tests.geo import small_geography  # noqa: E402

CATEGORIES = ["env.noise_construction", "city.streetlight", "utility.water_main_burst",
              "city.road_damage", "city.garbage_collection", "safety.fire_hazard",
              "city.street_vendor", "env.open_burning", "safety.gas_leak", "env.green_space"]
DESCRIPTIONS = ["工地夜间施工噪声扰民", "路灯不亮，行人不便", "自来水管爆裂，路面积水",
                "人行道路面破损", "垃圾桶满溢无人清运", "楼道堆放杂物存在火灾隐患",
                "占道经营影响通行", "露天焚烧垃圾", "闻到燃气味", "绿化带被破坏"]


def seed(url: str, rules: Rules) -> None:
    now = datetime.now(UTC)
    rng = random.Random(11)
    admin = Actor("admin", frozenset({Role.ADMIN}))
    ctl = Actor("wang", frozenset({Role.CONTROLLER}))
    store = Store(url, rules)
    store.accounts.create_user("wang", "demo", ["controller"], now=now, display_name="王调度")
    units = [(Command(str(uuid.uuid4()), "unit.register", {
        "id": f"U{n:03d}", "name": f"{kind_zh}{n}", "type": kind, "status": status,
        "street": street, "tier": 3 if kind == "grid_worker" else None}), admin)
        for n, (kind, kind_zh, status, street) in enumerate(
            [(k, z, s, st) for k, z in (("grid_worker", "网格员"), ("patrol", "巡逻"),
                                         ("urban_management", "城管"))
             for s in ("available", "available", "busy", "off_duty")
             for st in ("street.mengzhuiwan", "street.shuangqiaozi")], start=1)]
    store.execute_batch(units)
    store.close()
    for minutes_ago in (150, 40, 12, 8, 5, 3, 1, 0):
        def clock(m: int = minutes_ago) -> datetime:
            return datetime.now(UTC) - timedelta(minutes=m)

        past = Store(url, rules, clock=clock)
        batch = []
        for _ in range(rng.randint(2, 5)):
            n = rng.randrange(len(CATEGORIES))
            batch.append((Command(str(uuid.uuid4()), "incident.create", {
                "source": rng.choice(["hotline", "hotline", "grid", "public", "department"]),
                "category": CATEGORIES[n], "priority": rng.choice(["P1", "P2", "P3", "P3"]),
                "description": DESCRIPTIONS[n],
                "location": {"lat": 30.66 + rng.random() * 0.01,
                             "lon": 104.09 + rng.random() * 0.02,
                             "address": f"建设路 {rng.randint(1, 200)} 号"},
                "reporter": {"name": rng.choice(["张先生", "李女士", "王先生"]),
                             "phone": f"1380000{rng.randint(0, 9999):04d}"}}), ctl))
        results, _ = past.execute_batch(batch)
        accepted = [(Command(str(uuid.uuid4()), "incident.accept", {"id": r.data["id"]}), ctl)
                    for r in results if r.ok and rng.random() < 0.5]
        past.execute_batch(accepted)
        past.close()


def seed_record(url: str, rules: Rules) -> None:
    """Older cases, each handled through to closed (some not at the first try)."""
    rng = random.Random(19)
    ctl = Actor("wang", frozenset({Role.CONTROLLER}))
    leader = Actor("zhao", frozenset({Role.DUTY_LEADER}))
    for days_ago in range(45, 1, -1):
        moment = [datetime.now(UTC) - timedelta(days=days_ago, hours=rng.randint(0, 12))]
        store = Store(url, rules, clock=lambda moment=moment: moment[0])
        n = rng.randrange(len(CATEGORIES))
        done = store.execute(Command(str(uuid.uuid4()), "incident.create", {
            "source": rng.choice(["hotline", "grid", "public"]), "category": CATEGORIES[n],
            "priority": rng.choice(["P2", "P3", "P3", "P4"]), "description": DESCRIPTIONS[n],
            "location": {"lat": 30.66 + rng.random() * 0.01, "lon": 104.09 + rng.random() * 0.02,
                         "address": f"{rng.choice(['建设路', '双桥路', '猛追湾街'])} "
                                    f"{rng.randint(1, 200)} 号"},
            "reporter": {"name": rng.choice(["张先生", "李女士", "王先生", "赵女士"]),
                         "phone": f"1390000{rng.randint(0, 9999):04d}"}}), ctl)
        incident = done.data["id"]
        department = rules.taxonomy.department_for(CATEGORIES[n], "street.mengzhuiwan")
        desk = Actor("desk", frozenset({Role.DEPARTMENT}), department=department)
        steps: list[tuple[Actor, str, dict[str, Any]]] = []
        if rng.random() < 0.15:
            moment[0] += timedelta(hours=6)
            steps.append((leader, "incident.supervise", {"note": "超时未受理"}))
        steps += [(ctl, "incident.accept", {}),
                  (ctl, "incident.assign", {"department": department}),
                  (desk, "incident.sign", {})]
        for satisfied in ([False, True] if rng.random() < 0.2 else [True]):
            steps += [(desk, "incident.resolve", {"result": "已处理"}),
                      (ctl, "incident.verify", {"method": "callback", "satisfied": satisfied,
                                                **({} if satisfied else {"note": "未解决"})})]
        steps.append((ctl, "incident.close", {}))
        for actor, name, args in steps:
            moment[0] += timedelta(minutes=rng.randint(5, 300))
            if not store.execute(Command(str(uuid.uuid4()), name, {"id": incident, **args}),
                                 actor).ok:
                break
        store.close()


def seed_emergency(url: str, rules: Rules) -> None:
    """A duty leader, a major incident in its first half hour, and an early warning."""
    from console.domain.model import SYSTEM

    store = Store(url, rules)
    now = datetime.now(UTC)
    store.accounts.create_user("zhao", "demo", ["duty_leader"], now=now, display_name="赵值班")
    leader = Actor("zhao", frozenset({Role.DUTY_LEADER}))

    def run(name: str, actor: Actor = leader, **args: object) -> dict[str, object]:
        result = store.execute(Command(str(uuid.uuid4()), name, args), actor)
        assert result.ok, result.error
        return result.data

    major = str(run("major.declare", level="II", title="建设路燃气管道泄漏",
                    commander="王局长（区应急局）",
                    area={"center": {"lat": 30.6655, "lon": 104.0985}, "radius_m": 600},
                    message="建设路双向封闭，周边单位听从现场指挥部统一调度")["id"])
    gas = [i for i in store.open_incidents() if i["category"] in ("safety.gas_leak",
                                                                   "utility.water_main_burst")]
    for row in (gas or store.open_incidents())[:2]:
        run("major.link", id=major, incident=row["id"])
    run("major.commit", id=major, unit="U001")
    run("major.note", id=major, text="燃气公司抢修队已到场，疏散居民约 200 人")
    run("major.broadcast", id=major, message="预计 16:30 恢复供气，请各单位十分钟内报告到位情况")
    run("warning.raise", SYSTEM, category="safety.gas_leak", level="grid", area="g010",
        count=4, baseline=0.04, threshold=3, window=60,
        incidents=[str(row["id"]) for row in gas[:4]])
    store.close()


def seed_sos(url: str, rules: Rules) -> None:
    """Two grid workers calling for help through the field platform's gateway: one says why."""
    store = Store(url, rules)
    gateway = Actor("field", frozenset({Role.FIELD}))
    for unit, lat, lon, text in (("U001", 30.6642, 104.0951, "现场有人情绪激动，被围堵，请求增援"),
                                 ("U002", 30.6671, 104.1032, None)):
        args: dict[str, object] = {"id": unit, "lat": lat, "lon": lon}
        if text:
            args["text"] = text
        result = store.execute(Command(str(uuid.uuid4()), "unit.sos", args), gateway)
        assert result.ok, result.error
    store.close()


POLICE_CASES = [  # minutes ago, category, summary, what the liaison did
    (9, "env.noise_residential", "楼上住户深夜噪声扰民，报警人要求处理", None),
    (6, "neighbour.dispute", "邻里因楼道堆物发生口角，无肢体冲突", "accept"),
    (4, "utility.water_outage", "小区停水两小时，居民情绪较大", "reject"),
    (1, "city.street_vendor", "夜市占道经营阻塞消防通道", None),
]


def seed_police(url: str, rules: Rules) -> None:
    """Diversions from the 110 center at different ages, and one escalation to the police."""
    now = datetime.now(UTC)
    store = Store(url, rules)
    store.accounts.create_user("li", "demo", ["police_liaison"], now=now, display_name="李联络")
    store.accounts.create_user("police110", "demo", ["police"], now=now,
                               display_name="区公安分局110指挥中心")
    store.close()
    police = Actor("police110", frozenset({Role.POLICE}))
    liaison = Actor("li", frozenset({Role.POLICE_LIAISON}))
    ctl = Actor("wang", frozenset({Role.CONTROLLER}))
    for n, (minutes_ago, category, summary, answer) in enumerate(POLICE_CASES, start=1):
        past = Store(url, rules, clock=lambda m=minutes_ago: datetime.now(UTC)
                     - timedelta(minutes=m))
        case = {"shared_id": str(uuid.uuid4()), "police_case_no": f"110-20261127-04{n:02d}",
                "sent_at": past.clock().isoformat(),
                "location": {"lat": 30.661 + n * 0.002, "lon": 104.095 + n * 0.003,
                             "address": f"建设路 {100 + n * 7} 号"},
                "classification": category, "summary": summary,
                "reporter": {"name": "报警人", "phone": f"1390000{n:04d}"},
                "remarks": ["非警务类，分流至联动中心"]}
        result = past.execute(Command(str(uuid.uuid4()), "police.receive", {
            "kind": "incident", "message": f"110-msg-{n}", "case": case}), police)
        assert result.ok, result.error
        incident = result.data["id"]
        if answer == "accept":
            past.execute(Command(str(uuid.uuid4()), "incident.accept", {"id": incident}), liaison)
        elif answer == "reject":
            past.execute(Command(str(uuid.uuid4()), "incident.reject", {
                "id": incident, "reason": "涉及人身伤害风险，属警务事项"}), liaison)
        past.close()
    store = Store(url, rules)
    created = store.execute(Command(str(uuid.uuid4()), "incident.create", {
        "source": "hotline", "category": "police.violence", "priority": "P1",
        "description": "两人在小区门口持械斗殴",
        "location": {"lat": 30.668, "lon": 104.101, "address": "建设路 88 号"},
        "reporter": {"name": "王先生", "phone": "13900000021"}}), ctl)
    incident = created.data["id"]
    store.execute(Command(str(uuid.uuid4()), "incident.accept", {"id": incident}), ctl)
    store.execute(Command(str(uuid.uuid4()), "incident.escalate", {
        "id": incident, "reason": "有人持械，需警方处置"}), ctl)
    store.close()


def police_center(hub_url: str) -> None:
    """A minimal 110 center on /police for the screenshot: it logs in and acks what it gets."""
    import json
    import threading

    from websockets.sync.client import connect

    def run() -> None:
        with connect(hub_url.removesuffix("/ws") + "/police") as ws:
            ws.send(json.dumps({"type": "hello", "protocol": 1, "client": "screenshots",
                                "auth": {"username": "police110", "password": "demo"}}))
            for frame in ws:
                message = json.loads(frame)
                if message.get("type") in ("incident", "acknowledgement", "completion",
                                           "update", "cancel"):
                    ws.send(json.dumps({"type": "ack", "id": message["id"]}))

    threading.Thread(target=run, daemon=True).start()


def demo_map(language: str, out: Path, video: bool = False, dashboard: bool = False,
             recommend: bool = False) -> None:
    """The demo district with its simulator running; the console's map over all of it (with
    ``video``, its video wall around the first incident instead; with ``dashboard``, the
    dashboard after a day of history and a minute of simulation)."""
    from console.cli.ledger import StoreLedger
    from console.comms.clock import Clock
    from console.domain.geography import Geography
    from console.sim.demo import DEMO_PASSWORD, District, seed_store

    folder = Path(tempfile.mkdtemp())
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    rules = Rules.load(geography=Geography.from_files())
    # The recommendation is shown on a weekday afternoon, when the day shifts are on duty.
    clock = Clock(10.0, datetime(2026, 11, 25, 6, 30, tzinfo=UTC) if recommend else None)
    store = Store(f"sqlite:///{folder / 'demo.db'}", rules, clock=clock.now)
    camera_port = -1
    if video:
        with socket.socket() as free:
            free.bind(("127.0.0.1", 0))
            camera_port = free.getsockname()[1]
    district = District.load()
    seed_store(StoreLedger(store), district, now=clock.now(),
               camera_base=f"http://127.0.0.1:{max(camera_port, 1)}")
    if dashboard:
        from console.sim.history import seed_history

        with StoreLedger.backdated(f"sqlite:///{folder / 'demo.db'}", rules,
                                   now=clock.now()) as ledger:
            seed_history(ledger, district, rules, now=clock.now(), hours=24)
    hub = EmbeddedHub(store, rules, clock=clock).start()
    simulator = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "simulate", "--hub", hub.url,
         "--camera-port", str(camera_port), "--calls-per-day", "20000", "--duration", "120"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    app = QApplication.instance() or QApplication([])
    settings = QSettings()
    settings.setValue("language", language)
    settings.setValue("map/layers", "streets,communities,units,incidents,cameras")
    console = ConsoleApp(rules, settings)
    console.log_in(hub.url, "demo", DEMO_PASSWORD)

    def arrange() -> None:
        window = console.windows[0]
        window.showMaximized()
        if dashboard:  # its tab beside the map, given most of the screen
            window.show_dashboard()
            window.dock_manager.setSplitterSizes(window.docks["roster"].dockAreaWidget(),
                                                 [150, 1300, 150])
            window.dock_manager.setSplitterSizes(window.docks["dashboard"].dockAreaWidget(),
                                                 [110, 800, 40])
            QTimer.singleShot(4000, lambda: (window.screen().grabWindow(0).save(str(out)),
                                             print("saved", out), console.quit(), app.quit()))
            return
        window.dock_manager.setSplitterSizes(window.docks["roster"].dockAreaWidget(),
                                             [300, 860, 440])
        window.dock_manager.setSplitterSizes(window.docks["map"].dockAreaWidget(),
                                             [230, 640, 40])
        ids = window.queue.model.incident_ids()
        if recommend:
            report_gas_leak(console, window, out, app)
            return
        if ids:
            window.queue.select_incident(ids[0])
        if video and ids:
            window.dock_manager.setSplitterSizes(window.docks["map"].dockAreaWidget(),
                                                 [190, 680, 40])
            window.video.set_layout(9)
            window.open_incident(ids[0])
            window.cameras_near(ids[0])
            QTimer.singleShot(6000, lambda: (window.screen().grabWindow(0).save(str(out)),
                                             print("saved", out), console.quit(), app.quit()))
            return
        QTimer.singleShot(2000, window.map.show_district)
        QTimer.singleShot(2500, lambda: window.map.view and window.map.view.page().runJavaScript(
            "document.querySelector('.linkage-legend-head').click()"))
        QTimer.singleShot(4000, lambda: (window.screen().grabWindow(0).save(str(out)),
                                         print("saved", out), console.quit(), app.quit()))

    def wait() -> None:
        if console.windows and console.bridge.state == "live":
            # Half a minute of the simulated district (a minute before the dashboard).
            QTimer.singleShot(60_000 if dashboard else 30_000, arrange)
        else:
            QTimer.singleShot(200, wait)

    QTimer.singleShot(200, wait)
    QTimer.singleShot(180_000 if dashboard else 120_000, app.quit)
    app.exec()
    simulator.terminate()
    simulator.wait(10)
    hub.stop()
    store.close()


def type_dispatch(window: Any, text: str) -> None:
    """``text`` in the command line as if typed: the cursor at its end, completions open."""
    window.focus_command_line(text)
    window.command_line.edit.deselect()
    window.command_line.edit.end(False)
    window.command_line.update_completions()


def report_gas_leak(console: ConsoleApp, window: Any, out: Path, app: QApplication) -> None:
    """A gas leak at a place of the district's gazetteer; then its recommended units on the
    map and in ``D <n> ``."""
    import json

    places = json.loads((ROOT / "console/resources/geography/gazetteer.json").read_text("utf-8"))
    place = places[0]
    args = {"source": "hotline", "category": "safety.gas_leak", "priority": "P1",
            "description": "楼道里有很浓的燃气味",
            "location": {"lat": place["lat"], "lon": place["lon"], "address": place["zh"]},
            "reporter": {"name": "张先生", "phone": "13800000001"}}

    def created(result: Any) -> None:
        iid = str(result.data["id"])
        short = str(int(iid.rsplit("-", 1)[1]))

        def show() -> None:
            if iid not in console.bridge.replica.incidents:
                QTimer.singleShot(200, show)
                return
            window.open_and_select(iid)
            window.map.show_nearest(iid)
            QTimer.singleShot(3000, lambda: type_dispatch(window, f"D {short} "))
            QTimer.singleShot(6000, shoot)

        def shoot() -> None:
            top = window.docks["map"].mapToGlobal(QPoint(0, 0))
            line = window.docks["command_line"]
            bottom = line.mapToGlobal(QPoint(line.width(), line.height()))
            shot = window.screen().grabWindow(0, top.x(), top.y(), bottom.x() - top.x(),
                                              bottom.y() - top.y())
            shot.save(str(out))
            print("saved", out)
            console.quit()
            app.quit()

        show()

    console.bridge.submit("incident.create", args, None, callback=created)


def main() -> None:
    language = sys.argv[1] if len(sys.argv) > 1 else "en"
    out = Path(sys.argv[2] if len(sys.argv) > 2 else f"console-{language}.png")
    if language.startswith("map-"):
        demo_map(language.removeprefix("map-"), out)
        return
    if language.startswith("video-"):
        demo_map(language.removeprefix("video-"), out, video=True)
        return
    if language.startswith("recommend-"):
        demo_map(language.removeprefix("recommend-"), out, recommend=True)
        return
    if language.startswith("dashboard-"):
        demo_map(language.removeprefix("dashboard-"), out, dashboard=True)
        return
    emergency = language.startswith("emergency-")
    liaison = language.startswith("liaison-")
    help_panel = language.startswith("help-")
    sos = language.startswith("sos-")
    records = language.startswith("records-")
    reports = language.startswith("reports-")
    language = (language.removeprefix("emergency-").removeprefix("liaison-")
                .removeprefix("help-").removeprefix("sos-").removeprefix("records-")
                .removeprefix("reports-"))
    folder = Path(tempfile.mkdtemp())
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    rules = Rules.load(geography=small_geography())
    url = f"sqlite:///{folder / 'demo.db'}"
    seed(url, rules)
    if emergency:
        seed_emergency(url, rules)
    if liaison:
        seed_police(url, rules)
    if sos:
        seed_sos(url, rules)
    if records:
        seed_record(url, rules)
    if reports:
        seed_last_month(url, rules)
    store = Store(url, rules)
    hub = EmbeddedHub(store, rules).start()
    if liaison:
        police_center(hub.url)
    app = QApplication.instance() or QApplication([])
    settings = QSettings()
    settings.setValue("language", language)
    # The seeded incidents lie in the test district: its boundaries on the map.
    from tests.map.district import write_small_district

    settings.setValue("map/geography_dir", str(write_small_district(folder / "geo")))
    console = ConsoleApp(rules, settings)
    console.log_in(hub.url, "zhao" if emergency else "li" if liaison else "wang", "demo")

    def shoot() -> None:
        window = console.windows[0]
        window.showMaximized()
        ids = window.queue.model.incident_ids()
        if emergency:
            window.show_emergency_board()
        elif liaison:
            window.dock_manager.setSplitterSizes(window.docks["roster"].dockAreaWidget(),
                                                 [720, 460, 420])
            cases = window.liaison.rows("sign")
            if cases:
                window.liaison.select(cases[0])
                window.open_incident(cases[0])
        elif ids:
            window.open_incident(ids[0])
        if records:
            window.docks["records"].setAsCurrentTab()
            window.dock_manager.setSplitterSizes(window.docks["roster"].dockAreaWidget(),
                                                 [150, 980, 470])
            window.dock_manager.setSplitterSizes(window.docks["records"].dockAreaWidget(),
                                                 [150, 720, 40])
            dock = window.records
            dock.category.setCurrentIndex(dock.category.findData("environment"))
            dock.state.setCurrentIndex(dock.state.findData("closed"))
            dock.search()

            def open_second() -> None:
                found = dock.model.rows
                if len(found) > 1:
                    dock.table.selectRow(1)
                    window.open_incident(found[1]["id"])

            QTimer.singleShot(1200, open_second)
        if reports:
            show_reports(window, out, console, app)
            return
        if help_panel:
            window.focus_command_line()
            window.command_line.execute("H")
            window.command_line.edit.setText("U ")
        QTimer.singleShot(3500 if records else 2000,
                          lambda: (window.screen().grabWindow(0).save(str(out)),
                                   print("saved", out), console.quit(), app.quit()))

    def wait() -> None:
        if console.windows and console.bridge.state == "live":
            QTimer.singleShot(1500, shoot)
        else:
            QTimer.singleShot(200, wait)

    QTimer.singleShot(200, wait)
    QTimer.singleShot(60_000, app.quit)
    app.exec()
    hub.stop()
    store.close()


if __name__ == "__main__":
    main()
