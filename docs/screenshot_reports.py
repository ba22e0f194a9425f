"""The ``reports-<language>`` screenshot's parts (docs/screenshots.py runs it): last month's
record seeded, and the Reports dock with its department assessment grabbed."""

from __future__ import annotations

import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from console.domain.rules import Rules
from console.store.store import Store
from console.views.app import ConsoleApp

ROOT = Path(__file__).resolve().parents[1]


def seed_last_month(url: str, rules: Rules) -> None:
    """Last month's record: the report tests' six cases and 300 generated ones."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import reports as generator  # benchmarks/reports.py

    from tests.store.reports_seed import seed_november

    today = datetime.now(UTC)
    first = today.replace(day=1) - timedelta(days=1)
    start = datetime(first.year, first.month, 1, tzinfo=UTC) - timedelta(hours=8)
    clock = generator.Clock()
    store = Store(url, rules, clock=clock)
    try:
        if (first.year, first.month) == (2026, 11):
            seed_november(store, clock)
        rng = random.Random(19)
        for _ in range(300):
            generator.case(store, clock, start + timedelta(minutes=rng.randrange(6 * 24 * 60)),
                           rng)
    finally:
        store.close()


def show_reports(window: Any, out: Path, console: ConsoleApp, app: QApplication) -> None:
    """Last month's department assessment in the Reports dock, floating, grabbed."""
    dock = window.reports
    window.docks["reports"].setFloating()
    dock.window().resize(1500, 900)
    dock.kind.setCurrentIndex(dock.kind.findData("departments"))
    dock.period.setCurrentIndex(dock.period.findData("last_month"))
    dock.run()

    def grab() -> None:
        if dock.report is None:
            QTimer.singleShot(300, grab)
            return
        QTimer.singleShot(1500, lambda: (dock.window().grab().save(str(out)),
                                         print("saved", out), console.quit(), app.quit()))

    grab()
