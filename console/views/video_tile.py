"""One tile of the video wall: a camera's picture, its state, and its retries.

A tile shows its stream's state — buffering, playing, unavailable — and a tile whose camera
fails or stops sending pictures tries again by itself after the pause its
:class:`~console.views.video_stream.RetryPolicy` gives. The tile only asks for streams to be
opened and closed (through the callables the wall gives it) and hears of them through the wall;
the players themselves live in :mod:`console.views.video_stream`. A camera reaches a tile by a
drag carrying :data:`MIME_TYPE` (:func:`camera_mime`), from the wall's camera list or the map.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QByteArray,
    QCoreApplication,
    QEvent,
    QMimeData,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QImage,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
)
from PySide6.QtMultimedia import QMediaPlayer, QVideoFrame, QVideoSink
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from console.views.video_stream import RetryPolicy

CONTEXT = "VideoWall"
translate = QCoreApplication.translate  # the name pyside6-lupdate looks for

#: What a drag of a camera carries: its id, UTF-8 (the map can start the same drag).
MIME_TYPE = "application/x-linkage-camera"

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


def _tr(text: str) -> str:
    return translate(CONTEXT, text)


_attempts = 0  # attempt numbers are unique in the process, so news cannot be mistaken


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
        self.attempts = self.frames = 0
        self._backoff = policy.backoff()
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

    @property
    def failures(self) -> int:
        """Attempts that failed in a row since the camera last played."""
        return self._backoff.failures

    def assign(self, camera: Mapping[str, Any] | None, distance: float | None = None) -> None:
        """Show ``camera`` (None: nothing). The same camera at the same address goes on playing."""
        self.distance = distance
        same = (camera is not None and self.camera is not None
                and camera.get("id") == self.camera.get("id")
                and camera.get("stream_url") == self.camera.get("stream_url"))
        self.camera = camera
        if not same:
            self._halt()
            self.attempts = 0
            self._backoff.reset()
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
            self._backoff.reset()
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
            self._backoff.reset()
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
        if not retry:
            self._backoff.failures += 1
        else:
            delay = self._backoff.next()
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
