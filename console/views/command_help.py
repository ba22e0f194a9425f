"""The command line's help as a side panel: every verb with its usage, what it does and the other
ways of typing it, and the words ``S`` and ``U`` take.

It is a dock of its own (the main window puts it under the incident, closed until ``H`` or F1),
never a modal box: it stays open while the dispatcher types, and never takes the keyboard focus
from the command line. The lines come from :mod:`console.views.command_parser` (the same table
the parser reads), so the help cannot list a verb the line does not know.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from console.domain.model import AssignmentState
from console.ui.names import unit_status_name
from console.views.command_parser import SETTABLE_STATUSES, STEPS, VERBS
from console.views.incident_words import ASSIGNMENT_STATES

CONTEXT = "CommandHelp"


def _in_line(text: str) -> str:
    return QCoreApplication.translate("CommandLine", text)


def _step_name(step: AssignmentState) -> str:
    return QCoreApplication.translate("IncidentActions", str(ASSIGNMENT_STATES[step]))


class CommandHelp(QWidget):
    """The panel: a table of the verbs and a note of the words their arguments take."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("commandHelp")
        self.table = QTreeWidget(self)
        self.table.setObjectName("commandHelpTable")
        self.table.setRootIsDecorated(False)
        self.table.setColumnCount(3)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(True)
        # A page to read beside the line: clicking it must not leave the line without focus
        # for long, and Tab from the line must not wander into it.
        self.table.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.intro = QLabel(self)
        self.intro.setObjectName("commandHelpIntro")
        self.intro.setWordWrap(True)
        self.words = QLabel(self)
        self.words.setObjectName("commandHelpWords")
        self.words.setWordWrap(True)
        self.words.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.words)
        self.retranslate()

    def rows(self) -> list[list[str]]:
        """The table's text, row by row (for tests and screenshots)."""
        items = (self.table.topLevelItem(r) for r in range(self.table.topLevelItemCount()))
        return [[item.text(c) for c in range(self.table.columnCount())]
                for item in items if item is not None]

    def retranslate(self) -> None:
        self.intro.setText(_in_line("Commands (123 = the incident's short number):"))
        self.table.setHeaderLabels([self.tr("Command"), self.tr("Does"),
                                    self.tr("Also typed as")])
        self.table.clear()
        for verb in VERBS:
            others = [w for w in verb.words if w.casefold() != verb.letter.casefold()]
            QTreeWidgetItem(self.table, [_in_line(verb.usage), _in_line(verb.summary),
                                         ", ".join(others)])
        for column, width in ((0, 210), (1, 260)):
            self.table.setColumnWidth(column, width)
        steps = ", ".join(f"{s.value} ({_step_name(s)})" for s in STEPS)
        statuses = ", ".join(f"{s.value} ({unit_status_name(s)})" for s in SETTABLE_STATUSES)
        self.words.setText(
            self.tr("Steps for U: {steps}. Statuses for S: {statuses}. A prefix is enough "
                    "(U U45 on). Tab completes; Up and Down walk the history.").format(
                steps=steps, statuses=statuses))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
