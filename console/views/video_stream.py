"""The video wall's players: every camera stream lives in one "video" thread, and how a dead one
is retried.

**The GUI thread never waits for a camera.** QtMultimedia's players are asynchronous, but
tearing one down that is playing takes tens of milliseconds, and a player cannot be moved to
another thread once made (its FFmpeg internals stay behind). So every player is made, run and
destroyed in one "video" thread (:class:`StreamHost`, one per wall); the wall sends it queued
requests (open a camera, close it) and gets back queued frames and states, each tagged with its
tile and attempt so that news of an attempt already given up is ignored.

:class:`RetryPolicy` says how long a stream may stay silent and how long a tile waits before it
tries a failed camera again.
"""

from __future__ import annotations

import atexit
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QThread, QUrl, Signal, Slot
from PySide6.QtMultimedia import QMediaPlayer, QVideoFrame, QVideoSink

from console.comms.reconnect import Backoff

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


def new_host() -> StreamHost:
    """A wall's host, living in the video thread (started with the first host)."""
    host = StreamHost()
    host.moveToThread(_video_thread())
    _hosts.add(host)
    host.destroyed.connect(lambda *_: _hosts.discard(host))
    return host


# -- a dead camera ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetryPolicy:
    """Seconds: how long a stream may take to show its first picture, how long a playing stream
    may go without one, and the pause before trying again (doubling from ``base`` up to ``cap``,
    each drawn between half and all of it, so that cameras lost together do not return in step)."""

    connect_timeout: float = 10.0
    stall_timeout: float = 6.0
    base: float = 1.0
    cap: float = 30.0

    def backoff(self) -> Backoff:
        """A tile's own count of failures in a row and the pauses they make."""
        return Backoff(self.base, self.cap, least=0.5)

