"""The map issue's acceptance, against a real hub and a real page in QtWebEngine.

- the page asks for nothing outside the machine (every URL it requests is recorded);
- a queue selection centres and highlights the incident on the map, and a click on a marker in
  the page selects it in the queue and the detail (a real QWebChannel round trip);
- "New incident here" inside a known grid cell fills the intake with that cell, its community
  and its street (also with the basemap in GCJ-02);
- an MBTiles file made here is served through ``linkage-tiles://`` and drawn.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWebEngineCore import QWebEngineUrlRequestInfo, QWebEngineUrlRequestInterceptor

from console.comms.bridge import Bridge
from console.domain.geography import Place
from console.domain.rules import Rules
from console.map.coords import to_gcj02
from console.map.page import LEAFLET_DIR, MAP_RESOURCES
from console.map.web import map_web
from console.views.app import ConsoleApp
from console.views.main_window import MainWindow
from tests.hub.conftest import PASSWORD, HubThread
from tests.map.helpers import (
    WAIT_MS,
    ask,
    click,
    make_mbtiles,
    map_settings,
    place_units,
    run_js,
    settled_point,
    share_of_colour,
    shown_dock,
    wait_ready,
)
from tests.views import live
from tests.views.live import create

live_hub = live.live_hub
bridge_as = live.bridge_as
pytestmark = pytest.mark.filterwarnings(
    # The offscreen platform cannot raise windows or grab the keyboard; it says so on stderr
    # as a Qt warning each time a popup or a new window opens. Nothing is wrong with the code.
    "ignore:This plugin does not support:UserWarning")

#: Three places in the test district (tests.geo): cells g001, g111 and g100.
PLACES = [(30.6625, 104.0975), (30.6688, 104.1079), (30.6618, 104.1021)]
#: Colour of the MBTiles test tiles: a magenta no layer of the map uses.
TILE_RGB = (230, 30, 200)


class Recorder(QWebEngineUrlRequestInterceptor):
    """Records every URL a page of the profile asks for, and lets it through."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:
        self.urls.append(info.requestUrl().toString())


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    """The profile's interceptor replaced by a plain recorder (not the console's own guard,
    so the test does not rely on the code it checks); the guard is put back after."""
    web = map_web()
    recording = Recorder()
    web.profile.setUrlRequestInterceptor(recording)
    yield recording
    web.profile.setUrlRequestInterceptor(web.guard)


@pytest.fixture
def console(qtbot: Any, tmp_path: Path, rules: Rules, live_hub: HubThread
            ) -> Iterator[Callable[..., MainWindow]]:
    """A console logged in as ``ctl`` with the test district's map; its main window."""
    made: list[ConsoleApp] = []

    def start(**map_values: Any) -> MainWindow:
        app = ConsoleApp(rules, map_settings(tmp_path / f"console-{len(made)}", **map_values),
                         backoff_base=0.05, backoff_cap=0.5)
        made.append(app)
        app.log_in(f"ws://127.0.0.1:{live_hub.port}/ws", "ctl", PASSWORD)
        qtbot.waitUntil(lambda: bool(app.windows) and app.bridge.state == "live",
                        timeout=WAIT_MS)
        window = app.windows[0]
        window.resize(1600, 950)
        wait_ready(qtbot, window.map)
        return window

    yield start
    for app in made:
        app.quit()


def test_the_page_asks_for_nothing_outside_the_machine(
        qtbot: Any, tmp_path: Path, rules: Rules, live_hub: HubThread,
        bridge_as: Callable[[str], Bridge], recorder: Recorder) -> None:
    live_hub.store.put_cameras([{"id": "CAM1", "name": "建设路口", "lat": 30.6641,
                                 "lon": 104.0962, "stream_url": "file:///dev/null"}])
    place_units(qtbot, live_hub, [("U1", "available", *PLACES[0]), ("U2", "busy", *PLACES[1])])
    bridge = bridge_as("ctl")
    for lat, lon in PLACES:
        create(qtbot, bridge, location={"lat": lat, "lon": lon, "address": "建设路"})
    mbtiles = tmp_path / "district.mbtiles"
    make_mbtiles(mbtiles, TILE_RGB, range(14, 18))
    settings = map_settings(tmp_path, basemap="mbtiles", mbtiles_path=str(mbtiles),
                            layers=",".join(["streets", "communities", "grid", "units",
                                             "incidents", "cameras", "checkpoints", "heat",
                                             "trail"]))
    dock = shown_dock(qtbot, bridge, rules, settings)
    view = dock.view
    assert view is not None
    qtbot.waitUntil(lambda: ask(qtbot, view, "state")["counts"]
                    == {"incidents": 3, "units": 2, "cameras": 1, "checkpoints": 2},
                    timeout=WAIT_MS)
    assert ask(qtbot, view, "pointOf", "unit", "U1") is not None  # drawn where it is
    # Move around so that every layer draws and more tiles are fetched.
    dock.zoom_to_street("street.shuangqiaozi")
    dock.show_district()
    qtbot.waitUntil(lambda: map_web().tiles.served >= 4, timeout=WAIT_MS)
    assert ask(qtbot, view, "state")["heat"] == 3

    urls = list(recorder.urls)
    local_files = (str(LEAFLET_DIR.resolve()), str(MAP_RESOURCES.resolve()), "/tmp")
    assert any(url.endswith("/leaflet.js") for url in urls)  # the recorder saw the page load
    assert any(url.startswith("linkage-tiles://") for url in urls)
    for url in urls:
        scheme = url.split(":", 1)[0]
        assert scheme in ("file", "qrc", "data", "linkage-tiles"), url
        if scheme == "file":
            path = url.removeprefix("file://")
            assert path.startswith(local_files) and Path(path).exists(), url
    assert not view.map_page.errors


def test_a_queue_selection_centres_the_map_and_a_marker_click_selects_in_the_queue(
        qtbot: Any, live_hub: HubThread, console: Callable[..., MainWindow]) -> None:
    window = console()
    bridge = window.bridge
    ids = [create(qtbot, bridge, location={"lat": lat, "lon": lon, "address": "建设路"})
           for lat, lon in PLACES]
    view = window.map.view
    assert view is not None
    qtbot.waitUntil(lambda: ask(qtbot, view, "state")["counts"]["incidents"] == 3,
                    timeout=WAIT_MS)

    # Queue → map: centred on the incident and highlighted.
    assert window.queue.select_incident(ids[0])

    def centred_on(iid: str, place: tuple[float, float]) -> bool:
        state = ask(qtbot, view, "state")
        lat, lon = state["center"]
        return (state["selection"] == {"kind": "incident", "id": iid}
                and state["selected"]["incidents"] >= 0
                and abs(lat - place[0]) < 2e-5 and abs(lon - place[1]) < 2e-5)

    qtbot.waitUntil(lambda: centred_on(ids[0], PLACES[0]), timeout=WAIT_MS)

    # Map → queue and detail: a real mouse click on the second incident's pin.
    window.map.show_district()
    qtbot.waitUntil(lambda: ask(qtbot, view, "pointOf", "incident", ids[1]) is not None,
                    timeout=WAIT_MS)
    point = ask(qtbot, view, "pointOf", "incident", ids[1])
    with qtbot.waitSignal(window.map.incident_selected, timeout=WAIT_MS) as clicked:
        click(view, point["x"], point["y"] - 10)  # on the pin's body, above its tip
    assert clicked.args == [ids[1]]
    qtbot.waitUntil(lambda: window.detail.incident_id == ids[1], timeout=WAIT_MS)
    assert current_in_queue(window) == ids[1]
    assert ask(qtbot, view, "state")["selection"] == {"kind": "incident", "id": ids[1]}

    # The same through a click event dispatched in the page.
    point = ask(qtbot, view, "pointOf", "incident", ids[2])
    run_js(qtbot, view, f"""document.querySelector('.leaflet-container').dispatchEvent(
        new MouseEvent('click', {{clientX: {point['x']}, clientY: {point['y'] - 10},
                                 bubbles: true, cancelable: true, view: window}})) && 1""")
    qtbot.waitUntil(lambda: current_in_queue(window) == ids[2], timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.detail.incident_id == ids[2], timeout=WAIT_MS)


def current_in_queue(window: MainWindow) -> str | None:
    index = window.queue.table.currentIndex()
    incident = index.siblingAtColumn(0).data(Qt.ItemDataRole.UserRole)
    return incident.id if incident is not None else None


@pytest.mark.parametrize("gcj02", [False, True], ids=["wgs84", "gcj02"])
def test_new_incident_here_fills_in_the_grid_community_and_street(
        qtbot: Any, console: Callable[..., MainWindow], gcj02: bool) -> None:
    window = console(gcj02=gcj02, basemap="xyz" if gcj02 else "none",
                     xyz_url="http://127.0.0.1:9/{z}/{x}/{y}.png")
    view = window.map.view
    assert view is not None
    here = (30.66250, 104.09750)  # grid cell g001 of community c00, street Mengzhuiwan
    shown = to_gcj02(*here) if gcj02 else here
    point = settled_point(qtbot, view, *shown)
    with qtbot.waitSignal(window.map.view.channel.context_requested, timeout=WAIT_MS):
        click(view, point["x"], point["y"], Qt.MouseButton.RightButton)
    menu = window.map.menu
    assert menu is not None
    qtbot.waitUntil(menu.isVisible, timeout=WAIT_MS)
    action = next(a for a in menu.actions() if a.objectName() == "mapNewIncidentHere")
    assert action.text() == "New incident here"
    action.trigger()
    menu.close()

    intake = window.intake
    assert intake.located_place() == Place(grid="g001", community="c00",
                                           street="street.mengzhuiwan")
    lat, lon = (float(v) for v in intake.location.text().split(","))
    assert abs(lat - here[0]) < 3e-5 and abs(lon - here[1]) < 3e-5  # one pixel at zoom 16
    assert intake.place.text() == "Mengzhuiwan / Community c00 / g001"
    assert window.docks["intake"].isCurrentTab()


def test_an_mbtiles_file_made_here_is_served_and_drawn(
        qtbot: Any, tmp_path: Path, rules: Rules) -> None:
    mbtiles = tmp_path / "offline.mbtiles"
    assert make_mbtiles(mbtiles, TILE_RGB, range(13, 19)) > 0
    settings = map_settings(tmp_path, basemap="mbtiles", mbtiles_path=str(mbtiles),
                            layers="units,incidents")
    tiles = map_web().tiles
    served_before = tiles.served
    dock = shown_dock(qtbot, Bridge(rules), rules, settings, size=(900, 600))
    view = dock.view
    assert view is not None
    assert tiles.tiles is not None and tiles.tiles.path == mbtiles
    qtbot.waitUntil(lambda: tiles.served - served_before >= 6, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: share_of_colour(view.grab().toImage(), TILE_RGB) > 0.6,
                    timeout=WAIT_MS)
    # A tile outside the file is missing, not an error of the page.
    assert not view.map_page.errors



def test_a_unit_clicked_on_the_map_is_selected_in_the_roster_and_back(
        qtbot: Any, live_hub: HubThread, console: Callable[..., MainWindow]) -> None:
    from console.views.unit_model import UnitRole

    place_units(qtbot, live_hub, [("U1", "available", *PLACES[0]), ("U2", "busy", *PLACES[1])])
    window = console()
    view = window.map.view
    assert view is not None
    qtbot.waitUntil(lambda: ask(qtbot, view, "pointOf", "unit", "U2") is not None,
                    timeout=WAIT_MS)
    point = ask(qtbot, view, "pointOf", "unit", "U2")
    with qtbot.waitSignal(window.map.unit_selected, timeout=WAIT_MS):
        click(view, point["x"], point["y"])
    roster = window.roster
    qtbot.waitUntil(lambda: roster.tree.currentIndex().data(UnitRole) is not None
                    and roster.tree.currentIndex().data(UnitRole).id == "U2", timeout=WAIT_MS)
    # And the other way: the roster's selection rings the unit on the map.
    assert roster.select_unit("U1")
    qtbot.waitUntil(lambda: ask(qtbot, view, "state")["selection"]
                    == {"kind": "unit", "id": "U1"}, timeout=WAIT_MS)
