"""The words of the command language: incident numbers, unit ids, statuses, assignment steps and
departments as typed, resolved against what the console holds, or a :class:`ParseError` saying
why a word means nothing (or several things) here.

:mod:`console.views.command_parser` reads whole lines with these. Only QtCore's translation
functions are used: all of it runs without a QApplication.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from console.domain.incident import Assignment, Incident, incident_of_assignment
from console.domain.model import (
    ASSIGNMENT_ORDER,
    ASSIGNMENT_STATUSES,
    AssignmentState,
    IncidentState,
    UnitStatus,
)
from console.domain.units import Unit

CONTEXT = "CommandLine"

if TYPE_CHECKING:  # PySide's stub says it returns object; it returns its text argument
    def QT_TRANSLATE_NOOP(context: str, text: str) -> str: ...
else:
    from PySide6.QtCore import QT_TRANSLATE_NOOP


def _t(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


#: Statuses a dispatcher sets by hand (the others follow from assignments).
SETTABLE_STATUSES = (UnitStatus.OFF_DUTY, UnitStatus.AVAILABLE, UnitStatus.BUSY,
                     UnitStatus.OUT_OF_SERVICE)
_STATUS_WORDS = {"oos": UnitStatus.OUT_OF_SERVICE, "下班": UnitStatus.OFF_DUTY,
                 "离岗": UnitStatus.OFF_DUTY, "空闲": UnitStatus.AVAILABLE,
                 "可用": UnitStatus.AVAILABLE, "在岗": UnitStatus.AVAILABLE,
                 "忙": UnitStatus.BUSY, "忙碌": UnitStatus.BUSY,
                 "停用": UnitStatus.OUT_OF_SERVICE, "故障": UnitStatus.OUT_OF_SERVICE}
#: The steps ``U`` reports, in the order a unit takes them (the hub says which it may take).
STEPS = (*ASSIGNMENT_ORDER[1:], AssignmentState.CANCELLED)
_STEP_WORDS = {
    **dict.fromkeys(("ack", "acked", "确认", "收到", "接单"), AssignmentState.ACKNOWLEDGED),
    **dict.fromkeys(("route", "going", "出发", "在途", "途中", "前往"), AssignmentState.EN_ROUTE),
    **dict.fromkeys(("scene", "arrived", "到场", "到达", "抵达", "现场"), AssignmentState.ON_SCENE),
    **dict.fromkeys(("clear", "done", "完成", "收队", "撤离"), AssignmentState.CLEARED),
    **dict.fromkeys(("cancel", "recall", "取消", "召回", "撤回"), AssignmentState.CANCELLED),
}
_FULL_ID = re.compile(r"^[A-Z]{2,}-\d{8}-\d+$")


@dataclass(frozen=True)
class ParseError:
    """Why a line cannot run: a ``code`` for tests, an English ``template`` (translated by
    :attr:`text`) with its ``params``, and the ``candidates`` an ambiguous word could mean."""

    code: str
    template: str
    params: Mapping[str, str] = field(default_factory=dict)
    candidates: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        params = {k: _t(v) if k in ("usage", "what") else v for k, v in self.params.items()}
        return _t(self.template).format(**params)


def incident_number(incident_id: str) -> int | None:
    """The trailing number of an id (123 for ``CH-20261127-000123``), or None."""
    tail = incident_id.rpartition("-")[2]
    return int(tail) if tail.isdigit() else None


def resolve_incident(token: str, incidents: Mapping[str, Incident], *,
                     closed: bool = False) -> str | ParseError:
    """The incident id ``token`` names: a full id as typed, or the short trailing number of the
    one open incident (``closed``: the one closed incident) on this console."""
    word = token.upper().lstrip("#")
    if _FULL_ID.match(word):
        return word
    if not word.isdigit():
        return ParseError("bad_incident", QT_TRANSLATE_NOOP(
            "CommandLine", "'{token}' is not an incident number (123 or CH-20261127-000123)."),
            {"token": token})
    number = int(word)
    matches = sorted(i for i in incidents if incident_number(i) == number)
    if not matches:
        return ParseError("unknown_incident", QT_TRANSLATE_NOOP(
            "CommandLine", "No incident numbered {number} is on this console."),
            {"number": word})
    if closed:
        preferred = [i for i in matches if incidents[i].state is IncidentState.CLOSED]
    else:
        preferred = [i for i in matches if not incidents[i].finished]
    pick = preferred or matches
    if len(pick) == 1:
        return pick[0]
    return ParseError("ambiguous_incident", QT_TRANSLATE_NOOP(
        "CommandLine", "{number} could be {candidates}; type the full id."),
        {"number": word, "candidates": ", ".join(pick)}, tuple(pick))


def resolve_unit(token: str, units: Mapping[str, Unit] | None) -> str | ParseError:
    """A unit id, matched case-insensitively against the units on this console (when known)."""
    if not units or token in units:
        return token
    folded = token.casefold()
    found = [u for u in units if u.casefold() == folded]
    if len(found) == 1:
        return found[0]
    return ParseError("unknown_unit", QT_TRANSLATE_NOOP(
        "CommandLine", "No unit '{token}' is on this console."), {"token": token})


def resolve_status(token: str) -> UnitStatus | ParseError:
    """A settable unit status from its code, a unique prefix of it (``avail``) or an alias."""
    word = token.casefold().replace("-", "_")
    if word in _STATUS_WORDS:
        return _STATUS_WORDS[word]
    matches = [s for s in UnitStatus if s.value.startswith(word)]
    exact = [s for s in matches if s.value == word]
    settable = [s for s in (exact or matches) if s in SETTABLE_STATUSES]
    if len(settable) == 1:
        return settable[0]
    if settable:
        return ParseError("ambiguous_status", QT_TRANSLATE_NOOP(
            "CommandLine", "'{token}' could be {candidates}."),
            {"token": token, "candidates": ", ".join(settable)}, tuple(s.value for s in settable))
    if any(s in ASSIGNMENT_STATUSES for s in matches):
        return ParseError("assignment_status", QT_TRANSLATE_NOOP(
            "CommandLine", "'{token}' follows from an assignment; use D to dispatch instead."),
            {"token": token})
    return ParseError("bad_status", QT_TRANSLATE_NOOP(
        "CommandLine", "'{token}' is not a status; use {statuses}."),
        {"token": token, "statuses": ", ".join(SETTABLE_STATUSES)})


def resolve_step(token: str) -> AssignmentState | ParseError:
    """An assignment step from its code, a unique prefix of it with or without the underscore
    (``on``, ``onscene``, ``en_route``) or an alias (``ack``, ``到场``)."""
    word = token.casefold().replace("-", "_")
    if word in _STEP_WORDS:
        return _STEP_WORDS[word]
    compact = word.replace("_", "")
    matches = [s for s in STEPS if s.value.startswith(word)
               or (compact and s.value.replace("_", "").startswith(compact))]
    if len(matches) == 1:
        return matches[0]
    if matches:
        return ParseError("ambiguous_step", QT_TRANSLATE_NOOP(
            "CommandLine", "'{token}' could be {candidates}."),
            {"token": token, "candidates": ", ".join(matches)}, tuple(s.value for s in matches))
    return ParseError("bad_step", QT_TRANSLATE_NOOP(
        "CommandLine", "'{token}' is not a step of an assignment; use {steps}."),
        {"token": token, "steps": ", ".join(STEPS)})


def looks_like_incident(token: str) -> bool:
    """Is ``token`` written as an incident (a number or a full id), not as a unit id?"""
    word = token.upper().lstrip("#")
    return word.isdigit() or bool(_FULL_ID.match(word))


def unit_assignment(unit_id: str, incidents: Mapping[str, Incident],
                    units: Mapping[str, Unit] | None,
                    incident_id: str | None = None) -> tuple[str, Assignment] | None:
    """The assignment ``U`` means for a unit, with its incident id: on ``incident_id`` the
    unit's active assignment there, else its latest there; with no incident the unit's current
    assignment (the one active assignment a unit can have). None when there is none here."""
    if incident_id is not None:
        inc = incidents.get(incident_id)
        mine = [a for a in inc.assignments if a.unit == unit_id] if inc else []
        pick = next((a for a in reversed(mine) if a.active), mine[-1] if mine else None)
        return None if pick is None else (incident_id, pick)
    unit = units.get(unit_id) if units else None
    if unit is not None:
        if unit.assignment is None:
            return None
        inc = incidents.get(incident_of_assignment(unit.assignment))
        found = inc.assignment(unit.assignment) if inc else None
        return None if inc is None or found is None else (inc.id, found)
    # No units known: look for the unit's active assignment among the incidents.
    active = [(inc.id, a) for inc in incidents.values() for a in inc.assignments
              if a.unit == unit_id and a.active]
    return active[0] if len(active) == 1 else None


def resolve_department(token: str, departments: Mapping[str, str] | None) -> str | ParseError:
    """A department code from its code, a unique prefix of it, or a name in ``departments``
    (name or code → code); as typed when no departments are known."""
    if not departments:
        return token
    folded = token.casefold()
    if folded in departments:
        return departments[folded]
    codes = sorted({code for code in departments.values() if code.casefold().startswith(folded)})
    if len(codes) == 1:
        return codes[0]
    if codes:
        return ParseError("ambiguous_department", QT_TRANSLATE_NOOP(
            "CommandLine", "'{token}' could be {candidates}."),
            {"token": token, "candidates": ", ".join(codes)}, tuple(codes))
    return ParseError("unknown_department", QT_TRANSLATE_NOOP(
        "CommandLine", "There is no department '{token}'."), {"token": token})
