"""The dispatcher's command language: what one typed line asks for, without any widget.

:func:`parse` turns one line (``A 123``, ``D 123 U45 U46``, ``S U45 avail`` …) into what to do —
hub commands to submit in order, or a UI intent — or a :class:`ParseError` saying what is wrong
(with the candidates, when a short number or a prefix could mean several things). It reads the
replica's incidents and units only to resolve short numbers, ids and a unit's assignment (the
words themselves are :mod:`console.views.command_words`); it holds no business rule:
whether a command may happen is the hub's answer. :func:`completion_slot` says what the word at
the cursor is, for the completer. The widget is :mod:`console.views.command_line`.

Only QtCore's translation functions are used: all of it runs without a QApplication.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication

from console.domain.incident import Assignment, Incident
from console.domain.model import AssignmentState, UnitStatus
from console.domain.units import Unit
from console.views.command_words import (
    SETTABLE_STATUSES,
    STEPS,
    ParseError,
    incident_number,
    looks_like_incident,
    resolve_department,
    resolve_incident,
    resolve_status,
    resolve_step,
    resolve_unit,
    unit_assignment,
)

__all__ = ["SETTABLE_STATUSES", "STEPS", "VERBS", "Intent", "ParseError", "Parsed", "Verb",
           "completion_slot", "help_text", "incident_number", "parse", "progress_slot",
           "resolve_department", "resolve_incident", "resolve_status", "resolve_step",
           "resolve_unit", "unit_assignment", "verb_of"]

CONTEXT = "CommandLine"

if TYPE_CHECKING:  # PySide's stub says it returns object; it returns its text argument
    def QT_TRANSLATE_NOOP(context: str, text: str) -> str: ...
else:
    from PySide6.QtCore import QT_TRANSLATE_NOOP


def _t(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


class Intent(StrEnum):
    OPEN = "open"
    NEW = "new"
    HELP = "help"


@dataclass(frozen=True)
class Verb:
    name: str
    letter: str
    words: tuple[str, ...]  # other spellings (English word, Chinese aliases)
    usage: str
    summary: str


def _v(name: str, letter: str, words: tuple[str, ...], usage: str, summary: str) -> Verb:
    return Verb(name, letter, (name, *words), usage, summary)


VERBS: tuple[Verb, ...] = (
    _v("accept", "A", ("受理",), QT_TRANSLATE_NOOP("CommandLine", "A <incident>"),
       QT_TRANSLATE_NOOP("CommandLine", "accept")),
    _v("classify", "K", ("分类", "定类"),
       QT_TRANSLATE_NOOP("CommandLine", "K <incident> <category code>"),
       QT_TRANSLATE_NOOP("CommandLine", "classify a police case awaiting classification")),
    _v("reject", "R", ("驳回", "不予受理"),
       QT_TRANSLATE_NOOP("CommandLine", "R <incident> <reason…>"),
       QT_TRANSLATE_NOOP("CommandLine", "reject, with a reason")),
    _v("dispatch", "D", ("派", "派遣", "调派"),
       QT_TRANSLATE_NOOP("CommandLine", "D <incident> <unit> [<unit>…]"),
       QT_TRANSLATE_NOOP("CommandLine", "dispatch field units")),
    _v("find", "F", ("open", "查", "查找", "打开"),
       QT_TRANSLATE_NOOP("CommandLine", "F <incident>"),
       QT_TRANSLATE_NOOP("CommandLine", "find and open an incident")),
    _v("new", "N", ("新建", "新"), QT_TRANSLATE_NOOP("CommandLine", "N"),
       QT_TRANSLATE_NOOP("CommandLine", "new intake")),
    _v("progress", "U", ("update", "进展", "进度"),
       QT_TRANSLATE_NOOP("CommandLine", "U [<incident>] <unit> <step>"),
       QT_TRANSLATE_NOOP("CommandLine", "a unit's progress on its assignment: ack, en_route, "
                         "on_scene, cleared, cancel")),
    _v("status", "S", ("状态",), QT_TRANSLATE_NOOP("CommandLine", "S <unit> [<unit>…] <status>"),
       QT_TRANSLATE_NOOP("CommandLine",
                         "unit status: off_duty, available, busy, out_of_service")),
    _v("close", "C", ("结案", "关闭"), QT_TRANSLATE_NOOP("CommandLine", "C <incident>"),
       QT_TRANSLATE_NOOP("CommandLine", "close")),
    _v("verify", "V", ("回访", "核实"),
       QT_TRANSLATE_NOOP("CommandLine", "V <incident> ok|fail [<note…>]"),
       QT_TRANSLATE_NOOP("CommandLine", "verify by callback (fail needs a note)")),
    _v("assign", "G", ("交办", "分派"),
       QT_TRANSLATE_NOOP("CommandLine", "G <incident> [<department> [<co-handler>…]]"),
       QT_TRANSLATE_NOOP("CommandLine", "assign to a department")),
    _v("note", "X", ("备注",), QT_TRANSLATE_NOOP("CommandLine", "X <incident> <text…>"),
       QT_TRANSLATE_NOOP("CommandLine", "add a note")),
    _v("escalate", "E", ("转警", "移交公安"),
       QT_TRANSLATE_NOOP("CommandLine", "E <incident> <reason…>"),
       QT_TRANSLATE_NOOP("CommandLine", "escalate to the police")),
    _v("merge", "M", ("合并",), QT_TRANSLATE_NOOP("CommandLine", "M <incident> <into>"),
       QT_TRANSLATE_NOOP("CommandLine", "merge a duplicate into another incident")),
    _v("reopen", "O", ("重开", "重启"), QT_TRANSLATE_NOOP("CommandLine", "O <incident> <reason…>"),
       QT_TRANSLATE_NOOP("CommandLine", "reopen a closed incident")),
    _v("help", "H", ("?", "帮助"), QT_TRANSLATE_NOOP("CommandLine", "H"),
       QT_TRANSLATE_NOOP("CommandLine", "this help")),
)
_VERB_OF = {w.casefold(): v for v in VERBS for w in (v.letter, *v.words)}

_VERDICTS = {**dict.fromkeys(("ok", "y", "yes", "satisfied", "满意", "是"), True),
             **dict.fromkeys(("fail", "failed", "n", "no", "unsatisfied", "不满意", "否"), False)}
#: 基本满意: verified, on the scale's middle step (console/domain/satisfaction.py).
_BASICALLY = frozenset(("basic", "basically", "基本满意", "基本"))
_GLUED = re.compile(r"^(\D+?)(\d.*)$")


@dataclass(frozen=True)
class Parsed:
    """What a line asks for: ``commands`` (name, args) to submit in order, or an ``intent``
    (``incident`` names the one to open, and the one acted on)."""

    verb: str
    commands: tuple[tuple[str, dict[str, Any]], ...] = ()
    intent: Intent | None = None
    incident: str | None = None


def _missing(verb: Verb, what: str) -> ParseError:
    return ParseError("missing", QT_TRANSLATE_NOOP("CommandLine", "Missing {what}. Usage: {usage}"),
                      {"what": what, "usage": verb.usage})


def verb_of(word: str) -> Verb | None:
    return _VERB_OF.get(word.casefold())


def _tokens(text: str) -> list[re.Match[str]]:
    return list(re.finditer(r"\S+", text))


def parse(text: str, incidents: Mapping[str, Incident] | None = None,
          units: Mapping[str, Unit] | None = None,
          departments: Mapping[str, str] | None = None) -> Parsed | ParseError:
    """What the command line ``text`` asks for.

    Args:
        incidents: the incidents on this console, to resolve short numbers.
        units: the units on this console, to check unit ids (not checked when None or empty).
        departments: department code or name (case-folded) → code, for ``G``.
    """
    text = unicodedata.normalize("NFKC", text).strip()
    incidents = incidents or {}
    found = _tokens(text)
    if not found:
        return ParseError("empty", QT_TRANSLATE_NOOP("CommandLine",
                                                     "Type a command; H lists them."))
    head = found[0].group()
    verb = verb_of(head)
    rest_at = found[0].end()
    if verb is None and (glued := _GLUED.match(head)) and verb_of(glued.group(1)):
        verb, rest_at = verb_of(glued.group(1)), found[0].start() + glued.end(1)
    if verb is None:
        return ParseError("unknown_verb", QT_TRANSLATE_NOOP(
            "CommandLine", "Unknown command '{verb}'; type H for the list."), {"verb": head})
    rest = text[rest_at:]
    words = [m.group() for m in _tokens(rest)]
    return _PARSERS[verb.name](verb, words, rest, incidents, units, departments)


def _after(rest: str, count: int) -> str:
    """The free text after the first ``count`` words of ``rest``."""
    found = _tokens(rest)
    return rest[found[count - 1].end():].strip() if len(found) >= count else ""


def _too_many(verb: Verb, extra: Iterable[str]) -> ParseError:
    return ParseError("too_many", QT_TRANSLATE_NOOP(
        "CommandLine", "Too many words ('{extra}'). Usage: {usage}"),
        {"extra": " ".join(extra), "usage": verb.usage})


_INCIDENT = QT_TRANSLATE_NOOP("CommandLine", "the incident number")


def _simple(name: str | None, *, intent: Intent | None = None, text_key: str | None = None,
            what: str = "", closed: bool = False) -> Callable[..., Parsed | ParseError]:
    """A verb taking one incident and, with ``text_key``, free text after it."""

    def run(verb: Verb, words: list[str], rest: str, incidents: Mapping[str, Incident],
            *_: Any) -> Parsed | ParseError:
        if not words:
            return _missing(verb, _INCIDENT)
        iid = resolve_incident(words[0], incidents, closed=closed)
        if isinstance(iid, ParseError):
            return iid
        args: dict[str, Any] = {"id": iid}
        if text_key:
            free = _after(rest, 1)
            if not free:
                return _missing(verb, what)
            args[text_key] = free
        elif len(words) > 1:
            return _too_many(verb, words[1:])
        if intent is not None:
            return Parsed(verb.name, intent=intent, incident=iid)
        return Parsed(verb.name, ((str(name), args),), incident=iid)

    return run


def _bare(intent: Intent) -> Callable[..., Parsed | ParseError]:
    def run(verb: Verb, words: list[str], *_: Any) -> Parsed | ParseError:
        return _too_many(verb, words) if words else Parsed(verb.name, intent=intent)

    return run


def _dispatch(verb: Verb, words: list[str], rest: str, incidents: Mapping[str, Incident],
              units: Mapping[str, Unit] | None, *_: Any) -> Parsed | ParseError:
    if not words:
        return _missing(verb, _INCIDENT)
    iid = resolve_incident(words[0], incidents)
    if isinstance(iid, ParseError):
        return iid
    tokens = [t for w in words[1:] for t in w.split(",") if t]
    if not tokens:
        return _missing(verb, QT_TRANSLATE_NOOP("CommandLine", "a unit"))
    commands = []
    for token in tokens:
        uid = resolve_unit(token, units)
        if isinstance(uid, ParseError):
            return uid
        commands.append(("incident.dispatch", {"id": iid, "unit": uid}))
    return Parsed(verb.name, tuple(commands), incident=iid)


def _status(verb: Verb, words: list[str], rest: str, incidents: Mapping[str, Incident],
            units: Mapping[str, Unit] | None, *_: Any) -> Parsed | ParseError:
    if len(words) < 2:
        said_status = bool(words) and not isinstance(resolve_status(words[0]), ParseError)
        return _missing(verb, QT_TRANSLATE_NOOP("CommandLine", "a unit") if not words
                        or said_status else QT_TRANSLATE_NOOP("CommandLine", "the status"))
    status, taken = resolve_status(words[-1]), 1
    for count in (3, 2):  # "out of service", "off duty"
        if len(words) > count and isinstance(
                joined := resolve_status("_".join(words[-count:])), UnitStatus):
            status, taken = joined, count
            break
    if isinstance(status, ParseError):
        return status
    commands = []
    for token in (t for w in words[:-taken] for t in w.split(",") if t):
        uid = resolve_unit(token, units)
        if isinstance(uid, ParseError):
            return uid
        commands.append(("unit.set_status", {"id": uid, "status": status.value}))
    return Parsed(verb.name, tuple(commands))


def _progress(verb: Verb, words: list[str], rest: str, incidents: Mapping[str, Incident],
              units: Mapping[str, Unit] | None, *_: Any) -> Parsed | ParseError:
    """``U [<incident>] <unit> <step>``: one ``assignment.update``. Without the incident, the
    unit's current assignment; the step may be two words (``on scene``)."""
    a_unit = QT_TRANSLATE_NOOP("CommandLine", "a unit")
    if not words or (len(words) == 1 and looks_like_incident(words[0])):
        return _missing(verb, a_unit)
    step, taken = resolve_step(words[-1]), 1
    if len(words) > 2 and isinstance(joined := resolve_step("_".join(words[-2:])),
                                     AssignmentState):
        step, taken = joined, 2
    if isinstance(step, ParseError):
        unit_last = not looks_like_incident(words[-1])
        if step.code == "bad_step" and unit_last and (
                len(words) == 1 or (len(words) == 2 and looks_like_incident(words[0]))):
            return _missing(verb, QT_TRANSLATE_NOOP("CommandLine", "the step"))
        return step
    subject = words[:-taken]
    if not subject or (len(subject) == 1 and looks_like_incident(subject[0])):
        return _missing(verb, a_unit)
    if len(subject) > 2 or (len(subject) == 2 and not looks_like_incident(subject[0])):
        return _too_many(verb, subject[2:] if looks_like_incident(subject[0]) else subject[1:])
    iid: str | None = None
    if len(subject) == 2:
        named = resolve_incident(subject[0], incidents)
        if isinstance(named, ParseError):
            return named
        iid = named
    uid = resolve_unit(subject[-1], units)
    if isinstance(uid, ParseError):
        return uid
    found = unit_assignment(uid, incidents, units, iid)
    if found is None and iid is not None:
        return ParseError("not_assigned", QT_TRANSLATE_NOOP(
            "CommandLine", "{unit} was not dispatched to {id}."), {"unit": uid, "id": iid})
    if found is None:
        return ParseError("no_assignment", QT_TRANSLATE_NOOP(
            "CommandLine", "{unit} is on no assignment here; name the incident: "
            "U <incident> {unit} <step>."), {"unit": uid})
    incident_id, assignment = found
    return Parsed(verb.name, (("assignment.update", {
        "id": incident_id, "assignment": assignment.id, "status": step.value}),),
        incident=incident_id)


def _verify(verb: Verb, words: list[str], rest: str, incidents: Mapping[str, Incident],
            *_: Any) -> Parsed | ParseError:
    if not words:
        return _missing(verb, _INCIDENT)
    iid = resolve_incident(words[0], incidents)
    if isinstance(iid, ParseError):
        return iid
    if len(words) < 2:
        return _missing(verb, QT_TRANSLATE_NOOP("CommandLine", "ok or fail"))
    basically = words[1].casefold() in _BASICALLY
    satisfied = True if basically else _VERDICTS.get(words[1].casefold())
    if satisfied is None:
        return ParseError("bad_verdict", QT_TRANSLATE_NOOP(
            "CommandLine", "'{token}' is neither ok nor fail."), {"token": words[1]})
    note = _after(rest, 2)
    if not satisfied and not note:
        return ParseError("note_required", QT_TRANSLATE_NOOP(
            "CommandLine", "Say why the reporter is not satisfied: V {number} fail <note…>"),
            {"number": words[0]})
    args: dict[str, Any] = {"id": iid, "method": "callback", "satisfied": satisfied}
    if basically:
        args["satisfaction"] = "basically_satisfied"
    if note:
        args["note"] = note
    return Parsed(verb.name, (("incident.verify", args),), incident=iid)


def _assign(verb: Verb, words: list[str], rest: str, incidents: Mapping[str, Incident],
            units: Mapping[str, Unit] | None,
            departments: Mapping[str, str] | None) -> Parsed | ParseError:
    if not words:
        return _missing(verb, _INCIDENT)
    iid = resolve_incident(words[0], incidents)
    if isinstance(iid, ParseError):
        return iid
    args: dict[str, Any] = {"id": iid}
    codes = []
    for token in words[1:]:
        code = resolve_department(token, departments)
        if isinstance(code, ParseError):
            return code
        codes.append(code)
    if codes:
        args["department"] = codes[0]
    if codes[1:]:
        args["co_handlers"] = codes[1:]
    return Parsed(verb.name, (("incident.assign", args),), incident=iid)


def _merge(verb: Verb, words: list[str], rest: str, incidents: Mapping[str, Incident],
           *_: Any) -> Parsed | ParseError:
    if not words:
        return _missing(verb, _INCIDENT)
    if len(words) < 2:
        return _missing(verb, QT_TRANSLATE_NOOP("CommandLine", "the incident to merge into"))
    if len(words) > 2:
        return _too_many(verb, words[2:])
    iid, into = (resolve_incident(w, incidents) for w in words)
    for resolved in (iid, into):
        if isinstance(resolved, ParseError):
            return resolved
    return Parsed(verb.name, (("incident.merge", {"id": iid, "into": into}),),
                  incident=str(iid))


_REASON = QT_TRANSLATE_NOOP("CommandLine", "a reason")


def _classify(verb: Verb, words: list[str], rest: str, incidents: Mapping[str, Incident],
              *_: Any) -> Parsed | ParseError:
    """``K 123 env.noise_residential``: one category code (the hub checks it is one)."""
    if not words:
        return _missing(verb, _INCIDENT)
    iid = resolve_incident(words[0], incidents)
    if isinstance(iid, ParseError):
        return iid
    if len(words) < 2:
        return _missing(verb, QT_TRANSLATE_NOOP("CommandLine", "the category code"))
    if len(words) > 2:
        return _too_many(verb, words[2:])
    return Parsed(verb.name, (("incident.classify", {"id": iid, "category": words[1]}),),
                  incident=iid)


_PARSERS: dict[str, Callable[..., Parsed | ParseError]] = {
    "accept": _simple("incident.accept"),
    "classify": _classify,
    "reject": _simple("incident.reject", text_key="reason", what=_REASON),
    "dispatch": _dispatch,
    "find": _simple(None, intent=Intent.OPEN),
    "new": _bare(Intent.NEW),
    "status": _status,
    "progress": _progress,
    "close": _simple("incident.close"),
    "verify": _verify,
    "assign": _assign,
    "note": _simple("incident.note", text_key="text",
                    what=QT_TRANSLATE_NOOP("CommandLine", "the note")),
    "escalate": _simple("incident.escalate", text_key="reason", what=_REASON),
    "merge": _merge,
    "reopen": _simple("incident.reopen", text_key="reason", what=_REASON, closed=True),
    "help": _bare(Intent.HELP),
}


def help_text() -> str:
    """One line per verb, translated."""
    lines = [_t(QT_TRANSLATE_NOOP("CommandLine", "Commands (123 = the incident's short number):"))]
    lines += [f"{_t(v.usage)}  —  {_t(v.summary)}" for v in VERBS]
    return "\n".join(lines)


def completion_slot(before: str) -> tuple[str | None, str]:
    """What the word at the cursor is (``verb``, ``incident``, ``closed_incident``, ``unit``,
    ``status``, ``verdict``, ``department``, ``progress`` — see :func:`progress_slot` — or
    None) and what of it is typed, given the text before the cursor."""
    words = before.split()
    at_new_word = not words or before[-1:].isspace()
    index, prefix = (len(words), "") if at_new_word else (len(words) - 1, words[-1])
    if index == 0:
        return "verb", prefix
    verb = verb_of(words[0])
    if verb is None or verb.name in ("new", "help"):
        return None, prefix
    if verb.name == "progress":
        return "progress", prefix
    if index == 1:
        return {"status": "unit", "reopen": "closed_incident"}.get(verb.name, "incident"), prefix
    if index == 2 and verb.name in ("merge", "verify"):
        return ("incident" if verb.name == "merge" else "verdict"), prefix
    return {"dispatch": "unit", "status": "status", "assign": "department"}.get(verb.name), prefix


def progress_slot(words: list[str], incidents: Mapping[str, Incident],
                  units: Mapping[str, Unit] | None
                  ) -> tuple[str | None, Incident | Assignment | None]:
    """For ``U`` followed by the complete ``words``, what the next word is: ``subject`` (an
    incident with units on it, or a unit on an assignment), ``unit`` (one of the incident
    returned), ``step`` (of the assignment returned, None when it is not known) or None."""
    if not words:
        return "subject", None
    first = words[0]
    if looks_like_incident(first):
        iid = resolve_incident(first, incidents)
        inc = incidents.get(iid) if isinstance(iid, str) else None
        if len(words) == 1:
            return "unit", inc
        if len(words) == 2:
            uid = resolve_unit(words[1], units)
            found = (unit_assignment(uid, incidents, units, inc.id)
                     if inc is not None and isinstance(uid, str) else None)
            return "step", found[1] if found else None
        return None, None
    if len(words) == 1:
        uid = resolve_unit(first, units)
        found = unit_assignment(uid, incidents, units) if isinstance(uid, str) else None
        return "step", found[1] if found else None
    return None, None
