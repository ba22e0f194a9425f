"""The Records dock (档案查询): the whole record searched on the hub (docs/protocol.md "Search"),
not only the replica's day.

A form of the search's filters — words, phone, category or group, department, state,
satisfaction, ever overdue, ever supervised, created and closed date ranges — a result table
that asks the next page as it is scrolled (console/views/records_model.py), a case opened in
the detail on a double click or Enter (:attr:`RecordsDock.open_incident`; the detail reads a
past case from the hub), and the result exported to an ``.xlsx`` file. Everything goes through
the bridge and is answered later on the GUI thread; the file is written on a thread of its own.
Rows are as the hub shows them to this user (scoped and masked by role); a search by phone or by
words that may be a name is on the audit trail (``search.personal``), every page of it.
"""

from __future__ import annotations

import threading
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QDate,
    QEvent,
    QModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.comms.bridge import Bridge
from console.comms.client import CommandResult
from console.comms.clock import hub_clock
from console.domain.model import IncidentState
from console.domain.record import SATISFACTION
from console.domain.rules import Rules
from console.ui.names import DisplayNames, state_name, ui_language
from console.ui.text import result_text
from console.ui.times import shown_zone
from console.views.records_model import (
    COLUMNS,
    HEADERS,
    RecordModel,
    cell_text,
    gather,
    write_xlsx,
)

translate = QCoreApplication.translate  # the name pyside6-lupdate looks for

#: The most rows one export writes (the rest of a larger result is left out, and said so).
MOST_EXPORTED = 10_000
SATISFACTION_NAMES = {
    "satisfied": QT_TRANSLATE_NOOP("RecordsDock", "Satisfied"),
    "basically_satisfied": QT_TRANSLATE_NOOP("RecordsDock", "Basically satisfied"),
    "dissatisfied": QT_TRANSLATE_NOOP("RecordsDock", "Dissatisfied"),
}
_ANY = QT_TRANSLATE_NOOP("RecordsDock", "Any")
_YES = QT_TRANSLATE_NOOP("RecordsDock", "Yes")
_NO = QT_TRANSLATE_NOOP("RecordsDock", "No")


class RecordsDock(QWidget):
    """Search the record, page through the result, open a case, export the result.

    Children (for tests): ``text``, ``phone``, ``category``, ``department``, ``state``,
    ``satisfaction``, ``overdue``, ``supervised`` (combos of any/yes/no), ``created_on`` /
    ``created_from`` / ``created_to`` and ``closed_on`` / ``closed_from`` / ``closed_to``,
    ``search_button``, ``export_button``, ``table``, ``model``, ``status``.

    Signals:
        open_incident(str): a case of the result was opened.
        exported(str, int): the result was written to a file (its path, the rows written).
    """

    open_incident = Signal(str)
    exported = Signal(str, int)
    _written = Signal(str, int, bool, str)

    def __init__(self, bridge: Bridge, rules: Rules, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recordsDock")
        self._bridge = bridge
        self._rules = rules
        self._names = DisplayNames(ui_language(), rules, bridge.replica.taxonomy)
        self._exporting = 0  # the export under way (0: none); a newer one drops an older one
        self.text = QLineEdit(self)
        self.phone = QLineEdit(self)
        self.category = QComboBox(self)
        self.department = QComboBox(self)
        self.state = QComboBox(self)
        self.satisfaction = QComboBox(self)
        self.overdue = QComboBox(self)
        self.supervised = QComboBox(self)
        self.created_on, self.created_from, self.created_to = self._range()
        self.closed_on, self.closed_from, self.closed_to = self._range()
        self.search_button = QPushButton(self)
        self.search_button.setDefault(True)
        self.export_button = QPushButton(self)
        self.export_button.setEnabled(False)
        self.model = RecordModel(bridge, self._names)
        self.model.setParent(self)
        self.table = QTableView(self)
        self.table.setObjectName("recordsTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(
            self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for number, chars in enumerate((24, 17, 14, 8, 7, 18, 12)):  # id, time, …, department
            header.resizeSection(number, self.table.fontMetrics().averageCharWidth() * chars
                                 + 16)
        self.status = QLabel(self)
        self.status.setObjectName("recordsStatus")
        self.status.setWordWrap(True)

        self._labels: dict[str, QLabel] = {}
        grid = QGridLayout()
        cells: list[tuple[str, QWidget]] = [
            ("text", self.text), ("phone", self.phone), ("category", self.category),
            ("department", self.department), ("state", self.state),
            ("satisfaction", self.satisfaction), ("overdue", self.overdue),
            ("supervised", self.supervised)]
        for number, (key, widget) in enumerate(cells):
            label = self._labels[key] = QLabel(self)
            label.setBuddy(widget)
            grid.addWidget(label, number // 4, (number % 4) * 2)
            grid.addWidget(widget, number // 4, (number % 4) * 2 + 1)
            if isinstance(widget, QComboBox):
                widget.setSizeAdjustPolicy(
                    QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
                widget.setMinimumContentsLength(8)
        for column in range(4):
            grid.setColumnStretch(column * 2 + 1, 1)
        for row, (on, start, end) in enumerate(((self.created_on, self.created_from,
                                                 self.created_to),
                                                (self.closed_on, self.closed_from,
                                                 self.closed_to)), start=2):
            dates = QHBoxLayout()
            dates.addWidget(on)
            dates.addWidget(start)
            dates.addWidget(QLabel("–", self))
            dates.addWidget(end)
            dates.addStretch(1)
            grid.addLayout(dates, row, 0, 1, 4)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.search_button)
        buttons.addWidget(self.export_button)
        grid.addLayout(buttons, 3, 4, 1, 4)
        column = QVBoxLayout(self)
        column.addLayout(grid)
        column.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        column.addLayout(bottom)

        self.search_button.clicked.connect(self.search)
        self.export_button.clicked.connect(self._ask_export_file)
        for edit in (self.text, self.phone):
            edit.returnPressed.connect(self.search)
        self.table.activated.connect(self._open)
        self.table.doubleClicked.connect(self._open)
        self.model.answered.connect(self._answered)
        self.model.failed.connect(self._failed)
        self._written.connect(self._on_written)
        enter = QShortcut(QKeySequence("Ctrl+Return"), self)
        enter.activated.connect(self.search)
        today = hub_clock.now().astimezone(shown_zone()).date()
        self.set_dates(today - timedelta(days=30), today)
        self.retranslate()

    def _range(self) -> tuple[QCheckBox, QDateEdit, QDateEdit]:
        on = QCheckBox(self)
        edits = []
        for _ in range(2):
            edit = QDateEdit(self)
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
            on.toggled.connect(edit.setEnabled)
            edits.append(edit)
        return on, edits[0], edits[1]

    # -- the search ----------------------------------------------------------------------------

    def filters(self) -> dict[str, Any]:
        """The form as the ``filters`` of a search (only what is given)."""
        found: dict[str, Any] = {}
        if text := self.text.text().strip():
            found["text"] = text
        if phone := self.phone.text().strip():
            found["phone"] = phone
        for key, combo in (("category", self.category), ("department", self.department),
                           ("state", self.state), ("satisfaction", self.satisfaction),
                           ("ever_overdue", self.overdue), ("ever_supervised", self.supervised)):
            if (value := combo.currentData()) is not None:
                found[key] = value
        for key, on, start, end in (("created", self.created_on, self.created_from,
                                     self.created_to),
                                    ("closed", self.closed_on, self.closed_from, self.closed_to)):
            if on.isChecked():
                found[f"{key}_from"] = _day_start(start.date().toPython()).isoformat()
                found[f"{key}_to"] = _day_start(end.date().toPython()
                                                + timedelta(days=1)).isoformat()
        return found

    def search(self) -> None:
        """Search the record with the form's filters; the table fills as the pages come."""
        self.status.setText(translate("RecordsDock", "Searching the record…"))
        self.export_button.setEnabled(False)
        self.model.search(self.filters())

    def _answered(self, total: int) -> None:
        self.export_button.setEnabled(total > 0)
        self.status.setText(translate("RecordsDock", "{shown} of {total} cases shown").format(
            shown=self.model.rowCount(), total=total))

    def _failed(self, answer: dict[str, Any] | None) -> None:
        self.status.setText(_failure(answer))

    def _open(self, index: QModelIndex) -> None:
        incident = self.model.data(self.model.index(index.row(), 0),
                                   Qt.ItemDataRole.UserRole) if index.isValid() else None
        if isinstance(incident, str):
            self.open_incident.emit(incident)

    # -- export --------------------------------------------------------------------------------

    def _ask_export_file(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, translate("RecordsDock", "Export the result"),
            f"records-{hub_clock.now():%Y%m%d-%H%M}.xlsx",
            translate("RecordsDock", "Excel workbook (*.xlsx)"))
        if path:
            self.export(Path(path if path.endswith(".xlsx") else path + ".xlsx"))

    def export(self, path: Path) -> None:
        """Write every row of the search shown (up to :data:`MOST_EXPORTED`) to ``path``: the
        pages not yet shown are asked first; the file is written off the GUI thread."""
        filters = self.model.filters
        if filters is None:
            return
        self._exporting += 1
        number = self._exporting
        self.export_button.setEnabled(False)
        self.status.setText(translate("RecordsDock", "Gathering the result for export…"))
        headers = [translate("RecordsDock", h) for h in HEADERS]
        names = self._names

        def gathered(rows: list[dict[str, Any]] | None, cut: bool) -> None:
            if rows is None:
                self.export_button.setEnabled(True)
                self.status.setText(_failure(None))
                return
            lines = [[cell_text(row, c, names) for c in COLUMNS] for row in rows]
            sheet = translate("RecordsDock", "Records")
            threading.Thread(target=self._write, name="records-export", daemon=True,
                             args=(path, headers, lines, sheet, cut)).start()

        gather(self._bridge, filters, MOST_EXPORTED, gathered,
               lambda: number == self._exporting)

    def _write(self, path: Path, headers: list[str], lines: list[list[str]], sheet: str,
               cut: bool) -> None:
        try:
            write_xlsx(path, headers, lines, sheet)
        except OSError as error:
            self._written.emit(str(path), 0, cut, str(error))
            return
        self._written.emit(str(path), len(lines), cut, "")

    def _on_written(self, path: str, rows: int, cut: bool, error: str) -> None:
        self.export_button.setEnabled(self.model.total > 0)
        if error:
            self.status.setText(translate("RecordsDock", "Could not write {path}: {error}")
                                .format(path=path, error=error))
            return
        text = translate("RecordsDock", "{rows} cases exported to {path}").format(
            rows=rows, path=path)
        if cut:
            text += " " + translate("RecordsDock", "(the first {most}; narrow the search for "
                                    "the rest)").format(most=MOST_EXPORTED)
        self.status.setText(text)
        self.exported.emit(path, rows)

    # -- language ------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self._names = DisplayNames(ui_language(), self._rules, self._bridge.replica.taxonomy)
        words = {"text": translate("RecordsDock", "&Words"),
                 "phone": translate("RecordsDock", "&Phone"),
                 "category": translate("RecordsDock", "&Category"),
                 "department": translate("RecordsDock", "&Department"),
                 "state": translate("RecordsDock", "S&tate"),
                 "satisfaction": translate("RecordsDock", "Satis&faction"),
                 "overdue": translate("RecordsDock", "Ever &overdue"),
                 "supervised": translate("RecordsDock", "Ever s&upervised")}
        for key, label in self._labels.items():
            label.setText(words[key])
        self.text.setPlaceholderText(translate(
            "RecordsDock", "in the description, the address or the caller's name"))
        self.phone.setPlaceholderText("13800000001")
        taxonomy = self._rules.taxonomy
        language = self._names.language
        _refill(self.category, [
            *((group.name(language), group.code) for group in taxonomy.groups),
            *(("  " + self._names.category(c.code), c.code) for c in taxonomy.categories)])
        _refill(self.department, [(d.name(language), d.code) for d in taxonomy.departments])
        _refill(self.state, [(state_name(s), s.value) for s in IncidentState])
        _refill(self.satisfaction, [(translate("RecordsDock", SATISFACTION_NAMES[s]), s)
                                    for s in SATISFACTION])
        for combo in (self.overdue, self.supervised):
            _refill(combo, [(translate("RecordsDock", _YES), True),
                            (translate("RecordsDock", _NO), False)])
        self.created_on.setText(translate("RecordsDock", "Created between"))
        self.closed_on.setText(translate("RecordsDock", "Closed between"))
        self.search_button.setText(translate("RecordsDock", "&Search"))
        self.export_button.setText(translate("RecordsDock", "E&xport…"))
        self.export_button.setToolTip(translate(
            "RecordsDock", "Save the whole result as an Excel workbook (.xlsx)"))
        self.model.renamed(self._names)
        if self.model.filters is not None and not self.model.waiting:
            self._answered(self.model.total)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def set_dates(self, start: date, end: date) -> None:
        """Preset both date ranges' edits to [start, end] (the dock opens on the last month)."""
        for first, last in ((self.created_from, self.created_to),
                            (self.closed_from, self.closed_to)):
            first.setDate(QDate(start.year, start.month, start.day))
            last.setDate(QDate(end.year, end.month, end.day))


def _refill(combo: QComboBox, choices: list[tuple[str, Any]]) -> None:
    """``combo`` with "Any" then ``choices`` (text, data), keeping the choice made."""
    kept = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    combo.addItem(translate("RecordsDock", _ANY), None)
    for text, data in choices:
        combo.addItem(text, data)
    combo.setCurrentIndex(max(0, combo.findData(kept)) if kept is not None else 0)
    combo.blockSignals(False)


def _day_start(day: date) -> datetime:
    """Midnight at the start of ``day`` in the zone the console shows times in."""
    return datetime.combine(day, time(0), shown_zone())


def _failure(answer: dict[str, Any] | None) -> str:
    if answer is None:
        return translate("RecordsDock",
                         "The hub did not answer; search again when the console is connected.")
    params = answer.get("params")
    return result_text(CommandResult("", False, code=str(answer.get("code") or ""),
                                     message=str(answer.get("message") or ""),
                                     template=answer.get("template"),
                                     params=params if isinstance(params, dict) else {}))
