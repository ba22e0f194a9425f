"""The map dock: every unit, incident, boundary, camera and checkpoint on one offline map.

A toolbar (layers and filters, zoom to a street, the whole district, follow the selection,
nearest units, trail, basemap) over the :class:`~console.map.view.MapView`, with the nearest-units
and trail panels beside it. What the page draws follows the bridge's change sets through
:class:`~console.map.live.LiveLayers` (units in batches ≤ 4 a second, incidents as they change,
pins turning overdue by the clock, heat).

Clicks come back over QWebChannel: an incident → :attr:`MapDock.incident_selected` (the main
window selects it in the queue and the detail), a unit → :attr:`MapDock.unit_selected` (the
roster); a right-click opens a menu whose first entry is "New incident here"
(:attr:`MapDock.new_incident_here`, WGS-84). Selections made elsewhere arrive through
:meth:`MapDock.show_incident` and :meth:`MapDock.show_unit`; with *Follow selection* on, the map
centres on them (and keeps a selected unit in view as it moves).

The web view is made the first time the dock is shown, so a console whose map stays closed
never starts a browser engine.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QEvent, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QCursor, QGuiApplication, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QMenu,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.comms.bridge import Bridge
from console.comms.client import TrackPoint
from console.domain.incident import Incident
from console.domain.rules import Rules
from console.map.basemap_dialog import BasemapDialog
from console.map.district import load_district
from console.map.feeds import Datum, b64
from console.map.live import LiveLayers
from console.map.nearest import TravelTimes
from console.map.nearest_panel import NearestPanel
from console.map.page import PageConfig, Tiles, build_page
from console.map.settings import HEAT_HOURS, LAYERS, Basemap, MapSettings
from console.map.symbols import PRIORITIES, UNIT_STATUSES, UNIT_TYPES, palette
from console.map.trail_panel import TrailPanel
from console.map.view import MapView
from console.map.web import basemap_news, map_web
from console.ui.message import messages
from console.ui.names import (
    PRIORITY_LABELS,
    STATE_LABELS,
    DisplayNames,
    tr,
    ui_language,
    unit_status_name,
    unit_type_name,
)


class MapDock(QWidget):
    """Signals:
        incident_selected(str): an incident was clicked on the map.
        unit_selected(str): a unit was clicked on the map.
        new_incident_here(float, float): "New incident here" at lat, lon (WGS-84).
        moves_painted(int, float, bool): a batch of unit moves is on screen: its sequence
            number, seconds from sending it to hearing it was painted, whether anything was
            drawn (False while the page is hidden).
    """

    incident_selected = Signal(str)
    unit_selected = Signal(str)
    new_incident_here = Signal(float, float)
    moves_painted = Signal(int, float, bool)

    def __init__(self, bridge: Bridge, rules: Rules, settings: QSettings,
                 parent: QWidget | None = None, *, geography_dir: Path | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mapDock")
        self.bridge = bridge
        self.rules = rules
        self._qsettings = settings
        self.settings = MapSettings.load(settings)
        self.district = load_district(geography_dir or self.settings.geography_dir or None)
        self._names = DisplayNames(ui_language(), rules, bridge.replica.taxonomy)
        self._translate_words()
        self.live = LiveLayers(bridge, self._incident_label,
                               lambda c: c.name(self._names.language), self.district.checkpoints,
                               self.settings.heat_hours, self)
        self.live.datum = Datum(self.settings.gcj02)
        self.live.heat_shown = "heat" in self.settings.layers
        self.live.moves_painted.connect(self.moves_painted)
        self.live.changed.connect(self._update_buttons)
        self.units = self.live.units
        self.selection: tuple[str, str] | None = None
        self._clicked: tuple[str, str] | None = None
        self.menu: QMenu | None = None
        self.view: MapView | None = None
        self.basemap_dialog: BasemapDialog | None = None

        self._build_toolbar()
        self.nearest = NearestPanel(bridge, rules, self.live.units, TravelTimes.load(),
                                    unit_type_name, self)
        self.trail = TrailPanel(bridge, self._draw_trail, self._trail_cursor, self)
        self.nearest.hide()
        self.trail.hide()
        self.nearest.unit_chosen.connect(lambda uid: self._highlight("unit", uid, center=False))
        self.side = QWidget(self)
        side = QVBoxLayout(self.side)
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(self.nearest, 1)
        side.addWidget(self.trail)
        self.side.hide()
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.holder = QWidget(self.splitter)  # the web view goes here when first shown
        QVBoxLayout(self.holder).setContentsMargins(0, 0, 0, 0)
        self.splitter.addWidget(self.holder)
        self.splitter.addWidget(self.side)
        self.splitter.setStretchFactor(0, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(self.bar)
        layout.addWidget(self.splitter, 1)

        for panel in (self.nearest, self.trail):
            panel.installEventFilter(self)
        bridge.logged_in.connect(lambda _user: self._update_buttons())
        basemap_news().changed.connect(self._basemap_changed)
        self.live.reset()
        self.retranslate()

    # -- the toolbar --------------------------------------------------------------------------

    def _button(self, name: str, checkable: bool = False) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName(name)
        button.setCheckable(checkable)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.bar.addWidget(button)
        return button

    def _build_toolbar(self) -> None:
        self.bar = QHBoxLayout()
        self.bar.setContentsMargins(0, 0, 0, 0)
        self.layers_button = self._button("mapLayers")
        self.layers_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.layers_menu = QMenu(self)
        self.layers_button.setMenu(self.layers_menu)
        self.layer_actions: dict[str, QAction] = {}
        for name in LAYERS:
            action = self.layers_menu.addAction("")
            action.setObjectName(f"mapLayer_{name}")
            action.setCheckable(True)
            action.setChecked(name in self.settings.layers)
            action.toggled.connect(lambda on, name=name: self.set_layer(name, on))
            self.layer_actions[name] = action
        self.layers_menu.addSeparator()
        self.types_menu = self.layers_menu.addMenu("")
        self.type_actions = self._filter_actions(self.types_menu, UNIT_TYPES, "mapType")
        self.statuses_menu = self.layers_menu.addMenu("")
        self.status_actions = self._filter_actions(self.statuses_menu, UNIT_STATUSES,
                                                   "mapStatus")
        self.hours_menu = self.layers_menu.addMenu("")
        self.hours_actions: dict[int, QAction] = {}
        group = QActionGroup(self)
        for hours in HEAT_HOURS:
            action = self.hours_menu.addAction("")
            action.setCheckable(True)
            action.setChecked(hours == self.settings.heat_hours)
            action.triggered.connect(lambda _c=False, hours=hours: self.set_heat_hours(hours))
            group.addAction(action)
            self.hours_actions[hours] = action
        self.street_combo = QComboBox(self)
        self.street_combo.setObjectName("mapStreet")
        self.street_combo.activated.connect(self._street_chosen)
        self.bar.addWidget(self.street_combo)
        self.district_button = self._button("mapDistrict")
        self.district_button.clicked.connect(self.show_district)
        self.follow_button = self._button("mapFollow", checkable=True)
        self.follow_button.setChecked(self.settings.follow)
        self.follow_button.toggled.connect(self._follow)
        self.nearest_button = self._button("mapNearest")
        self.nearest_button.clicked.connect(lambda: self.show_nearest())
        self.trail_button = self._button("mapTrail")
        self.trail_button.clicked.connect(lambda: self.show_trail())
        self.bar.addStretch(1)
        self.basemap_button = self._button("mapBasemap")
        self.basemap_button.clicked.connect(self.choose_basemap)

    def _filter_actions(self, menu: QMenu, codes: tuple[Any, ...], prefix: str
                        ) -> dict[Any, QAction]:
        actions = {}
        for code in codes:
            action = menu.addAction("")
            action.setObjectName(f"{prefix}_{code.value}")
            action.setCheckable(True)
            action.setChecked(True)
            action.toggled.connect(lambda _on: self._send_unit_filter())
            actions[code] = action
        return actions

    # -- the page -----------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.view is None:
            self.view = MapView(self.holder)
            self.holder.layout().addWidget(self.view)
            self.view.page_ready.connect(self._page_ready)
            self.live.attach(self.view)
            self.view.channel.point_clicked.connect(self._point_clicked)
            self.view.channel.context_requested.connect(self._context_menu)
            map_web().guard.blocked.connect(self._blocked)
            self.reload_page()

    def page_config(self) -> PageConfig:
        """What the page is built from, with the current settings and language."""
        settings = self.settings
        tiles = None
        web = map_web()
        if settings.basemap is Basemap.XYZ and settings.xyz_url:
            tiles = Tiles(settings.xyz_url, self.tr("Tiles: agency tile server"),
                          max_native_zoom=settings.xyz_max_zoom)
            web.guard.allow_tiles_from(settings.xyz_url)
        else:
            web.guard.allow_tiles_from(None)
        if settings.basemap is Basemap.MBTILES and settings.mbtiles_path:
            try:
                info = web.tiles.set_source(settings.mbtiles_path)
            except ValueError as error:
                messages().error(self.tr("The offline map cannot be used: {error}").format(
                    error=error))
                info = None
            if info is not None:
                tiles = Tiles(web.tiles.url_template, info.attribution or info.name,
                              min_zoom=0, max_native_zoom=info.max_zoom)
        boundaries = {name: self.live.datum.geojson(data)
                      for name, data in self.district.boundaries.items()}
        bounds = self._district_bounds()
        return PageConfig(tiles=tiles, boundaries=boundaries, bounds=bounds, start={
            "palette": palette(), "labels": self._labels(), "area_names": self._area_names(),
            "visible": {name: name in settings.layers for name in LAYERS}})

    def reload_page(self) -> None:
        if self.view is not None:
            self.view.show_page(build_page(self.page_config()))

    def _district_bounds(self) -> tuple[float, float, float, float] | None:
        bounds = self.district.bounds()
        geography = self.rules.geography
        if bounds is None and geography is not None:
            b = geography.bounds
            bounds = (b.south, b.west, b.north, b.east)
        if bounds is None:
            return None
        south, west = self.live.datum.point(bounds[0], bounds[1])
        north, east = self.live.datum.point(bounds[2], bounds[3])
        return south, west, north, east

    def _page_ready(self) -> None:
        """The page (re)started: tell it everything."""
        self.live.reset()
        self._send_unit_filter()
        if self.selection is not None:
            self._highlight(*self.selection, center=self.settings.follow)
        if self.trail.points:
            self._draw_trail(self.trail.points)

    def _call(self, function: str, *args: Any) -> bool:
        return self.live.call(function, *args)

    def _send_unit_filter(self) -> None:
        self._call("setUnitFilter", [a.isChecked() for a in self.type_actions.values()],
                   [a.isChecked() for a in self.status_actions.values()])

    # -- selection ------------------------------------------------------------------------------

    def show_incident(self, incident_id: str) -> None:
        """An incident was selected elsewhere: highlight it (and centre on it when following)."""
        echo = self._clicked == ("incident", incident_id)
        self._clicked = None
        self.selection = ("incident", incident_id)
        self._highlight("incident", incident_id, center=self.settings.follow and not echo)
        if self.nearest.isVisible():
            self.nearest.show_for(incident_id)
        self._update_buttons()

    def show_unit(self, unit_id: str) -> None:
        echo = self._clicked == ("unit", unit_id)
        self._clicked = None
        self.selection = ("unit", unit_id)
        self._highlight("unit", unit_id, center=self.settings.follow and not echo)
        if self.trail.isVisible():
            self.trail.show_for(unit_id)
        self._update_buttons()

    def _highlight(self, kind: str, ident: str, *, center: bool) -> None:
        self._call("select", kind, ident, center)

    def _point_clicked(self, kind: str, ident: str) -> None:
        self._clicked = (kind, ident)
        self.selection = (kind, ident)
        self._update_buttons()
        if kind == "incident":
            self.incident_selected.emit(ident)
        elif kind == "unit":
            self.unit_selected.emit(ident)

    def _follow(self, on: bool) -> None:
        self.settings = replace(self.settings, follow=on)
        self.settings.save(self._qsettings)
        self._call("follow", on)

    def show_nearest(self, incident_id: str | None = None) -> None:
        incident_id = incident_id or (self.selection[1] if self.selection
                                      and self.selection[0] == "incident" else None)
        if incident_id is None:
            return
        self.nearest.show_for(incident_id)
        self._show_side()

    def show_trail(self, unit_id: str | None = None) -> None:
        unit_id = unit_id or (self.selection[1] if self.selection
                              and self.selection[0] == "unit" else None)
        if unit_id is None:
            return
        self.trail.show_for(unit_id)
        self._show_side()
        self.trail.load()

    def show_worker_day(self, unit_id: str, points: list[TrackPoint],
                        checkpoints: list[tuple[float, float, bool, str]]) -> None:
        """A grid worker's day (the Grid workers dock): its trail to replay, and its
        checkpoints (lat, lon, passed, name) beside it, the passed ones ticked."""
        self.trail.show_points(unit_id, points)
        self._show_side()
        self._call("patrolSet", [[*self.live.datum.point(lat, lon), passed, name]
                                 for lat, lon, passed, name in checkpoints])

    def _show_side(self) -> None:
        self.side.show()
        if self.splitter.sizes()[1] < 200:
            total = sum(self.splitter.sizes())
            self.splitter.setSizes([max(200, total - 330), 330])

    def eventFilter(self, watched: Any, event: QEvent) -> bool:
        if watched in (self.nearest, self.trail) and event.type() == QEvent.Type.Hide:
            self.side.setVisible(self.nearest.isVisibleTo(self.side)
                                 or self.trail.isVisibleTo(self.side))
        return super().eventFilter(watched, event)

    def _update_buttons(self) -> None:
        kind = self.selection[0] if self.selection else None
        self.nearest_button.setEnabled(kind == "incident")
        self.trail_button.setEnabled(kind == "unit")

    # -- trail ---------------------------------------------------------------------------------

    def _draw_trail(self, points: Any) -> None:
        if not points:
            self._call("trailClear")
            return
        lat, lon = self.live.datum.points(*_columns(points))
        self._call("trailSet", b64(lat, "<f4"), b64(lon, "<f4"))

    def _trail_cursor(self, point: TrackPoint, text: str) -> None:
        lat, lon = self.live.datum.point(point.lat, point.lon)
        self._call("trailCursor", lat, lon, point.heading, text)

    # -- places ----------------------------------------------------------------------------------

    def _context_menu(self, lat: float, lon: float, kind: str, ident: str) -> None:
        """The right-click menu at a point of the map (lat, lon in the basemap's datum)."""
        lat, lon = self.live.datum.back(lat, lon)
        menu = QMenu(self)
        menu.setObjectName("mapMenu")
        here = menu.addAction(self.tr("New incident here"))
        here.setObjectName("mapNewIncidentHere")
        here.triggered.connect(lambda: self.new_incident_here.emit(lat, lon))
        if kind == "incident":
            menu.addSeparator()
            action = menu.addAction(self.tr("Open {id}").format(id=ident))
            action.setObjectName("mapOpenIncident")
            action.triggered.connect(lambda: self._point_clicked("incident", ident))
            action = menu.addAction(self.tr("Nearest available units"))
            action.setObjectName("mapNearestUnits")
            action.triggered.connect(lambda: self.show_nearest(ident))
        elif kind == "unit":
            menu.addSeparator()
            action = menu.addAction(self.tr("Show {id} in the roster").format(id=ident))
            action.setObjectName("mapShowUnit")
            action.triggered.connect(lambda: self._point_clicked("unit", ident))
            action = menu.addAction(self.tr("Trail of {id}").format(id=ident))
            action.setObjectName("mapUnitTrail")
            action.triggered.connect(lambda: self.show_trail(ident))
        geography = self.rules.geography
        place = geography.locate(lat, lon) if geography is not None else None
        if place is not None and place.street:
            street = place.street
            action = menu.addAction(self.tr("Zoom to {street}").format(
                street=self._names.street(street)))
            action.setObjectName("mapZoomStreet")
            action.triggered.connect(lambda: self.zoom_to_street(street))
        menu.addSeparator()
        copy = menu.addAction(self.tr("Copy position ({lat:.6f}, {lon:.6f})").format(
            lat=lat, lon=lon))
        copy.setObjectName("mapCopyPosition")
        copy.triggered.connect(lambda: QGuiApplication.clipboard().setText(
            f"{lat:.6f}, {lon:.6f}"))
        if self.menu is not None:
            self.menu.deleteLater()
        self.menu = menu
        menu.popup(QCursor.pos())

    def zoom_to_street(self, code: str) -> bool:
        """Fit the map to a street; False if the map has no such street (or is not ready)."""
        if self.view is None or not self.view.ready:
            return False
        self.view.call("zoomToArea", "street", code)
        return any(f["properties"].get("code") == code for f in
                   self.district.boundaries.get("streets", {}).get("features", ()))

    def show_district(self) -> None:
        bounds = self._district_bounds()
        if bounds is not None:
            self._call("fitBounds", *bounds)

    def _street_chosen(self, index: int) -> None:
        code = self.street_combo.itemData(index)
        if code:
            self.zoom_to_street(code)
        self.street_combo.setCurrentIndex(0)

    # -- settings -------------------------------------------------------------------------------

    def set_layer(self, name: str, shown: bool) -> None:
        self.settings = self.settings.with_layer(name, shown)
        self.settings.save(self._qsettings)
        action = self.layer_actions[name]
        if action.isChecked() != shown:
            action.setChecked(shown)
        self._call("setVisible", name, shown)
        if name == "heat":
            self.live.heat_shown = shown
            self.live.send_heat()

    def set_heat_hours(self, hours: int) -> None:
        self.settings = replace(self.settings, heat_hours=hours)
        self.settings.save(self._qsettings)
        self.live.set_heat_hours(hours)
        self._call("setLabels", self._labels(), self._area_names())

    def choose_basemap(self) -> BasemapDialog:
        dialog = BasemapDialog(self.settings, self)
        dialog.accepted.connect(lambda: self.apply_settings(dialog.chosen))
        dialog.finished.connect(dialog.deleteLater)
        self.basemap_dialog = dialog
        dialog.open()
        return dialog

    def apply_settings(self, settings: MapSettings | None) -> None:
        """New basemap settings: saved, and the page is built again with them (and the maps of
        the other windows too)."""
        if settings is None:
            return
        settings.save(self._qsettings)
        basemap_news().changed.emit(settings)

    def _basemap_changed(self, settings: MapSettings) -> None:
        self.settings = replace(self.settings, basemap=settings.basemap,
                                xyz_url=settings.xyz_url, xyz_max_zoom=settings.xyz_max_zoom,
                                mbtiles_path=settings.mbtiles_path, gcj02=settings.gcj02)
        self.live.datum = Datum(settings.gcj02)
        self.reload_page()

    def _blocked(self, url: str) -> None:
        messages().warning(self.tr("The map was kept from reaching {url}: only the configured "
                                   "tile server is allowed.").format(url=url))

    # -- language -------------------------------------------------------------------------------

    def _incident_label(self, incident: Incident) -> str:
        # Called for every incident of a snapshot: the translated words are looked up once.
        parts = [incident.id, self._priority_text[incident.priority],
                 self._names.category(incident.category), self._state_text[incident.state]]
        if incident.location.address:
            parts.append(incident.location.address)
        return " · ".join(parts)

    def _labels(self) -> dict[str, Any]:
        return {
            "layers": {"streets": self.tr("Streets"), "communities": self.tr("Communities"),
                       "grid": self.tr("Grid cells"), "units": self.tr("Units"),
                       "incidents": self.tr("Incidents"), "cameras": self.tr("Cameras"),
                       "checkpoints": self.tr("Patrol checkpoints"),
                       "heat": self.tr("Heat of incidents"), "trail": self.tr("Unit trail")},
            "status": [unit_status_name(s) for s in UNIT_STATUSES],
            "type": [unit_type_name(t) for t in UNIT_TYPES],
            "priority": [tr(PRIORITY_LABELS[p]) for p in PRIORITIES],
            "incident_group": [self.tr("New"), self.tr("Accepted, assigned, in progress"),
                               self.tr("With the police"), self.tr("Resolved, to close")],
            "overdue": self.tr("Overdue"), "supervised": self.tr("Supervised"),
            "legend": self.tr("Legend"), "more": self.tr("Other layers"),
            "by_status": self.tr("status"),
            "by_type": self.tr("type"),
            "heat_legend": self.tr("Incidents, last %n hour(s)", "", self.settings.heat_hours),
        }

    def _area_names(self) -> dict[str, dict[str, str]]:
        lang = self._names.language
        names: dict[str, dict[str, str]] = {}
        for layer, level in (("streets", "street"), ("communities", "community")):
            names[layer] = {}
            for feature in self.district.boundaries.get(layer, {}).get("features", ()):
                props = feature.get("properties") or {}
                code = str(props.get("code", ""))
                name = self._names.street(code) if level == "street" \
                    else self._names.community(code)
                if name == code:  # not in the rules' geography: the file's own names
                    name = str(props.get("zh" if lang == "zh" else "en") or code)
                names[layer][code] = name
        return names

    def _translate_words(self) -> None:
        self._priority_text = {p: tr(text) for p, text in PRIORITY_LABELS.items()}
        self._state_text = {s: tr(text) for s, text in STATE_LABELS.items()}

    def retranslate(self) -> None:
        self._names = DisplayNames(ui_language(), self.rules, self.bridge.replica.taxonomy)
        self._translate_words()
        labels = self._labels()
        for name, action in self.layer_actions.items():
            action.setText(labels["layers"][name])
        self.types_menu.setTitle(self.tr("Unit types"))
        self.statuses_menu.setTitle(self.tr("Unit statuses"))
        self.hours_menu.setTitle(self.tr("Heat window"))
        for kind, text in zip(UNIT_TYPES, labels["type"], strict=True):
            self.type_actions[kind].setText(text)
        for status, text in zip(UNIT_STATUSES, labels["status"], strict=True):
            self.status_actions[status].setText(text)
        for hours, action in self.hours_actions.items():
            action.setText(self.tr("Last %n hour(s)", "", hours))
        self.layers_button.setText(self.tr("Layers"))
        self.district_button.setText(self.tr("Whole district"))
        self.follow_button.setText(self.tr("Follow selection"))
        self.follow_button.setToolTip(self.tr("Centre the map on what is selected in the queue "
                                              "or the roster, and keep a unit in view"))
        self.nearest_button.setText(self.tr("Nearest units"))
        self.nearest_button.setToolTip(self.tr("The available units nearest the selected "
                                               "incident, with their ETA"))
        self.trail_button.setText(self.tr("Trail"))
        self.trail_button.setToolTip(self.tr("Where the selected unit went"))
        self.basemap_button.setText(self.tr("Basemap…"))
        self.street_combo.clear()
        self.street_combo.addItem(self.tr("Zoom to a street…"), None)
        areas = self._area_names()["streets"]
        for code in sorted(areas, key=lambda c: (areas[c], c)):
            self.street_combo.addItem(areas[code], code)
        self._call("setLabels", labels, self._area_names())
        if self.view is not None and self.view.ready:
            self.live.resend_incidents()
            self.live.send_checkpoints()
        self._update_buttons()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def _columns(points: Any) -> tuple[Any, Any]:
    return (np.array([p.lat for p in points], dtype=np.float64),
            np.array([p.lon for p in points], dtype=np.float64))

