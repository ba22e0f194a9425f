"""The fields of one incident as a form: its values, its units, extensions and time limits.

:class:`IncidentSheet` is the body of :class:`~console.views.incident_detail.IncidentDetail`:
it only shows what it is given. Labels keep the ``IncidentDetail`` context they were written
under.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFormLayout, QLabel, QTreeWidget, QTreeWidgetItem, QWidget

from console.comms.clock import hub_clock
from console.domain import deadlines, field
from console.domain.incident import DELIVERED, Incident
from console.domain.model import AssignmentState
from console.domain.rules import Rules
from console.ui.names import DisplayNames, priority_name, source_name, state_name
from console.ui.text import countdown_text
from console.views.incident_words import (
    ASSIGNMENT_STATES,
    EXTENSION_STATUS,
    EXTENSION_UNITS,
    stage_label,
    when_text,
)

translate = QCoreApplication.translate  # the name pyside6-lupdate looks for

#: The fields shown, in order: key → label.
FIELDS = {
    "id": QT_TRANSLATE_NOOP("IncidentDetail", "ID"),
    "state": QT_TRANSLATE_NOOP("IncidentDetail", "State"),
    "priority": QT_TRANSLATE_NOOP("IncidentDetail", "Priority"),
    "category": QT_TRANSLATE_NOOP("IncidentDetail", "Category"),
    "request_type": QT_TRANSLATE_NOOP("IncidentDetail", "Request type"),
    "source": QT_TRANSLATE_NOOP("IncidentDetail", "Source"),
    "police_case_no": QT_TRANSLATE_NOOP("IncidentDetail", "Police case no."),
    "police_code": QT_TRANSLATE_NOOP("IncidentDetail", "Police classification"),
    "created": QT_TRANSLATE_NOOP("IncidentDetail", "Registered"),
    "description": QT_TRANSLATE_NOOP("IncidentDetail", "Description"),
    "address": QT_TRANSLATE_NOOP("IncidentDetail", "Address"),
    "place": QT_TRANSLATE_NOOP("IncidentDetail", "Street / community / grid"),
    "reporter": QT_TRANSLATE_NOOP("IncidentDetail", "Reporter"),
    "lead_department": QT_TRANSLATE_NOOP("IncidentDetail", "Lead department"),
    "co_handlers": QT_TRANSLATE_NOOP("IncidentDetail", "Co-handlers"),
    "supervised": QT_TRANSLATE_NOOP("IncidentDetail", "Supervised"),
    "resolution": QT_TRANSLATE_NOOP("IncidentDetail", "Resolution"),
    "answer": QT_TRANSLATE_NOOP("IncidentDetail", "Answer"),
    "verification": QT_TRANSLATE_NOOP("IncidentDetail", "Verification"),
    "police": QT_TRANSLATE_NOOP("IncidentDetail", "Police"),
    "police_remarks": QT_TRANSLATE_NOOP("IncidentDetail", "Police remarks"),
    "merged_into": QT_TRANSLATE_NOOP("IncidentDetail", "Merged into"),
    "duplicates": QT_TRANSLATE_NOOP("IncidentDetail", "Duplicates"),
}


def _detail(text: str) -> tuple[str, str]:
    return ("IncidentDetail", text)


def police_code_text(inc: Incident) -> str:
    """The police's own code of a diverted case, and whether it still awaits classification."""
    if inc.awaiting_classification:
        return translate("IncidentDetail", "{code} — awaiting classification").format(
            code=inc.police_code or "?")
    return inc.police_code or ""


def reporter_text(inc: Incident, revealed: Mapping[str, Any] | None = None) -> str:
    """The reporter as this user may see it: in full once revealed, else as the feed has it
    (masked, or withheld), with the confidential mark."""
    who = revealed.get("reporter") if revealed else None
    if isinstance(who, Mapping):
        text = "  ".join(str(p) for p in (who.get("name"), who.get("phone")) if p)
    elif inc.reporter.withheld:
        text = translate("IncidentDetail", "(not shown to you)")
    else:
        text = "  ".join(p for p in (inc.reporter.name, inc.reporter.phone) if p)
    if inc.confidential:
        mark = translate("IncidentDetail", "Confidential")
        text = f"{text}  [{mark}]".strip()
    return text


class IncidentSheet(QWidget):
    """The form of one incident.

    Args:
        rules: for the names of request types.

    Attributes: ``fields`` (key of :data:`FIELDS` → value label), ``assignments``,
    ``extensions`` and ``clocks`` (the lists).
    """

    def __init__(self, rules: Rules, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rules = rules
        form = QFormLayout(self)
        self.fields: dict[str, QLabel] = {}
        # (label, source text, context) and (tree, header sources), retranslated on a switch.
        self._labels: list[tuple[QLabel, str, str]] = []
        self._headers: list[tuple[QTreeWidget, list[tuple[str, str]]]] = []
        for key, label in FIELDS.items():
            value = QLabel(self)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields[key] = value
            self._row(form, label, value)
        self.assignments = self._tree([
            _detail(QT_TRANSLATE_NOOP("IncidentDetail", "Unit")),
            _detail(QT_TRANSLATE_NOOP("IncidentDetail", "Status")),
            *(("IncidentActions", ASSIGNMENT_STATES[s]) for s in AssignmentState),
            _detail(QT_TRANSLATE_NOOP("IncidentDetail", "On device"))])
        self._row(form, QT_TRANSLATE_NOOP("IncidentDetail", "Units"), self.assignments)
        self.extensions = self._tree([
            _detail(QT_TRANSLATE_NOOP("IncidentDetail", "Request")),
            _detail(QT_TRANSLATE_NOOP("IncidentDetail", "Deadline")),
            _detail(QT_TRANSLATE_NOOP("IncidentDetail", "Extra")),
            _detail(QT_TRANSLATE_NOOP("IncidentDetail", "Status")),
            _detail(QT_TRANSLATE_NOOP("IncidentDetail", "Reason"))])
        self._row(form, QT_TRANSLATE_NOOP("IncidentDetail", "Extensions"), self.extensions)
        self.clocks = self._tree([
            _detail(QT_TRANSLATE_NOOP("IncidentDetail", "Deadline")),
            _detail(QT_TRANSLATE_NOOP("IncidentDetail", "Started")),
            _detail(QT_TRANSLATE_NOOP("IncidentDetail", "Due")),
            _detail(QT_TRANSLATE_NOOP("IncidentDetail", "Remaining"))])
        self._row(form, QT_TRANSLATE_NOOP("IncidentDetail", "Time limits"), self.clocks)

    def _row(self, form: QFormLayout, label: str, value: QWidget) -> None:
        name = QLabel(translate("IncidentDetail", label), self)
        self._labels.append((name, label, "IncidentDetail"))
        form.addRow(name, value)

    def retranslate(self) -> None:
        """The row labels and list headers in the language now installed."""
        for name, source, context in self._labels:
            name.setText(translate(context, source))
        for tree, headers in self._headers:
            tree.setHeaderLabels([translate(c, h) for c, h in headers])

    def clear(self) -> None:
        for value in self.fields.values():
            value.clear()
        for tree in (self.assignments, self.extensions, self.clocks):
            tree.clear()

    def fill(self, inc: Incident, names: DisplayNames,
             revealed: Mapping[str, Any] | None = None,
             people: Mapping[str, str] | None = None) -> None:
        """Show ``inc``: every field, its units and extensions, and its time limits;
        ``revealed``: the hub's answer to "Show reporter" (reporter and description in full)."""
        state = state_name(inc.state)
        priority = priority_name(inc.priority)
        loc = inc.location
        place = [names.street(loc.street) if loc.street else "",
                 names.community(loc.community) if loc.community else "", loc.grid or ""]
        try:
            request_type = self._rules.taxonomy.request_type(inc.request_type.value).name(
                names.language)
        except ValueError:
            request_type = inc.request_type.value
        yes = translate("IncidentDetail", "Yes")
        verification = ""
        if inc.verified_at is not None:
            verification = translate("IncidentDetail", "by {who} at {when}").format(
                who=(people or {}).get(inc.verified_by or "", inc.verified_by or ""),
                when=when_text(inc.verified_at))
        police = ""
        if inc.escalated_from is not None:
            police = (translate("IncidentDetail", "Acknowledged by the police")
                      if inc.police_acknowledged
                      else translate("IncidentDetail", "Waiting for the police"))
        elif inc.police is not None and inc.police.diverted:
            police = translate("IncidentDetail", "Diverted by {center}").format(
                center=inc.police.center or "")
        if inc.police is not None and inc.police.pending:
            police += "  " + translate("IncidentDetail", "({n} not yet received by the police)"
                                       ).format(n=len(inc.police.pending))
        values = {
            "id": inc.id, "state": state, "priority": priority,
            "category": f"{names.category(inc.category)} ({inc.category})",
            "police_code": police_code_text(inc),
            "request_type": request_type,
            "source": source_name(inc.source),
            "police_case_no": inc.police_case_no or "",
            "police_remarks": "；".join(inc.police.remarks) if inc.police else "",
            "created": f"{when_text(inc.created_at)}  "
                       f"{(people or {}).get(inc.created_by, inc.created_by)}",
            "description": str(revealed.get("description", inc.description)) if revealed
            else inc.description,
            "address": f"{loc.address}  ({loc.lat:.5f}, {loc.lon:.5f})",
            "place": " / ".join(p for p in place if p),
            "reporter": reporter_text(inc, revealed),
            "lead_department": names.department(inc.lead_department)
            if inc.lead_department else "",
            "co_handlers": ", ".join(names.department(c) for c in inc.co_handlers),
            "supervised": yes if inc.supervised else "",
            "resolution": inc.resolution or "",
            "answer": inc.answer or "",
            "verification": verification,
            "police": police,
            "merged_into": inc.merged_into or "",
            "duplicates": ", ".join(inc.duplicates),
        }
        for key, text in values.items():
            self.fields[key].setText(text)
        self.assignments.clear()
        for a in inc.assignments:
            times = dict(a.times)
            unit = a.unit if a.purpose != "verify" else translate(
                "IncidentDetail", "{unit} (verify on site)").format(unit=a.unit)
            QTreeWidgetItem(self.assignments, [
                unit, translate("IncidentActions", ASSIGNMENT_STATES[a.state]),
                *(when_text(times.get(s.value)) for s in AssignmentState), ""])
        self.extensions.clear()
        for x in inc.extensions:
            unit = translate("IncidentActions", EXTENSION_UNITS.get(x.unit, x.unit))
            QTreeWidgetItem(self.extensions, [
                x.id, stage_label(x.stage), f"+{x.value} {unit}",
                translate("IncidentTimeline", EXTENSION_STATUS.get(x.status, x.status)),
                x.reason])
        self.fill_clocks(inc)

    def fill_clocks(self, inc: Incident) -> None:
        """Show the time limits of ``inc`` again (each second: their countdowns move), and
        whether each dispatch is on its unit's device (flagged once it is late)."""
        self.clocks.clear()
        now = hub_clock.now()
        column = len(AssignmentState) + 2
        for i, a in enumerate(inc.assignments[:self.assignments.topLevelItemCount()]):
            item = self.assignments.topLevelItem(i)
            late = field.undelivered(a, now)
            delivered = a.time_of(DELIVERED)
            item.setText(column, when_text(delivered) if delivered else translate(
                "IncidentDetail", "not delivered") if late else "")
            item.setData(column, Qt.ItemDataRole.ForegroundRole,
                         QColor("#c00000") if late else None)
        for clock in deadlines.clocks(inc, self._rules):
            if clock.running:
                remaining = clock.remaining(now)
                status = (translate("IncidentDetail", "overdue by {time}") if clock.overdue(now)
                          else translate("IncidentDetail", "{time} left")).format(
                    time=countdown_text(abs(remaining)))
            elif clock.met:
                status = translate("IncidentDetail", "met")
            else:
                status = translate("IncidentDetail", "late")
            QTreeWidgetItem(self.clocks, [stage_label(clock.stage.value),
                                          when_text(clock.started_at), when_text(clock.due_at),
                                          status])

    def _tree(self, headers: list[tuple[str, str]]) -> QTreeWidget:
        tree = QTreeWidget(self)
        tree.setRootIsDecorated(False)
        tree.setHeaderLabels([translate(c, h) for c, h in headers])
        self._headers.append((tree, headers))
        tree.setMaximumHeight(110)
        return tree
