"""Showing a reporter unmasked: the detail's "Show reporter…" action, the reason it asks for,
and the hub's answer.

The feed brings reporters masked or withheld for every role but the intake (docs/security.md
"Personal data: who sees what"). A user whose work needs one asks the hub with a reason; the
hub checks and records the read, and the answer is shown in the detail until another incident
is shown — it is never put into the replica, so no other view (the queue, an export) holds it.
Whether the action is enabled is the domain's :func:`console.domain.privacy.may_unmask`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QWidget

from console.comms.bridge import Bridge
from console.comms.client import CommandResult
from console.domain.incident import Incident
from console.domain.privacy import may_unmask
from console.domain.rules import Rules
from console.ui.context import context_of
from console.ui.text import result_text
from console.views.forms import FormDialog, required_text, text_edit

CONTEXT = "ReporterReveal"
translate = QCoreApplication.translate  # the name pyside6-lupdate looks for

#: The action's shortcut (free among the detail's Alt shortcuts: I for identity).
SHORTCUT = "Alt+I"


class ReasonDialog(FormDialog):
    """Why the user needs the reporter of ``incident_id``: a reason, required."""

    def __init__(self, incident_id: str, parent: QWidget | None = None) -> None:
        super().__init__(translate("ReporterReveal", "Show reporter — {id}").format(
            id=incident_id), parent)
        self.setObjectName("reasonDialog")
        self.setMinimumWidth(440)  # the title holds the incident id
        self.reason = text_edit(self)
        self.reason.setObjectName("reason")
        self.error = self.add_row(translate("ReporterReveal", "Reason"), self.reason)
        note = QLabel(translate(
            "ReporterReveal", "The reporter's name and phone are personal data: your reading "
            "them is recorded with this reason."), self)
        note.setWordWrap(True)
        self.form.addRow(note)

    def arguments(self) -> dict[str, Any] | None:
        text = required_text(self.reason, self.error)
        return None if text is None else {"reason": text}


class ReporterReveal(QObject):
    """The "Show reporter…" action of one detail view.

    Args:
        bridge: the console's bridge (its user, and the ``reporter`` request).
        rules: the domain rules (who may unmask what).
        owner: the detail widget the action and the dialog belong to.
        report: shows a message in the detail: ``(text, ok)``.

    Signals:
        revealed(str, dict): the incident id and the hub's answer (``reporter``,
            ``description``), once the hub has recorded the read.
    """

    revealed = Signal(str, dict)

    def __init__(self, bridge: Bridge, rules: Rules, owner: QWidget,
                 report: Callable[[str, bool], None]) -> None:
        super().__init__(owner)
        self._bridge = bridge
        self._rules = rules
        self._owner = owner
        self._report = report
        self._incident: Incident | None = None
        self.shown: dict[str, Any] | None = None  # the answer for the incident shown
        self.dialog: ReasonDialog | None = None
        self.action = QAction(translate("ReporterReveal", "Show reporter…"), owner)
        self.action.setObjectName("showReporter")
        self.action.setShortcut(QKeySequence(SHORTCUT))
        self.action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.action.triggered.connect(self.trigger)
        owner.addAction(self.action)

    def show_for(self, inc: Incident | None) -> None:
        """Follow the incident the detail shows; another incident forgets what was revealed."""
        if inc is None or self._incident is None or inc.id != self._incident.id:
            self.shown = None
            if self.dialog is not None:
                self.dialog.reject()
        self._incident = inc
        ctx = context_of(self._rules, self._bridge.replica.user)
        why: str | None = None
        if inc is None or ctx is None:
            why = translate("ReporterReveal", "No incident is shown.")
        elif self.shown is not None:
            why = translate("ReporterReveal", "The reporter is shown.")
        elif (refused := may_unmask(ctx.actor, inc)) is not None:
            why = result_text(CommandResult("", False, code=refused.code,
                                            message=refused.message, template=refused.template,
                                            params=refused.params))
        self.action.setEnabled(why is None)
        shortcut = self.action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        self.action.setToolTip(why if why is not None else translate(
            "ReporterReveal", "Show the reporter's name and phone, giving a reason ({key})"
        ).format(key=shortcut))

    def trigger(self) -> None:
        inc = self._incident
        if inc is None or not self.action.isEnabled():
            return
        if self.dialog is not None:
            self.dialog.reject()
        dialog = ReasonDialog(inc.id, self._owner)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._ask(inc.id, (dialog.values or {})["reason"]))
        dialog.finished.connect(lambda _code: self._forget(dialog))
        self.dialog = dialog
        dialog.open()

    def _forget(self, dialog: ReasonDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def _ask(self, incident_id: str, reason: str) -> None:
        self.action.setEnabled(False)
        self._bridge.request_reporter(incident_id, reason,
                                      lambda answer: self._came(incident_id, answer))

    def _came(self, incident_id: str, answer: Mapping[str, Any] | None) -> None:
        if not shiboken6.isValid(self) or self._incident is None \
                or self._incident.id != incident_id:
            return  # the user has moved on: nothing is shown for another incident
        if answer is None:
            self._report(translate("ReporterReveal", "The hub did not answer; the reporter is "
                                   "not shown. Try again when connected."), False)
        elif answer.get("ok"):
            self.shown = dict(answer)
            self._report(translate("ReporterReveal", "Reporter of {id} shown; your reading is "
                                   "on record.").format(id=incident_id), True)
            self.revealed.emit(incident_id, self.shown)
        else:
            refused = CommandResult.from_wire({"id": "", **answer})
            self._report(translate("ReporterReveal", "Show reporter refused: {reason}").format(
                reason=result_text(refused)), False)
        self.show_for(self._incident)
