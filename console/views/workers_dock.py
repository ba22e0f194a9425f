"""The *Grid workers* dock (duty leaders and administrators): the grid workers' assessment
(docs/grid-workers.md).

- the ranking of a community or a street on a day: each worker's score and figures, best first;
- the day of one worker (a row chosen): its figures, and its trail replayed on the map with the
  checkpoints of its community, those passed ticked (:meth:`MapDock.show_worker_day`);
- the month of the community or street as the pay office's sheet (``.xlsx``, one row per worker;
  console/domain/pay_sheet.py), written where the user says.

Everything comes from the hub's ``workers`` request (console/comms/workers_wire.py) through the
bridge; the answers arrive in the GUI thread, never waited for. The hub audits every read.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, cast

import shiboken6
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDate, QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.comms.bridge import Bridge
from console.comms.clock import hub_clock
from console.comms.pending import TrackPoint
from console.domain import pay_sheet
from console.domain.rules import Rules
from console.ui.names import DisplayNames, ui_language
from console.ui.times import local

#: The ranking's columns: heading, and the row's value.
COLUMNS: tuple[tuple[Any, Callable[[dict[str, Any]], Any]], ...] = (
    (QT_TRANSLATE_NOOP("WorkersDock", "Unit"), lambda r: r["unit"]),
    (QT_TRANSLATE_NOOP("WorkersDock", "Name"), lambda r: r["name"]),
    (QT_TRANSLATE_NOOP("WorkersDock", "Score"),
     lambda r: "" if r["score"] is None else f"{r['score']:.1f}"),
    (QT_TRANSLATE_NOOP("WorkersDock", "On duty / rostered h"),
     lambda r: f"{r['on_duty_h']:.1f} / {r['rostered_h']:.1f}"),
    (QT_TRANSLATE_NOOP("WorkersDock", "Late"), lambda r: r["late"]),
    (QT_TRANSLATE_NOOP("WorkersDock", "Absent"), lambda r: r["absent"]),
    (QT_TRANSLATE_NOOP("WorkersDock", "km"), lambda r: f"{r['distance_km']:.1f}"),
    (QT_TRANSLATE_NOOP("WorkersDock", "In grid"),
     lambda r: "" if r["inside_share"] is None else f"{100 * r['inside_share']:.0f}%"),
    (QT_TRANSLATE_NOOP("WorkersDock", "Checkpoints"),
     lambda r: f"{r['checkpoints']} / {r['planned']}"),
    (QT_TRANSLATE_NOOP("WorkersDock", "Reports (cases)"),
     lambda r: f"{r['reports']} ({r['cases']})"),
    (QT_TRANSLATE_NOOP("WorkersDock", "Tasks on time"), lambda r: f"{r['on_time']} / {r['tasks']}"),
    (QT_TRANSLATE_NOOP("WorkersDock", "Verifications"), lambda r: r["verifications"]),
)
LEVELS = (("community", QT_TRANSLATE_NOOP("WorkersDock", "Community")),
          ("street", QT_TRANSLATE_NOOP("WorkersDock", "Street")))


translate = QCoreApplication.translate  # the name pyside6-lupdate looks for


class WorkersDock(QWidget):
    """Children (for tests): ``day`` (date edit), ``level`` and ``area`` (combos),
    ``show_button``, ``export_button``, ``table``, ``figures`` (the chosen worker's day),
    ``replay_button``, ``status``. ``choose_path(suggested) -> str`` asks where the sheet goes
    (a file dialog; tests give their own).

    Signals:
        replay(str, list, list): a worker's day to show on the map: the unit, its
            :class:`TrackPoint` list, its checkpoints as (lat, lon, passed, name).
    """

    replay = Signal(str, list, list)

    def __init__(self, bridge: Bridge, rules: Rules, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workersDock")
        self.bridge = bridge
        self.rules = rules
        self.choose_path: Callable[[str], str] = self._ask_path
        self._asked = 0  # the latest ranking's number: older answers are dropped
        self._rows: list[dict[str, Any]] = []
        self._detail: dict[str, Any] | None = None
        self.day = QDateEdit(self)
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        today = local(hub_clock.now()).date()
        self.day.setDate(QDate(today.year, today.month, today.day))
        self.level = QComboBox(self)
        self.area = QComboBox(self)
        self.area.setObjectName("workersArea")
        self.area.setMinimumContentsLength(12)
        self.show_button = QPushButton(self)
        self.export_button = QPushButton(self)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("workersTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.figures = QLabel(self)
        self.figures.setObjectName("workersFigures")
        self.figures.setWordWrap(True)
        self.figures.setTextFormat(Qt.TextFormat.RichText)
        self.replay_button = QPushButton(self)
        self.replay_button.setEnabled(False)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        top = QHBoxLayout()
        for widget in (self.day, self.level):
            top.addWidget(widget)
        top.addWidget(self.area, 1)
        top.addWidget(self.show_button)
        buttons = QVBoxLayout()
        buttons.addWidget(self.replay_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.figures, 1)
        bottom.addLayout(buttons)
        column = QVBoxLayout(self)
        column.addLayout(top)
        column.addWidget(self.table, 1)
        column.addLayout(bottom)
        column.addWidget(self.status)
        self.level.currentIndexChanged.connect(lambda _i: self._fill_areas())
        self.show_button.clicked.connect(self.refresh)
        self.export_button.clicked.connect(self.export_month)
        self.replay_button.clicked.connect(self._replay)
        self.table.currentCellChanged.connect(lambda row, *_: self._chosen(row))
        self.retranslate()

    # -- asking ---------------------------------------------------------------------------------

    def _area(self) -> dict[str, str]:
        code = self.area.currentData()
        return {str(self.level.currentData()): str(code)} if code else {}

    def _date(self) -> date:
        return cast(date, self.day.date().toPython())

    def refresh(self) -> None:
        """Ask for the ranking of the chosen area on the chosen day."""
        self._asked += 1
        number = self._asked
        self.status.setText(translate("WorkersDock", "Asking the hub…"))
        self.bridge.request_workers({"day": self._date().isoformat(), **self._area()},
                                    lambda answer: self._ranking(number, answer))

    def show_worker(self, unit: str) -> None:
        """Ask for one worker's day: figures, trail and checkpoints."""
        day = self._date().isoformat()
        self.bridge.request_workers({"day": day, "unit": unit},
                                    lambda answer: self._worker(unit, day, answer))

    def export_month(self) -> None:
        """Ask where, then for the month of the chosen area; write the sheet when it comes."""
        month = self._date().strftime("%Y-%m")
        area = self._area()
        suggested = f"grid-workers-{month}-{next(iter(area.values()), 'all')}.xlsx"
        path = self.choose_path(suggested)
        if not path:
            return
        self.export_button.setEnabled(False)
        self.status.setText(translate("WorkersDock", "Reading the month from the hub…"))
        self.bridge.request_workers({"month": month, **area},
                                    lambda answer: self._month(month, Path(path), answer))

    def _ask_path(self, suggested: str) -> str:
        path, _ = QFileDialog.getSaveFileName(
            self, translate("WorkersDock", "Export the month"), suggested,
            translate("WorkersDock", "Excel workbook (*.xlsx)"))
        return path

    # -- answers ------------------------------------------------------------------------------

    def _ranking(self, number: int, answer: dict[str, Any] | None) -> None:
        if not shiboken6.isValid(self):  # closed while the hub answered
            return
        if number != self._asked:
            return
        if answer is None or answer.get("type") != "workers":
            self._failed(answer)
            return
        self._rows = list(answer.get("rows") or [])
        self.table.setRowCount(0)
        for row in self._rows:
            index = self.table.rowCount()
            self.table.insertRow(index)
            for col, (_, value) in enumerate(COLUMNS):
                item = QTableWidgetItem(str(value(row)))
                item.setData(Qt.ItemDataRole.UserRole, row["unit"])
                if col >= 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(index, col, item)
        self.status.setText(translate("WorkersDock", "{n} workers, best score first").format(
            n=len(self._rows)))

    def _chosen(self, row: int) -> None:
        if 0 <= row < len(self._rows):
            self.show_worker(self._rows[row]["unit"])

    def _worker(self, unit: str, day: str, answer: dict[str, Any] | None) -> None:
        if not shiboken6.isValid(self):  # closed while the hub answered
            return
        if answer is None or answer.get("type") != "workers" or not answer.get("rows"):
            self._failed(answer)
            return
        self._detail = answer
        self.figures.setText(self._figures_html(answer["rows"][0], day))
        self.replay_button.setEnabled(True)

    def _figures_html(self, r: dict[str, Any], day: str) -> str:
        names = DisplayNames(ui_language(), self.rules)
        score = "—" if r["score"] is None else f"{r['score']:.1f}"
        share = "—" if r["inside_share"] is None else f"{100 * r['inside_share']:.0f}%"
        lines = [
            (translate("WorkersDock", "On duty / rostered"),
             translate("WorkersDock", "{on_duty:.1f} h / {rostered:.1f} h").format(
                 rostered=r["rostered_h"], on_duty=r["on_duty_h"])),
            (translate("WorkersDock", "Late / absent"), f"{r['late']} / {r['absent']}"),
            (translate("WorkersDock", "Clock-ins off roster / outside the grid"),
             f"{r['off_roster']} / {r['outside_grid']}"),
            (translate("WorkersDock", "Distance"),
             translate("WorkersDock", "{km:.1f} km").format(km=r["distance_km"])),
            (translate("WorkersDock", "On duty inside the own grid"), share),
            (translate("WorkersDock", "Checkpoints passed / planned"),
             f"{r['checkpoints']} / {r['planned']}"),
            (translate("WorkersDock", "Reports (became cases)"), f"{r['reports']} ({r['cases']})"),
            (translate("WorkersDock", "Tasks on time"), f"{r['on_time']} / {r['tasks']}"),
            (translate("WorkersDock", "Verifications on site"), str(r["verifications"])),
        ]
        head = translate("WorkersDock",
                         "{name} ({unit}), {community}, {day}: score {score}").format(
            name=r["name"], unit=r["unit"], day=day, score=score,
            community=names.community(r["community"]) if r["community"] else "—")
        body = "".join(f"<tr><td>{k}</td><td align='right'>&nbsp;{v}</td></tr>"
                       for k, v in lines)
        return f"<b>{head}</b><table>{body}</table>"

    def _replay(self) -> None:
        answer = self._detail
        if answer is None:
            return
        lang = ui_language()
        points = [TrackPoint(float(lat), float(lon), 0.0, 0.0, datetime.fromisoformat(at))
                  for lat, lon, at in answer.get("track") or []]
        checkpoints = [(float(c["lat"]), float(c["lon"]), bool(c["passed"]),
                        str(c["name_zh"] if lang == "zh" else c["name_en"]))
                       for c in answer.get("checkpoints") or []]
        self.replay.emit(answer["rows"][0]["unit"], points, checkpoints)

    def _month(self, month: str, path: Path, answer: dict[str, Any] | None) -> None:
        if not shiboken6.isValid(self):  # closed while the hub answered
            return
        self.export_button.setEnabled(True)
        if answer is None or answer.get("type") != "workers":
            self._failed(answer)
            return
        lang = ui_language()
        names = DisplayNames(lang, self.rules)
        geography = self.rules.geography

        def area_name(level: str, code: str) -> str:
            if level == "grid" and geography is not None:
                with contextlib.suppress(ValueError):
                    return geography.grid_name(code, lang)
                return code
            return names.street(code) if level == "street" else names.community(code)

        rows = list(answer.get("rows") or [])
        title = translate("WorkersDock", "Grid workers' assessment {month}").format(month=month)
        try:
            path.write_bytes(pay_sheet.workbook(rows, title=title, lang=lang,
                                                area_name=area_name))
        except OSError as error:
            self.status.setText(translate(
                "WorkersDock", "The sheet was not written: {error}").format(
                    error=error.strerror or error))
            return
        self.status.setText(translate("WorkersDock", "{n} workers written to {path}").format(
            n=len(rows), path=path))

    def _failed(self, answer: dict[str, Any] | None) -> None:
        if answer is None:
            self.status.setText(translate(
                "WorkersDock",
                "The hub did not answer; try again when the console is connected."))
            return
        template = str(answer.get("template") or "")
        text = QCoreApplication.translate("Refusal", template) if template else ""
        try:
            text = text.format(**(answer.get("params") or {})) if text else ""
        except (KeyError, IndexError, ValueError):
            text = ""
        self.status.setText(text or str(answer.get("message") or answer.get("code") or ""))

    # -- areas and language ---------------------------------------------------------------------

    def _fill_areas(self) -> None:
        geography = self.rules.geography
        current = self.area.currentData()
        self.area.blockSignals(True)
        self.area.clear()
        if geography is not None:
            names = DisplayNames(ui_language(), self.rules)
            level = self.level.currentData()
            codes = geography.community_codes if level == "community" \
                else geography.street_codes
            name = names.community if level == "community" else names.street
            for code in sorted(codes, key=name):
                self.area.addItem(name(code), code)
        found = self.area.findData(current)
        self.area.setCurrentIndex(max(0, found))
        self.area.blockSignals(False)

    def retranslate(self) -> None:
        current = self.level.currentData()
        self.level.blockSignals(True)
        self.level.clear()
        for code, label in LEVELS:
            self.level.addItem(translate("WorkersDock", str(label)), code)
        self.level.setCurrentIndex(max(0, self.level.findData(current)))
        self.level.blockSignals(False)
        self._fill_areas()
        self.table.setHorizontalHeaderLabels([translate("WorkersDock", str(h)) for h, _ in COLUMNS])
        self.show_button.setText(translate("WorkersDock", "Show"))
        self.export_button.setText(translate("WorkersDock", "Export month (.xlsx)…"))
        self.replay_button.setText(translate("WorkersDock", "Replay on the map"))
        if self._detail is not None and self._detail.get("rows"):
            self.figures.setText(self._figures_html(self._detail["rows"][0],
                                                    str(self._detail.get("day"))))
        else:
            self.figures.setText(translate("WorkersDock", "Choose a worker to see the day."))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
