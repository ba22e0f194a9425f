"""The web side every map view shares: the URL scheme for offline tiles, and the request guard.

- **``linkage-tiles://``** serves the tiles of the configured MBTiles file to the page
  (:class:`TileSchemeHandler`). The scheme is registered as *local*, the only kind a ``file:``
  page may load images from. Tiles are read on a worker thread and handed back to the GUI thread
  to answer the request: the GUI thread never waits on a file's database.
- **``linkage-data://``** hands the page bulk data as plain bytes (:class:`DataSchemeHandler`):
  the page ``fetch``es a batch of unit positions as an ``ArrayBuffer`` instead of decoding
  base64 text — less work in the GUI thread and in the page for every batch.
- **The request guard** (:class:`RequestGuard`) sees every URL the page asks for. Local schemes
  pass; ``http(s)`` passes only to the origin of the configured XYZ tile server; anything else —
  a CDN a script might reach for, say — is blocked and reported. A command center's network
  has no internet, and a console that tried would hang on time-outs instead of failing fast.

Both live on QtWebEngine's default profile (off the record: no cache or cookies on disk), set up
once per process by :func:`map_web`. The scheme must be registered before the first web view
exists, which importing this module does.
"""

from __future__ import annotations

import itertools
import logging
import re
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, Qt, QUrl, Signal, Slot
from PySide6.QtWebEngineCore import (
    QWebEngineProfile,
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
    QWebEngineUrlRequestJob,
    QWebEngineUrlScheme,
    QWebEngineUrlSchemeHandler,
)

from console.map.tiles import MBTiles, TileSetInfo

log = logging.getLogger(__name__)

SCHEME = "linkage-tiles"
DATA_SCHEME = "linkage-data"
#: Schemes that never leave the machine.
LOCAL_SCHEMES = frozenset({"file", "qrc", "data", "blob", "about", SCHEME, DATA_SCHEME})
_TILE_PATH = re.compile(r"^/(\d{1,2})/(\d{1,8})/(\d{1,8})(?:\.\w+)?$")


def register_scheme() -> None:
    """Tell QtWebEngine about ``linkage-tiles:`` and ``linkage-data:`` (once; must precede the
    first web view). Both are *local*: a ``file:`` page may load from them, nothing remote may;
    the data scheme also answers ``fetch``."""
    flags = QWebEngineUrlScheme.Flag
    for name, extra in ((SCHEME, flags.LocalAccessAllowed), (DATA_SCHEME, flags.FetchApiAllowed)):
        if QWebEngineUrlScheme.schemeByName(name.encode()).name():
            continue
        scheme = QWebEngineUrlScheme(name.encode())
        scheme.setSyntax(QWebEngineUrlScheme.Syntax.Host)
        scheme.setFlags(flags.LocalScheme | extra)
        QWebEngineUrlScheme.registerScheme(scheme)


register_scheme()


def origin_of(url: str) -> str | None:
    """``scheme://host:port`` of an http(s) URL or URL template, or None."""
    parsed = QUrl(url.replace("{", "").replace("}", ""))
    if parsed.scheme() not in ("http", "https") or not parsed.host():
        return None
    port = parsed.port(443 if parsed.scheme() == "https" else 80)
    return f"{parsed.scheme()}://{parsed.host().lower()}:{port}"


class RequestGuard(QWebEngineUrlRequestInterceptor):
    """Lets map pages reach local files and the configured tile server, nothing else.

    Signals:
        blocked(str): a URL the guard refused.
    """

    blocked = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.allowed_origins: frozenset[str] = frozenset()

    def allow_tiles_from(self, url_template: str | None) -> None:
        origin = origin_of(url_template) if url_template else None
        self.allowed_origins = frozenset({origin} if origin else ())

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:
        url = info.requestUrl()
        if url.scheme() in LOCAL_SCHEMES:
            return
        if origin_of(url.toString()) in self.allowed_origins:
            return
        info.block(True)
        text = url.toString()
        log.warning("map: blocked a request to %s", text)
        self.blocked.emit(text)


class TileSchemeHandler(QWebEngineUrlSchemeHandler):
    """Answers ``linkage-tiles://<generation>/z/x/y`` from the MBTiles file in use.

    The generation in the host part changes with the file, so the page never shows a tile it
    cached from the previous one.
    """

    _read = Signal(int, object)  # request token, tile bytes or None (worker → GUI thread)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.tiles: MBTiles | None = None
        self.generation = 0
        self.served = 0
        self._executor: ThreadPoolExecutor | None = None
        self._jobs: dict[int, tuple[QWebEngineUrlRequestJob, str]] = {}
        self._tokens = itertools.count(1)
        self._read.connect(self._answer, Qt.ConnectionType.QueuedConnection)

    @property
    def url_template(self) -> str:
        return f"{SCHEME}://t{self.generation}/{{z}}/{{x}}/{{y}}"

    def set_source(self, path: str | None) -> TileSetInfo | None:
        """Serve ``path`` (None: nothing). Reads the file's metadata here, once.

        Raises:
            ValueError: the file is not usable MBTiles (the previous source stays).
        """
        if self.tiles is not None and path and Path(path).resolve() == self.tiles.path.resolve():
            return self.tiles.info  # the same file (another window's map): its URLs stay valid
        tiles = MBTiles(path) if path else None
        old, self.tiles = self.tiles, tiles
        self.generation += 1
        if old is not None:
            executor = self._worker()
            executor.submit(old.close)  # after any read still queued on it
        return tiles.info if tiles else None

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:
        url = job.requestUrl()
        found = _TILE_PATH.match(url.path())
        tiles = self.tiles
        if found is None or url.host() != f"t{self.generation}":
            job.fail(QWebEngineUrlRequestJob.Error.UrlInvalid)
            return
        if tiles is None:
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        z, x, y = (int(v) for v in found.groups())
        token = next(self._tokens)
        self._jobs[token] = (job, tiles.info.mime_type)
        # The job is Chromium's: it may be gone (page closed) before the tile is read.
        job.destroyed.connect(lambda *_: self._jobs.pop(token, None))
        future = self._worker().submit(tiles.tile, z, x, y)
        future.add_done_callback(lambda done: self._read.emit(token, _result(done)))

    @Slot(int, object)
    def _answer(self, token: int, data: bytes | None) -> None:
        entry = self._jobs.pop(token, None)
        if entry is None:
            return
        job, mime = entry
        if data is None:
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        buffer = QBuffer(job)  # lives as long as the job, which reads it on its own thread
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        job.reply(mime.encode(), buffer)
        self.served += 1

    def _worker(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="map-tiles")
        return self._executor

    def close(self) -> None:
        """Stop the reader thread and close the file (at exit)."""
        if self._executor is not None:
            if self.tiles is not None:
                self._executor.submit(self.tiles.close)
            self._executor.shutdown(wait=True)
            self._executor = None
        self.tiles = None


class DataSchemeHandler(QWebEngineUrlSchemeHandler):
    """Serves bytes the console offered, each once: ``linkage-data://batch/<n>``.

    A batch the page never asks for (it reloaded meanwhile) is dropped once newer ones pile up.
    """

    KEEP = 16

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._offered: dict[str, bytes] = {}
        self._numbers = itertools.count(1)

    def offer(self, data: bytes) -> str:
        """Keep ``data`` for one fetch; returns its URL."""
        name = str(next(self._numbers))
        self._offered[name] = data
        while len(self._offered) > self.KEEP:
            del self._offered[next(iter(self._offered))]
        return f"{DATA_SCHEME}://batch/{name}"

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:
        data = self._offered.pop(job.requestUrl().path().strip("/"), None)
        if data is None:
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        buffer = QBuffer(job)
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        job.reply(b"application/octet-stream", buffer)


def _result(done: Future[bytes | None]) -> bytes | None:
    try:
        return done.result()
    except Exception:  # a damaged file: the tile is missing, the map carries on
        log.warning("map: reading a tile failed", exc_info=True)
        return None


class BasemapNews(QObject):
    """Signals:
        changed(object): a map dock saved new basemap settings (``MapSettings``); the maps of
            other windows follow, since they share the guard and the tile server.
    """

    changed = Signal(object)


class MapWeb:
    """The profile map pages load in, with its guard and tile server (one per process)."""

    def __init__(self) -> None:
        self.profile = QWebEngineProfile.defaultProfile()
        self.guard = RequestGuard(self.profile)
        self.profile.setUrlRequestInterceptor(self.guard)
        self.tiles = TileSchemeHandler(self.profile)
        self.profile.installUrlSchemeHandler(SCHEME.encode(), self.tiles)
        self.data = DataSchemeHandler(self.profile)
        self.profile.installUrlSchemeHandler(DATA_SCHEME.encode(), self.data)


_web: MapWeb | None = None
_news: BasemapNews | None = None


def basemap_news() -> BasemapNews:
    """The process's :class:`BasemapNews` (made without touching QtWebEngine, so a console
    whose map stays closed never starts it)."""
    global _news
    if _news is None:
        _news = BasemapNews()
    return _news


def map_web() -> MapWeb:
    """The shared :class:`MapWeb`, set up on first use (in the GUI thread)."""
    global _web
    if _web is None:
        _web = MapWeb()
    return _web
