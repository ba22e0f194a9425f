"""Regression guard for the Qt pin (../shared/PLATFORM.md): PySide6 6.12.0 crashes CPython 3.11
after a few thousand signal emits. The installed Qt must survive 100,000 of them."""

from __future__ import annotations

import subprocess
import sys

PROGRAM = """
from PySide6.QtCore import QCoreApplication, QObject, Signal

class Emitter(QObject):
    fired = Signal(object)

app = QCoreApplication([])
emitter = Emitter()
count = 0

def on_fired(value):
    global count
    count += 1

emitter.fired.connect(on_fired)
for n in range(100_000):
    emitter.fired.emit(None if n % 2 else True)
print(count)
"""


def test_qt_survives_100000_signal_emits() -> None:
    done = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "100000"
