"""The dispatcher's command language: what one typed line asks for, without any widget.

:func:`parse` turns one line (``A 123``, ``D 123 U45 U46``, ``S U45 avail`` …) into what to do —
hub commands to submit in order, or a UI intent — or a :class:`ParseError` saying what is wrong
(with the candidates, when a short number or a prefix could mean several things). It reads the
replica's incidents and units only to resolve short numbers and ids; it holds no business rule:
whether a command may happen is the hub's answer. :func:`completion_slot` says what the word at
the cursor is, for the completer. The widget is :mod:`console.views.command_line`.

Only QtCore's translation functions are used: all of it runs without a QApplication.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication

from console.domain.incident import Incident
from console.domain.model import ASSIGNMENT_STATUSES, IncidentState, UnitStatus
from console.domain.units import Unit

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

#: Statuses a dispatcher sets by hand (the others follow from assignments).
SETTABLE_STATUSES = (UnitStatus.OFF_DUTY, UnitStatus.AVAILABLE, UnitStatus.BUSY,
                     UnitStatus.OUT_OF_SERVICE)
_STATUS_WORDS = {"oos": UnitStatus.OUT_OF_SERVICE, "下班": UnitStatus.OFF_DUTY,
                 "离岗": UnitStatus.OFF_DUTY, "空闲": UnitStatus.AVAILABLE,
                 "可用": UnitStatus.AVAILABLE, "在岗": UnitStatus.AVAILABLE,
                 "忙": UnitStatus.BUSY, "忙碌": UnitStatus.BUSY,
                 "停用": UnitStatus.OUT_OF_SERVICE, "故障": UnitStatus.OUT_OF_SERVICE}
_VERDICTS = {**dict.fromkeys(("ok", "y", "yes", "satisfied", "满意", "是"), True),
             **dict.fromkeys(("fail", "failed", "n", "no", "unsatisfied", "不满意", "否"), False)}
_FULL_ID = re.compile(r"^[A-Z]{2,}-\d{8}-\d+$")
_GLUED = re.compile(r"^(\D+?)(\d.*)$")


@dataclass(frozen=True)
class Parsed:
    """What a line asks for: ``commands`` (name, args) to submit in order, or an ``intent``
    (``incident`` names the one to open, and the one acted on)."""

    verb: str
    commands: tuple[tuple[str, dict[str, Any]], ...] = ()
    intent: Intent | None = None
    incident: str | None = None


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


def _missing(verb: Verb, what: str) -> ParseError:
    return ParseError("missing", QT_TRANSLATE_NOOP("CommandLine", "Missing {what}. Usage: {usage}"),
                      {"what": what, "usage": verb.usage})


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


def _verify(verb: Verb, words: list[str], rest: str, incidents: Mapping[str, Incident],
            *_: Any) -> Parsed | ParseError:
    if not words:
        return _missing(verb, _INCIDENT)
    iid = resolve_incident(words[0], incidents)
    if isinstance(iid, ParseError):
        return iid
    if len(words) < 2:
        return _missing(verb, QT_TRANSLATE_NOOP("CommandLine", "ok or fail"))
    satisfied = _VERDICTS.get(words[1].casefold())
    if satisfied is None:
        return ParseError("bad_verdict", QT_TRANSLATE_NOOP(
            "CommandLine", "'{token}' is neither ok nor fail."), {"token": words[1]})
    note = _after(rest, 2)
    if not satisfied and not note:
        return ParseError("note_required", QT_TRANSLATE_NOOP(
            "CommandLine", "Say why the reporter is not satisfied: V {number} fail <note…>"),
            {"number": words[0]})
    args: dict[str, Any] = {"id": iid, "method": "callback", "satisfied": satisfied}
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
    ``status``, ``verdict``, ``department`` or None) and what of it is typed, given the text
    before the cursor."""
    words = before.split()
    at_new_word = not words or before[-1:].isspace()
    index, prefix = (len(words), "") if at_new_word else (len(words) - 1, words[-1])
    if index == 0:
        return "verb", prefix
    verb = verb_of(words[0])
    if verb is None or verb.name in ("new", "help"):
        return None, prefix
    if index == 1:
        return {"status": "unit", "reopen": "closed_incident"}.get(verb.name, "incident"), prefix
    if index == 2 and verb.name in ("merge", "verify"):
        return ("incident" if verb.name == "merge" else "verdict"), prefix
    return {"dispatch": "unit", "status": "status", "assign": "department"}.get(verb.name), prefix
