"""The Reports dock: a shift handover, period statistics or the department assessment, computed
by the hub from the record (docs/reports.md), shown as a chart and tables, and exported as a
workbook or a PDF.

The duty leader, the controllers and the admin choose any report; a department desk gets the
department assessment alone, and the hub sends it only its own row. Periods are counted in the
district's time from the hub's clock: shifts change at 08:00 and 20:00, weeks start on Monday.
The request goes through the bridge and is answered later on the GUI thread: the dock never
waits, and an answer to an older request is dropped.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateTimeEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.comms.bridge import Bridge
from console.comms.clock import hub_clock
from console.domain.rules import Rules
from console.domain.sla import Stage
from console.ui.names import DisplayNames, stage_name, ui_language
from console.ui.report_export import (
    TITLES,
    Table,
    state_label,
    tables,
    title,
    write_pdf,
    write_xlsx,
)

translate = QCoreApplication.translate  # the name pyside6-lupdate looks for

#: The roles that see every report (a department desk sees its own assessment row).
CENTER_ROLES = frozenset({"duty_leader", "controller", "admin"})
PERIODS = ("this_shift", "last_shift", "today", "yesterday", "this_week", "last_week",
           "this_month", "last_month", "custom")
PERIOD_LABELS = {
    "this_shift": QT_TRANSLATE_NOOP("ReportsDock", "This shift"),
    "last_shift": QT_TRANSLATE_NOOP("ReportsDock", "Last shift"),
    "today": QT_TRANSLATE_NOOP("ReportsDock", "Today"),
    "yesterday": QT_TRANSLATE_NOOP("ReportsDock", "Yesterday"),
    "this_week": QT_TRANSLATE_NOOP("ReportsDock", "This week"),
    "last_week": QT_TRANSLATE_NOOP("ReportsDock", "Last week"),
    "this_month": QT_TRANSLATE_NOOP("ReportsDock", "This month"),
    "last_month": QT_TRANSLATE_NOOP("ReportsDock", "Last month"),
    "custom": QT_TRANSLATE_NOOP("ReportsDock", "From … to …"),
}
#: The hub's refusal (console/hub/report_requests.py), so lupdate files it under ``Refusal``.
_REFUSED = QT_TRANSLATE_NOOP("Refusal", "Your role does not see this report.")
SHIFT_HOURS = (8, 20)
_GREEN, _RED, _BLUE = "#1e8e3e", "#d93025", "#1a73e8"


def period_of(choice: str, now: datetime, zone: Any) -> tuple[datetime, datetime]:
    """The period a choice means at ``now`` (the custom one is the dock's own)."""
    local = now.astimezone(zone)
    today = datetime.combine(local.date(), time(0), tzinfo=zone)
    if choice in ("this_shift", "last_shift"):
        starts = [today + timedelta(days=d, hours=h) for d in (-1, 0) for h in SHIFT_HOURS]
        current = max(s for s in starts if s <= local)
        if choice == "this_shift":
            return current, now
        return current - timedelta(hours=12), current
    if choice == "today":
        return today, now
    if choice == "yesterday":
        return today - timedelta(days=1), today
    monday = today - timedelta(days=local.weekday())
    if choice == "this_week":
        return monday, now
    if choice == "last_week":
        return monday - timedelta(days=7), monday
    first = datetime.combine(date(local.year, local.month, 1), time(0), tzinfo=zone)
    if choice == "this_month":
        return first, now
    previous = (first - timedelta(days=1)).replace(day=1)
    return previous, first


class ReportsDock(QWidget):
    """Children (for tests): ``kind`` and ``period`` (combos), ``start`` and ``end``
    (date-time edits, for "From … to …"), ``run_button``, ``xlsx_button``, ``pdf_button``,
    ``chart`` (a pyqtgraph plot), ``tabs`` (one table each), ``status``; ``report`` is the last
    answer's report."""

    def __init__(self, bridge: Bridge, rules: Rules, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportsDock")
        self.bridge = bridge
        self.rules = rules
        self.zone = rules.calendar.tz
        self.report: dict[str, Any] | None = None
        self._answer: dict[str, Any] | None = None
        self._asked = 0
        self.kind = QComboBox(self)
        self.period = QComboBox(self)
        self.start = QDateTimeEdit(self)
        self.end = QDateTimeEdit(self)
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.run_button = QPushButton(self)
        self.xlsx_button = QPushButton(self)
        self.pdf_button = QPushButton(self)
        self.chart = pg.PlotWidget(self, background="w")
        self.chart.setObjectName("reportsChart")
        self.chart.setMinimumHeight(160)
        plot = self.chart.getPlotItem()
        plot.setMouseEnabled(False, False)
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.showGrid(x=True, y=True, alpha=0.2)
        self.tabs = QTabWidget(self)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.heading = QLabel(self)
        self.heading.setObjectName("reportsHeading")
        self.heading.setStyleSheet("font-weight: bold")
        self._labels = [QLabel(self) for _ in range(2)]
        top = QHBoxLayout()
        for label, field in zip(self._labels, (self.kind, self.period), strict=True):
            label.setBuddy(field)
            top.addWidget(label)
            top.addWidget(field, 1)
        top.addWidget(self.start)
        top.addWidget(self.end)
        top.addWidget(self.run_button)
        top.addWidget(self.xlsx_button)
        top.addWidget(self.pdf_button)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.chart)
        split.addWidget(self.tabs)
        split.setStretchFactor(1, 2)
        column = QVBoxLayout(self)
        column.addLayout(top)
        column.addWidget(self.heading)
        column.addWidget(split, 1)
        column.addWidget(self.status)
        self.period.currentIndexChanged.connect(self._period_changed)
        self.run_button.clicked.connect(self.run)
        self.xlsx_button.clicked.connect(lambda: self._save("xlsx"))
        self.pdf_button.clicked.connect(lambda: self._save("pdf"))
        self.retranslate()
        self.suit_user()
        self._period_changed()

    # -- choosing ------------------------------------------------------------------------------

    def suit_user(self) -> None:
        """A department desk gets its assessment alone."""
        user = self.bridge.replica.user
        center = user is None or bool(set(user.roles) & CENTER_ROLES)
        self.kind.setEnabled(center)
        if not center:
            self.kind.setCurrentIndex(self.kind.findData("departments"))

    def chosen_period(self) -> tuple[datetime, datetime]:
        choice = str(self.period.currentData())
        if choice == "custom":
            return (self.start.dateTime().toPython().replace(tzinfo=self.zone),  # type: ignore[union-attr]
                    self.end.dateTime().toPython().replace(tzinfo=self.zone))  # type: ignore[union-attr]
        return period_of(choice, hub_clock.now(), self.zone)

    def _period_changed(self) -> None:
        custom = self.period.currentData() == "custom"
        if not custom and self.period.currentData() is not None:
            start, end = self.chosen_period()
            for edit, at in ((self.start, start), (self.end, end)):
                edit.setDateTime(at.astimezone(self.zone).replace(tzinfo=None))
        self.start.setEnabled(custom)
        self.end.setEnabled(custom)

    # -- asking --------------------------------------------------------------------------------

    def run(self) -> None:
        """Ask the hub for the chosen report; it is shown when it comes."""
        start, end = self.chosen_period()
        if end <= start:
            self.status.setText(translate("ReportsDock", "The period must end after it starts."))
            return
        self._asked += 1
        number = self._asked
        self.run_button.setEnabled(False)
        self.status.setText(translate("ReportsDock", "The hub is computing the report…"))
        self.bridge.request_report(str(self.kind.currentData()), start, end,
                                   lambda answer: self._answered(number, answer))

    def _answered(self, number: int, answer: dict[str, Any] | None) -> None:
        if number != self._asked:
            return
        self.run_button.setEnabled(True)
        if answer is None:
            self.status.setText(translate(
                "ReportsDock", "The hub did not answer; try again when the console is connected."))
            return
        if answer.get("type") != "report":
            template = str(answer.get("template") or "")
            self.status.setText(translate("Refusal", template) if template
                                else str(answer.get("message") or ""))
            return
        self._answer = answer
        self.report = answer["report"]
        self.status.setText("")
        self._show()

    # -- showing -------------------------------------------------------------------------------

    def _period_of_answer(self) -> tuple[datetime, datetime]:
        assert self._answer is not None
        return (datetime.fromisoformat(self._answer["from"]).astimezone(self.zone),
                datetime.fromisoformat(self._answer["to"]).astimezone(self.zone))

    def _names(self) -> DisplayNames:
        return DisplayNames(ui_language(), self.rules, self.bridge.replica.taxonomy)

    def _show(self) -> None:
        answer = self._answer
        exportable = answer is not None
        self.xlsx_button.setEnabled(exportable)
        self.pdf_button.setEnabled(exportable)
        if answer is None:
            return
        kind, report = answer["kind"], answer["report"]
        self.heading.setText(title(kind, *self._period_of_answer()))
        names = self._names()
        current = self.tabs.currentIndex()
        self.tabs.clear()
        for table in tables(kind, report, names):
            self.tabs.addTab(_grid(table, self.tabs), table.caption)
        self.tabs.setCurrentIndex(max(0, current))
        self._chart(kind, report, names)

    def _chart(self, kind: str, report: dict[str, Any], names: DisplayNames) -> None:
        plot = self.chart.getPlotItem()
        plot.clear()
        if kind == "departments":
            rows = [r for r in report["departments"] if r["score"] is not None][:15]
            series = [([float(r["score"]) for r in rows], _BLUE)]
            ticks = [names.department(r["code"]) for r in rows]
            plot.setLabel("bottom", translate("Reports", "Score"))
        elif kind == "statistics":
            stages = list(report["stages"].items())
            series = [([float(v["on_time"]) for _, v in stages], _GREEN),
                      ([float(v["late"]) for _, v in stages], _RED)]
            ticks = [stage_name(Stage(s)) for s, _ in stages]
            label = translate("ReportsDock", "Runs in time (green) and late (red)")
            plot.setLabel("bottom", label)
        else:
            by_state = sorted(report["open_by_state"].items(), key=lambda kv: -kv[1])
            series = [([float(n) for _, n in by_state], _BLUE)]
            ticks = [state_label(s) for s, _ in by_state]
            plot.setLabel("bottom", translate("ReportsDock", "Open cases by state"))
        base = [0.0] * len(ticks)
        for values, colour in series:
            if values:
                plot.addItem(pg.BarGraphItem(x0=base, y=list(range(len(values))), height=0.7,
                                             width=values, brush=pg.mkBrush(QColor(colour)),
                                             pen=pg.mkPen(None)))
            base = [b + v for b, v in zip(base, values, strict=False)]
        plot.getAxis("left").setTicks([list(enumerate(ticks))])
        plot.getViewBox().invertY(True)
        plot.setRange(xRange=(0, max([1.0, *base]) * 1.1), yRange=(-0.6, max(len(ticks), 1) - 0.4),
                      padding=0)

    # -- exporting -----------------------------------------------------------------------------

    def _save(self, suffix: str) -> None:
        if self._answer is None:
            return
        kind = self._answer["kind"]
        start, end = self._period_of_answer()
        suggested = f"{kind}-{start:%Y%m%d}-{end:%Y%m%d}.{suffix}"
        chosen, _ = QFileDialog.getSaveFileName(
            self, translate("ReportsDock", "Export the report"), suggested,
            "Excel (*.xlsx)" if suffix == "xlsx" else "PDF (*.pdf)")
        if chosen:
            self.export(Path(chosen))

    def export(self, path: Path) -> None:
        """Write the last report to ``path`` (.xlsx or .pdf)."""
        assert self._answer is not None
        kind, report = self._answer["kind"], self._answer["report"]
        start, end = self._period_of_answer()
        try:
            if path.suffix.lower() == ".xlsx":
                write_xlsx(path, kind, report, start, end)
            else:
                write_pdf(path, kind, report, start, end, self._names())
        except OSError as error:
            self.status.setText(translate("ReportsDock", "Could not write {file}: {why}").format(
                file=path.name, why=error.strerror or error))
            return
        self.status.setText(translate("ReportsDock", "Written to {file}").format(file=path))

    # -- language ------------------------------------------------------------------------------

    def retranslate(self) -> None:
        for combo, items, context in ((self.kind, TITLES, "Reports"),
                                      (self.period, PERIOD_LABELS, "ReportsDock")):
            current = max(0, combo.currentIndex())
            combo.blockSignals(True)
            combo.clear()
            for code, label in items.items():
                combo.addItem(translate(context, str(label)), code)
            combo.setCurrentIndex(current)
            combo.blockSignals(False)
        self._labels[0].setText(translate("ReportsDock", "&Report"))
        self._labels[1].setText(translate("ReportsDock", "&Period"))
        self.run_button.setText(translate("ReportsDock", "&Run"))
        self.xlsx_button.setText(translate("ReportsDock", "Export .xlsx"))
        self.pdf_button.setText(translate("ReportsDock", "Export PDF"))
        self._show()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def _grid(table: Table, parent: QWidget) -> QTableWidget:
    grid = QTableWidget(len(table.rows), len(table.headers), parent)
    grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    grid.verticalHeader().hide()
    grid.setHorizontalHeaderLabels(list(table.headers))
    grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    grid.horizontalHeader().setStretchLastSection(True)
    for r, row in enumerate(table.rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            if c and text[:1].isdigit():
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.setItem(r, c, item)
    return grid
