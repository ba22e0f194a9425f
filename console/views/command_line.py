"""The dispatcher's command line: a line edit that runs what :mod:`command_parser` reads.

``A 123`` accepts, ``D 123 U45 U46`` dispatches two units, ``F 123`` opens, ``H`` lists the rest
(see :mod:`console.views.command_parser`). Enter submits the line's commands through the bridge
one after the other, each with the version of the incident the console shows (the next with the
version the previous result returned), and shows the outcome beside the line and on the message
bus: what was done, or the hub's refusal in the user's language. Up/Down walk the history, which
the main window keeps with :meth:`CommandLine.history` / :meth:`CommandLine.set_history`;
completion offers verbs, then incidents, units, statuses or departments as the position asks.
A line that acts on an incident says so (:attr:`CommandLine.acted_on`), for the detail to follow.

``U 123 U45 onscene`` (or ``U U45 on``, the unit's current assignment) reports a unit's progress;
its completion offers the incidents with units on them, then the incident's units, then the
steps the assignment may take next. ``G 123`` alone sends the department the assign dialog would
propose, so that the answer can name it.

Dispatching follows the incident's response plan when the console knows where units are
(:attr:`CommandLine.recommender`, the map's ranking): ``D 123 `` — with the space — opens the
completion on the recommended units, the plan's picks first and each band soonest first, with
their ETA; ``D 123`` alone proposes the top one and waits: Enter sends it, Escape (or any edit)
drops the proposal.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEvent, Qt, Signal
from PySide6.QtGui import QKeyEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QWidget,
)
from shiboken6 import isValid

from console.comms.bridge import Bridge
from console.comms.client import CommandResult
from console.domain.incident import Incident
from console.domain.model import AssignmentState, IncidentState, UnitStatus, assignment_steps
from console.map.nearest_panel import eta_text
from console.map.recommend import Fit, Recommended
from console.ui.message import messages
from console.ui.names import DisplayNames, ui_language, unit_status_name, unit_type_name
from console.ui.text import result_text
from console.views.command_parser import (
    SETTABLE_STATUSES,
    STEPS,
    VERBS,
    Intent,
    Parsed,
    ParseError,
    completion_slot,
    help_text,
    incident_number,
    parse,
    progress_slot,
    resolve_incident,
    verb_of,
)
from console.views.incident_words import ASSIGNMENT_STATES

__all__ = ["CommandLine", "Intent", "ParseError", "Parsed", "parse"]

CONTEXT = "CommandLine"

if TYPE_CHECKING:  # PySide's stub says it returns object; it returns its text argument
    def QT_TRANSLATE_NOOP(context: str, text: str) -> str: ...
else:
    from PySide6.QtCore import QT_TRANSLATE_NOOP


def _t(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def _t_actions(text: object) -> str:
    return QCoreApplication.translate("IncidentActions", str(text))


_DONE = {
    "accept": QT_TRANSLATE_NOOP("CommandLine", "{id} accepted."),
    "reject": QT_TRANSLATE_NOOP("CommandLine", "{id} rejected."),
    "dispatch": QT_TRANSLATE_NOOP("CommandLine", "{unit} dispatched to {id}."),
    "status": QT_TRANSLATE_NOOP("CommandLine", "{id} is now {status}."),
    "close": QT_TRANSLATE_NOOP("CommandLine", "{id} closed."),
    "verify": QT_TRANSLATE_NOOP("CommandLine", "{id}: verification recorded."),
    "assign": QT_TRANSLATE_NOOP("CommandLine", "{id} assigned to {department}."),
    "note": QT_TRANSLATE_NOOP("CommandLine", "Note added to {id}."),
    "escalate": QT_TRANSLATE_NOOP("CommandLine", "{id} escalated to the police."),
    "merge": QT_TRANSLATE_NOOP("CommandLine", "{id} merged into {into}."),
    "reopen": QT_TRANSLATE_NOOP("CommandLine", "{id} reopened."),
    "progress": QT_TRANSLATE_NOOP("CommandLine", "{unit} on {id}: {step}."),
}
_CO_HANDLERS = QT_TRANSLATE_NOOP("CommandLine", "{id} assigned to {department}, with {co}.")
_COLOURS = {True: "#1e8e3e", False: "#c5221f", None: "#5f6368"}
#: The word a completion inserts (the popup shows a longer label).
TokenRole = int(Qt.ItemDataRole.UserRole)
_MAX_COMPLETIONS = 50


class _Edit(QLineEdit):
    """The line itself: Enter runs, Up/Down walk the history, Escape clears."""

    def __init__(self, owner: CommandLine) -> None:
        super().__init__(owner)
        self._owner = owner

    def event(self, event: QEvent) -> bool:
        # Tab completes the word (QWidget.event would move the focus before keyPressEvent).
        if (event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() == Qt.Key.Key_Tab
                and event.modifiers() == Qt.KeyboardModifier.NoModifier
                and self._owner.complete_word()):
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = Qt.Key(event.key())
        enter = key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        popup = self._owner.popup
        if popup.isVisible():
            # With a completion chosen Enter takes it, and Escape closes the popup: ignored
            # here, the completer does both. With none chosen Enter runs the line.
            if key == Qt.Key.Key_Escape or (enter and popup.currentIndex().isValid()):
                event.ignore()
                return
            if enter:
                popup.hide()
        if enter:
            self._owner.execute()
        elif key == Qt.Key.Key_Up:
            self._owner.history_back()
        elif key == Qt.Key.Key_Down:
            self._owner.history_forward()
        elif key == Qt.Key.Key_Escape:
            self._owner.clear()
        else:
            super().keyPressEvent(event)


class CommandLine(QWidget):
    """The dispatcher's command line (``A 123``, ``D 123 U45``, ``F 123`` …; ``H`` for help).

    Args:
        bridge: the console's bridge; commands go through it, the replica resolves numbers.
        parent: the Qt parent.

    Signals:
        open_incident(str): ``F`` asked to find and open this incident.
        new_intake(): ``N`` asked for a new intake form.
        help_requested(): ``H`` or ``?``.
        acted_on(str): a line acting on this incident was sent (the detail follows it).
        answered(bool, str): a line's commands all went through (True) or one was refused or
            could not be sent (False), with the text shown.
    """

    open_incident = Signal(str)
    new_intake = Signal()
    help_requested = Signal()
    acted_on = Signal(str)
    answered = Signal(bool, str)
    HISTORY_LIMIT = 500

    def __init__(self, bridge: Bridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("commandLine")
        self.bridge = bridge
        self.edit = _Edit(self)
        self.edit.setObjectName("commandLineEdit")
        self.outcome = QLabel(self)
        self.outcome.setObjectName("commandOutcome")
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._completions = QStandardItemModel(self)
        self.completer = QCompleter(self._completions, self)
        self.completer.setWidget(self.edit)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCompletionRole(TokenRole)
        self.completer.setMaxVisibleItems(12)
        self.completer.activated[str].connect(self.insert_completion)  # type: ignore[index]
        self.edit.textEdited.connect(self.update_completions)
        self._history: list[str] = []
        self._position: int | None = None  # while walking the history
        self._draft = ""
        #: The units to offer for an incident, best first (the map dock's ranking); None: the
        #: console has no positions, and completion offers units by id.
        self.recommender: Callable[[str, int], list[Recommended]] | None = None
        self._proposal: tuple[str, str] | None = None  # (the line as typed, the line it runs)
        self._departments = {
            key: d.code for d in bridge.rules.taxonomy.departments
            for key in (d.code.casefold(), d.zh, d.en.casefold())}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.edit, 3)
        layout.addWidget(self.outcome, 2)
        self.retranslate()

    @property
    def popup(self) -> QAbstractItemView:
        """The completer's list of completions."""
        popup = self.completer.popup()
        assert popup is not None  # a completer always has one
        return popup

    # -- running a line ---------------------------------------------------------------------

    def execute(self, text: str | None = None) -> Parsed | ParseError:
        """Run ``text`` (default: what is typed); the line is kept when it does not parse."""
        line = self.edit.text() if text is None else text
        proposal, self._proposal = self._proposal, None
        if proposal is not None and line.strip() == proposal[0]:
            line = proposal[1]  # Enter again: the proposed unit goes
        replica = self.bridge.replica
        parsed = parse(line, replica.incidents, replica.units, self._departments)
        if isinstance(parsed, ParseError):
            if self._propose(line, parsed):
                return parsed
            if parsed.code != "empty":
                self._remember(line)
                self._show(False, parsed.text)
                messages().warning(parsed.text)
            return parsed
        self._remember(line)
        self.edit.clear()
        if parsed.intent is Intent.OPEN:
            self._show(None, "")
            self.open_incident.emit(str(parsed.incident))
        elif parsed.intent is Intent.NEW:
            self._show(None, "")
            self.new_intake.emit()
        elif parsed.intent is Intent.HELP:
            self._show(None, "")
            self.help_requested.emit()
        else:
            parsed = self._with_defaults(parsed)
            self._show(None, self.tr("Sending…"))
            self._submit(parsed, 0, {}, ())
            if parsed.incident:
                self.acted_on.emit(parsed.incident)
        return parsed

    def _with_defaults(self, parsed: Parsed) -> Parsed:
        """``G 123`` alone: the department the assign dialog would propose (the incident's
        lead, else the category's on its street), sent by name so that the answer can say it."""
        if parsed.verb != "assign" or "department" in parsed.commands[0][1]:
            return parsed
        name, args = parsed.commands[0]
        inc = self.bridge.replica.incidents.get(args["id"])
        if inc is None:
            return parsed
        default = inc.lead_department or self.bridge.rules.taxonomy.department_for(
            inc.category, inc.location.street)
        return replace(parsed, commands=((name, {**args, "department": default}),))

    def _propose(self, line: str, error: ParseError) -> bool:
        """``D 123`` with no unit: propose the plan's top unit; True when one was proposed."""
        words = line.split()
        verb = verb_of(words[0]) if words else None
        if (error.code != "missing" or verb is None or verb.name != "dispatch"
                or len(words) != 2 or self.recommender is None):
            return False
        iid = resolve_incident(words[1], self.bridge.replica.incidents)
        if isinstance(iid, ParseError):
            return False
        top = self.recommender(iid, 1)
        if not top:
            return False
        best = top[0]
        unit = self.bridge.replica.units.get(best.unit_id)
        self._proposal = (line.strip(), f"{words[0]} {iid} {best.unit_id}")
        self._show(None, self.tr("Dispatch {unit} {name} ({type}, {eta}) to {id}? "
                                 "Enter sends it, Esc cancels.").format(
            unit=best.unit_id, name=unit.name if unit else "", type=unit_type_name(best.type),
            eta=eta_text(best.eta_s), id=iid))
        return True

    def _submit(self, parsed: Parsed, step: int, versions: dict[str, int],
                done: tuple[str, ...]) -> None:
        name, args = parsed.commands[step]
        version = None
        if name.startswith("incident."):
            incident = self.bridge.replica.incidents.get(args["id"])
            version = versions.get(args["id"], incident.version if incident else None)
        self.bridge.submit(name, args, expected_version=version,
                           callback=lambda result: self._answered(parsed, step, versions, done,
                                                                  result))

    def _answered(self, parsed: Parsed, step: int, versions: dict[str, int],
                  done: tuple[str, ...], result: CommandResult) -> None:
        if not isValid(self):  # closed while the hub was answering
            return
        if not result.ok:
            why = (self.tr("Offline: not connected to the hub; the command was not sent.")
                   if result.code == "offline" else result_text(result))
            self._finish(False, " ".join((*done, why)))
            return
        done = (*done, self._done_text(parsed.verb, parsed.commands[step][1]))
        if isinstance(result.data.get("version"), int):
            versions[str(result.data.get("id"))] = result.data["version"]
        if step + 1 < len(parsed.commands):
            self._submit(parsed, step + 1, versions, done)
        else:
            self._finish(True, " ".join(done))

    def _done_text(self, verb: str, args: dict[str, Any]) -> str:
        """What a command that went through did, in the user's language."""
        params = {k: v for k, v in args.items() if k != "status"}
        if verb == "status":
            params["status"] = unit_status_name(UnitStatus(args["status"]))
        elif verb == "progress":
            inc = self.bridge.replica.incidents.get(args["id"])
            assignment = inc.assignment(args["assignment"]) if inc else None
            params["unit"] = assignment.unit if assignment else args["assignment"]
            params["step"] = _t_actions(ASSIGNMENT_STATES[AssignmentState(args["status"])])
        elif verb == "assign":
            names = DisplayNames(ui_language(), self.bridge.rules)
            params["department"] = names.department(str(args.get("department", "")))
            co = [names.department(code) for code in args.get("co_handlers", ())]
            if co:
                return _t(_CO_HANDLERS).format(co="、".join(co) if names.language == "zh"
                                               else ", ".join(co), **params)
        return _t(_DONE[verb]).format(**params)

    def _finish(self, ok: bool, text: str) -> None:
        self._show(ok, text)
        (messages().info if ok else messages().error)(text)
        self.answered.emit(ok, text)

    def _show(self, ok: bool | None, text: str) -> None:
        self.outcome.setText(text)
        self.outcome.setToolTip(text)
        self.outcome.setProperty("ok", ok)
        self.outcome.setStyleSheet(f"QLabel {{ color: {_COLOURS[ok]}; }}")

    def clear(self) -> None:
        """Empty the line (Escape), drop a proposal and stop walking the history."""
        if self._proposal is not None:
            self._proposal = None
            self._show(None, self.tr("Not dispatched."))
        self.popup.hide()
        self.edit.clear()
        self._position = None
        self._draft = ""

    # -- history ----------------------------------------------------------------------------

    def history(self) -> list[str]:
        """The lines run, oldest first (for the main window to keep)."""
        return list(self._history)

    def set_history(self, lines: Iterable[str]) -> None:
        self._history = [str(line) for line in lines if str(line).strip()][-self.HISTORY_LIMIT:]
        self._position = None

    def _remember(self, line: str) -> None:
        line = line.strip()
        if line and (not self._history or self._history[-1] != line):
            self._history.append(line)
            del self._history[:-self.HISTORY_LIMIT]
        self._position = None
        self._draft = ""

    def history_back(self) -> None:
        """Up: the previous line run (what was being typed is kept for Down)."""
        if not self._history or self._position == 0:
            return
        if self._position is None:
            self._draft = self.edit.text()
            self._position = len(self._history)
        self._position -= 1
        self.edit.setText(self._history[self._position])

    def history_forward(self) -> None:
        """Down: the next line run, and after the newest what was being typed."""
        if self._position is None:
            return
        self._position += 1
        if self._position >= len(self._history):
            self._position = None
            self.edit.setText(self._draft)
        else:
            self.edit.setText(self._history[self._position])

    # -- completion -------------------------------------------------------------------------

    def completions(self) -> list[str]:
        """The words the completer offers now."""
        return [self._completions.item(row).data(TokenRole)
                for row in range(self._completions.rowCount())]

    def update_completions(self, *_: Any) -> None:
        """Offer what fits the word at the cursor; the popup opens once something is typed."""
        if self._proposal is not None and self.edit.text().strip() != self._proposal[0]:
            self._proposal = None
            self._show(None, "")
        before = self.edit.text()[:self.edit.cursorPosition()]
        kind, prefix = completion_slot(before)
        if kind == "progress":
            rows, eager = self._progress_candidates(before, prefix)
            self._offer(rows, prefix, eager)
            return
        recommended = self._recommended(before) if kind == "unit" else []
        rows = recommended + [row for row in self._candidates(kind, prefix)
                              if row[1] not in {token for _, token in recommended}]
        self._offer(rows, prefix, bool(recommended))

    def _offer(self, rows: list[tuple[str, str]], prefix: str, eager: bool = False) -> None:
        """Fill the completer with (label, token) rows; open it once something is typed (at
        once when ``eager``)."""
        self._completions.clear()
        for label, token in rows[:_MAX_COMPLETIONS]:
            item = QStandardItem(label)
            item.setData(token, TokenRole)
            item.setEditable(False)
            self._completions.appendRow(item)
        popup = self.popup
        if (prefix or eager) and self._completions.rowCount():
            self.completer.setCompletionPrefix("")
            self.completer.complete()
            popup.setCurrentIndex(self._completions.index(-1, 0))  # none chosen: Enter runs
        else:
            popup.hide()

    def complete_word(self) -> bool:
        """Tab: put the chosen completion, or else the first, in place of the word at the
        cursor. False when there is nothing to complete."""
        popup = self.popup
        current = popup.currentIndex() if popup.isVisible() else None
        if current is None:
            self.update_completions()
        row = current.row() if current is not None and current.isValid() else 0
        if row >= self._completions.rowCount():
            return False
        popup.hide()
        self.insert_completion(self._completions.item(row).data(TokenRole))
        return True

    def insert_completion(self, token: str) -> None:
        """Put ``token`` in place of the word at the cursor, followed by a space."""
        text, cursor = self.edit.text(), self.edit.cursorPosition()
        before, after = text[:cursor], text[cursor:]
        start = len(before) - len(before.split()[-1]) if before and not before[-1].isspace() \
            else len(before)
        line = f"{before[:start]}{token} {after.lstrip()}"
        self.edit.setText(line)
        self.edit.setCursorPosition(start + len(token) + 1)
        self.update_completions()

    def _recommended(self, before: str) -> list[tuple[str, str]]:
        """For ``D 123 …``: the recommended units not on the line yet whose id or name starts
        with the word at the cursor, as (label, id), in the ranking's order."""
        words = before.split()
        verb = verb_of(words[0]) if words else None
        if self.recommender is None or verb is None or verb.name != "dispatch" or len(words) < 2:
            return []
        iid = resolve_incident(words[1], self.bridge.replica.incidents)
        if isinstance(iid, ParseError):
            return []
        typing = "" if before[-1:].isspace() else words[-1].casefold()
        taken = {w.casefold() for w in words[2:]}
        units = self.bridge.replica.units
        marks = {Fit.PICK: self.tr("recommended"), Fit.FITS: self.tr("fits the plan"),
                 Fit.OTHER: ""}
        rows = []
        for row in self.recommender(iid, 12):
            unit = units.get(row.unit_id)
            name = unit.name if unit else ""
            fits_typing = (row.unit_id.casefold().startswith(typing)
                           or name.casefold().startswith(typing))
            if row.unit_id.casefold() in taken or not fits_typing:
                continue
            label = "  ".join(part for part in (
                row.unit_id, eta_text(row.eta_s), unit_type_name(row.type), name,
                marks[row.fit]) if part)
            rows.append((label, row.unit_id))
        return rows

    def _progress_candidates(self, before: str, prefix: str
                             ) -> tuple[list[tuple[str, str]], bool]:
        """For ``U …``: incidents with units on them and units on an assignment, then the
        incident's units, then the steps the assignment may take next (all steps when it is
        not known); with whether to open the list before anything is typed."""
        words = before.split()[1:]
        if prefix:
            words = words[:-1]
        replica = self.bridge.replica
        kind, subject = progress_slot(words, replica.incidents, replica.units)
        folded = prefix.casefold()
        if kind == "subject":
            digits = prefix.lstrip("#0") if prefix.lstrip("#").isdigit() else None
            on_scene = (inc for inc in replica.incidents.values()
                        if any(a.active for a in inc.assignments)
                        and (str(incident_number(inc.id)).startswith(digits)
                             if digits is not None else folded in inc.id.casefold()))
            rows = [(f"{inc.id}  {', '.join(a.unit for a in inc.assignments if a.active)}",
                     inc.id) for inc in heapq.nsmallest(_MAX_COMPLETIONS, on_scene,
                                                        key=lambda inc: inc.id)]
            if digits is None:
                busy = (uid for uid, unit in replica.units.items() if unit.assignment
                        and (uid.casefold().startswith(folded)
                             or unit.name.casefold().startswith(folded)))
                rows += [(f"{uid}  {replica.units[uid].name}", uid)
                         for uid in heapq.nsmallest(_MAX_COMPLETIONS, busy)]
            return rows, False
        if kind == "unit" and isinstance(subject, Incident):
            rows = [(f"{a.unit}  {_t_actions(ASSIGNMENT_STATES[a.state])}", a.unit)
                    for a in subject.assignments if a.active
                    and a.unit.casefold().startswith(folded)]
            return rows, True
        if kind == "step":
            steps = STEPS if subject is None or isinstance(subject, Incident) \
                else assignment_steps(subject.state)
            return [(f"{step.value}  {_t_actions(ASSIGNMENT_STATES[step])}", step.value)
                    for step in steps if step.value.startswith(folded)
                    or step.value.replace("_", "").startswith(folded.replace("_", ""))], True
        return [], False

    def _candidates(self, kind: str | None, prefix: str) -> list[tuple[str, str]]:
        folded = prefix.casefold()
        replica = self.bridge.replica
        if kind == "verb":
            return [(f"{v.letter}  {_t(v.summary)}", v.letter) for v in VERBS
                    if any(w.casefold().startswith(folded) for w in (v.letter, *v.words))]
        if kind in ("incident", "closed_incident"):
            closed = kind == "closed_incident"
            digits = prefix.lstrip("#0") if prefix.lstrip("#").isdigit() else None
            fitting = (iid for iid, inc in replica.incidents.items()
                       if (inc.state is IncidentState.CLOSED if closed else not inc.finished)
                       and (str(incident_number(iid)).startswith(digits) if digits is not None
                            else folded in iid.casefold()))
            return [(f"{iid}  {replica.incidents[iid].description[:30]}", iid)
                    for iid in heapq.nsmallest(_MAX_COMPLETIONS, fitting)]
        statuses = [(f"{s.value}  {unit_status_name(s)}", s.value)
                    for s in SETTABLE_STATUSES if s.value.startswith(folded)]
        if kind == "unit" or (kind == "status" and prefix):  # S U45 U46 busy: more units
            fitting = (uid for uid, unit in replica.units.items()
                       if folded in uid.casefold() or folded in unit.name.casefold())
            units = [(f"{uid}  {replica.units[uid].name}", uid)
                     for uid in heapq.nsmallest(_MAX_COMPLETIONS, fitting)]
            return statuses + units if kind == "status" else units
        if kind == "status":
            return statuses
        if kind == "verdict":
            return [(f"{word}  {_t(label)}", word) for word, label in (
                ("ok", QT_TRANSLATE_NOOP("CommandLine", "reporter satisfied")),
                ("basic", QT_TRANSLATE_NOOP("CommandLine", "reporter basically satisfied")),
                ("fail", QT_TRANSLATE_NOOP("CommandLine", "reporter not satisfied")))
                if word.startswith(folded)]
        if kind == "department":
            departments = self.bridge.rules.taxonomy.departments
            by_code = [d for d in departments if d.code.startswith(folded)]
            by_name = [d for d in departments if d not in by_code
                       and (folded in d.zh or folded in d.en.casefold())]
            return [(f"{d.code}  {d.zh} / {d.en}", d.code) for d in (*by_code, *by_name)]
        return []

    # -- language ---------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.edit.setPlaceholderText(self.tr("Command — H for help (A 123 accept, D 123 U45 …)"))
        self.edit.setToolTip(help_text())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
