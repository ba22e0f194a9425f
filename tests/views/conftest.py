"""Qt model fixtures: an offscreen QApplication, and domain objects built the way the hub does.

Incidents and units are made by the domain's own ``created``/``registered`` and ``evolve`` from
events; their next deadlines by :func:`console.domain.deadlines.next_deadline` over the shipped
rules, so the change sets fed to the models are the ones the client would build.
"""

from __future__ import annotations

import os
import traceback
import weakref
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QAbstractItemModel, QCoreApplication, QEvent, QThread
from PySide6.QtWidgets import QApplication

from console.comms.replica import ChangeSet, Replica
from console.domain import deadlines
from console.domain import incident as incident_rules
from console.domain import units as unit_rules
from console.domain.incident import Incident
from console.domain.model import Event
from console.domain.rules import Rules
from console.domain.units import Unit
from tests.geo import small_geography

# Before any QApplication exists (pytest-qt makes it lazily, in the qapp fixture); the root
# conftest imports nothing of Qt, so the GUI folders set the platform themselves.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The main window holds the map (QtWebEngine): Chromium refuses to run as root without
# --no-sandbox, and QtWebEngineWidgets must be imported before the QApplication exists; the map
# registers its tile scheme before the first web view (../shared/PLATFORM.md).
if os.geteuid() == 0:
    os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox")
import PySide6.QtWebEngineWidgets  # noqa: F401

import console.map.web  # noqa: F401

#: Wednesday 2026-11-25, 09:00 in Chengdu.
T0 = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)


def flush_deferred_deletes() -> None:
    # pytest-qt only processes events; deleteLater() objects need DeferredDelete (PLATFORM.md).
    for _ in range(3):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QCoreApplication.processEvents()


@pytest.fixture(autouse=True)
def qt_leaks(qapp: Any) -> Iterator[None]:
    """After each Qt test: run the deferred deletes, then fail the test if it left a window open
    or a QThread running that it started. What it leaked is closed or stopped here, so that the
    next test starts clean and one leak fails one test."""
    # The wrappers themselves: while held, each C++ widget keeps the same one.
    windows_before = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    started: weakref.WeakKeyDictionary[QThread, str] = weakref.WeakKeyDictionary()
    qthread_start = QThread.start

    def start(thread: QThread, *args: Any) -> None:
        started[thread] = "".join(traceback.format_stack(limit=4)[:-1])
        qthread_start(thread, *args)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(QThread, "start", start)
        yield
    flush_deferred_deletes()
    leaks: list[str] = []
    for widget in QApplication.topLevelWidgets():
        if widget.isVisible() and not any(widget is w for w in windows_before):
            leaks.append(f"window left open: {type(widget).__name__} {widget.windowTitle()!r}")
            widget.close()
            widget.deleteLater()
    for thread, where in list(started.items()):
        if shiboken6.isValid(thread) and thread.isRunning():
            leaks.append(f"QThread {thread.objectName()!r} left running, started at\n{where}")
            thread.quit()
            thread.wait(5_000)
    flush_deferred_deletes()
    if leaks:
        pytest.fail("the test leaked:\n" + "\n".join(leaks), pytrace=False)


@pytest.fixture(scope="session")
def rules() -> Rules:
    return Rules.load(geography=small_geography())


def new_incident(number: int, at: datetime = T0, **data: Any) -> Incident:
    """An incident as ``incident.created`` brings it into being (defaults: a P3 noise case)."""
    fields: dict[str, Any] = {
        "id": f"CH-20261125-{number:06d}",
        "source": "hotline",
        "request_type": "complaint",
        "category": "env.noise_construction",
        "priority": "P3",
        "sla_class": "standard",
        "description": "工地夜间施工噪声扰民",
        "location": {"lat": 30.6675, "lon": 104.0925, "address": "建设路 1 号",
                     "grid": "g010", "community": "c01", "street": "street.mengzhuiwan"},
        "reporter": {"name": "张先生", "phone": "13800000001"},
    }
    actor = data.pop("actor", "ctl")
    fields.update(data)
    return incident_rules.created(Event("incident.created", at, actor, fields))


def then(inc: Incident, name: str, at: datetime | None = None, actor: str = "ctl",
         **data: Any) -> Incident:
    """``inc`` after one more event about it."""
    when = at if at is not None else (inc.updated_at or inc.created_at) + timedelta(minutes=1)
    return incident_rules.evolve(inc, Event(name, when, actor, {"id": inc.id, **data}))


def assigned(inc: Incident, department: str = "urban_mgmt",
             co_handlers: tuple[str, ...] = ()) -> Incident:
    inc = then(inc, "incident.accepted")
    return then(inc, "incident.assigned", department=department, co_handlers=list(co_handlers))


def new_unit(unit_id: str, at: datetime = T0, **data: Any) -> Unit:
    fields: dict[str, Any] = {"unit": unit_id, "name": f"Unit {unit_id}", "type": "grid_worker",
                              "status": "available", "tier": 1, "street": "street.mengzhuiwan",
                              "community": "c01"}
    fields.update(data)
    return unit_rules.registered(Event("unit.registered", at, "admin", fields))


def unit_then(unit: Unit, name: str, at: datetime, **data: Any) -> Unit:
    return unit_rules.evolve(unit, Event(name, at, "ctl", {"unit": unit.id, **data}))


class Feed:
    """Builds change sets the way the client does and applies them to a replica, then a model."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self.replica = Replica()
        self.seq = 0
        self.models: list[Any] = []

    def change(self, incidents: list[Incident] = (), units: list[Unit] = (),  # type: ignore[assignment]
               reset: bool = False, **more: Any) -> ChangeSet:
        self.seq += 1
        return ChangeSet(
            seq=self.seq, reset=reset,
            incidents={i.id: i for i in incidents},
            deadlines={i.id: deadlines.next_deadline(i, self.rules) for i in incidents},
            units={u.id: u for u in units}, **more)

    def send(self, incidents: list[Incident] = (), units: list[Unit] = (),  # type: ignore[assignment]
             reset: bool = False, **more: Any) -> ChangeSet:
        change = self.change(incidents, units, reset, **more)
        self.replica.apply(change)
        for model in self.models:
            model.apply(change)
        return change


@pytest.fixture
def feed(rules: Rules) -> Feed:
    return Feed(rules)


class Recorder:
    """Every structural or data signal of a model, in order, as plain tuples."""

    def __init__(self, model: QAbstractItemModel) -> None:
        self.log: list[tuple[Any, ...]] = []
        model.rowsInserted.connect(lambda p, a, b: self.log.append(("inserted", a, b)))
        model.rowsRemoved.connect(lambda p, a, b: self.log.append(("removed", a, b)))
        model.rowsMoved.connect(
            lambda p, a, b, d, r: self.log.append(("moved", a, b, r)))
        model.dataChanged.connect(lambda tl, br, roles=(): self.log.append(
            ("changed", tl.row(), tl.column(), br.row(), br.column())))
        model.modelReset.connect(lambda: self.log.append(("reset",)))
        model.layoutChanged.connect(lambda *args: self.log.append(("layout",)))

    def take(self) -> list[tuple[Any, ...]]:
        log, self.log = self.log, []
        return log


def reading(model_class: type[Any]) -> tuple[type[Any], list[tuple[int, int]]]:
    """A subclass of ``model_class`` that notes the (row, column) of every ``data()`` call, and
    the list it notes them in: what a view asks of its model."""
    read: list[tuple[int, int]] = []

    class Reading(model_class):  # type: ignore[misc, valid-type]
        def data(self, index: Any, role: int = 0) -> Any:
            read.append((index.row(), index.column()))
            return super().data(index, role)

    return Reading, read


def shown(qtbot: Any, view: Any, model: Any, width: int) -> None:
    """``view`` over ``model``, on screen at ``width`` × 400 and painted once."""
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(width, 400)
    view.show()
    qtbot.waitExposed(view)
    qtbot.wait(50)


def reads_after(qtbot: Any, read: list[tuple[int, int]], action: Any) -> set[tuple[int, int]]:
    """The cells a view read of its model because of ``action`` (the repaint it caused)."""
    read.clear()
    action()
    qtbot.waitUntil(lambda: bool(read))
    qtbot.wait(50)
    return set(read)


# -- a real hub and a logged-in bridge, for docks driven end to end ----------------------------


@pytest.fixture
def live_hub(tmp_path: Any, rules: Rules) -> Iterator[Any]:
    """A real hub (in a thread of this process) on a fresh SQLite file, with the test users."""
    from tests.hub.conftest import HubThread, add_users

    thread = HubThread(f"sqlite:///{tmp_path}/hub.db", rules)
    add_users(thread.store)
    thread.start()
    yield thread
    thread.stop()


def log_in(qtbot: Any, bridge: Any, port: int, username: str = "ctl") -> None:
    from tests.hub.conftest import PASSWORD

    bridge.connect_to(f"ws://127.0.0.1:{port}/ws", username, PASSWORD)
    qtbot.waitUntil(lambda: bridge.state == "live" and bridge.replica.user is not None,
                    timeout=10_000)


@pytest.fixture
def live_bridge(qtbot: Any, live_hub: Any, rules: Rules) -> Iterator[Any]:
    """A :class:`Bridge` logged in to ``live_hub`` as the controller ``ctl``, live."""
    from console.comms.bridge import Bridge

    bridge = Bridge(rules, backoff_base=0.05, backoff_cap=0.5)
    log_in(qtbot, bridge, live_hub.port)
    yield bridge
    bridge.shutdown()
