"""The command line's help as a side panel: every verb with its usage, what it does and the other
ways of typing it, and the words ``S`` and ``U`` take.

It is a dock of its own (the main window puts it under the incident, closed until ``H`` or F1),
never a modal box: it stays open while the dispatcher types, and never takes the keyboard focus
from the command line. The lines come from :mod:`console.views.command_parser` (the same table
the parser reads), so the help cannot list a verb the line does not know.
"""

from __future__ import annotations

from html import escape

import PySide6QtAds as QtAds
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QTextBrowser, QWidget

from console.domain.model import AssignmentState
from console.ui.names import unit_status_name
from console.views.command_parser import SETTABLE_STATUSES, STEPS, VERBS
from console.views.common import keeping_focus
from console.views.incident_words import ASSIGNMENT_STATES

CONTEXT = "CommandHelp"
INTRO = "Commands (123 = the incident's short number):"  # the command line's own words


def _in_line(text: str) -> str:
    return QCoreApplication.translate("CommandLine", text)


def _step_name(step: AssignmentState) -> str:
    return QCoreApplication.translate("IncidentActions", str(ASSIGNMENT_STATES[step]))


class CommandHelp(QTextBrowser):
    """The panel: the verbs as a table, then the words their arguments take. It wraps to any
    width the dock is given."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("commandHelp")
        self.setOpenLinks(False)
        # A page to read beside the line: Tab from the line must not wander into it.
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.retranslate()

    def rows(self) -> list[list[str]]:
        """Each verb as shown: usage, what it does, the other ways of typing it."""
        return [[_in_line(verb.usage), _in_line(verb.summary),
                 ", ".join(w for w in verb.words if w.casefold() != verb.letter.casefold())]
                for verb in VERBS]

    def retranslate(self) -> None:
        also = self.tr("also")
        lines = "".join(
            f"<tr><td style='padding:2px 10px 2px 0'><b>{escape(usage)}</b></td>"
            f"<td style='padding:2px 0'>{escape(does)}"
            f"<br><span style='color:#5f6368'>{escape(also)}: {escape(others)}</span></td></tr>"
            for usage, does, others in self.rows())
        steps = ", ".join(f"<b>{s.value}</b> ({escape(_step_name(s))})" for s in STEPS)
        statuses = ", ".join(f"<b>{s.value}</b> ({escape(unit_status_name(s))})"
                             for s in SETTABLE_STATUSES)
        words = escape(self.tr(
            "Steps for U: {steps}. Statuses for S: {statuses}. A prefix is enough "
            "(U U45 on). Tab completes; Up and Down walk the history.")).format(
            steps=steps, statuses=statuses)
        self.setHtml(f"<p>{escape(_in_line(INTRO))}</p><table>{lines}</table><p>{words}</p>")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def open_panel(manager: QtAds.CDockManager, dock: QtAds.CDockWidget) -> None:
    """Open the help's ``dock`` where it was placed, the keyboard left where it was; opened
    from closed under the incident as placed, it gets half of that column to be read in."""
    opening = dock.isClosed()
    with keeping_focus():
        dock.toggleView(True)
        dock.setAsCurrentTab()
    area = dock.dockAreaWidget()
    sizes = manager.splitterSizes(area) if opening and area else []
    if len(sizes) == 2:
        manager.setSplitterSizes(area, [sum(sizes) // 2, sum(sizes) // 2])
