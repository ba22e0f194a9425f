"""The Audit dock (admin role only): the hub's audit trail read a page at a time, and its chain
verified by the hub (docs/security.md "The audit trail").

Filters (the period, a user, an action prefix), a table — time, user, action, subject, address,
client, detail — newest first, "Older" for the next page, and "Verify chain", which the hub
answers after walking the chain on a worker thread. Every request goes through the bridge and
is answered later on the GUI thread: the dock never waits. Each reading is itself on the
trail (``audit.read``, ``audit.verify``).
"""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.comms.bridge import Bridge
from console.ui.times import local

translate = QCoreApplication.translate  # the name pyside6-lupdate looks for

HEADERS = [QT_TRANSLATE_NOOP("AuditDock", "Time"), QT_TRANSLATE_NOOP("AuditDock", "User"),
           QT_TRANSLATE_NOOP("AuditDock", "Action"), QT_TRANSLATE_NOOP("AuditDock", "Subject"),
           QT_TRANSLATE_NOOP("AuditDock", "Address"), QT_TRANSLATE_NOOP("AuditDock", "Client"),
           QT_TRANSLATE_NOOP("AuditDock", "Detail")]
#: The periods the dock offers, back from now (None: the whole trail).
PERIODS: list[tuple[object, timedelta | None]] = [
    (QT_TRANSLATE_NOOP("AuditDock", "Last hour"), timedelta(hours=1)),
    (QT_TRANSLATE_NOOP("AuditDock", "Last 24 hours"), timedelta(days=1)),
    (QT_TRANSLATE_NOOP("AuditDock", "Last 7 days"), timedelta(days=7)),
    (QT_TRANSLATE_NOOP("AuditDock", "Last 30 days"), timedelta(days=30)),
    (QT_TRANSLATE_NOOP("AuditDock", "All"), None)]
#: The action prefixes offered (the field also takes any other).
ACTIONS = ["", "login.", "login.failed", "token.", "session.", "personal.", "search.",
           "export.", "admin.", "audit."]
#: The hub's reasons a chain does not verify (console/store/audit.py), for lupdate.
_WHY = [QT_TRANSLATE_NOOP("AuditDock", "row {missing} is missing"),
        QT_TRANSLATE_NOOP("AuditDock", "does not follow the row before it"),
        QT_TRANSLATE_NOOP("AuditDock", "its contents do not match its hash")]
#: The hub's refusal (console/hub/audit_requests.py), so lupdate files it under ``Refusal``.
_REFUSED = QT_TRANSLATE_NOOP("Refusal", "Only an administrator may read the audit trail.")
PAGE = 200


class AuditDock(QWidget):
    """The audit trail, for an administrator.

    Children (for tests): ``period`` (combo), ``user`` (line edit), ``action`` (editable
    combo), ``refresh_button``, ``older_button``, ``verify_button``, ``table``, ``status``.
    """

    def __init__(self, bridge: Bridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("auditDock")
        self.bridge = bridge
        self._next: int | None = None
        self._filters: dict[str, str] = {}
        self._asked = 0  # the latest request's number: older answers are dropped
        self.period = QComboBox(self)
        self.user = QLineEdit(self)
        self.user.setObjectName("auditUser")
        self.action = QComboBox(self)
        self.action.setEditable(True)
        self.action.addItems(ACTIONS)
        self.refresh_button = QPushButton(self)
        self.older_button = QPushButton(self)
        self.older_button.setEnabled(False)
        self.verify_button = QPushButton(self)
        self.table = QTableWidget(0, len(HEADERS), self)
        self.table.setObjectName("auditTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.status = QLabel(self)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.setWordWrap(True)
        self._labels = [QLabel(self) for _ in range(3)]
        filters = QHBoxLayout()
        for label, field in zip(self._labels, (self.period, self.user, self.action),
                                strict=True):
            label.setBuddy(field)
            filters.addWidget(label)
            filters.addWidget(field, 1)
        filters.addWidget(self.refresh_button)
        filters.addWidget(self.verify_button)
        column = QVBoxLayout(self)
        column.addLayout(filters)
        column.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.older_button)
        column.addLayout(bottom)
        self.refresh_button.clicked.connect(self.refresh)
        self.older_button.clicked.connect(self.older)
        self.verify_button.clicked.connect(self.verify)
        self.user.returnPressed.connect(self.refresh)
        self.retranslate()
        self.period.setCurrentIndex(1)

    # -- requests ------------------------------------------------------------------------------

    def filters(self) -> dict[str, str]:
        found: dict[str, str] = {}
        period = PERIODS[max(0, self.period.currentIndex())][1]
        if period is not None:
            # Real time, as the hub stamps the trail (not a demo's faster world clock).
            found["since"] = (datetime.now(UTC) - period).isoformat()
        if user := self.user.text().strip():
            found["user"] = user
        if action := self.action.currentText().strip():
            found["action"] = action
        return found

    def refresh(self) -> None:
        """Ask for the newest page under the filters; the table is replaced when it comes."""
        self._ask({"filters": self.filters(), "limit": PAGE}, replace=True)

    def older(self) -> None:
        """Ask for the page after the last one shown; its rows are added below."""
        if self._next is not None:
            self._ask({"filters": self._filters, "limit": PAGE, "before": self._next},
                      replace=False)

    def verify(self) -> None:
        """Ask the hub to walk the chain; the answer says where it breaks, if it does."""
        self._asked += 1
        number = self._asked
        self.verify_button.setEnabled(False)
        self.status.setText(translate("AuditDock", "Verifying the chain…"))
        self.bridge.request_audit({"verify": True},
                                  lambda answer: self._verified(number, answer))

    def _ask(self, fields: dict[str, Any], replace: bool) -> None:
        self._asked += 1
        number = self._asked
        self._filters = fields["filters"]
        self.refresh_button.setEnabled(False)
        self.older_button.setEnabled(False)
        self.status.setText(translate("AuditDock", "Reading the audit trail…"))
        self.bridge.request_audit(fields, lambda answer: self._page(number, answer, replace))

    # -- answers -------------------------------------------------------------------------------

    def _page(self, number: int, answer: dict[str, Any] | None, replace: bool) -> None:
        if number != self._asked:
            return
        self.refresh_button.setEnabled(True)
        if answer is None or answer.get("type") != "audit":
            self._failed(answer)
            return
        if replace:
            self.table.setRowCount(0)
        for row in answer.get("rows") or []:
            self._add(row)
        self._next = answer.get("next")
        self.older_button.setEnabled(self._next is not None)
        self.status.setText(translate("AuditDock", "{n} rows shown").format(
            n=self.table.rowCount()))

    def _add(self, row: dict[str, Any]) -> None:
        at = local(datetime.fromisoformat(str(row["at"])))
        detail = row.get("detail") or {}
        values = [at.strftime("%Y-%m-%d %H:%M:%S"), row.get("actor"), row.get("action"),
                  row.get("subject"), row.get("address"), row.get("client"),
                  json.dumps(detail, ensure_ascii=False) if detail else ""]
        index = self.table.rowCount()
        self.table.insertRow(index)
        for column, value in enumerate(values):
            item = QTableWidgetItem("" if value is None else str(value))
            item.setData(Qt.ItemDataRole.UserRole, row.get("seq"))
            self.table.setItem(index, column, item)

    def _verified(self, number: int, answer: dict[str, Any] | None) -> None:
        self.verify_button.setEnabled(True)
        if number != self._asked:
            return
        if answer is None or "verified" not in answer:
            self._failed(answer)
            return
        found = answer["verified"]
        head = str(found.get("head", ""))
        if found.get("broken_at") is None:
            self.status.setText(translate(
                "AuditDock", "The chain is sound: {rows} rows checked; head {head}").format(
                    rows=found.get("rows"), head=head))
            return
        why = str(found.get("template") or "")
        with contextlib.suppress(KeyError, IndexError, ValueError):
            why = translate("AuditDock", why).format(**(found.get("params") or {}))
        self.status.setText(translate(
            "AuditDock", "The chain is broken at row {row}: {why}. Rows before it: {rows}, "
            "head {head}").format(row=found["broken_at"], why=why,
                                  rows=int(found.get("rows", 1)) - 1, head=head))

    def _failed(self, answer: dict[str, Any] | None) -> None:
        if answer is None:
            self.status.setText(translate(
                "AuditDock", "The hub did not answer; try again when the console is connected."))
            return
        template = str(answer.get("template") or "")
        text = translate("Refusal", template) if template else ""
        try:
            text = text.format(**(answer.get("params") or {})) if text != template else ""
        except (KeyError, IndexError, ValueError):
            text = ""
        self.status.setText(text or str(answer.get("message") or answer.get("code") or ""))

    # -- language ------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.table.setHorizontalHeaderLabels([translate("AuditDock", str(h)) for h in HEADERS])
        current = max(0, self.period.currentIndex())
        self.period.clear()
        self.period.addItems([translate("AuditDock", str(name)) for name, _ in PERIODS])
        self.period.setCurrentIndex(current)
        self.action.setItemText(0, "")
        if (edit := self.action.lineEdit()) is not None:
            edit.setPlaceholderText(translate("AuditDock", "any action"))
        self.user.setPlaceholderText(translate("AuditDock", "any user"))
        for label, text in zip(self._labels, (translate("AuditDock", "&Period"),
                                              translate("AuditDock", "&User"),
                                              translate("AuditDock", "&Action")), strict=True):
            label.setText(text)
        self.refresh_button.setText(translate("AuditDock", "&Refresh"))
        self.older_button.setText(translate("AuditDock", "Older"))
        self.verify_button.setText(translate("AuditDock", "&Verify chain"))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._asked == 0:  # the first time it is looked at
            self.refresh()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
