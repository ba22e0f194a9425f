"""The video wall against real streams: the simulator's MJPEG cameras, dead addresses, a real hub.

Nothing of Qt is replaced: the tiles play through QtMultimedia's FFmpeg backend from
:class:`console.sim.cameras.server.CameraServer` on a free port, and a GUI stall probe (a 10 ms
timer in the GUI thread) records the longest gap between its ticks while cameras play, fail and
retry. Run with ``-s`` to see the measured figures.
"""

from __future__ import annotations

import asyncio
import math
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, QSettings, Qt, QTimer
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage
from PySide6.QtWidgets import QApplication

from console.comms.bridge import Bridge
from console.comms.replica import ChangeSet
from console.domain.rules import Rules
from console.sim.cameras.server import CameraServer
from console.views.app import ConsoleApp
from console.views.video_stream import RetryPolicy, stop_video_thread
from console.views.video_tile import MIME_TYPE
from console.views.video_wall import VideoWallDock, nearest_cameras
from tests.hub.conftest import PASSWORD, HubThread, incident_args
from tests.views.conftest import log_in, new_incident
from tests.views.live import submit

WAIT_MS = 10_000
#: Quick to give up and quick to try again, so a test sees several attempts.
FAST = RetryPolicy(connect_timeout=1.0, stall_timeout=1.5, base=0.2, cap=0.6)
HERE = (30.6675, 104.0925)
pytestmark = [
    pytest.mark.filterwarnings(
        # The offscreen platform says so when a window is shown; nothing is wrong with the code.
        "ignore:This plugin does not support:UserWarning"),
    # Cameras here are dead on purpose (refused, silent) or go away mid-stream, and every camera
    # server closes under a playing tile at the end of its test: QtMultimedia's FFmpeg backend
    # reports each such stream as a warning. What the wall makes of it is what the tests assert.
    pytest.mark.qt_log_ignore("Could not open media. FFmpeg error", "Demuxing failed"),
]


# -- real cameras and dead ones -----------------------------------------------------------------


class Cameras:
    """The simulator's camera server on a free port, in an asyncio loop of its own thread."""

    def __init__(self, cameras: Sequence[Mapping[str, Any]], fps: float = 10) -> None:
        self.cameras = cameras
        self.fps = fps
        self.server: CameraServer | None = None
        self.port = 0
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="test-cameras",
                                       daemon=True)
        self.thread.start()

    def _run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(15)

    def start(self) -> None:
        """Serve (again, on the same port once it had one)."""
        self.server = CameraServer(self.cameras, port=self.port, fps=self.fps)
        self._run(self.server.start())
        self.port = self.server.port

    def stop(self) -> None:
        if self.server is not None:
            self._run(self.server.stop())
            self.server = None

    @property
    def viewers(self) -> int:
        return self.server.viewers if self.server is not None else 0

    def url(self, camera_id: str) -> str:
        return f"http://127.0.0.1:{self.port}/cameras/{camera_id}.mjpg"

    def close(self) -> None:
        self.stop()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@pytest.fixture(autouse=True)
def _video_thread_stopped() -> Iterator[None]:
    """The streams' thread starts with the first stream and the application stops it as it quits
    (``aboutToQuit``); each test here is an application's life, so it stops the thread too."""
    yield
    stop_video_thread()


@pytest.fixture
def cameras() -> Iterator[Cameras]:
    served = Cameras([{"id": "CAM1", "name": "建设路口", "lat": HERE[0], "lon": HERE[1]},
                      {"id": "CAM2", "name": "Shuangqiao Rd", "lat": 30.667, "lon": 104.105}])
    served.start()
    yield served
    served.close()


@pytest.fixture
def refused_url() -> str:
    """A port nobody listens on: the connection is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/cameras/DEAD.mjpg"


@pytest.fixture
def silent_url() -> Iterator[str]:
    """A port that takes the connection and never says a word."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(32)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/cameras/MUTE.mjpg"


def camera(camera_id: str, url: str, lat: float = HERE[0], lon: float = HERE[1]
           ) -> dict[str, Any]:
    return {"id": camera_id, "name": f"Camera {camera_id}", "lat": lat, "lon": lon,
            "stream_url": url, "grid": "g010", "street": "street.mengzhuiwan"}


def deliver(bridge: Bridge, change: ChangeSet) -> None:
    """What the bridge does with a change set from its client: apply it, then tell the views."""
    bridge.replica.apply(change)
    bridge.changed.emit(change)


Walls = Callable[..., VideoWallDock]


@pytest.fixture
def wall_of(qtbot: Any, rules: Rules, tmp_path: Path) -> Walls:
    """A wall over a bridge whose replica holds ``cameras`` (and ``incidents``), shown."""

    def make(cams: Sequence[Mapping[str, Any]], incidents: Sequence[Any] = (),
             show: bool = True) -> VideoWallDock:
        bridge = Bridge(rules)
        deliver(bridge, ChangeSet(seq=1, reset=True, cameras=tuple(cams),
                                  incidents={i.id: i for i in incidents}))
        wall = VideoWallDock(bridge, rules, policy=FAST, snapshot_dir=tmp_path / "snapshots")
        qtbot.addWidget(wall)
        wall.resize(960, 600)
        if show:
            wall.show()
            qtbot.waitExposed(wall)
        return wall

    return make


class StallProbe:
    """A 10 ms timer in the GUI thread: the longest gap between two of its ticks."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.max_gap_ms = 0.0
        self.ticks = 0
        self._last: float | None = None

    def __enter__(self) -> StallProbe:
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        if self._last is not None:
            self.max_gap_ms = max(self.max_gap_ms, (now - self._last) * 1000)
        self._last = now
        self.ticks += 1


def report(**figures: Any) -> None:
    print(" ".join(f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}"
                   for k, v in figures.items()))


# -- playing --------------------------------------------------------------------------------


@pytest.mark.timing
def test_a_tile_plays_a_simulator_camera_within_3_seconds(
        qtbot: Any, cameras: Cameras, wall_of: Walls) -> None:
    wall = wall_of([camera("CAM1", cameras.url("CAM1"))])
    counted: list[tuple[int, int]] = []
    with StallProbe() as probe:
        started = time.monotonic()
        tile = wall.show_camera("CAM1")
        assert tile is wall.tiles[0] and tile.state == "buffering"
        qtbot.waitUntil(lambda: tile.sink is not None, timeout=3_000)
        assert tile.sink is not None
        tile.sink.videoFrameChanged.connect(
            lambda frame: counted.append(frame.size().toTuple()))
        qtbot.waitUntil(lambda: len(counted) >= 1, timeout=3_000)
        first_ms = (time.monotonic() - started) * 1000
        qtbot.wait(max(0, round((started + 3 - time.monotonic()) * 1000)))
    report(first_frame_ms=first_ms, frames_in_3s=len(counted), tile_frames=tile.frames,
           max_gap_ms=probe.max_gap_ms)
    assert first_ms < 3000
    assert len(counted) >= 5  # a 10 fps camera, counted on the tile's QVideoSink
    assert counted[-1] == (480, 270)
    assert tile.frames >= len(counted)
    assert tile.state == "playing" and tile.status.text() == "Playing"
    assert tile.attempts == 1 and tile.error == ""
    assert probe.max_gap_ms <= 50

    # A snapshot with no incident on the wall: the picture is saved, nothing is noted.
    with qtbot.waitSignal(wall.snapshot_taken) as taken, \
            qtbot.waitSignal(wall.snapshot_saved, timeout=WAIT_MS) as saved:
        qtbot.mouseClick(tile.snapshot_button, Qt.MouseButton.LeftButton)
    assert taken.args[0] == "CAM1" and taken.args[1].size().toTuple() == (480, 270)
    camera_id, path = saved.args
    assert camera_id == "CAM1" and Path(path).parent == wall.snapshot_dir
    assert QImage(path).size().toTuple() == (480, 270)


@pytest.mark.parametrize("dead", ["refused", "silent"])
@pytest.mark.timing
def test_a_dead_camera_shows_unavailable_retries_and_never_stalls_the_gui(
        qtbot: Any, request: pytest.FixtureRequest, cameras: Cameras, wall_of: Walls,
        dead: str) -> None:
    url = request.getfixturevalue(f"{dead}_url")
    wall = wall_of([camera("CAM1", cameras.url("CAM1")), camera("DEAD", url)])
    with StallProbe() as probe:
        started = time.monotonic()
        live = wall.show_camera("CAM1", 0)
        tile = wall.show_camera("DEAD", 1)
        assert live is not None and tile is not None
        states: list[str] = []
        tile.state_changed.connect(states.append)
        qtbot.waitUntil(lambda: tile.state == "unavailable", timeout=5_000)
        unavailable_after = time.monotonic() - started
        assert tile.status.text().startswith("Unavailable")
        assert tile.error
        # It tries again by itself: at least two more attempts.
        qtbot.waitUntil(lambda: tile.attempts >= 3, timeout=8_000)
        frames_then = live.frames
        qtbot.waitUntil(lambda: live.frames >= frames_then + 5, timeout=5_000)
        qtbot.waitUntil(lambda: tile.state == "unavailable", timeout=5_000)
    report(dead=dead, unavailable_after_s=unavailable_after, attempts=tile.attempts,
           window_s=time.monotonic() - started, live_frames=live.frames,
           max_gap_ms=probe.max_gap_ms, ticks=probe.ticks)
    assert states.count("unavailable") >= 2 and states.count("buffering") >= 2
    assert tile.frames == 0
    if dead == "silent":
        assert tile.error == "no picture within 1 s"
    assert live.state == "playing"  # a dead neighbour does not hold the live camera up
    assert probe.max_gap_ms <= 50


@pytest.mark.timing
def test_a_camera_that_goes_away_is_played_again_when_it_is_back(
        qtbot: Any, cameras: Cameras, wall_of: Walls) -> None:
    wall = wall_of([camera("CAM1", cameras.url("CAM1"))])
    tile = wall.show_camera("CAM1")
    assert tile is not None
    qtbot.waitUntil(lambda: tile.state == "playing", timeout=WAIT_MS)
    with StallProbe() as probe:
        cameras.stop()
        qtbot.waitUntil(lambda: tile.state == "unavailable", timeout=5_000)
        qtbot.waitUntil(lambda: tile.attempts >= 3, timeout=5_000)
        cameras.start()  # the same port
        qtbot.waitUntil(lambda: tile.state == "playing", timeout=WAIT_MS)
        frames = tile.frames
        qtbot.waitUntil(lambda: tile.frames >= frames + 3, timeout=5_000)
    report(attempts=tile.attempts, max_gap_ms=probe.max_gap_ms)
    assert tile.error == "" and tile.failures == 0
    assert probe.max_gap_ms <= 50


@pytest.mark.timing
def test_a_wall_off_screen_plays_nothing_and_resumes_when_shown(
        qtbot: Any, cameras: Cameras, wall_of: Walls) -> None:
    wall = wall_of([camera("CAM1", cameras.url("CAM1")), camera("CAM2", cameras.url("CAM2"))])
    first, second = wall.show_camera("CAM1"), wall.show_camera("CAM2")
    assert first is not None and second is not None
    qtbot.waitUntil(lambda: first.state == second.state == "playing", timeout=WAIT_MS)
    assert cameras.viewers == 2
    # Two playing streams torn down and opened again: that is slow work (30–100 ms a player),
    # and none of it may land on the GUI thread.
    with StallProbe() as probe:
        wall.hide()
        qtbot.waitUntil(lambda: cameras.viewers == 0, timeout=5_000)
        frames = first.frames
        qtbot.wait(500)
        assert first.frames == frames
        wall.show()
        qtbot.waitUntil(lambda: first.frames > frames and second.state == "playing",
                        timeout=WAIT_MS)
    report(max_gap_ms=probe.max_gap_ms)
    assert probe.max_gap_ms <= 50
    assert cameras.viewers == 2
    assert [t.camera["id"] for t in wall.tiles if t.camera] == ["CAM1", "CAM2"]


# -- putting cameras on tiles ---------------------------------------------------------------


def _drag(tile: Any, data: QMimeData) -> tuple[bool, bool]:
    """Drag ``data`` over ``tile`` and drop it: (enter accepted, drop accepted)."""
    at = tile.rect().center()
    enter = QDragEnterEvent(at, Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(tile, enter)
    drop = QDropEvent(QPointF(QPoint(at)), Qt.DropAction.CopyAction, data,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    if enter.isAccepted():
        QApplication.sendEvent(tile, drop)
    return enter.isAccepted(), drop.isAccepted()


def test_a_camera_dragged_from_the_list_onto_a_tile_goes_on_that_tile(
        wall_of: Walls, refused_url: str) -> None:
    wall = wall_of([camera("cam.001", refused_url), camera("cam.002", refused_url)], show=False)
    texts = [wall.cameras.item(row).text() for row in range(wall.cameras.count())]
    assert texts == ["cam.001  Camera cam.001", "cam.002  Camera cam.002"]
    item = wall.cameras.item(1)
    data = wall.cameras.mimeData([item])
    assert MIME_TYPE in data.formats()
    assert bytes(data.data(MIME_TYPE).data()) == b"cam.002"

    assert _drag(wall.tiles[2], data) == (True, True)
    assert [t.camera["id"] if t.camera else None for t in wall.tiles] == [
        None, None, "cam.002", None]
    # Plain text is not a camera: the tile refuses it.
    text = QMimeData()
    text.setText("cam.001")
    assert _drag(wall.tiles[0], text) == (False, False)
    assert wall.tiles[0].camera is None
    # The filter hides what does not match (id, name, street or grid).
    wall.filter.setText("002")
    assert [wall.cameras.item(r).isHidden() for r in range(2)] == [True, False]


def _near(metres_north: float, metres_east: float) -> tuple[float, float]:
    lat = HERE[0] + metres_north / 111_195.0
    return lat, HERE[1] + metres_east / (111_195.0 * math.cos(math.radians(HERE[0])))


def test_cameras_near_an_incident_fill_the_tiles_nearest_first(
        wall_of: Walls, refused_url: str) -> None:
    offsets = {"N300": (300, 0), "N050": (50, 0), "E120": (0, 120), "S900": (-900, 0),
               "W200": (0, -200), "NE1500": (1000, 1100)}
    cams = [camera(cid, refused_url, *_near(*offset)) for cid, offset in offsets.items()]
    incident = new_incident(1, location={"lat": HERE[0], "lon": HERE[1],
                                         "address": "建设路 1 号", "grid": "g010",
                                         "community": "c01", "street": "street.mengzhuiwan"})
    wall = wall_of(cams, [incident], show=False)
    wall.set_incident(incident.id)
    assert wall.near_button.isEnabled()
    wall.near_button.click()
    assert [t.camera["id"] for t in wall.tiles] == ["N050", "E120", "W200", "N300"]
    assert [round(t.distance) for t in wall.tiles] == [50, 120, 200, 300]
    assert wall.tiles[0].title.toolTip() == "N050  Camera N050  · 50 m"
    assert wall.incident_id == incident.id

    wall.set_layout(9)
    assert wall.show_near_incident(incident.id) == ["N050", "E120", "W200", "N300", "S900",
                                                    "NE1500"]
    assert [t.camera is None for t in wall.tiles] == [False] * 6 + [True] * 3
    assert wall.show_near_incident("CH-nope") == []

    ranked = nearest_cameras(cams, *HERE, 2)
    assert [(c["id"], round(m)) for c, m in ranked] == [("N050", 50), ("E120", 120)]


def test_the_layout_switches_between_1_4_and_9_tiles(wall_of: Walls, refused_url: str) -> None:
    cams = [camera(f"C{n}", refused_url) for n in range(9)]
    wall = wall_of(cams, show=False)
    assert len(wall.tiles) == 4  # the default
    for count, side in ((9, 3), (1, 1), (4, 2), (9, 3)):
        wall.layout_buttons.button(count).click()
        assert len(wall.tiles) == count
        assert all(t.isVisibleTo(wall) for t in wall.tiles)
        assert not any(t.isVisibleTo(wall) for t in wall.all_tiles[count:])
        cells = {wall.grid.getItemPosition(wall.grid.indexOf(t))[:2] for t in wall.tiles}
        assert cells == {(r, c) for r in range(side) for c in range(side)}
        assert wall.layout_buttons.checkedId() == count
    for n in range(9):
        wall.show_camera(f"C{n}", n)
    assert wall.settings() == {"tiles": 9, "cameras": [f"C{n}" for n in range(9)]}
    wall.set_layout(1)  # the eight tiles dropped let their cameras go
    assert [t.camera for t in wall.all_tiles[1:]] == [None] * 8
    assert wall.settings() == {"tiles": 1, "cameras": ["C0"]}
    wall.restore({"tiles": 4, "cameras": ["C3", None, "C5"]})
    assert [t.camera["id"] if t.camera else None for t in wall.tiles] == ["C3", None, "C5", None]
    with pytest.raises(ValueError, match="1, 4 or 9"):
        wall.set_layout(2)
    assert wall.host is None  # never on screen: no player was made, no video thread needed


# -- with a real hub ------------------------------------------------------------------------


def test_a_snapshot_is_saved_as_png_and_noted_on_the_incident(
        qtbot: Any, live_hub: HubThread, rules: Rules, cameras: Cameras, tmp_path: Path) -> None:
    live_hub.store.put_cameras([camera("CAM1", cameras.url("CAM1"), *HERE),
                                camera("CAM2", cameras.url("CAM2"), 30.69, 104.12)])
    bridge = Bridge(rules, backoff_base=0.05, backoff_cap=0.5)
    try:
        log_in(qtbot, bridge, live_hub.port)
        created = submit(qtbot, bridge, "incident.create", incident_args(
            location={"lat": HERE[0], "lon": HERE[1], "address": "建设路 1 号"}))
        iid = created.data["id"]
        qtbot.waitUntil(lambda: iid in bridge.replica.incidents, timeout=WAIT_MS)
        wall = VideoWallDock(bridge, rules, policy=FAST, snapshot_dir=tmp_path / "shots")
        qtbot.addWidget(wall)
        wall.show()
        wall.set_layout(1)
        assert wall.show_near_incident(iid) == ["CAM1"]
        tile = wall.tiles[0]
        qtbot.waitUntil(lambda: tile.state == "playing", timeout=WAIT_MS)
        with qtbot.waitSignal(wall.snapshot_taken) as taken, \
                qtbot.waitSignal(wall.snapshot_noted, timeout=WAIT_MS) as noted:
            qtbot.mouseClick(tile.snapshot_button, Qt.MouseButton.LeftButton)
        assert taken.args[0] == "CAM1" and taken.args[1].size().toTuple() == (480, 270)
        noted_id, path = noted.args
        assert noted_id == iid and Path(path).parent == tmp_path / "shots"
        assert QImage(path).size().toTuple() == (480, 270)
        events: list[Any] = []
        bridge.request_timeline(iid, events.append)
        qtbot.waitUntil(lambda: bool(events), timeout=WAIT_MS)
        notes = [e["data"]["text"] for e in events[0] if e["name"] == "incident.noted"]
        assert len(notes) == 1
        assert "Camera CAM1 (CAM1)" in notes[0] and path in notes[0]
    finally:
        bridge.shutdown()


def test_the_main_window_has_the_wall_behind_the_map_and_the_detail_fills_it(
        qtbot: Any, live_hub: HubThread, rules: Rules, cameras: Cameras, tmp_path: Path) -> None:
    live_hub.store.put_cameras([camera("CAM1", cameras.url("CAM1"), *HERE),
                                camera("CAM2", cameras.url("CAM2"), 30.69, 104.12)])
    settings = QSettings(str(tmp_path / "console.ini"), QSettings.Format.IniFormat)
    settings.setValue("language", "en")
    app = ConsoleApp(rules, settings, backoff_base=0.05, backoff_cap=0.5)
    try:
        app.log_in(f"ws://127.0.0.1:{live_hub.port}/ws", "ctl", PASSWORD)
        qtbot.waitUntil(lambda: bool(app.windows) and app.bridge.state == "live",
                        timeout=WAIT_MS)
        window = app.windows[0]
        dock = window.docks["video_wall"]
        assert dock.windowTitle() == "Video wall"
        assert dock.dockAreaWidget() is window.docks["map"].dockAreaWidget()
        assert not window.video.isVisible()  # a tab behind the map: no stream runs
        assert dock.toggleViewAction() in window.view_menu.actions()
        assert window.a_video_wall.shortcut().toString() == "Ctrl+Shift+V"
        created = submit(qtbot, app.bridge, "incident.create", incident_args(
            location={"lat": HERE[0], "lon": HERE[1], "address": "建设路 1 号"}))
        iid = created.data["id"]
        qtbot.waitUntil(lambda: iid in app.bridge.replica.incidents, timeout=WAIT_MS)
        window.open_incident(iid)
        button = window.detail.cameras_button
        assert button.isEnabled() and button.text() == "Cameras nearby"
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(window.video.isVisible, timeout=WAIT_MS)
        assert [t.camera["id"] if t.camera else None for t in window.video.tiles] == [
            "CAM1", "CAM2", None, None]
        assert window.video.incident_id == iid
        qtbot.waitUntil(lambda: window.video.tiles[0].state == "playing", timeout=WAIT_MS)
        assert window.save_state()["video"] == {"tiles": 4,
                                                "cameras": ["CAM1", "CAM2", None, None]}
    finally:
        app.quit()
