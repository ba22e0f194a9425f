"""The leak check of the Qt tests (``qt_leaks`` in tests/views/conftest.py) fails a test that leaves
a window open or a QThread running, and passes one that closes what it opened.

The leaking tests run in a pytest of their own, in a child process, so that their failures are
the thing observed here rather than failures of this run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CONFTEST = """
from tests.views.conftest import qt_leaks  # noqa: F401
"""

LEAKY = """
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QLabel


def test_leaves_a_window_open(qtbot):
    label = QLabel("left open")
    label.setWindowTitle("leaky")
    label.show()
    qtbot.waitExposed(label)
    test_leaves_a_window_open.label = label  # kept alive past the test


def test_leaves_a_thread_running():
    thread = QThread()
    thread.setObjectName("leaky-thread")
    thread.start()
    test_leaves_a_thread_running.thread = thread


def test_closes_what_it_opened(qtbot):
    label = QLabel("closed")
    qtbot.addWidget(label)
    label.show()
    qtbot.waitExposed(label)
    thread = QThread()
    thread.start()
    thread.quit()
    assert thread.wait(5_000)


def test_the_next_test_starts_clean(qtbot):
    assert True
"""


def test_the_leak_check_fails_a_test_that_leaves_a_window_or_a_thread(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_leaky.py").write_text(LEAKY)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", "-rA",
         "--rootdir", str(tmp_path), "-c", os.devnull, "test_leaky.py"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240)
    out = run.stdout
    assert run.returncode == 1, out + run.stderr
    assert "ERROR test_leaky.py::test_leaves_a_window_open" in out, out
    assert "window left open: QLabel 'leaky'" in out, out
    assert "ERROR test_leaky.py::test_leaves_a_thread_running" in out, out
    assert "QThread 'leaky-thread' left running" in out, out
    assert "PASSED test_leaky.py::test_closes_what_it_opened" in out, out
    # The leaked window was closed by the check: the test after it starts clean.
    assert "PASSED test_leaky.py::test_the_next_test_starts_clean" in out, out
    assert "4 passed, 2 errors" in out, out
