"""What a dispatcher can do to an incident: the action table and the small dialogs that ask for
the arguments of a command.

:data:`ACTIONS` lists every incident command a console issues (the police peer's own
acknowledge/reject/dispose come over ``/police`` and have no button), with its label and its
shortcut. Whether an action is allowed is never decided here: the detail asks
:func:`console.domain.commands.allowed_actions`.

Each dialog reads what it offers from the replica (open incidents to merge into, units by
distance, pending extension requests, active assignments) and checks only what the user typed
(an empty reason, no unit chosen) before the hub checks the rest. The dialogs are opened with
``open()``, never ``exec()``: the GUI keeps running, and a test fills a dialog's widgets (they
are public attributes) and calls ``accept()``. ``accept()`` refuses to close while a field is
wrong and shows why beside the field; after it, :attr:`ActionDialog.values` holds the command's
arguments (without the incident ``id``). The form parts are :mod:`console.views.forms`; the
words for assignment states, verification methods and extension units,
:mod:`console.views.incident_words`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from console.comms.replica import Replica
from console.domain import deadlines
from console.domain.distance import distance_m
from console.domain.incident import Incident
from console.domain.model import UnitStatus, assignment_steps
from console.domain.rules import Rules
from console.domain.sla import Stage
from console.domain.units import Unit
from console.ui.names import DisplayNames, stage_name, unit_status_name
from console.ui.times import time_text
from console.views.category_picker import CategoryPicker
from console.views.forms import FieldError, FormDialog, required_text, text_edit
from console.views.incident_words import (
    ASSIGNMENT_STATES,
    EXTENSION_UNITS,
    SATISFACTION,
    VERIFY_METHODS,
)

CONTEXT = "IncidentActions"
translate = QCoreApplication.translate  # the name pyside6-lupdate looks for

#: Commands of the police peer (over ``/police``): no console button.
POLICE_PEER_COMMANDS = frozenset({"incident.police_acknowledge", "incident.police_reject",
                                  "incident.police_dispose"})




def distance_text(metres: float | None) -> str:
    if metres is None:
        return translate("IncidentActions", "position unknown")
    if metres < 1_000:
        return translate("IncidentActions", "{m} m").format(m=round(metres))
    return translate("IncidentActions", "{km:.1f} km").format(km=metres / 1_000)


def units_by_distance(replica: Replica, lat: float, lon: float
                      ) -> list[tuple[Unit, float | None]]:
    """Every unit with its distance to (lat, lon): available ones first, nearest first;
    units without a known position after those with one; then by id."""
    rows = []
    for unit in replica.units.values():
        pos = replica.positions.get(unit.id)
        rows.append((unit, distance_m(lat, lon, pos.lat, pos.lon) if pos else None))
    rows.sort(key=lambda row: (row[0].status is not UnitStatus.AVAILABLE, row[1] is None,
                               row[1] or 0.0, row[0].id))
    return rows


@dataclass(frozen=True)
class DialogInput:
    """What a dialog may read: the incident as the user saw it, the replica, names."""

    incident: Incident
    replica: Replica
    rules: Rules
    names: DisplayNames


class ActionDialog(FormDialog):
    """A form for the arguments of a command on one incident (``given``)."""

    def __init__(self, given: DialogInput, title: str, parent: QWidget | None = None) -> None:
        super().__init__(f"{title} — {given.incident.id}", parent)
        self.given = given


class TextDialog(ActionDialog):
    """One required text: a reason, an answer, a result, a note."""

    def __init__(self, given: DialogInput, parent: QWidget | None = None, *, title: str,
                 prompt: str, key: str) -> None:
        super().__init__(given, translate("IncidentActions", title), parent)
        self.key = key
        self.text = text_edit(self)
        self.error = self.add_row(translate("IncidentActions", prompt), self.text)

    def arguments(self) -> dict[str, Any] | None:
        text = required_text(self.text, self.error)
        return None if text is None else {self.key: text}


class ClassifyDialog(ActionDialog):
    """Classify a police case whose code the center's table could not map: the category search
    of the intake form, with the police's code and summary to read."""

    def __init__(self, given: DialogInput, parent: QWidget | None = None) -> None:
        super().__init__(given, translate("IncidentActions", "Classify"), parent)
        inc = given.incident
        self.picker = CategoryPicker(given.rules.taxonomy, given.names, self)
        self.add_row(translate("IncidentActions", "Police classification"),
                     QLabel(inc.police_code or "?", self))
        self.add_row(translate("IncidentActions", "Description"),
                     QLabel(inc.description, self, wordWrap=True))
        self.error = self.add_row(translate("IncidentActions", "Category"), self.picker)
        self.picker.setFocus()

    def arguments(self) -> dict[str, Any] | None:
        category = self.picker.category()
        if category is None:
            self.error.show_error(translate("IncidentActions", "Choose a category."))
            return None
        self.error.show_error("")
        return {"category": category}


class MergeDialog(ActionDialog):
    """Merge into another incident: its id, completed from the open incidents (same category
    and nearest first). An id the replica does not hold is sent as typed: the hub decides."""

    def __init__(self, given: DialogInput, parent: QWidget | None = None) -> None:
        super().__init__(given, translate("IncidentActions", "Merge into another incident"),
                         parent)
        inc = given.incident
        candidates = [other for other in given.replica.incidents.values()
                      if not other.finished and other.id != inc.id]
        candidates.sort(key=lambda o: (o.category != inc.category, distance_m(
            inc.location.lat, inc.location.lon, o.location.lat, o.location.lon), o.id))
        model = QStandardItemModel(self)
        for other in candidates:
            item = QStandardItem(f"{other.id}  {given.names.category(other.category)}  "
                                 f"{other.location.address}")
            item.setData(other.id, Qt.ItemDataRole.UserRole)
            model.appendRow(item)
        self.target = QLineEdit(self)
        self.target.setPlaceholderText("CH-…")
        completer = QCompleter(model, self)
        completer.setCompletionRole(Qt.ItemDataRole.UserRole)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.target.setCompleter(completer)
        self.candidates = [o.id for o in candidates]
        self.error = self.add_row(translate("IncidentActions", "Merge into"), self.target)

    def arguments(self) -> dict[str, Any] | None:
        into = required_text(self.target, self.error)
        if into is None:
            return None
        if into == self.given.incident.id:
            self.error.show_error(translate("IncidentActions",
                                            "An incident cannot be merged into itself."))
            return None
        return {"into": into}


class AssignDialog(ActionDialog):
    """Lead department (default: the category's, on the incident's street) and co-handlers."""

    def __init__(self, given: DialogInput, parent: QWidget | None = None) -> None:
        super().__init__(given, translate("IncidentActions", "Assign to a department"), parent)
        taxonomy = given.rules.taxonomy
        inc = given.incident
        self.department = QComboBox(self)
        self.co_handlers = QListWidget(self)
        self.co_handlers.setMaximumHeight(140)
        for dept in taxonomy.departments:
            name = given.names.department(dept.code)
            self.department.addItem(name, dept.code)
            item = QListWidgetItem(name, self.co_handlers)
            item.setData(Qt.ItemDataRole.UserRole, dept.code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        default = inc.lead_department or taxonomy.department_for(inc.category,
                                                                  inc.location.street)
        self.department.setCurrentIndex(max(0, self.department.findData(default)))
        self.error = self.add_row(translate("IncidentActions", "Lead department"),
                                  self.department)
        self.co_error = self.add_row(translate("IncidentActions", "Co-handling departments"),
                                     self.co_handlers)

    def checked_co_handlers(self) -> list[str]:
        return [self.co_handlers.item(row).data(Qt.ItemDataRole.UserRole)
                for row in range(self.co_handlers.count())
                if self.co_handlers.item(row).checkState() == Qt.CheckState.Checked]

    def set_co_handlers(self, codes: list[str]) -> None:
        for row in range(self.co_handlers.count()):
            item = self.co_handlers.item(row)
            item.setCheckState(Qt.CheckState.Checked
                               if item.data(Qt.ItemDataRole.UserRole) in codes
                               else Qt.CheckState.Unchecked)

    def arguments(self) -> dict[str, Any] | None:
        lead = self.department.currentData()
        co = self.checked_co_handlers()
        if lead in co:
            self.co_error.show_error(translate(
                "IncidentActions", "The lead department cannot also be a co-handler."))
            return None
        self.co_error.show_error("")
        return {"department": lead, "co_handlers": co}


class DispatchDialog(ActionDialog):
    """Pick a unit: available units first, nearest to the incident first; the others are
    listed greyed out with their status, so the dispatcher sees why they are not offered."""

    def __init__(self, given: DialogInput, parent: QWidget | None = None) -> None:
        super().__init__(given, translate("IncidentActions", "Dispatch a unit"), parent)
        inc = given.incident
        self.units = QTreeWidget(self)
        self.units.setRootIsDecorated(False)
        self.units.setHeaderLabels([translate("IncidentActions", "Unit"),
                                    translate("IncidentActions", "Status"),
                                    translate("IncidentActions", "Distance")])
        self.units.setMinimumWidth(420)
        first = None
        for unit, metres in units_by_distance(given.replica, inc.location.lat,
                                              inc.location.lon):
            item = QTreeWidgetItem(self.units, [
                f"{unit.id}  {unit.name}",
                unit_status_name(unit.status),
                distance_text(metres)])
            item.setData(0, Qt.ItemDataRole.UserRole, unit.id)
            if unit.status is not UnitStatus.AVAILABLE:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            elif first is None:
                first = item
        if first is not None:
            self.units.setCurrentItem(first)
        self.error = self.add_row(translate("IncidentActions", "Unit"), self.units)

    def offered(self) -> list[str]:
        """Unit ids in the order shown."""
        return [self.units.topLevelItem(row).data(0, Qt.ItemDataRole.UserRole)
                for row in range(self.units.topLevelItemCount())]

    def choose(self, unit_id: str) -> None:
        for row in range(self.units.topLevelItemCount()):
            item = self.units.topLevelItem(row)
            if item.data(0, Qt.ItemDataRole.UserRole) == unit_id:
                self.units.setCurrentItem(item)

    def arguments(self) -> dict[str, Any] | None:
        item = self.units.currentItem()
        if item is None or not item.flags() & Qt.ItemFlag.ItemIsEnabled:
            self.error.show_error(translate("IncidentActions", "Choose an available unit."))
            return None
        return {"unit": item.data(0, Qt.ItemDataRole.UserRole)}


class VerifyDialog(ActionDialog):
    """How the result was checked, whether the reporter is satisfied, and a note (required
    when not)."""

    def __init__(self, given: DialogInput, parent: QWidget | None = None) -> None:
        super().__init__(given, translate("IncidentActions", "Verify the result"), parent)
        self.method = QComboBox(self)
        for code, label in VERIFY_METHODS.items():
            self.method.addItem(translate("IncidentActions", label), code)
        self.satisfaction = QComboBox(self)
        for code, label in SATISFACTION.items():
            self.satisfaction.addItem(translate("IncidentActions", label), code)
        self.note = text_edit(self)
        self.add_row(translate("IncidentActions", "Method"), self.method)
        self.add_row(translate("IncidentActions", "Reporter"), self.satisfaction)
        self.error = self.add_row(translate("IncidentActions", "Note"), self.note)

    def arguments(self) -> dict[str, Any] | None:
        note = self.note.toPlainText().strip()
        satisfaction = str(self.satisfaction.currentData())
        if satisfaction == "dissatisfied" and not note:
            self.error.show_error(translate(
                "IncidentActions", "Say why the result is not satisfactory."))
            return None
        self.error.show_error("")
        return {"method": self.method.currentData(), "satisfaction": satisfaction, "note": note}


class ExtensionRequestDialog(ActionDialog):
    """Ask for more time on one running deadline, with a reason."""

    def __init__(self, given: DialogInput, parent: QWidget | None = None) -> None:
        super().__init__(given, translate("IncidentActions", "Request an extension"), parent)
        self.stage = QComboBox(self)
        for clock in deadlines.running(given.incident, given.rules):
            if clock.stage is not Stage.ARRIVE:
                due = time_text(clock.due_at, "%m-%d %H:%M")
                self.stage.addItem(f"{stage_name(clock.stage)} ({due})",
                                   clock.stage.value)
        self.value = QSpinBox(self)
        self.value.setRange(1, 720)
        self.value.setValue(1)
        self.unit = QComboBox(self)
        for code, label in EXTENSION_UNITS.items():
            self.unit.addItem(translate("IncidentActions", label), code)
        self.reason = text_edit(self)
        self.stage_error = self.add_row(translate("IncidentActions", "Deadline"), self.stage)
        self.add_row(translate("IncidentActions", "Extra time"), self.value)
        self.add_row("", self.unit)
        self.error = self.add_row(translate("IncidentActions", "Reason"), self.reason)

    def arguments(self) -> dict[str, Any] | None:
        stage = self.stage.currentData()
        self.stage_error.show_error("" if stage else translate(
            "IncidentActions", "No deadline is running."))
        reason = required_text(self.reason, self.error)
        if stage is None or reason is None:
            return None
        return {"stage": stage, "extra": {"value": self.value.value(),
                                          "unit": self.unit.currentData()},
                "reason": reason}


class ExtensionDecisionDialog(ActionDialog):
    """Approve or refuse a pending extension request (refusing needs a reason)."""

    def __init__(self, given: DialogInput, parent: QWidget | None = None, *,
                 refuse: bool) -> None:
        title = (QT_TRANSLATE_NOOP("IncidentActions", "Refuse an extension") if refuse
                 else QT_TRANSLATE_NOOP("IncidentActions", "Approve an extension"))
        super().__init__(given, translate("IncidentActions", title), parent)
        self.refuse = refuse
        self.request = QComboBox(self)
        for x in given.incident.extensions:
            if x.status == "pending":
                unit = translate("IncidentActions", EXTENSION_UNITS.get(x.unit, x.unit))
                self.request.addItem(f"{x.id}: +{x.value} {unit} — {x.reason}", x.id)
        self.request_error = self.add_row(translate("IncidentActions", "Request"), self.request)
        self.reason = text_edit(self)
        self.error = FieldError(self)
        if refuse:
            self.error = self.add_row(translate("IncidentActions", "Reason"), self.reason)
        else:
            self.reason.hide()

    def arguments(self) -> dict[str, Any] | None:
        request = self.request.currentData()
        self.request_error.show_error("" if request else translate(
            "IncidentActions", "No request is waiting."))
        if request is None:
            return None
        if not self.refuse:
            return {"request": request}
        reason = required_text(self.reason, self.error)
        return None if reason is None else {"request": request, "reason": reason}


class AssignmentUpdateDialog(ActionDialog):
    """Report a unit's progress on its assignment: the next steps, or cancel (recall)."""

    def __init__(self, given: DialogInput, parent: QWidget | None = None) -> None:
        super().__init__(given, translate("IncidentActions", "Unit progress"), parent)
        self.assignment = QComboBox(self)
        self.status = QComboBox(self)
        for a in given.incident.assignments:
            if a.active:
                state = translate("IncidentActions", ASSIGNMENT_STATES[a.state])
                self.assignment.addItem(f"{a.unit} — {state}", a.id)
        self.assignment.currentIndexChanged.connect(self._offer_steps)
        self.error = self.add_row(translate("IncidentActions", "Assignment"), self.assignment)
        self.add_row(translate("IncidentActions", "New status"), self.status)
        self._offer_steps()

    def _offer_steps(self) -> None:
        self.status.clear()
        chosen = self.given.incident.assignment(self.assignment.currentData() or "")
        if chosen is None:
            return
        for step in assignment_steps(chosen.state):
            self.status.addItem(translate("IncidentActions", ASSIGNMENT_STATES[step]),
                                step.value)

    def choose(self, status: str) -> None:
        self.status.setCurrentIndex(self.status.findData(status))

    def arguments(self) -> dict[str, Any] | None:
        assignment = self.assignment.currentData()
        status = self.status.currentData()
        if assignment is None or status is None:
            self.error.show_error(translate("IncidentActions",
                                            "No unit is on the way or at the scene."))
            return None
        return {"assignment": assignment, "status": status}


_CONFIDENTIAL_NOTE = QT_TRANSLATE_NOOP(
    "IncidentActions", "Confidential: reporter shown only to the intake and the duty leader")


class ConfidentialDialog(ActionDialog):
    """Mark a case confidential (保密件), or lift the mark: its reporter is then hidden from
    all but the intake and the duty leader (only a duty leader may lift it)."""

    def __init__(self, given: DialogInput, parent: QWidget | None = None) -> None:
        super().__init__(given, translate("IncidentActions", "Confidential"), parent)
        self.confidential = QCheckBox(translate("IncidentActions", _CONFIDENTIAL_NOTE), self)
        self.confidential.setObjectName("confidential")
        self.confidential.setChecked(not given.incident.confidential)
        self.add_row("", self.confidential)

    def arguments(self) -> dict[str, Any] | None:
        return {"confidential": self.confidential.isChecked()}


DialogFactory = Callable[[DialogInput, QWidget | None], ActionDialog]


def _text(title: str, prompt: str, key: str) -> DialogFactory:
    return partial(TextDialog, title=title, prompt=prompt, key=key)


@dataclass(frozen=True)
class ActionSpec:
    """One incident command as the console offers it."""

    command: str
    label: str  # source text, context IncidentActions
    shortcut: str
    dialog: DialogFactory | None = None

    @property
    def text(self) -> str:
        return translate("IncidentActions", self.label)


_REASON = QT_TRANSLATE_NOOP("IncidentActions", "Reason")
ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("incident.classify", QT_TRANSLATE_NOOP("IncidentActions", "Classify…"), "Alt+K",
               ClassifyDialog),
    ActionSpec("incident.accept", QT_TRANSLATE_NOOP("IncidentActions", "Accept"), "Alt+A"),
    ActionSpec("incident.reject", QT_TRANSLATE_NOOP("IncidentActions", "Reject…"), "Alt+R",
               _text(QT_TRANSLATE_NOOP("IncidentActions", "Reject"), _REASON, "reason")),
    ActionSpec("incident.answer", QT_TRANSLATE_NOOP("IncidentActions", "Answer…"), "Alt+W",
               _text(QT_TRANSLATE_NOOP("IncidentActions", "Answer and close"),
                     QT_TRANSLATE_NOOP("IncidentActions", "Answer"), "answer")),
    ActionSpec("incident.merge", QT_TRANSLATE_NOOP("IncidentActions", "Merge into…"), "Alt+M",
               MergeDialog),
    ActionSpec("incident.assign", QT_TRANSLATE_NOOP("IncidentActions", "Assign…"), "Alt+G",
               AssignDialog),
    ActionSpec("incident.dispatch", QT_TRANSLATE_NOOP("IncidentActions", "Dispatch unit…"),
               "Alt+D", DispatchDialog),
    ActionSpec("assignment.update", QT_TRANSLATE_NOOP("IncidentActions", "Unit progress…"),
               "Alt+Shift+D", AssignmentUpdateDialog),
    ActionSpec("incident.sign", QT_TRANSLATE_NOOP("IncidentActions", "Sign for"), "Alt+S"),
    ActionSpec("incident.return", QT_TRANSLATE_NOOP("IncidentActions", "Return…"), "Alt+T",
               _text(QT_TRANSLATE_NOOP("IncidentActions", "Return for jurisdiction"), _REASON,
                     "reason")),
    ActionSpec("incident.resolve", QT_TRANSLATE_NOOP("IncidentActions", "Resolve…"), "Alt+O",
               _text(QT_TRANSLATE_NOOP("IncidentActions", "Report resolved"),
                     QT_TRANSLATE_NOOP("IncidentActions", "Result"), "result")),
    ActionSpec("incident.verify", QT_TRANSLATE_NOOP("IncidentActions", "Verify…"), "Alt+V",
               VerifyDialog),
    ActionSpec("incident.close", QT_TRANSLATE_NOOP("IncidentActions", "Close"), "Alt+C"),
    ActionSpec("incident.reopen", QT_TRANSLATE_NOOP("IncidentActions", "Reopen…"), "Alt+P",
               _text(QT_TRANSLATE_NOOP("IncidentActions", "Reopen"), _REASON, "reason")),
    ActionSpec("incident.escalate",
               QT_TRANSLATE_NOOP("IncidentActions", "Escalate to police…"), "Alt+E",
               _text(QT_TRANSLATE_NOOP("IncidentActions", "Escalate to the police"), _REASON,
                     "reason")),
    ActionSpec("incident.note", QT_TRANSLATE_NOOP("IncidentActions", "Note…"), "Alt+N",
               _text(QT_TRANSLATE_NOOP("IncidentActions", "Add a note"),
                     QT_TRANSLATE_NOOP("IncidentActions", "Note"), "text")),
    ActionSpec("incident.supervise", QT_TRANSLATE_NOOP("IncidentActions", "Supervise…"),
               "Alt+U", _text(QT_TRANSLATE_NOOP("IncidentActions", "Supervise"),
                              QT_TRANSLATE_NOOP("IncidentActions", "Instruction"), "note")),
    ActionSpec("incident.set_confidential",
               QT_TRANSLATE_NOOP("IncidentActions", "Confidential…"), "Alt+F",
               ConfidentialDialog),
    ActionSpec("incident.request_extension",
               QT_TRANSLATE_NOOP("IncidentActions", "Request extension…"), "Alt+X",
               ExtensionRequestDialog),
    ActionSpec("incident.approve_extension",
               QT_TRANSLATE_NOOP("IncidentActions", "Approve extension…"), "Alt+Y",
               partial(ExtensionDecisionDialog, refuse=False)),
    ActionSpec("incident.refuse_extension",
               QT_TRANSLATE_NOOP("IncidentActions", "Refuse extension…"), "Alt+Shift+Y",
               partial(ExtensionDecisionDialog, refuse=True)),
)
ACTION_BY_COMMAND: Mapping[str, ActionSpec] = {spec.command: spec for spec in ACTIONS}
