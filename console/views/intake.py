"""The hotline 96966 intake form: register a call as an incident, keyboard first.

What the call taker sees while typing:

- **Earlier cases of the caller** — from the hub's record (every case, however old), once the
  phone has enough digits (:mod:`console.views.intake_record`; each ask is on the audit trail
  as a search by phone). Roles that see no reporter do not ask. Activating one asks the main
  window to open it (:attr:`IntakeForm.open_requested`); a case the replica does not hold opens
  from the record.
- **Cases near this place** — from the record too: within 50 m of the location, created in the
  last 90 days (the address history).
- **Category search** in Chinese, pinyin (full or initials) and English, over the rules'
  taxonomy (:mod:`console.views.category_picker`): type, move with Up/Down, Enter takes the
  highlighted one. The request type follows the category unless changed.
- **Possible duplicates** — open incidents of the same category, or of the same category group,
  near the location and registered lately (how near and how lately:
  :mod:`console.views.intake_lookup`); same category first, then nearest.

**Duplicates: create, then merge.** A second call about the same noise is still a call: the
caller has a name and a number, may want a callback, and the center counts how many people
complained. So the form does what a hotline does with a repeated report (重复件并案): it
registers the call as its own incident and at once merges it into the existing one ("Create and
merge into selected"), which records it among the existing incident's duplicates and stops its
own clocks. Merely adding a note to the existing incident would lose the second caller.

**Inquiries answered on the spot**: for request types the domain lets a call taker answer at
intake (inquiry, opinion, suggestion), "Answered on the phone" plus the answer sends
``incident.answer`` right after the creation, which closes the incident.

Keys: Tab moves through the fields in reading order (the lists come last), Ctrl+Enter
registers, Esc clears. Field errors show beside the field before anything is sent; refusals
from the hub show in the form's message line and on the message bus.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import shiboken6
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.comms.bridge import Bridge
from console.comms.client import CommandResult
from console.comms.clock import hub_clock
from console.comms.replica import ChangeSet
from console.domain.distance import distance_m
from console.domain.geography import Place
from console.domain.incident import Incident
from console.domain.model import (
    ANSWERABLE_AT_INTAKE,
    IncidentState,
    Priority,
    RequestType,
    Source,
)
from console.domain.privacy import PERSONAL_DATA_ROLES
from console.domain.rules import Rules
from console.ui.message import messages
from console.ui.names import DisplayNames, priority_name, source_name, state_name, ui_language
from console.ui.text import distance_text, result_text
from console.ui.times import time_text
from console.views.address_search import AddressSearch, district_gazetteer
from console.views.category_picker import CategoryPicker
from console.views.forms import FieldError
from console.views.intake_lookup import (
    OnlyThese,
    caller_history,
    duplicate_candidates,
    parse_location,
)
from console.views.intake_record import (
    ADDRESS_RADIUS_M,
    RecordLookup,
    caller_filters,
    place_filters,
)

CONTEXT = "IntakeForm"
#: Roles whose search by phone the hub answers (the others are refused).
_SEES_REPORTERS = frozenset(role.value for role in PERSONAL_DATA_ROLES)
translate = QCoreApplication.translate  # the name pyside6-lupdate looks for

_NOT_CONNECTED = QT_TRANSLATE_NOOP("IntakeForm",
                                   "Not connected to the hub; the incident was not registered.")


class IntakeForm(QWidget):
    """Register a call as an incident.

    Args:
        bridge: the console's bridge (replica, commands).
        rules: taxonomy (search, request types), geography (street/community of a point).

    Signals:
        created(str): the id of an incident this form registered.
        open_requested(str): the user activated an earlier case or a duplicate.
    """

    created = Signal(str)
    open_requested = Signal(str)

    def __init__(self, bridge: Bridge, rules: Rules, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("intakeForm")
        self._bridge = bridge
        self._rules = rules
        self._names = DisplayNames(ui_language(), rules, bridge.replica.taxonomy)
        self._sending = False

        self.phone = QLineEdit(self)
        self.phone.setPlaceholderText("13800000001")
        self.history = QListWidget(self)
        self.history.setObjectName("callerHistory")
        self.places = QListWidget(self)
        self.places.setObjectName("addressHistory")
        self._callers = RecordLookup(bridge, self)
        self._near = RecordLookup(bridge, self)
        self.source = QComboBox(self)
        for source in Source:
            self.source.addItem(source_name(source), source.value)
        self.police_case_no = QLineEdit(self)
        self.category = CategoryPicker(rules.taxonomy, self._names, self)
        self.request_type = QComboBox(self)
        for kind in rules.taxonomy.request_types:
            self.request_type.addItem(kind.name(self._names.language), kind.code)
        self.priority = QComboBox(self)
        for priority in Priority:
            self.priority.addItem(priority_name(priority), priority.value)
        self.description = QPlainTextEdit(self)
        self.description.setTabChangesFocus(True)
        self.description.setMaximumHeight(100)
        self.address = QLineEdit(self)
        self.location = QLineEdit(self)
        self.location.setPlaceholderText(
            translate("IntakeForm", "lat, lon — e.g. 30.6675, 104.0925"))
        self.place = QLabel(self)
        self.reporter_name = QLineEdit(self)
        self.confidential = QCheckBox(translate(
            "IntakeForm", "Confidential: reporter shown only to the intake and the duty leader"),
            self)
        self.confidential.setObjectName("confidential")
        self.answered = QCheckBox(translate("IntakeForm", "Answered on the phone"), self)
        self.answer = QPlainTextEdit(self)
        self.answer.setTabChangesFocus(True)
        self.answer.setMaximumHeight(70)
        self.duplicates = QListWidget(self)
        self.duplicates.setObjectName("duplicates")
        self.submit_button = QPushButton(translate("IntakeForm", "Register (Ctrl+Enter)"), self)
        self.merge_button = QPushButton(translate("IntakeForm", "Register and merge into selected"),
                                        self)
        self.clear_button = QPushButton(translate("IntakeForm", "Clear (Esc)"), self)
        self.message = QLabel(self)
        self.message.setObjectName("message")
        self.message.setWordWrap(True)

        form = QFormLayout()
        self.errors: dict[str, FieldError] = {}

        def row(key: str, label: str, *widgets: QWidget) -> None:
            holder = QWidget(self)
            column = QVBoxLayout(holder)
            column.setContentsMargins(0, 0, 0, 0)
            for widget in widgets:
                column.addWidget(widget)
            self.errors[key] = FieldError(holder)
            column.addWidget(self.errors[key])
            form.addRow(label, holder)

        row("phone", translate("IntakeForm", "Caller phone"), self.phone)
        row("source", translate("IntakeForm", "Source"), self.source)
        row("police_case_no", translate("IntakeForm", "Police case no."), self.police_case_no)
        row("category", translate("IntakeForm", "Category"), self.category)
        row("request_type", translate("IntakeForm", "Request type"), self.request_type)
        row("priority", translate("IntakeForm", "Priority"), self.priority)
        row("description", translate("IntakeForm", "Description"), self.description)
        row("address", translate("IntakeForm", "Address"), self.address)
        row("location", translate("IntakeForm", "Location"), self.location, self.place)
        row("reporter_name", translate("IntakeForm", "Reporter name"), self.reporter_name,
            self.confidential)
        row("answer", translate("IntakeForm", "Answer"), self.answered, self.answer)
        buttons = QHBoxLayout()
        buttons.addWidget(self.submit_button)
        buttons.addWidget(self.clear_button)
        left = QVBoxLayout()
        left.addLayout(form)
        left.addWidget(self.message)
        left.addLayout(buttons)
        right = QVBoxLayout()
        right.addWidget(QLabel(translate("IntakeForm", "Earlier cases of this caller"), self))
        right.addWidget(self.history)
        right.addWidget(QLabel(translate("IntakeForm", "Cases within 50 m in the last 90 days"),
                               self))
        right.addWidget(self.places)
        right.addWidget(QLabel(translate("IntakeForm", "Possible duplicates nearby"), self))
        right.addWidget(self.duplicates)
        right.addWidget(self.merge_button)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addLayout(right, 2)

        chain = [self.phone, self.source, self.police_case_no, self.category.edit,
                 self.request_type, self.priority, self.description, self.address,
                 self.location, self.reporter_name, self.confidential, self.answered,
                 self.answer,
                 self.submit_button, self.clear_button, self.history, self.places,
                 self.duplicates,
                 self.merge_button]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

        for keys, slot in (("Ctrl+Return", self.submit), ("Ctrl+Enter", self.submit),
                           ("Esc", self.clear)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

        self.phone.textChanged.connect(self._show_history)
        self.source.currentIndexChanged.connect(self._source_changed)
        self.category.category_changed.connect(self._category_changed)
        self.request_type.currentIndexChanged.connect(self._request_type_changed)
        self.location.textChanged.connect(self._location_changed)
        self.address.setPlaceholderText(
            translate("IntakeForm", "Road and number, estate … — pick one to locate it"))
        self.address_search = AddressSearch(self.address, district_gazetteer(),
                                            self._names.language)
        self.address_search.chosen.connect(lambda lat, lon, _: self.set_location(lat, lon))
        self.answered.toggled.connect(self._answer_toggled)
        self.duplicates.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.history.itemActivated.connect(self._open_item)
        self.places.itemActivated.connect(self._open_item)
        self._callers.found.connect(self._show_callers)
        self._near.found.connect(lambda rows: self._fill_rows(self.places, rows))
        self.duplicates.itemActivated.connect(self._open_item)
        self.submit_button.clicked.connect(lambda: self.submit())
        self.merge_button.clicked.connect(self._submit_as_duplicate)
        self.clear_button.clicked.connect(self.clear)
        self._refresh_lists = QTimer(self)
        self._refresh_lists.setSingleShot(True)
        self._refresh_lists.setInterval(150)
        self._refresh_lists.timeout.connect(self._refresh)
        bridge.changed.connect(self._on_changed)
        self.clear()

    # -- public ----------------------------------------------------------------------------

    def set_location(self, lat: float, lon: float, address: str | None = None) -> None:
        """Fill the location (from the map, say) and, if given, the address."""
        if address is not None:
            self.address.setText(address)
        self.location.setText(f"{lat:.6f}, {lon:.6f}")

    def prefill_location(self, lat: float, lon: float) -> Place | None:
        """Start a call at a point picked on the map: the location, and the grid cell,
        community and street it lies in (shown beside it; the hub records the same ones when
        the incident is registered). Returns that place (None without a geography)."""
        self.set_location(lat, lon)
        return self.located_place()

    def located_place(self) -> Place | None:
        """The grid cell, community and street of the location typed (None if there is no
        valid location or no geography)."""
        where = parse_location(self.location.text())
        geography = self._rules.geography
        return geography.locate(*where) if where is not None and geography is not None else None

    def clear(self) -> None:
        """Empty the form for the next call (hotline source, P3)."""
        for edit in (self.phone, self.police_case_no, self.address, self.location,
                     self.reporter_name):
            edit.clear()
        self.description.clear()
        self.answer.clear()
        self.answered.setChecked(False)
        self.confidential.setChecked(False)
        self.category.set_category(None)
        self.source.setCurrentIndex(self.source.findData(Source.HOTLINE.value))
        self.priority.setCurrentIndex(self.priority.findData(Priority.P3.value))
        self.request_type.setCurrentIndex(
            self.request_type.findData(RequestType.COMPLAINT.value))
        for error in self.errors.values():
            error.show_error("")
        self.history.clear()
        self.places.clear()
        self._callers.ask(None)
        self._near.ask(None)
        self.duplicates.clear()
        self._source_changed()
        self._request_type_changed()
        self._update_buttons()
        self.phone.setFocus()

    def arguments(self) -> dict[str, Any] | None:
        """The ``incident.create`` arguments, or None after marking the wrong fields."""
        problems: dict[str, str] = {}
        phone = self.phone.text().strip()
        if phone and not re.fullmatch(r"\+?[\d\s-]{3,20}", phone):
            problems["phone"] = translate("IntakeForm", "Digits only, e.g. 13800000001.")
        source = self.source.currentData()
        case_no = self.police_case_no.text().strip()
        if source == Source.POLICE.value and not case_no:
            problems["police_case_no"] = translate("IntakeForm",
                                                   "A police case needs its case number.")
        category = self.category.category()
        if category is None:
            problems["category"] = translate("IntakeForm", "Choose a category.")
        description = self.description.toPlainText().strip()
        if not description:
            problems["description"] = translate("IntakeForm", "Say what the caller reports.")
        where = parse_location(self.location.text())
        if where is None:
            problems["location"] = translate(
                "IntakeForm", "Give the place as lat, lon (or pick it on the map).")
        answer = self.answer.toPlainText().strip()
        if self.answered.isChecked() and not answer:
            problems["answer"] = translate("IntakeForm", "Write the answer given on the phone.")
        for key, error in self.errors.items():
            error.show_error(problems.get(key, ""))
        if problems or category is None or where is None:
            return None
        args: dict[str, Any] = {
            "source": source, "category": category,
            "priority": self.priority.currentData(),
            "request_type": self.request_type.currentData(),
            "description": description,
            "location": {"lat": where[0], "lon": where[1],
                         "address": self.address.text().strip()},
            "reporter": {"name": self.reporter_name.text().strip(), "phone": phone},
        }
        if case_no:
            args["police_case_no"] = case_no
        if self.confidential.isChecked():
            args["confidential"] = True
        return args

    def submit(self, merge_into: str | None = None) -> bool:
        """Register the incident (then answer it, or merge it into ``merge_into``).

        Returns whether the command was sent.
        """
        if self._sending:
            return False
        args = self.arguments()
        if args is None:
            self._say(translate("IntakeForm", "Check the marked fields."), error=False)
            return False
        if self._bridge.state != "live":
            self._say(translate("IntakeForm", _NOT_CONNECTED), error=True)
            return False
        then: tuple[str, dict[str, Any]] | None = None
        if self.answered.isChecked() and self._answerable():
            then = ("incident.answer", {"answer": self.answer.toPlainText().strip()})
        elif merge_into is not None:
            then = ("incident.merge", {"into": merge_into})
        self._sending = True
        self._update_buttons()
        self._bridge.submit("incident.create", args,
                            callback=lambda result: self._created(result, then))
        return True

    # -- results ---------------------------------------------------------------------------

    def _created(self, result: CommandResult, then: tuple[str, dict[str, Any]] | None) -> None:
        if not shiboken6.isValid(self):
            return
        self._sending = False
        if not result.ok:
            self._refused(translate("IntakeForm", "Not registered: {reason}"), result)
            self._update_buttons()
            return
        new_id = str(result.data["id"])
        self.clear()
        text = translate("IntakeForm", "Registered {id}.").format(id=new_id)
        self._say(text, error=False)
        messages().info(text)
        self.created.emit(new_id)
        if then is not None:
            name, more = then
            self._bridge.submit(name, {"id": new_id, **more},
                                expected_version=result.data.get("version"),
                                callback=lambda r: self._followed_up(name, new_id, more, r))

    def _followed_up(self, name: str, new_id: str, args: dict[str, Any],
                     result: CommandResult) -> None:
        if not shiboken6.isValid(self):
            return
        if not result.ok:
            template = (translate("IntakeForm", "{id} was registered but not answered: {reason}")
                        if name == "incident.answer" else
                        translate("IntakeForm", "{id} was registered but not merged: {reason}"))
            self._refused(template, result, id=new_id)
            return
        text = (translate("IntakeForm", "{id} answered and closed.").format(id=new_id)
                if name == "incident.answer" else
                translate("IntakeForm", "{id} merged into {into}.").format(
                    id=new_id, into=args.get("into", "")))
        self._say(text, error=False)
        messages().info(text)

    def _refused(self, template: str, result: CommandResult, **more: str) -> None:
        reason = (translate("IntakeForm", _NOT_CONNECTED) if result.code == "offline"
                  else result_text(result))
        text = template.format(reason=reason, **more)
        self._say(text, error=True)
        messages().error(text)

    def _say(self, text: str, *, error: bool) -> None:
        self.message.setStyleSheet("color: #c62828;" if error else "color: #2e7d32;")
        self.message.setText(text)

    # -- reacting to input -----------------------------------------------------------------

    def _submit_as_duplicate(self) -> None:
        item = self.duplicates.currentItem()
        if item is not None:
            self.submit(merge_into=item.data(Qt.ItemDataRole.UserRole))

    def _open_item(self, item: QListWidgetItem) -> None:
        self.open_requested.emit(item.data(Qt.ItemDataRole.UserRole))

    def _answerable(self) -> bool:
        return self.request_type.currentData() in {t.value for t in ANSWERABLE_AT_INTAKE}

    def _source_changed(self, *_: Any) -> None:
        self.police_case_no.setEnabled(self.source.currentData() == Source.POLICE.value)

    def _category_changed(self, code: str | None) -> None:
        if code is not None:
            kind = self._rules.taxonomy.category(code).request_type
            self.request_type.setCurrentIndex(max(0, self.request_type.findData(kind)))
        self._show_duplicates()

    def _request_type_changed(self, *_: Any) -> None:
        answerable = self._answerable()
        self.answered.setEnabled(answerable)
        if not answerable:
            self.answered.setChecked(False)
        self._answer_toggled(self.answered.isChecked())

    def _answer_toggled(self, checked: bool) -> None:
        self.answer.setEnabled(checked)
        self._update_buttons()

    def _location_changed(self, text: str) -> None:
        where = parse_location(text)
        geography = self._rules.geography
        if where is None or geography is None:
            self.place.clear()
        else:
            place = geography.locate(*where)
            names = self._names
            parts = [names.street(place.street) if place.street else "",
                     names.community(place.community) if place.community else "",
                     place.grid or ""]
            self.place.setText(" / ".join(p for p in parts if p)
                               or translate("IntakeForm", "Outside the district"))
        self._near.ask(place_filters(where, _minute(hub_clock.now())))
        self._show_duplicates()

    def _update_buttons(self) -> None:
        self.submit_button.setEnabled(not self._sending)
        self.merge_button.setEnabled(not self._sending and not self.answered.isChecked()
                                     and self.duplicates.currentItem() is not None)

    def _on_changed(self, change: ChangeSet) -> None:
        if change.taxonomy is not None:
            self._names = DisplayNames(self._names.language, self._rules, change.taxonomy)
        # Both lists scan every incident held (long enough to feel in a busy district), so
        # a change set refreshes them only when one of its incidents belongs in them or is
        # shown in them — not ten times a second while a call is being typed.
        relevant = change.reset or (change.incidents and self._concerns(change.incidents))
        if relevant and not self._refresh_lists.isActive():
            self._refresh_lists.start()

    def _concerns(self, changed: Mapping[str, Incident]) -> bool:
        shown = {self._list_id(target, row)
                 for target in (self.history, self.places, self.duplicates)
                 for row in range(target.count())}
        if shown & changed.keys():
            return True
        only = OnlyThese(changed)
        if caller_history(only, self.phone.text()):  # type: ignore[arg-type]
            return True
        where = parse_location(self.location.text())
        if where is not None and any(
                distance_m(*where, inc.location.lat, inc.location.lon) <= ADDRESS_RADIUS_M
                for inc in changed.values()):
            return True
        category = self.category.category()
        return category is not None and where is not None and bool(duplicate_candidates(
            only, self._rules.taxonomy, category, where[0], where[1],  # type: ignore[arg-type]
            hub_clock.now()))

    @staticmethod
    def _list_id(target: QListWidget, row: int) -> str | None:
        item = target.item(row)
        value = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return value if isinstance(value, str) else None

    def _refresh(self) -> None:
        # A case of the caller's or near the place changed or came: the record is asked again.
        self._show_history(again=True)
        self._near.ask(self._near.filters, again=True)
        self._show_duplicates()

    def _show_history(self, *_: Any, again: bool = False) -> None:
        user = self._bridge.replica.user
        sees = user is not None and bool(set(user.roles) & _SEES_REPORTERS)
        self._callers.ask(caller_filters(self.phone.text()) if sees else None, again=again)

    def _show_callers(self, rows: list[dict[str, Any]]) -> None:
        self._fill_rows(self.history, rows)
        if rows and not self.reporter_name.text().strip():
            reporter = rows[0].get("reporter") or {}
            name = reporter.get("name") if isinstance(reporter, dict) else None
            if isinstance(name, str) and name and "*" not in name:
                self.reporter_name.setText(name)

    def _fill_rows(self, target: QListWidget, rows: list[dict[str, Any]]) -> None:
        """Rows of the record (``search`` rows) in ``target``, as :meth:`_fill` draws cases."""
        target.clear()
        for row in rows:
            try:
                created = datetime.fromisoformat(str(row["created_at"]))
                parts = [str(row["id"]), time_text(created, "%y-%m-%d %H:%M"),
                         self._names.category(str(row["category"])),
                         state_name(IncidentState(row["state"]))]
            except (KeyError, ValueError):
                continue
            item = QListWidgetItem("  ·  ".join(parts), target)
            item.setData(Qt.ItemDataRole.UserRole, str(row["id"]))
            item.setToolTip(str(row.get("address") or ""))

    def _show_duplicates(self, *_: Any) -> None:
        category = self.category.category()
        where = parse_location(self.location.text())
        found: list[tuple[Incident, float]] = []
        if category is not None and where is not None:
            found = duplicate_candidates(self._bridge.replica, self._rules.taxonomy, category,
                                         where[0], where[1], hub_clock.now())[:20]
        held = self.duplicates.currentItem()
        keep = held.data(Qt.ItemDataRole.UserRole) if held is not None else None
        self._fill(self.duplicates, found, keep)
        self._update_buttons()

    def _fill(self, target: QListWidget, rows: list[tuple[Incident, float | None]],
              keep: str | None = None) -> None:
        target.blockSignals(True)
        target.clear()
        for inc, metres in rows:
            parts = [inc.id, time_text(inc.created_at, "%m-%d %H:%M"),
                     self._names.category(inc.category), state_name(inc.state)]
            if metres is not None:
                parts.insert(2, distance_text(metres))
            item = QListWidgetItem("  ·  ".join(parts), target)
            item.setData(Qt.ItemDataRole.UserRole, inc.id)
            item.setToolTip(f"{inc.description}\n{inc.location.address}")
            if inc.id == keep:
                target.setCurrentItem(item)
        target.blockSignals(False)


def _minute(moment: datetime) -> datetime:
    """``moment`` to the minute: the same place asked twice within a minute is one question."""
    return moment.replace(second=0, microsecond=0)
