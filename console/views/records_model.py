"""The Records dock's result (console/views/records_dock.py): a table model over the hub's
``search`` answers that pages as the view scrolls, and the spreadsheet a result is exported to.

:class:`RecordModel` asks the first page when a search starts and the next one (the answer's
``next`` cursor) when the view wants more rows (``canFetchMore``/``fetchMore``, which a view
calls as it scrolls near the end). Answers come back on the GUI thread through the bridge; one
to a search no longer shown is dropped. Rows are the hub's, already scoped and masked by role;
``Qt.UserRole`` gives a row's incident id.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import shiboken6
import xlsxwriter
from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from console.comms.bridge import Bridge
from console.domain.model import IncidentState, Priority
from console.ui.names import DisplayNames, priority_name, state_name
from console.ui.times import time_text

translate = QCoreApplication.translate  # the name pyside6-lupdate looks for

COLUMNS = ("id", "created_at", "category", "state", "priority", "address", "lead_department",
           "reporter")
HEADERS = (QT_TRANSLATE_NOOP("RecordsDock", "Case"), QT_TRANSLATE_NOOP("RecordsDock", "Created"),
           QT_TRANSLATE_NOOP("RecordsDock", "Category"), QT_TRANSLATE_NOOP("RecordsDock", "State"),
           QT_TRANSLATE_NOOP("RecordsDock", "Priority"),
           QT_TRANSLATE_NOOP("RecordsDock", "Address"),
           QT_TRANSLATE_NOOP("RecordsDock", "Department"),
           QT_TRANSLATE_NOOP("RecordsDock", "Reporter"))
#: Rows asked per page while scrolling, and per page while gathering an export.
PAGE = 100
EXPORT_PAGE = 500
_Index = QModelIndex | QPersistentModelIndex


class RecordModel(QAbstractTableModel):
    """The rows of one search, a page at a time.

    Signals:
        answered(int): a page came; the number of all rows that match (the first page's).
        failed(object): the hub refused the search (its ``error`` answer) or did not answer
            (None).
    """

    answered = Signal(int)
    failed = Signal(object)

    def __init__(self, bridge: Bridge, names: DisplayNames) -> None:
        super().__init__()
        self._bridge = bridge
        self.names = names
        self.rows: list[dict[str, Any]] = []
        self.filters: dict[str, Any] | None = None
        self.total = 0
        self._next: str | None = None
        self._waiting = False
        self._asked = 0  # the number of the search shown; answers to older ones are dropped

    # -- searching -----------------------------------------------------------------------------

    def search(self, filters: dict[str, Any]) -> None:
        """Start a search: the rows go, the first page is asked."""
        self.beginResetModel()
        self.rows = []
        self.total = 0
        self._next = None
        self.filters = dict(filters)
        self._asked += 1
        self.endResetModel()
        self._ask(None)

    @property
    def waiting(self) -> bool:
        return self._waiting

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._next is not None and not self._waiting

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self._ask(self._next)

    def _ask(self, cursor: str | None) -> None:
        assert self.filters is not None
        self._waiting = True
        number = self._asked
        self._bridge.request_search(
            {"filters": self.filters, "limit": PAGE, "cursor": cursor},
            lambda answer: self._page(number, answer))

    def _page(self, number: int, answer: dict[str, Any] | None) -> None:
        if not shiboken6.isValid(self) or number != self._asked:
            return
        self._waiting = False
        if answer is None or answer.get("type") != "search":
            self.failed.emit(answer)
            return
        rows = [row for row in answer.get("rows") or [] if isinstance(row, dict)]
        if rows:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(rows) - 1)
            self.rows.extend(rows)
            self.endInsertRows()
        if self._next is None and len(self.rows) == len(rows):  # the first page
            self.total = int(answer.get("total") or 0)
        next_cursor = answer.get("next")
        self._next = next_cursor if isinstance(next_cursor, str) else None
        self.answered.emit(self.total)

    # -- the table -----------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.UserRole:
            return row.get("id")
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return cell_text(row, COLUMNS[index.column()], self.names)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(HEADERS):
            return translate("RecordsDock", HEADERS[section])
        return None

    def renamed(self, names: DisplayNames) -> None:
        """Show the rows with ``names`` (a language switch)."""
        self.names = names
        if self.rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self.rows) - 1, len(COLUMNS) - 1))
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)


def cell_text(row: dict[str, Any], column: str, names: DisplayNames) -> str:
    """One cell of a ``search`` row as the table (and the export) shows it."""
    value = row.get(column)
    try:
        if column == "created_at":
            return time_text(datetime.fromisoformat(str(value)), "%Y-%m-%d %H:%M")
        if column == "category":
            return names.category(str(value))
        if column == "state":
            return state_name(IncidentState(value))
        if column == "priority":
            return priority_name(Priority(value))
        if column == "lead_department":
            return names.department(str(value)) if value else ""
        if column == "reporter":
            reporter = value if isinstance(value, dict) else {}
            return " ".join(str(reporter.get(k) or "") for k in ("name", "phone")).strip()
    except ValueError:
        pass
    return "" if value is None else str(value)


def gather(bridge: Bridge, filters: dict[str, Any], most: int,
           done: Callable[[list[dict[str, Any]] | None, bool], None],
           still_wanted: Callable[[], bool]) -> None:
    """Ask every page of ``filters`` (up to ``most`` rows) one after another, then call
    ``done(rows, cut)`` (``cut``: more matched than ``most``), or ``done(None, False)`` when
    the hub refused or did not answer. Stops quietly once ``still_wanted()`` is False."""
    rows: list[dict[str, Any]] = []

    def page(answer: dict[str, Any] | None) -> None:
        if not still_wanted():
            return
        if answer is None or answer.get("type") != "search":
            done(None, False)
            return
        rows.extend(row for row in answer.get("rows") or [] if isinstance(row, dict))
        cursor = answer.get("next")
        if isinstance(cursor, str) and len(rows) < most:
            ask(cursor)
        else:
            done(rows[:most], isinstance(cursor, str) or len(rows) > most)

    def ask(cursor: str | None) -> None:
        bridge.request_search({"filters": filters, "limit": EXPORT_PAGE, "cursor": cursor},
                              page)

    ask(None)


def write_xlsx(path: Path, headers: Sequence[str], lines: Sequence[Sequence[str]],
               sheet: str) -> None:
    """A workbook at ``path`` with one sheet: ``headers`` (bold, frozen) over ``lines``."""
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False,
                                              "strings_to_formulas": False,
                                              "strings_to_urls": False})
    try:
        worksheet = workbook.add_worksheet(sheet[:31])
        bold = workbook.add_format({"bold": True})
        worksheet.write_row(0, 0, list(headers), bold)
        for number, line in enumerate(lines, start=1):
            worksheet.write_row(number, 0, list(line))
        worksheet.freeze_panes(1, 0)
        widths = [max([len(h), *(len(line[c]) for line in lines[:200])], default=8)
                  for c, h in enumerate(headers)]
        for column, width in enumerate(widths):
            worksheet.set_column(column, column, min(60, width + 2))
    finally:
        workbook.close()
