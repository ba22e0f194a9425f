"""The video wall dock: 1, 4 or 9 camera tiles, a camera list to drag from, cameras near a place.

A camera is put on a tile by dragging it from the list (or from anything else that drags
:data:`MIME_TYPE` with the camera id, as the map may), by double-clicking it, or by *Cameras near
the incident*, which fills the tiles with the cameras nearest the incident, nearest first. Each
tile shows its stream's state — buffering, playing, unavailable — and a tile whose camera fails
or stops sending pictures tries again by itself, with a growing, jittered pause
(:class:`RetryPolicy`). *Snapshot* takes the tile's current picture: it is saved as a PNG under
the user's data directory and, when the wall has an incident, noted on that incident
(``incident.note``; the protocol carries no attachments yet, so the note says which workstation
holds the file).

**The GUI thread never waits for a camera.** QtMultimedia's players are asynchronous, but
tearing one down that is playing takes 30–100 ms, and a player cannot be moved to another thread
once made (its FFmpeg internals stay behind). So every player is made, run and destroyed in one
"video" thread (:class:`StreamHost`); the GUI sends it queued requests (open a camera, close it)
and gets back queued frames and states, each tagged with its tile and attempt so that news of
an attempt already given up is ignored. Streams run only while the wall is on screen: a wall in
a background tab or closed costs nothing.
"""

from __future__ import annotations

import atexit
import contextlib
import math
import random
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QByteArray,
    QCoreApplication,
    QEvent,
    QMimeData,
    QObject,
    QRect,
    QSize,
    QStandardPaths,
    QSysInfo,
    Qt,
    QThread,
    QThreadPool,
    QTimer,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QHideEvent,
    QImage,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtMultimedia import QMediaPlayer, QVideoFrame, QVideoSink
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
from console.domain.rules import Rules
from console.ui.message import messages
from console.ui.names import DisplayNames, ui_language
from console.ui.text import result_text

CONTEXT = "VideoWall"
translate = QCoreApplication.translate  # the name pyside6-lupdate looks for

#: What a drag of a camera carries: its id, UTF-8 (the map can start the same drag).
MIME_TYPE = "application/x-linkage-camera"
LAYOUTS = (1, 4, 9)
EARTH_RADIUS_M = 6_371_008.8

STATES = {
    "empty": QT_TRANSLATE_NOOP("VideoWall", "Drag a camera here"),
    "buffering": QT_TRANSLATE_NOOP("VideoWall", "Buffering…"),
    "playing": QT_TRANSLATE_NOOP("VideoWall", "Playing"),
    "unavailable": QT_TRANSLATE_NOOP("VideoWall", "Unavailable"),
}
_RETRY_IN = QT_TRANSLATE_NOOP("VideoWall", "retrying in {seconds} s")
_NO_PICTURE = QT_TRANSLATE_NOOP("VideoWall", "no picture within {seconds} s")
_STALLED = QT_TRANSLATE_NOOP("VideoWall", "no picture for {seconds} s")
_ENDED = QT_TRANSLATE_NOOP("VideoWall", "the stream ended")
_NO_ADDRESS = QT_TRANSLATE_NOOP("VideoWall", "the camera has no stream address")
_NOTE = QT_TRANSLATE_NOOP(
    "VideoWall", "Snapshot of camera {name} ({id}) taken at {time}; the picture is on "
    "workstation {host}: {file}")


def _tr(text: str) -> str:
    return translate(CONTEXT, text)


# -- cameras near a place -------------------------------------------------------------------------


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


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


# -- the video thread ---------------------------------------------------------------------------


class _Stream(QObject):
    """One attempt at one camera: a player and its sink, made and living in the video thread."""

    def __init__(self, host: StreamHost, key: int, attempt: int, url: str) -> None:
        super().__init__(host)
        self._host = host
        self.key = key
        self.attempt = attempt
        self.sink = QVideoSink(self)
        self.player = QMediaPlayer(self)
        self.player.setVideoOutput(self.sink)
        self.player.errorOccurred.connect(self._error)
        self.player.mediaStatusChanged.connect(self._status)
        self.sink.videoFrameChanged.connect(self._frame)
        self.player.setSource(QUrl(url))  # returns at once: FFmpeg opens it on a thread of its own
        self.player.play()

    @Slot(QMediaPlayer.Error, str)
    def _error(self, error: QMediaPlayer.Error, text: str) -> None:
        self._host.failed.emit(self.key, self.attempt, text or error.name)

    @Slot(QMediaPlayer.MediaStatus)
    def _status(self, status: QMediaPlayer.MediaStatus) -> None:
        self._host.status.emit(self.key, self.attempt, status.value)

    @Slot(QVideoFrame)
    def _frame(self, frame: QVideoFrame) -> None:
        self._host.frame.emit(self.key, self.attempt, frame)


class StreamHost(QObject):
    """The players of one wall, in the video thread; the wall talks to it only through queued
    signals. Keys are the wall's tile numbers; each open is one attempt, and everything the host
    says carries the key and attempt it is about.

    Signals:
        opened(int, int, QVideoSink): an attempt started; its sink (for tests and diagnostics).
        frame(int, int, QVideoFrame): a picture arrived.
        status(int, int, int): the player's ``QMediaPlayer.MediaStatus`` value changed.
        failed(int, int, str): the player gave up (FFmpeg's words, in English).
    """

    opened = Signal(int, int, QObject)
    frame = Signal(int, int, QVideoFrame)
    status = Signal(int, int, int)
    failed = Signal(int, int, str)

    def __init__(self) -> None:
        super().__init__()
        self._streams: dict[int, _Stream] = {}

    @Slot(int, int, str)
    def open(self, key: int, attempt: int, url: str) -> None:
        self.close(key)
        stream = self._streams[key] = _Stream(self, key, attempt, url)
        self.opened.emit(key, attempt, stream.sink)

    @Slot(int)
    def close(self, key: int) -> None:
        stream = self._streams.pop(key, None)
        if stream is not None:
            stream.player.stop()  # no more pictures; the slow teardown follows, off the GUI
            stream.deleteLater()


_thread: QThread | None = None
_hosts: set[StreamHost] = set()  # Python keeps each host's wrapper until Qt has deleted it


def _video_thread() -> QThread:
    global _thread
    if _thread is None:
        # The multimedia backend must be set up by the GUI thread, not first by the video thread.
        QMediaPlayer()
        _thread = QThread()
        _thread.setObjectName("video")
        _thread.start()
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(stop_video_thread)
        atexit.register(stop_video_thread)
    return _thread


def stop_video_thread() -> None:
    """End every stream and the video thread, waiting for them (at application exit)."""
    global _thread
    thread, _thread = _thread, None
    if thread is None:
        return
    for host in list(_hosts):
        if shiboken6.isValid(host):
            host.deleteLater()
    thread.quit()
    thread.wait(10_000)
    _hosts.clear()


def _new_host() -> StreamHost:
    host = StreamHost()
    host.moveToThread(_video_thread())
    _hosts.add(host)
    host.destroyed.connect(lambda *_: _hosts.discard(host))
    return host


# -- a tile -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetryPolicy:
    """Seconds: how long a stream may take to show its first picture, how long a playing stream
    may go without one, and the pause before trying again (doubling from ``base`` up to ``cap``,
    each drawn between half and all of it, so that cameras lost together do not return in step)."""

    connect_timeout: float = 10.0
    stall_timeout: float = 6.0
    base: float = 1.0
    cap: float = 30.0

    def delay(self, failures: int) -> float:
        full = min(self.cap, self.base * 2 ** max(0, failures - 1))
        return random.uniform(full / 2, full)


class VideoTile(QWidget):
    """One camera's picture and its state.

    Attributes (for the wall and tests): ``camera`` (mapping or None), ``state`` (``empty``,
    ``buffering``, ``playing``, ``unavailable``), ``attempts`` (opens of this camera so far),
    ``frames`` (pictures received), ``sink`` (the current attempt's ``QVideoSink``), ``error``.

    Signals:
        camera_dropped(str): a camera id was dropped on the tile.
        snapshot_requested(): the tile's *Snapshot* button.
        attempt_started(int): the tile opened its camera (the attempt number).
        state_changed(str): ``state`` changed.
    """

    camera_dropped = Signal(str)
    snapshot_requested = Signal()
    attempt_started = Signal(int)
    state_changed = Signal(str)

    def __init__(self, key: int, open_stream: Callable[[int, int, str], None],
                 close_stream: Callable[[int], None], policy: RetryPolicy,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"videoTile{key}")
        self.setAcceptDrops(True)
        self.setMinimumSize(QSize(160, 90))
        self.key = key
        self.policy = policy
        self._open = open_stream
        self._close = close_stream
        self.camera: Mapping[str, Any] | None = None
        self.distance: float | None = None
        self.state = "empty"
        self.error = ""
        self.attempts = self.frames = self.failures = 0
        self.sink: QVideoSink | None = None
        self.active = False
        self._attempt: int | None = None  # the attempt whose news counts; None: none open
        self._started = self._last_frame = 0.0
        self._retry_at: float | None = None
        self._frame: QVideoFrame | None = None
        self._image: QImage | None = None
        self._hover = False
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self.start)

        self.title = QLabel(self)
        self.title.setStyleSheet("color: white; background: rgba(0,0,0,140); padding: 1px 4px;")
        self.snapshot_button = QToolButton(self)
        self.snapshot_button.setObjectName("videoSnapshot")
        self.snapshot_button.clicked.connect(self.snapshot_requested)
        self.clear_button = QToolButton(self)
        self.clear_button.setObjectName("videoClear")
        self.clear_button.setText("×")
        self.clear_button.clicked.connect(lambda: self.assign(None))
        self.status = QLabel(self)
        self.status.setObjectName("videoState")
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status)
        bottom.addStretch(1)
        bottom.addWidget(self.snapshot_button)
        bottom.addWidget(self.clear_button)
        box = QVBoxLayout(self)
        box.setContentsMargins(4, 4, 4, 4)
        box.addLayout(top)
        box.addStretch(1)
        box.addLayout(bottom)
        self.retranslate()

    # -- what it shows ----------------------------------------------------------------------

    def assign(self, camera: Mapping[str, Any] | None, distance: float | None = None) -> None:
        """Show ``camera`` (None: nothing). The same camera at the same address goes on playing."""
        self.distance = distance
        same = (camera is not None and self.camera is not None
                and camera.get("id") == self.camera.get("id")
                and camera.get("stream_url") == self.camera.get("stream_url"))
        self.camera = camera
        if not same:
            self._halt()
            self.attempts = self.failures = 0
            self._frame = self._image = None
            self.error = ""
            self._set_state("empty" if camera is None else "buffering")
            self.start()
        self.retranslate()

    def set_active(self, active: bool) -> None:
        """Play while the wall is on screen; stop (keeping the camera) while it is not."""
        if active == self.active:
            return
        self.active = active
        if not active:
            self._halt()
        elif self.camera is not None:
            self.failures = 0
            self.start()

    def start(self) -> None:
        """Open the camera (again): a new attempt."""
        self._retry.stop()
        self._retry_at = None
        if self.camera is None or not self.active:
            return
        url = str(self.camera.get("stream_url") or "")
        if not url:
            self._fail(_tr(_NO_ADDRESS), retry=False)
            return
        global _attempts
        _attempts += 1
        self._attempt = _attempts
        self.attempts += 1
        self._started = time.monotonic()
        self._set_state("buffering")
        self._open(self.key, self._attempt, url)
        self.attempt_started.emit(self.attempts)

    def picture(self) -> QImage | None:
        """The latest picture (a copy), or None before the first."""
        image = self._current_image()
        return None if image is None else image.copy()

    # -- news from the video thread -----------------------------------------------------------

    def on_opened(self, attempt: int, sink: QVideoSink) -> None:
        if attempt == self._attempt:
            self.sink = sink

    def on_frame(self, attempt: int, frame: QVideoFrame) -> None:
        if attempt != self._attempt or not frame.isValid():
            return
        self.frames += 1
        self._frame, self._image = frame, None
        self._last_frame = time.monotonic()
        if self.state != "playing":
            self.failures = 0
            self.error = ""
            self._set_state("playing")
        self.update()

    def on_status(self, attempt: int, status: int) -> None:
        if attempt != self._attempt:
            return
        if status == QMediaPlayer.MediaStatus.EndOfMedia.value:
            self._fail(_tr(_ENDED))
        elif status == QMediaPlayer.MediaStatus.InvalidMedia.value:
            self._fail(self.error or _tr(STATES["unavailable"]))

    def on_failed(self, attempt: int, text: str) -> None:
        if attempt == self._attempt:
            self._fail(text)

    def check(self, now: float) -> None:
        """The wall's watchdog: give up on a stream that is silent too long."""
        if self._attempt is None:
            if self._retry_at is not None:
                self._show_state()  # the countdown
            return
        if self.state == "buffering" and now - self._started > self.policy.connect_timeout:
            self._fail(_tr(_NO_PICTURE).format(seconds=f"{self.policy.connect_timeout:g}"))
        elif self.state == "playing" and now - self._last_frame > self.policy.stall_timeout:
            self._fail(_tr(_STALLED).format(seconds=f"{self.policy.stall_timeout:g}"))

    # -- failing and trying again ---------------------------------------------------------------

    def _halt(self) -> None:
        self._retry.stop()
        self._retry_at = None
        if self._attempt is not None:
            self._attempt = None
            self._close(self.key)
        self.sink = None

    def _fail(self, reason: str, retry: bool = True) -> None:
        self._halt()
        self.error = reason
        self.failures += 1
        if retry:
            delay = self.policy.delay(self.failures)
            self._retry_at = time.monotonic() + delay
            self._retry.start(max(1, round(delay * 1000)))
        self._set_state("unavailable")
        self.update()

    def _set_state(self, state: str) -> None:
        changed = state != self.state
        self.state = state
        self._show_state()
        self.snapshot_button.setEnabled(self._frame is not None)
        if changed:
            self.state_changed.emit(state)

    def _show_state(self) -> None:
        text = _tr(STATES[self.state])
        if self.state == "unavailable" and self._retry_at is not None:
            left = max(0, math.ceil(self._retry_at - time.monotonic()))
            text += " · " + _tr(_RETRY_IN).format(seconds=left)
        colour = {"playing": "#2e7d32", "buffering": "#8d6e00", "unavailable": "#c62828"}.get(
            self.state, "#555")
        self.status.setText(text)
        self.status.setToolTip(self.error)
        self.status.setStyleSheet(f"color: white; background: {colour}; padding: 1px 4px;")

    def retranslate(self) -> None:
        camera = self.camera
        if camera is None:
            self.title.setText("")
            self.title.hide()
        else:
            title = f"{camera.get('id', '')}  {camera.get('name', '')}"
            if self.distance is not None:
                title += f"  · {self.distance:,.0f} m"
            self.title.setToolTip(title)
            self._elide_title()
            self.title.show()
        self.snapshot_button.setText(translate("VideoWall", "Snapshot"))
        self.snapshot_button.setToolTip(translate(
            "VideoWall", "Save this picture and note it on the incident"))
        self.clear_button.setToolTip(translate("VideoWall", "Take the camera off this tile"))
        self.clear_button.setVisible(camera is not None)
        self.snapshot_button.setVisible(camera is not None)
        self._show_state()

    # -- drawing and dropping ---------------------------------------------------------------

    def _elide_title(self) -> None:
        self.title.setText(self.title.fontMetrics().elidedText(
            self.title.toolTip(), Qt.TextElideMode.ElideRight, max(40, self.width() - 20)))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.camera is not None:
            self._elide_title()

    def _current_image(self) -> QImage | None:
        if self._image is None and self._frame is not None:
            self._image = self._frame.toImage()
        return self._image if self._image is not None and not self._image.isNull() else None

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(18, 18, 20))
        image = self._current_image()
        if image is not None:
            size = image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, size.width(), size.height())
            target.moveCenter(self.rect().center())
            painter.drawImage(target, image)
            if self.state != "playing":
                painter.fillRect(target, QColor(0, 0, 0, 150))
        if self._hover:
            painter.setPen(QPen(QColor("#42a5f5"), 3))
            painter.drawRect(self.rect().adjusted(1, 1, -2, -2))
        painter.end()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(MIME_TYPE):
            self._hover = True
            self.update()
            event.acceptProposedAction()

    def dragLeaveEvent(self, event: QEvent) -> None:
        self._hover = False
        self.update()

    def dropEvent(self, event: QDropEvent) -> None:
        self._hover = False
        self.update()
        camera_id = camera_id_of(event.mimeData())
        if camera_id:
            event.acceptProposedAction()
            self.camera_dropped.emit(camera_id)


_attempts = 0  # attempt numbers are unique in the process, so news cannot be mistaken


def camera_id_of(data: QMimeData) -> str:
    """The camera id a drag carries ("" if it carries none)."""
    if not data.hasFormat(MIME_TYPE):
        return ""
    return bytes(data.data(MIME_TYPE).data()).decode("utf-8", "replace").strip()


def camera_mime(camera_id: str) -> QMimeData:
    """What a drag of one camera carries (also as plain text)."""
    data = QMimeData()
    data.setData(MIME_TYPE, QByteArray(camera_id.encode("utf-8")))
    data.setText(camera_id)
    return data


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
        path = str(folder / f"{safe}_{at.astimezone():%Y%m%d-%H%M%S-%f}.png")
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
            self.host = host = _new_host()
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
                                 time=f"{at.astimezone():%Y-%m-%d %H:%M:%S}",
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
