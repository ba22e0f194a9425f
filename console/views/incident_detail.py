"""One incident in full: its fields, assignments, extensions, SLA clocks, timeline and actions.

:class:`IncidentDetail` shows the incident the replica holds and follows ``bridge.changed``. A
case the replica does not hold (a past case opened from the records or the intake's history)
is asked of the hub once (:class:`~console.views.record_case.RecordCase`: scoped, masked and
audited as a search) and asked again when an event of it comes by. The **timeline**: the
replica keeps no history, so the detail asks the hub once (``bridge.request_timeline``) and then
adds the live events of the change sets, each seq once, in seq order.

**Actions.** One :class:`QAction` per incident command (:data:`incident_actions.ACTIONS`), with
a shortcut that works while the focus is inside the detail; the main window may list them in a
menu (:meth:`IncidentDetail.actions`). Each is enabled exactly when
:func:`console.domain.commands.allowed_actions` says so for the logged-in user, and otherwise
shows the domain's reason as its tool tip: the rules live once, in ``domain``. A command goes
out with the version the user saw (``expected_version``), so acting on something that changed
meanwhile is refused with ``conflict`` rather than applied blindly. Results: a refusal shows in
the detail's message line and on the message bus (``error``); success on the bus (``info``).
While the console is not live the detail is drawn as stale and actions answer "Not connected"
at once instead of opening a dialog whose input could not be sent.

:class:`IncidentWindow` is the same detail in a window of its own (a second monitor), made by
:func:`pop_out`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import shiboken6
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.comms.bridge import Bridge
from console.comms.client import CommandResult
from console.comms.clock import hub_clock
from console.comms.replica import ChangeSet
from console.domain import eido
from console.domain.commands import refused_actions
from console.domain.incident import Incident
from console.domain.model import Event
from console.domain.rules import Rules
from console.ui.context import context_of
from console.ui.message import messages
from console.ui.names import DisplayNames, priority_name, state_name, ui_language
from console.ui.text import refusal_text, result_text
from console.views.attachment_gallery import AttachmentGallery
from console.views.incident_actions import ACTION_BY_COMMAND, ACTIONS, ActionDialog, DialogInput
from console.views.incident_sheet import IncidentSheet
from console.views.incident_words import event_text
from console.views.record_case import RecordCase
from console.views.reporter_reveal import ReporterReveal
from console.views.sla_strip import SlaStrip

CONTEXT = "IncidentDetail"
translate = QCoreApplication.translate  # the name pyside6-lupdate looks for

_NOT_CONNECTED = QT_TRANSLATE_NOOP("IncidentDetail",
                                   "Not connected to the hub; the command was not sent.")
_NOTHING_SELECTED = QT_TRANSLATE_NOOP(
    "IncidentDetail", "No incident selected: choose one in the queue or type F and its number.")

Wire = Mapping[str, Any]


class IncidentDetail(QWidget):
    """The detail of one incident, live.

    Args:
        bridge: the console's bridge (its replica, commands and timeline requests).
        rules: the rule data the actions are decided with.

    Signals:
        updated(object): the :class:`Incident` just shown (after every refresh), or None
            when the replica does not hold it.
        cameras_requested(str): *Cameras nearby* for the incident shown (the video wall).

    Attributes (for the main window and for tests): ``sheet`` (the
    :class:`~console.views.incident_sheet.IncidentSheet`) and its ``fields`` (key → value
    label), ``assignments``, ``extensions`` and ``clocks``; ``buttons`` (command → tool
    button), ``timeline`` (list widget), ``gallery`` (the attachments), ``message`` (the
    message line), ``dialog`` (the open argument dialog, if any).
    """

    updated = Signal(object)
    cameras_requested = Signal(str)

    def __init__(self, bridge: Bridge, rules: Rules, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("incidentDetail")
        self._bridge = bridge
        self._rules = rules
        self._incident_id: str | None = None
        self._incident: Incident | None = None
        self._events: dict[int, Wire] = {}
        self._timeline_asked = False
        # The shown case as the hub's record has it, when the replica does not hold it.
        self.record = RecordCase(bridge, self)
        self.record.changed.connect(self.refresh)
        # Commands sent: None while the hub has not answered, then the incident version the
        # replica must reach (a result can come before the change set that shows it).
        self._in_flight: dict[str, int | None] = {}
        self._names = DisplayNames(ui_language(), rules, bridge.replica.taxonomy)
        # Usernames → display names, as the hub's timeline answers give them (kept across
        # incidents: the same controllers act on many).
        self._people: dict[str, str] = {}
        self.dialog: ActionDialog | None = None

        self.stale_banner = QLabel(self)
        self.stale_banner.setStyleSheet("background: #fff3cd; color: #6d4c00; padding: 2px;")
        self.stale_banner.hide()
        self.message = QLabel(self)
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.hide()
        self.header = QLabel(self)
        self.header.setWordWrap(True)
        self.header.setStyleSheet("font-weight: bold; font-size: 13pt;")
        self.sla = SlaStrip(self)
        self.cameras_button = QToolButton(self)
        self.cameras_button.setObjectName("camerasNearby")
        self.cameras_button.clicked.connect(
            lambda: self._incident and self.cameras_requested.emit(self._incident.id))
        self.eido_button = QToolButton(self)
        self.eido_button.setObjectName("exportEido")
        self.eido_button.clicked.connect(self._ask_eido_file)

        self.reveal = ReporterReveal(bridge, rules, self, self._report)
        self.reveal.revealed.connect(lambda _iid, _shown: self.refresh())
        self.reveal_button = QToolButton(self)
        self.reveal_button.setDefaultAction(self.reveal.action)

        self.sheet = IncidentSheet(rules)
        self.fields = self.sheet.fields
        self.assignments = self.sheet.assignments
        self.extensions = self.sheet.extensions
        self.clocks = self.sheet.clocks
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.sheet)

        self.timeline = QListWidget(self)
        self.timeline.setObjectName("timeline")
        timeline_box = QWidget(self)
        column = QVBoxLayout(timeline_box)
        column.setContentsMargins(0, 0, 0, 0)
        # The attachments come with the timeline's events: the gallery shows what it holds.
        self.gallery = AttachmentGallery(bridge, timeline_box)
        self.gallery.hide()
        column.addWidget(self.gallery)
        self.timeline_label = QLabel(timeline_box)
        column.addWidget(self.timeline_label)
        column.addWidget(self.timeline)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(scroll)
        splitter.addWidget(timeline_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)

        self._actions: dict[str, QAction] = {}
        self.buttons: dict[str, QToolButton] = {}
        bar = QWidget(self)
        grid = QGridLayout(bar)
        grid.setContentsMargins(0, 0, 0, 0)
        for n, spec in enumerate(ACTIONS):
            action = QAction(spec.text, self)
            action.setObjectName(spec.command)
            action.setShortcut(QKeySequence(spec.shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(lambda _=False, c=spec.command: self.trigger(c))
            self.addAction(action)
            self._actions[spec.command] = action
            button = QToolButton(bar)
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            grid.addWidget(button, n // 4, n % 4)
            self.buttons[spec.command] = button

        layout = QVBoxLayout(self)
        layout.addWidget(self.stale_banner)
        layout.addWidget(self.message)
        head = QHBoxLayout()
        head.addWidget(self.header, 1)
        head.addWidget(self.cameras_button, 0, Qt.AlignmentFlag.AlignTop)
        head.addWidget(self.reveal_button, 0, Qt.AlignmentFlag.AlignTop)
        head.addWidget(self.eido_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(head)
        layout.addWidget(self.sla)
        layout.addWidget(splitter, 1)
        layout.addWidget(bar)

        self._ticker = QTimer(self)
        self._ticker.setInterval(1_000)
        self._ticker.timeout.connect(self._tick)
        bridge.changed.connect(self._on_changed)
        bridge.state_changed.connect(self._on_state)
        bridge.logged_in.connect(self._on_login)
        self._on_state(bridge.state, None)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        """Every text in the language now installed: labels, actions, names, the incident."""
        self.stale_banner.setText(translate(
            "IncidentDetail", "Not connected to the hub: this may be out of date."))
        self.cameras_button.setText(translate("IncidentDetail", "Cameras nearby"))
        self.eido_button.setText(translate("IncidentDetail", "Export EIDO…"))
        self.eido_button.setToolTip(translate(
            "IncidentDetail", "Save the incident as a NENA EIDO document for another center"))
        self.timeline_label.setText(translate("IncidentDetail", "Timeline"))
        for spec in ACTIONS:
            self._actions[spec.command].setText(spec.text)
        self.sheet.retranslate()
        self._names = DisplayNames(ui_language(), self._rules, self._bridge.replica.taxonomy)
        self.refresh()
        self._draw_timeline()

    # -- public ----------------------------------------------------------------------------

    @property
    def incident_id(self) -> str | None:
        return self._incident_id

    @property
    def incident(self) -> Incident | None:
        """The incident as last shown (None when none is, or the replica lacks it)."""
        return self._incident

    @property
    def stale(self) -> bool:
        return self.stale_banner.isVisibleTo(self)

    def actions(self) -> list[QAction]:  # type: ignore[override]
        """The incident actions, in the order of the buttons (for a main window's menu)."""
        return list(self._actions.values())

    def action(self, command: str) -> QAction:
        return self._actions[command]

    def show_incident(self, incident_id: str | None) -> None:
        """Show ``incident_id`` (None: nothing), and fetch its timeline from the hub."""
        if self.dialog is not None:
            self.dialog.reject()
        self._incident_id = incident_id
        self._in_flight = {}
        self._events = {}
        self.message.hide()
        self.timeline.clear()
        self.gallery.show_attachments(())
        self.record.follow(None)
        self.refresh()
        if incident_id is None:
            self._ticker.stop()
            return
        self._ticker.start()
        self._timeline_asked = False
        self.record.follow(incident_id)
        self._request_timeline()

    def timeline_lines(self) -> list[str]:
        return [self.timeline.item(row).text() for row in range(self.timeline.count())]

    def trigger(self, command: str) -> None:
        """Do ``command`` on the incident: at once, or after its dialog is accepted."""
        inc = self._incident
        spec = ACTION_BY_COMMAND[command]
        if inc is None or not self._actions[command].isEnabled():
            return
        if self._bridge.state != "live":
            self._refused(translate("IncidentDetail", _NOT_CONNECTED))
            return
        if spec.dialog is None:
            self._send(command, {}, inc)
            return
        if self.dialog is not None:
            self.dialog.reject()
        given = DialogInput(inc, self._bridge.replica, self._rules, self._names)
        dialog = spec.dialog(given, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._send(command, dialog.values or {}, inc))
        dialog.finished.connect(lambda _code: self._forget_dialog(dialog))
        self.dialog = dialog
        dialog.open()

    def refresh(self) -> None:
        """Show the replica's incident again (fields, lists, clocks, actions)."""
        inc = self._bridge.replica.incidents.get(self._incident_id or "")
        archived = inc is None and self.record.incident is not None
        if archived:
            inc = self.record.incident
        self._incident = inc
        if inc is None:
            self.header.setText(translate("IncidentDetail", _NOTHING_SELECTED)
                                if self._incident_id is None else translate(
                "IncidentDetail", "{id} is not in this console's view.").format(
                    id=self._incident_id))
            self.sheet.clear()
        else:
            self.header.setText(f"{inc.id}  ·  {self._names.category(inc.category)}  ·  "
                                f"{state_name(inc.state)}  ·  {priority_name(inc.priority)}"
                                + (translate("IncidentDetail", "  ·  from the record")
                                   if archived else ""))
            self.reveal.show_for(inc)
            self.sheet.fill(inc, self._names, self.reveal.shown, self.people())
        if inc is None:
            self.reveal.show_for(None)
        self._update_actions()
        self.cameras_button.setEnabled(inc is not None)
        self.eido_button.setEnabled(inc is not None)
        self.sheet.setVisible(inc is not None)
        self._show_sla()
        self.updated.emit(inc)

    def _show_sla(self) -> None:
        inc = self._incident
        clock = self._bridge.replica.deadlines.get(inc.id) if inc is not None else None
        self.sla.show_clock(clock, hub_clock.now(), incident_shown=inc is not None)

    # -- actions ---------------------------------------------------------------------------

    def _update_actions(self) -> None:
        inc = self._incident
        ctx = context_of(self._rules, self._bridge.replica.user)
        if inc is None or ctx is None:
            why = (translate("IncidentDetail", "Not logged in.") if ctx is None
                   else translate("IncidentDetail", "No incident is shown."))
            allowed: dict[str, str | None] = {spec.command: why for spec in ACTIONS}
        else:
            allowed = {name: refusal_text(refused)
                       for name, refused in refused_actions(inc, ctx).items()}
        for spec in ACTIONS:
            action = self._actions[spec.command]
            reason = allowed.get(spec.command)
            if reason is None and self._waiting(spec.command, inc):
                reason = translate("IncidentDetail", "Waiting for the hub's answer.")
            action.setEnabled(reason is None)
            shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip(reason if reason is not None else f"{spec.text} ({shortcut})")

    # -- timeline --------------------------------------------------------------------------

    def _request_timeline(self) -> None:
        """Ask the hub for the incident's events (when live; else once it is)."""
        iid = self._incident_id
        if iid is None or self._bridge.state != "live":
            return
        self._timeline_asked = True
        self._bridge.request_timeline(
            iid, lambda events, asked=iid: self._timeline_came(asked, events))

    def _timeline_came(self, asked: str, events: list[Wire] | None) -> None:
        if not shiboken6.isValid(self) or asked != self._incident_id:
            return
        if events is None:  # offline, or no answer: ask again the next time the link is live
            self._timeline_asked = False
            return
        for wire in events:
            self._events.setdefault(int(wire["seq"]), wire)
            if wire.get("actor_name"):
                self._people[str(wire["actor"])] = str(wire["actor_name"])
        self.refresh()
        self._draw_timeline()

    def _draw_timeline(self) -> None:
        self.timeline.clear()
        self.timeline.addItems([self.event_line(self._events[seq])
                                for seq in sorted(self._events)])
        self.timeline.scrollToBottom()
        self.gallery.show_attachments(self._events[seq] for seq in sorted(self._events))

    def event_line(self, wire: Wire) -> str:
        """One timeline line in the user's language: ``09:14 王调度 accepted``."""
        return event_text(wire, self._incident_id or "", self._names, self.people())

    def people(self) -> dict[str, str]:
        """Display names by username: those the hub named in timelines, and this user."""
        user = self._bridge.replica.user
        return {**self._people, **({user.username: user.display_name} if user else {})}

    # -- EIDO --------------------------------------------------------------------------------

    def _ask_eido_file(self) -> None:
        inc = self._incident
        if inc is None:
            return
        dialog = QFileDialog(self, translate("IncidentDetail", "Export EIDO"),
                             f"{inc.id}.eido.json", "EIDO JSON (*.json)")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self.export_eido)
        dialog.open()

    def export_eido(self, path: str) -> bool:
        """Write the incident shown, with the timeline the console holds, as an EIDO document.

        The reporter is exported as this user sees it (masked for roles that see it masked).
        """
        inc = self._incident
        if inc is None:
            return False
        timeline = [Event(str(w["name"]), datetime.fromisoformat(w["at"]), str(w["actor"]),
                          dict(w.get("data") or {})) for _, w in sorted(self._events.items())]
        replica = self._bridge.replica
        units = {a.unit: replica.units[a.unit] for a in inc.assignments
                 if a.unit in replica.units}
        document = eido.export(inc, timeline, units=units, taxonomy=self._rules.taxonomy,
                               geography=self._rules.geography, personal=True,
                               lang=self._names.language)
        try:
            with open(path, "w", encoding="utf-8") as out:
                json.dump(document, out, ensure_ascii=False, indent=2)
        except OSError as error:
            reason = error.strerror or str(error)
            self._refused(translate("IncidentDetail",
                                    "The EIDO document could not be written: {reason}"
                                    ).format(reason=reason))
            return False
        messages().info(translate("IncidentDetail", "{id} exported as {file}.").format(
            id=inc.id, file=path))
        return True

    # -- commands --------------------------------------------------------------------------

    def _forget_dialog(self, dialog: ActionDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def _send(self, command: str, args: Mapping[str, Any], inc: Incident) -> None:
        if self._bridge.state != "live":
            self._refused(translate("IncidentDetail", _NOT_CONNECTED))
            return
        self._in_flight[command] = None
        self._update_actions()
        self._bridge.submit(command, {**args, "id": inc.id}, expected_version=inc.version,
                            callback=lambda result: self._answered(command, inc.id, result))

    def _answered(self, command: str, incident_id: str, result: CommandResult) -> None:
        if not shiboken6.isValid(self):
            return
        if incident_id == self._incident_id:  # (the user may have moved on meanwhile)
            version = result.data.get("version") if result.data.get("id") == incident_id \
                else None
            if result.ok and isinstance(version, int):
                self._in_flight[command] = version
            else:
                self._in_flight.pop(command, None)
        spec = ACTION_BY_COMMAND[command]
        if result.ok:
            text = translate("IncidentDetail", "{action}: done ({id}).").format(
                action=spec.text.rstrip("…"), id=incident_id)
            self.message.setStyleSheet("color: #2e7d32;")
            self.message.setText(text)
            self.message.show()
            messages().info(text)
        elif result.code == "offline":
            self._refused(translate("IncidentDetail", _NOT_CONNECTED))
        else:
            self._refused(translate("IncidentDetail", "{action} refused: {reason}").format(
                action=spec.text.rstrip("…"), reason=result_text(result)))
        self._update_actions()

    def _waiting(self, command: str, inc: Incident | None) -> bool:
        if command not in self._in_flight:
            return False
        version = self._in_flight[command]
        if version is None:
            return True
        if inc is not None and inc.version < version:
            return True
        del self._in_flight[command]
        return False

    def _report(self, text: str, ok: bool) -> None:
        if not ok:
            self._refused(text)
            return
        self.message.setStyleSheet("color: #2e7d32;")
        self.message.setText(text)
        self.message.show()
        messages().info(text)

    def _refused(self, text: str) -> None:
        self.message.setStyleSheet("color: #c62828;")
        self.message.setText(text)
        self.message.show()
        messages().error(text)

    # -- the bridge ------------------------------------------------------------------------

    def _on_changed(self, change: ChangeSet) -> None:
        iid = self._incident_id
        if iid is None:
            return
        if change.taxonomy is not None:
            self._names = DisplayNames(self._names.language, self._rules, change.taxonomy)
        new = False
        for seq, event in change.events:
            if iid in (event.data.get("id"), event.data.get("into")) and seq not in self._events:
                self._events[seq] = {"seq": seq, "at": event.at.isoformat(), "name": event.name,
                                     "actor": event.actor, "data": dict(event.data)}
                new = True
        if new:
            self._draw_timeline()
            if self.record.incident is not None:
                self.record.ask()  # the record's case has changed
        if change.reset:
            self._request_timeline()  # events between the old state and the snapshot
        if change.reset or iid in change.incidents:
            self.refresh()

    def _on_state(self, state: str, detail: object) -> None:
        stale = state != "live"
        self.stale_banner.setVisible(stale)
        self.sheet.setStyleSheet("QLabel { color: palette(mid); }" if stale else "")
        self._update_actions()
        if not stale and not self._timeline_asked:
            self._request_timeline()
        if not stale:
            self.record.ask(unless_asked=True)

    def _on_login(self, user: object) -> None:
        self.refresh()  # who may do what has changed

    def _tick(self) -> None:
        if self._incident is not None and self.isVisible():
            self._show_sla()
            self.sheet.fill_clocks(self._incident)
            self._update_actions()  # supervise and extensions depend on the clock


class IncidentWindow(QMainWindow):
    """An incident in a window of its own, following changes like any detail.

    Args:
        incident_id: the incident shown; the title says its id and category.
    """

    def __init__(self, bridge: Bridge, rules: Rules, incident_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if parent is not None:
            self.setWindowFlag(Qt.WindowType.Window)
        self.setObjectName("incidentWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.detail = IncidentDetail(bridge, rules, self)
        self.setCentralWidget(self.detail)
        menu = self.menuBar().addMenu(translate("IncidentDetail", "&Actions"))
        menu.addActions(self.detail.actions())
        self.detail.updated.connect(self._retitle)
        self.detail.show_incident(incident_id)
        self.resize(640, 760)

    def _retitle(self, inc: Incident | None) -> None:
        iid = self.detail.incident_id or ""
        if inc is None:
            self.setWindowTitle(iid)
        else:
            self.setWindowTitle(f"{iid} — {self.detail._names.category(inc.category)}")


_windows: set[IncidentWindow] = set()


def pop_out(bridge: Bridge, rules: Rules, incident_id: str,
            parent: QWidget | None = None) -> IncidentWindow:
    """Open ``incident_id`` in a window of its own and return it (it deletes itself on close)."""
    window = IncidentWindow(bridge, rules, incident_id, parent)
    _windows.add(window)
    window.destroyed.connect(lambda *_: _windows.discard(window))
    window.show()
    window.raise_()
    window.activateWindow()
    return window
