"""The web view that shows the map page, and the two directions of talk with it.

- **Python → page**: :meth:`MapView.call` runs ``LinkageMap.<function>(…)`` with every argument
  JSON-encoded — the one way Python speaks to the page, never by pasting text into a script
  (qutebrowser's ``utils/javascript.py`` idea). Until the page says it is ready, calls are
  dropped: the owner re-sends the whole state on :attr:`MapView.page_ready`, which also covers a
  reload.
- **page → Python**: the page calls the slots of :class:`MapChannel` over QWebChannel; the view
  re-emits them as Qt signals.

The page is written to a private temporary folder and loaded from there (``file:``), because
the boundaries of a whole district make it too large for ``setHtml``.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile, QWebEngineSettings
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QWidget

from console.map.web import map_web

log = logging.getLogger(__name__)
_FUNCTION = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

#: How much lower than the console's GUI thread the map's renderer process runs. It draws every
#: unit at every position frame and is the busiest process of a console; Chromium even raises
#: its drawing threads above normal where it may (as root, say). Level with the GUI thread or
#: above it, it takes the core the GUI thread waits for, and a keystroke waits on a redraw of
#: the map. Browsers likewise put input ahead of painting. Only ever lowered (no privilege
#: needed).
RENDERER_NICE = 5
#: Linux gives each thread its own priority, and the renderer makes threads (and Chromium sets
#: theirs) after it started: its threads are looked at again this often.
RENDERER_RECHECK_MS = 5_000


def lower_priority(pid: int, nice: int = RENDERER_NICE) -> bool:
    """Run every thread of process ``pid`` at least ``nice`` steps below the calling thread's
    priority (POSIX; elsewhere, or if the process is gone or not ours, nothing happens).
    Returns whether any thread was looked at."""
    if pid <= 0 or not hasattr(os, "setpriority"):
        return False
    wanted = os.getpriority(os.PRIO_PROCESS, 0) + nice
    try:
        threads = [int(name) for name in os.listdir(f"/proc/{pid}/task")]
    except OSError:  # no /proc: the process as a whole
        threads = [pid]
    done = False
    for thread in threads:
        try:
            if os.getpriority(os.PRIO_PROCESS, thread) < wanted:
                os.setpriority(os.PRIO_PROCESS, thread, wanted)
            done = True
        except OSError as error:  # gone already, or another user's
            log.debug("cannot lower the priority of %d: %s", thread, error)
    return done


def script(function: str, *args: Any) -> str:
    """``LinkageMap.function(args…)`` with each argument as JSON.

    Raises:
        ValueError: ``function`` is not a plain name.
    """
    if not _FUNCTION.match(function):
        raise ValueError(f"not a function name: {function!r}")
    return f"LinkageMap.{function}({', '.join(json.dumps(a, ensure_ascii=False) for a in args)})"


class MapChannel(QObject):
    """What the page may call (the QWebChannel object ``linkage``).

    Signals:
        page_ready(): the page started and connected.
        painted(int, bool, float): a batch of unit moves (its sequence number) is on screen;
            False if the page was hidden and drew nothing; how long drawing took (ms).
        point_clicked(str, str): kind (``incident``, ``unit``, ``camera``, ``checkpoint``), id.
        context_requested(float, float, str, str): a right-click at lat, lon (the basemap's
            datum), on a point of that kind and id (both empty on bare map).
    """

    page_ready = Signal()
    frame_painted = Signal(int, bool, float)
    point_clicked = Signal(str, str)
    context_requested = Signal(float, float, str, str)

    @Slot()
    def ready(self) -> None:
        self.page_ready.emit()

    @Slot(int, bool, float)
    def painted(self, seq: int, drawn: bool, took_ms: float) -> None:
        self.frame_painted.emit(seq, drawn, took_ms)

    @Slot(str, str)
    def clicked(self, kind: str, ident: str) -> None:
        self.point_clicked.emit(kind, ident)

    @Slot(float, float, str, str)
    def contextMenu(self, lat: float, lon: float, kind: str, ident: str) -> None:
        self.context_requested.emit(lat, lon, kind, ident)


class MapPage(QWebEnginePage):
    """The page, logging what its scripts say (errors also kept for tests)."""

    def __init__(self, profile: QWebEngineProfile, parent: QObject | None = None) -> None:
        super().__init__(profile, parent)
        self.errors: list[str] = []
        self._renderer_check = QTimer(self)
        self._renderer_check.setInterval(RENDERER_RECHECK_MS)
        self._renderer_check.timeout.connect(self._lower_renderer)
        self.renderProcessPidChanged.connect(self._lower_renderer)
        self._renderer_check.start()

    def _lower_renderer(self) -> None:
        lower_priority(self.renderProcessPid())

    def javaScriptConsoleMessage(self, level: QWebEnginePage.JavaScriptConsoleMessageLevel,
                                 message: str, line: int, source: str) -> None:
        text = f"{source}:{line}: {message}"
        if level == QWebEnginePage.JavaScriptConsoleMessageLevel.ErrorMessageLevel:
            self.errors.append(text)
            log.error("map page: %s", text)
        else:
            log.debug("map page: %s", text)


class MapView(QWebEngineView):
    """Shows one map page; see the module docstring.

    Signals:
        page_ready(): the page (re)started; everything it should show must be sent again.
    """

    page_ready = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mapView")
        web = map_web()
        self.map_page = MapPage(web.profile, self)
        self.setPage(self.map_page)
        settings = self.map_page.settings()
        settings.setAttribute(QWebEngineSettings.WebAttribute.LocalContentCanAccessFileUrls, True)
        settings.setAttribute(QWebEngineSettings.WebAttribute.LocalContentCanAccessRemoteUrls,
                              True)  # an XYZ tile server; the guard allows only that one
        settings.setAttribute(QWebEngineSettings.WebAttribute.ErrorPageEnabled, False)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)  # the map's menu is ours
        self.channel = MapChannel(self)
        self._web_channel = QWebChannel(self.map_page)
        self._web_channel.registerObject("linkage", self.channel)
        self.map_page.setWebChannel(self._web_channel)
        self.ready = False
        self.channel.page_ready.connect(self._ready)
        self.loadStarted.connect(self._not_ready)
        self._folder = tempfile.TemporaryDirectory(prefix="linkage-map-")
        self._loads = itertools.count(1)

    def show_page(self, html: str) -> None:
        """Load a page built by :func:`console.map.page.build_page`."""
        self.ready = False
        path = Path(self._folder.name) / f"map-{next(self._loads)}.html"
        path.write_text(html, encoding="utf-8")
        for old in Path(self._folder.name).glob("map-*.html"):
            if old != path:
                old.unlink(missing_ok=True)
        self.load(QUrl.fromLocalFile(str(path)))

    def call(self, function: str, *args: Any) -> bool:
        """Run ``LinkageMap.function(*args)`` in the page; False (and nothing run) until the
        page is ready."""
        if not self.ready:
            return False
        self.map_page.runJavaScript(script(function, *args))
        return True

    def query(self, function: str, *args: Any, callback: Callable[[Any], None]) -> bool:
        """Like :meth:`call`; ``callback`` gets the function's result (via JSON) later."""
        if not self.ready:
            return False
        self.map_page.runJavaScript(
            f"JSON.stringify({script(function, *args)})", 0,
            lambda text: callback(json.loads(text) if text else None))
        return True

    def _ready(self) -> None:
        log.debug("map page ready")
        self.ready = True
        self.page_ready.emit()

    def _not_ready(self) -> None:
        self.ready = False

    def closeEvent(self, event: Any) -> None:
        self.ready = False
        super().closeEvent(event)
