"""Map fixtures: QtWebEngine set up before the QApplication, the test district on disk, and a
map dock over a bridge logged in to a real hub.

As root, Chromium refuses to start without ``--no-sandbox``; ``PySide6.QtWebEngineWidgets`` must
be imported before the QApplication exists, and ``console.map.web`` registers the tile scheme
before the first web view (../shared/PLATFORM.md).
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_FFMPEG_DECODING_HW_DEVICE_TYPES", "none")
if os.geteuid() == 0:
    os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox")

import PySide6.QtWebEngineWidgets  # noqa: F401 - before the QApplication

import console.map.web  # noqa: F401 - registers linkage-tiles:// before any view
from tests.views.conftest import (  # noqa: F401 - shared fixtures
    qt_leaks,
    rules,
)
