"""The map dock against a real hub and a real page: units arriving and moving, nearest units and a
dispatch from that list, a unit's trail with playback, zooming to a street, layers and legend,
an XYZ tile server on this machine, the request guard, and the Chinese labels."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from console.comms.bridge import Bridge
from console.domain.rules import Rules
from console.map.web import map_web
from console.ui.times import time_text
from console.views.i18n import Translations
from tests.hub.conftest import Client, HubThread
from tests.map.helpers import (
    WAIT_MS,
    ask,
    map_settings,
    place_units,
    run_js,
    share_of_colour,
    shown_dock,
    tile_png,
)
from tests.views import live
from tests.views.live import HERE, create

live_hub = live.live_hub
bridge_as = live.bridge_as

NEAR = (HERE[0] + 0.001, HERE[1])   # 111 m north of the incidents
FAR = (HERE[0] + 0.002, HERE[1] + 0.004)


@pytest.fixture
def field(live_hub: HubThread) -> Iterator[Client]:
    client = Client(live_hub.port, "/field")
    client.login("gateway")
    yield client
    client.close()


def report(field: Client, rows: list[list[Any]]) -> None:
    field.send({"type": "positions", "units": rows})
    field.send({"type": "ping", "id": "sent"})
    field.until("pong")


def test_units_arrive_and_move_in_batches(
        qtbot: Any, tmp_path: Path, rules: Rules, live_hub: HubThread,
        bridge_as: Callable[[str], Bridge], field: Client) -> None:
    place_units(qtbot, live_hub, [("U1", "available", *NEAR), ("U2", "busy", *FAR)])
    bridge = bridge_as("ctl")
    dock = shown_dock(qtbot, bridge, rules, map_settings(tmp_path))
    view = dock.view
    assert view is not None
    qtbot.waitUntil(lambda: ask(qtbot, view, "state")["counts"]["units"] == 2, timeout=WAIT_MS)
    before = ask(qtbot, view, "pointOf", "unit", "U1")

    with qtbot.waitSignal(dock.moves_painted, timeout=WAIT_MS) as painted:
        report(field, [["U1", NEAR[0] + 0.002, NEAR[1], 0.0, 1.0]])
    assert painted.args[0] >= 1 and painted.args[1] < 5.0 and painted.args[2] is True
    after = ask(qtbot, view, "pointOf", "unit", "U1")
    assert after["y"] < before["y"] - 5  # moved north on screen
    assert dock.units.position("U1") == pytest.approx((NEAR[0] + 0.002, NEAR[1]))

    # A unit registered later joins the map; a status change restyles it.
    place_units(qtbot, live_hub, [("U3", "off_duty", *FAR)])
    qtbot.waitUntil(lambda: ask(qtbot, view, "state")["counts"]["units"] == 3, timeout=WAIT_MS)
    # The roster's selection highlights the unit and the map keeps it in view.
    dock.show_unit("U3")
    qtbot.waitUntil(lambda: ask(qtbot, view, "state")["selected"]["units"] == 2,
                    timeout=WAIT_MS)
    assert not view.map_page.errors
    # Its renderer draws below the console's priority, every thread of it (Chromium sets
    # some of its own): the GUI thread goes first.
    renderer = view.map_page.renderProcessPid()
    assert renderer > 0
    gui = os.getpriority(os.PRIO_PROCESS, 0)
    qtbot.waitUntil(lambda: all(
        os.getpriority(os.PRIO_PROCESS, int(t)) >= gui + 5
        for t in os.listdir(f"/proc/{renderer}/task")), timeout=7_000)


def test_nearest_available_units_with_eta_and_a_dispatch_from_the_list(
        qtbot: Any, tmp_path: Path, rules: Rules, live_hub: HubThread,
        bridge_as: Callable[[str], Bridge]) -> None:
    place_units(qtbot, live_hub, [("U1", "available", *FAR), ("U2", "available", *NEAR),
                                  ("U3", "busy", *HERE)])
    bridge = bridge_as("ctl")
    iid = create(qtbot, bridge)
    live.submit(qtbot, bridge, "incident.accept", {"id": iid})
    dock = shown_dock(qtbot, bridge, rules, map_settings(tmp_path))
    qtbot.waitUntil(lambda: dock.units.position("U3") is not None, timeout=WAIT_MS)
    dock.show_incident(iid)
    assert dock.nearest_button.isEnabled()
    dock.show_nearest()
    panel = dock.nearest
    assert panel.isVisible() and dock.side.isVisible()
    assert [row.unit_id for row in panel.rows] == ["U2", "U1"]  # the busy one is not offered
    near, far = panel.rows
    assert near.distance_m == pytest.approx(111, abs=2)
    assert panel.units.topLevelItem(0).text(4) == "111 m"  # ETA first, distance last
    assert panel.units.topLevelItem(0).text(0) == f"{round(near.eta_s / 60)} min"
    assert far.eta_s > near.eta_s
    assert panel.chosen_unit() == "U2"
    qtbot.waitUntil(panel.dispatch_button.isEnabled, timeout=WAIT_MS)

    with qtbot.waitSignal(panel.dispatched, timeout=WAIT_MS) as dispatched:
        assert panel.dispatch()
    assert dispatched.args == [iid, "U2"]
    qtbot.waitUntil(lambda: [a.unit for a in bridge.replica.incidents[iid].assignments]
                    == ["U2"], timeout=WAIT_MS)
    # U2 is no longer available: the list moves on to U1.
    qtbot.waitUntil(lambda: [row.unit_id for row in panel.rows] == ["U1"], timeout=WAIT_MS)


def test_a_viewer_may_not_dispatch_from_the_list(
        qtbot: Any, tmp_path: Path, rules: Rules, live_hub: HubThread,
        bridge_as: Callable[[str], Bridge]) -> None:
    place_units(qtbot, live_hub, [("U1", "available", *NEAR)])
    iid = create(qtbot, bridge_as("ctl"))
    viewer = bridge_as("viewer")
    qtbot.waitUntil(lambda: iid in viewer.replica.incidents, timeout=WAIT_MS)
    dock = shown_dock(qtbot, viewer, rules, map_settings(tmp_path))
    dock.show_nearest(iid)
    assert [row.unit_id for row in dock.nearest.rows] == ["U1"]
    assert not dock.nearest.dispatch_button.isEnabled()
    assert "viewer" in dock.nearest.dispatch_button.toolTip()
    assert not dock.nearest.dispatch()


def test_a_units_trail_is_drawn_and_played_back(
        qtbot: Any, tmp_path: Path, rules: Rules, live_hub: HubThread,
        bridge_as: Callable[[str], Bridge], field: Client) -> None:
    place_units(qtbot, live_hub, [("U1", "available", *HERE)])
    bridge = bridge_as("ctl")
    steps = [(HERE[0] + 0.0005 * k, HERE[1] + 0.0003 * k) for k in range(1, 5)]
    for lat, lon in steps:  # each fix seen by the console before the next is sent
        report(field, [["U1", lat, lon, 45.0, 1.2]])
        qtbot.waitUntil(lambda lat=lat: getattr(bridge.replica.positions.get("U1"), "lat",
                                                None) == lat, timeout=WAIT_MS)
    since = datetime.now(UTC) - timedelta(hours=1)
    qtbot.waitUntil(lambda: len(live_hub.store.positions.track(
        "U1", since, datetime.now(UTC))) >= 5, timeout=WAIT_MS)
    dock = shown_dock(qtbot, bridge, rules, map_settings(tmp_path))
    view = dock.view
    assert view is not None
    dock.show_unit("U1")
    assert dock.trail_button.isEnabled()
    with qtbot.waitSignal(dock.trail.loaded, timeout=WAIT_MS) as loaded:
        dock.show_trail()
    assert loaded.args[0] >= 5
    assert dock.trail.points[-1].lat == pytest.approx(steps[-1][0])
    state = ask(qtbot, view, "state")
    assert state["visible"]["trail"] and state["trail"] >= 3  # the line and its two ends
    # Scrubbing moves the cursor to that fix, with its time.
    dock.trail.slider.setValue(0)
    assert dock.trail.time_label.text() == time_text(dock.trail.points[0].at,
                                                               "%H:%M:%S")
    dock.trail.play_button.setChecked(True)
    qtbot.waitUntil(lambda: not dock.trail.play_button.isChecked(), timeout=WAIT_MS)
    assert dock.trail.slider.value() == len(dock.trail.points) - 1
    dock.trail.close_panel()
    qtbot.waitUntil(lambda: ask(qtbot, view, "state")["trail"] == 0, timeout=WAIT_MS)


def test_zoom_to_a_street_layers_legend_and_filters(
        qtbot: Any, tmp_path: Path, rules: Rules) -> None:
    dock = shown_dock(qtbot, Bridge(rules), rules, map_settings(tmp_path), size=(900, 700))
    view = dock.view
    assert view is not None
    assert [dock.street_combo.itemText(i) for i in range(dock.street_combo.count())] == [
        "Zoom to a street…", "Mengzhuiwan", "Shuangqiaozi"]
    assert dock.zoom_to_street("street.shuangqiaozi")
    west, south, east, north = (float(v) for v in ask(qtbot, view, "state")["bounds"]
                                .split(","))
    assert west < 104.10 < 104.11 < east and south < 30.66 < 30.67 < north
    assert east - west < 0.03  # the street, not the district
    assert not dock.zoom_to_street("street.nowhere")

    legend = ask(qtbot, view, "state")["legend"]
    assert "Legend" in legend and "Cameras" not in legend
    run_js(qtbot, view, "document.querySelector('.linkage-legend-head').click() || 1")
    dock.layer_actions["cameras"].setChecked(True)
    state = ask(qtbot, view, "state")
    assert state["visible"]["cameras"] and "Cameras" in state["legend"]
    assert "Grid worker" in state["legend"] and "Overdue" in state["legend"]
    assert "cameras" in dock.settings.layers
    dock.layer_actions["units"].setChecked(False)
    assert not ask(qtbot, view, "state")["visible"]["units"]
    assert "units" not in dock.settings.layers
    dock.set_heat_hours(3)
    assert dock.live.heat.hours == 3 and dock.settings.heat_hours == 3


def test_xyz_tiles_from_a_server_on_this_machine_and_nothing_else(
        qtbot: Any, tmp_path: Path, rules: Rules) -> None:
    png = tile_png((20, 200, 240))

    class Tiles(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(png)))
            self.end_headers()
            self.wfile.write(png)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/tiles/{{z}}/{{x}}/{{y}}.png"
        dock = shown_dock(qtbot, Bridge(rules), rules,
                          map_settings(tmp_path, basemap="xyz", xyz_url=url,
                                       layers="units,incidents"), size=(800, 600))
        view = dock.view
        assert view is not None
        qtbot.waitUntil(lambda: share_of_colour(view.grab().toImage(), (20, 200, 240)) > 0.6,
                        timeout=WAIT_MS)
        # Any other address is refused before it leaves the page (another loopback address
        # here, so that nothing would leave this machine even if it were not).
        with qtbot.waitSignal(map_web().guard.blocked, timeout=WAIT_MS) as blocked:
            run_js(qtbot, view, "(new Image().src = 'http://127.0.0.2:9/cdn/leaflet.js') && 1")
        assert blocked.args == ["http://127.0.0.2:9/cdn/leaflet.js"]
    finally:
        server.shutdown()
        server.server_close()


def test_the_map_speaks_chinese(qtbot: Any, tmp_path: Path, rules: Rules) -> None:
    translations = Translations()
    dock = shown_dock(qtbot, Bridge(rules), rules, map_settings(tmp_path), size=(1000, 700))
    view = dock.view
    assert view is not None
    try:
        translations.apply("zh_CN")
        qtbot.waitUntil(lambda: dock.layers_button.text() == "图层", timeout=WAIT_MS)
        assert dock.layer_actions["checkpoints"].text() == "巡更点"
        assert {dock.street_combo.itemText(i) for i in (1, 2)} == {"猛追湾", "双桥子"}
        state = ask(qtbot, view, "state")
        assert "图例" in state["legend"] and "超时" in state["legend"]
        # One scale bar, metric: metres or kilometres, never miles or feet.
        assert re.fullmatch(r"\d+ k?m", state["scale"]), state["scale"]
    finally:
        translations.apply("en")
    qtbot.waitUntil(lambda: dock.layers_button.text() == "Layers", timeout=WAIT_MS)


def test_the_basemap_dialog_checks_what_it_is_given_and_the_page_follows(
        qtbot: Any, tmp_path: Path, rules: Rules) -> None:
    from console.map.settings import Basemap, MapSettings
    from tests.map.helpers import make_mbtiles

    settings = map_settings(tmp_path)
    dock = shown_dock(qtbot, Bridge(rules), rules, settings, size=(800, 600))
    dialog = dock.choose_basemap()
    dialog.xyz.setChecked(True)
    dialog.url.setText("tiles.gov.local/{z}/{x}/{y}.png")
    dialog.accept()
    assert dialog.isVisible() and "http://" in dialog.error.text()
    dialog.url.setText("http://tiles.gov.local/{z}/{x}.png")
    dialog.accept()
    assert "{z}, {x} and {y}" in dialog.error.text()
    dialog.mbtiles.setChecked(True)
    vector = tmp_path / "vector.mbtiles"
    make_mbtiles(vector, (0, 0, 0), [12], tile_format="pbf")
    dialog.path.setText(str(vector))
    dialog.accept()
    assert "raster tiles" in dialog.error.text()

    raster = tmp_path / "raster.mbtiles"
    make_mbtiles(raster, (230, 30, 200), range(13, 18))
    dialog.path.setText(str(raster))
    dialog.gcj02.setChecked(True)
    view = dock.view
    assert view is not None
    with qtbot.waitSignal(view.page_ready, timeout=WAIT_MS):
        dialog.accept()  # the page is built again, with the tiles and the shift
    saved = MapSettings.load(settings)
    assert saved.basemap is Basemap.MBTILES and saved.mbtiles_path == str(raster)
    assert saved.gcj02 and dock.live.datum.shifted
    qtbot.waitUntil(lambda: share_of_colour(view.grab().toImage(), (230, 30, 200)) > 0.3,
                    timeout=WAIT_MS)


def test_positions_go_to_the_page_in_batches_at_most_four_a_second(
        qtbot: Any, tmp_path: Path, rules: Rules) -> None:
    import itertools
    import time

    from PySide6.QtCore import QTimer

    from console.comms.replica import ChangeSet
    from console.domain.units import Position
    from tests.views.conftest import new_unit

    bridge = Bridge(rules)
    units = {f"U{n}": new_unit(f"U{n}") for n in range(500)}
    bridge._on_delivered(bridge._generation, ChangeSet(seq=1, reset=True, units=units))
    dock = shown_dock(qtbot, bridge, rules, map_settings(tmp_path), size=(800, 600))
    view = dock.view
    assert view is not None
    calls: list[tuple[float, str]] = []
    original = view.call

    def spy(function: str, *args: Any) -> bool:
        calls.append((time.monotonic(), function))
        return original(function, *args)

    view.call = spy  # type: ignore[method-assign]
    painted: list[int] = []
    dock.moves_painted.connect(lambda seq, _s, _d: painted.append(seq))
    started = time.monotonic()
    step = [0]

    def deliver() -> None:  # 40 change sets of every unit, one every 25 ms (the client's most)
        step[0] += 1
        at = datetime.now(UTC)
        bridge._on_delivered(bridge._generation, ChangeSet(seq=1 + step[0], positions={
            uid: Position(30.66 + 0.00001 * step[0], 104.09 + n * 0.00004, 0.0, 1.0, at)
            for n, uid in enumerate(units)}))

    pace = QTimer(interval=25)
    pace.timeout.connect(lambda: deliver() if step[0] < 40 else pace.stop())
    pace.start()
    qtbot.waitUntil(lambda: step[0] == 40, timeout=WAIT_MS)
    elapsed = time.monotonic() - started
    qtbot.waitUntil(lambda: dock.units.pending == 0 and not dock.live._in_flight,
                    timeout=WAIT_MS)
    moves = [at for at, function in calls if function == "unitsMove"]
    assert 2 <= len(moves) <= 1 + 4 * (elapsed + 1)  # one call per batch, ≤ 4 a second
    assert all(b - a >= 0.24 for a, b in itertools.pairwise(moves))
    assert len(calls) == len(moves)  # nothing else, and never a call per unit
    assert dock.units.position("U499") == pytest.approx((30.66 + 0.0004, 104.09 + 499 * 4e-5))


def test_removing_points_keeps_the_right_one_selected(
        qtbot: Any, tmp_path: Path, rules: Rules) -> None:
    dock = shown_dock(qtbot, Bridge(rules), rules, map_settings(tmp_path), size=(800, 600))
    view = dock.view
    assert view is not None
    rows = [[f"I{n}", 30.661 + n * 0.001, 104.095, 2, f"I{n}"] for n in range(4)]
    view.call("incidentsReset", rows)
    view.call("select", "incident", "I3", False)
    view.call("incidentsRemove", ["I1"])  # I3 moves into I1's place and stays selected
    state = ask(qtbot, view, "state")
    assert state["counts"]["incidents"] == 3
    assert state["selected"]["incidents"] == 1
    assert ask(qtbot, view, "pointOf", "incident", "I3") is not None
    view.call("incidentsRemove", ["I3"])  # the selected one goes: nothing is selected
    state = ask(qtbot, view, "state")
    assert state["counts"]["incidents"] == 2 and state["selected"]["incidents"] == -1
    assert ask(qtbot, view, "pointOf", "incident", "I1") is None


def test_a_new_basemap_reaches_the_map_of_every_window(
        qtbot: Any, tmp_path: Path, rules: Rules) -> None:
    from dataclasses import replace

    from console.map.settings import Basemap
    from tests.map.helpers import make_mbtiles

    settings = map_settings(tmp_path)
    first = shown_dock(qtbot, Bridge(rules), rules, settings, size=(600, 400))
    second = shown_dock(qtbot, Bridge(rules), rules, settings, size=(600, 400))
    raster = tmp_path / "shared.mbtiles"
    make_mbtiles(raster, (230, 30, 200), range(13, 18))
    assert second.view is not None
    with qtbot.waitSignal(second.view.page_ready, timeout=WAIT_MS):
        first.apply_settings(replace(first.settings, basemap=Basemap.MBTILES,
                                     mbtiles_path=str(raster)))
    assert second.settings.basemap is Basemap.MBTILES
    for dock in (first, second):
        view = dock.view
        assert view is not None
        qtbot.waitUntil(lambda view=view: share_of_colour(view.grab().toImage(),
                                                          (230, 30, 200)) > 0.3,
                        timeout=WAIT_MS)
