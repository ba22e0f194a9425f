"""The video wall dock: 1, 4 or 9 camera tiles, a camera list to drag from, cameras near a place.

A camera is put on a tile by dragging it from the list (or from anything else that drags
:data:`~console.views.video_tile.MIME_TYPE` with the camera id, as the map may), by
double-clicking it, or by *Cameras near the incident*, which fills the tiles with the cameras
nearest the incident, nearest first. *Snapshot* takes a tile's current picture: it is saved as a
PNG under the user's data directory and, when the wall has an incident, noted on that incident
(``incident.note``; the protocol carries no attachments yet, so the note says which workstation
holds the file).

The tiles (:mod:`console.views.video_tile`) show their streams, whose players run in the video
thread (:mod:`console.views.video_stream`): the wall makes its host there with the first stream
and passes the host's news on to the tile it is about. Streams run only while the wall is on
screen: a wall in a background tab or closed costs nothing.
"""

from __future__ import annotations

import contextlib
import math
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QEvent,
    QMimeData,
    QObject,
    QStandardPaths,
    QSysInfo,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QHideEvent, QImage, QShowEvent
from PySide6.QtMultimedia import QVideoFrame, QVideoSink
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.comms.bridge import Bridge
from console.comms.client import CommandResult
from console.comms.clock import hub_clock
from console.comms.replica import ChangeSet
from console.domain.distance import distance_m
from console.domain.rules import Rules
from console.ui.message import messages
from console.ui.names import DisplayNames, ui_language
from console.ui.text import result_text
from console.ui.times import local
from console.views.video_stream import RetryPolicy, StreamHost, new_host
from console.views.video_tile import MIME_TYPE, VideoTile, camera_mime

CONTEXT = "VideoWall"
translate = QCoreApplication.translate  # the name pyside6-lupdate looks for

LAYOUTS = (1, 4, 9)
_NOTE = QT_TRANSLATE_NOOP(
    "VideoWall", "Snapshot of camera {name} ({id}) taken at {time}; the picture is on "
    "workstation {host}: {file}")


def _tr(text: str) -> str:
    return translate(CONTEXT, text)


# -- cameras near a place -----------------------------------------------------------------------


def nearest_cameras(cameras: Iterable[Mapping[str, Any]], lat: float, lon: float, count: int
                    ) -> list[tuple[Mapping[str, Any], float]]:
    """The ``count`` cameras nearest ``lat, lon`` with their distances, nearest first (ties by
    id); cameras without a usable position are left out."""
    ranked = []
    for camera in cameras:
        try:
            metres = distance_m(lat, lon, float(camera["lat"]), float(camera["lon"]))
        except (KeyError, TypeError, ValueError):
            continue
        ranked.append((metres, str(camera["id"]), camera))
    ranked.sort(key=lambda r: (r[0], r[1]))
    return [(camera, metres) for metres, _, camera in ranked[:max(0, count)]]


# -- the camera list ----------------------------------------------------------------------------


class CameraList(QListWidget):
    """The cameras, each draggable onto a tile as :data:`MIME_TYPE`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("videoCameras")
        self.setDragEnabled(True)
        self.setDragDropMode(QListWidget.DragDropMode.DragOnly)

    def mimeTypes(self) -> list[str]:
        return [MIME_TYPE]

    def mimeData(self, items: Sequence[QListWidgetItem]) -> QMimeData:
        return camera_mime(str(items[0].data(Qt.ItemDataRole.UserRole)) if items else "")


# -- the dock -----------------------------------------------------------------------------------


class VideoWallDock(QWidget):
    """The video wall: a layout chooser, the camera list and the tiles.

    Args:
        bridge: the console's bridge (its replica's cameras and incidents; notes go through it).
        rules: for street names.
        policy: timeouts and retry pauses.
        snapshot_dir: where snapshots are saved (default: the user's data directory's
            ``snapshots``).

    Signals:
        snapshot_taken(str, QImage): a tile's picture was taken (camera id, picture).
        snapshot_saved(str, str): camera id and the PNG's path, once written.
        snapshot_noted(str, str): incident id and the PNG's path, once the hub took the note.
    """

    snapshot_taken = Signal(str, QImage)
    snapshot_saved = Signal(str, str)
    snapshot_noted = Signal(str, str)
    _open = Signal(int, int, str)
    _close = Signal(int)
    _written = Signal(str, bool)

    def __init__(self, bridge: Bridge, rules: Rules, parent: QWidget | None = None, *,
                 policy: RetryPolicy | None = None, snapshot_dir: Path | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("videoWall")
        self.bridge = bridge
        self.rules = rules
        self.policy = policy or RetryPolicy()
        self.snapshot_dir = snapshot_dir
        self.incident_id: str | None = None
        self._names = DisplayNames(ui_language(), rules)
        self._pending: list[str | None] = []  # cameras of a restored layout not yet in the replica
        self._snapshots: dict[str, tuple[Mapping[str, Any], Any, str | None]] = {}

        #: The wall's players, in the video thread; made with the first stream, so a wall that
        #: is never on screen starts neither the thread nor the multimedia backend.
        self.host: StreamHost | None = None
        self._written.connect(self._on_written)

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        self.layout_label = QLabel(self)
        bar.addWidget(self.layout_label)
        self.layout_buttons = QButtonGroup(self)
        for n in LAYOUTS:
            button = QToolButton(self)
            button.setObjectName(f"videoLayout{n}")
            button.setText(str(n))
            button.setCheckable(True)
            self.layout_buttons.addButton(button, n)
            bar.addWidget(button)
        self.layout_buttons.idClicked.connect(self.set_layout)
        self.near_button = QToolButton(self)
        self.near_button.setObjectName("videoNear")
        self.near_button.clicked.connect(lambda: self.show_near_incident(self.incident_id))
        bar.addWidget(self.near_button)
        self.incident_label = QLabel(self)
        bar.addWidget(self.incident_label)
        bar.addStretch(1)

        side = QWidget(self)
        column = QVBoxLayout(side)
        column.setContentsMargins(0, 0, 0, 0)
        self.filter = QLineEdit(side)
        self.filter.setObjectName("videoFilter")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._apply_filter)
        self.cameras = CameraList(side)
        self.cameras.itemActivated.connect(
            lambda item: self.show_camera(str(item.data(Qt.ItemDataRole.UserRole))))
        column.addWidget(self.filter)
        column.addWidget(self.cameras, 1)
        self.wall = QWidget(self)
        self.grid = QGridLayout(self.wall)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(2)
        self.all_tiles: list[VideoTile] = []
        self.count = 0
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(side)
        splitter.addWidget(self.wall)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([200, 800])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)

        self._watchdog = QTimer(self)
        self._watchdog.setInterval(250)
        self._watchdog.timeout.connect(self._check)
        bridge.changed.connect(self._on_changed)
        self.set_layout(4)
        self._fill_list()
        self.set_incident(None)
        self.retranslate()

    # -- public ---------------------------------------------------------------------------

    @property
    def tiles(self) -> list[VideoTile]:
        """The tiles of the current layout, in reading order."""
        return self.all_tiles[:self.count]

    def camera(self, camera_id: str) -> Mapping[str, Any] | None:
        return next((c for c in self.bridge.replica.cameras if str(c.get("id")) == camera_id),
                    None)

    def set_layout(self, count: int) -> None:
        """Show ``count`` tiles (1, 4 or 9); the tiles dropped lose their cameras."""
        if count not in LAYOUTS:
            raise ValueError(f"a video wall has 1, 4 or 9 tiles, not {count}")
        while len(self.all_tiles) < count:
            tile = VideoTile(len(self.all_tiles), self._open_stream, self._close.emit,
                             self.policy, self.wall)
            tile.camera_dropped.connect(lambda cid, t=tile: self.show_camera(cid, t.key))
            tile.snapshot_requested.connect(lambda t=tile: self.take_snapshot(t))
            self.all_tiles.append(tile)
        for tile in self.all_tiles:
            self.grid.removeWidget(tile)
        side = math.isqrt(count)
        for n, tile in enumerate(self.all_tiles):
            if n < count:
                self.grid.addWidget(tile, n // side, n % side)
                tile.show()
                tile.set_active(self.isVisible())
            else:
                tile.assign(None)
                tile.hide()
        for n in range(3):
            self.grid.setRowStretch(n, 1 if n < side else 0)
            self.grid.setColumnStretch(n, 1 if n < side else 0)
        self.count = count
        self.layout_buttons.button(count).setChecked(True)

    def show_camera(self, camera_id: str, index: int | None = None) -> VideoTile | None:
        """Put a camera on tile ``index`` (default: the first free tile, else the first)."""
        camera = self.camera(camera_id)
        if camera is None:
            messages().warning(
                translate("VideoWall", "There is no camera {id}.").format(id=camera_id))
            return None
        if index is None:
            index = next((t.key for t in self.tiles if t.camera is None), 0)
        tile = self.tiles[index]
        tile.assign(camera)
        return tile

    def show_near(self, lat: float, lon: float) -> list[str]:
        """Fill the tiles with the cameras nearest ``lat, lon``, nearest first; their ids."""
        near = nearest_cameras(self.bridge.replica.cameras, lat, lon, self.count)
        for n, tile in enumerate(self.tiles):
            if n < len(near):
                tile.assign(*near[n])
            else:
                tile.assign(None)
        return [str(camera["id"]) for camera, _ in near]

    def show_near_incident(self, incident_id: str | None) -> list[str]:
        """*Cameras near the incident*: fill the wall around it; it becomes the wall's incident."""
        incident = self.bridge.replica.incidents.get(incident_id or "")
        if incident is None:
            messages().warning(translate("VideoWall", "Choose an incident first."))
            return []
        self.set_incident(incident.id)
        ids = self.show_near(incident.location.lat, incident.location.lon)
        if not ids:
            messages().warning(translate("VideoWall", "No cameras are known to this console."))
        return ids

    def set_incident(self, incident_id: str | None) -> None:
        """The incident snapshots are noted on, and *Cameras near the incident* looks around."""
        self.incident_id = incident_id or None
        self.near_button.setEnabled(self.incident_id is not None)
        self.incident_label.setText(self.incident_id or "")

    def take_snapshot(self, tile: VideoTile) -> QImage | None:
        """Take ``tile``'s picture: emit it, save it, and note it on the wall's incident."""
        image = tile.picture()
        if image is None or tile.camera is None:
            messages().warning(translate("VideoWall", "This tile has no picture yet."))
            return None
        camera = tile.camera
        camera_id = str(camera.get("id"))
        self.snapshot_taken.emit(camera_id, image)
        at = hub_clock.now()
        folder = self.snapshot_dir or Path(QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.AppDataLocation)) / "snapshots"
        safe = re.sub(r"[^\w.-]", "_", camera_id)
        path = str(folder / f"{safe}_{local(at):%Y%m%d-%H%M%S-%f}.png")
        self._snapshots[path] = (camera, at, self.incident_id)
        # Encoding a PNG of a large picture takes a while: on a pool thread, not this one.
        QThreadPool.globalInstance().start(lambda: self._write(image, path))
        return image

    def settings(self) -> dict[str, Any]:
        """What a saved layout keeps of the wall."""
        return {"tiles": self.count,
                "cameras": [t.camera.get("id") if t.camera else None for t in self.tiles]}

    def restore(self, state: Mapping[str, Any]) -> None:
        count = state.get("tiles")
        self.set_layout(count if count in LAYOUTS else 4)
        self._pending = [c if isinstance(c, str) else None
                         for c in state.get("cameras", [])][:self.count]
        self._assign_pending()

    # -- the video thread -------------------------------------------------------------------

    def _open_stream(self, key: int, attempt: int, url: str) -> None:
        if self.host is None:
            self.host = host = new_host()
            self._open.connect(host.open)
            self._close.connect(host.close)
            host.opened.connect(self._on_opened)
            host.frame.connect(self._on_frame)
            host.status.connect(self._on_status)
            host.failed.connect(self._on_failed)
            self.destroyed.connect(host.deleteLater)  # its players go with it, in their thread
        self._open.emit(key, attempt, url)

    @Slot(int, int, QObject)
    def _on_opened(self, key: int, attempt: int, sink: QObject) -> None:
        if key < len(self.all_tiles) and isinstance(sink, QVideoSink):
            self.all_tiles[key].on_opened(attempt, sink)

    @Slot(int, int, QVideoFrame)
    def _on_frame(self, key: int, attempt: int, frame: QVideoFrame) -> None:
        if key < len(self.all_tiles):
            self.all_tiles[key].on_frame(attempt, frame)

    @Slot(int, int, int)
    def _on_status(self, key: int, attempt: int, status: int) -> None:
        if key < len(self.all_tiles):
            self.all_tiles[key].on_status(attempt, status)

    @Slot(int, int, str)
    def _on_failed(self, key: int, attempt: int, text: str) -> None:
        if key < len(self.all_tiles):
            self.all_tiles[key].on_failed(attempt, text)

    def _check(self) -> None:
        now = time.monotonic()
        for tile in self.tiles:
            tile.check(now)

    # -- snapshots --------------------------------------------------------------------------

    def _write(self, image: QImage, path: str) -> None:
        """On a pool thread."""
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        ok = image.save(path, "PNG")
        with contextlib.suppress(RuntimeError):  # the wall was closed meanwhile
            self._written.emit(path, ok)

    @Slot(str, bool)
    def _on_written(self, path: str, ok: bool) -> None:
        camera, at, incident_id = self._snapshots.pop(path, (None, None, None))
        if camera is None:
            return
        if not ok:
            messages().error(translate(
                "VideoWall", "The snapshot could not be saved as {file}.").format(file=path))
            return
        self.snapshot_saved.emit(str(camera.get("id")), path)
        if incident_id is None:
            messages().info(translate("VideoWall", "Snapshot saved as {file}.").format(file=path))
            return
        text = _tr(_NOTE).format(name=camera.get("name", ""), id=camera.get("id"),
                                 time=f"{local(at):%Y-%m-%d %H:%M:%S}",
                                 host=QSysInfo.machineHostName(), file=path)
        self.bridge.submit("incident.note", {"id": incident_id, "text": text},
                           callback=lambda result: self._noted(incident_id, path, result))

    def _noted(self, incident_id: str, path: str, result: CommandResult) -> None:
        if result.ok:
            messages().info(
                translate("VideoWall", "Snapshot noted on {id}.").format(id=incident_id))
            if shiboken6.isValid(self):
                self.snapshot_noted.emit(incident_id, path)
        else:
            messages().error(translate(
                "VideoWall", "The snapshot was saved as {file} but not noted on {id}: {reason}"
            ).format(file=path, id=incident_id, reason=result_text(result)))

    # -- the camera list --------------------------------------------------------------------

    def _on_changed(self, change: ChangeSet) -> None:
        if change.cameras is None and not change.reset:
            return
        self._fill_list()
        for tile in self.tiles:  # a camera moved to another address, or gone
            if tile.camera is not None:
                tile.assign(self.camera(str(tile.camera.get("id"))), tile.distance)
        self._assign_pending()

    def _assign_pending(self) -> None:
        if not self._pending or not self.bridge.replica.cameras:
            return
        pending, self._pending = self._pending, []
        for n, camera_id in enumerate(pending):
            camera = self.camera(camera_id) if camera_id else None
            if camera is not None and n < self.count:
                self.tiles[n].assign(camera)

    def _fill_list(self) -> None:
        self.cameras.clear()
        for camera in sorted(self.bridge.replica.cameras, key=lambda c: str(c.get("id"))):
            camera_id = str(camera.get("id"))
            item = QListWidgetItem(f"{camera_id}  {camera.get('name', '')}", self.cameras)
            item.setData(Qt.ItemDataRole.UserRole, camera_id)
            street = self._names.street(str(camera["street"])) if camera.get("street") else ""
            item.setToolTip(" · ".join(p for p in (street, str(camera.get("grid") or "")) if p))
        self._apply_filter()

    def _apply_filter(self) -> None:
        words = self.filter.text().casefold().split()
        for row in range(self.cameras.count()):
            item = self.cameras.item(row)
            haystack = f"{item.text()} {item.toolTip()}".casefold()
            item.setHidden(not all(w in haystack for w in words))

    # -- on screen or not -------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._watchdog.start()
        for tile in self.tiles:
            tile.set_active(True)

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._watchdog.stop()
        for tile in self.all_tiles:
            tile.set_active(False)

    def shutdown(self) -> None:
        """Stop every stream now (the window closes)."""
        for tile in self.all_tiles:
            tile.set_active(False)

    # -- text -------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self._names = DisplayNames(ui_language(), self.rules)
        self.layout_label.setText(translate("VideoWall", "Tiles:"))
        for n in LAYOUTS:
            self.layout_buttons.button(n).setToolTip(
                translate("VideoWall", "{n} tiles").format(n=n))
        self.near_button.setText(translate("VideoWall", "Cameras near the incident"))
        self.near_button.setToolTip(translate(
            "VideoWall", "Fill the wall with the cameras nearest the incident"))
        self.filter.setPlaceholderText(translate("VideoWall", "Filter cameras"))
        self.cameras.setToolTip(translate(
            "VideoWall", "Drag a camera onto a tile, or double-click it"))
        for tile in self.all_tiles:
            tile.retranslate()
        self._fill_list()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
